package federation_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// fixturesDir holds the shared fixtures, beside the repository: CI clones
// the repository with a copy of shared/ next to it.
const fixturesDir = "../../shared/fixtures"

// fixturesRoot returns fixturesDir/sub, or skips the test when it is
// missing; under CI=true a missing folder fails instead.
func fixturesRoot(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join(fixturesDir, sub)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("fixtures missing under CI: %v", err)
		}
		t.Skipf("fixtures missing, skipping (set CI=true to fail): %v", err)
	}
	return dir
}

// fixture is one document of fixtures/activitypub.
type fixture struct {
	path string // relative to fixtures/activitypub, with slashes
	body []byte
	doc  map[string]json.RawMessage
	typ  string
	id   string
}

// corpus is every ActivityPub fixture, and what the fake fediverse serves
// from them.
type corpus struct {
	files  []*fixture
	byPath map[string]*fixture
	actors map[string]string // actor URI -> type
	names  map[string]string // actor URI -> preferredUsername
}

var (
	corpusOnce sync.Once
	corpusData *corpus
	corpusErr  error
)

// loadCorpus reads the fixtures once for the whole test binary.
func loadCorpus(t testing.TB) *corpus {
	t.Helper()
	root := fixturesRoot(t, "activitypub")
	corpusOnce.Do(func() { corpusData, corpusErr = readCorpus(root) })
	if corpusErr != nil {
		t.Fatal(corpusErr)
	}
	return corpusData
}

func readCorpus(root string) (*corpus, error) {
	c := &corpus{byPath: map[string]*fixture{}, actors: map[string]string{},
		names: map[string]string{}}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		f := &fixture{path: filepath.ToSlash(rel)}
		if f.body, err = os.ReadFile(path); err != nil {
			return err
		}
		if err := json.Unmarshal(f.body, &f.doc); err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
		f.typ, f.id = str(f.doc["type"]), str(f.doc["id"])
		c.files = append(c.files, f)
		c.byPath[f.path] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading fixtures: %w", err)
	}
	for _, f := range c.files {
		if v := httpsVariant(f); v != nil {
			c.files = append(c.files, v)
			c.byPath[v.path] = v
		}
	}
	sort.Slice(c.files, func(i, j int) bool { return c.files[i].path < c.files[j].path })
	for _, f := range c.files {
		c.collectActors(f.body)
	}
	for _, f := range c.files {
		if actorTypes[f.typ] {
			c.actors[f.id] = f.typ // the actor's own document says best
			c.names[f.id] = str(f.doc["preferredUsername"])
		}
	}
	return c, nil
}

// plainHTTP matches the plain-HTTP test servers of the fixtures.
var plainHTTP = regexp.MustCompile(`http://(server[0-9]+\.example)`)

// httpsVariant returns, for an activity whose actor is a plain-HTTP
// server (Lemmy's and lotide's came from development instances), the same
// activity with those servers in https, named "<path> (https)": the portal
// refuses the first, and processes the second.
func httpsVariant(f *fixture) *fixture {
	if !activityTypes[f.typ] || !plainHTTP.MatchString(firstRef(f.doc["actor"])) {
		return nil
	}
	v := &fixture{path: f.path + " (https)",
		body: plainHTTP.ReplaceAll(f.body, []byte("https://$1"))}
	if err := json.Unmarshal(v.body, &v.doc); err != nil {
		return nil
	}
	v.typ, v.id = str(v.doc["type"]), str(v.doc["id"])
	return v
}

// actorTypes are the ActivityStreams actor types.
var actorTypes = map[string]bool{"Person": true, "Group": true, "Organization": true,
	"Application": true, "Service": true}

// activityTypes are the activity types the fixtures use, and the others
// of ActivityStreams and its common extensions.
var activityTypes = map[string]bool{}

func init() {
	for _, t := range strings.Fields(`Accept Add Announce Arrive Block Create Delete
		Dislike Flag Follow Ignore Invite Join Leave Like Listen Move Offer Read Reject
		Remove TentativeAccept TentativeReject Travel Undo Update View EmojiReact Lock
		Resolve Warn`) {
		activityTypes[t] = true
	}
}

// collectActors records every identifier that a document names as actor
// or attributedTo, at any depth, with its type when it is embedded.
func (c *corpus) collectActors(body []byte) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if k == "actor" || k == "attributedTo" {
					c.addRefs(val)
				}
				walk(val)
			}
		case []any:
			for _, val := range x {
				walk(val)
			}
		}
	}
	walk(v)
}

