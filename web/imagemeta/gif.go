package imagemeta

// GIF block introducers and extension labels; see the GIF89a specification.
const (
	gifExtension   = 0x21
	gifImage       = 0x2C
	gifTrailer     = 0x3B
	gifComment     = 0xFE
	gifApplication = 0xFF
)

// stripGIF copies the blocks of a GIF but comments and application
// extensions, where XMP travels, except the one that makes an animation
// loop. Graphic control and plain text extensions are the picture. Bytes after the trailer,
// where some tools hide data, are dropped.
func stripGIF(img []byte) ([]byte, error) {
	const header = 6 + 7 // signature and logical screen descriptor
	if len(img) < header {
		return nil, ErrMalformed
	}
	i := header + colorTable(img[10])
	if i > len(img) {
		return nil, ErrMalformed
	}
	out := append(make([]byte, 0, len(img)), img[:i]...)
	for i < len(img) {
		start := i
		keep := true
		switch img[i] {
		case gifTrailer:
			return append(out, gifTrailer), nil
		case gifExtension:
			if i+2 > len(img) {
				return nil, ErrMalformed
			}
			label := img[i+1]
			keep = label != gifComment && (label != gifApplication || isLoop(img[i+2:]))
			i += 2
		case gifImage:
			if i+10 > len(img) {
				return nil, ErrMalformed
			}
			i += 10 + colorTable(img[i+9]) + 1 // descriptor, colours, LZW code size
		default:
			return nil, ErrMalformed
		}
		end, ok := skipSubBlocks(img, i)
		if !ok {
			return nil, ErrMalformed
		}
		if keep {
			out = append(out, img[start:end]...)
		}
		i = end
	}
	return nil, ErrMalformed // no trailer
}

// colorTable returns the length of the colour table a packed field
// announces, global or local: the flag in its high bit, the size in its
// low three.
func colorTable(packed byte) int {
	if packed&0x80 == 0 {
		return 0
	}
	return 3 << (packed&0x07 + 1)
}

// isLoop tells whether an application extension is the one that makes an
// animation loop, under either of the names browsers read. Other
// application extensions (XMP among them) are not the picture.
func isLoop(data []byte) bool {
	return hasPrefix(data, []byte("\x0bNETSCAPE2.0")) || hasPrefix(data, []byte("\x0bANIMEXTS1.0"))
}

// skipSubBlocks returns the index after the data sub-blocks starting at i,
// which end with an empty one.
func skipSubBlocks(img []byte, i int) (int, bool) {
	for i < len(img) {
		n := int(img[i])
		i += 1 + n
		if n == 0 {
			return i, true
		}
	}
	return 0, false
}
