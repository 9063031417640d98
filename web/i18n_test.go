package web

import (
	"context"
	"io/fs"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

func TestEnglishSwitch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p := newPortal(t, db)
		p.user("alice", nil)
		c := p.client()

		fr := c.get("/")
		indexOf(t, fr.body, `<html lang="fr">`)
		indexOf(t, fr.body, "Prochains événements")
		indexOf(t, fr.body, `<a href="/?lang=en" lang="en" hreflang="en">English</a>`)

		en := c.get("/?lang=en")
		wantStatus(t, "English homepage", en, http.StatusOK)
		if ck := cookieNamed(en, langCookie); ck == nil || ck.Value != "en" {
			t.Errorf("switching sets cookie %v, want lang=en", ck)
		}
		for _, path := range []string{"/", "/agenda", "/connexion", "/nulle-part"} {
			body := c.get(path).body // the cookie keeps English
			indexOf(t, body, `<html lang="en">`)
			if strings.Contains(body, "Aller au contenu") {
				t.Errorf("%s still has French labels", path)
			}
		}
		indexOf(t, c.get("/").body, "Coming events")
		indexOf(t, c.get("/connexion").body, `<label for="password">Password</label>`)
		indexOf(t, c.get("/nulle-part").body, "Page not found")

		// Signed in, the choice is kept with the session too.
		c.login("alice")
		c.get("/?lang=fr")
		var sess session
		if err := db.NewSelect().Model(&sess).Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		if sess.Lang != "fr" {
			t.Errorf("session language %q, want fr", sess.Lang)
		}
		indexOf(t, c.get("/espace").body, "Mon espace")
	})
}

// TestCatalogue checks that both languages have every message, and that
// every message the templates use exists.
func TestCatalogue(t *testing.T) {
	for key := range catalogue["fr"] {
		if _, ok := catalogue["en"][key]; !ok {
			t.Errorf("English lacks %q", key)
		}
	}
	for key := range catalogue["en"] {
		if _, ok := catalogue["fr"][key]; !ok {
			t.Errorf("French lacks %q", key)
		}
	}

	used := regexp.MustCompile(`\{\{-?\s*(?:t|tf)\s+"([^"]+)"`)
	plural := regexp.MustCompile(`\{\{-?\s*tn\s+"([^"]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(templateFS, path)
		if err != nil {
			return err
		}
		var keys []string
		for _, m := range used.FindAllStringSubmatch(string(src), -1) {
			keys = append(keys, m[1])
		}
		for _, m := range plural.FindAllStringSubmatch(string(src), -1) {
			keys = append(keys, m[1]+".one", m[1]+".other")
		}
		for _, k := range keys {
			if _, ok := catalogue["fr"][k]; !ok {
				t.Errorf("%s uses missing message %q", path, k)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var want []string
	for status := range errorStatuses {
		want = append(want, "error."+strconv.Itoa(status)+".title",
			"error."+strconv.Itoa(status)+".text")
	}
	for _, form := range timeline.LegalForms {
		want = append(want, "legal."+form)
	}
	sort.Strings(want)
	for _, k := range want {
		if _, ok := catalogue["fr"][k]; !ok {
			t.Errorf("catalogue lacks %q", k)
		}
	}
}

// TestBrokenTemplateStopsStart checks that a template that does not parse
// is an error at start-up, not on a visitor's page.
func TestBrokenTemplateStopsStart(t *testing.T) {
	good, err := fs.ReadFile(templateFS, "templates/layout.html")
	if err != nil {
		t.Fatal(err)
	}
	partials, err := fs.ReadFile(templateFS, "templates/partials.html")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, page string
	}{
		{"unclosed action", `{{define "content"}}{{if .Data}}{{end}}`},
		{"unknown function", `{{define "content"}}{{nosuchfunc .}}{{end}}`},
		{"no content", `<p>hello</p>`},
	}
	for _, tt := range tests {
		fsys := fstest.MapFS{
			"templates/layout.html":     {Data: good},
			"templates/partials.html":   {Data: partials},
			"templates/pages/page.html": {Data: []byte(tt.page)},
		}
		if _, err := parseTemplates(fsys); err == nil {
			t.Errorf("%s: parsed without error", tt.name)
		}
	}
	if _, err := parseTemplates(templateFS); err != nil {
		t.Errorf("the embedded templates: %v", err)
	}
}
