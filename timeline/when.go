package timeline

import (
	"fmt"
	"strings"
	"time"
)

var (
	frDays   = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
		"août", "septembre", "octobre", "novembre", "décembre"}
)

// FormatDate writes a day the way people read it in lang ("fr" or "en"):
// "samedi 12 décembre 2026" or "Saturday 12 December 2026".
func FormatDate(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("Monday 2 January 2006")
	}
	return fmt.Sprintf("%s %d %s %d", frDays[t.Weekday()], t.Day(), frMonths[t.Month()-1], t.Year())
}

// FormatClock writes a time of day: "14 h 30" in French (with no-break
// spaces), "14:30" in English.
func FormatClock(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("15:04")
	}
	return fmt.Sprintf("%d\u00a0h\u00a0%02d", t.Hour(), t.Minute())
}

// When describes an event's dates in its own time zone, in lang: "samedi 12
// décembre 2026, 14 h 00 – 18 h 00" or, over several days, "du … au …".
// A zone other than the portal's is named, since a reader in Lyon would
// otherwise take the times for Lyon's. It is empty for posts that are not
// events.
func (p *Post) When(lang string) string {
	if p.Kind != Event && p.StartsAt.IsZero() {
		return ""
	}
	when := p.when(lang)
	if zone := p.Location().String(); zone != DefaultTimeZone {
		if lang == "en" {
			return when + " (" + zone + " time)"
		}
		return when + " (fuseau " + zone + ")"
	}
	return when
}

func (p *Post) when(lang string) string {
	loc := p.Location()
	start, end := p.StartsAt.In(loc), p.EndsAt.In(loc)
	day := FormatDate(start, lang)
	if p.EndsAt.IsZero() {
		return day + ", " + FormatClock(start, lang)
	}
	if start.YearDay() == end.YearDay() && start.Year() == end.Year() {
		// No-break spaces keep "14 h 00 – 18 h 00" from wrapping mid-time.
		return fmt.Sprintf("%s, %s\u00a0– %s", day, FormatClock(start, lang),
			FormatClock(end, lang))
	}
	from, to := "du", "au"
	if lang == "en" {
		from, to = "from", "to"
	}
	return fmt.Sprintf("%s %s, %s %s %s, %s", from, day, FormatClock(start, lang), to,
		FormatDate(end, lang), FormatClock(end, lang))
}

// Where describes an event's place in one line: name, street, town, and
// "en ligne" when it also happens online.
func (p *Post) Where(lang string) string {
	var parts []string
	for _, s := range []string{p.PlaceName, p.StreetAddress,
		strings.TrimSpace(p.PostalCode + " " + p.Locality)} {
		if strings.TrimSpace(s) != "" {
			parts = append(parts, strings.TrimSpace(s))
		}
	}
	if p.OnlineURL != "" {
		online := "en ligne"
		if lang == "en" {
			online = "online"
		}
		parts = append(parts, online)
	}
	return strings.Join(parts, ", ")
}
