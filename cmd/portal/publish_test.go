package main

import (
	"strings"
	"testing"
	"time"
)

func TestFrontMatter(t *testing.T) {
	src := "---\n# a comment\ntype: event   # or news\ntitle: \"Atelier #2 : vélo\"\n" +
		"summary: Réparer # ensemble\n\nstart: 2030-12-12 14:00\nplace: 'La Maison'\n---\n" +
		"Le **texte**.\n"
	meta, body, err := splitFrontMatter(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"type": "event", "title": "Atelier #2 : vélo",
		"summary": "Réparer", "start": "2030-12-12 14:00", "place": "La Maison"}
	for k, v := range want {
		if meta[k] != v {
			t.Errorf("%s = %q, want %q", k, meta[k], v)
		}
	}
	if body != "Le **texte**." {
		t.Errorf("body = %q", body)
	}
	p, err := postFromMeta(meta)
	if err != nil || p.StartsAt.UTC().Hour() != 13 {
		t.Errorf("post %+v, %v; want an event at 13:00 UTC", p, err)
	}
	for _, bad := range []string{"no front matter\n", "---\ntitle: x\n", "---\nnot a pair\n---\n"} {
		if _, _, err := splitFrontMatter(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := postFromMeta(map[string]string{"type": "events"}); err == nil ||
		!strings.Contains(err.Error(), "type") {
		t.Errorf("unknown type: %v", err)
	}
}

// TestParseWhen: a wall clock in the event's zone, except one the zone
// skips, which is refused rather than moved an hour.
func TestParseWhen(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-12-12 14:00", time.Date(2026, 12, 12, 13, 0, 0, 0, time.UTC), true},
		{"2027-03-28 03:30", time.Date(2027, 3, 28, 1, 30, 0, 0, time.UTC), true},
		{"2027-03-28 02:30", time.Time{}, false},
		{"2026-12-12T14:00:00+01:00", time.Date(2026, 12, 12, 13, 0, 0, 0, time.UTC), true},
		{"12/12/2026", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := parseWhen(tt.in, paris)
		if (err == nil) != tt.ok || (tt.ok && !got.Equal(tt.want)) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
