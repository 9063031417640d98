package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ess-lyon/portal/charter"
	"github.com/ess-lyon/portal/timeline"
)

// decideCommittee records a committee member's decision to feature or
// unfeature a post, citing charter articles, or shows the page again, 422,
// with why it was refused.
func (s *Server) decideCommittee(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	if !isCommittee(user) {
		s.serveError(w, r, http.StatusForbidden, nil)
		return
	}
	d, err := readDecision(r)
	if errors.Is(err, errBadDecision) {
		s.serveError(w, r, http.StatusBadRequest, err)
		return
	}
	if err == nil {
		err = s.committee.Decide(r.Context(), user, d)
	}
	if key := refusal(d, err); key != "" {
		s.refuseDecision(w, r, d.PostID, key)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/comite?fait=1", http.StatusSeeOther)
}

// errBadDecision is a decision form naming no decision the committee takes:
// no form of the portal sends one, so it is refused rather than guessed.
var errBadDecision = errors.New("web: unknown decision")

// readDecision reads a decision form: the post, feature or unfeature, the
// articles ticked and the reason.
func readDecision(r *http.Request) (*charter.Decision, error) {
	id, err := strconv.ParseInt(r.PostFormValue("post_id"), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("post %q: %w", r.PostFormValue("post_id"), timeline.ErrNotFound)
	}
	kind := charter.Kind(r.PostFormValue("decision"))
	if kind != charter.Feature && kind != charter.Unfeature {
		return nil, fmt.Errorf("%w %q", errBadDecision, kind)
	}
	return &charter.Decision{
		Kind: kind, PostID: id, Articles: strings.Join(r.PostForm["articles"], ","),
		Reason: strings.TrimSpace(r.PostFormValue("reason")),
	}, nil
}

// refusal returns the catalogue key explaining why a decision was refused
// for a reason the member can fix, or "" for success and other errors.
func refusal(d *charter.Decision, err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, charter.ErrNoArticle):
		return "committee.no_article"
	case errors.Is(err, charter.ErrBadArticle):
		return "committee.bad_article"
	case errors.Is(err, timeline.ErrExists):
		return "committee.already"
	case d != nil && d.Kind == charter.Unfeature && errors.Is(err, timeline.ErrNotFound):
		return "committee.not_featured"
	}
	return ""
}

// refuseDecision shows the committee page again with the refusal beside
// the post's form.
func (s *Server) refuseDecision(w http.ResponseWriter, r *http.Request, postID int64, key string) {
	lang := visitorFrom(r).lang
	view, err := s.loadCommittee(r.Context(), lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view.attachError(postID, tr(lang, key))
	s.renderCommittee(w, r, http.StatusUnprocessableEntity, view)
}
