package federation_test

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The -update flag rewrites the golden files under testdata/. Another test
// file of the package may define it first: then it is shared.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden is a golden file of one line per case, keyed by the line's first
// field (up to " | "), after a header of "#" lines that says how to read
// it. Each case is checked in its own subtest, so that a mismatch names
// the document at fault; with -update the file is rewritten instead.
type golden struct {
	path   string
	header string
	want   map[string]string

	mu  sync.Mutex
	got map[string]string
}

func openGolden(t *testing.T, path, header string) *golden {
	t.Helper()
	g := &golden{path: path, header: header, want: map[string]string{},
		got: map[string]string{}}
	f, err := os.Open(path)
	if err != nil {
		if !updating() {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		return g
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		g.want[goldenKey(line)] = line
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return g
}

func goldenKey(line string) string {
	key, _, _ := strings.Cut(line, " | ")
	return key
}

// check compares one case's line with the golden file's, or records it
// when updating.
func (g *golden) check(t *testing.T, line string) {
	t.Helper()
	key := goldenKey(line)
	g.mu.Lock()
	g.got[key] = line
	g.mu.Unlock()
	if updating() {
		return
	}
	want, ok := g.want[key]
	switch {
	case !ok:
		t.Errorf("%s: not in %s (run go test -update)\n+ %s", key, g.path, line)
	case want != line:
		t.Errorf("%s differs from %s (run go test -update if intended)\n- %s\n+ %s",
			key, g.path, want, line)
	}
}

// finish checks that the file has no case beyond keys, every case there
// is, and when updating writes it: the lines just checked, and the file's
// own for cases a -run filter left out.
func (g *golden) finish(t *testing.T, keys []string) {
	t.Helper()
	exists := map[string]bool{}
	for _, k := range keys {
		exists[k] = true
	}
	if !updating() {
		for key := range g.want {
			if !exists[key] {
				t.Errorf("%s: in %s but no longer a case (run go test -update)", key, g.path)
			}
		}
		return
	}
	var lines []string
	for _, k := range keys {
		if l, ok := g.got[k]; ok {
			lines = append(lines, l)
		} else if l, ok := g.want[k]; ok {
			lines = append(lines, l)
		}
	}
	sort.Slice(lines, func(i, j int) bool { return goldenKey(lines[i]) < goldenKey(lines[j]) })
	out := g.header + "\n" + strings.Join(lines, "\n") + "\n"
	if err := os.MkdirAll(filepath.Dir(g.path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(g.path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}
