package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"
	"golang.org/x/net/html"

	"github.com/ess-lyon/portal/migrations/dbtest"
)

// hostile is Markdown an editor's compromised account might post.
const hostile = `Bonjour <script>alert('body')</script>

<img src=x onerror=alert('img')>

[clic](javascript:alert('link')) et [autre](JaVaScRiPt:alert(1))

![image](javascript:alert('image'))

<a href="javascript:alert('raw')" onclick="alert('click')">lien</a>

<iframe src="https://evil.example"></iframe><svg onload=alert(1)>`

func TestHostileMarkdown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *bun.DB) {
		_, _, c, token := editor(t, db)
		form := url.Values{csrfField: {token}, "type": {"news"},
			"title":   {`<script>alert("title")</script>`},
			"summary": {`"><img src=x onerror=alert(1)>`}, "body": {hostile}}
		id := createdID(t, c.postMultipart("/espace/cafe/nouveau", form, nil), "cafe")

		for _, path := range []string{postPath("cafe", id), "/", "/actualites", "/@cafe",
			"/espace"} {
			res := c.get(path)
			wantStatus(t, path, res, http.StatusOK)
			for _, bad := range executable(t, res.body) {
				t.Errorf("%s: %s", path, bad)
			}
		}
		page := c.get(postPath("cafe", id)).body
		indexOf(t, page, "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;") // shown as text
		if !strings.Contains(page, "Bonjour") || !strings.Contains(page, "lien") {
			t.Error("the harmless text of the body was lost")
		}
	})
}

// executable parses a page as a browser would and lists what in it could
// run: script and embedding elements, event handler attributes, and
// javascript: URLs.
func executable(t *testing.T, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "script", "iframe", "svg", "object", "embed", "math":
			found = append(found, "element <"+n.Data+">")
		}
		for _, a := range n.Attr {
			v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
			if strings.HasPrefix(a.Key, "on") || strings.HasPrefix(v, "javascript:") {
				found = append(found, "attribute "+a.Key+"="+a.Val+" on <"+n.Data+">")
			}
		}
	}
	return found
}

// TestExecutableFinds checks the checker itself on markup that would run.
func TestExecutableFinds(t *testing.T) {
	page := `<p>ok</p><script>x</script><img src=x onerror=alert(1)>` +
		`<a href=" JavaScript:alert(1)">a</a><svg></svg>`
	if got := executable(t, page); len(got) != 4 {
		t.Errorf("found %q, want 4 findings", got)
	}
	if got := executable(t, `<p>&lt;img onerror=alert(1)&gt; javascript:</p>`); got != nil {
		t.Errorf("text taken for markup: %q", got)
	}
}
