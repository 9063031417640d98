package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ess-lyon/portal/timeline"
)

// TestActorCreateListsLegalForms: an unknown legal form is refused with
// the accepted ones, so that the operator need not read the source.
func TestActorCreateListsLegalForms(t *testing.T) {
	data := t.TempDir()
	err := dispatch(context.Background(), []string{"actor", "create",
		"--db", "sqlite:" + filepath.Join(data, "portal.db"), "--data", data,
		"--username", "atelier", "--name", "Atelier", "--legal-form", "cooperative"},
		io.Discard)
	if err == nil {
		t.Fatal("legal form cooperative accepted")
	}
	for _, want := range append([]string{"cooperative"}, timeline.LegalForms...) {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// TestDeletePostRemovesItsImage: portal delete-post deletes as the web
// does, the uploaded image with the post.
func TestDeletePostRemovesItsImage(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	common := []string{"--db", "sqlite:" + filepath.Join(data, "portal.db"), "--data", data}
	// run runs a command ("actor create") with flags, which come before
	// file names, the portal's settings first.
	run := func(command string, args ...string) string {
		t.Helper()
		full := append(append(strings.Fields(command), common...), args...)
		var out strings.Builder
		if err := dispatch(ctx, full, &out); err != nil {
			t.Fatalf("portal %s: %v", strings.Join(full, " "), err)
		}
		return out.String()
	}
	run("actor create", "--username", "atelier", "--name", "Atelier")
	image := strings.Repeat("ab", 16) + ".png"
	if err := os.MkdirAll(filepath.Join(data, "media"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "media", image), []byte("png"), 0o640); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "news.md")
	err := os.WriteFile(file, []byte("---\ntitle: Affiche\nimage: /media/"+image+
		"\nimage_alt: L'affiche\n---\nTexte.\n"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	out := run("publish", "--actor", "atelier", file)
	id := out[strings.LastIndex(out, "/")+1 : len(strings.TrimSpace(out))]

	run("delete-post", "--post", id)
	if _, err := os.Stat(filepath.Join(data, "media", image)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the deleted post's image is still there (%v)", err)
	}
}
