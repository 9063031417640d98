package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/ess-lyon/portal/timeline"
	"github.com/ess-lyon/portal/web/imagemeta"
)

// maxImageBytes is the largest image an editor may upload.
const maxImageBytes = 5 << 20

// The largest picture, in pixels, an editor may upload: a few bytes can
// announce a picture that takes gigabytes to decode, in every browser and
// server that shows it. 40 megapixels is more than phones take.
const (
	maxImageSide   = 12_000
	maxImagePixels = 40_000_000
)

// imageExts are the image formats accepted, by the content type sniffed
// from their first bytes, with the extension they are stored under.
var imageExts = map[string]string{
	"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif",
}

// mediaTypes are the content types images are served with, by extension.
var mediaTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif",
}

// mediaName matches the names saveImage gives; nothing else is served.
var mediaName = regexp.MustCompile(`^[0-9a-f]{32}\.(png|jpg|webp|gif)$`)

// uploadedImage returns the file sent in the form's image field, and
// whether one was: a browser sends an empty part when none is chosen.
func uploadedImage(r *http.Request) (*multipart.FileHeader, bool) {
	if r.MultipartForm == nil {
		return nil, false
	}
	files := r.MultipartForm.File["image"]
	if len(files) == 0 || files[0].Size == 0 {
		return nil, false
	}
	return files[0], true
}

// saveImage checks that an upload is an accepted image, judging by its
// bytes rather than its name or declared type, removes the metadata the
// camera wrote into it (a phone's photo carries where it was taken), and
// stores it in MediaDir under a new random name, which it returns.
func (s *Server) saveImage(fh *multipart.FileHeader) (string, error) {
	if fh.Size > maxImageBytes {
		return "", &timeline.FieldError{Field: "image", Why: whyTooLarge}
	}
	f, err := fh.Open()
	if err != nil {
		return "", fmt.Errorf("opening upload: %w", err)
	}
	defer f.Close()
	img, err := io.ReadAll(io.LimitReader(f, maxImageBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading upload: %w", err)
	}
	if len(img) > maxImageBytes {
		return "", &timeline.FieldError{Field: "image", Why: whyTooLarge}
	}

	ext, ok := imageExts[http.DetectContentType(img)]
	if !ok {
		return "", &timeline.FieldError{Field: "image", Why: whyImageType}
	}
	if img, err = imagemeta.Strip(img); err != nil {
		return "", &timeline.FieldError{Field: "image", Why: whyImageBroken}
	}
	w, h, err := imagemeta.Size(img)
	if err != nil {
		return "", &timeline.FieldError{Field: "image", Why: whyImageBroken}
	}
	if w > maxImageSide || h > maxImageSide || w*h > maxImagePixels {
		return "", &timeline.FieldError{Field: "image", Why: whyImageHuge}
	}

	name := randomHex(16) + ext
	if err := writeNewFile(filepath.Join(s.cfg.MediaDir, name), img); err != nil {
		return "", err
	}
	return name, nil
}

// writeNewFile creates path, which must not exist, with data, and removes
// it again if writing fails.
func writeNewFile(path string, data []byte) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	_, err = out.Write(data)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errors.Join(fmt.Errorf("writing %s: %w", path, err), os.Remove(path))
	}
	return nil
}

// removeImage deletes an image saveImage stored, when its post was not
// saved after all.
func (s *Server) removeImage(name string) error {
	if err := os.Remove(filepath.Join(s.cfg.MediaDir, name)); err != nil {
		return fmt.Errorf("removing unused image: %w", err)
	}
	return nil
}

// releaseImage deletes the uploaded image at addr once no live post or
// organisation shows it: after its post was deleted, or given another
// image or none. An editor who takes a photo down expects it gone from
// the portal, not still served to whoever kept its address. Copies other
// servers made are theirs; the Delete or Update they received asks them to
// drop theirs.
//
// The post's change is already saved, so a failure here is logged, not
// shown: the file stays, which is what happened before the change.
func (s *Server) releaseImage(ctx context.Context, addr string) {
	name, ok := strings.CutPrefix(s.mediaPath(addr), "/media/")
	if !ok || !mediaName.MatchString(name) {
		return // not an upload of this portal
	}
	inUse, err := s.posts.ImageInUse(ctx, name)
	if err == nil && !inUse {
		err = os.Remove(filepath.Join(s.cfg.MediaDir, name))
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Warn("keeping an image no post shows", "image", name, "error", err)
	}
}

// serveMedia serves an uploaded image with its own content type, no
// sniffing, and a policy that would run nothing even if opened as a page.
func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "file")
	if !mediaName.MatchString(name) {
		s.serveError(w, r, http.StatusNotFound, nil)
		return
	}
	f, err := os.Open(filepath.Join(s.cfg.MediaDir, name))
	if errors.Is(err, os.ErrNotExist) {
		s.serveError(w, r, http.StatusNotFound, nil)
		return
	}
	if err != nil {
		s.serveError(w, r, http.StatusInternalServerError, fmt.Errorf("opening media: %w", err))
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		s.serveError(w, r, http.StatusInternalServerError, fmt.Errorf("reading media: %w", err))
		return
	}

	h := w.Header()
	h.Set("Content-Type", mediaTypes[filepath.Ext(name)])
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "public, max-age=31536000, immutable") // names are never reused
	http.ServeContent(w, r, name, info.ModTime(), f)
}

// mediaPath returns the portal's path, /media/NAME, of an image it stores,
// given the absolute address posts saved before paths were
// (https://DOMAIN/media/NAME), so that it survives a change of scheme.
// Other addresses, on other hosts or not of uploads, are returned as they
// are.
func (s *Server) mediaPath(addr string) string {
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") ||
		!strings.EqualFold(u.Host, s.host) || u.RawQuery != "" || u.Fragment != "" {
		return addr
	}
	basePath := strings.TrimPrefix(s.cfg.Base, s.origin)
	name, ok := strings.CutPrefix(u.Path, basePath+"/media/")
	if !ok || !mediaName.MatchString(name) {
		return addr
	}
	return "/media/" + name
}

// randomHex returns n random bytes in hexadecimal.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