func (c *corpus) addRefs(v any) {
	switch x := v.(type) {
	case string:
		if _, ok := c.actors[x]; !ok && isWebURL(x) {
			c.actors[x] = "Person"
		}
	case map[string]any:
		id, _ := x["id"].(string)
		typ, _ := x["type"].(string)
		if isWebURL(id) && actorTypes[typ] {
			c.actors[id] = typ
		} else if isWebURL(id) {
			c.addRefs(id)
		}
	case []any:
		for _, val := range x {
			c.addRefs(val)
		}
	}
}

// fediverse returns a fake fediverse serving the corpus: its actors, and
// its objects at their ids.
func (c *corpus) fediverse() *fediverse {
	f := newFediverse()
	for uri, typ := range c.actors {
		f.addActor(uri, typ)
		f.names[uri] = c.names[uri]
	}
	for _, fx := range c.files {
		if strings.Contains(fx.path, "/objects/") && fx.id != "" {
			f.addObject(fx.id, fx.body)
		}
	}
	return f
}

// How a fixture is given to the inbox; the golden file's header says the
// same.
const (
	modeAsIs     = "as-is"    // an activity, sent as it is, signed by its actor
	modeFollow   = "follow"   // a Follow, whose object becomes asso, signed by its actor
	modeCreate   = "create"   // an object, in a Create by its attributedTo
	modeUpdate   = "update"   // an actor, in an Update by itself
	modeUnsigned = "unsigned" // neither (collection, tombstone): sent as it is, unsigned
)

// prepared is a fixture made ready for the inbox.
type prepared struct {
	mode   string
	signer string // actor whose key signs, "" for none
	body   []byte
}

func prepare(f *fixture) prepared {
	switch {
	case f.typ == "Follow":
		doc := copyDoc(f.doc)
		doc["object"] = json.RawMessage(mustMarshal(assoURI))
		return prepared{modeFollow, firstRef(f.doc["actor"]), mustMarshal(doc)}
	case activityTypes[f.typ]:
		return prepared{modeAsIs, firstRef(f.doc["actor"]), f.body}
	case actorTypes[f.typ]:
		return prepared{modeUpdate, f.id, wrap("Update", f.id, "#update-test", f.body)}
	case firstRef(f.doc["attributedTo"]) != "":
		author := firstRef(f.doc["attributedTo"])
		return prepared{modeCreate, author, wrap("Create", author, "#create-test", f.body)}
	}
	return prepared{modeUnsigned, "", f.body}
}

// wrap puts an object in an activity by actor, whose id is the actor's
// URI and suffix: on the actor's server, as the inbox requires.
func wrap(typ, actor, suffix string, object []byte) []byte {
	return mustMarshal(map[string]any{"@context": asContext, "type": typ,
		"id": actor + suffix, "actor": actor, "object": json.RawMessage(object),
		"to": []string{"https://www.w3.org/ns/activitystreams#Public"}})
}

// authors are the actors a prepared document names as actor or
// attributedTo, which asso follows before it is sent; the portal refuses
// plain-HTTP identifiers, so those are left out.
func authors(body []byte) []string {
	c := &corpus{actors: map[string]string{}}
	c.collectActors(body)
	var out []string
	for uri := range c.actors {
		if strings.HasPrefix(uri, "https://") && !strings.HasPrefix(uri, "https://lyon.test/") {
			out = append(out, uri)
		}
	}
	sort.Strings(out)
	return out
}

func copyDoc(d map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(d))
	for k, v := range d {
		out[k] = v
	}
	return out
}

func str(m json.RawMessage) string {
	var s string
	_ = json.Unmarshal(m, &s)
	return s
}

// firstRef reads a reference that may be an identifier, an object with an
// id or a list of them, and returns the first identifier.
func firstRef(m json.RawMessage) string {
	if s := str(m); s != "" {
		return s
	}
	var obj struct{ ID string }
	if json.Unmarshal(m, &obj) == nil && obj.ID != "" {
		return obj.ID
	}
	var list []json.RawMessage
	if json.Unmarshal(m, &list) == nil && len(list) > 0 {
		return firstRef(list[0])
	}
	return ""
}

func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
