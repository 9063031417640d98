// Package web serves the portal to people: the public homepage, post and
// organisation pages, the editors' and committees' workspace, and the
// admins' moderation of reports, in French first with English available.
//
// It translates between HTTP forms and the timeline and charter domains. It
// must not import federation or cmd; cmd decides which requests go to which.
package web
