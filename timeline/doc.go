// Package timeline is the portal's domain: organisations and other actors,
// the news and events they publish, the people who edit for them, the
// featured timeline that committees curate, and the reports that admins
// handle.
//
// It owns its tables and reads and writes them through bun. It reads one
// table it does not own, by name: federation's ap_follows, to list the
// posts of followed accounts ([Store.FollowedPosts]). It knows nothing
// of HTTP or ActivityStreams: the web and federation packages translate
// between it and the outside world. It must not import web, federation or
// cmd.
package timeline
