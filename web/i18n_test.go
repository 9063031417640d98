package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

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

// TestReasonsTranslated: the reasons the domain gives for refusing what an
// editor wrote are shown in the page's language, values included.
func TestReasonsTranslated(t *testing.T) {
	tests := []struct{ field, why, fr, en string }{
		{"title", "required", "Titre\u00a0: obligatoire", "Title: required"},
		{"title", "at most 200 characters", "Titre\u00a0: 200 caractères au plus",
			"Title: at most 200 characters"},
		{"summary", "at most 2000 characters", "Chapô\u00a0: 2000 caractères au plus",
			"Lead: at most 2000 characters"},
		{"body", "at most 50000 bytes", "Texte\u00a0: 50000 octets au plus",
			"Text: at most 50000 bytes"},
		{"ends_at", "before the start", "Fin\u00a0: avant le début", "End: before the start"},
		{"starts_at", "year out of range (1970 to 2200)",
			"Début\u00a0: année hors limites (de 1970 à 2200)",
			"Start: year out of range (1970 to 2200)"},
		{"time_zone", "unknown zone Etc/GMT+5", "Fuseau horaire\u00a0: fuseau Etc/GMT+5 inconnu",
			"Time zone: unknown zone Etc/GMT+5"},
		{"online_url", "must be an http or https address",
			"Lien en ligne\u00a0: doit être une adresse http ou https",
			"Online link: must be an http or https address"},
		{"image", "must be an http(s) address or a /media/ path",
			"Image\u00a0: doit être une adresse http(s) ou un chemin /media/",
			"Image: must be an http(s) address or a /media/ path"},
		{"title", "contains a NUL character", "Titre\u00a0: contient un caractère NUL",
			"Title: contains a NUL character"},
		{"place_name", "a place or an online link is required",
			"Nom du lieu\u00a0: un lieu ou un lien en ligne est nécessaire",
			"Place name: a place or an online link is required"},
		{"title", "a reason nobody translated 42", "Titre\u00a0: a reason nobody translated 42",
			"Title: a reason nobody translated 42"},
	}
	for _, tt := range tests {
		err := fmt.Errorf("saving: %w", &timeline.FieldError{Field: tt.field, Why: tt.why})
		if got := fieldMessage("fr", err); got != tt.fr {
			t.Errorf("%s %q in French: %q, want %q", tt.field, tt.why, got, tt.fr)
		}
		if got := fieldMessage("en", err); got != tt.en {
			t.Errorf("%s %q in English: %q, want %q", tt.field, tt.why, got, tt.en)
		}
	}
}

// TestDomainReasonsInFrench asks the domain itself why it refuses what an
// editor or an administrator may write, and checks that the catalogue
// translates every reason it gives.
func TestDomainReasonsInFrench(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	ctx := context.Background()
	store := timeline.New(db)
	org := &timeline.Actor{Username: "cafe", Name: "Café"}
	if err := store.CreateLocalActor(ctx, org); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 12, 13, 0, 0, 0, time.UTC)
	news := func(edit func(*timeline.Post)) func() error {
		p := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Titre"}
		edit(p)
		return func() error { return store.CreatePost(ctx, p) }
	}
	event := func(edit func(*timeline.Post)) func() error {
		return news(func(p *timeline.Post) {
			p.Kind, p.StartsAt, p.PlaceName = timeline.Event, start, "Ici"
			edit(p)
		})
	}
	actor := func(edit func(*timeline.Actor)) func() error {
		a := &timeline.Actor{Username: "asso", Name: "Asso"}
		edit(a)
		return func() error { return store.CreateLocalActor(ctx, a) }
	}
	long := func(n int) string { return strings.Repeat("é", n+1) }
	tries := map[string]func() error{
		"kind":         news(func(p *timeline.Post) { p.Kind = "poème" }),
		"no title":     news(func(p *timeline.Post) { p.Title = " " }),
		"long title":   news(func(p *timeline.Post) { p.Title = long(timeline.MaxTitle) }),
		"long body":    news(func(p *timeline.Post) { p.BodyMarkdown = long(timeline.MaxBody) }),
		"long summary": news(func(p *timeline.Post) { p.Summary = long(timeline.MaxSummary) }),
		"long alt":     news(func(p *timeline.Post) { p.ImageAlt = long(timeline.MaxAlt) }),
		"image":        news(func(p *timeline.Post) { p.ImageURL = "ftp://x.example/a.png" }),
		"NUL":          news(func(p *timeline.Post) { p.Title = "a\x00b" }),
		"no start":     event(func(p *timeline.Post) { p.StartsAt = time.Time{} }),
		"year":         event(func(p *timeline.Post) { p.StartsAt = start.AddDate(-100, 0, 0) }),
		"end":          event(func(p *timeline.Post) { p.EndsAt = start.Add(-time.Hour) }),
		"zone":         event(func(p *timeline.Post) { p.TimeZone = "Mars/Olympus" }),
		"online":       event(func(p *timeline.Post) { p.OnlineURL = "ftp://x.example" }),
		"no place":     event(func(p *timeline.Post) { p.PlaceName = "" }),
		"username":     actor(func(a *timeline.Actor) { a.Username = "A B" }),
		"reserved":     actor(func(a *timeline.Actor) { a.Username = "admin" }),
		"no name":      actor(func(a *timeline.Actor) { a.Name = "" }),
		"legal form":   actor(func(a *timeline.Actor) { a.LegalForm = "sarl" }),
		"website":      actor(func(a *timeline.Actor) { a.Website = "ftp://x.example" }),
		"no login": func() error {
			return store.CreateUser(ctx, &timeline.User{Login: " "}, testPassword)
		},
		"short password": func() error {
			return store.CreateUser(ctx, &timeline.User{Login: "bob"}, "court")
		},
		"role": func() error { return store.Grant(ctx, 1, org.ID, "chef") },
	}
	for name, try := range tries {
		var fe *timeline.FieldError
		if err := try(); !errors.As(err, &fe) {
			t.Errorf("%s: got %v, want a timeline.FieldError", name, err)
			continue
		}
		if got := fieldMessage("fr", fe); strings.HasSuffix(got, fe.Why) ||
			strings.HasPrefix(got, fe.Field) {
			t.Errorf("%s: %q is not translated into French", name, got)
		}
		if got := fieldMessage("en", fe); strings.Contains(got, "%") {
			t.Errorf("%s: reason %q gives %q in English", name, fe.Why, got)
		}
	}
}
