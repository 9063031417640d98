// Command portal runs the federated portal of Lyon's social and solidarity
// economy and administers it: portal serve, migrate, actor create, user
// create, publish and follow. Run "portal help" for the list.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type command struct {
	name  string
	usage string
	run   func(ctx context.Context, args []string, out io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the portal's web and federation server", runServe},
		{"migrate", "create or update the database schema", runMigrate},
		{"actor create", "create an organisation account", runActorCreate},
		{"user create", "create a person, optionally with a role on an organisation", runUserCreate},
		{"user grant", "give a person a role on an organisation", runUserGrant},
		{"user password", "set a person's password", runUserPassword},
		{"publish", "publish news or events from Markdown files with front matter", runPublish},
		{"follow", "make a local actor follow a remote one", runFollow},
		{"feature", "feature a post, or remove it, as a committee member", runFeature},
		{"delete-post", "delete a local post and tell followers", runDeletePost},
		{"relay subscribe", "subscribe to an ActivityPub relay, by its actor URL", runRelaySubscribe},
		{"backup", "copy a running SQLite portal's database and media to --out", runBackup},
	}
}

// errUsage is returned for a command line the program cannot understand.
var errUsage = errors.New("usage")

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := dispatch(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, errUsage) {
			printUsage(os.Stderr)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
}

func dispatch(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 1 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		printUsage(out)
		return nil
	}
	for _, c := range commands() {
		words := len(splitWords(c.name))
		if len(args) >= words && joinWords(args[:words]) == c.name {
			return c.run(ctx, args[words:], out)
		}
	}
	return errUsage
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: portal COMMAND [flags]")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-16s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "Each command takes --db and --data; run 'portal COMMAND -h' for its flags.")
}

func splitWords(s string) []string { return strings.Fields(s) }

func joinWords(w []string) string { return strings.Join(w, " ") }
