package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	ap "github.com/go-ap/activitypub"

	"github.com/ess-lyon/portal/timeline"
	"github.com/ess-lyon/portal/timeline/markup"
)

// Outcomes of a Flag. flagOutcomeLegacy is what the portal recorded for
// every Flag before reports had a table of their own.
const (
	flagOutcomeOpened  = "report opened"
	flagOutcomeNothing = "ignored: report names nothing on this portal"
	flagOutcomeStored  = "ignored: report stored already"
	flagOutcomeLegacy  = "report received"
)

// onFlag turns a report from another server into one for the portal's
// admins, naming the local posts and actors among its objects, which may
// be identifiers, embedded objects (only their id is read: the reporter's
// copy of a post is not the post) or a list of either. A Flag naming
// nothing here is ignored: it was misdirected, or its post is gone.
func (s *Service) onFlag(ctx context.Context, item *inboxItem, in *incoming) (string, error) {
	r := &timeline.Report{URI: item.URI, ReporterURI: in.actor, ReceivedAt: item.ReceivedAt,
		Comment: markup.PlainText(flagComment(in), timeline.MaxReportComment)}
	s.flagTargets(ctx, r, allIDs(in.raw["object"]))
	if len(r.Posts)+len(r.Actors) == 0 {
		return flagOutcomeNothing, nil
	}
	err := s.posts.CreateReport(ctx, r)
	switch {
	case errors.Is(err, timeline.ErrExists):
		return flagOutcomeStored, nil
	case errors.Is(err, timeline.ErrInvalid):
		return "", refuse("report: %v", err)
	case err != nil:
		return "", err
	}
	s.log.Info("report opened", "actor", in.actor, "activity_id", item.URI)
	return flagOutcomeOpened, nil
}

// flagTargets adds to r the live local posts and the local actors that
// ids name. Only the first MaxReportTargets local identifiers are looked
// up, so that a Flag listing thousands costs a few queries.
func (s *Service) flagTargets(ctx context.Context, r *timeline.Report, ids []string) {
	looked := map[string]bool{}
	for _, id := range ids {
		ref, ok := s.cfg.parseLocal(id)
		if !ok || looked[id] || len(looked) == timeline.MaxReportTargets {
			continue
		}
		looked[id] = true
		if ref.postID != 0 {
			if p, err := s.localPostAt(ctx, id); err == nil {
				r.Posts = append(r.Posts, &timeline.ReportedPost{PostID: p.ID})
			}
			continue
		}
		if a, err := s.localActorAt(ctx, id); err == nil {
			r.Actors = append(r.Actors, &timeline.ReportedActor{ActorID: a.ID})
		}
	}
}

// flagComment is what the reporter wrote: the Flag's content, as Mastodon
// and Mbin send it, or else its summary, where Lemmy puts the reason.
func flagComment(in *incoming) string {
	var content, summary string
	_ = ap.OnActivity(in.item, func(a *ap.Activity) error {
		content, summary = text(a.Content), text(a.Summary)
		return nil
	})
	if content != "" {
		return content
	}
	return summary
}

// allIDs reads a reference that may be an identifier, an object with an
// id, or a list of either, and returns every identifier in it, in order.
func allIDs(m json.RawMessage) []string {
	var list []json.RawMessage
	if json.Unmarshal(m, &list) != nil {
		list = []json.RawMessage{m}
	}
	var out []string
	for _, item := range list {
		if id := firstID(item); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// reportStoredFlags turns the Flags received before reports had a table
// of their own, still in the inbox with the outcome then recorded, into
// reports, with the time they came: they were kept for the moderators, who
// can now see them. Objects deleted meanwhile are left out, as for a Flag
// arriving now. It is safe to run again and from several processes: a
// report is stored once, and a Flag done gets its new outcome.
func (s *Service) reportStoredFlags(ctx context.Context) error {
	var items []*inboxItem
	err := s.db.NewSelect().Model(&items).Where("type = 'Flag'").
		Where("outcome = ?", flagOutcomeLegacy).Where("signer_uri = ''").
		OrderExpr("id").Scan(ctx)
	if err != nil {
		return fmt.Errorf("listing stored reports: %w", err)
	}
	for _, item := range items {
		if err := s.reportStoredFlag(ctx, item); err != nil {
			return err
		}
	}
	if len(items) > 0 {
		s.log.Info("stored reports opened for the moderators", "count", len(items))
	}
	return nil
}

func (s *Service) reportStoredFlag(ctx context.Context, item *inboxItem) error {
	in, err := parseActivity([]byte(item.Body))
	outcome := ""
	if err == nil {
		outcome, err = s.onFlag(ctx, item, in)
	} else {
		err = refuse("%v", err)
	}
	if err != nil && !errors.Is(err, errRefused) {
		return fmt.Errorf("opening stored report %s: %w", item.URI, err)
	}
	if err != nil {
		outcome = err.Error()
	}
	_, err = s.db.NewUpdate().Model(item).WherePK().Set("outcome = ?", outcome).Exec(ctx)
	if err != nil {
		return fmt.Errorf("recording outcome of %s: %w", item.URI, err)
	}
	return nil
}
