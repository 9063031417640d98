package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/ess-lyon/portal/timeline"
)

// confirmReportedDelete asks an admin before deleting a reported post, on
// the page editors confirm their own deletions with: it cannot be undone
// either.
func (s *Server) confirmReportedDelete(w http.ResponseWriter, r *http.Request) {
	rep, p, err := s.reportedPost(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	action := "/moderation/" + strconv.FormatInt(rep.ID, 10) + "/supprimer/" +
		strconv.FormatInt(p.ID, 10)
	s.render(w, r, http.StatusOK, "delete", tr(visitorFrom(r).lang, "delete.heading"),
		deleteView{Post: p, Action: action, Back: "/moderation"})
}

// deleteReported deletes a reported post the way its editors would, image
// included, and goes back to the moderation page; the report stays open
// until an admin resolves it with a note.
func (s *Server) deleteReported(w http.ResponseWriter, r *http.Request) {
	_, p, err := s.reportedPost(r)
	if err == nil {
		err = s.removePost(r.Context(), p)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/moderation?fait=supprime", http.StatusSeeOther)
}

// reportedPost returns the report and the post named in the URL if the
// user is an admin and the report names that live local post: the
// moderation pages delete what was reported, not any post by its number.
func (s *Server) reportedPost(r *http.Request) (*timeline.Report, *timeline.Post, error) {
	if !isAdmin(currentUser(r)) {
		return nil, nil, fmt.Errorf("moderation: %w", timeline.ErrForbidden)
	}
	id, err := parseReportID(chi.URLParam(r, "id"))
	if err != nil {
		return nil, nil, err
	}
	postID, err := parsePostID(chi.URLParam(r, "post"))
	if err != nil {
		return nil, nil, err
	}
	rep, err := s.posts.Report(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	for _, rp := range rep.Posts {
		if rp.PostID == postID && rp.Post != nil && rp.Post.Local && !rp.Post.Deleted() {
			return rep, rp.Post, nil
		}
	}
	return nil, nil, fmt.Errorf("post %d of report %d: %w", postID, id, timeline.ErrNotFound)
}
