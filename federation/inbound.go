package federation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	ap "github.com/go-ap/activitypub"
)

// Inbound documents are read with go-ap, which takes the many shapes real
// servers send (an identifier or an embedded object, one value or a list,
// a language map) without failing on what it does not know. Terms outside
// ActivityStreams that the portal needs (an event's postal address, its
// time zone) are read from the raw JSON next to it.

// Errors of inbound documents; the inbox answers 400 for them.
var (
	ErrMalformed = errors.New("federation: malformed document")
	ErrTooDeep   = errors.New("federation: document nested too deeply or too long")
	ErrOrigin    = errors.New("federation: object does not come from its actor's server")
)

// Bounds on inbound JSON: far beyond any real document, small enough that
// a hostile one costs little to refuse.
const (
	maxDepth      = 24
	maxArrayItems = 2000
)

// incoming is an activity as received.
type incoming struct {
	raw    map[string]json.RawMessage
	item   ap.Item
	id     string
	typ    string
	actor  string
	object ap.Item
}

// parseActivity reads an inbound activity and checks that it has the
// fields every activity needs.
func parseActivity(body []byte) (*incoming, error) {
	if err := checkShape(body); err != nil {
		return nil, err
	}
	in := &incoming{}
	if err := json.Unmarshal(body, &in.raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	in.typ = rawString(in.raw["type"])
	in.id = rawString(in.raw["id"])
	in.actor = firstID(in.raw["actor"])
	if in.typ == "" || in.actor == "" {
		return nil, fmt.Errorf("%w: an activity needs a type and an actor", ErrMalformed)
	}
	if !isHTTPURL(in.actor) || (in.id != "" && !isHTTPURL(in.id)) {
		return nil, fmt.Errorf("%w: id and actor must be http(s) URLs", ErrMalformed)
	}
	item, err := ap.UnmarshalJSON(body)
	if err == nil && item != nil {
		in.item = item
		_ = ap.OnActivity(item, func(a *ap.Activity) error {
			in.object = a.Object
			return nil
		})
	}
	return in, nil
}

// checkShape walks the JSON tokens once, refusing documents nested deeper
// than maxDepth or with longer arrays than maxArrayItems, before anything
// allocates for them.
func checkShape(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	var counts []int // items seen in each open array, -1 for objects
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if len(counts) != 0 {
				return fmt.Errorf("%w: truncated", ErrMalformed)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		d, isDelim := tok.(json.Delim)
		if isDelim && (d == ']' || d == '}') {
			counts = counts[:len(counts)-1]
			continue
		}
		// tok starts a value (or is an object's key, which only objects
		// have): count it as an item of the array it is in.
		if n := len(counts); n > 0 && counts[n-1] >= 0 {
			counts[n-1]++
			if counts[n-1] > maxArrayItems {
				return ErrTooDeep
			}
		}
		if isDelim {
			if d == '[' {
				counts = append(counts, 0)
			} else {
				counts = append(counts, -1)
			}
			if len(counts) > maxDepth {
				return ErrTooDeep
			}
		}
	}
}

func rawString(m json.RawMessage) string {
	var s string
	if json.Unmarshal(m, &s) != nil {
		return ""
	}
	return s
}

// firstID reads a reference that may be an identifier, an object with an
// id, or a list of either, and returns the first identifier.
func firstID(m json.RawMessage) string {
	if s := rawString(m); s != "" {
		return s
	}
	var obj struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(m, &obj) == nil && obj.ID != "" {
		return obj.ID
	}
	var list []json.RawMessage
	if json.Unmarshal(m, &list) == nil && len(list) > 0 {
		return firstID(list[0])
	}
	return ""
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// sameOrigin tells whether two identifiers are on the same server.
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host != "" &&
		strings.EqualFold(ua.Host, ub.Host) && ua.Scheme == ub.Scheme
}

// itemID returns an item's identifier, whether it is a link or an object;
// of a list (PeerTube attributes a video to an account and a channel), the
// first item's.
func itemID(it ap.Item) string {
	it = firstItem(it)
	if it == nil {
		return ""
	}
	return it.GetLink().String()
}

// text returns the first value of a natural-language property.
func text(n ap.NaturalLanguageValues) string {
	if len(n) == 0 {
		return ""
	}
	return string(n.First().Value)
}
