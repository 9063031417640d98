package safehttp

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// bodyServer serves /fixed/N, N bytes with a Content-Length, and /chunked/N,
// N bytes flushed in pieces so that no Content-Length is sent.
func bodyServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind, size, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		n, err := strconv.Atoi(size)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if kind == "fixed" {
			w.Header().Set("Content-Length", size)
			w.Write(bytes.Repeat([]byte("a"), n))
			return
		}
		for ; n > 0; n -= min(n, 4096) {
			w.Write(bytes.Repeat([]byte("b"), min(n, 4096)))
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestReadBody(t *testing.T) {
	srv := bodyServer(t)
	c := guardedClient(t, Options{AllowLoopback: true})
	tests := []struct {
		path    string
		limit   int64
		wantErr error
	}{
		{"/fixed/0", 0, nil},
		{"/fixed/1000", 1000, nil},
		{"/fixed/1001", 1000, ErrTooLarge},
		{"/fixed/1000", MaxDocumentSize, nil},
		{"/fixed/1048576", MaxDocumentSize, nil},
		{"/fixed/1048577", MaxDocumentSize, ErrTooLarge},
		{"/chunked/1000", 1000, nil},
		{"/chunked/1001", 1000, ErrTooLarge},
		{"/chunked/1048577", MaxDocumentSize, ErrTooLarge},
		{"/chunked/5000000", MaxDocumentSize, ErrTooLarge},
		{"/fixed/10", -1, ErrTooLarge},
	}
	for _, tt := range tests {
		resp, err := c.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatalf("GET %s: %v", tt.path, err)
		}
		chunked := strings.HasPrefix(tt.path, "/chunked/")
		if chunked != (resp.ContentLength == -1) {
			t.Fatalf("GET %s: Content-Length %d; the server did not do as asked",
				tt.path, resp.ContentLength)
		}
		body, err := ReadBody(resp, tt.limit)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("ReadBody(%s, %d) error = %v, want %v", tt.path, tt.limit, err, tt.wantErr)
		}
		want := tt.path[strings.LastIndex(tt.path, "/")+1:]
		if err == nil && strconv.Itoa(len(body)) != want {
			t.Errorf("ReadBody(%s, %d) read %d bytes, want %s", tt.path, tt.limit, len(body), want)
		}
	}
}

// spyBody is a response body that records reads and closing.
type spyBody struct {
	r      io.Reader
	read   int
	closed bool
}

func (b *spyBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += n
	return n, err
}

func (b *spyBody) Close() error {
	b.closed = true
	return nil
}

func TestReadBodyContentLength(t *testing.T) {
	tests := []struct {
		contentLength int64
		size          int
		limit         int64
		wantErr       error
		wantRead      bool
	}{
		{1 << 40, 10, MaxDocumentSize, ErrTooLarge, false},
		{MaxDocumentSize + 1, 10, MaxDocumentSize, ErrTooLarge, false},
		{MaxDocumentSize, 10, MaxDocumentSize, nil, true},
		{-1, 10, 10, nil, true},
		{5, 20, 10, ErrTooLarge, true}, // a lying Content-Length is not trusted
	}
	for _, tt := range tests {
		body := &spyBody{r: strings.NewReader(strings.Repeat("c", tt.size))}
		resp := &http.Response{ContentLength: tt.contentLength, Body: body}
		_, err := ReadBody(resp, tt.limit)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("Content-Length %d, limit %d: error = %v, want %v",
				tt.contentLength, tt.limit, err, tt.wantErr)
		}
		if got := body.read > 0; got != tt.wantRead {
			t.Errorf("Content-Length %d, limit %d: read %d bytes, want reading %v",
				tt.contentLength, tt.limit, body.read, tt.wantRead)
		}
		if !body.closed {
			t.Errorf("Content-Length %d: body not closed", tt.contentLength)
		}
	}
}

func TestReadBodyReadError(t *testing.T) {
	broken := errors.New("connection reset")
	body := &spyBody{r: io.MultiReader(strings.NewReader("abc"), errReader{broken})}
	_, err := ReadBody(&http.Response{ContentLength: -1, Body: body}, 100)
	if !errors.Is(err, broken) {
		t.Errorf("error = %v, want %v", err, broken)
	}
	if !body.closed {
		t.Error("body not closed")
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
