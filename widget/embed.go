// Package widget ships the chat widget customers meet on the shop's pages:
// one self-contained JavaScript file, with no build step.
package widget

import _ "embed"

// JS is widget.js.
//
//go:embed widget.js
var JS []byte
