package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"github.com/ess-lyon/portal/federation"
)

// The collectors below are read at scrape time: the federation's counters
// stay the one source of truth, and the queue is counted where it lives.
var (
	_ prometheus.Collector = federationCollector{}
	_ prometheus.Collector = queueCollector{}
)

var (
	descQueued = prometheus.NewDesc("portal_federation_deliveries_queued_total",
		"Deliveries queued, one per activity and inbox.", nil, nil)
	descAttempts = prometheus.NewDesc("portal_federation_delivery_attempts_total",
		"Delivery attempts by result: done; retried, failed and to be tried again; "+
			"dropped, refused for good or out of tries.", []string{"result"}, nil)
	descInbox = prometheus.NewDesc("portal_federation_inbox_activities_total",
		"Activities POSTed to an inbox, by outcome: accepted; duplicate, received "+
			"before; refused.", []string{"outcome"}, nil)
	descInboxTypes = prometheus.NewDesc("portal_federation_inbox_activities_by_type_total",
		"Activities POSTed to an inbox, by ActivityStreams type and outcome.",
		[]string{"type", "outcome"}, nil)
	descSignatures = prometheus.NewDesc("portal_federation_signature_failures_total",
		"Requests whose HTTP signature was missing, wrong, or not their actor's.", nil, nil)
	descProcessed = prometheus.NewDesc("portal_federation_activities_processed_total",
		"Received activities processed, whatever their outcome.", nil, nil)
	descQueue = prometheus.NewDesc("portal_queue_jobs",
		"Jobs not finished yet in the job queue, by queue and state.",
		[]string{"queue", "state"}, nil)
)

// federationCollector publishes the federation's counters.
type federationCollector struct{ m *federation.Metrics }

func (c federationCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQueued, descAttempts, descInbox, descInboxTypes,
		descSignatures, descProcessed} {
		ch <- d
	}
}

func (c federationCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	m := c.m
	counter(descQueued, m.DeliveriesQueued.Load())
	counter(descAttempts, m.DeliveriesDone.Load(), "done")
	counter(descAttempts, m.DeliveriesFailed.Load(), "retried")
	counter(descAttempts, m.DeliveriesDropped.Load(), "dropped")
	counter(descInbox, m.InboxAccepted.Load(), "accepted")
	counter(descInbox, m.InboxDuplicates.Load(), "duplicate")
	counter(descInbox, m.InboxRefused.Load(), "refused")
	for k, v := range m.InboxByType() {
		counter(descInboxTypes, v, k.Type, k.Outcome)
	}
	counter(descSignatures, m.SignatureFailures.Load())
	counter(descProcessed, m.ActivitiesProcessed.Load())
}

// queueStates are the states of jobs not finished yet. Finished ones are
// left out: the queue keeps them for a day, and counting them would cost
// more as the portal gets busier.
var queueStates = []string{"available", "pending", "retryable", "running", "scheduled"}

// queueCollector counts the queue's jobs at each scrape, with two queries
// the queue's own indexes answer.
type queueCollector struct{ db *bun.DB }

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descQueue }

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	depth, err := queueDepth(ctx, c.db)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descQueue, err)
		return
	}
	for k, n := range depth {
		ch <- prometheus.MustNewConstMetric(descQueue, prometheus.GaugeValue, float64(n),
			k.queue, k.state)
	}
}

type queueState struct{ queue, state string }

// queueDepth counts unfinished jobs by queue and state, with a zero for
// each state of every queue the workers declared, so that series do not
// vanish when a queue empties.
func queueDepth(ctx context.Context, db *bun.DB) (map[queueState]int, error) {
	var queues []string
	if err := db.NewSelect().Table("river_queue").Column("name").Scan(ctx, &queues); err != nil {
		return nil, fmt.Errorf("listing queues: %w", err)
	}
	depth := map[queueState]int{}
	for _, q := range queues {
		for _, st := range queueStates {
			depth[queueState{q, st}] = 0
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT queue, state, count(*) FROM river_job
		WHERE state IN (?) GROUP BY queue, state`, bun.In(queueStates))
	if err != nil {
		return nil, fmt.Errorf("counting jobs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k queueState
		var n int
		if err := rows.Scan(&k.queue, &k.state, &n); err != nil {
			return nil, fmt.Errorf("counting jobs: %w", err)
		}
		depth[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("counting jobs: %w", err)
	}
	return depth, nil
}
