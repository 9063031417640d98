package httpsig

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// signatureBase builds the RFC 9421 signature base of s over r: one
// `"id": value` line per covered component, then the @signature-params
// line, without a final newline. scheme is the URI scheme of the request.
func signatureBase(r *http.Request, s sigInput, scheme string) (string, error) {
	var b strings.Builder
	for _, c := range s.components {
		v, err := componentValue(r, c, scheme)
		if err != nil {
			return "", err
		}
		b.WriteString(c.String() + ": " + v + "\n")
	}
	b.WriteString(`"@signature-params": ` + serializeInnerList(s.components, s.params))
	return b.String(), nil
}

// componentValue returns the value of one covered component.
func componentValue(r *http.Request, c sfInner, scheme string) (string, error) {
	switch name := c.item.str; name {
	case "@method":
		return requestMethod(r), nil
	case "@target-uri":
		return scheme + "://" + authority(r, scheme) + requestPath(r, true), nil
	case "@authority":
		return authority(r, scheme), nil
	case "@scheme":
		return scheme, nil
	case "@path":
		return requestPath(r, false), nil
	case "@query":
		return "?" + r.URL.RawQuery, nil
	case "@request-target":
		return requestPath(r, true), nil
	case "@query-param":
		n, _ := c.params.get("name")
		return queryParam(r, n.str)
	default:
		return fieldValue(r, name)
	}
}

// authority returns the host of r in lower case, without the default port
// of scheme.
func authority(r *http.Request, scheme string) string {
	host := strings.ToLower(hostOf(r))
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		return host
	}
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		if strings.Contains(h, ":") {
			return "[" + h + "]"
		}
		return h
	}
	return host
}

// queryParam returns the value of the query parameter name, decoded then
// re-encoded as RFC 9421 section 2.2.8 asks. name is compared in its encoded
// form. An absent parameter wraps ErrMissingHeader; a repeated one is
// refused as ambiguous.
func queryParam(r *http.Request, name string) (string, error) {
	var found []string
	for _, pair := range strings.Split(r.URL.RawQuery, "&") {
		k, v, _ := strings.Cut(pair, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return "", fmt.Errorf("%w: query parameter %q badly encoded", ErrMalformed, k)
		}
		if formEncode(dk) == name {
			found = append(found, formEncode(dv))
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%w: query parameter %q is absent", ErrMissingHeader, name)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%w: query parameter %q repeated", ErrMalformed, name)
}

// formEncode percent-encodes every byte but ASCII letters, digits and
// "*-._", the application/x-www-form-urlencoded set, with %20 for space.
func formEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlpha(c) || isDigit(c) || strings.IndexByte("*-._", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
