package web

import "net/http"

// showCharter serves the charter, each article under the anchor
// #article-N that committee decisions can link to.
func (s *Server) showCharter(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "charter", s.charter.Title, s.charter)
}
