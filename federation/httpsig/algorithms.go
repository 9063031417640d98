package httpsig

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
)

// method is one signature primitive: a padding or curve with its hash.
type method int

const (
	pkcs1SHA256 method = iota + 1
	pkcs1SHA512
	pssSHA512
	pureEd25519
)

// keyKind classifies the public keys this package can verify with.
type keyKind int

const (
	kindRSA keyKind = iota + 1
	kindEd25519
)

func (k keyKind) String() string {
	if k == kindEd25519 {
		return "Ed25519"
	}
	return "RSA"
}

// methodTable maps an algorithm name, as a peer writes it, to the primitives
// to try for each kind of key, in order. Names absent from a table are
// unsupported; "" stands for a missing algorithm parameter.
type methodTable map[string]map[keyKind][]method

// byKeyType lets the key decide: PKCS#1 v1.5 first for RSA, as Mastodon
// signs, then RSA-PSS as the hs2019 profile suggests.
var byKeyType = map[keyKind][]method{
	kindRSA:     {pkcs1SHA256, pssSHA512},
	kindEd25519: {pureEd25519},
}

// cavageMethods serves the draft-cavage algorithm parameter.
var cavageMethods = methodTable{
	"":           byKeyType,
	"hs2019":     byKeyType,
	"rsa-sha256": {kindRSA: {pkcs1SHA256}},
	"rsa-sha512": {kindRSA: {pkcs1SHA512}},
	"ed25519":    {kindEd25519: {pureEd25519}},
}

// rfc9421Methods serves the RFC 9421 alg parameter.
var rfc9421Methods = methodTable{
	"":                byKeyType,
	"rsa-v1_5-sha256": {kindRSA: {pkcs1SHA256}},
	"rsa-pss-sha512":  {kindRSA: {pssSHA512}},
	"ed25519":         {kindEd25519: {pureEd25519}},
}

// known reports whether alg names an algorithm of the table.
func (t methodTable) known(alg string) bool {
	_, ok := t[alg]
	return ok
}

// methods returns the primitives to try for alg with pub. It fails with
// ErrUnsupportedAlgorithm for an unknown key type or a key that alg cannot
// use.
func (t methodTable) methods(alg string, pub crypto.PublicKey) ([]method, error) {
	kind, err := kindOf(pub)
	if err != nil {
		return nil, err
	}
	ms := t[alg][kind]
	if len(ms) == 0 {
		return nil, fmt.Errorf("%w: %q with an %s key", ErrUnsupportedAlgorithm, alg, kind)
	}
	return ms, nil
}

// kindOf classifies pub, refusing nil and unusable keys.
func kindOf(pub crypto.PublicKey) (keyKind, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k != nil && k.N != nil {
			return kindRSA, nil
		}
	case ed25519.PublicKey:
		if len(k) == ed25519.PublicKeySize {
			return kindEd25519, nil
		}
	case *ed25519.PublicKey:
		if k != nil && len(*k) == ed25519.PublicKeySize {
			return kindEd25519, nil
		}
	}
	return 0, fmt.Errorf("%w: key of type %T", ErrUnsupportedAlgorithm, pub)
}

// verifyAny reports whether sig signs msg under pub with one of ms. pub must
// be of a kind that every method in ms accepts.
func verifyAny(pub crypto.PublicKey, ms []method, msg, sig []byte) error {
	for _, m := range ms {
		if verifyWith(pub, m, msg, sig) {
			return nil
		}
	}
	return ErrBadSignature
}

func verifyWith(pub crypto.PublicKey, m method, msg, sig []byte) bool {
	switch m {
	case pkcs1SHA256:
		sum := sha256.Sum256(msg)
		return rsa.VerifyPKCS1v15(rsaKey(pub), crypto.SHA256, sum[:], sig) == nil
	case pkcs1SHA512:
		sum := sha512.Sum512(msg)
		return rsa.VerifyPKCS1v15(rsaKey(pub), crypto.SHA512, sum[:], sig) == nil
	case pssSHA512:
		sum := sha512.Sum512(msg)
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}
		return rsa.VerifyPSS(rsaKey(pub), crypto.SHA512, sum[:], sig, opts) == nil
	case pureEd25519:
		return ed25519.Verify(edKey(pub), msg, sig)
	}
	return false
}

func rsaKey(pub crypto.PublicKey) *rsa.PublicKey {
	k, _ := pub.(*rsa.PublicKey)
	return k
}

func edKey(pub crypto.PublicKey) ed25519.PublicKey {
	if k, ok := pub.(*ed25519.PublicKey); ok {
		return *k
	}
	k, _ := pub.(ed25519.PublicKey)
	return k
}

// sign signs msg with key using m. RSA-PSS uses a salt as long as the hash,
// the 64 bytes RFC 9421 asks for.
func sign(key crypto.Signer, m method, msg []byte) ([]byte, error) {
	var (
		sig []byte
		err error
	)
	switch m {
	case pkcs1SHA256:
		sum := sha256.Sum256(msg)
		sig, err = key.Sign(rand.Reader, sum[:], crypto.SHA256)
	case pkcs1SHA512:
		sum := sha512.Sum512(msg)
		sig, err = key.Sign(rand.Reader, sum[:], crypto.SHA512)
	case pssSHA512:
		sum := sha512.Sum512(msg)
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA512}
		sig, err = key.Sign(rand.Reader, sum[:], opts)
	case pureEd25519:
		sig, err = key.Sign(rand.Reader, msg, crypto.Hash(0))
	default:
		return nil, fmt.Errorf("%w: method %d", ErrUnsupportedAlgorithm, m)
	}
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return sig, nil
}

// signerKind classifies the public half of a signing key.
func signerKind(key crypto.Signer) (keyKind, error) {
	if key == nil {
		return 0, fmt.Errorf("%w: nil signing key", ErrUnsupportedAlgorithm)
	}
	return kindOf(key.Public())
}
