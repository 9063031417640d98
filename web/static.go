package web

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/go-chi/chi/v5"
)

// staticFS holds the stylesheet; the portal needs no script.
//
//go:embed static
var staticFS embed.FS

// staticModTime lets browsers revalidate assets with If-Modified-Since; the
// files change only with the binary.
var staticModTime = time.Now()

// serveStatic serves a file of the embedded static folder, never a listing.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := path.Join("static", chi.URLParam(r, "*"))
	data, err := fs.ReadFile(staticFS, name)
	if err != nil {
		s.serveError(w, r, http.StatusNotFound, nil)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, name, staticModTime, bytes.NewReader(data))
}
