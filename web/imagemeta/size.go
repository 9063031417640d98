package imagemeta

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
)

// Size returns the picture's width and height as its header states them,
// without decoding its pixels: enough to refuse a file whose few bytes
// announce a picture that would take gigabytes to decode, in the portal
// and in every browser and server that fetches it.
func Size(img []byte) (width, height int, err error) {
	var decode func([]byte) (image.Config, error)
	switch {
	case hasPrefix(img, jpegSOI):
		decode = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
	case hasPrefix(img, pngSignature):
		decode = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
	case hasPrefix(img, []byte("GIF8")):
		decode = func(b []byte) (image.Config, error) { return gif.DecodeConfig(bytes.NewReader(b)) }
	case len(img) >= 12 && string(img[:4]) == "RIFF" && string(img[8:12]) == "WEBP":
		return webpSize(img)
	default:
		return 0, 0, ErrUnknownFormat
	}
	c, err := decode(img)
	if err != nil {
		return 0, 0, ErrMalformed
	}
	return c.Width, c.Height, nil
}

// webpSize reads the size from the first chunk of a WebP file: the
// extended header's canvas, or the lossless or lossy frame's own header.
func webpSize(img []byte) (int, int, error) {
	if len(img) < 30 {
		return 0, 0, ErrMalformed
	}
	data := img[20:]
	switch string(img[12:16]) {
	case "VP8X": // 24-bit width-1 and height-1 after 4 bytes of flags
		w := int(data[4]) | int(data[5])<<8 | int(data[6])<<16
		h := int(data[7]) | int(data[8])<<8 | int(data[9])<<16
		return w + 1, h + 1, nil
	case "VP8L": // a 0x2f signature, then 14-bit width-1 and height-1
		if data[0] != 0x2f {
			return 0, 0, ErrMalformed
		}
		bits := binary.LittleEndian.Uint32(data[1:5])
		return int(bits&0x3fff) + 1, int(bits>>14&0x3fff) + 1, nil
	case "VP8 ": // a frame tag, the start code 9d 01 2a, 14-bit sizes
		if data[3] != 0x9d || data[4] != 0x01 || data[5] != 0x2a {
			return 0, 0, ErrMalformed
		}
		w := binary.LittleEndian.Uint16(data[6:8]) & 0x3fff
		h := binary.LittleEndian.Uint16(data[8:10]) & 0x3fff
		return int(w), int(h), nil
	}
	return 0, 0, ErrMalformed
}
