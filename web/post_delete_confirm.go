package web

import (
	"net/http"
	"strconv"

	"github.com/ess-lyon/portal/timeline"
)

// deleteView is the page that confirms a deletion: the post, where the
// confirmation goes, and where cancelling goes back to.
type deleteView struct {
	Post   *timeline.Post
	Action string
	Back   string
}

// confirmDelete asks before deleting a post: the deletion reaches every
// follower's server and cannot be undone, so it takes a second, deliberate
// step (and needs no script).
func (s *Server) confirmDelete(w http.ResponseWriter, r *http.Request) {
	org, p, err := s.editablePost(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	action := "/espace/" + org.Username + "/" + strconv.FormatInt(p.ID, 10) + "/supprimer"
	s.render(w, r, http.StatusOK, "delete", tr(visitorFrom(r).lang, "delete.heading"),
		deleteView{Post: p, Action: action, Back: "/espace"})
}
