package main

import (
	"strings"
	"testing"
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
