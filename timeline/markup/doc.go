// Package markup is the one place where text becomes HTML that the portal
// shows or sends: editors' Markdown ([Markdown]), HTML that remote servers
// send in their notes ([Sanitize]), and the way back to plain text for
// summaries and meta descriptions ([PlainText]).
//
// Every HTML string it returns has gone through a single sanitizer policy
// (see policy.go), so a caller never has to decide whether some HTML is safe:
// if it came out of this package, it is. Anything else must be escaped, with
// [Escape] or html/template.
//
// It imports nothing from the project, so that every other package can use
// it.
package markup
