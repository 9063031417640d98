package httpsig

import (
	"fmt"
	"net/http"
	"strings"
)

// This file reads the parts of a request that both schemes sign. A request
// is seen the same way whether it was built by a client (URL with scheme and
// host, Host header set by the signer) or received by a server (Host moved
// to r.Host, URL holding only the path and query).

// checkRequest refuses requests the signing functions cannot read, and
// gives a client-built request a header map.
func checkRequest(r *http.Request) error {
	if r == nil || r.URL == nil {
		return fmt.Errorf("%w: request without URL", ErrMalformed)
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	return nil
}

// checkKeyID refuses key ids that cannot be written into either signature
// header unescaped.
func checkKeyID(keyID string) error {
	if keyID == "" || !isPrintableASCII(keyID) || strings.ContainsAny(keyID, `"\`) {
		return fmt.Errorf("%w: key id %q", ErrMalformed, keyID)
	}
	return nil
}

// setHost makes the Host header, r.Host and the signed host agree: r.Host
// when set (as http.NewRequest does), else r.URL.Host.
func setHost(r *http.Request) {
	if r.Host == "" {
		r.Host = r.URL.Host
	}
	r.Header.Set("Host", r.Host)
}

// hostOf returns the host the request was sent to.
func hostOf(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	if r.URL.Host != "" {
		return r.URL.Host
	}
	return r.Header.Get("Host")
}

// requestMethod returns the request method, GET when unset as net/http reads it.
func requestMethod(r *http.Request) string {
	if r.Method == "" {
		return http.MethodGet
	}
	return r.Method
}

// requestPath returns the escaped path, "/" when empty, and the query when
// withQuery is set.
func requestPath(r *http.Request, withQuery bool) string {
	if withQuery {
		return r.URL.RequestURI()
	}
	if p := r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// fieldValue returns the value of the header named by its lower-case name:
// every line's value, trimmed, joined with ", ". The host field is read with
// hostOf. An absent header wraps ErrMissingHeader.
func fieldValue(r *http.Request, name string) (string, error) {
	vals := r.Header.Values(name)
	if name == "host" {
		vals = nil
		if h := hostOf(r); h != "" {
			vals = []string{h}
		}
	}
	if len(vals) == 0 {
		return "", fmt.Errorf("%w: header %q is absent", ErrMissingHeader, name)
	}
	trimmed := make([]string, len(vals))
	for i, v := range vals {
		trimmed[i] = strings.Trim(v, " \t")
	}
	v := strings.Join(trimmed, ", ")
	if strings.ContainsAny(v, "\r\n") {
		return "", fmt.Errorf("%w: header %q holds a line break", ErrMalformed, name)
	}
	return v, nil
}
