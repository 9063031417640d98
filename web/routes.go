package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// Routes registers every page of the portal on r except the organisation
// and post pages, which cmd mounts itself to share their addresses with
// ActivityStreams (see [Server.ServeActorPage] and [Server.ServePostPage]).
// It adds its middleware in a group, so r may already hold routes.
func (s *Server) Routes(r chi.Router) {
	// Assets, with no session to look up.
	r.Get("/static/*", s.serveStatic)
	r.Get("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	r.Get("/media/{file}", s.serveMedia)

	r.Group(func(r chi.Router) {
		r.Use(s.checkPath, s.identify)

		// Public pages.
		r.Get("/", s.showHome)
		r.Get("/annuaire", s.showDirectory)
		r.Get("/agenda", s.showAgenda)
		r.Get("/actualites", s.showNews)
		r.Get("/reseau", s.showNetwork)
		r.Get("/charte", s.showCharter)

		// Signing in and out.
		r.Get("/connexion", s.showLogin)
		r.With(s.checkCSRF).Post("/connexion", s.submitLogin)
		r.With(s.checkCSRF).Post("/deconnexion", s.submitLogout)

		// Editors' workspace, committees' and admins' pages: a visitor who is
		// not signed in is sent to the login page before any token is checked.
		r.Group(func(r chi.Router) {
			r.Use(s.requireUser, s.checkCSRF)
			r.Get("/espace", s.showWorkspace)
			r.Get("/espace/{name}", s.showWorkspaceOrg)
			r.Get("/espace/{name}/nouveau", s.newPost)
			r.Post("/espace/{name}/nouveau", s.createPost)
			r.Get("/espace/{name}/{id}/modifier", s.editPost)
			r.Post("/espace/{name}/{id}/modifier", s.updatePost)
			r.Get("/espace/{name}/{id}/supprimer", s.confirmDelete)
			r.Post("/espace/{name}/{id}/supprimer", s.deletePost)

			// Editorial committee.
			r.Get("/comite", s.showCommittee)
			r.Post("/comite", s.decideCommittee)

			// Moderation of reports, for admins.
			r.Get("/moderation", s.showModeration)
			r.Post("/moderation/{id}/resoudre", s.resolveReport)
			r.Get("/moderation/{id}/supprimer/{post}", s.confirmReportedDelete)
			r.Post("/moderation/{id}/supprimer/{post}", s.deleteReported)
		})
	})
}

// ServeActorPage serves GET /@{name}: the page of a local organisation, or
// of the portal's own actor, for people.
func (s *Server) ServeActorPage(w http.ResponseWriter, r *http.Request) {
	s.page(s.showActor).ServeHTTP(w, r)
}

// ServePostPage serves GET /@{name}/{id}: a local post's page for people,
// or 410 Gone once the post is deleted.
func (s *Server) ServePostPage(w http.ResponseWriter, r *http.Request) {
	s.page(s.showPost).ServeHTTP(w, r)
}

// NotFound serves the portal's 404 page, for cmd to use as its router's
// NotFound handler.
func (s *Server) NotFound(w http.ResponseWriter, r *http.Request) {
	s.page(func(w http.ResponseWriter, r *http.Request) {
		s.serveError(w, r, http.StatusNotFound, nil)
	}).ServeHTTP(w, r)
}

// page wraps a page that cmd mounts: an address no page has is refused
// first, then the visitor is identified.
func (s *Server) page(h http.HandlerFunc) http.Handler {
	return s.checkPath(s.identify(h))
}
