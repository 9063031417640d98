// Package migrations creates and evolves the portal's schema, one bun
// migration a file named YYYYMMDDHHMMSS_what.go. A migration declares the
// tables it touches itself and never imports the live models, so that an old
// migration keeps meaning what it meant when it was written.
package migrations
