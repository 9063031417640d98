package timeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// ReportState is where a report stands.
type ReportState string

// The states of a report: open until a moderator resolves it.
const (
	ReportOpen     ReportState = "open"
	ReportResolved ReportState = "resolved"
)

// Limits on reports, generous for what people write and small enough that
// another server cannot fill the moderators' page or the disk with one.
const (
	MaxReportComment = 5_000
	MaxReportNote    = 1_000
	MaxReportTargets = 50
	maxReportURI     = 2_048
)

// Report is what someone elsewhere asked the portal's moderators to look
// at: local posts or local actors, with their comment.
type Report struct {
	bun.BaseModel `bun:"table:reports"`

	ID int64 `bun:",pk,autoincrement"`
	// URI identifies the report where it came from, so that a report
	// received twice is stored once.
	URI string `bun:"uri,notnull"`
	// ReporterURI is who sent it: a remote actor, often a server's own
	// actor standing for the person who reported. Reporter is that actor
	// when the portal knows it, nil otherwise.
	ReporterURI string `bun:"reporter_uri,notnull"`
	Reporter    *Actor `bun:"rel:belongs-to,join:reporter_uri=uri"`
	// Comment is plain text.
	Comment    string      `bun:",notnull"`
	ReceivedAt time.Time   `bun:",notnull"`
	State      ReportState `bun:",notnull"`

	// Set when resolved: by which user, when, and the user's note.
	ResolvedBy int64     `bun:",nullzero"`
	Resolver   *User     `bun:"rel:belongs-to,join:resolved_by=id"`
	ResolvedAt time.Time `bun:",nullzero"`
	Note       string    `bun:",notnull"`

	Posts  []*ReportedPost  `bun:"rel:has-many,join:id=report_id"`
	Actors []*ReportedActor `bun:"rel:has-many,join:id=report_id"`
}

// ReportedPost is a local post a report names.
type ReportedPost struct {
	bun.BaseModel `bun:"table:report_posts"`

	ReportID int64 `bun:",pk"`
	PostID   int64 `bun:",pk"`
	Post     *Post `bun:"rel:belongs-to,join:post_id=id"`
}

// ReportedActor is a local actor a report names.
type ReportedActor struct {
	bun.BaseModel `bun:"table:report_actors"`

	ReportID int64  `bun:",pk"`
	ActorID  int64  `bun:",pk"`
	Actor    *Actor `bun:"rel:belongs-to,join:actor_id=id"`
}

// Open tells whether the report waits for a moderator.
func (r *Report) Open() bool { return r.State == ReportOpen }

// CreateReport stores a report received from elsewhere, open, with the
// local posts and actors it names in r.Posts and r.Actors (their PostID and
// ActorID; the same one named twice counts once). It needs a reporter and
// at least one local post or actor, and refuses more than
// MaxReportTargets. The comment is cut to MaxReportComment characters,
// whatever the caller did. A report whose URI is stored already is not
// stored again: CreateReport returns an error matching ErrExists.
func (s *Store) CreateReport(ctx context.Context, r *Report) error {
	if err := r.clean(); err != nil {
		return err
	}
	r.ID, r.State, r.ReceivedAt = 0, ReportOpen, r.ReceivedAt.UTC().Truncate(time.Microsecond)
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = s.Now()
	}
	r.ResolvedBy, r.ResolvedAt, r.Note = 0, time.Time{}, ""
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := checkLocal(ctx, tx, (*Post)(nil), postIDs(r.Posts), "posts"); err != nil {
			return err
		}
		if err := checkLocal(ctx, tx, (*Actor)(nil), actorIDs(r.Actors), "actors"); err != nil {
			return err
		}
		res, err := tx.NewInsert().Model(r).On("CONFLICT (uri) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("storing report %s: %w", r.URI, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("report %s: %w", r.URI, ErrExists)
		}
		return r.insertTargets(ctx, tx)
	})
}

// clean checks and trims what another server sent, and keeps each target
// once.
func (r *Report) clean() error {
	stripNUL(&r.URI, &r.ReporterURI, &r.Comment)
	if r.URI == "" || len(r.URI) > maxReportURI {
		return invalid("uri", "required, at most 2048 bytes")
	}
	if !isWebURL(r.ReporterURI) || len(r.ReporterURI) > maxReportURI {
		return invalid("reporter", "must be an http or https address")
	}
	r.Comment = truncateRunes(strings.TrimSpace(stripControls(r.Comment)), MaxReportComment)
	r.Posts = uniqueBy(r.Posts, func(p *ReportedPost) int64 { return p.PostID })
	r.Actors = uniqueBy(r.Actors, func(a *ReportedActor) int64 { return a.ActorID })
	switch n := len(r.Posts) + len(r.Actors); {
	case n == 0:
		return invalid("objects", "no local post or actor")
	case n > MaxReportTargets:
		return invalid("objects", fmt.Sprintf("at most %d", MaxReportTargets))
	}
	return nil
}

