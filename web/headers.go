package web

import "net/http"

// contentSecurityPolicy lets pages load only the portal's own stylesheet,
// images from the portal and from https (remote posts' pictures), and no
// script, plugin, frame or form target elsewhere.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' https: data:; " +
	"style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; " +
	"form-action 'self'; frame-ancestors 'none'"

// SecurityHeaders sets the portal's security headers on every response
// before calling next: a content security policy, no MIME sniffing, a
// referrer kept to the origin across sites, and no framing.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
