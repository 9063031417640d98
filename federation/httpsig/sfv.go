package httpsig

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// This file parses the part of RFC 8941 structured fields that
// Signature-Input, Signature and Content-Digest use: dictionaries whose
// members are items or inner lists, each with parameters.

// sfKind is the type of a bare item.
type sfKind uint8

const (
	sfInteger sfKind = iota + 1
	sfDecimal
	sfString
	sfToken
	sfBytes
	sfBool
)

// sfItem is a bare item. Decimals are kept in thousandths, the precision
// RFC 8941 allows, so they serialize back exactly.
type sfItem struct {
	kind sfKind
	num  int64  // integer, or decimal in thousandths
	str  string // string or token
	raw  []byte // byte sequence
	flag bool   // boolean
}

func sfStr(s string) sfItem { return sfItem{kind: sfString, str: s} }
func sfInt(n int64) sfItem  { return sfItem{kind: sfInteger, num: n} }

// sfParam is one parameter of an item or inner list.
type sfParam struct {
	key string
	val sfItem
}

// sfParams keeps parameters in order with unique keys.
type sfParams []sfParam

// get returns the value of key.
func (ps sfParams) get(key string) (sfItem, bool) {
	for _, p := range ps {
		if p.key == key {
			return p.val, true
		}
	}
	return sfItem{}, false
}

// has reports whether key is present.
func (ps sfParams) has(key string) bool {
	_, ok := ps.get(key)
	return ok
}

// set replaces the value of key in place, or appends it, as RFC 8941 has a
// repeated key overwrite the first.
func (ps sfParams) set(key string, val sfItem) sfParams {
	for i := range ps {
		if ps[i].key == key {
			ps[i].val = val
			return ps
		}
	}
	return append(ps, sfParam{key: key, val: val})
}

// sfInner is an item of an inner list with its parameters.
type sfInner struct {
	item   sfItem
	params sfParams
}

// sfMember is one dictionary member: an item or an inner list.
type sfMember struct {
	key    string
	isList bool
	list   []sfInner
	item   sfItem
	params sfParams
}

// sfDict keeps dictionary members in order with unique keys.
type sfDict []sfMember

func (d sfDict) get(key string) (sfMember, bool) {
	for _, m := range d {
		if m.key == key {
			return m, true
		}
	}
	return sfMember{}, false
}

func (d sfDict) set(m sfMember) sfDict {
	for i := range d {
		if d[i].key == m.key {
			d[i] = m
			return d
		}
	}
	return append(d, m)
}

// sfParser walks one field value. Every method leaves i after what it read.
type sfParser struct {
	s string
	i int
}

// parseDictionary parses a dictionary field value. Errors wrap ErrMalformed.
func parseDictionary(s string) (sfDict, error) {
	p := &sfParser{s: strings.Trim(s, " \t")}
	var d sfDict
	for !p.eof() {
		m, err := p.member()
		if err != nil {
			return nil, err
		}
		d = d.set(m)
		p.skipOWS()
		if p.eof() {
			break
		}
		if p.next() != ',' {
			return nil, p.fail("expected a comma after a member")
		}
		p.skipOWS()
		if p.eof() {
			return nil, p.fail("trailing comma")
		}
	}
	return d, nil
}

func (p *sfParser) eof() bool { return p.i >= len(p.s) }

// peek returns the current byte, or 0 at the end.
func (p *sfParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.i]
}

// next consumes and returns the current byte, or 0 at the end.
func (p *sfParser) next() byte {
	c := p.peek()
	if !p.eof() {
		p.i++
	}
	return c
}

func (p *sfParser) skipOWS() {
	for p.peek() == ' ' || p.peek() == '\t' {
		p.i++
	}
}

func (p *sfParser) skipSP() {
	for p.peek() == ' ' {
		p.i++
	}
}

func (p *sfParser) fail(what string) error {
	return fmt.Errorf("%w: structured field: %s at offset %d", ErrMalformed, what, p.i)
}

func (p *sfParser) member() (sfMember, error) {
	key, err := p.key()
	if err != nil {
		return sfMember{}, err
	}
	m := sfMember{key: key, item: sfItem{kind: sfBool, flag: true}}
	if p.peek() == '=' {
		p.i++
		if p.peek() == '(' {
			m.isList = true
			m.list, err = p.innerList()
		} else {
			m.item, err = p.bareItem()
		}
		if err != nil {
			return sfMember{}, err
		}
	}
	m.params, err = p.params()
	return m, err
}

func (p *sfParser) innerList() ([]sfInner, error) {
	p.i++ // the opening parenthesis
	var list []sfInner
	for {
		p.skipSP()
		if p.eof() {
			return nil, p.fail("unterminated inner list")
		}
		if p.peek() == ')' {
			p.i++
			return list, nil
		}
		item, err := p.bareItem()
		if err != nil {
			return nil, err
		}
		params, err := p.params()
		if err != nil {
			return nil, err
		}
		list = append(list, sfInner{item: item, params: params})
		if c := p.peek(); c != ' ' && c != ')' {
			return nil, p.fail("expected a space or ) in inner list")
		}
	}
}

