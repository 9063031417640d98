package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestBrowserLocalTrial follows the README on a new machine: the portal on
// its defaults (https identifiers for a domain not yet set up, Secure
// cookies), opened at the address serve listens on. Logging in must work.
func TestBrowserLocalTrial(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a portal and a browser")
	}
	chrome := chromiumPath(t)
	in := newInstance(t, portalBinary(t), "127.0.0.1", "sqlite", "")
	port := in.domain[strings.LastIndex(in.domain, ":")+1:]
	// As on a new machine: no insecure federation, the default domain.
	in.env = append(in.env, "PORTAL_INSECURE_FEDERATION=0", "PORTAL_DOMAIN=localhost:"+port)
	in.domain = "localhost:" + port
	in.run("actor", "create", "--username", "repair-cafe", "--name", "Repair Café")
	in.run("user", "create", "--login", "camille@example.org", "--actor", "repair-cafe")
	in.serve()

	b := startBrowser(t, chrome, "http://127.0.0.1:"+port)
	tb := b.newTab(t)
	if status := tb.login("camille@example.org", envValue(in.env, "PORTAL_PASSWORD")); status !=
		http.StatusOK {
		t.Fatalf("login answered %d", status)
	}
	check(t, "page after login", tb.path(), "/espace")
	check(t, "workspace heading", tb.text("main h1"), "Mon espace")
}
