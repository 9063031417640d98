package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/ess-lyon/portal/timeline"
)

// templateFS holds the layout, the partials every page shares, and one file
// per page that defines its "content".
//
//go:embed templates
var templateFS embed.FS

// page is what every template receives: what the layout needs, and the
// page's own Data.
type page struct {
	Lang       string
	Title      string
	Section    string // the page's name, to mark its entry in the navigation
	User       *timeline.User
	CSRF       string    // the session's token, for the logout form
	Nav        []navItem // the site's sections
	AccountNav []navItem // the visitor's pages
	Langs      []langLink
	Data       any
}

// parseTemplates parses every page of fsys once per language, with the
// message catalogue of that language bound to the "t" function.
func parseTemplates(fsys fs.FS) (map[string]map[string]*template.Template, error) {
	files, err := fs.Glob(fsys, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("listing templates: %w", err)
	}
	if len(files) == 0 {
		return nil, errors.New("web: no page templates")
	}
	out := make(map[string]map[string]*template.Template)
	for _, lang := range langs {
		out[lang] = make(map[string]*template.Template)
		for _, file := range files {
			name := strings.TrimSuffix(path.Base(file), ".html")
			t, err := template.New(name).Funcs(funcs(lang)).ParseFS(fsys,
				"templates/layout.html", "templates/partials.html", file)
			if err != nil {
				return nil, fmt.Errorf("parsing template %s: %w", name, err)
			}
			if t.Lookup("content") == nil {
				return nil, fmt.Errorf("template %s defines no content", name)
			}
			out[lang][name] = t
		}
	}
	return out, nil
}

// render writes the page name with the layout, or the error page if it
// fails: it is executed to a buffer first, so a failure never sends half a
// page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name,
	title string, data any) {
	v := visitorFrom(r)
	p := &page{Lang: v.lang, Title: title, Section: name, Langs: langLinks(r, v.lang), Data: data}
	p.Nav, p.AccountNav = navigation(v.lang, name, v.user)
	if v.user != nil {
		p.User, p.CSRF = v.user, v.session.CSRFToken
	}

	var buf bytes.Buffer
	err := fmt.Errorf("no template %s", name)
	if t := s.pages[v.lang][name]; t != nil {
		err = t.ExecuteTemplate(&buf, "layout", p)
	}
	if err != nil && name == "error" {
		s.log.Error("rendering error page", "status", status, "error", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	if err != nil {
		err = fmt.Errorf("rendering %s: %w", name, err)
		s.serveError(w, r, http.StatusInternalServerError, err)
		return
	}

	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "Cookie") // the language and the account change the page
	if v.user != nil {
		h.Set("Cache-Control", "private, no-store") // it holds the session's form token
	}
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // a failed write means the visitor left
}
