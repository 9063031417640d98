package markup

import "testing"

// TestSanitize pins the policy's decisions on remote HTML.
func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain paragraph", "<p>Bonjour</p>", "<p>Bonjour</p>"},
		{"mastodon mention",
			`<span class="h-card" translate="no"><a href="https://m.example/@lea" ` +
				`class="u-url mention">@<span>lea</span></a></span>`,
			`<span class="h-card"><a class="u-url mention" href="https://m.example/@lea"` +
				rel + `>@<span>lea</span></a></span>`},
		{"mastodon hashtag", `<a href="https://m.example/tags/ess" class="mention hashtag" ` +
			`rel="tag">#<span>ess</span></a>`,
			`<a class="mention hashtag" href="https://m.example/tags/ess"` + rel +
				`>#<span>ess</span></a>`},
		{"mastodon shortened link",
			`<a href="https://ess.example/long/path" target="_blank" rel="nofollow noopener">` +
				`<span class="invisible">https://</span><span class="ellipsis">ess.example/lo` +
				`</span><span class="invisible">ng/path</span></a>`,
			`<a href="https://ess.example/long/path"` + rel + `><span class="invisible">https://` +
				`</span><span class="ellipsis">ess.example/lo</span><span class="invisible">` +
				`ng/path</span></a>`},
		{"foreign class dropped", `<span class="btn mention">x</span>`, "<span>x</span>"},
		{"class on other element dropped", `<p class="mention">x</p>`, "<p>x</p>"},
		{"target stripped", `<a href="https://a.example/" target="_top">x</a>`,
			`<a href="https://a.example/"` + rel + `>x</a>`},
		{"rel replaced", `<a href="https://a.example/" rel="opener">x</a>`,
			`<a href="https://a.example/"` + rel + `>x</a>`},
		{"mailto kept", `<a href="mailto:a@b.example">a</a>`,
			`<a href="mailto:a@b.example"` + rel + `>a</a>`},
		{"relative link dropped", `<a href="/admin">x</a>`, "x"},
		{"ftp link dropped", `<a href="ftp://a.example/">x</a>`, "x"},
		{"javascript link dropped", `<a href="javascript:alert(1)">x</a>`, "x"},
		{"img dropped", `<p>a<img src="https://t.example/p.gif" alt="pixel">b</p>`, "<p>ab</p>"},
		{"h1 becomes h2", `<H1 id="t">Titre</h1>`, "<h2>Titre</h2>"},
		{"h3 stays", "<h3>Sous-titre</h3>", "<h3>Sous-titre</h3>"},
		{"h5 becomes h4", "<h5>Détail</h5>", "<h4>Détail</h4>"},
		{"style dropped", `<p style="color:red">x</p>`, "<p>x</p>"},
		{"script and content dropped", "a<script>alert(1)</script>b", "ab"},
		{"iframe and content dropped", `a<iframe src="https://v.example/">x</iframe>b`, "ab"},
		{"unknown element, text kept", "<div><section>texte</section></div>", "texte"},
		{"comment dropped", "a<!-- note -->b", "ab"},
		{"table align", `<table><tr><td align="center" valign="top">x</td></tr></table>`,
			`<table><tbody><tr><td align="center">x</td></tr></tbody></table>`},
		{"align other values dropped", `<table><tr><td align="justify">x</td></tr></table>`,
			"<table><tbody><tr><td>x</td></tr></tbody></table>"},
		{"ol start digits only", `<ol start="x">`, "<ol></ol>"},
		{"unclosed tags closed", `<b><i>never closed`, "<b><i>never closed</i></b>"},
		{"stray table contained", `<p><table><tr><td>cell`,
			"<p></p><table><tbody><tr><td>cell</td></tr></tbody></table>"},
		{"text quotes escaped", `"a" & 'b'`, "&#34;a&#34; &amp; &#39;b&#39;"},
		{"invalid utf-8 replaced", "<p>a\xffb</p>", "<p>a\uFFFDb</p>"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	const in, want = `<a href="x">l'été & co</a>`,
		"&lt;a href=&#34;x&#34;&gt;l&#39;été &amp; co&lt;/a&gt;"
	if got := Escape(in); got != want {
		t.Errorf("Escape(%q) = %q, want %q", in, got, want)
	}
}
