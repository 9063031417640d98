package safehttp

import (
	"fmt"
	"net/netip"
	"slices"
)

// metadataAddrs are cloud metadata and platform endpoints. They are refused
// even when loopback and private destinations are allowed, since a request
// there can hand the host's credentials to whoever chose the URL.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OpenStack, others
	netip.MustParseAddr("169.254.170.2"),   // AWS ECS task metadata
	netip.MustParseAddr("fd00:ec2::254"),   // AWS instance metadata over IPv6
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
	netip.MustParseAddr("192.0.0.192"),     // Oracle Cloud
	netip.MustParseAddr("168.63.129.16"),   // Azure platform (WireServer)
}

// forbiddenPrefixes are the ranges that are not public unicast destinations.
// Loopback and private ones among them are allowed with AllowLoopback.
var forbiddenPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network", unspecified
	netip.MustParsePrefix("10.0.0.0/8"),      // private, RFC 1918
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT, RFC 6598
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local
	netip.MustParsePrefix("172.16.0.0/12"),   // private, RFC 1918
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation, TEST-NET-1
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast, deprecated
	netip.MustParsePrefix("192.168.0.0/16"),  // private, RFC 1918
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation, TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation, TEST-NET-3
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("::/96"),           // unspecified, loopback, IPv4-compatible
	netip.MustParsePrefix("::ffff:0:0:0/96"), // IPv4-translated
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/32"),       // Teredo, hides the IPv4 it reaches
	netip.MustParsePrefix("2001:2::/48"),     // benchmarking
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("3fff::/20"),       // documentation, RFC 9637
	netip.MustParsePrefix("fc00::/7"),        // unique local (private)
	netip.MustParsePrefix("fe80::/10"),       // link-local
	netip.MustParsePrefix("fec0::/10"),       // site-local, deprecated
	netip.MustParsePrefix("ff00::/8"),        // multicast
}

// Prefixes of IPv6 addresses that carry an IPv4 destination inside them.
var (
	nat64Prefix  = netip.MustParsePrefix("64:ff9b::/96")
	sixToFourNet = netip.MustParsePrefix("2002::/16")
)

// IsForbiddenIP reports whether the portal must not connect to ip.
//
// It refuses every address that is not public unicast: loopback, private
// (RFC 1918, fc00::/7), link-local, unspecified, multicast, carrier-grade NAT,
// documentation and benchmarking ranges, and the IPv4-mapped, NAT64 and 6to4
// forms of those. With allowLoopback it allows loopback and private addresses,
// and nothing else. Cloud metadata addresses such as 169.254.169.254 and
// fd00:ec2::254 are refused in both cases, as is the invalid zero Addr.
// An IPv6 zone is ignored.
func IsForbiddenIP(ip netip.Addr, allowLoopback bool) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.WithZone("").Unmap()
	if slices.Contains(metadataAddrs, ip) {
		return true
	}
	if allowLoopback && (ip.IsLoopback() || ip.IsPrivate()) {
		return false
	}
	if v4, ok := embeddedIPv4(ip); ok {
		return IsForbiddenIP(v4, allowLoopback)
	}
	return !ip.IsGlobalUnicast() || inPrefixes(ip, forbiddenPrefixes)
}

// embeddedIPv4 returns the IPv4 address carried by a NAT64 or 6to4 address.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	b := ip.As16()
	switch {
	case nat64Prefix.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFourNet.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

func inPrefixes(ip netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// forbidden builds the error for host, whose address ip was refused.
func forbidden(host string, ip netip.Addr) error {
	if host == ip.String() {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, ip)
	}
	return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, host, ip)
}
