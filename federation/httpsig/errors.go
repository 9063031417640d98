package httpsig

import "errors"

// Sentinel errors. Functions in this package wrap them with details, so test
// for them with [errors.Is].
var (
	// ErrNoSignature means the request carries no Signature-Input, no
	// Signature and no "Authorization: Signature" header.
	ErrNoSignature = errors.New("httpsig: no signature")

	// ErrMalformed means a signature header, a parameter in it or a key
	// cannot be parsed.
	ErrMalformed = errors.New("httpsig: malformed signature")

	// ErrMissingHeader means a component the verification policy requires
	// is not covered by the signature, or a covered header is absent.
	ErrMissingHeader = errors.New("httpsig: required header not covered")

	// ErrDateSkew means the Date header or the created or expires parameter
	// lies outside the allowed window around the current time.
	ErrDateSkew = errors.New("httpsig: date outside the allowed window")

	// ErrDigestMismatch means the body does not match its Digest or
	// Content-Digest header, no supported digest is given, or a request
	// with a body has no digest covered by its signature.
	ErrDigestMismatch = errors.New("httpsig: body digest mismatch")

	// ErrUnsupportedAlgorithm means the signature algorithm, the key type or
	// their pairing is not one this package implements.
	ErrUnsupportedAlgorithm = errors.New("httpsig: unsupported algorithm")

	// ErrBadSignature means the signature does not verify with the key.
	ErrBadSignature = errors.New("httpsig: bad signature")

	// ErrKeyUnavailable means the [KeyResolver] failed to return a key.
	ErrKeyUnavailable = errors.New("httpsig: key unavailable")
)
