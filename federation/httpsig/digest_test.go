package httpsig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
)

// The SHA-256 and SHA-512 sums of the empty string, in base64.
const (
	emptySHA256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	emptySHA512 = "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwv" +
		"Y7kxvUdBeoGlODJ6+SfaPg=="
)

func TestDigestHeaders(t *testing.T) {
	if got := DigestHeader(nil); got != "SHA-256="+emptySHA256 {
		t.Errorf("DigestHeader = %q", got)
	}
	if got := ContentDigestHeader([]byte{}); got != "sha-256=:"+emptySHA256+":" {
		t.Errorf("ContentDigestHeader = %q", got)
	}
}

func TestCheckDigest(t *testing.T) {
	tests := []struct {
		value string
		ok    bool
	}{
		{"SHA-256=" + emptySHA256, true},
		{"sha-256=" + emptySHA256, true},
		{" SHA-256 = " + emptySHA256 + " ", true},
		{"SHA-256=" + emptySHA256 + ",SHA-512=" + emptySHA512, true},
		{"MD5=1B2M2Y8AsgTpgAmY7PhCfg==, SHA-512=" + emptySHA512, true},
		{"SHA-256=" + emptySHA256 + ",SHA-512=" + emptySHA256, false},
		{"SHA-256=" + emptySHA512, false},
		{"SHA-256=not base64", false},
		{"MD5=1B2M2Y8AsgTpgAmY7PhCfg==", false},
		{"SHA-256", false},
		{"", false},
		{",,", false},
	}
	for _, tt := range tests {
		err := checkDigest(tt.value, nil)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrDigestMismatch)) {
			t.Errorf("checkDigest(%q) = %v, want ok=%v", tt.value, err, tt.ok)
		}
	}
}

func TestCheckContentDigest(t *testing.T) {
	tests := []struct {
		value string
		ok    bool
	}{
		{"sha-256=:" + emptySHA256 + ":", true},
		{"sha-512=:" + emptySHA512 + ":, sha-256=:" + emptySHA256 + ":", true},
		{"md5=:1B2M2Y8AsgTpgAmY7PhCfg==:, sha-256=:" + emptySHA256 + ":", true},
		{"sha-256=:" + emptySHA512 + ":", false},
		{"sha-256=:" + emptySHA256 + ":, sha-512=:" + emptySHA256 + ":", false},
		{`sha-256="` + emptySHA256 + `"`, false},
		{"SHA-256=:" + emptySHA256 + ":", false},
		{"md5=:1B2M2Y8AsgTpgAmY7PhCfg==:", false},
		{"", false},
	}
	for _, tt := range tests {
		err := checkContentDigest(tt.value, nil)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrDigestMismatch)) {
			t.Errorf("checkContentDigest(%q) = %v, want ok=%v", tt.value, err, tt.ok)
		}
	}
}

func TestParsePublicKeyPEM(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	keys := filepath.Join("testdata", "keys")
	tests := []struct {
		name, pem string
		want      error
	}{
		{"pkix rsa", readFile(t, filepath.Join(keys, "rsa-a.pub.pem")), nil},
		{"pkcs1 rsa", readFile(t, filepath.Join(keys, "rsa-a.pkcs1.pub.pem")), nil},
		{"ed25519", readFile(t, filepath.Join(keys, "ed25519-a.pub.pem")), nil},
		{"text around", "key:\n" + readFile(t, filepath.Join(keys, "ed25519-a.pub.pem")) + "x",
			nil},
		{"ecdsa", ecPEM, ErrUnsupportedAlgorithm},
		{"private key", readFile(t, filepath.Join(keys, "rsa-a.pem")), ErrMalformed},
		{"no block", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", ErrMalformed},
		{"bad body", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
			ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, err := ParsePublicKeyPEM(tt.pem)
			if !errors.Is(err, tt.want) || (err == nil) != (pub != nil) {
				t.Fatalf("got %T, %v; want %v", pub, err, tt.want)
			}
		})
	}
	pkix, _ := ParsePublicKeyPEM(readFile(t, filepath.Join(keys, "rsa-a.pub.pem")))
	pkcs1, _ := ParsePublicKeyPEM(readFile(t, filepath.Join(keys, "rsa-a.pkcs1.pub.pem")))
	if !reflect.DeepEqual(pkix, pkcs1) {
		t.Error("PKIX and PKCS#1 forms of rsa-a differ")
	}
}
