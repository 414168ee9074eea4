// Package content ships the sample knowledge base of Maison Colibri, a
// fictional French online shop, embedded in the binary so that Guichet runs
// with no other file. Editors serve their own directory with --content.
package content

import "embed"

// FS holds the sample articles (*.md at its root).
//
//go:embed *.md
var FS embed.FS
