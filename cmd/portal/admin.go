package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ess-lyon/portal/timeline"
)

func runMigrate(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	s.register(fs)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	db, err := s.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(out, "portal: schema up to date")
	return nil
}

func runActorCreate(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	a := &timeline.Actor{Kind: timeline.KindOrganisation}
	fs := flag.NewFlagSet("actor create", flag.ContinueOnError)
	s.register(fs)
	fs.StringVar(&a.Username, "username", "", "account name, as in @name@domain (required)")
	fs.StringVar(&a.Name, "name", "", "organisation's name (required)")
	fs.StringVar(&a.Summary, "summary", "", "short presentation")
	fs.StringVar(&a.LegalForm, "legal-form", "association",
		"one of "+strings.Join(timeline.LegalForms, ", "))
	fs.StringVar(&a.Sector, "sector", "", "sector of activity")
	fs.StringVar(&a.Address, "address", "", "street address")
	fs.StringVar(&a.PostalCode, "postal-code", "", "postal code")
	fs.StringVar(&a.City, "city", "Lyon", "town")
	fs.StringVar(&a.Website, "website", "", "website URL")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	app, err := s.app(ctx)
	if err != nil {
		return err
	}
	defer app.db.Close()
	if err := app.posts.CreateLocalActor(ctx, a); err != nil {
		return actorError(err)
	}
	cfg, _ := s.federation()
	fmt.Fprintf(out, "created @%s@%s (%s)\n", a.Username, cfg.Domain, cfg.ActorURI(a))
	return nil
}

// actorError adds the accepted values to a refused legal form: at the
// command line, unlike in a form, there is no list to pick from.
func actorError(err error) error {
	var fe *timeline.FieldError
	if errors.As(err, &fe) && fe.Field == "legal_form" {
		return fmt.Errorf("%w (accepted: %s)", err, strings.Join(timeline.LegalForms, ", "))
	}
	return err
}

func runUserCreate(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	u := &timeline.User{}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	s.register(fs)
	fs.StringVar(&u.Login, "login", "", "login, usually an e-mail address (required)")
	fs.StringVar(&u.Name, "name", "", "the person's name")
	fs.BoolVar(&u.Admin, "admin", false, "administrator of the portal")
	fs.BoolVar(&u.Committee, "committee", false, "member of the editorial committee")
	actor := fs.String("actor", "", "organisation the person edits for")
	role := fs.String("role", "editor", "role on --actor: editor or owner")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	password, err := readPassword()
	if err != nil {
		return err
	}
	app, err := s.app(ctx)
	if err != nil {
		return err
	}
	defer app.db.Close()
	// Check the role and organisation first: a user created without the
	// role asked for would make the corrected command fail as a duplicate.
	if *actor != "" {
		if r := timeline.Role(*role); r != timeline.Editor && r != timeline.Owner {
			return fmt.Errorf("--role: %q is neither editor nor owner", *role)
		}
		if _, err := app.posts.LocalActor(ctx, *actor); err != nil {
			return fmt.Errorf("--actor: %w", err)
		}
	}
	if err := app.posts.CreateUser(ctx, u, password); err != nil {
		return err
	}
	fmt.Fprintf(out, "created user %s\n", u.Login)
	if *actor == "" {
		return nil
	}
	return grant(ctx, app, u.Login, *actor, timeline.Role(*role), out)
}

func runUserGrant(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	fs := flag.NewFlagSet("user grant", flag.ContinueOnError)
	s.register(fs)
	login := fs.String("login", "", "the person's login (required)")
	actor := fs.String("actor", "", "organisation (required)")
	role := fs.String("role", "editor", "editor or owner")
	if err := fs.Parse(args); err != nil || *login == "" || *actor == "" {
		return errUsage
	}
	app, err := s.app(ctx)
	if err != nil {
		return err
	}
	defer app.db.Close()
	return grant(ctx, app, *login, *actor, timeline.Role(*role), out)
}

func grant(ctx context.Context, app *app, login, actor string, role timeline.Role,
	out io.Writer) error {
	u, err := app.posts.UserByLogin(ctx, login)
	if err != nil {
		return err
	}
	a, err := app.posts.LocalActor(ctx, actor)
	if err != nil {
		return err
	}
	if err := app.posts.Grant(ctx, u.ID, a.ID, role); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s is %s of @%s\n", u.Login, role, a.Username)
	return nil
}

// readPassword takes the password from PORTAL_PASSWORD or the first line
// of standard input, never from a flag that would show in ps and history.
func readPassword() (string, error) {
	if p := os.Getenv("PORTAL_PASSWORD"); p != "" {
		return p, nil
	}
	fmt.Fprint(os.Stderr, "password: ")
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runFollow(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	fs := flag.NewFlagSet("follow", flag.ContinueOnError)
	s.register(fs)
	actor := fs.String("actor", timeline.PortalUsername, "local actor that follows")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return errUsage
	}
	app, err := s.app(ctx)
	if err != nil {
		return err
	}
	defer app.db.Close()
	local, err := app.posts.LocalActor(ctx, *actor)
	if err != nil {
		return err
	}
	if err := app.fed.Follow(ctx, local, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(out, "@%s asked to follow %s; the server delivers the request\n",
		local.Username, fs.Arg(0))
	return nil
}

func runRelaySubscribe(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	fs := flag.NewFlagSet("relay subscribe", flag.ContinueOnError)
	s.register(fs)
	style := fs.String("style", "mastodon", "relay style: mastodon or litepub")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return errUsage
	}
	app, err := s.app(ctx)
	if err != nil {
		return err
	}
	defer app.db.Close()
	if err := app.fed.SubscribeRelay(ctx, fs.Arg(0), *style); err != nil {
		return err
	}
	fmt.Fprintf(out, "asked %s to relay for this portal (%s style)\n", fs.Arg(0), *style)
	return nil
}

// runUserPassword sets a person's password, from PORTAL_PASSWORD or the
// first line of standard input.
func runUserPassword(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	fs := flag.NewFlagSet("user password", flag.ContinueOnError)
	s.register(fs)
	login := fs.String("login", "", "the person's login (required)")
	if err := fs.Parse(args); err != nil || *login == "" {
		return errUsage
	}
	password, err := readPassword()
	if err != nil {
		return err
	}
	app, err := s.app(ctx)
	if err != nil {
		return err
	}
	defer app.db.Close()
	if err := app.posts.SetPassword(ctx, *login, password); err != nil {
		return err
	}
	fmt.Fprintf(out, "password of %s changed\n", *login)
	return nil
}
