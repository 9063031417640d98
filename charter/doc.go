// Package charter holds the portal's charter (charte de fonctionnement): its
// numbered articles, and the editorial decisions that cite them.
//
// Every decision that changes the featured timeline is recorded here with
// the articles it rests on. Like timeline, it knows nothing of HTTP or
// ActivityStreams; it may import timeline, never web or federation.
package charter
