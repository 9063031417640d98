// Package safehttp is the HTTP client the portal uses for every request to
// another fediverse server: fetching actors, keys and objects, and delivering
// activities.
//
// Any id or inbox URL it is given comes from a stranger, so the client checks
// every destination before it connects: the scheme, the URL's shape, and each
// IP address the host name resolves to, again on every redirect. It refuses
// loopback, private, link-local and other non-public ranges, and always
// refuses cloud metadata endpoints. It connects to the exact address it
// checked, so a second DNS answer cannot send it elsewhere. [ReadBody] bounds
// how much of a response the portal will hold in memory.
//
// It uses only the standard library and must not import any other portal
// package.
package safehttp
