package httpsig

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// This file serializes structured field values (RFC 8941, section 4.1), as
// the signature base and the signing functions need them.

// Items, parameters and inner-list items print as they serialize, which
// error messages rely on.
var (
	_ fmt.Stringer = sfItem{}
	_ fmt.Stringer = sfParams{}
	_ fmt.Stringer = sfInner{}
)

// String returns the serialization of the bare item.
func (it sfItem) String() string {
	switch it.kind {
	case sfInteger:
		return strconv.FormatInt(it.num, 10)
	case sfDecimal:
		return formatDecimal(it.num)
	case sfString:
		return quoteString(it.str)
	case sfToken:
		return it.str
	case sfBytes:
		return ":" + base64.StdEncoding.EncodeToString(it.raw) + ":"
	case sfBool:
		if it.flag {
			return "?1"
		}
		return "?0"
	}
	return ""
}

// String returns the serialization of the parameters, each with its leading
// semicolon; a true boolean is written as the bare key.
func (ps sfParams) String() string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteByte(';')
		b.WriteString(p.key)
		if p.val.kind == sfBool && p.val.flag {
			continue
		}
		b.WriteByte('=')
		b.WriteString(p.val.String())
	}
	return b.String()
}

// String returns the serialization of the item with its parameters.
func (in sfInner) String() string {
	return in.item.String() + in.params.String()
}

// serializeInnerList returns the serialization of an inner list with its
// parameters, such as ("@method" "@path");created=1618884473.
func serializeInnerList(list []sfInner, params sfParams) string {
	parts := make([]string, len(list))
	for i, in := range list {
		parts[i] = in.String()
	}
	return "(" + strings.Join(parts, " ") + ")" + params.String()
}

// quoteString serializes s as an sf-string. s must hold printable ASCII
// only; callers check with isPrintableASCII.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// formatDecimal writes thousandths as the shortest decimal with at least one
// fractional digit.
func formatDecimal(thousandths int64) string {
	sign := ""
	if thousandths < 0 {
		sign, thousandths = "-", -thousandths
	}
	frac := strings.TrimRight(strconv.FormatInt(1000+thousandths%1000, 10)[1:], "0")
	if frac == "" {
		frac = "0"
	}
	return sign + strconv.FormatInt(thousandths/1000, 10) + "." + frac
}

// isPrintableASCII reports whether s holds only the characters an sf-string
// may carry.
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
