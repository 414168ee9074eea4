package nlu

import (
	_ "embed"
	"strings"
	"sync"
)

// frwords.txt lists about 19,500 French words, folded (lowercase, no
// accents), one a line. It is derived from the French test vocabulary of the
// Snowball stemmer (github.com/kljensen/snowball, MIT licence), which we
// already depend on: the words of its french_vocab test, folded and
// deduplicated.
//
//go:embed frwords.txt
var frwordsText string

// frenchWords is the set of frwords.txt, built on first use. The speller
// uses it to leave real words alone: "salon" is not a typo of "selon", nor
// "aimes" of "abîmes", even when only the latter appear in the knowledge
// base.
var frenchWords = sync.OnceValue(func() map[string]bool {
	words := strings.Split(strings.TrimSpace(frwordsText), "\n")
	set := make(map[string]bool, len(words))
	for _, w := range words {
		set[w] = true
	}
	return set
})
