package safehttp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// dialer resolves a host name itself, checks every address, and connects to
// a checked address, so that no later DNS answer can redirect the connection.
type dialer struct {
	opts Options

	// resolve looks up a name not found in opts.Hosts.
	resolve func(ctx context.Context, host string) ([]netip.Addr, error)

	// dial connects to an IP literal address; tests replace it.
	dial func(ctx context.Context, network, address string) (net.Conn, error)
}

// newDialer returns a dialer on the system resolver and a [net.Dialer] that
// checks the address once more just before connecting.
func newDialer(opts Options) *dialer {
	nd := &net.Dialer{
		Timeout:        opts.Timeout,
		ControlContext: controlFunc(opts.AllowLoopback),
	}
	return &dialer{opts: opts, resolve: systemResolve, dial: nd.DialContext}
}

func systemResolve(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// DialContext connects to address ("host:port") through the first of the
// host's addresses that accepts. It fails with [ErrForbiddenAddress], before
// any connection, if any of the host's addresses is forbidden.
func (d *dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("safehttp: dialing %q: %w", address, err)
	}
	ips, err := d.lookup(ctx, host)
	if err != nil {
		return nil, err
	}

	var errs []error
	for _, ip := range ips {
		conn, err := d.dial(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("safehttp: dialing %s: %w", address, errors.Join(errs...))
}

// lookup returns host's addresses, unmapped, once all of them are allowed.
// A single forbidden answer refuses the host: a public server has no reason
// to publish a private address.
func (d *dialer) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	ips, err := d.addresses(ctx, host)
	if err != nil {
		return nil, err
	}
	for i, ip := range ips {
		if IsForbiddenIP(ip, d.opts.AllowLoopback) {
			return nil, forbidden(host, ip)
		}
		ips[i] = ip.Unmap()
	}
	return ips, nil
}

// addresses resolves host: an IP literal, then opts.Hosts, then DNS.
func (d *dialer) addresses(ctx context.Context, host string) ([]netip.Addr, error) {
	ip, ok, err := staticAddr(host, d.opts.Hosts)
	if err != nil {
		return nil, err
	}
	if ok {
		return []netip.Addr{ip}, nil
	}
	ips, err := d.resolve(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("safehttp: resolving %s: %w", host, err)
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("safehttp: resolving %s: no addresses", host)
	}
	return ips, nil
}

// controlFunc returns a [net.Dialer] ControlContext hook that refuses a
// forbidden address after the socket is created and before it connects. It
// is a second line behind [dialer.lookup], should a connection ever be made
// by another path.
func controlFunc(allowLoopback bool) func(context.Context, string, string, syscall.RawConn) error {
	return func(_ context.Context, _, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: unparsable address %q", ErrForbiddenAddress, address)
		}
		if IsForbiddenIP(ap.Addr(), allowLoopback) {
			return forbidden(ap.Addr().String(), ap.Addr())
		}
		return nil
	}
}
