package safehttp

import (
	"errors"
	"testing"
)

func TestCheckURL(t *testing.T) {
	strict := Options{Hosts: map[string]string{
		"lyon.test":   "127.0.0.1",
		"public.test": "93.184.216.34",
		"meta.test":   "169.254.169.254",
		"broken.test": "not-an-ip",
	}}
	loose := strict
	loose.AllowLoopback = true

	tests := []struct {
		raw                 string
		strictErr, looseErr error
	}{
		{"https://example.org/users/alice", nil, nil},
		{"https://93.184.216.34/actor", nil, nil},
		{"https://[2606:2800:220:1:248:1893:25c8:1946]:8443/", nil, nil},
		{"https://public.test/", nil, nil},
		{"https://Example.ORG./", nil, nil},
		{"HTTPS://example.org/", nil, nil},

		// Schemes.
		{"http://example.org/", ErrInsecureScheme, nil},
		{"http://93.184.216.34/", ErrInsecureScheme, nil},
		{"ftp://example.org/", ErrInsecureScheme, ErrInsecureScheme},
		{"file:///etc/passwd", ErrInsecureScheme, ErrInsecureScheme},
		{"gopher://example.org/", ErrInsecureScheme, ErrInsecureScheme},

		// Shape.
		{"/users/alice", ErrInvalidURL, ErrInvalidURL},
		{"https:opaque", ErrInvalidURL, ErrInvalidURL},
		{"https:///path", ErrInvalidURL, ErrInvalidURL},
		{"https://alice:secret@example.org/", ErrInvalidURL, ErrInvalidURL},
		{"https://alice@example.org/", ErrInvalidURL, ErrInvalidURL},
		{"https://example.org:0/", ErrInvalidURL, ErrInvalidURL},
		{"https://example.org:65536/", ErrInvalidURL, ErrInvalidURL},
		{"https://example.org:99999999999999999999/", ErrInvalidURL, ErrInvalidURL},
		{"https://example.org:https/", ErrInvalidURL, ErrInvalidURL},
		{"https://example.org:65535/", nil, nil},
		{"https://exa mple.org/", ErrInvalidURL, ErrInvalidURL},
		{"https://2130706433/", ErrInvalidURL, ErrInvalidURL},
		{"https://127.1/", ErrInvalidURL, ErrInvalidURL},
		{"https://0x7f000001/", ErrInvalidURL, ErrInvalidURL},
		{"https://0177.0.0.1/", ErrInvalidURL, ErrInvalidURL},
		{"https://broken.test/", errAny, errAny},

		// Addresses known without DNS.
		{"https://127.0.0.1/", ErrForbiddenAddress, nil},
		{"https://[::1]:8443/", ErrForbiddenAddress, nil},
		{"https://[::ffff:127.0.0.1]/", ErrForbiddenAddress, nil},
		{"https://10.0.0.5/", ErrForbiddenAddress, nil},
		{"https://lyon.test/", ErrForbiddenAddress, nil},
		{"https://LYON.test./", ErrForbiddenAddress, nil},
		{"https://169.254.169.254/latest/meta-data/", ErrForbiddenAddress, ErrForbiddenAddress},
		{"http://169.254.169.254/", ErrInsecureScheme, ErrForbiddenAddress},
		{"https://[fd00:ec2::254]/", ErrForbiddenAddress, ErrForbiddenAddress},
		{"https://[::ffff:a9fe:a9fe]/", ErrForbiddenAddress, ErrForbiddenAddress},
		{"https://meta.test/", ErrForbiddenAddress, ErrForbiddenAddress},
		{"https://[fe80::1%25eth0]/", ErrForbiddenAddress, ErrForbiddenAddress},
		{"https://0.0.0.0/", ErrForbiddenAddress, ErrForbiddenAddress},
		{"https://100.64.1.1/", ErrForbiddenAddress, ErrForbiddenAddress},
		{"https://192.0.2.10/", ErrForbiddenAddress, ErrForbiddenAddress},
	}
	for _, tt := range tests {
		checkErr(t, "strict", tt.raw, strict, tt.strictErr)
		checkErr(t, "loose", tt.raw, loose, tt.looseErr)
	}
}

// errAny stands for "some error, whichever" in a test table.
var errAny = errors.New("any error")

func checkErr(t *testing.T, mode, raw string, opts Options, want error) {
	t.Helper()
	u, err := CheckURL(raw, opts)
	switch {
	case want == nil && err != nil:
		t.Errorf("%s: CheckURL(%q) error = %v, want none", mode, raw, err)
	case want == nil && u == nil:
		t.Errorf("%s: CheckURL(%q) returned a nil URL", mode, raw)
	case want == errAny && err == nil:
		t.Errorf("%s: CheckURL(%q) succeeded, want an error", mode, raw)
	case want != nil && want != errAny && !errors.Is(err, want):
		t.Errorf("%s: CheckURL(%q) error = %v, want %v", mode, raw, err, want)
	case want != nil && u != nil:
		t.Errorf("%s: CheckURL(%q) returned URL %v with an error", mode, raw, u)
	}
}
