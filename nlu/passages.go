package nlu

import "strings"

// Passages cuts an answer's plain text into the units a customer's question
// may echo: its lines (headings, list items, paragraphs) and, within them,
// its sentences.
func Passages(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		start := 0
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c != '.' && c != '?' && c != '!' && c != ';' && c != ':' {
				continue
			}
			// A sentence ends at the punctuation followed by a space (or
			// the end of the line): « 2.5 » and « 14h30 » do not end one.
			if i+1 < len(line) && line[i+1] != ' ' {
				continue
			}
			if p := strings.TrimSpace(line[start : i+1]); p != "" {
				out = append(out, p)
			}
			start = i + 1
		}
		if p := strings.TrimSpace(line[start:]); p != "" {
			out = append(out, p)
		}
	}
	return out
}
