package httpsig

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// ParsePublicKeyPEM parses the first PEM block of s, as found in an actor's
// publicKeyPem: a PKIX "PUBLIC KEY" or a PKCS#1 "RSA PUBLIC KEY". It returns
// an *rsa.PublicKey or an ed25519.PublicKey. Text around the block is
// ignored. Errors wrap ErrMalformed, or ErrUnsupportedAlgorithm for another
// kind of key.
func ParsePublicKeyPEM(s string) (crypto.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrMalformed)
	}
	var (
		pub crypto.PublicKey
		err error
	)
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%w: PEM block of type %q", ErrMalformed, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: parsing %s: %w", ErrMalformed, block.Type, err)
	}
	if _, err := kindOf(pub); err != nil {
		return nil, err
	}
	return pub, nil
}
