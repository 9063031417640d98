package federation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ess-lyon/portal/migrations/dbtest"
	"github.com/ess-lyon/portal/timeline"
)

const placesGolden = "testdata/places.golden"

const placesHeader = `# Every location of shared/fixtures/places, as the portal stores it.
#
# Regenerate with: go test ./federation/ -run TestEventLocations -update
#
# Each file is the "location" of an Event (starting 2030-12-14T13:00:00Z)
# that a followed organiser, https://server50.example/@organiser, sends in
# a Create. Fields: file | kind of post stored | place name | street
# address | postal code | locality | online URL.
`

// organiser publishes the events of TestEventLocations.
const organiser = "https://server50.example/@organiser"

// TestEventLocations sends an Event for each location of
// fixtures/places and compares what is stored with testdata/places.golden.
func TestEventLocations(t *testing.T) {
	dir := fixturesRoot(t, "places")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no places in %s: %v", dir, err)
	}
	sort.Strings(files)
	g := openGolden(t, placesGolden, placesHeader)
	w := newWorld(t, dbtest.Open(t, "sqlite"), newFediverse())
	w.fedi.addActor(organiser, "Group")
	if err := w.follow(organiser); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, path := range files {
		name := filepath.Base(path)
		keys = append(keys, name)
		t.Run(name, func(t *testing.T) {
			location, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			g.check(t, name+" | "+w.eventAt(t, strings.TrimSuffix(name, ".json"), location))
		})
	}
	g.finish(t, keys)
}

// eventAt sends an Event at location and describes the post stored.
func (w *world) eventAt(t *testing.T, slug string, location []byte) string {
	id := organiser + "/events/" + slug
	event := map[string]any{"id": id, "type": "Event", "name": "Atelier " + slug,
		"attributedTo": organiser, "startTime": "2030-12-14T13:00:00Z",
		"timezone": "Europe/Paris", "location": json.RawMessage(location),
		"to": []string{"https://www.w3.org/ns/activitystreams#Public"}}
	body := wrap("Create", organiser, "/activities/"+slug, mustMarshal(event))
	status, outcome := w.deliver(organiser, body)
	if status >= 500 || strings.Contains(outcome, "PANIC") {
		t.Errorf("%d %s", status, outcome)
	}
	var p timeline.Post
	err := w.db.NewSelect().Model(&p).Where("uri = ?", id).Scan(context.Background())
	if err != nil {
		return fmt.Sprintf("not stored: %d %s", status, oneLine(outcome))
	}
	return fmt.Sprintf("%s | %q | %q | %q | %q | %q", p.Kind, p.PlaceName, p.StreetAddress,
		p.PostalCode, p.Locality, p.OnlineURL)
}
