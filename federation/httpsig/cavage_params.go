package httpsig

import (
	"fmt"
	"strconv"
	"strings"
)

// cavageParams is a parsed draft-cavage Signature header.
type cavageParams struct {
	keyID     string
	algorithm string   // lower case; "" when absent
	headers   []string // lower case, in signing order
	signature []byte
	created   string // as sent, "" when absent
	expires   string // as sent, "" when absent
}

// parseSignatureHeader parses the value of a draft-cavage Signature header,
// or of an Authorization header after its "Signature" scheme: a comma
// separated list of name=value pairs, values quoted or bare. Parameter names
// are case-insensitive and unknown ones are ignored; a repeated name is
// refused as ambiguous. keyId and signature are required; headers defaults
// to "date". Errors wrap ErrMalformed.
func parseSignatureHeader(v string) (cavageParams, error) {
	raw, err := splitParams(v)
	if err != nil {
		return cavageParams{}, err
	}
	return raw.toParams()
}

// rawParams maps lower-case parameter names to their unquoted values.
type rawParams map[string]string

func splitParams(v string) (rawParams, error) {
	out := rawParams{}
	sc := &paramScanner{s: v}
	for {
		sc.skipSeparators()
		if sc.eof() {
			return out, nil
		}
		name, value, err := sc.param()
		if err != nil {
			return nil, err
		}
		name = strings.ToLower(name)
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%w: parameter %q repeated", ErrMalformed, name)
		}
		out[name] = value
		if err := sc.endOfParam(); err != nil {
			return nil, err
		}
	}
}

func (raw rawParams) toParams() (cavageParams, error) {
	p := cavageParams{
		keyID:     raw["keyid"],
		algorithm: strings.ToLower(raw["algorithm"]),
		headers:   []string{"date"},
		created:   raw["created"],
		expires:   raw["expires"],
	}
	if p.keyID == "" {
		return p, fmt.Errorf("%w: keyId missing", ErrMalformed)
	}
	if h, ok := raw["headers"]; ok {
		p.headers = strings.Fields(strings.ToLower(h))
	}
	sig, err := decodeBase64(raw["signature"])
	if err != nil || len(sig) == 0 {
		return p, fmt.Errorf("%w: signature missing or not base64", ErrMalformed)
	}
	p.signature = sig
	if err := checkTimestamp("created", p.created); err != nil {
		return p, err
	}
	return p, checkTimestamp("expires", p.expires)
}

// checkTimestamp accepts an absent value or a number of seconds since the
// epoch, possibly with a fraction.
func checkTimestamp(name, v string) error {
	if v == "" {
		return nil
	}
	if _, err := parseUnix(v); err != nil {
		return fmt.Errorf("%w: %s %q", ErrMalformed, name, v)
	}
	return nil
}

// parseUnix parses seconds since the epoch, dropping any fraction.
func parseUnix(v string) (int64, error) {
	whole, frac, _ := strings.Cut(v, ".")
	if strings.Trim(frac, "0123456789") != "" {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(whole, 10, 64)
}

// format writes p back as a Signature header value, bare numbers for created
// and expires and quoted strings for the rest.
func (p cavageParams) format(signature string) string {
	parts := []string{"keyId=" + quoteParam(p.keyID)}
	if p.algorithm != "" {
		parts = append(parts, "algorithm="+quoteParam(p.algorithm))
	}
	if p.created != "" {
		parts = append(parts, "created="+p.created)
	}
	if p.expires != "" {
		parts = append(parts, "expires="+p.expires)
	}
	parts = append(parts, "headers="+quoteParam(strings.Join(p.headers, " ")))
	parts = append(parts, "signature="+quoteParam(signature))
	return strings.Join(parts, ",")
}

func quoteParam(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// paramScanner reads name=value pairs from a draft-cavage header value.
type paramScanner struct {
	s string
	i int
}

func (sc *paramScanner) eof() bool { return sc.i >= len(sc.s) }

// skipSeparators skips white space and empty list elements.
func (sc *paramScanner) skipSeparators() {
	for !sc.eof() && strings.IndexByte(" \t,", sc.s[sc.i]) >= 0 {
		sc.i++
	}
}

func (sc *paramScanner) skipOWS() {
	for !sc.eof() && (sc.s[sc.i] == ' ' || sc.s[sc.i] == '\t') {
		sc.i++
	}
}

func (sc *paramScanner) fail(what string) error {
	return fmt.Errorf("%w: %s at offset %d", ErrMalformed, what, sc.i)
}

// param reads name OWS "=" OWS value.
func (sc *paramScanner) param() (string, string, error) {
	start := sc.i
	for !sc.eof() && isTchar(sc.s[sc.i]) {
		sc.i++
	}
	name := sc.s[start:sc.i]
	if name == "" {
		return "", "", sc.fail("expected a parameter name")
	}
	sc.skipOWS()
	if sc.eof() || sc.s[sc.i] != '=' {
		return "", "", sc.fail("expected =")
	}
	sc.i++
	sc.skipOWS()
	if !sc.eof() && sc.s[sc.i] == '"' {
		value, err := sc.quoted()
		return name, value, err
	}
	return name, sc.bare(), nil
}

// quoted reads a quoted string; a backslash escapes the next character.
func (sc *paramScanner) quoted() (string, error) {
	sc.i++ // the opening quote
	var b strings.Builder
	for !sc.eof() {
		c := sc.s[sc.i]
		sc.i++
		switch {
		case c == '"':
			return b.String(), nil
		case c == '\\' && !sc.eof():
			b.WriteByte(sc.s[sc.i])
			sc.i++
		default:
			b.WriteByte(c)
		}
	}
	return "", sc.fail("unterminated quoted string")
}

// bare reads an unquoted value up to white space or a comma.
func (sc *paramScanner) bare() string {
	start := sc.i
	for !sc.eof() && strings.IndexByte(" \t,", sc.s[sc.i]) < 0 {
		sc.i++
	}
	return sc.s[start:sc.i]
}

// endOfParam requires a comma or the end after a value.
func (sc *paramScanner) endOfParam() error {
	sc.skipOWS()
	if sc.eof() || sc.s[sc.i] == ',' {
		return nil
	}
	return sc.fail("expected a comma")
}
