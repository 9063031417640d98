package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

// editor returns a portal with organisation "cafe" and a client signed in
// as its editor, with the session's form token.
func editor(t *testing.T, db *bun.DB) (*portal, *timeline.Actor, *client, string) {
	t.Helper()
	p := newPortal(t, db)
	org := p.org("cafe")
	u := p.user("alice", nil)
	p.grant(u, org, timeline.Editor)
	c := p.client()
	return p, org, c, c.login("alice")
}

// createdID reads the new post's id from the redirect to its page.
func createdID(t *testing.T, res *response, org string) int64 {
	t.Helper()
	wantStatus(t, "create", res, http.StatusSeeOther)
	loc := res.header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/@"+org+"/"), 10, 64)
	if err != nil {
		t.Fatalf("create redirects to %q, not to the post's page", loc)
	}
	return id
}

var (
	imgRE       = regexp.MustCompile(`<img src="([^"]+)" alt="Un vélo rouge">`)
	mediaPathRE = regexp.MustCompile(`^/media/[0-9a-f]{32}\.png$`)
)

func TestCreateNewsWithImage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p, _, c, token := editor(t, db)
		form := url.Values{csrfField: {token}, "type": {"news"}, "title": {"Le café rouvre"},
			"summary": {"Après travaux."}, "body": {"Venez *nombreux*."},
			"image_alt": {"Un vélo rouge"}}
		res := c.postMultipart("/espace/cafe/nouveau", form,
			&upload{field: "image", name: "velo.png", data: pngImage(t)})
		id := createdID(t, res, "cafe")

		page := c.get(postPath("cafe", id))
		wantStatus(t, "post page", page, http.StatusOK)
		indexOf(t, page.body, "<h1>Le café rouvre</h1>")
		indexOf(t, page.body, "<em>nombreux</em>")
		m := imgRE.FindStringSubmatch(page.body)
		if m == nil || !mediaPathRE.MatchString(m[1]) {
			t.Fatalf("post page has no uploaded image:\n%s", excerptOf(page.body))
		}
		// The portal's own address may change: the post keeps only the path.
		if got := p.reload(&timeline.Post{ID: id}).ImageURL; got != m[1] {
			t.Errorf("image stored as %q, want the path %q", got, m[1])
		}
		img := c.get(m[1])
		wantStatus(t, "image", img, http.StatusOK)
		if ct := img.header.Get("Content-Type"); ct != "image/png" {
			t.Errorf("image served as %q, want image/png", ct)
		}
		if img.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Error("image served without nosniff")
		}
		if img.body != string(pngImage(t)) {
			t.Error("image served differs from the upload")
		}

		home := c.get("/")
		indexOf(t, home.body, `href="`+postPath("cafe", id)+`">Le café rouvre</a>`)
	})
}

func TestCreateEventInParisTime(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p, _, c, token := editor(t, db)
		form := url.Values{csrfField: {token}, "type": {"event"}, "title": {"Repair café"},
			"body": {"Apportez vos objets."}, "start_date": {"2026-12-12"},
			"start_time": {"14:00"}, "end_date": {"2026-12-12"}, "end_time": {"17:30"},
			"time_zone": {"Europe/Paris"}, "place_name": {"La Maison"},
			"street_address": {"3 rue Paul Bert"}, "postal_code": {"69003"}, "locality": {"Lyon"}}
		id := createdID(t, c.postMultipart("/espace/cafe/nouveau", form, nil), "cafe")

		got, err := p.posts.Post(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 12, 12, 13, 0, 0, 0, time.UTC); !got.StartsAt.Equal(want) {
			t.Errorf("starts at %v, want %v (14:00 in Paris in winter)", got.StartsAt, want)
		}
		if want := time.Date(2026, 12, 12, 16, 30, 0, 0, time.UTC); !got.EndsAt.Equal(want) {
			t.Errorf("ends at %v, want %v", got.EndsAt, want)
		}

		page := c.get(postPath("cafe", id))
		wantStatus(t, "event page", page, http.StatusOK)
		indexOf(t, page.body, `<time datetime="2026-12-12T13:00:00Z">samedi 12 décembre 2026, `+
			"14\u00a0h\u00a000\u00a0– 17\u00a0h\u00a030</time>")
		indexOf(t, page.body, "La Maison, 3 rue Paul Bert, 69003 Lyon")
		indexOf(t, c.get("/").body, "Repair café")
		indexOf(t, c.get("/agenda").body, "Repair café")

		// The edit form shows the times as entered, in the event's zone.
		edit := c.get("/espace/cafe/" + strconv.FormatInt(id, 10) + "/modifier")
		indexOf(t, edit.body, `name="start_time" type="time" value="14:00"`)
		indexOf(t, edit.body, `name="end_time" type="time" value="17:30"`)
	})
}

func TestFormErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p, org, c, token := editor(t, db)
		event := url.Values{"type": {"event"}, "title": {"Atelier"}, "start_date": {"2026-12-12"},
			"start_time": {"14:00"}, "place_name": {"Ici"}}
		with := func(v url.Values, kv ...string) url.Values {
			out := url.Values{csrfField: {token}}
			for k, vs := range v {
				out[k] = vs
			}
			for i := 0; i+1 < len(kv); i += 2 {
				out.Set(kv[i], kv[i+1])
			}
			return out
		}
		news := url.Values{"type": {"news"}, "title": {"Nouvelle"}, "image_alt": {"Une image"}}
		tests := []struct {
			name string
			form url.Values
			up   *upload
			want string
		}{
			{"no title", with(news, "title", " "), nil, "Titre\u00a0: obligatoire"},
			{"not an image", with(news), &upload{"image", "x.png", []byte("<html>hi</html>")},
				"seuls PNG, JPEG, WebP et GIF"},
			{"image without alt", with(news, "image_alt", ""), &upload{"image", "a.png",
				pngImage(t)}, "Texte alternatif\u00a0: obligatoire avec une image"},
			{"no start", with(event, "start_date", "", "start_time", ""), nil,
				"Début\u00a0: obligatoire"},
			{"no start time", with(event, "start_time", ""), nil, "l&#39;heure est obligatoire"},
			{"bad date", with(event, "start_date", "12/12/2026"), nil, "date ou heure invalide"},
			{"end before start", with(event, "end_time", "10:00"), nil, "avant le début"},
			{"unknown zone", with(event, "time_zone", "Mars/Olympus"), nil,
				"fuseau horaire inconnu"},
			{"no place", with(event, "place_name", ""), nil, "un lieu ou un lien en ligne"},
			{"long title", with(news, "title", strings.Repeat("é", timeline.MaxTitle+1)), nil,
				"Titre\u00a0: 200 caractères au plus"},
			{"long text", with(news, "body", strings.Repeat("x", timeline.MaxBody+1)), nil,
				"Texte\u00a0: 50000 octets au plus"},
			{"bad link", with(event, "online_url", "ftp://x.example"), nil,
				"Lien en ligne\u00a0: doit être une adresse http ou https"},
		}
		for _, tt := range tests {
			res := c.postMultipart("/espace/cafe/nouveau", tt.form, tt.up)
			wantStatus(t, tt.name, res, http.StatusUnprocessableEntity)
			indexOf(t, res.body, tt.want)
			indexOf(t, res.body, `role="alert"`)
		}
		posts, _, err := p.posts.ActorPosts(context.Background(), org.ID, timeline.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(posts) != 0 {
			t.Errorf("%d posts created by invalid forms", len(posts))
		}
		left, err := os.ReadDir(p.web.cfg.MediaDir)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != 0 {
			t.Errorf("invalid forms left %d files in the media folder", len(left))
		}
	})
}

