package imagemeta

import (
	"bytes"
	"encoding/binary"
)

var jpegSOI = []byte{0xFF, 0xD8}

// JPEG markers Strip looks at; see ITU T.81 annex B.
const (
	markerAPP0  = 0xE0
	markerAPP1  = 0xE1
	markerAPP2  = 0xE2
	markerAPP14 = 0xEE
	markerAPP15 = 0xEF
	markerCOM   = 0xFE
	markerSOS   = 0xDA
	markerEOI   = 0xD9
)

var (
	exifHeader = []byte("Exif\x00\x00")
	iccHeader  = []byte("ICC_PROFILE\x00")
)

// stripJPEG copies the segments of a JPEG, dropping every application
// segment except JFIF (APP0), the colour profile (APP2 ICC_PROFILE) and
// Adobe's colour transform (APP14), which change how the picture is
// decoded, and dropping comments. The scans' coded data is copied as it is,
// and the segments between scans (a progressive JPEG's tables) are read
// like the others, since a writer can put Exif there too. The file ends at
// its end-of-image marker: what follows it (a phone's second picture or
// preview, with its own Exif) is not part of the picture.
func stripJPEG(img []byte) ([]byte, error) {
	out := make([]byte, 0, len(img))
	out = append(out, jpegSOI...)
	orientation := uint16(0)
	insertAt := len(out) // where Exif goes: after SOI, or after a leading JFIF
	scanned := false
	i := len(jpegSOI)
	for {
		// Markers may be preceded by any number of 0xFF fill bytes.
		for i+1 < len(img) && img[i] == 0xFF && img[i+1] == 0xFF {
			i++
		}
		if i+2 > len(img) || img[i] != 0xFF {
			return nil, ErrMalformed
		}
		marker := img[i+1]
		if marker == markerEOI {
			if !scanned {
				return nil, ErrMalformed // an image with no scan
			}
			out = withOrientation(out, insertAt, orientation)
			return append(out, 0xFF, markerEOI), nil
		}
		if i+4 > len(img) {
			return nil, ErrMalformed
		}
		size := int(binary.BigEndian.Uint16(img[i+2:]))
		end := i + 2 + size
		if size < 2 || end > len(img) {
			return nil, ErrMalformed
		}
		body := img[i+4 : end]
		if marker == markerAPP1 && bytes.HasPrefix(body, exifHeader) && orientation == 0 && !scanned {
			orientation = exifOrientation(body[len(exifHeader):])
		}
		if keepJPEGSegment(marker, body) {
			out = append(out, img[i:end]...)
			if marker == markerAPP0 && insertAt == len(jpegSOI) && !scanned {
				insertAt = len(out)
			}
		}
		i = end
		if marker == markerSOS {
			scanned = true
			next, ok := scanEnd(img, i)
			if !ok {
				return nil, ErrMalformed // cut inside the picture
			}
			out = append(out, img[i:next]...)
			i = next
		}
	}
}

// scanEnd returns where the coded data of a scan starting at i ends: at
// the first marker that is not a stuffed 0xFF byte (FF 00) or a restart
// marker (FF D0 to FF D7), which belong to the data.
func scanEnd(img []byte, i int) (int, bool) {
	for {
		k := bytes.IndexByte(img[i:], 0xFF)
		if k < 0 || i+k+1 >= len(img) {
			return 0, false
		}
		k += i
		switch b := img[k+1]; {
		case b == 0x00, b >= 0xD0 && b <= 0xD7:
			i = k + 2
		case b == 0xFF:
			i = k + 1 // fill bytes before a marker
		default:
			return k, true
		}
	}
}

// keepJPEGSegment tells whether a segment before the scan stays.
func keepJPEGSegment(marker byte, body []byte) bool {
	switch {
	case marker == markerAPP0, marker == markerAPP14:
		return true
	case marker == markerAPP2:
		return bytes.HasPrefix(body, iccHeader)
	case marker >= markerAPP0 && marker <= markerAPP15, marker == markerCOM:
		return false
	}
	return true // tables, frame headers and the like: the picture itself
}

// withOrientation inserts at position at of out an Exif segment holding
// only orientation, if it is not the default. Exif's place is right after
// the start of image, or after JFIF when the file has it.
func withOrientation(out []byte, at int, orientation uint16) []byte {
	if orientation == 0 {
		return out
	}
	body := append(append([]byte{}, exifHeader...), orientationOnly(orientation)...)
	seg := []byte{0xFF, markerAPP1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(body)+2))
	seg = append(seg, body...)
	return append(out[:at], append(seg, out[at:]...)...)
}
