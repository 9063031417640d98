package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/ess-lyon/portal/charter"
)

// runFeature records a committee decision from the command line, for
// operators and scripts; the web's committee page does the same.
func runFeature(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	fs := flag.NewFlagSet("feature", flag.ContinueOnError)
	s.register(fs)
	as := fs.String("as", "", "login of the committee member deciding (required)")
	post := fs.Int64("post", 0, "post number (required)")
	articles := fs.String("articles", "", "charter articles cited, e.g. 3,4 (required)")
	reason := fs.String("reason", "", "why, in a sentence")
	undo := fs.Bool("remove", false, "take the post off the featured timeline instead")
	if err := fs.Parse(args); err != nil || *as == "" || *post == 0 {
		return errUsage
	}
	app, err := s.app(ctx)
	if err != nil {
		return err
	}
	defer app.db.Close()
	u, err := app.posts.UserByLogin(ctx, *as)
	if err != nil {
		return err
	}
	d := &charter.Decision{Kind: charter.Feature, PostID: *post, Articles: *articles,
		Reason: *reason}
	if *undo {
		d.Kind = charter.Unfeature
	}
	if err := charter.NewCommittee(app.db, app.posts).Decide(ctx, u, d); err != nil {
		return err
	}
	fmt.Fprintf(out, "decision %d: %s post %d (articles %s)\n", d.ID, d.Kind, d.PostID, d.Articles)
	return nil
}

// runDeletePost deletes a local post, as an editor's deletion on the web
// does: followers are told and its uploaded image goes.
func runDeletePost(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	fs := flag.NewFlagSet("delete-post", flag.ContinueOnError)
	s.register(fs)
	post := fs.Int64("post", 0, "post number (required)")
	if err := fs.Parse(args); err != nil || *post == 0 {
		return errUsage
	}
	app, err := s.app(ctx)
	if err != nil {
		return err
	}
	defer app.db.Close()
	site, err := app.site(&s)
	if err != nil {
		return err
	}
	if err := site.DeletePost(ctx, *post); err != nil {
		return err
	}
	fmt.Fprintf(out, "deleted post %d\n", *post)
	return nil
}