func TestEditAndDelete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p, org, c, token := editor(t, db)
		post := p.news(org, "Horaires d'hiver")
		id := strconv.FormatInt(post.ID, 10)

		res := c.get("/espace")
		for _, want := range []string{`href="/espace/cafe/nouveau?type=news"`,
			`href="/espace/cafe/nouveau?type=event"`, `href="/espace/cafe/` + id + `/modifier"`,
			`href="/espace/cafe/` + id + `/supprimer"`} {
			indexOf(t, res.body, want)
		}

		// Deleting takes a second step: a page that asks, then the form.
		res = c.get("/espace/cafe/" + id + "/supprimer")
		wantStatus(t, "delete confirmation", res, http.StatusOK)
		indexOf(t, res.body, `action="/espace/cafe/`+id+`/supprimer"`)
		indexOf(t, res.body, "C&#39;est définitif.")
		if n, _, _ := p.posts.LatestNews(context.Background(), timeline.Page{}); len(n) != 1 {
			t.Errorf("asking to delete deleted the post")
		}

		res = c.get("/espace/cafe/" + id + "/modifier")
		wantStatus(t, "edit form", res, http.StatusOK)
		indexOf(t, res.body, `value="Horaires d&#39;hiver"`)

		form := url.Values{csrfField: {token}, "title": {"Horaires d'été"}, "body": {"Ouvert."}}
		wantStatus(t, "invalid edit", c.post("/espace/cafe/"+id+"/modifier",
			url.Values{csrfField: {token}, "title": {""}}), http.StatusUnprocessableEntity)
		res = c.post("/espace/cafe/"+id+"/modifier", form)
		wantStatus(t, "edit", res, http.StatusSeeOther)
		indexOf(t, c.get(postPath("cafe", post.ID)).body, "<h1>Horaires d&#39;été</h1>")

		res = c.post("/espace/cafe/"+id+"/supprimer", url.Values{csrfField: {token}})
		wantStatus(t, "delete", res, http.StatusSeeOther)
		wantStatus(t, "deleted page", c.get(postPath("cafe", post.ID)), http.StatusGone)
		wantStatus(t, "edit deleted", c.get("/espace/cafe/"+id+"/modifier"), http.StatusNotFound)
	})
}

func TestMediaServesOnlyUploads(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	p := newPortal(t, db)
	secret := filepath.Join(p.web.cfg.MediaDir, "notes.txt")
	if err := os.WriteFile(secret, []byte("private"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := p.client()
	for _, path := range []string{"/media/notes.txt", "/media/" + strings.Repeat("a", 32) + ".png",
		"/media/%2e%2e%2fserver.go"} {
		wantStatus(t, path, c.get(path), http.StatusNotFound)
	}
}

func TestTooLargeUpload(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	_, _, c, token := editor(t, db)
	form := url.Values{csrfField: {token}, "type": {"news"}, "title": {"Lourd"},
		"image_alt": {"Une grande image"}}
	big := func(n int) *upload {
		data := append(pngImage(t), make([]byte, n)...)
		return &upload{field: "image", name: "big.png", data: data}
	}

	res := c.postMultipart("/espace/cafe/nouveau", form, big(maxImageBytes))
	wantStatus(t, "image over 5 MB", res, http.StatusUnprocessableEntity)
	indexOf(t, res.body, "trop lourde")

	res = c.postMultipart("/espace/cafe/nouveau", form, big(maxFormBytes))
	wantStatus(t, "form over the limit", res, http.StatusRequestEntityTooLarge)
}

// TestEditKeepsWhatItShows: saving the edit form unchanged changes nothing,
// for news and events alike, including an event's lead written with
// "portal publish".
func TestEditKeepsWhatItShows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p, org, c, _ := editor(t, db)
		ev := &timeline.Post{ActorID: org.ID, Kind: timeline.Event, Title: "Repair café",
			Summary: "Réparer plutôt que jeter.", BodyMarkdown: "Apportez vos objets.",
			StartsAt: time.Date(2026, 12, 12, 13, 0, 0, 0, time.UTC), TimeZone: "Europe/Paris",
			PlaceName: "La Maison", Locality: "Lyon"}
		if err := p.posts.CreatePost(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		for _, post := range []*timeline.Post{ev, p.news(org, "Horaires")} {
			action := "/espace/cafe/" + strconv.FormatInt(post.ID, 10) + "/modifier"
			page := c.get(action)
			wantStatus(t, "edit form", page, http.StatusOK)
			indexOf(t, page.body, `<label for="f-summary">Chapô</label>`)

			res := c.postMultipart(action, formValues(t, page.body, action), nil)
			wantStatus(t, "saving "+post.Title, res, http.StatusSeeOther)
			got := p.reload(post)
			if got.Summary != post.Summary {
				t.Errorf("%q saved unchanged: lead %q, want %q", post.Title, got.Summary,
					post.Summary)
			}
			if got.Title != post.Title || got.BodyMarkdown != post.BodyMarkdown ||
				!got.StartsAt.Equal(post.StartsAt) || got.PlaceName != post.PlaceName {
				t.Errorf("%q saved unchanged: title %q, text %q, start %v, place %q",
					post.Title, got.Title, got.BodyMarkdown, got.StartsAt, got.PlaceName)
			}
		}
		indexOf(t, c.get(postPath("cafe", ev.ID)).body,
			`<p class="lead">Réparer plutôt que jeter.</p>`)
	})
}

