package federation

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzParseActivity feeds the inbox's parser arbitrary bytes: it must
// never panic, and what it accepts must have a type and an http(s) actor.
func FuzzParseActivity(f *testing.F) {
	f.Add([]byte(`{"id":"https://a.example/1","type":"Follow","actor":"https://a.example/u",` +
		`"object":"https://lyon.test/@x"}`))
	f.Add([]byte(`{"type":"Create","actor":[{"id":"https://a.example/u"}],"object":{"id":` +
		`"https://a.example/n","type":"Note","content":"<p>x</p>"}}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`))
	f.Add([]byte(`{"type":"Announce","actor":"javascript:alert(1)","object":null}`))
	f.Add([]byte(`{"type":1,"actor":{"id":2}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := parseActivity(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooDeep) {
				t.Fatalf("error %v is neither ErrMalformed nor ErrTooDeep", err)
			}
			return
		}
		if in.typ == "" || !isHTTPURL(in.actor) {
			t.Fatalf("accepted %q with type %q actor %q", body, in.typ, in.actor)
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
	})
}

func TestCheckShapeBounds(t *testing.T) {
	deep := make([]byte, 0, 200)
	for range 60 {
		deep = append(deep, '[')
	}
	for range 60 {
		deep = append(deep, ']')
	}
	long := []byte("[")
	for i := range 5000 {
		if i > 0 {
			long = append(long, ',')
		}
		long = append(long, '1')
	}
	long = append(long, ']')
	cases := []struct {
		name string
		body []byte
		want error
	}{
		{"deep", deep, ErrTooDeep},
		{"long array", long, ErrTooDeep},
		{"truncated", []byte(`{"a":[1,2`), ErrMalformed},
		{"fine", []byte(`{"a":[1,2,{"b":[3]}],"c":{"d":"e"}}`), nil},
	}
	for _, c := range cases {
		if err := checkShape(c.body); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}
