package httpsig

import (
	"bufio"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the generated vectors under testdata/")

// sentinels names the errors a vector's "want" may hold; "ok" means none.
var sentinels = map[string]error{
	"ok":                      nil,
	"ErrNoSignature":          ErrNoSignature,
	"ErrMalformed":            ErrMalformed,
	"ErrMissingHeader":        ErrMissingHeader,
	"ErrDateSkew":             ErrDateSkew,
	"ErrDigestMismatch":       ErrDigestMismatch,
	"ErrUnsupportedAlgorithm": ErrUnsupportedAlgorithm,
	"ErrBadSignature":         ErrBadSignature,
	"ErrKeyUnavailable":       ErrKeyUnavailable,
}

// checkErr fails t unless err matches want, a key of sentinels.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	target, ok := sentinels[want]
	if !ok {
		t.Fatalf("unknown expectation %q", want)
	}
	if target == nil && err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if target != nil && !errors.Is(err, target) {
		t.Fatalf("got error %v, want %s", err, want)
	}
}

var keyCache sync.Map // file name -> parsed key

// loadSigner reads the PKCS#8 private key testdata/keys/<name>.pem.
func loadSigner(t testing.TB, name string) crypto.Signer {
	t.Helper()
	if k, ok := keyCache.Load(name); ok {
		return k.(crypto.Signer)
	}
	data := readFile(t, filepath.Join("testdata", "keys", name+".pem"))
	block, _ := pem.Decode([]byte(data))
	if block == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	keyCache.Store(name, k)
	return k.(crypto.Signer)
}

// loadPublic reads the public key testdata/keys/<name>.pub.pem.
func loadPublic(t testing.TB, name string) crypto.PublicKey {
	t.Helper()
	pub, err := ParsePublicKeyPEM(readFile(t, filepath.Join("testdata", "keys", name+".pub.pem")))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return pub
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// fakeResolver serves a stale key, and a fresh one when asked to refresh,
// recording every call.
type fakeResolver struct {
	stale, fresh crypto.PublicKey // fresh nil means stale again
	owner        string
	err          error

	mu    sync.Mutex
	calls []bool // the refresh flag of each call
}

func (f *fakeResolver) resolve(_ context.Context, _ string, refresh bool) (
	crypto.PublicKey, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, refresh)
	if f.err != nil {
		return nil, "", f.err
	}
	if refresh && f.fresh != nil {
		return f.fresh, f.owner, nil
	}
	return f.stale, f.owner, nil
}

func (f *fakeResolver) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// fixedNow returns Options that see the time t.
func fixedNow(t time.Time) Options {
	return Options{Now: func() time.Time { return t }}
}

// vector is a test vector file: a comment, then sections opened by lines
// "-- name --". Sections meta ("key: value" lines), request (a request line
// and headers) and body (without its final newline) have fixed meanings.
type vector struct {
	sections map[string]string
	meta     map[string]string
}

func readVector(t *testing.T, path string) vector {
	t.Helper()
	v := vector{sections: parseSections(readFile(t, path)), meta: map[string]string{}}
	for _, line := range strings.Split(v.sections["meta"], "\n") {
		if k, val, ok := strings.Cut(line, ":"); ok {
			v.meta[strings.TrimSpace(k)] = strings.TrimSpace(val)
		}
	}
	return v
}

func parseSections(data string) map[string]string {
	out := map[string]string{}
	name := ""
	var b strings.Builder
	for _, line := range strings.SplitAfter(data, "\n") {
		marker := strings.TrimRight(line, "\n")
		if strings.HasPrefix(marker, "-- ") && strings.HasSuffix(marker, " --") {
			if name != "" {
				out[name] = b.String()
			}
			name = strings.TrimSuffix(strings.TrimPrefix(marker, "-- "), " --")
			b.Reset()
			continue
		}
		b.WriteString(line)
	}
	if name != "" {
		out[name] = b.String()
	}
	return out
}

// request parses the request section as a server would receive it.
func (v vector) request(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(v.sections["request"] + "\n")))
	if err != nil {
		t.Fatalf("parsing request: %v", err)
	}
	var body []byte
	if b, ok := v.sections["body"]; ok {
		body = []byte(strings.TrimSuffix(b, "\n"))
	}
	return r, body
}

// now returns the meta "now" time.
func (v vector) now(t *testing.T) time.Time {
	t.Helper()
	now, err := time.Parse(time.RFC3339, v.meta["now"])
	if err != nil {
		t.Fatalf("meta now: %v", err)
	}
	return now
}

// vectorFiles lists the vector files of a testdata folder.
func vectorFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors in testdata/%s: %v", dir, err)
	}
	return files
}

// renderRequest writes r as a request line and sorted headers, the form the
// request section holds.
func renderRequest(r *http.Request) string {
	var b strings.Builder
	b.WriteString(r.Method + " " + r.URL.RequestURI() + " HTTP/1.1\r\n")
	if err := r.Header.Write(&b); err != nil {
		panic(err) // a strings.Builder does not fail
	}
	return strings.ReplaceAll(b.String(), "\r\n", "\n")
}

// renderVector lays out a vector file.
func renderVector(comment string, meta [][2]string, r *http.Request, body []byte) string {
	var b strings.Builder
	for _, line := range strings.Split(comment, "\n") {
		b.WriteString("# " + line + "\n")
	}
	b.WriteString("-- meta --\n")
	for _, kv := range meta {
		b.WriteString(kv[0] + ": " + kv[1] + "\n")
	}
	b.WriteString("-- request --\n" + renderRequest(r))
	if body != nil {
		b.WriteString("-- body --\n" + string(body) + "\n")
	}
	return b.String()
}

// golden compares got with the file at path, or rewrites it under -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readFile(t, path); got != want {
		t.Errorf("%s is stale; rerun with -update if intended\ngot:\n%s\nwant:\n%s",
			path, got, want)
	}
}
