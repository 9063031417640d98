package federation

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// inboxRetention is how long processed inbound activities are kept. They
// serve to recognise an activity sent again, which servers do within
// hours or days, and to undo a counted reaction: those are kept for good.
const inboxRetention = 30 * 24 * time.Hour

// pruneArgs asks to delete old processed inbound activities.
type pruneArgs struct{}

func (pruneArgs) Kind() string { return "ap_prune_inbox" }

type pruneWorker struct {
	river.WorkerDefaults[pruneArgs]
	s *Service
}

func (w *pruneWorker) Work(ctx context.Context, _ *river.Job[pruneArgs]) error {
	n, err := w.s.PruneInbox(ctx, time.Now().Add(-inboxRetention))
	if err != nil {
		return err
	}
	w.s.log.Info("pruned inbound activities", "count", n)
	return nil
}

// PruneInbox deletes inbound activities processed before cutoff, except
// counted reactions, which an Undo may still name, and Flags an older
// portal kept that are not reports yet (see reportStoredFlags): a Flag's
// report lives in the timeline, apart from its inbound row. It returns how
// many went.
func (s *Service) PruneInbox(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*inboxItem)(nil)).
		Where("processed_at IS NOT NULL").Where("processed_at < ?", cutoff.UTC()).
		Where("outcome NOT LIKE 'counted %'").
		Where("NOT (type = 'Flag' AND outcome = ?)", flagOutcomeLegacy).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("pruning inbound activities: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// periodicJobs are the housekeeping jobs River schedules itself.
func periodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(6*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return pruneArgs{}, nil }, nil),
	}
}
