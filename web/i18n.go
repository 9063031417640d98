package web

import (
	"errors"
	"fmt"

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
// the field by its label. Reasons the catalogue does not know stay in the
// domain's own words.
func fieldMessage(lang string, err error) string {
	var fe *timeline.FieldError
	if !errors.As(err, &fe) {
		return tr(lang, "error.422.text")
	}
	label, why := fe.Field, fe.Why
	if m, ok := catalogue[lang]["field."+fe.Field]; ok {
		label = m
	}
	if m, ok := catalogue[lang]["why."+fe.Why]; ok {
		why = m
	}
	if lang == "fr" {
		return label + "\u00a0: " + why
	}
	return label + ": " + why
}
