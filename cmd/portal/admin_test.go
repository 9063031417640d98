package main

import (
	"context"
	"io"
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
