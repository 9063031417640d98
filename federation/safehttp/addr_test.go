package safehttp

import (
	"net/netip"
	"testing"
)

func TestIsForbiddenIP(t *testing.T) {
	tests := []struct {
		addr string
		// strict is the answer without AllowLoopback, loose the one with it.
		strict, loose bool
	}{
		// Public destinations pass either way.
		{"93.184.216.34", false, false},
		{"1.1.1.1", false, false},
		{"2606:2800:220:1:248:1893:25c8:1946", false, false},
		{"::ffff:93.184.216.34", false, false},
		{"64:ff9b::5db8:d822", false, false}, // NAT64 of 93.184.216.34

		// Loopback and private: allowed only with AllowLoopback.
		{"127.0.0.1", true, false},
		{"127.255.255.254", true, false},
		{"::1", true, false},
		{"::ffff:127.0.0.1", true, false},
		{"10.1.2.3", true, false},
		{"172.16.0.1", true, false},
		{"172.31.255.255", true, false},
		{"192.168.1.1", true, false},
		{"::ffff:192.168.1.1", true, false},
		{"fc00::1", true, false},
		{"fd12:3456::1", true, false},

		// Next to the private ranges, but public.
		{"172.15.255.255", false, false},
		{"172.32.0.0", false, false},
		{"11.0.0.1", false, false},

		// Metadata: refused even with AllowLoopback.
		{"169.254.169.254", true, true},
		{"::ffff:169.254.169.254", true, true},
		{"64:ff9b::a9fe:a9fe", true, true},
		{"2002:a9fe:a9fe::1", true, true},
		{"fd00:ec2::254", true, true},
		{"169.254.170.2", true, true},
		{"100.100.100.200", true, true},
		{"168.63.129.16", true, true},

		// Other non-public ranges: refused either way.
		{"0.0.0.0", true, true},
		{"0.1.2.3", true, true},
		{"::", true, true},
		{"169.254.1.1", true, true},
		{"fe80::1", true, true},
		{"fe80::1%eth0", true, true},
		{"fec0::1", true, true},
		{"100.64.0.1", true, true},
		{"100.127.255.255", true, true},
		{"192.0.0.8", true, true},
		{"192.0.2.1", true, true},
		{"198.18.0.1", true, true},
		{"198.19.255.255", true, true},
		{"198.51.100.7", true, true},
		{"203.0.113.9", true, true},
		{"224.0.0.1", true, true},
		{"239.255.255.250", true, true},
		{"240.0.0.1", true, true},
		{"255.255.255.255", true, true},
		{"ff02::1", true, true},
		{"2001:db8::1", true, true},
		{"3fff::1", true, true},
		{"2001:2::1", true, true},
		{"2001:0:4136:e378::1", true, true}, // Teredo
		{"100::1", true, true},
		{"::7f00:1", true, true},            // IPv4-compatible 127.0.0.1
		{"::ffff:0:a00:1", true, true},      // IPv4-translated 10.0.0.1
		{"64:ff9b:1::1", true, true},        // local-use NAT64
		{"64:ff9b::a00:1", true, false},     // NAT64 of 10.0.0.1
		{"2002:c0a8:101::1", true, false},   // 6to4 of 192.168.1.1
		{"::ffff:100.64.0.1", true, true},   // mapped CGNAT
		{"::ffff:224.0.0.1", true, true},    // mapped multicast
		{"::ffff:198.51.100.1", true, true}, // mapped documentation
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.addr)
		if got := IsForbiddenIP(ip, false); got != tt.strict {
			t.Errorf("IsForbiddenIP(%s, false) = %v, want %v", tt.addr, got, tt.strict)
		}
		if got := IsForbiddenIP(ip, true); got != tt.loose {
			t.Errorf("IsForbiddenIP(%s, true) = %v, want %v", tt.addr, got, tt.loose)
		}
	}
}

func TestIsForbiddenIPZeroAddr(t *testing.T) {
	for _, allow := range []bool{false, true} {
		if !IsForbiddenIP(netip.Addr{}, allow) {
			t.Errorf("IsForbiddenIP(zero Addr, %v) = false, want true", allow)
		}
	}
}
