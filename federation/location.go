package federation

import (
	"encoding/json"

	"github.com/ess-lyon/portal/timeline"
)

// place is an event location as Mobilizon, Gancio and others send it: a
// Place whose address is a schema.org PostalAddress or a plain string, or
// a VirtualLocation with a URL, or a Place whose address is one.
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
		if u, ok := pl.onlineURL(); ok {
			if p.OnlineURL == "" && isHTTPURL(u) {
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

// onlineURL returns where a virtual location is: the url of a
// VirtualLocation, or of a Place whose address is one, as Gancio sends.
func (pl place) onlineURL() (string, bool) {
	if pl.Type == "VirtualLocation" {
		return firstID(pl.URL), true
	}
	var addr struct {
		Type string          `json:"type"`
		URL  json.RawMessage `json:"url"`
	}
	if json.Unmarshal(pl.Address, &addr) == nil && addr.Type == "VirtualLocation" {
		return firstID(addr.URL), true
	}
	return "", false
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
