package web

import (
	"net/http"

	"github.com/ess-lyon/portal/timeline"
)

// navItem is an entry of a navigation.
type navItem struct {
	Href, Label string
	Current     bool
}

// navEntry is a page of a navigation, with its section and message key.
type navEntry struct{ href, section, key string }

// mainNav lists the site's sections, in the menu's order.
var mainNav = []navEntry{
	{"/", "home", "nav.home"}, {"/agenda", "agenda", "nav.agenda"},
	{"/actualites", "news", "nav.news"}, {"/reseau", "network", "nav.network"},
	{"/annuaire", "directory", "nav.directory"}, {"/charte", "charter", "nav.charter"},
}

// navigation builds the menus for a page of section, in lang, for user
// (nil when not signed in).
func navigation(lang, section string, user *timeline.User) (main, account []navItem) {
	items := func(entries ...navEntry) []navItem {
		out := make([]navItem, len(entries))
		for i, e := range entries {
			out[i] = navItem{Href: e.href, Label: tr(lang, e.key), Current: e.section == section}
		}
		return out
	}
	if user == nil {
		return items(mainNav...), items(navEntry{"/connexion", "login", "nav.login"})
	}
	mine := []navEntry{{"/espace", "workspace", "nav.workspace"}}
	if isCommittee(user) {
		mine = append(mine, navEntry{"/comite", "committee", "nav.committee"})
	}
	if isAdmin(user) {
		mine = append(mine, navEntry{"/moderation", "moderation", "nav.moderation"})
	}
	return items(mainNav...), items(mine...)
}

// langLink is an entry of the language switch.
type langLink struct {
	Code, Name, URL string
	Current         bool
}

// langLinks builds the language switch: the current address with ?lang=.
func langLinks(r *http.Request, current string) []langLink {
	var out []langLink
	for _, code := range langs {
		q := r.URL.Query()
		q.Set("lang", code)
		out = append(out, langLink{Code: code, Name: langNames[code],
			URL: r.URL.Path + "?" + q.Encode(), Current: code == current})
	}
	return out
}
