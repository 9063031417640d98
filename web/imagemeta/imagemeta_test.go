package imagemeta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"testing"
)

// secret stands for what must not survive: a GPS position, an author's
// name, the software's notes.
const secret = "SECRET-45.7640N-4.8357E"

// picture is a small image with some variety, so that a decoder that
// misreads the stripped file would show different pixels.
func picture() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 16, 8))
	for y := range 8 {
		for x := range 16 {
			img.Set(x, y, color.RGBA{uint8(x * 16), uint8(y * 32), 128, 255})
		}
	}
	return img
}

// exifTIFF returns a little-endian TIFF structure with an orientation, a
// pointer to a GPS directory, and the secret as the GPS data.
func exifTIFF(orientation uint16) []byte {
	le := binary.LittleEndian
	b := []byte{'I', 'I', 42, 0, 8, 0, 0, 0, 2, 0}
	b = le.AppendUint16(b, 0x8825) // GPS directory pointer
	b = le.AppendUint16(b, 4)      // LONG
	b = le.AppendUint32(b, 1)
	b = le.AppendUint32(b, 38) // after this directory
	b = le.AppendUint16(b, orientationTag)
	b = le.AppendUint16(b, 3)
	b = le.AppendUint32(b, 1)
	b = le.AppendUint16(b, orientation)
	b = append(b, 0, 0, 0, 0, 0, 0)
	return append(b, secret...)
}

// jpegSegment returns a JPEG marker segment.
func jpegSegment(marker byte, body []byte) []byte {
	seg := []byte{0xFF, marker}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(body)+2))
	return append(seg, body...)
}

func encodeJPEG(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cameraJPEG returns a JPEG as a phone writes it: JFIF, Exif with GPS,
// XMP, IPTC, a comment and a colour profile, then the picture.
func cameraJPEG(t testing.TB, orientation uint16) []byte {
	plain := encodeJPEG(t)
	var b []byte
	b = append(b, jpegSOI...)
	b = append(b, jpegSegment(markerAPP0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))...)
	b = append(b, jpegSegment(markerAPP1, append([]byte("Exif\x00\x00"), exifTIFF(orientation)...))...)
	b = append(b, jpegSegment(markerAPP1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>"+secret+"</x:xmpmeta>"))...)
	b = append(b, jpegSegment(0xED, []byte("Photoshop 3.0\x008BIM"+secret))...)
	b = append(b, jpegSegment(markerCOM, []byte(secret))...)
	b = append(b, jpegSegment(markerAPP2, []byte("ICC_PROFILE\x00\x01\x01colour-profile"))...)
	b = append(b, 0xFF) // a fill byte before the next marker
	return append(b, plain[len(jpegSOI):]...)
}

func TestStripJPEG(t *testing.T) {
	for _, orientation := range []uint16{1, 6} {
		in := cameraJPEG(t, orientation)
		out := strip(t, in)
		if bytes.Contains(out, []byte("SECRET")) || bytes.Contains(out, []byte("xmpmeta")) {
			t.Errorf("orientation %d: metadata left in %q", orientation, out)
		}
		if !bytes.Contains(out, []byte("ICC_PROFILE\x00\x01\x01colour-profile")) {
			t.Errorf("orientation %d: the colour profile was dropped", orientation)
		}
		if !bytes.HasPrefix(out[2:], []byte{0xFF, markerAPP0}) {
			t.Errorf("orientation %d: JFIF no longer first: % x", orientation, out[:8])
		}
		if got, want := jpegOrientation(t, out), wantOrientation(orientation); got != want {
			t.Errorf("orientation %d: kept %d, want %d", orientation, got, want)
		}
		samePixels(t, decodeWith(t, jpeg.Decode, in), decodeWith(t, jpeg.Decode, out))
	}
}

// wantOrientation is what Strip keeps of an orientation: the default is
// not written.
func wantOrientation(o uint16) uint16 {
	if o == 1 {
		return 0
	}
	return o
}

// jpegOrientation finds the orientation in a stripped JPEG, which has at
// most one Exif segment.
func jpegOrientation(t *testing.T, img []byte) uint16 {
	t.Helper()
	at := bytes.Index(img, []byte("Exif\x00\x00"))
	if at < 0 {
		return 0
	}
	if img[at-4] != 0xFF || img[at-3] != markerAPP1 {
		t.Fatalf("Exif outside an APP1 segment at %d", at)
	}
	return exifOrientation(img[at+6:])
}

func TestStripPNG(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture()); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	ihdrEnd := len(pngSignature) + 12 + 13
	var in []byte
	in = append(in, plain[:ihdrEnd]...)
	in = appendPNGChunk(in, "tEXt", []byte("Author\x00"+secret))
	in = appendPNGChunk(in, "eXIf", exifTIFF(8))
	in = appendPNGChunk(in, "iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>"+secret))
	in = appendPNGChunk(in, "tIME", []byte{0x07, 0xEA, 12, 4, 17, 0, 0})
	in = appendPNGChunk(in, "caBX", []byte("c2pa "+secret)) // content credentials
	in = appendPNGChunk(in, "prIv", []byte(secret))
	in = append(in, plain[ihdrEnd:]...)

	out := strip(t, in)
	if bytes.Contains(out, []byte("SECRET")) || bytes.Contains(out, []byte("tIME")) {
		t.Errorf("metadata left in %q", out)
	}
	at := bytes.Index(out, []byte("eXIf"))
	if at < 0 || bytes.Index(out, []byte("IDAT")) < at {
		t.Fatalf("orientation not kept before the image data: %q", out)
	}
	size := binary.BigEndian.Uint32(out[at-4:])
	if got := exifOrientation(out[at+4 : at+4+int(size)]); got != 8 {
		t.Errorf("kept orientation %d, want 8", got)
	}
	// png.Decode checks every chunk's checksum, the new one included.
	samePixels(t, decodeWith(t, png.Decode, in), decodeWith(t, png.Decode, out))
}