// TestImagesOfOlderPosts: posts saved before images were stored as paths
// hold absolute addresses. The portal's own are shown, and saved again, as
// paths, so that they survive a change of scheme; others are kept as they
// are.
func TestImagesOfOlderPosts(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	p := newPortal(t, db, func(c *Config) { c.Base = "https://portail.example" })
	org := p.org("cafe")
	alice := p.user("alice", nil)
	p.grant(alice, org, timeline.Editor)
	c := p.client()
	c.login("alice")

	name := strings.Repeat("ab", 16) + ".png"
	tests := []struct{ stored, shown string }{
		{"https://portail.example/media/" + name, "/media/" + name},
		{"http://Portail.example/media/" + name, "/media/" + name}, // before TLS
		{"/media/" + name, "/media/" + name},
		{"https://images.example/photo.jpg", "https://images.example/photo.jpg"},
		{"https://ancien.example/media/" + name, "https://ancien.example/media/" + name},
		{"https://portail.example/static/logo.svg", "https://portail.example/static/logo.svg"},
	}
	for _, tt := range tests {
		post := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Image",
			ImageURL: tt.stored, ImageAlt: "Un vélo rouge"}
		if err := p.posts.CreatePost(context.Background(), post); err != nil {
			t.Fatal(err)
		}
		want := `<img src="` + tt.shown + `" alt="Un vélo rouge">`
		indexOf(t, c.get(postPath("cafe", post.ID)).body, want)

		action := "/espace/cafe/" + strconv.FormatInt(post.ID, 10) + "/modifier"
		page := c.get(action)
		indexOf(t, page.body, `<img class="thumb" src="`+tt.shown+`"`)
		res := c.postMultipart(action, formValues(t, page.body, action), nil)
		wantStatus(t, "saving "+tt.stored, res, http.StatusSeeOther)
		if got := p.reload(post).ImageURL; got != tt.shown {
			t.Errorf("%s saved again as %q, want %q", tt.stored, got, tt.shown)
		}
	}
}

// phoneJPEG returns a JPEG as a phone writes it, with where it was taken in
// its Exif block.
func phoneJPEG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	exif := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00GPS 45.7640N 4.8357E")
	seg := append([]byte{0xFF, 0xE1, 0, byte(len(exif) + 2)}, exif...)
	plain := buf.Bytes()
	return append(append(append([]byte{}, plain[:2]...), seg...), plain[2:]...)
}

func TestUploadedImagesLoseTheirMetadata(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p, _, c, token := editor(t, db)
		form := url.Values{csrfField: {token}, "type": {"news"}, "title": {"Photo du marché"},
			"body": {"Samedi."}, "image_alt": {"Un vélo rouge"}}
		id := createdID(t, c.postMultipart("/espace/cafe/nouveau", form,
			&upload{field: "image", name: "IMG_0042.jpg", data: phoneJPEG(t)}), "cafe")

		img := c.get(p.reload(&timeline.Post{ID: id}).ImageURL)
		wantStatus(t, "image", img, http.StatusOK)
		if strings.Contains(img.body, "GPS") || strings.Contains(img.body, "45.7640N") {
			t.Errorf("the stored image still says where it was taken: %q", img.body)
		}
		if _, err := jpeg.Decode(strings.NewReader(img.body)); err != nil {
			t.Errorf("the stored image no longer decodes: %v", err)
		}

		// A file cut short is refused, with the reason.
		cut := phoneJPEG(t)[:60]
		res := c.postMultipart("/espace/cafe/nouveau", form,
			&upload{field: "image", name: "cut.jpg", data: cut})
		wantStatus(t, "broken image", res, http.StatusUnprocessableEntity)
		indexOf(t, res.body, "fichier abîmé ou incomplet")

		// A few bytes announcing 100 000 × 100 000 pixels are refused.
		ihdr := binary.BigEndian.AppendUint32(nil, 100_000)
		ihdr = binary.BigEndian.AppendUint32(ihdr, 100_000)
		ihdr = append(ihdr, 8, 2, 0, 0, 0)
		huge := pngChunk(pngChunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr), "IDAT", nil)
		huge = pngChunk(huge, "IEND", nil)
		res = c.postMultipart("/espace/cafe/nouveau", form,
			&upload{field: "image", name: "bombe.png", data: huge})
		wantStatus(t, "huge image", res, http.StatusUnprocessableEntity)
		indexOf(t, res.body, "image trop grande")
	})
}

