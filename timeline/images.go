package timeline

import (
	"context"
	"fmt"
	"strings"
)

// ImageInUse tells whether a live local post or a local actor still shows
// the uploaded image stored under name, as a /media/ path or as the
// absolute address older posts kept. Deleted posts do not count: their
// address answers "gone", so their picture should go too.
//
// Names are random and unique, so matching the end of the address is exact.
func (s *Store) ImageInUse(ctx context.Context, name string) (bool, error) {
	if name == "" || strings.ContainsAny(name, "%_/\\") {
		return false, fmt.Errorf("image name %q: %w", name, ErrInvalid)
	}
	suffix := "%/media/" + name
	posts, err := s.db.NewSelect().Model((*Post)(nil)).Where("local").
		Where("deleted_at IS NULL").Where("image_url LIKE ?", suffix).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("looking for posts showing %s: %w", name, err)
	}
	actors, err := s.db.NewSelect().Model((*Actor)(nil)).Where("local").
		Where("icon_url LIKE ?", suffix).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("looking for actors showing %s: %w", name, err)
	}
	return posts+actors > 0, nil
}
