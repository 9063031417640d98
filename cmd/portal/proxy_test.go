package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestForwardedFor: the address is the one the proxy appended, whatever
// the client put before it or in other headers.
func TestForwardedFor(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string][]string
		want    string
	}{
		{"no header", nil, "192.0.2.1:1234"},
		{"one entry", map[string][]string{"X-Forwarded-For": {"203.0.113.5"}}, "203.0.113.5:0"},
		{"client's entries first", map[string][]string{
			"X-Forwarded-For": {"198.51.100.7, 10.0.0.1, 203.0.113.5"}}, "203.0.113.5:0"},
		{"several header lines", map[string][]string{
			"X-Forwarded-For": {"198.51.100.7", "203.0.113.5"}}, "203.0.113.5:0"},
		{"X-Real-IP ignored", map[string][]string{
			"X-Real-IP": {"198.51.100.7"}, "True-Client-IP": {"198.51.100.8"}}, "192.0.2.1:1234"},
		{"not an address", map[string][]string{"X-Forwarded-For": {"unknown"}}, "192.0.2.1:1234"},
		{"IPv6", map[string][]string{"X-Forwarded-For": {"2001:db8::1"}}, "[2001:db8::1]:0"},
	}
	for _, tt := range tests {
		var got string
		h := forwardedFor(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			got = r.RemoteAddr
		}))
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = "192.0.2.1:1234"
		for k, vs := range tt.headers {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
		if got != tt.want {
			t.Errorf("%s: RemoteAddr %q, want %q", tt.name, got, tt.want)
		}
	}
}
