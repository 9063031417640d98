package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/ess-lyon/portal/timeline"
	"github.com/ess-lyon/portal/timeline/markup"
)

// funcs are the template functions, bound to a language.
func funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":         func(key string) string { return tr(lang, key) },
		"tf":        func(key string, a ...any) string { return fmt.Sprintf(tr(lang, key), a...) },
		"tn":        func(key string, n int) string { return plural(lang, key, n) },
		"date":      func(t time.Time) string { return timeline.FormatDate(t.In(paris), lang) },
		"clock":     func(t time.Time) string { return timeline.FormatClock(t.In(paris), lang) },
		"when":      func(p *timeline.Post) string { return p.When(lang) },
		"where":     func(p *timeline.Post) string { return p.Where(lang) },
		"legalForm": func(code string) string { return legalFormLabel(lang, code) },
		"iso":       isoTime,
		"postURL":   postURL,
		"actorURL":  actorURL,
		"postTitle": postTitle,
		"excerpt":   excerpt,
		"body":      postBody,
		"card":      card,
		"paras":     paragraphs,
		"zones":     timeZones,
	}
}

// paris is the zone publication dates are shown in.
var paris = func() *time.Location {
	loc, err := time.LoadLocation(timeline.DefaultTimeZone)
	if err != nil {
		panic(err) // time/tzdata is embedded: the zone is always there
	}
	return loc
}()

// isoTime is the value of a <time datetime> attribute.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// postPath is the address of a local post's page.
func postPath(username string, id int64) string {
	return "/@" + username + "/" + strconv.FormatInt(id, 10)
}

// postURL links to a post: its page here if local, its page on its own
// server otherwise.
func postURL(p *timeline.Post) string {
	switch {
	case p.Local && p.Actor != nil:
		return postPath(p.Actor.Username, p.ID)
	case p.URL != "":
		return p.URL
	}
	return p.URI
}

// actorURL links to an actor's page, here or on its own server.
func actorURL(a *timeline.Actor) string {
	switch {
	case a == nil:
		return ""
	case a.Local:
		return "/@" + a.Username
	case a.URL != "":
		return a.URL
	}
	return a.URI
}

// postTitle is a post's title, or the start of its text for untitled notes.
func postTitle(p *timeline.Post) string {
	if p.Title != "" {
		return p.Title
	}
	return markup.PlainText(p.BodyHTML, 80)
}

// excerpt is the text shown for a post in a list: its summary, or the start
// of its body.
func excerpt(p *timeline.Post) string {
	if strings.TrimSpace(p.Summary) != "" {
		return markup.PlainText(markup.Escape(p.Summary), 280)
	}
	return markup.PlainText(p.BodyHTML, 280)
}

// postBody marks a post's body as safe HTML: timeline renders and sanitizes
// BodyHTML with markup's single policy before storing it, for local and
// remote posts alike.
func postBody(p *timeline.Post) template.HTML {
	return template.HTML(p.BodyHTML) // #nosec G203 -- sanitized by timeline/markup
}

// cardView is a post in a list, under a heading of the given level.
type cardView struct {
	Post  *timeline.Post
	Level int
}

// card lets a list template choose its items' heading level.
func card(p *timeline.Post, level int) cardView { return cardView{Post: p, Level: level} }

// paragraphs splits plain text on blank lines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// eventZones are the time zones the event form offers: metropolitan France
// first, then its overseas departments and neighbours, where partner
// organisations hold events too.
var eventZones = []string{
	"Europe/Paris", "Europe/Brussels", "Europe/Zurich", "Europe/Luxembourg",
	"Europe/London", "America/Guadeloupe", "America/Martinique", "America/Cayenne",
	"Indian/Reunion", "Indian/Mayotte", "Pacific/Noumea", "Pacific/Tahiti", "UTC",
}

// timeZones lists the offered zones, with current first when it is not
// one of them (an event imported with another zone keeps it).
func timeZones(current string) []string {
	for _, z := range eventZones {
		if z == current {
			return eventZones
		}
	}
	if current == "" {
		return eventZones
	}
	return append([]string{current}, eventZones...)
}
