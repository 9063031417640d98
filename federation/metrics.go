package federation

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Metrics counts what the federation layer did since start. Its fields and
// methods are safe for concurrent use.
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

	mu     sync.Mutex
	byType map[InboxCount]int64
}

// InboxCount names one count of inbound activities: an activity type and
// an outcome, "accepted", "duplicate" or "refused".
type InboxCount struct {
	Type    string
	Outcome string
}

// countedTypes are the activity types counted under their own name. Any
// other counts as "Other", so that a peer inventing types cannot grow the
// counts without bound.
var countedTypes = map[string]bool{
	"Create": true, "Update": true, "Delete": true, "Follow": true, "Accept": true,
	"Reject": true, "Undo": true, "Announce": true, "Like": true, "EmojiReact": true,
	"Flag": true, "Block": true, "Move": true, "Add": true, "Remove": true,
}

// CountInbox counts one inbound activity of type typ with outcome. It
// complements InboxAccepted, InboxDuplicates and InboxRefused, which stay
// the totals.
func (m *Metrics) CountInbox(typ, outcome string) {
	if !countedTypes[typ] {
		typ = "Other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byType == nil {
		m.byType = map[InboxCount]int64{}
	}
	m.byType[InboxCount{typ, outcome}]++
}

// InboxByType returns a copy of the counts CountInbox made.
func (m *Metrics) InboxByType() map[InboxCount]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.byType)
}

func newMetrics() *Metrics { return &Metrics{} }
