package main

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ess-lyon/portal/timeline"
)

// adminLogin is the moderator's login in the browser scenarios.
const adminLogin = "alex@moderation.test"

// networkAndModeration: a post of an account an organisation follows shows
// on "Le réseau", and a report another server sent about the seeded event
// shows on the admin's moderation page, which can resolve it.
func networkAndModeration(t *testing.T, b *browser, s *browserSite) {
	ctx := context.Background()
	store := timeline.New(s.in.db)
	org, err := store.LocalActor(ctx, orgName)
	if err != nil {
		t.Fatal(err)
	}
	claire := &timeline.Actor{URI: "https://mastodon.example/users/claire", Username: "claire",
		Domain: "mastodon.example", Kind: timeline.KindPerson, Name: "Claire <b>Dupont</b>",
		URL: "https://mastodon.example/@claire"}
	if err := store.UpsertRemoteActor(ctx, claire); err != nil {
		t.Fatal(err)
	}
	_, err = s.in.db.ExecContext(ctx, `INSERT INTO ap_follows
		(follower_id, followee_id, uri, accepted, created_at) VALUES (?, ?, ?, ?, ?)`,
		org.ID, claire.ID, "http://"+s.in.domain+"/follows/claire", true, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	note := &timeline.Post{URI: "https://mastodon.example/users/claire/statuses/1",
		ActorID: claire.ID, Kind: timeline.Note, URL: "https://mastodon.example/@claire/1",
		BodyHTML: "<p>Les jardins partagés de la Croix-Rousse cherchent des bras samedi." +
			"<script>alert(1)</script></p>"}
	if err := store.UpsertRemotePost(ctx, note); err != nil {
		t.Fatal(err)
	}

	tb := b.newTab(t)
	check(t, "status of /reseau", tb.open("/reseau"), http.StatusOK)
	checkHas(t, "network", tb.texts(".remote-post .body"),
		"Les jardins partagés de la Croix-Rousse cherchent des bras samedi.", true)
	checkHas(t, "author shown as text", tb.texts(".remote-post .meta"),
		"Claire <b>Dupont</b>", false)
	tb.screenshot("network")

	eventID, err := strconv.ParseInt(lastSegment(s.eventPath), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	report := &timeline.Report{URI: "https://mastodon.example/reports/1", ReporterURI: claire.URI,
		Comment: "Cet événement est une publicité déguisée.",
		Posts:   []*timeline.ReportedPost{{PostID: eventID}}}
	if err := store.CreateReport(ctx, report); err != nil {
		t.Fatal(err)
	}
	s.in.run("user", "create", "--login", adminLogin, "--name", "Alex Moreau", "--admin")
	admin := b.newTab(t)
	admin.login(adminLogin, s.password)
	check(t, "status of /moderation", admin.open("/moderation"), http.StatusOK)
	checkHas(t, "report comment", admin.texts(".report-comment"),
		"Cet événement est une publicité déguisée.", true)
	admin.screenshot("moderation")

	id := strconv.FormatInt(report.ID, 10)
	admin.typeIn(`form[action="/moderation/`+id+`/resoudre"] textarea`,
		"Vérifié : un vrai atelier, ouvert à tous.")
	check(t, "status after resolving",
		admin.follow(`form[action="/moderation/`+id+`/resoudre"] button[type=submit]`), http.StatusOK)
	check(t, "open reports", s.in.count("SELECT count(*) FROM reports WHERE state = 'open'"), 0)
	if text := strings.Join(admin.texts("main"), " "); !strings.Contains(text, "un vrai atelier") {
		t.Errorf("the resolved report's note is not shown:\n%s", text)
	}
}
