// Package httpsig signs and verifies HTTP requests between federated
// (ActivityPub) servers.
//
// It owns both signature schemes met in the fediverse: the draft-cavage
// "Signature" header that Mastodon, Misskey and most servers send (see
// [SignRequest]), and RFC 9421 HTTP Message Signatures with RFC 9530
// Content-Digest (see [SignRequestRFC9421]). [Verify] accepts either, checks
// which parts of the request are covered, the date window and the body
// digest, then fetches the key through a caller-supplied [KeyResolver].
//
// Fetching actors, caching keys and deciding whether the key's owner may
// act for an activity's actor belong to the caller. The package uses the
// standard library only and imports nothing from the portal, so it can be
// tested, fuzzed and reused on its own.
package httpsig
