package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ess-lyon/portal/timeline"
)

// The layouts of <input type=date> and <input type=time> values.
const (
	dateLayout  = "2006-01-02"
	clockLayout = "15:04"
)

// postForm is the editor's form for a news item or an event, as typed.
type postForm struct {
	Kind          timeline.PostKind
	Title         string
	Summary       string
	Body          string // Markdown
	ImageURL      string // the stored image; never read from the request
	ImageAlt      string
	RemoveImage   bool
	StartDate     string
	StartTime     string
	EndDate       string
	EndTime       string
	TimeZone      string
	PlaceName     string
	StreetAddress string
	PostalCode    string
	Locality      string
	OnlineURL     string
}

// postFormView is the form's page.
type postFormView struct {
	Org     *timeline.Actor
	Form    postForm
	Action  string
	Editing bool
	Error   *formError
}

// formError is the message shown above a form, linking to the field at
// fault when the form has it.
type formError struct {
	Message string
	Field   string // the id of the field, without its "f-" prefix
}

// formFields are the fields the post form has an input for, by the name
// timeline.FieldError gives them.
var formFields = map[string]bool{
	"title": true, "summary": true, "body": true, "image": true, "image_alt": true,
	"starts_at": true, "ends_at": true, "time_zone": true, "place_name": true,
	"street_address": true, "postal_code": true, "locality": true, "online_url": true,
}

// newFormError describes a validation error in lang.
func newFormError(lang string, err error) *formError {
	fe := &formError{Message: fieldMessage(lang, err)}
	var field *timeline.FieldError
	if errors.As(err, &field) && formFields[field.Field] {
		fe.Field = field.Field
	}
	return fe
}

// kindParam reads the type of post asked for; anything but an event is news.
func kindParam(v string) timeline.PostKind {
	if v == string(timeline.Event) {
		return timeline.Event
	}
	return timeline.News
}

// readPostForm reads the form as posted.
func readPostForm(r *http.Request, kind timeline.PostKind) postForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return postForm{
		Kind: kind, Title: v("title"), Summary: v("summary"), Body: r.PostFormValue("body"),
		ImageAlt: v("image_alt"), RemoveImage: v("remove_image") != "",
		StartDate: v("start_date"), StartTime: v("start_time"),
		EndDate: v("end_date"), EndTime: v("end_time"), TimeZone: v("time_zone"),
		PlaceName: v("place_name"), StreetAddress: v("street_address"),
		PostalCode: v("postal_code"), Locality: v("locality"), OnlineURL: v("online_url"),
	}
}

// formFromPost fills the form with a stored post, its times in its zone.
func formFromPost(p *timeline.Post) postForm {
	f := postForm{
		Kind: p.Kind, Title: p.Title, Summary: p.Summary, Body: p.BodyMarkdown,
		ImageURL: p.ImageURL, ImageAlt: p.ImageAlt, TimeZone: p.TimeZone,
		PlaceName: p.PlaceName, StreetAddress: p.StreetAddress, PostalCode: p.PostalCode,
		Locality: p.Locality, OnlineURL: p.OnlineURL,
	}
	loc := p.Location()
	if !p.StartsAt.IsZero() {
		f.StartDate, f.StartTime = p.StartsAt.In(loc).Format(dateLayout),
			p.StartsAt.In(loc).Format(clockLayout)
	}
	if !p.EndsAt.IsZero() {
		f.EndDate, f.EndTime = p.EndsAt.In(loc).Format(dateLayout),
			p.EndsAt.In(loc).Format(clockLayout)
	}
	return f
}

