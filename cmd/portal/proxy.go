package main

import (
	"net"
	"net/http"
	"strings"
)

// forwardedFor takes the client's address from the last X-Forwarded-For
// entry, the one the reverse proxy in front of the portal appended. The
// entries before it are whatever the client sent, so trusting the first
// (or X-Real-IP, which a client can send too) would let anyone choose the
// address the login limits count. A portal behind two proxies would want
// the second-to-last: not supported, named in the README.
func forwardedFor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values := r.Header.Values("X-Forwarded-For")
		if len(values) > 0 {
			list := strings.Split(values[len(values)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(list[len(list)-1])); ip != nil {
				r.RemoteAddr = net.JoinHostPort(ip.String(), "0")
			}
		}
		next.ServeHTTP(w, r)
	})
}
