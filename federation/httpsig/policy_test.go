package httpsig

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCavageCoverage signs various header lists and checks what the policy
// makes of them.
func TestCavageCoverage(t *testing.T) {
	tests := []struct {
		name      string
		algorithm string
		headers   string
		body      string
		drop      string // header removed after signing
		want      string
	}{
		{"all", "rsa-sha256", "(request-target) host date digest", followBody, "", "ok"},
		{"extra header", "rsa-sha256", "(request-target) host date digest content-type",
			followBody, "", "ok"},
		{"no host", "rsa-sha256", "(request-target) date digest", followBody, "",
			"ErrMissingHeader"},
		{"no request target", "rsa-sha256", "host date digest", followBody, "",
			"ErrMissingHeader"},
		{"no date", "rsa-sha256", "(request-target) host digest", followBody, "",
			"ErrMissingHeader"},
		{"created with rsa-sha256", "rsa-sha256", "(request-target) host (created) digest",
			followBody, "", "ErrMissingHeader"},
		{"created with hs2019", "hs2019", "(request-target) host (created) digest",
			followBody, "", "ok"},
		{"body without digest", "rsa-sha256", "(request-target) host date", followBody, "",
			"ErrDigestMismatch"},
		{"get without digest", "rsa-sha256", "(request-target) host date", "", "", "ok"},
		{"covered header absent", "rsa-sha256", "(request-target) host date digest content-type",
			followBody, "Content-Type", "ErrMissingHeader"},
		{"covered digest absent", "rsa-sha256", "(request-target) host date digest",
			followBody, "Digest", "ErrMissingHeader"},
		{"covered date absent", "rsa-sha256", "(request-target) host date", "", "Date",
			"ErrMissingHeader"},
		{"empty headers", "rsa-sha256", "", "", "", "ErrMissingHeader"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := cavageVector{key: "rsa-a", m: pkcs1SHA256, method: "POST",
				target: "https://portal.example/inbox", body: tt.body,
				header: http.Header{"Content-Type": {activityCT}},
				params: cavageParams{keyID: gtsKey, algorithm: tt.algorithm,
					headers: strings.Fields(tt.headers), created: unix(vectorTime)}}
			r, body := v.build(t)
			r.Header.Del(tt.drop)
			f := &fakeResolver{stale: loadPublic(t, "rsa-a")}
			_, err := Verify(t.Context(), serverView(t, r), body, f.resolve, fixedNow(vectorTime))
			checkErr(t, err, tt.want)
		})
	}
}

// TestRFC9421Coverage signs various component lists and parameters.
func TestRFC9421Coverage(t *testing.T) {
	tests := []struct {
		name  string
		names string
		body  string
		extra []sfParam
		want  string
	}{
		{"target uri", "@method @target-uri content-digest", followBody, nil, "ok"},
		{"authority and path", "@method @authority @path @query content-digest", followBody,
			nil, "ok"},
		{"authority and request target", "@method @authority @request-target content-digest",
			followBody, nil, "ok"},
		{"scheme and headers", "@method @target-uri @scheme date host content-type",
			"", nil, "ok"},
		{"no method", "@target-uri content-digest", followBody, nil, "ErrMissingHeader"},
		{"no path", "@method @authority content-digest", followBody, nil, "ErrMissingHeader"},
		{"no authority", "@method @path content-digest", followBody, nil, "ErrMissingHeader"},
		{"body without digest", "@method @target-uri", followBody, nil, "ErrDigestMismatch"},
		{"alg rsa-v1_5-sha256", "@method @target-uri", "",
			[]sfParam{{key: "alg", val: sfStr("rsa-v1_5-sha256")}}, "ok"},
		{"alg ed25519 with an RSA key", "@method @target-uri", "",
			[]sfParam{{key: "alg", val: sfStr("ed25519")}}, "ErrUnsupportedAlgorithm"},
		{"alg hmac", "@method @target-uri", "",
			[]sfParam{{key: "alg", val: sfStr("hmac-sha256")}}, "ErrUnsupportedAlgorithm"},
		{"alg as token", "@method @target-uri", "",
			[]sfParam{{key: "alg", val: sfItem{kind: sfToken, str: "ed25519"}}}, "ErrMalformed"},
		{"nonce and tag", "@method @target-uri", "",
			[]sfParam{{key: "nonce", val: sfStr("n0")}, {key: "tag", val: sfStr("ap")}}, "ok"},
		{"created as string", "@method @target-uri", "",
			[]sfParam{{key: "created", val: sfStr("now")}}, "ErrMalformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			r := newRequest(t, "POST", "https://portal.example/inbox?x=1", body)
			r.Header.Set("Content-Type", activityCT)
			r.Header.Set("Content-Digest", ContentDigestHeader(body))
			r.Header.Set("Date", vectorTime.Format(http.TimeFormat))
			setHost(r)
			s := sigInput{label: "sig", components: componentList(strings.Fields(tt.names)...),
				params: sfParams{{key: "created", val: sfInt(vectorTime.Unix())},
					{key: "keyid", val: sfStr(gtsKey)}}}
			for _, p := range tt.extra {
				s.params = s.params.set(p.key, p.val)
			}
			if err := signRFC9421(r, s, loadSigner(t, "rsa-a"), pkcs1SHA256, "https"); err != nil {
				t.Fatal(err)
			}
			f := &fakeResolver{stale: loadPublic(t, "rsa-a")}
			_, err := Verify(t.Context(), serverView(t, r), body, f.resolve, fixedNow(vectorTime))
			checkErr(t, err, tt.want)
		})
	}
}