// apply copies the form onto p, reading an event's times in its zone.
func (f postForm) apply(p *timeline.Post) error {
	p.Title, p.Summary, p.BodyMarkdown, p.ImageAlt = f.Title, f.Summary, f.Body, f.ImageAlt
	if f.RemoveImage {
		p.ImageURL = ""
	}
	if p.Kind != timeline.Event {
		return nil
	}
	p.PlaceName, p.StreetAddress, p.PostalCode = f.PlaceName, f.StreetAddress, f.PostalCode
	p.Locality, p.OnlineURL = f.Locality, f.OnlineURL

	zone := f.TimeZone
	if zone == "" {
		zone = timeline.DefaultTimeZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		return &timeline.FieldError{Field: "time_zone", Why: whyUnknownZone}
	}
	p.TimeZone = zone

	if p.StartsAt, err = localTime(f.StartDate, f.StartTime, loc, "starts_at"); err != nil {
		return err
	}
	endDate := f.EndDate
	if endDate == "" && f.EndTime != "" {
		endDate = f.StartDate // an end time alone ends the day it starts
	}
	p.EndsAt, err = localTime(endDate, f.EndTime, loc, "ends_at")
	return err
}

// localTime reads a date and a time of day as the wall clock in loc. Both
// empty give the zero time, which timeline takes as "not set".
func localTime(date, clock string, loc *time.Location, field string) (time.Time, error) {
	if date == "" && clock == "" {
		return time.Time{}, nil
	}
	if date == "" {
		return time.Time{}, &timeline.FieldError{Field: field, Why: "required"}
	}
	if clock == "" {
		return time.Time{}, &timeline.FieldError{Field: field, Why: whyTimeRequired}
	}
	if len(clock) == len("15:04:05") {
		clock = clock[:len(clockLayout)] // browsers may add seconds
	}
	t, err := time.ParseInLocation(dateLayout+" "+clockLayout, date+" "+clock, loc)
	if err != nil {
		return time.Time{}, &timeline.FieldError{Field: field, Why: whyBadDateTime}
	}
	// A wall clock the zone skips (02:30 on the night clocks go forward)
	// comes back an hour later: say so rather than publish another time.
	if t.Format(dateLayout+" "+clockLayout) != date+" "+clock {
		return time.Time{}, &timeline.FieldError{Field: field, Why: whySkippedTime}
	}
	return t, nil
}

// savePost applies the form to p, stores the image sent with it if any,
// and saves p with save (create or update). A new image is removed again
// if the post is not saved.
func (s *Server) savePost(r *http.Request, f postForm, p *timeline.Post,
	save func(context.Context, *timeline.Post) error) error {
	if err := f.apply(p); err != nil {
		return err
	}
	file, sent := uploadedImage(r)
	if (sent || p.ImageURL != "") && p.ImageAlt == "" {
		return &timeline.FieldError{Field: "image_alt", Why: whyAltRequired}
	}
	if !sent {
		return save(r.Context(), p)
	}

	name, err := s.saveImage(file)
	if err != nil {
		return err
	}
	p.ImageURL = "/media/" + name // federation makes it absolute with its own base
	if err := save(r.Context(), p); err != nil {
		return errors.Join(err, s.removeImage(name))
	}
	return nil
}

// renderPostForm shows the form to create a post, or to edit p when it is
// not nil, with the error that stopped it if any.
func (s *Server) renderPostForm(w http.ResponseWriter, r *http.Request, status int,
	org *timeline.Actor, p *timeline.Post, f postForm, err error) {
	lang := visitorFrom(r).lang
	view := postFormView{Org: org, Form: f, Action: "/espace/" + org.Username + "/nouveau"}
	title := tr(lang, "form.new_news")
	if f.Kind == timeline.Event {
		title = tr(lang, "form.new_event")
	}
	if p != nil {
		view.Editing = true
		view.Action = "/espace/" + org.Username + "/" + strconv.FormatInt(p.ID, 10) + "/modifier"
		title = fmt.Sprintf(tr(lang, "form.edit"), p.Title)
	}
	if err != nil {
		view.Error = newFormError(lang, err)
	}
	s.render(w, r, status, "post_form", title, view)
}
