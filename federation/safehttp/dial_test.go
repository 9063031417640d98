package safehttp

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"
)

// fakeDialer returns a dialer whose resolver answers from answers and whose
// dial records its addresses and never connects.
func fakeDialer(opts Options, answers map[string][]string) (*dialer, *[]string) {
	var dialed []string
	d := &dialer{
		opts: opts,
		resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
			var ips []netip.Addr
			for _, a := range answers[host] {
				ips = append(ips, netip.MustParseAddr(a))
			}
			return ips, nil
		},
		dial: func(_ context.Context, _, address string) (net.Conn, error) {
			dialed = append(dialed, address)
			return nil, errors.New("fake dial refuses")
		},
	}
	return d, &dialed
}

func TestDialerChecksBeforeDialing(t *testing.T) {
	answers := map[string][]string{
		"public.example":  {"93.184.216.34"},
		"mixed.example":   {"93.184.216.34", "10.0.0.1"},
		"mapped.example":  {"::ffff:93.184.216.34"},
		"private.example": {"192.168.1.10"},
		"meta.example":    {"169.254.169.254"},
	}
	hosts := map[string]string{"lyon.test": "127.0.0.1", "meta.test": "169.254.169.254"}

	tests := []struct {
		address string
		allow   bool
		// wantDial is the address dialed, empty when the host is refused.
		wantDial string
	}{
		{"public.example:443", false, "93.184.216.34:443"},
		{"mapped.example:443", false, "93.184.216.34:443"},
		{"93.184.216.34:443", false, "93.184.216.34:443"},
		{"[::ffff:93.184.216.34]:443", false, "93.184.216.34:443"},
		{"mixed.example:443", false, ""},
		{"private.example:443", false, ""},
		{"private.example:443", true, "192.168.1.10:443"},
		{"meta.example:80", true, ""},
		{"lyon.test:8080", false, ""},
		{"LYON.TEST.:8080", false, ""},
		{"lyon.test:8080", true, "127.0.0.1:8080"},
		{"meta.test:80", true, ""},
		{"127.0.0.1:8080", false, ""},
		{"[::1]:8080", false, ""},
		{"169.254.169.254:80", true, ""},
		{"[fd00:ec2::254]:80", true, ""},
	}
	for _, tt := range tests {
		d, dialed := fakeDialer(Options{AllowLoopback: tt.allow, Hosts: hosts}, answers)
		_, err := d.DialContext(context.Background(), "tcp", tt.address)
		if err == nil {
			t.Fatalf("DialContext(%s) succeeded through a fake dial", tt.address)
		}
		refused := errors.Is(err, ErrForbiddenAddress)
		if refused != (tt.wantDial == "") {
			t.Errorf("DialContext(%s, allow=%v) error = %v, refused = %v, want %v",
				tt.address, tt.allow, err, refused, tt.wantDial == "")
		}
		var want []string
		if tt.wantDial != "" {
			want = []string{tt.wantDial}
		}
		if !slices.Equal(*dialed, want) {
			t.Errorf("DialContext(%s, allow=%v) dialed %q, want %q",
				tt.address, tt.allow, *dialed, want)
		}
	}
}

func TestDialerHostsBeforeDNS(t *testing.T) {
	d, dialed := fakeDialer(Options{Hosts: map[string]string{"a.test": "93.184.216.34"}}, nil)
	d.resolve = func(_ context.Context, host string) ([]netip.Addr, error) {
		t.Errorf("resolver asked for %q, want Hosts to answer", host)
		return nil, errors.New("no DNS in tests")
	}
	_, _ = d.DialContext(context.Background(), "tcp", "a.test:443")
	if want := []string{"93.184.216.34:443"}; !slices.Equal(*dialed, want) {
		t.Errorf("dialed %q, want %q", *dialed, want)
	}
}

func TestDialerTriesEachAddress(t *testing.T) {
	answers := map[string][]string{"two.example": {"93.184.216.34", "2606:2800:220::1"}}
	d, dialed := fakeDialer(Options{}, answers)
	_, err := d.DialContext(context.Background(), "tcp", "two.example:443")
	if err == nil || errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("DialContext error = %v, want the fake dial's", err)
	}
	want := []string{"93.184.216.34:443", "[2606:2800:220::1]:443"}
	if !slices.Equal(*dialed, want) {
		t.Errorf("dialed %q, want %q", *dialed, want)
	}
}

func TestControlFunc(t *testing.T) {
	tests := []struct {
		address string
		allow   bool
		wantErr bool
	}{
		{"93.184.216.34:443", false, false},
		{"[2606:2800:220::1]:443", false, false},
		{"127.0.0.1:80", false, true},
		{"127.0.0.1:80", true, false},
		{"[::1]:80", true, false},
		{"[::ffff:127.0.0.1]:80", false, true},
		{"169.254.169.254:80", true, true},
		{"[fd00:ec2::254]:80", true, true},
		{"[fe80::1%eth0]:80", true, true},
		{"not-an-address", true, true},
	}
	for _, tt := range tests {
		err := controlFunc(tt.allow)(context.Background(), "tcp", tt.address, nil)
		if got := err != nil; got != tt.wantErr {
			t.Errorf("control(%s, allow=%v) error = %v, want error %v",
				tt.address, tt.allow, err, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("control(%s) error = %v, want %v", tt.address, err, ErrForbiddenAddress)
		}
	}
}