func (r *Report) insertTargets(ctx context.Context, tx bun.Tx) error {
	for _, p := range r.Posts {
		p.ReportID = r.ID
	}
	for _, a := range r.Actors {
		a.ReportID = r.ID
	}
	if len(r.Posts) > 0 {
		if _, err := tx.NewInsert().Model(&r.Posts).Exec(ctx); err != nil {
			return fmt.Errorf("storing posts of report %d: %w", r.ID, err)
		}
	}
	if len(r.Actors) > 0 {
		if _, err := tx.NewInsert().Model(&r.Actors).Exec(ctx); err != nil {
			return fmt.Errorf("storing actors of report %d: %w", r.ID, err)
		}
	}
	return nil
}

// checkLocal refuses ids that are not all local rows of model's table.
func checkLocal(ctx context.Context, tx bun.Tx, model any, ids []int64, field string) error {
	if len(ids) == 0 {
		return nil
	}
	n, err := tx.NewSelect().Model(model).Where("id IN (?)", bun.In(ids)).Where("local").
		Count(ctx)
	if err != nil {
		return fmt.Errorf("checking reported %s: %w", field, err)
	}
	if n != int64(len(ids)) {
		return invalid(field, "not all local")
	}
	return nil
}

// Report returns the report with that id, with what it names.
func (s *Store) Report(ctx context.Context, id int64) (*Report, error) {
	r := new(Report)
	if err := s.reports(r).Where("report.id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, fmt.Sprintf("report %d", id))
	}
	return r, nil
}

// OpenReports lists the open reports, newest first, with what they name.
func (s *Store) OpenReports(ctx context.Context, limit int) ([]*Report, error) {
	var out []*Report
	err := s.reports(&out).Where("report.state = ?", ReportOpen).
		OrderExpr("report.received_at DESC, report.id DESC").
		Limit(int64(Page{Limit: limit}.limit())).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing open reports: %w", err)
	}
	return out, nil
}

// CountOpenReports tells how many reports wait for a moderator.
func (s *Store) CountOpenReports(ctx context.Context) (int, error) {
	n, err := s.db.NewSelect().Model((*Report)(nil)).Where("state = ?", ReportOpen).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("counting open reports: %w", err)
	}
	return int(n), nil
}

// ResolvedReports lists the reports resolved last, most recent first.
func (s *Store) ResolvedReports(ctx context.Context, limit int) ([]*Report, error) {
	var out []*Report
	err := s.reports(&out).Where("report.state = ?", ReportResolved).
		OrderExpr("report.resolved_at DESC, report.id DESC").
		Limit(int64(Page{Limit: limit}.limit())).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing resolved reports: %w", err)
	}
	return out, nil
}

// reports selects reports with their reporter, resolver and targets; the
// resolver without the password hash, which no page needs.
func (s *Store) reports(model any) *bun.SelectQuery {
	return s.db.NewSelect().Model(model).Relation("Reporter").
		Relation("Resolver", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.ExcludeColumn("password_hash")
		}).
		Relation("Posts", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.OrderExpr("reported_post.post_id")
		}).Relation("Posts.Post").Relation("Posts.Post.Actor").
		Relation("Actors", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.OrderExpr("reported_actor.actor_id")
		}).Relation("Actors.Actor")
}

// ResolveReport marks an open report resolved by user, an admin, with a
// note saying what was done. It returns an error matching ErrForbidden for
// anyone else, ErrNotFound for no such report, ErrExists when it was
// resolved already, and a FieldError for a missing or long note.
func (s *Store) ResolveReport(ctx context.Context, user *User, id int64, note string) error {
	if user == nil || !user.Admin {
		return fmt.Errorf("resolving report %d: %w", id, ErrForbidden)
	}
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		return invalid("note", "required")
	case utf8.RuneCountInString(note) > MaxReportNote:
		return invalid("note", fmt.Sprintf("at most %d characters", MaxReportNote))
	case strings.ContainsRune(note, 0):
		return invalid("note", "contains a NUL character")
	}
	res, err := s.db.NewUpdate().Model((*Report)(nil)).
		Set("state = ?, resolved_by = ?, resolved_at = ?, note = ?",
			ReportResolved, user.ID, s.Now(), note).
		Where("id = ?", id).Where("state = ?", ReportOpen).Exec(ctx)
	if err != nil {
		return fmt.Errorf("resolving report %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	if _, err := s.Report(ctx, id); err != nil {
		return err
	}
	return fmt.Errorf("report %d resolved already: %w", id, ErrExists)
}

// Names tells whether the report names the post.
func (r *Report) Names(postID int64) bool {
	return slices.ContainsFunc(r.Posts, func(p *ReportedPost) bool { return p.PostID == postID })
}

func postIDs(ps []*ReportedPost) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.PostID
	}
	return out
}

func actorIDs(as []*ReportedActor) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ActorID
	}
	return out
}

// uniqueBy keeps the first of the items with the same key, in order.
func uniqueBy[T any](items []T, key func(T) int64) []T {
	seen := make(map[int64]bool, len(items))
	var out []T
	for _, it := range items {
		if k := key(it); !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	return out
}

// stripControls removes control characters but line breaks and tabs: a
// comment is shown as text, and a bidirectional override or an escape
// sequence in it could disguise it.
func stripControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
