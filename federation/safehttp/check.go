package safehttp

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// CheckURL parses raw and validates it as a destination, without any network
// access: the scheme (see [ErrInsecureScheme]), a host present, no user
// information, a port within 1-65535, and a host that is not an IP address in
// a non-standard form. When the host is an IP literal or a name in
// [Options.Hosts], its address must pass [IsForbiddenIP]; other names are
// resolved and checked only when a request is made.
//
// Callers use it to refuse bad ids early. The client from [New] applies the
// same checks to every request and redirect, so calling it first is optional.
func CheckURL(raw string, opts Options) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	if err := checkURL(u, opts); err != nil {
		return nil, err
	}
	return u, nil
}

// checkURL is [CheckURL] for an already parsed URL.
func checkURL(u *url.URL, opts Options) error {
	if u.Scheme == "" || u.Opaque != "" {
		return fmt.Errorf("%w: %q is not an absolute URL", ErrInvalidURL, u.Redacted())
	}
	if err := checkScheme(u.Scheme, opts.AllowLoopback); err != nil {
		return err
	}
	if u.User != nil {
		return fmt.Errorf("%w: user information in %q", ErrInvalidURL, u.Redacted())
	}
	if err := checkPort(u.Port()); err != nil {
		return err
	}
	return checkHost(u.Hostname(), opts)
}

func checkScheme(scheme string, allowLoopback bool) error {
	if scheme == "https" || (scheme == "http" && allowLoopback) {
		return nil
	}
	return fmt.Errorf("%w: %q", ErrInsecureScheme, scheme)
}

// checkPort accepts an empty port (the scheme's default) or 1-65535.
func checkPort(port string) error {
	if port == "" {
		return nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%w: port %q", ErrInvalidURL, port)
	}
	return nil
}

// checkHost checks host's address when it is known without DNS.
func checkHost(host string, opts Options) error {
	if host == "" {
		return fmt.Errorf("%w: no host", ErrInvalidURL)
	}
	ip, ok, err := staticAddr(host, opts.Hosts)
	if err != nil {
		return err
	}
	if !ok {
		return checkName(host)
	}
	if IsForbiddenIP(ip, opts.AllowLoopback) {
		return forbidden(host, ip)
	}
	return nil
}

// checkName refuses names whose last label is numeric, such as "127.1" or
// "0x7f000001": no top-level domain is, but some resolvers read them as IPv4.
func checkName(host string) error {
	name := strings.TrimSuffix(host, ".")
	last := name[strings.LastIndex(name, ".")+1:]
	if isDigits(last) || strings.HasPrefix(strings.ToLower(last), "0x") {
		return fmt.Errorf("%w: host %q looks like an IP address", ErrInvalidURL, host)
	}
	return nil
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// staticAddr returns host's address when host is an IP literal or a name in
// hosts. Names match case-insensitively and ignore a trailing dot.
func staticAddr(host string, hosts map[string]string) (netip.Addr, bool, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip, true, nil
	}
	name := normalizeName(host)
	for k, v := range hosts {
		if normalizeName(k) != name {
			continue
		}
		ip, err := netip.ParseAddr(v)
		if err != nil {
			return netip.Addr{}, false, fmt.Errorf("safehttp: Hosts entry %q: %w", k, err)
		}
		return ip, true, nil
	}
	return netip.Addr{}, false, nil
}

func normalizeName(host string) string {
	return strings.ToLower(strings.TrimSuffix(host, "."))
}
