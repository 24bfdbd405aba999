// Package report writes scan reports: text for people, JSON and SARIF for
// machines. It never sees a raw secret: findings are redacted by the checks.
package report

import (
	"encoding/json"
	"io"

	"github.com/secfirst-dev/secfirst/checks"
)

// WriteJSON writes the JSON findings document of PRODUCT.md.
func WriteJSON(w io.Writer, r *checks.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
