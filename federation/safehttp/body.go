package safehttp

import (
	"fmt"
	"io"
	"math"
	"net/http"
)

// MaxDocumentSize is the limit for a fetched ActivityStreams document: 1 MiB.
const MaxDocumentSize = 1 << 20

// ReadBody reads resp.Body, at most limit bytes of it, and closes it. A body
// longer than limit, or a Content-Length above limit, fails with
// [ErrTooLarge]; in the second case nothing is read. A negative limit is
// treated as zero.
func ReadBody(resp *http.Response, limit int64) ([]byte, error) {
	if resp.Body == nil {
		return []byte{}, nil
	}
	defer resp.Body.Close()

	limit = clampLimit(limit)
	if resp.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("safehttp: reading body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, tooLarge(limit)
	}
	return body, nil
}

// clampLimit keeps limit between 0 and math.MaxInt64-1, so limit+1 cannot
// overflow.
func clampLimit(limit int64) int64 {
	return min(max(limit, 0), math.MaxInt64-1)
}

func tooLarge(limit int64) error {
	return fmt.Errorf("%w: over %d bytes", ErrTooLarge, limit)
}
