package imagemeta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/png"
	"testing"
)

func TestSize(t *testing.T) {
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, picture()); err != nil {
		t.Fatal(err)
	}
	ihdr := binary.BigEndian.AppendUint32(nil, 100_000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 100_000)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	huge := appendPNGChunk(append([]byte{}, pngSignature...), "IHDR", ihdr)

	lossless := binary.LittleEndian.AppendUint32([]byte{0x2f}, (16-1)|(8-1)<<14)
	lossy := []byte{0, 0, 0, 0x9d, 0x01, 0x2a}
	lossy = binary.LittleEndian.AppendUint16(lossy, 16)
	lossy = binary.LittleEndian.AppendUint16(lossy, 8)
	tests := []struct {
		name string
		img  []byte
		w, h int
		err  error
	}{
		{"png", pngBuf.Bytes(), 16, 8, nil},
		{"jpeg", encodeJPEG(t), 16, 8, nil},
		{"png claiming 100000 × 100000", huge, 100_000, 100_000, nil},
		{"webp extended", riff(webpChunk("VP8X", []byte{0, 0, 0, 0, 15, 0, 0, 7, 0, 0})), 16, 8, nil},
		{"webp lossless", riff(webpChunk("VP8L", append(lossless, make([]byte, 8)...))), 16, 8, nil},
		{"webp lossy", riff(webpChunk("VP8 ", append(lossy, make([]byte, 8)...))), 16, 8, nil},
		{"webp lossy without its start code", riff(webpChunk("VP8 ", make([]byte, 18))), 0, 0, ErrMalformed},
		{"text", []byte("hello"), 0, 0, ErrUnknownFormat},
		{"png cut in its header", pngBuf.Bytes()[:12], 0, 0, ErrMalformed},
	}
	for _, tt := range tests {
		w, h, err := Size(tt.img)
		if w != tt.w || h != tt.h || !errors.Is(err, tt.err) {
			t.Errorf("%s: Size = %d × %d, %v; want %d × %d, %v", tt.name, w, h, err, tt.w, tt.h, tt.err)
		}
	}
}
