package markup

import (
	"os"
	"testing"
)

// rel is what the policy puts on every link.
const rel = ` rel="nofollow noopener noreferrer"`

func TestMarkdown(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"paragraph", "Bonjour *Lyon* et **Villeurbanne**",
			"<p>Bonjour <em>Lyon</em> et <strong>Villeurbanne</strong></p>\n"},
		{"h1 becomes h2", "# Assemblée générale", "<h2>Assemblée générale</h2>\n"},
		{"h2 stays", "## Ordre du jour", "<h2>Ordre du jour</h2>\n"},
		{"h4 stays", "#### Détails", "<h4>Détails</h4>\n"},
		{"h6 becomes h4", "###### Note", "<h4>Note</h4>\n"},
		{"bullet list", "- pain\n- fromage\n",
			"<ul>\n<li>pain</li>\n<li>fromage</li>\n</ul>\n"},
		{"ordered list keeps its start", "3. trois\n4. quatre\n",
			"<ol start=\"3\">\n<li>trois</li>\n<li>quatre</li>\n</ol>\n"},
		{"link", "[la Maison](https://maison-ess.example/)",
			`<p><a href="https://maison-ess.example/"` + rel + ">la Maison</a></p>\n"},
		{"link title dropped", `[x](https://a.example/ "titre")`,
			`<p><a href="https://a.example/"` + rel + ">x</a></p>\n"},
		{"mailto link", "[écrire](mailto:contact@ess.example)",
			`<p><a href="mailto:contact@ess.example"` + rel + ">écrire</a></p>\n"},
		{"relative link dropped", "[agenda](/agenda)", "<p>agenda</p>\n"},
		{"javascript link dropped", "[clic](javascript:alert(1))", "<p>clic</p>\n"},
		{"autolink url", "voir https://ess.example/a?b=1&c=2 !",
			`<p>voir <a href="https://ess.example/a?b=1&amp;c=2"` + rel +
				">https://ess.example/a?b=1&amp;c=2</a> !</p>\n"},
		{"autolink www", "www.ess.example",
			`<p><a href="http://www.ess.example"` + rel + ">www.ess.example</a></p>\n"},
		{"autolink email", "contact@ess.example",
			`<p><a href="mailto:contact@ess.example"` + rel + ">contact@ess.example</a></p>\n"},
		{"angle autolink", "<https://ess.example>",
			`<p><a href="https://ess.example"` + rel + ">https://ess.example</a></p>\n"},
		{"strikethrough", "~~complet~~", "<p><del>complet</del></p>\n"},
		{"table", "| Jour | Heures |\n|:--|--:|\n| lundi | 9h |\n",
			"<table>\n<thead>\n<tr>\n<th align=\"left\">Jour</th>\n<th align=\"right\">Heures</th>\n" +
				"</tr>\n</thead>\n<tbody>\n<tr>\n<td align=\"left\">lundi</td>\n" +
				"<td align=\"right\">9h</td>\n</tr>\n</tbody>\n</table>\n"},
		{"code span", "lancer `make <cible>`", "<p>lancer <code>make &lt;cible&gt;</code></p>\n"},
		{"fenced code, language dropped", "```sh\necho \"<b>\"\n```\n",
			"<pre><code>echo &#34;&lt;b&gt;&#34;\n</code></pre>\n"},
		{"quote", "> Une autre économie", "<blockquote>\n<p>Une autre économie</p>\n</blockquote>\n"},
		{"thematic break", "a\n\n---\n\nb", "<p>a</p>\n<hr/>\n<p>b</p>\n"},
		{"hard break", "ligne  \nsuivante", "<p>ligne<br/>\nsuivante</p>\n"},
		{"inline raw html through the policy", "a <b onclick=x>gras</b> z",
			"<p>a <b>gras</b> z</p>\n"},
		{"block raw html through the policy", "<div>\n<script>alert(1)</script>\n</div>\n\nfin",
			"\n\n\n<p>fin</p>\n"},
		// A raw HTML block runs to the next blank line: the text in it stays.
		{"text pasted after a div", "<div>Ligne dans un div</div>\nSuite importante du texte.\n\nFin.",
			"Ligne dans un div\nSuite importante du texte.\n<p>Fin.</p>\n"},
		{"image becomes a link", "![affiche](https://ess.example/a.png)",
			`<p><a href="https://ess.example/a.png"` + rel + ">affiche</a></p>\n"},
		{"image without alt", "![](https://ess.example/a.png)",
			`<p><a href="https://ess.example/a.png"` + rel + ">https://ess.example/a.png</a></p>\n"},
		{"image inside a link", "[![logo](https://i.example/l.png)](https://ess.example/)",
			`<p><a href="https://ess.example/"` + rel + ">logo</a></p>\n"},
		{"task list stays text", "- [ ] apporter", "<ul>\n<li>[ ] apporter</li>\n</ul>\n"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Markdown(tt.src); got != tt.want {
				t.Errorf("Markdown(%q)\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

func BenchmarkMarkdown(b *testing.B) {
	src, err := os.ReadFile("testdata/golden/evenement-marche.md")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Markdown(string(src))
	}
}