// TestRFC9421HeaderAbsent removes a covered header after signing.
func TestRFC9421HeaderAbsent(t *testing.T) {
	r := newRequest(t, "POST", "https://portal.example/inbox", nil)
	r.Header.Set("Content-Type", activityCT)
	if err := SignRequestRFC9421(r, nil, gtsKey, loadSigner(t, "rsa-a"), vectorTime); err != nil {
		t.Fatal(err)
	}
	in := strings.Replace(r.Header.Get("Signature-Input"), `"@authority"`,
		`"@authority" "content-type"`, 1)
	r.Header.Set("Signature-Input", in)
	r.Header.Del("Content-Type")
	f := &fakeResolver{stale: loadPublic(t, "rsa-a")}
	verifyAt(t, serverView(t, r), nil, f, 0, "ErrMissingHeader", 0)
}

// TestUnsupportedAlgorithm refuses algorithms before fetching any key.
func TestUnsupportedAlgorithm(t *testing.T) {
	for _, alg := range []string{"hmac-sha256", "ecdsa-sha256", "rsa-sha1", "RSA-MD5", "none"} {
		t.Run(alg, func(t *testing.T) {
			v := cavageVector{key: "rsa-a", m: pkcs1SHA256, method: "GET",
				target: "https://portal.example/",
				params: cavageParams{keyID: gtsKey, algorithm: alg,
					headers: []string{"(request-target)", "host", "date"}}}
			r, _ := v.build(t)
			f := &fakeResolver{stale: loadPublic(t, "rsa-a")}
			verifyAt(t, r, nil, f, 0, "ErrUnsupportedAlgorithm", 0)
		})
	}
	t.Run("rsa-sha256 claimed for an Ed25519 key", func(t *testing.T) {
		v := cavageVector{key: "ed25519-a", m: pureEd25519, method: "GET",
			target: "https://portal.example/",
			params: cavageParams{keyID: gtsKey, algorithm: "rsa-sha256",
				headers: []string{"(request-target)", "host", "date"}}}
		r, _ := v.build(t)
		f := &fakeResolver{stale: loadPublic(t, "ed25519-a")}
		verifyAt(t, r, nil, f, 0, "ErrUnsupportedAlgorithm", 2)
	})
}

// TestVerifyMalformed feeds garbage to every signature header. Verify must
// refuse it with the right sentinel and never panic.
func TestVerifyMalformed(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   string
	}{
		{"nothing", http.Header{}, "ErrNoSignature"},
		{"bearer token", http.Header{"Authorization": {"Bearer abc"}}, "ErrNoSignature"},
		{"two Signature headers", http.Header{"Signature": {goodCavage, goodCavage}},
			"ErrMalformed"},
		{"authorization garbage", http.Header{"Authorization": {"Signature ,,=,"}},
			"ErrMalformed"},
		{"input without signature", http.Header{"Signature-Input": {goodInput}},
			"ErrMalformed"},
		{"signature for another label", http.Header{"Signature-Input": {goodInput},
			"Signature": {"other=:AAAA:"}}, "ErrMalformed"},
		{"signature not bytes", http.Header{"Signature-Input": {goodInput},
			"Signature": {`sig1="AAAA"`}}, "ErrMalformed"},
		{"too many signatures", manySignatures(maxSignatures + 1), "ErrMalformed"},
	}
	for _, g := range cavageGarbage {
		tests = append(tests, struct {
			name   string
			header http.Header
			want   string
		}{"cavage " + g, http.Header{"Signature": {g}}, "ErrMalformed"})
	}
	for _, g := range inputGarbage {
		tests = append(tests, struct {
			name   string
			header http.Header
			want   string
		}{"rfc9421 " + g, http.Header{"Signature-Input": {g}, "Signature": {"sig1=:AAAA:"}},
			"ErrMalformed"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, "POST", "https://portal.example/inbox", nil)
			r.Header = tt.header
			f := &fakeResolver{stale: loadPublic(t, "rsa-a")}
			verifyAt(t, r, []byte(followBody), f, 0, tt.want, 0)
		})
	}
}

