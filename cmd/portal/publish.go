package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ess-lyon/portal/timeline"
)

func runPublish(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	s.register(fs)
	actor := fs.String("actor", "", "organisation that publishes (required)")
	if err := fs.Parse(args); err != nil || *actor == "" || fs.NArg() == 0 {
		return errUsage
	}
	app, err := s.app(ctx)
	if err != nil {
		return err
	}
	defer app.db.Close()
	a, err := app.posts.LocalActor(ctx, *actor)
	if err != nil {
		return err
	}
	cfg, _ := s.federation()
	// Read every file first, so that a mistake in the tenth file does not
	// leave nine published and a second run publishing them twice.
	posts := make([]*timeline.Post, len(fs.Args()))
	for i, path := range fs.Args() {
		if posts[i], err = readPostFile(path); err != nil {
			return err
		}
	}
	for i, p := range posts {
		p.ActorID = a.ID
		if err := app.posts.CreatePost(ctx, p); err != nil {
			return fmt.Errorf("%s: %w", fs.Arg(i), frontMatterError(err))
		}
		fmt.Fprintf(out, "%s: published %s\n", fs.Arg(i), cfg.PostURI(a, p))
	}
	return nil
}

// frontMatterNames maps the domain's field names to the front matter keys
// that set them, so that errors name what the operator wrote.
var frontMatterNames = map[string]string{
	"kind": "type", "place_name": "place", "street_address": "address",
	"locality": "city", "starts_at": "start", "ends_at": "end", "time_zone": "timezone",
	"online_url": "online", "body": "the text after the front matter",
}

func frontMatterError(err error) error {
	var fe *timeline.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	name := fe.Field
	if k, ok := frontMatterNames[name]; ok {
		name = k
	}
	return fmt.Errorf("%s: %s", name, fe.Why)
}

// readPostFile reads a Markdown file whose front matter, between two
// "---" lines, gives the post's fields as "key: value" lines.
func readPostFile(path string) (*timeline.Post, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	meta, body, err := splitFrontMatter(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p, err := postFromMeta(meta)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p.BodyMarkdown = body
	return p, nil
}

func splitFrontMatter(r io.Reader) (map[string]string, string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), timeline.MaxBody*2)
	meta := map[string]string{}
	var body strings.Builder
	state := 0 // 0: before front matter, 1: inside, 2: body
	for sc.Scan() {
		line := sc.Text()
		switch {
		case state == 0 && strings.TrimSpace(line) == "---":
			state = 1
		case state == 0:
			return nil, "", fmt.Errorf("no front matter: the file must start with ---")
		case state == 1 && strings.TrimSpace(line) == "---":
			state = 2
		case state == 1 && (strings.TrimSpace(line) == "" ||
			strings.HasPrefix(strings.TrimSpace(line), "#")):
			// Blank lines and comments, as in YAML.
		case state == 1:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				return nil, "", fmt.Errorf("front matter line %q is not key: value", line)
			}
			meta[strings.TrimSpace(strings.ToLower(k))] = frontMatterValue(v)
		default:
			body.WriteString(line + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		return nil, "", err
	}
	if state != 2 {
		return nil, "", fmt.Errorf("front matter is not closed by ---")
	}
	return meta, strings.TrimSpace(body.String()), nil
}

// frontMatterValue reads a value as YAML reads a plain or quoted scalar:
// an unquoted value ends where " #" starts a comment.
func frontMatterValue(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		if end := strings.LastIndexByte(v, v[0]); end > 0 {
			return v[1:end]
		}
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v
}

func postFromMeta(m map[string]string) (*timeline.Post, error) {
	if t := m["type"]; t != "" && t != string(timeline.News) && t != string(timeline.Event) {
		return nil, fmt.Errorf("type: %q is neither news nor event", t)
	}
	p := &timeline.Post{Kind: timeline.PostKind(m["type"]), Title: m["title"],
		Summary: m["summary"], ImageURL: m["image"], ImageAlt: m["image_alt"],
		TimeZone: m["timezone"], PlaceName: m["place"], StreetAddress: m["address"],
		PostalCode: m["postal_code"], Locality: m["city"], OnlineURL: m["online"]}
	if p.Kind == "" {
		p.Kind = timeline.News
	}
	if p.Kind != timeline.Event {
		return p, nil
	}
	loc := p.Location()
	var err error
	if p.StartsAt, err = parseWhen(m["start"], loc); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	if m["end"] != "" {
		if p.EndsAt, err = parseWhen(m["end"], loc); err != nil {
			return nil, fmt.Errorf("end: %w", err)
		}
	}
	return p, nil
}

// parseWhen reads RFC 3339, or "2006-01-02 15:04" in the event's zone.
func parseWhen(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			// A wall clock the zone skips comes back an hour later.
			if t.Format(layout) != s {
				return time.Time{}, fmt.Errorf("%q does not exist in %s (clocks go forward)", s, loc)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2006-01-02 15:04 or RFC 3339)", s)
}
