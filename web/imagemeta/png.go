package imagemeta

import (
	"encoding/binary"
	"hash/crc32"
)

var pngSignature = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}

// pngPicture are the chunks kept: those that make the picture or change
// how it shows (palette, transparency, colour space, pixel size, the
// frames of an animated PNG). Every other chunk goes: Exif, the three
// kinds of text where XMP and software notes live, the modification time,
// and private or newer chunks (content credentials, which may say where a
// photo was taken), since what is not known to be the picture is not kept.
var pngPicture = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true, "tRNS": true,
	"cHRM": true, "gAMA": true, "iCCP": true, "sBIT": true, "sRGB": true, "cICP": true,
	"mDCV": true, "cLLI": true, "bKGD": true, "hIST": true, "pHYs": true, "sPLT": true,
	"acTL": true, "fcTL": true, "fdAT": true,
}

// stripPNG copies the chunks of pngPicture, up to and including IEND,
// and puts the orientation back as an eXIf chunk of its own, before the
// image data as the PNG specification asks.
func stripPNG(img []byte) ([]byte, error) {
	out := make([]byte, 0, len(img))
	out = append(out, pngSignature...)
	orientation := uint16(0)
	for i := len(pngSignature); ; {
		if i+12 > len(img) {
			return nil, ErrMalformed // no IEND
		}
		size := int(binary.BigEndian.Uint32(img[i:]))
		kind := string(img[i+4 : i+8])
		end := i + 12 + size
		if size > len(img) || end > len(img) {
			return nil, ErrMalformed
		}
		if kind == "eXIf" && orientation == 0 {
			orientation = exifOrientation(img[i+8 : i+8+size])
		}
		if kind == "IDAT" && orientation != 0 {
			out = appendPNGChunk(out, "eXIf", orientationOnly(orientation))
			orientation = 0
		}
		if pngPicture[kind] {
			out = append(out, img[i:end]...)
		}
		if kind == "IEND" {
			return out, nil
		}
		i = end
	}
}

// appendPNGChunk appends a chunk with its length and checksum.
func appendPNGChunk(out []byte, kind string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	start := len(out)
	out = append(out, kind...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}
