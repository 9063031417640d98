package markup

import (
	"testing"
	"unicode/utf8"
)

func TestPlainText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"tags removed", "<p>Bonjour <strong>Lyon</strong></p>", 0, "Bonjour Lyon"},
		{"inline tags join no words", "<p><em>Les Halles</em>, 9h</p>", 0, "Les Halles, 9h"},
		{"blocks separate words", "<p>un</p><p>deux</p><ul><li>trois</li><li>quatre</li></ul>",
			0, "un deux trois quatre"},
		{"br separates words", "ligne<br>suivante<br/>fin", 0, "ligne suivante fin"},
		{"entities decoded", "<p>Café &amp; thé &lt;3 &#8212; l&#39;été&nbsp;!</p>", 0,
			"Café & thé <3 — l'été !"},
		{"decoded once only", "&amp;lt;b&amp;gt;", 0, "&lt;b&gt;"},
		{"whitespace folded", "  <p>\n\ta  \n  b\t</p>\n ", 0, "a b"},
		{"script content skipped", "a<script>var x = 1;</script> b<style>p{}</style>", 0, "a b"},
		{"comments skipped", "a <!-- secret --> b", 0, "a b"},
		{"no cut when short", "<p>Court</p>", 10, "Court"},
		{"no cut at exact length", "abcde", 5, "abcde"},
		{"no cut when max is zero", "un deux trois", 0, "un deux trois"},
		{"no cut when max is negative", "un deux trois", -1, "un deux trois"},
		{"cut on word boundary", "un deux trois quatre", 12, "un deux…"},
		{"cut where a word ends", "un deux trois", 8, "un deux…"},
		{"cut drops trailing comma", "Lyon, Villeurbanne", 10, "Lyon…"},
		{"long word cut inside", "anticonstitutionnellement", 10, "anticonst…"},
		{"accents on rune boundaries", "Économie à Lyon", 10, "Économie…"},
		{"accented word kept whole", "Économie à Lyon", 11, "Économie à…"},
		{"accented long word", "éééééééééé", 5, "éééé…"},
		{"max of one", "abc", 1, "…"},
		{"empty", "", 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlainText(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("PlainText(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("PlainText(%q, %d) = %q, not valid UTF-8", tt.in, tt.max, got)
			}
			if n := utf8.RuneCountInString(got); tt.max > 0 && n > tt.max {
				t.Errorf("PlainText(%q, %d) has %d runes", tt.in, tt.max, n)
			}
		})
	}
}