func (p *sfParser) params() (sfParams, error) {
	var ps sfParams
	for p.peek() == ';' {
		p.i++
		p.skipSP()
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		val := sfItem{kind: sfBool, flag: true}
		if p.peek() == '=' {
			p.i++
			if val, err = p.bareItem(); err != nil {
				return nil, err
			}
		}
		ps = ps.set(key, val)
	}
	return ps, nil
}

func (p *sfParser) key() (string, error) {
	if c := p.peek(); !isLower(c) && c != '*' {
		return "", p.fail("expected a key")
	}
	start := p.i
	for !p.eof() && isKeyChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i], nil
}

func (p *sfParser) bareItem() (sfItem, error) {
	switch c := p.peek(); {
	case c == '-' || isDigit(c):
		return p.number()
	case c == '"':
		return p.quoted()
	case c == ':':
		return p.byteSequence()
	case c == '?':
		return p.boolean()
	case isAlpha(c) || c == '*':
		return p.token(), nil
	}
	return sfItem{}, p.fail("expected an item")
}

// number parses an integer (at most 15 digits) or a decimal (at most 12
// digits, a dot and 1 to 3 digits).
func (p *sfParser) number() (sfItem, error) {
	sign := int64(1)
	if p.peek() == '-' {
		sign = -1
		p.i++
	}
	whole, n := p.digits()
	if n == 0 || n > 15 {
		return sfItem{}, p.fail("bad integer")
	}
	if p.peek() != '.' {
		return sfInt(sign * whole), nil
	}
	p.i++
	frac, m := p.digits()
	if n > 12 || m == 0 || m > 3 {
		return sfItem{}, p.fail("bad decimal")
	}
	for ; m < 3; m++ {
		frac *= 10
	}
	return sfItem{kind: sfDecimal, num: sign * (whole*1000 + frac)}, nil
}

// digits reads up to 16 decimal digits and returns their value and count.
func (p *sfParser) digits() (int64, int) {
	var v int64
	n := 0
	for isDigit(p.peek()) && n < 16 {
		v = v*10 + int64(p.next()-'0')
		n++
	}
	return v, n
}

func (p *sfParser) quoted() (sfItem, error) {
	p.i++ // the opening quote
	var b strings.Builder
	for !p.eof() {
		c := p.next()
		switch {
		case c == '"':
			return sfStr(b.String()), nil
		case c == '\\':
			e := p.next()
			if e != '"' && e != '\\' {
				return sfItem{}, p.fail("bad escape in string")
			}
			b.WriteByte(e)
		case c < 0x20 || c > 0x7e:
			return sfItem{}, p.fail("non-printable character in string")
		default:
			b.WriteByte(c)
		}
	}
	return sfItem{}, p.fail("unterminated string")
}

func (p *sfParser) token() sfItem {
	start := p.i
	p.i++
	for !p.eof() && (isTchar(p.s[p.i]) || p.s[p.i] == ':' || p.s[p.i] == '/') {
		p.i++
	}
	return sfItem{kind: sfToken, str: p.s[start:p.i]}
}

func (p *sfParser) byteSequence() (sfItem, error) {
	p.i++ // the opening colon
	end := strings.IndexByte(p.s[p.i:], ':')
	if end < 0 {
		return sfItem{}, p.fail("unterminated byte sequence")
	}
	encoded := p.s[p.i : p.i+end]
	raw, err := decodeBase64(encoded)
	if err != nil {
		return sfItem{}, p.fail("bad base64 in byte sequence")
	}
	p.i += end + 1
	return sfItem{kind: sfBytes, raw: raw}, nil
}

func (p *sfParser) boolean() (sfItem, error) {
	p.i++ // the question mark
	switch p.next() {
	case '0':
		return sfItem{kind: sfBool}, nil
	case '1':
		return sfItem{kind: sfBool, flag: true}, nil
	}
	return sfItem{}, p.fail("bad boolean")
}

// decodeBase64 decodes standard base64, with or without padding.
func decodeBase64(s string) ([]byte, error) {
	if strings.HasSuffix(s, "=") || len(s)%4 == 0 {
		return base64.StdEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isAlpha(c byte) bool { return isLower(c) || ('A' <= c && c <= 'Z') }

func isKeyChar(c byte) bool {
	return isLower(c) || isDigit(c) || strings.IndexByte("_-.*", c) >= 0
}

// isTchar reports whether c may appear in an HTTP token (RFC 9110).
func isTchar(c byte) bool {
	return isAlpha(c) || isDigit(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
