package web

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Failed logins allowed per account and per client address in a window.
const (
	loginFailures = 5
	loginWindow   = 15 * time.Minute
)

// limiter counts failures per key (an account, a client address) over a
// sliding window. It is safe for concurrent use.
//
// TODO: the counts live in this process's memory: a restart forgets them,
// and several portal processes would each allow loginFailures. That is
// enough for the one process the portal runs today; a shared store (the
// database) is needed before running more.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

// sweepAbove is the number of keys past which a failure sweeps out the
// keys whose failures are all old, so the map cannot grow without bound.
const sweepAbove = 10_000

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: make(map[string][]time.Time)}
}

// blocked tells whether any key has reached the limit at now.
func (l *limiter) blocked(now time.Time, keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if len(l.recent(now, k)) >= l.max {
			return true
		}
	}
	return false
}

// fail counts a failure against every key.
func (l *limiter) fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > sweepAbove {
		for k := range l.fails {
			l.recent(now, k)
		}
	}
	for _, k := range keys {
		l.fails[k] = append(l.recent(now, k), now)
	}
}

// forget clears a key's failures, when its account signs in.
func (l *limiter) forget(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// recent drops a key's failures older than the window and returns the
// others. The caller holds l.mu.
func (l *limiter) recent(now time.Time, key string) []time.Time {
	list := l.fails[key]
	i := 0
	for i < len(list) && now.Sub(list[i]) >= l.window {
		i++
	}
	if i == len(list) {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = list[i:]
	return list[i:]
}

// clientAddr is the address of the request's peer, IPv6 ones cut to their
// /64 since one client commonly holds a whole /64. Behind a reverse proxy
// the peer is the proxy, unless cmd rewrites RemoteAddr from a header it
// trusts.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.To4() != nil {
		return host
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
