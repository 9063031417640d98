package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// backupWhileServing backs up a portal that serves, and is being written
// to, then serves the copy and finds in it every post, actor, user, follow
// and image the portal had when the backup started.
func backupWhileServing(t *testing.T, bin string, sum *summary) {
	peers := startPeers(t, []peerMode{peerFast})
	in := newInstance(t, bin, "lyon.test", "sqlite", "lyon.test=127.0.0.1,"+hostList(peers))
	in.env = append(in.env, quickQueue...)
	in.run("actor", "create", "--username", "orga", "--name", "Atelier vélo")
	in.run("user", "create", "--login", "editrice@lyon.test", "--actor", "orga")
	in.db = openDB(t, in.dsn)
	seedFollowers(t, in.db, localActorID(t, in, "orga"), peers)
	images := placeImages(t, in, 3)
	files := append(imagePosts(t, in, images), newsFiles(t, 4)...)
	in.run(append([]string{"publish", "--actor", "orga"}, files...)...)
	p := serveProcess(t, in)

	before := rowsOf(t, in)
	firstPost := before["posts"][0]
	likesBefore := in.count("SELECT like_count FROM posts WHERE id = ?", firstPost)
	stop, writes := make(chan struct{}), make(chan int)
	go hammer(in, firstPost, stop, writes)
	dir := filepath.Join(t.TempDir(), "backup")
	start := time.Now()
	out := in.run("backup", "--out", dir)
	took := time.Since(start)
	close(stop)
	written := <-writes
	after := rowsOf(t, in)
	likesAfter := in.count("SELECT like_count FROM posts WHERE id = ?", firstPost)
	_ = p.cmd.Process.Signal(os.Interrupt)
	p.wait(30 * time.Second)

	copied := &instance{t: t, bin: bin, domain: in.domain, data: dir,
		dsn: "sqlite:" + filepath.Join(dir, "portal.db"),
		env: append(slices.Clone(in.env), "PORTAL_DATA="+dir, "PORTAL_DB=")}
	copied.db = openDB(t, copied.dsn)
	serveProcess(t, copied)
	got := rowsOf(t, copied)
	for table, ids := range before {
		if missing := without(ids, got[table]); len(missing) > 0 {
			t.Errorf("%s missing from the backup: %v", table, missing)
		}
		if extra := without(got[table], after[table]); len(extra) > 0 {
			t.Errorf("%s in the backup but never in the portal: %v", table, extra)
		}
	}
	checkServed(t, copied, images, got["posts"])
	likes := copied.count("SELECT like_count FROM posts WHERE id = ?", firstPost)
	if likes < likesBefore || likes > likesAfter {
		t.Errorf("the copy counts %d likes, outside what the portal counted meanwhile, "+
			"%d to %d", likes, likesBefore, likesAfter)
	}

	pg := &instance{bin: bin, env: append(slices.Clone(in.env),
		"PORTAL_DB=postgres://portal@127.0.0.1/portal")}
	if msg, err := pg.output("backup", "--out", t.TempDir()); err == nil ||
		!strings.Contains(msg, "pg_dump") {
		t.Errorf("backup of PostgreSQL: %v, %q; want a failure naming pg_dump", err, msg)
	}
	sum.add(t, fmt.Sprintf("restored posts=%d", len(got["posts"])),
		"backup while serving and writing: took=%s writes-meanwhile=%d posts=%d actors=%d "+
			"users=%d follows=%d activities=%d media=%d, all found in and served by the copy",
		took.Round(time.Millisecond), written, len(got["posts"]), len(got["actors"]),
		len(got["users"]), len(got["follows"]), len(got["activities"]), len(images))
	t.Log(strings.TrimSpace(out))
}

// hammer writes to the instance's database until stop closes, so that the
// backup runs beside a writer, then sends how many writes it made.
func hammer(in *instance, postID string, stop <-chan struct{}, writes chan<- int) {
	n := 0
	defer func() { writes <- n }()
	for {
		select {
		case <-stop:
			return
		default:
		}
		_, err := in.db.ExecContext(context.Background(),
			"UPDATE posts SET like_count = like_count + 1 WHERE id = ?", postID)
		if err == nil {
			n++
		}
	}
}

// output runs a portal command and returns its output and error, for
// goroutines, which must not fail the test themselves.
func (in *instance) output(args ...string) (string, error) {
	cmd := exec.Command(in.bin, args...)
	cmd.Env = in.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("portal %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// placeImages writes n small PNG images into the media folder, under the
// names uploads get, and returns their contents by name.
func placeImages(t *testing.T, in *instance, n int) map[string][]byte {
	t.Helper()
	dir := filepath.Join(in.data, "media")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, 4, 4))
		img.Set(i, i, color.RGBA{R: 200, G: uint8(40 * i), B: 10, A: 255})
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%032x.png", i+1)
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o640); err != nil {
			t.Fatal(err)
		}
		out[name] = buf.Bytes()
	}
	return out
}

// imagePosts writes one news item per image, showing it.
func imagePosts(t *testing.T, in *instance, images map[string][]byte) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for name := range images {
		path := filepath.Join(dir, name+".md")
		text := fmt.Sprintf("---\ntitle: Le vélo %s\nimage: http://%s/media/%s\n"+
			"image_alt: Un vélo réparé\n---\nRéparé à l'atelier.\n", name[28:32], in.domain, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// rowsOf lists, for each kind of record a backup must keep, the keys of
// those the instance holds.
func rowsOf(t *testing.T, in *instance) map[string][]string {
	t.Helper()
	queries := map[string]string{
		"posts":      "SELECT id FROM posts",
		"actors":     "SELECT id FROM actors",
		"users":      "SELECT login FROM users",
		"follows":    "SELECT id FROM ap_follows",
		"activities": "SELECT id FROM ap_activities",
	}
	out := map[string][]string{}
	for table, q := range queries {
		rows, err := in.db.QueryContext(t.Context(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var key string
			if err := rows.Scan(&key); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], key)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// without returns the keys of a that are not in b.
func without(a, b []string) []string {
	var out []string
	for _, k := range a {
		if !slices.Contains(b, k) {
			out = append(out, k)
		}
	}
	return out
}

// checkServed checks that the copy serves every image, byte for byte, and
// every post's page.
func checkServed(t *testing.T, in *instance, images map[string][]byte, posts []string) {
	t.Helper()
	for name, want := range images {
		body, status := fetchPath(t, in, "/media/"+name)
		if status != http.StatusOK || !bytes.Equal(body, want) {
			t.Errorf("/media/%s: status %d, %d bytes; want 200, %d bytes", name, status,
				len(body), len(want))
		}
	}
	for _, id := range posts {
		if _, status := fetchPath(t, in, "/@orga/"+id); status != http.StatusOK {
			t.Errorf("/@orga/%s: status %d", id, status)
		}
	}
}

func fetchPath(t *testing.T, in *instance, path string) ([]byte, int) {
	t.Helper()
	resp, err := http.Get(in.localURL(path))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return body, resp.StatusCode
}
