package httpsig

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// TestParseSignatureHeader covers the shapes peers send.
func TestParseSignatureHeader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want cavageParams
	}{
		{"mastodon",
			`keyId="https://m.example/u#main-key",algorithm="rsa-sha256",` +
				`headers="(request-target) host date digest",signature="AQID"`,
			cavageParams{keyID: "https://m.example/u#main-key", algorithm: "rsa-sha256",
				headers: []string{"(request-target)", "host", "date", "digest"}}},
		{"spaces, case and empty elements",
			` KeyId = "k" ,, Algorithm="HS2019" , headers="Date  Host",signature="AQID", `,
			cavageParams{keyID: "k", algorithm: "hs2019", headers: []string{"date", "host"}}},
		{"headers default to date", `keyId="k",signature="AQID"`,
			cavageParams{keyID: "k", headers: []string{"date"}}},
		{"comma and escaped quote inside quotes", `keyId="a,\"b\"",signature="AQID"`,
			cavageParams{keyID: `a,"b"`, headers: []string{"date"}}},
		{"bare values and unknown parameters",
			`keyId=k,created=1714564800,expires=1714568400.5,foo="bar",signature=AQID`,
			cavageParams{keyID: "k", created: "1714564800", expires: "1714568400.5",
				headers: []string{"date"}}},
		{"unpadded signature", `keyId="k",signature="AQI"`,
			cavageParams{keyID: "k", headers: []string{"date"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSignatureHeader(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.keyID != tt.want.keyID || got.algorithm != tt.want.algorithm ||
				!slices.Equal(got.headers, tt.want.headers) || got.created != tt.want.created ||
				got.expires != tt.want.expires || len(got.signature) == 0 {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestParseSignatureHeaderGarbage refuses every value of cavageGarbage.
func TestParseSignatureHeaderGarbage(t *testing.T) {
	for _, in := range cavageGarbage {
		if p, err := parseSignatureHeader(in); !errors.Is(err, ErrMalformed) {
			t.Errorf("parseSignatureHeader(%q) = %+v, %v; want ErrMalformed", in, p, err)
		}
	}
}

// TestParseDictionary parses dictionaries and serializes them back.
func TestParseDictionary(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a=1`, `a=1`},
		{`a=("x" "y");p=1;q="s", b=:AQID:`, `a=("x" "y");p=1;q="s", b=:AQID:`},
		{`a=( "x"  "y" ) ,b=?1;c`, `a=("x" "y"), b;c`},
		{`a=1, a=2`, `a=2`},
		{`a=1.50, b=-0.001, c=tok/en:x, d=?0`, `a=1.5, b=-0.001, c=tok/en:x, d=?0`},
		{`a=("x";n="1";n="2")`, `a=("x";n="2")`},
		{`a=:AQI:`, `a=:AQI=:`},
		{`*k.-_9=*t`, `*k.-_9=*t`},
		{`a="q\"\\"`, `a="q\"\\"`},
		{``, ``},
	}
	for _, tt := range tests {
		d, err := parseDictionary(tt.in)
		if err != nil {
			t.Errorf("parseDictionary(%q): %v", tt.in, err)
			continue
		}
		if got := serializeDictionary(d); got != tt.want {
			t.Errorf("parseDictionary(%q) serializes as %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseSignatureInputGarbage refuses every value of inputGarbage.
func TestParseSignatureInputGarbage(t *testing.T) {
	for _, in := range inputGarbage {
		r := &http.Request{URL: &url.URL{Path: "/"}, Header: http.Header{
			"Signature-Input": {in}, "Signature": {"sig1=:AAAA:"}}}
		if sigs, err := parseSignatures(r); !errors.Is(err, ErrMalformed) {
			t.Errorf("parseSignatures(%q) = %d signatures, %v; want ErrMalformed",
				in, len(sigs), err)
		}
	}
}

// TestQueryParam follows the examples of RFC 9421, section 2.2.8.
func TestQueryParam(t *testing.T) {
	u, err := url.Parse("https://example.com/parameters?var=this%20is%20a%20big%0Aname" +
		"&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something&dup=1&dup=2")
	if err != nil {
		t.Fatal(err)
	}
	r := &http.Request{URL: u, Header: http.Header{}}
	tests := []struct {
		name, want string
		err        error
	}{
		{"var", "this%20is%20a%20big%0Aname", nil},
		{"bar", "with%20plus%20whitespace", nil},
		{"fa%C3%A7ade%22%3A%20", "something", nil},
		{"missing", "", ErrMissingHeader},
		{"dup", "", ErrMalformed},
	}
	for _, tt := range tests {
		got, err := queryParam(r, tt.name)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("queryParam(%q) = %q, %v; want %q, %v", tt.name, got, err, tt.want, tt.err)
		}
	}
}

// TestAuthority lower-cases the host and drops the scheme's default port.
func TestAuthority(t *testing.T) {
	tests := []struct{ host, scheme, want string }{
		{"Example.COM", "https", "example.com"},
		{"example.com:443", "https", "example.com"},
		{"example.com:443", "http", "example.com:443"},
		{"example.com:80", "http", "example.com"},
		{"example.com:8443", "https", "example.com:8443"},
		{"[::1]:443", "https", "[::1]"},
		{"[::1]:8080", "https", "[::1]:8080"},
	}
	for _, tt := range tests {
		r := &http.Request{Host: tt.host, URL: &url.URL{}}
		if got := authority(r, tt.scheme); got != tt.want {
			t.Errorf("authority(%q, %s) = %q, want %q", tt.host, tt.scheme, got, tt.want)
		}
	}
}

// serializeDictionary writes a dictionary back per RFC 8941, section 4.1.2.
func serializeDictionary(d sfDict) string {
	var out string
	for i, m := range d {
		if i > 0 {
			out += ", "
		}
		out += m.key
		switch {
		case m.isList:
			out += "=" + serializeInnerList(m.list, m.params)
		case m.item.kind == sfBool && m.item.flag:
			out += m.params.String()
		default:
			out += "=" + m.item.String() + m.params.String()
		}
	}
	return out
}