// manySignatures returns headers holding n well-formed signatures.
func manySignatures(n int) http.Header {
	var inputs, sigs []string
	for i := range n {
		label := fmt.Sprintf("sig%d", i)
		inputs = append(inputs, label+`=("@method" "@target-uri");created=1714564800;keyid="k"`)
		sigs = append(sigs, label+"=:AAAA:")
	}
	return http.Header{
		"Signature-Input": {strings.Join(inputs, ", ")},
		"Signature":       {strings.Join(sigs, ", ")},
	}
}

const (
	goodCavage = `keyId="k",headers="(request-target) host date",signature="AAAA"`
	goodInput  = `sig1=("@method" "@target-uri");created=1714564800;keyid="k"`
)

// cavageGarbage holds Signature header values that must parse as malformed.
var cavageGarbage = []string{
	``,
	`garbage`,
	`keyId`,
	`keyId=`,
	`=`,
	`keyId="k"`,
	`signature="AAAA"`,
	`keyId="k",signature="!!!"`,
	`keyId="k",signature="AAAA",keyId="j"`,
	`keyId="k",signature="AAAA",KEYID="j"`,
	`keyId="k,signature="AAAA"`,
	`keyId="k" signature="AAAA"`,
	`keyId="k",signature="AAAA"x`,
	`keyId="k",signature="AAAA",created="soon"`,
	`keyId="k",signature="AAAA",expires=1.5e3`,
	`keyId="k",signature="AAAA",(created)=1`,
	`keyId="k",signature="AAAA` + "\\",
	"keyId=\"k\",\x00signature=\"AAAA\"",
	`"keyId"="k",signature="AAAA"`,
}

// inputGarbage holds Signature-Input values that must parse as malformed.
var inputGarbage = []string{
	`sig1`,
	`sig1=`,
	`sig1=(`,
	`sig1=("@method"`,
	`sig1=("@method" @path)`,
	`sig1=("@method");created=`,
	`sig1=("@method");created=1714564800;keyid="k`,
	`sig1=("@method"),`,
	`Sig1=("@method")`,
	`sig1=("@method")  ;created=1`,
	`sig1=("@method");created=1;keyid="k", `,
	`sig1=:AAAA:`,
	`sig1=("@method" 1)`,
	`sig1=("@method" "Content-Type")`,
	`sig1=("@method" "@status")`,
	`sig1=("@method" "@signature-params")`,
	`sig1=("@method" "@method")`,
	`sig1=("@method" "date";sf)`,
	`sig1=("@method" "@query-param")`,
	`sig1=("@method" "")`,
	`sig1=("\é")`,
	`sig1=(:AAA=:);created=1`,
	`sig1=("@method");created=1234567890123456`,
	`sig1=("@method");created=1.2345`,
	`sig1=("@method");created=?2`,
	"sig1=(\"@method\"\t\"@path\")",
}

// TestCavageTimestamps checks (created) in the future and a bad Date.
func TestCavageTimestamps(t *testing.T) {
	v := cavageVector{key: "ed25519-a", m: pureEd25519, method: "GET",
		target: "https://portal.example/",
		params: cavageParams{keyID: gtsKey, algorithm: "hs2019",
			created: unix(vectorTime.Add(2 * time.Hour)),
			headers: []string{"(request-target)", "host", "(created)"}}}
	r, _ := v.build(t)
	f := &fakeResolver{stale: loadPublic(t, "ed25519-a")}
	verifyAt(t, r, nil, f, 0, "ErrDateSkew", 0)

	v.params = cavageParams{keyID: gtsKey, algorithm: "hs2019",
		headers: []string{"(request-target)", "host", "date"}}
	r, _ = v.build(t)
	r.Header.Set("Date", "yesterday")
	verifyAt(t, r, nil, f, 0, "ErrMalformed", 0)
}
