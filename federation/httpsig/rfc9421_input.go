package httpsig

import (
	"fmt"
	"net/http"
	"strings"
)

// Limits on what one request may ask a verifier to do.
const (
	maxSignatures = 4  // labelled signatures considered per request
	maxComponents = 64 // covered components per signature
)

// derived lists the derived components this package computes for requests.
var derived = map[string]bool{
	"@method": true, "@target-uri": true, "@authority": true, "@scheme": true,
	"@path": true, "@query": true, "@request-target": true, "@query-param": true,
}

// sigInput is one labelled signature: its Signature-Input member and the
// matching Signature bytes.
type sigInput struct {
	label      string
	components []sfInner // sf-strings naming components, with parameters
	params     sfParams  // created, expires, keyid, alg, nonce, tag, ...
	signature  []byte
}

// parseSignatures reads the Signature-Input and Signature dictionaries of r,
// at most maxSignatures of them. A label without a matching byte sequence in
// Signature is refused. Errors wrap ErrMalformed.
func parseSignatures(r *http.Request) ([]sigInput, error) {
	inputs, err := parseDictionary(strings.Join(r.Header.Values("Signature-Input"), ", "))
	if err != nil {
		return nil, fmt.Errorf("parsing Signature-Input: %w", err)
	}
	sigs, err := parseDictionary(strings.Join(r.Header.Values("Signature"), ", "))
	if err != nil {
		return nil, fmt.Errorf("parsing Signature: %w", err)
	}
	if len(inputs) == 0 || len(inputs) > maxSignatures {
		return nil, fmt.Errorf("%w: %d signatures", ErrMalformed, len(inputs))
	}
	out := make([]sigInput, 0, len(inputs))
	for _, in := range inputs {
		s, err := toSigInput(in, sigs)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func toSigInput(in sfMember, sigs sfDict) (sigInput, error) {
	if !in.isList {
		return sigInput{}, fmt.Errorf("%w: %q is not an inner list", ErrMalformed, in.key)
	}
	sig, ok := sigs.get(in.key)
	if !ok || sig.isList || sig.item.kind != sfBytes {
		return sigInput{}, fmt.Errorf("%w: no Signature bytes for %q", ErrMalformed, in.key)
	}
	s := sigInput{label: in.key, components: in.list, params: in.params, signature: sig.item.raw}
	return s, s.checkComponents()
}

// checkComponents requires lower-case names, of supported derived
// components or of header fields, each listed once. Only @query-param takes
// a parameter, its required name.
func (s sigInput) checkComponents() error {
	if len(s.components) > maxComponents {
		return fmt.Errorf("%w: %d components", ErrMalformed, len(s.components))
	}
	seen := make(map[string]bool, len(s.components))
	for _, c := range s.components {
		if err := checkComponent(c); err != nil {
			return err
		}
		if id := c.String(); seen[id] {
			return fmt.Errorf("%w: component %s repeated", ErrMalformed, id)
		} else {
			seen[id] = true
		}
	}
	return nil
}

func checkComponent(c sfInner) error {
	name := c.item.str
	switch {
	case c.item.kind != sfString || name == "":
		return fmt.Errorf("%w: component %s is not a name", ErrMalformed, c)
	case name[0] == '@' && !derived[name]:
		return fmt.Errorf("%w: unsupported component %s", ErrMalformed, c)
	case name[0] != '@' && !isFieldName(name):
		return fmt.Errorf("%w: bad field name %s", ErrMalformed, c)
	case name == "@query-param":
		if n, ok := c.params.get("name"); !ok || n.kind != sfString || len(c.params) != 1 {
			return fmt.Errorf("%w: %s needs exactly a name parameter", ErrMalformed, c)
		}
	case len(c.params) > 0:
		return fmt.Errorf("%w: unsupported parameters on %s", ErrMalformed, c)
	}
	return nil
}

// isFieldName reports whether s is a lower-case HTTP field name.
func isFieldName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) || ('A' <= s[i] && s[i] <= 'Z') {
			return false
		}
	}
	return true
}

// covers reports whether the signature covers the component name.
func (s sigInput) covers(name string) bool {
	for _, c := range s.components {
		if c.item.str == name {
			return true
		}
	}
	return false
}

// stringParam returns the string parameter key, "" when absent; another
// type wraps ErrMalformed.
func (s sigInput) stringParam(key string) (string, error) {
	v, ok := s.params.get(key)
	if !ok {
		return "", nil
	}
	if v.kind != sfString {
		return "", fmt.Errorf("%w: parameter %s is not a string", ErrMalformed, key)
	}
	return v.str, nil
}

// intParam returns the integer parameter key and whether it is present;
// another type wraps ErrMalformed.
func (s sigInput) intParam(key string) (int64, bool, error) {
	v, ok := s.params.get(key)
	if !ok {
		return 0, false, nil
	}
	if v.kind != sfInteger {
		return 0, false, fmt.Errorf("%w: parameter %s is not an integer", ErrMalformed, key)
	}
	return v.num, true, nil
}
