package federation

import "sync/atomic"

// Metrics counts what the federation layer did since start. Its fields are
// safe for concurrent use.
type Metrics struct {
	DeliveriesQueued    atomic.Int64
	DeliveriesDone      atomic.Int64
	DeliveriesFailed    atomic.Int64 // attempts that failed and will be retried
	DeliveriesDropped   atomic.Int64 // given up: refused for good, or out of tries
	InboxAccepted       atomic.Int64
	InboxDuplicates     atomic.Int64
	InboxRefused        atomic.Int64
	SignatureFailures   atomic.Int64
	ActivitiesProcessed atomic.Int64
}

func newMetrics() *Metrics { return &Metrics{} }
