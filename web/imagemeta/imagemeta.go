// Package imagemeta removes the metadata cameras and editing software write
// into images (Exif, with the GPS position a phone records; XMP; IPTC;
// comments) before an editor's upload is published, without decoding or
// re-encoding the picture itself, so nothing is lost in quality.
//
// The one piece of Exif that changes how a picture looks, its orientation, is
// kept, rewritten alone: without it, a portrait taken on a phone would show
// on its side.
//
// Strip works on JPEG, PNG, WebP and GIF. It knows each format's container
// only, not its pixel data. It imports nothing of the portal.
package imagemeta

import (
	"encoding/binary"
	"errors"
)

// ErrMalformed is returned for bytes that do not follow their format's
// container structure. The caller refuses such an upload rather than
// publishing a file whose metadata could not be found.
var ErrMalformed = errors.New("imagemeta: malformed image")

// ErrUnknownFormat is returned for bytes that are none of the formats
// Strip knows.
var ErrUnknownFormat = errors.New("imagemeta: unknown image format")

// Strip returns img without its metadata, keeping only an Exif orientation
// other than the default. The result may share memory with img.
func Strip(img []byte) ([]byte, error) {
	switch {
	case hasPrefix(img, jpegSOI):
		return stripJPEG(img)
	case hasPrefix(img, pngSignature):
		return stripPNG(img)
	case len(img) >= 12 && string(img[:4]) == "RIFF" && string(img[8:12]) == "WEBP":
		return stripWebP(img)
	case hasPrefix(img, []byte("GIF87a")) || hasPrefix(img, []byte("GIF89a")):
		return stripGIF(img)
	}
	return nil, ErrUnknownFormat
}

func hasPrefix(b, prefix []byte) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == string(prefix)
}

// orientationTag is the Exif (TIFF) tag of the picture's orientation; values
// 2 to 8 say how to flip or turn it, 1 is the default.
const orientationTag = 0x0112

// exifOrientation reads the orientation from a TIFF structure (the body of
// an Exif block without its "Exif\0\0" prefix). It returns 0 when there is
// none or the structure cannot be read: losing it only turns the picture.
func exifOrientation(tiff []byte) uint16 {
	if len(tiff) < 8 {
		return 0
	}
	var order binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 0
	}
	ifd := int(order.Uint32(tiff[4:8]))
	if ifd < 8 || ifd+2 > len(tiff) {
		return 0
	}
	count := int(order.Uint16(tiff[ifd:]))
	for i := range count {
		entry := ifd + 2 + 12*i
		if entry+12 > len(tiff) {
			return 0
		}
		// An orientation is one SHORT (type 3), stored in the entry itself.
		if order.Uint16(tiff[entry:]) == orientationTag && order.Uint16(tiff[entry+2:]) == 3 {
			if v := order.Uint16(tiff[entry+8:]); v >= 2 && v <= 8 {
				return v
			}
			return 0
		}
	}
	return 0
}

// orientationOnly returns a TIFF structure holding only the given
// orientation: a big-endian header and one directory of one entry.
func orientationOnly(orientation uint16) []byte {
	b := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1}
	b = binary.BigEndian.AppendUint16(b, orientationTag)
	b = binary.BigEndian.AppendUint16(b, 3) // SHORT
	b = binary.BigEndian.AppendUint32(b, 1) // one value
	b = binary.BigEndian.AppendUint16(b, orientation)
	b = append(b, 0, 0)          // padding of the 4-byte value field
	return append(b, 0, 0, 0, 0) // no next directory
}
