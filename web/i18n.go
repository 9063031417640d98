package web

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ess-lyon/portal/timeline"
)

// The portal speaks French first; English is one click away.
const defaultLang = "fr"

// langs are the languages pages are written in, in the switch's order.
var langs = []string{"fr", "en"}

// langNames name each language in itself, for the switch.
var langNames = map[string]string{"fr": "Français", "en": "English"}

// knownLang tells whether the portal is written in lang.
func knownLang(lang string) bool {
	_, ok := catalogue[lang]
	return ok
}

// pickLang returns the first known language among choices, or French.
func pickLang(choices ...string) string {
	for _, c := range choices {
		if knownLang(c) {
			return c
		}
	}
	return defaultLang
}

// tr returns the message for key in lang, the French one if lang lacks it,
// or the key itself so that a missing message shows without breaking the
// page (a test checks that none is missing).
func tr(lang, key string) string {
	if m, ok := catalogue[lang][key]; ok {
		return m
	}
	if m, ok := catalogue[defaultLang][key]; ok {
		return m
	}
	return key
}

// plural writes the message for a count n, from key+".one" or
// key+".other": French counts 0 and 1 as singular, English only 1.
func plural(lang, key string, n int) string {
	one := n == 1
	if lang == "fr" {
		one = n == 0 || n == 1
	}
	if one {
		return fmt.Sprintf(tr(lang, key+".one"), n)
	}
	return fmt.Sprintf(tr(lang, key+".other"), n)
}

// legalFormLabel names a legal form code in lang.
func legalFormLabel(lang, code string) string {
	if m, ok := catalogue[lang]["legal."+code]; ok {
		return m
	}
	return code
}

// fieldMessage turns a validation error into a sentence in lang, naming
// the field by its label.
func fieldMessage(lang string, err error) string {
	var fe *timeline.FieldError
	if !errors.As(err, &fe) {
		return tr(lang, "error.422.text")
	}
	label, why := fe.Field, reason(lang, fe.Why)
	if m, ok := catalogue[lang]["field."+fe.Field]; ok {
		label = m
	}
	if lang == "fr" {
		return label + "\u00a0: " + why
	}
	return label + ": " + why
}

// valuedReasons are the reasons that end with the value refused; their
// catalogue key ends with %s instead.
var valuedReasons = []string{"unknown zone ", "unknown legal form "}

// number is a number in a reason; the catalogue key writes it %d.
var number = regexp.MustCompile(`[0-9]+`)

// reason translates the reason of a validation error into lang. The
// catalogue knows it as is, or with its numbers written %d ("at most %d
// characters"), or with the value it ends with written %s ("unknown zone
// %s"). Reasons it does not know stay in the domain's own words.
func reason(lang, why string) string {
	if m, ok := catalogue[lang]["why."+why]; ok {
		return m
	}
	for _, prefix := range valuedReasons {
		if v, ok := strings.CutPrefix(why, prefix); ok {
			if m, ok := catalogue[lang]["why."+prefix+"%s"]; ok {
				return fmt.Sprintf(m, v)
			}
		}
	}

	var nums []any
	key := number.ReplaceAllStringFunc(why, func(digits string) string {
		n, err := strconv.Atoi(digits)
		if err != nil {
			return digits // too large for a limit: no message matches
		}
		nums = append(nums, n)
		return "%d"
	})
	if m, ok := catalogue[lang]["why."+key]; ok && len(nums) > 0 {
		return fmt.Sprintf(m, nums...)
	}
	return why
}
