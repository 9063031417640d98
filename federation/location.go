package federation

import (
	"encoding/json"

	"github.com/ess-lyon/portal/timeline"
)

// place is an event location as Mobilizon, Gancio and others send it: a
// Place whose address is a schema.org PostalAddress or a plain string, or
// a VirtualLocation with a URL.
type place struct {
	Type    string          `json:"type"`
	Name    string          `json:"name"`
	URL     json.RawMessage `json:"url"`
	Address json.RawMessage `json:"address"`
}

type postalAddress struct {
	StreetAddress   string `json:"streetAddress"`
	PostalCode      string `json:"postalCode"`
	AddressLocality string `json:"addressLocality"`
}

// applyLocation fills an event's place from a location value: one place or
// a list of them, of which the first physical and first virtual are used.
func applyLocation(p *timeline.Post, raw json.RawMessage) {
	var list []place
	if json.Unmarshal(raw, &list) != nil {
		var one place
		if json.Unmarshal(raw, &one) != nil {
			return
		}
		list = []place{one}
	}
	for _, pl := range list {
		if pl.Type == "VirtualLocation" {
			if u := firstID(pl.URL); p.OnlineURL == "" && isHTTPURL(u) {
				p.OnlineURL = u
			}
			continue
		}
		if p.PlaceName != "" || p.StreetAddress != "" {
			continue
		}
		p.PlaceName = pl.Name
		applyAddress(p, pl.Address)
	}
}

func applyAddress(p *timeline.Post, raw json.RawMessage) {
	if s := rawString(raw); s != "" {
		p.StreetAddress = s
		return
	}
	var a postalAddress
	if json.Unmarshal(raw, &a) == nil {
		p.StreetAddress, p.PostalCode, p.Locality = a.StreetAddress, a.PostalCode,
			a.AddressLocality
	}
}
