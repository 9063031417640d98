package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ess-lyon/portal/migrations"
)

// errBackupPostgres explains that PostgreSQL has its own tool.
var errBackupPostgres = errors.New("backup copies SQLite portals only: back up PostgreSQL " +
	"with pg_dump (pg_dump --format=custom --file=portal.dump DATABASE_URL), " +
	"then copy the data folder's media")

func runBackup(ctx context.Context, args []string, out io.Writer) error {
	var s settings
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	s.register(fs)
	dir := fs.String("out", "", "folder to write the copy to, new or empty (required)")
	if err := fs.Parse(args); err != nil || *dir == "" {
		return errUsage
	}
	dbPath, ok := strings.CutPrefix(s.dsn(), "sqlite:")
	if !ok {
		return errBackupPostgres
	}
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("no database to back up: %w", err)
	}
	if err := emptyFolder(*dir); err != nil {
		return err
	}
	if err := snapshotSQLite(ctx, s.dsn(), filepath.Join(*dir, "portal.db")); err != nil {
		return err
	}
	n, err := copyMedia(filepath.Join(s.data, "media"), filepath.Join(*dir, "media"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "portal: backed up the database and %d media files to %s; "+
		"restore by serving with --data %s\n", n, *dir, *dir)
	return nil
}

// emptyFolder creates dir, or checks that it is empty: a backup never
// overwrites anything.
func emptyFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("creating backup folder: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("reading backup folder: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("backup folder %s is not empty", dir)
	}
	return nil
}

// snapshotSQLite writes a consistent copy of the live database to path.
// VACUUM INTO reads one snapshot, so the portal may go on writing
// meanwhile (WAL lets readers and the writer pass each other). SQLite does
// not flush the copy to disk, so it is written under a temporary name,
// synced, checked and only then renamed.
func snapshotSQLite(ctx context.Context, dsn, path string) error {
	db, err := migrations.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tmp := path + ".partial"
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return fmt.Errorf("copying the database: %w", err)
	}
	// The copy holds private keys and password hashes: for the operator only.
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("protecting the copy: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := quickCheck(ctx, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("naming the copy: %w", err)
	}
	return syncFile(filepath.Dir(path))
}

// quickCheck asks SQLite whether the copy at path is sound, read-only.
func quickCheck(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("opening the copy: %w", err)
	}
	defer db.Close()
	var verdict string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&verdict); err != nil {
		return fmt.Errorf("checking the copy: %w", err)
	}
	if verdict != "ok" {
		return fmt.Errorf("the copy is damaged: %s", verdict)
	}
	return nil
}

// copyMedia copies the regular files of src into dst and returns how many
// it copied. It runs after the database's snapshot: images are written
// before the post that shows them and never removed while a post does, so
// every file the snapshot refers to is there.
func copyMedia(src, dst string) (int, error) {
	entries, err := os.ReadDir(src)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading media folder: %w", err)
	}
	if err := os.MkdirAll(dst, 0o750); err != nil {
		return 0, fmt.Errorf("creating media folder: %w", err)
	}
	n := 0
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return n, err
		}
		n++
	}
	return n, syncFile(dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("creating %s: %w", dst, err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	return nil
}

// syncFile flushes a file or a folder's entries to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	return nil
}
