package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/ess-lyon/portal/federation"
	"github.com/ess-lyon/portal/migrations/dbtest"
)

// TestMetrics checks that requests are counted by route pattern, that the
// federation's counters are published, and that a token, when set, guards
// them. The queue's depth is checked on running portals, in the crash.
func TestMetrics(t *testing.T) {
	fed := &federation.Metrics{}
	fed.DeliveriesQueued.Add(3)
	fed.CountInbox("Like", "accepted")
	fed.CountInbox("Frobnicate", "refused")
	m := newMetrics(dbtest.Open(t, "sqlite"), fed)
	r := chi.NewRouter()
	r.Use(m.instrument)
	r.Get("/@{name}", func(w http.ResponseWriter, _ *http.Request) {})
	r.Method(http.MethodGet, "/metrics", m.handler("s3cret"))
	srv := httptest.NewServer(r)
	defer srv.Close()

	for _, path := range []string{"/@orga", "/@autre", "/nowhere/1", "/nowhere/2"} {
		getWithAuth(t, srv.URL+path, "")
	}
	status, body := getWithAuth(t, srv.URL+"/metrics", "Bearer wrong")
	if status != http.StatusUnauthorized {
		t.Errorf("metrics with a wrong token: %d, want 401", status)
	}
	status, body = getWithAuth(t, srv.URL+"/metrics", "Bearer s3cret")
	if status != http.StatusOK {
		t.Fatalf("metrics: %d", status)
	}
	for _, want := range []string{
		`portal_http_requests_total{method="GET",route="/@{name}",status="2xx"} 2`,
		`portal_http_requests_total{method="GET",route="unmatched",status="4xx"} 2`,
		`portal_http_requests_total{method="GET",route="/metrics",status="4xx"} 1`,
		`portal_federation_deliveries_queued_total 3`,
		`portal_federation_inbox_activities_by_type_total{outcome="accepted",type="Like"} 1`,
		`portal_federation_inbox_activities_by_type_total{outcome="refused",type="Other"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func getWithAuth(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}