// TestImagesGoWithTheirPost: an image replaced, removed or left by a deleted
// post is no longer served, unless another post still shows it.
func TestImagesGoWithTheirPost(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		p, org, c, token := editor(t, db)
		create := func(title string) (int64, string) {
			form := url.Values{csrfField: {token}, "type": {"news"}, "title": {title},
				"body": {"Texte."}, "image_alt": {"Un vélo rouge"}}
			id := createdID(t, c.postMultipart("/espace/cafe/nouveau", form,
				&upload{field: "image", name: "velo.png", data: pngImage(t)}), "cafe")
			return id, p.reload(&timeline.Post{ID: id}).ImageURL
		}
		edit := func(id int64, change func(url.Values), up *upload) {
			action := "/espace/cafe/" + strconv.FormatInt(id, 10) + "/modifier"
			form := formValues(t, c.get(action).body, action)
			change(form)
			wantStatus(t, "editing", c.postMultipart(action, form, up), http.StatusSeeOther)
		}
		served := func(path string) bool {
			return c.get(path).status == http.StatusOK
		}

		replaced, first := create("Remplacée")
		edit(replaced, func(url.Values) {}, &upload{field: "image", name: "autre.png", data: pngImage(t)})
		second := p.reload(&timeline.Post{ID: replaced}).ImageURL
		if second == first || served(first) || !served(second) {
			t.Errorf("after a new image: old %s served %v, new %s served %v",
				first, served(first), second, served(second))
		}

		removed, image := create("Sans image")
		edit(removed, func(f url.Values) { f.Set("remove_image", "1") }, nil)
		if served(image) {
			t.Errorf("a removed image is still served at %s", image)
		}

		// Another post (published from a file) shows the same image: it
		// stays while that post lives.
		deleted, shared := create("Supprimée")
		other := &timeline.Post{ActorID: org.ID, Kind: timeline.News, Title: "Reprise",
			ImageURL: shared, ImageAlt: "Le même vélo"}
		if err := p.posts.CreatePost(context.Background(), other); err != nil {
			t.Fatal(err)
		}
		deletePath := "/espace/cafe/" + strconv.FormatInt(deleted, 10) + "/supprimer"
		wantStatus(t, "deleting", c.post(deletePath, url.Values{csrfField: {token}}), http.StatusSeeOther)
		if !served(shared) {
			t.Errorf("%s is gone while another post shows it", shared)
		}
		deletePath = "/espace/cafe/" + strconv.FormatInt(other.ID, 10) + "/supprimer"
		wantStatus(t, "deleting the other", c.post(deletePath, url.Values{csrfField: {token}}),
			http.StatusSeeOther)
		if served(shared) {
			t.Errorf("%s is still served once no post shows it", shared)
		}
		if !served(second) {
			t.Errorf("an image in use, %s, went away", second)
		}
	})
}

// TestEventInTheSpringGap: 02:30 does not exist in Paris on the night the
// clocks go forward; the form says so instead of publishing 03:30.
func TestEventInTheSpringGap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		_, _, c, token := editor(t, db)
		form := url.Values{csrfField: {token}, "type": {"event"}, "title": {"Nuit des étoiles"},
			"body": {"Observation."}, "start_date": {"2027-03-28"}, "start_time": {"02:30"},
			"time_zone": {"Europe/Paris"}, "place_name": {"Parc"}, "locality": {"Lyon"}}
		res := c.postMultipart("/espace/cafe/nouveau", form, nil)
		wantStatus(t, "time in the gap", res, http.StatusUnprocessableEntity)
		indexOf(t, res.body, "cette heure n’existe pas ce jour-là")

		form.Set("start_time", "03:30")
		createdID(t, c.postMultipart("/espace/cafe/nouveau", form, nil), "cafe")
	})
}

// pngChunk appends a PNG chunk with its length and checksum.
func pngChunk(out []byte, kind string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	start := len(out)
	out = append(append(out, kind...), data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}
