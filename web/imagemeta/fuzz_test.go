package imagemeta

import (
	"bytes"
	"image"
	"image/color/palette"
	"image/gif"
	"image/png"
	"testing"
)

// FuzzStrip checks that Strip never panics on any bytes, and that what it
// returns is stable: stripping it again changes nothing, and it never grows
// by more than the one orientation block Strip may write.
func FuzzStrip(f *testing.F) {
	f.Add(cameraJPEG(f, 6))
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	buf.Reset()
	frame := image.NewPaletted(image.Rect(0, 0, 4, 4), palette.Plan9)
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{frame}, Delay: []int{0}}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(riff(webpChunk("VP8X", make([]byte, 10)), webpChunk("EXIF", exifTIFF(5))))

	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Strip(in)
		if err != nil {
			return
		}
		const growth = 64 // an orientation block and its framing
		if len(out) > len(in)+growth {
			t.Fatalf("Strip grew %d bytes to %d", len(in), len(out))
		}
		again, err := Strip(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("Strip not idempotent on %q (err %v):\nonce  %q\ntwice %q", in, err, out, again)
		}
	})
}
