package nlu

import (
	"strings"
	"testing"
)

// TestConceptTable holds the table to its header's rules: every form keeps
// a word once analysed, and no form means two concepts (the matcher would
// fire both for one wording).
func TestConceptTable(t *testing.T) {
	owner := map[string]string{} // stems of a form -> its concept
	for n, line := range strings.Split(conceptsText, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, forms, ok := strings.Cut(strings.TrimPrefix(line, "["), "]")
		if !strings.HasPrefix(line, "[") || !ok || id == "" {
			t.Errorf("concepts.txt:%d: %q is not « [id] form | form »", n+1, line)
			continue
		}
		for _, f := range strings.Split(forms, "|") {
			terms := Terms(f)
			if len(terms) == 0 {
				t.Errorf("concepts.txt:%d: [%s] form %q has no word left once analysed", n+1, id, strings.TrimSpace(f))
				continue
			}
			k := strings.Join(terms, " ")
			if o, dup := owner[k]; dup && o != id {
				t.Errorf("concepts.txt:%d: form %q (%s) is under [%s] and [%s]", n+1, strings.TrimSpace(f), k, o, id)
			}
			owner[k] = id
		}
	}
}
