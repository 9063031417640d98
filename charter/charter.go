package charter

import (
	_ "embed"
	"regexp"
	"strings"
)

//go:embed charte.md
var text string

// Article is one numbered article of the charter.
type Article struct {
	Number string // "1", "2", …
	Title  string
	Body   string
}

// Charter is the published charter: its version line and its articles.
type Charter struct {
	Title    string
	Version  string
	Articles []Article
}

var articleRE = regexp.MustCompile(`^## Article (\d+) — (.+)$`)

// Current returns the charter in force, parsed from the embedded text.
func Current() *Charter {
	c := &Charter{}
	var cur *Article
	for _, line := range strings.Split(text, "\n") {
		switch m := articleRE.FindStringSubmatch(line); {
		case strings.HasPrefix(line, "# "):
			c.Title = strings.TrimPrefix(line, "# ")
		case m != nil:
			c.Articles = append(c.Articles, Article{Number: m[1], Title: m[2]})
			cur = &c.Articles[len(c.Articles)-1]
		case cur != nil:
			cur.Body = strings.TrimSpace(cur.Body + "\n" + line)
		case strings.HasPrefix(line, "Version "):
			c.Version = line
		}
	}
	return c
}

// Article returns the article with that number.
func (c *Charter) Article(number string) (Article, bool) {
	for _, a := range c.Articles {
		if a.Number == number {
			return a, true
		}
	}
	return Article{}, false
}
