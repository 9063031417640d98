package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations"
)

// quickQueue makes a portal's job queue fast enough for tests: workers
// look for jobs every 50ms, retries start after 200ms, and a job a crash
// left running is taken again after 5s (deliveries after their own
// timeout, a minute).
var quickQueue = []string{"PORTAL_POLL_INTERVAL=50ms", "PORTAL_RETRY_BASE=200ms",
	"PORTAL_RESCUE_AFTER=5s"}

// served is one "portal serve" process that a test may stop, kill or
// wait for, by its own pid.
type served struct {
	t    *testing.T
	in   *instance
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
}

// serveProcess starts "portal serve" for in and waits until it answers.
// When the test ends, a process still running is interrupted.
func serveProcess(t *testing.T, in *instance) *served {
	t.Helper()
	cmd := exec.Command(in.bin, "serve")
	cmd.Env = in.env
	p := &served{t: t, in: in, cmd: cmd, logs: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", in.domain, err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = cmd.Process.Signal(os.Interrupt)
			p.wait(30 * time.Second)
		}
		if t.Failed() {
			t.Logf("logs of %s (pid %d):\n%s", in.domain, cmd.Process.Pid, p.logs.String())
		}
	})
	waitFor(t, "server "+in.domain, func() bool {
		resp, err := http.Get(in.localURL("/healthz"))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

func (p *served) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits for the process to end and returns its exit code, or fails
// the test after timeout.
func (p *served) wait(timeout time.Duration) int {
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		p.t.Errorf("%s did not stop within %s", p.in.domain, timeout)
		return -1
	}
}

// kill ends the process with SIGKILL, as a crash or the OOM killer would.
func (p *served) kill() {
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatalf("killing %s: %v", p.in.domain, err)
	}
	<-p.done
}

// lockedBuffer collects a process's output, written and read from
// different goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// localURL is path on the instance, reached on loopback.
func (in *instance) localURL(path string) string {
	return "http://127.0.0.1:" + in.port() + path
}

func (in *instance) port() string { return in.domain[strings.LastIndex(in.domain, ":")+1:] }

// openDB gives the test its own connection to an instance's database.
func openDB(t *testing.T, dsn string) *bun.DB {
	t.Helper()
	db, err := migrations.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("opening %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// waitLong tells whether ok became true within limit, for what takes
// longer than waitFor allows: retries, rescues.
func waitLong(limit time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if ok() {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// scrape reads the instance's /metrics into "name{labels}" → value.
func scrape(t *testing.T, in *instance) map[string]float64 {
	t.Helper()
	resp, err := http.Get(in.localURL("/metrics"))
	if err != nil {
		t.Fatalf("scraping %s: %v", in.domain, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scraping %s: status %d", in.domain, resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// pageTimes GETs path n times in a row and returns the times taken,
// sorted; every answer must be 200.
func pageTimes(t *testing.T, in *instance, path string, n int) []time.Duration {
	t.Helper()
	var out []time.Duration
	for range n {
		start := time.Now()
		resp, err := http.Get(in.localURL(path))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		_, _ = bytes.NewBuffer(nil).ReadFrom(resp.Body)
		resp.Body.Close()
		out = append(out, time.Since(start))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, resp.StatusCode)
		}
	}
	slices.Sort(out)
	return out
}

func median(d []time.Duration) time.Duration { return d[len(d)/2] }

// summary gathers the numbers of each scenario and prints them when the
// whole suite has run: a line per scenario, then one line with the main
// figure of each.
type summary struct {
	mu     sync.Mutex
	lines  []string
	briefs []string
}

// add records a scenario's numbers: brief for the final line, the rest
// on a line of their own.
func (s *summary) add(t *testing.T, brief, format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	name := strings.TrimPrefix(t.Name(), "TestReliability/")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, name+": "+line)
	s.briefs = append(s.briefs, name+" "+brief)
}

func (s *summary) print(t *testing.T, elapsed time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	slices.Sort(s.lines)
	slices.Sort(s.briefs)
	for _, l := range s.lines {
		fmt.Println("reliability:", l)
	}
	final := fmt.Sprintf("reliability summary (%s): %s", elapsed.Round(time.Second),
		strings.Join(s.briefs, "; "))
	t.Log(final)
	fmt.Println(final)
}
