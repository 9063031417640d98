package safehttp

import "errors"

// Errors returned by this package, always wrapped with detail: test them with
// [errors.Is]. From an [net/http.Client] built by [New] they arrive inside a
// [*net/url.Error], which unwraps to them.
var (
	// ErrForbiddenAddress reports a destination whose IP address, literal or
	// resolved, is refused by [IsForbiddenIP].
	ErrForbiddenAddress = errors.New("safehttp: destination address not allowed")

	// ErrTooLarge reports a response body longer than the caller's limit.
	ErrTooLarge = errors.New("safehttp: response body too large")

	// ErrTooManyRedirects reports a redirect beyond [Options.MaxRedirects].
	ErrTooManyRedirects = errors.New("safehttp: too many redirects")

	// ErrInsecureScheme reports a URL whose scheme is not https, or not http
	// or https when [Options.AllowLoopback] is set.
	ErrInsecureScheme = errors.New("safehttp: scheme not allowed")

	// ErrInvalidURL reports a URL that is not absolute, has no host, carries
	// user information, has a port outside 1-65535, or a host that is an IP
	// address written in a non-standard form.
	ErrInvalidURL = errors.New("safehttp: invalid URL")
)