func TestStripGIF(t *testing.T) {
	frames := &gif.GIF{LoopCount: 0}
	for range 2 {
		p := image.NewPaletted(image.Rect(0, 0, 16, 8), palette.Plan9)
		for x := range 16 {
			p.SetColorIndex(x, x/2, uint8(x*7))
		}
		frames.Image = append(frames.Image, p)
		frames.Delay = append(frames.Delay, 10)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, frames); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	at := bytes.Index(plain, []byte{gifExtension, gifApplication}) // NETSCAPE2.0
	if at < 0 {
		t.Fatal("the encoder wrote no loop extension")
	}
	var in []byte
	in = append(in, plain[:at]...)
	in = append(in, gifExtension, gifComment, byte(len(secret)))
	in = append(in, secret...)
	in = append(in, 0, gifExtension, gifApplication)
	in = append(in, "\x0bXMP DataXMP"...)
	in = append(in, byte(len(secret)))
	in = append(in, secret...)
	in = append(in, 0, gifExtension, gifApplication)
	in = append(in, "\x0bMYCAMERA1.0"...)
	in = append(in, byte(len(secret)))
	in = append(in, secret...)
	in = append(in, 0)
	in = append(in, plain[at:]...)
	in = append(in, "trailing "+secret...)

	out := strip(t, in)
	if bytes.Contains(out, []byte("SECRET")) || bytes.Contains(out, []byte("XMP")) {
		t.Errorf("metadata left in %q", out)
	}
	if !bytes.Contains(out, []byte("NETSCAPE2.0")) {
		t.Error("the loop extension was dropped")
	}
	got, err := gif.DecodeAll(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("stripped GIF does not decode: %v", err)
	}
	if len(got.Image) != 2 || got.LoopCount != 0 {
		t.Errorf("stripped GIF has %d frames, loop %d; want 2, 0", len(got.Image), got.LoopCount)
	}
}

