package imagemeta

import "encoding/binary"

// VP8X flags that announce metadata chunks; see the WebP container
// specification (RIFF, extended format).
const (
	vp8xXMP  = 0x04
	vp8xExif = 0x08
)

// stripWebP copies the RIFF chunks that make the picture (the image data,
// alpha, animation frames, colour profile), clears the XMP flag in
// the extended header (VP8X), puts the orientation back as an EXIF chunk of
// its own at the end, where the container specification places EXIF, and
// fixes the RIFF size. Only the extended format can carry metadata; a
// simple file comes back unchanged.
func stripWebP(img []byte) ([]byte, error) {
	riffEnd := 8 + int(binary.LittleEndian.Uint32(img[4:8]))
	if riffEnd > len(img) || riffEnd < 12 {
		return nil, ErrMalformed
	}
	out := make([]byte, 12, len(img))
	copy(out, img[:12])
	vp8x := -1 // where the extended header's flags are in out
	orientation := uint16(0)
	for i := 12; i < riffEnd; {
		if i+8 > riffEnd {
			return nil, ErrMalformed
		}
		kind := string(img[i : i+4])
		size := int(binary.LittleEndian.Uint32(img[i+4:]))
		end := i + 8 + size + size%2 // chunks are padded to an even length
		if size > riffEnd || end > riffEnd {
			return nil, ErrMalformed
		}
		switch kind {
		case "EXIF":
			if orientation == 0 {
				// Some writers keep JPEG's "Exif\0\0" before the TIFF data.
				tiff := img[i+8 : i+8+size]
				if hasPrefix(tiff, exifHeader) {
					tiff = tiff[len(exifHeader):]
				}
				orientation = exifOrientation(tiff)
			}
		case "VP8X":
			if size < 1 || vp8x >= 0 {
				return nil, ErrMalformed
			}
			vp8x = len(out) + 8
			out = append(out, img[i:end]...)
			out[vp8x] &^= vp8xXMP | vp8xExif
		case "VP8 ", "VP8L", "ALPH", "ANIM", "ANMF", "ICCP":
			out = append(out, img[i:end]...)
		default:
			// XMP, and any chunk not known to be the picture: private or
			// newer chunks may carry what a camera recorded.
		}
		i = end
	}
	if vp8x >= 0 && orientation != 0 {
		exif := orientationOnly(orientation) // even length: no padding
		out = append(out, "EXIF"...)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(exif)))
		out = append(out, exif...)
		out[vp8x] |= vp8xExif
	}
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-8))
	return out, nil
}