// webpChunk returns a RIFF chunk, padded to an even length.
func webpChunk(kind string, data []byte) []byte {
	b := append([]byte(kind), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func riff(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

// TestStripWebP works on the container only: Strip never looks inside the
// image chunk, so its bytes here are arbitrary (and of odd length, to
// exercise the padding).
func TestStripWebP(t *testing.T) {
	vp8x := []byte{vp8xExif | vp8xXMP, 0, 0, 0, 15, 0, 0, 7, 0, 0}
	pixels := []byte("lossless image data")
	in := riff(webpChunk("VP8X", vp8x), webpChunk("VP8L", pixels),
		webpChunk("EXIF", append([]byte("Exif\x00\x00"), exifTIFF(3)...)),
		webpChunk("XMP ", []byte("<x:xmpmeta>"+secret)), webpChunk("exif", []byte(secret)),
		webpChunk("PRIV", []byte(secret)))

	out := strip(t, in)
	want := riff(webpChunk("VP8X", append([]byte{vp8xExif}, vp8x[1:]...)), webpChunk("VP8L", pixels),
		webpChunk("EXIF", orientationOnly(3)))
	if !bytes.Equal(out, want) {
		t.Errorf("stripped WebP\n got %q\nwant %q", out, want)
	}

	simple := riff(webpChunk("VP8L", pixels))
	if out := strip(t, simple); !bytes.Equal(out, simple) {
		t.Errorf("a simple WebP changed: %q", out)
	}
}

func TestStripRefusesWhatItCannotRead(t *testing.T) {
	jpg := cameraJPEG(t, 6)
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, picture()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"text", []byte("<svg onload=alert(1)>"), ErrUnknownFormat},
		{"empty", nil, ErrUnknownFormat},
		{"jpeg cut in a segment", jpg[:30], ErrMalformed},
		{"jpeg without a scan", append(append([]byte{}, jpegSOI...), 0xFF, markerEOI), ErrMalformed},
		{"jpeg with a short length", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01}, ErrMalformed},
		{"png without IEND", pngBuf.Bytes()[:pngBuf.Len()-12], ErrMalformed},
		{"png with a huge chunk", append(append([]byte{}, pngSignature...), 0xFF, 0xFF, 0xFF, 0xF0, 'I', 'H', 'D', 'R', 0, 0, 0, 0), ErrMalformed},
		{"webp claiming more than it has", append([]byte("RIFF\xff\x00\x00\x00WEBP"), webpChunk("VP8L", []byte("x"))...), ErrMalformed},
		{"webp with two headers", riff(webpChunk("VP8X", make([]byte, 10)), webpChunk("VP8X", make([]byte, 10))), ErrMalformed},
		{"gif without trailer", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"), ErrMalformed},
		{"gif with an unknown block", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00\x99;"), ErrMalformed},
	}
	for _, tt := range tests {
		if _, err := Strip(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
}

// strip runs Strip, fails the test on error, and checks that stripping
// again changes nothing.
func strip(t *testing.T, in []byte) []byte {
	t.Helper()
	out, err := Strip(in)
	if err != nil {
		t.Fatalf("Strip: %v", err)
	}
	again, err := Strip(out)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("Strip is not idempotent (err %v):\nonce  %q\ntwice %q", err, out, again)
	}
	return out
}

func decodeWith(t *testing.T, decode func(r io.Reader) (image.Image, error), b []byte) image.Image {
	t.Helper()
	img, err := decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return img
}

func samePixels(t *testing.T, a, b image.Image) {
	t.Helper()
	if a.Bounds() != b.Bounds() {
		t.Fatalf("bounds %v and %v differ", a.Bounds(), b.Bounds())
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				t.Fatalf("pixel (%d,%d): %v, then %v", x, y, a.At(x, y), b.At(x, y))
			}
		}
	}
}

// TestStripJPEGAfterTheScan: metadata between the scan and the end of the
// image, and whatever follows the end (a second picture with its own
// Exif, as phones append), is dropped; a file cut inside its picture is
// refused.
func TestStripJPEGAfterTheScan(t *testing.T) {
	plain := encodeJPEG(t)
	if !bytes.HasSuffix(plain, []byte{0xFF, markerEOI}) {
		t.Fatal("the encoder's JPEG does not end with EOI")
	}
	body := plain[:len(plain)-2]
	var in []byte
	in = append(in, body...)
	in = append(in, jpegSegment(markerAPP1, append([]byte("Exif\x00\x00"), exifTIFF(1)...))...)
	in = append(in, jpegSegment(markerCOM, []byte(secret))...)
	in = append(in, 0xFF, markerEOI)
	in = append(in, cameraJPEG(t, 6)...)
	in = append(in, "trailing "+secret...)

	out := strip(t, in)
	if bytes.Contains(out, []byte("SECRET")) || bytes.Count(out, jpegSOI) != 1 {
		t.Errorf("metadata or a second picture left in %q", out)
	}
	if !bytes.HasSuffix(out, []byte{0xFF, markerEOI}) {
		t.Errorf("stripped JPEG does not end with its EOI: % x", out[len(out)-4:])
	}
	samePixels(t, decodeWith(t, jpeg.Decode, plain), decodeWith(t, jpeg.Decode, out))

	if _, err := Strip(plain[:len(plain)-20]); !errors.Is(err, ErrMalformed) {
		t.Errorf("a JPEG cut inside its scan: error %v, want ErrMalformed", err)
	}
}
