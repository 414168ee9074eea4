package nlu

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
)

// concepts.txt is the project's table of customer-service vocabulary: one
// concept a line, « [id] form | form | … ». It lets the matcher see that
// « la couture a lâché », « ça ne s'allume plus » and « défectueux » say the
// same thing, which stems alone cannot.
//
//go:embed concepts.txt
var conceptsText string

// conceptForm is one surface form of a concept, as stems.
type conceptForm struct {
	terms   []string
	concept string
}

// conceptIndex maps the first stem of each form to its forms, longest
// first, parsed once.
var conceptIndex = sync.OnceValue(func() map[string][]conceptForm {
	idx := map[string][]conceptForm{}
	for _, line := range strings.Split(conceptsText, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "[") {
			continue
		}
		id, forms, ok := strings.Cut(line[1:], "]")
		if !ok {
			continue
		}
		for _, f := range strings.Split(forms, "|") {
			terms := Terms(f)
			if len(terms) == 0 {
				continue
			}
			idx[terms[0]] = append(idx[terms[0]], conceptForm{terms, id})
		}
	}
	for k, fs := range idx {
		// Longest first: « pas encore expédié » before « expédié ».
		for i := 1; i < len(fs); i++ {
			for j := i; j > 0 && len(fs[j].terms) > len(fs[j-1].terms); j-- {
				fs[j], fs[j-1] = fs[j-1], fs[j]
			}
		}
		idx[k] = fs
	}
	return idx
})

// Concepts returns the concepts the tokens mention, in order, each once.
func Concepts(toks []Token) []string {
	var out []string
	for _, sp := range conceptSpans(toks) {
		if !slices.Contains(out, sp.concept) {
			out = append(out, sp.concept)
		}
	}
	return out
}

// conceptSpan is a concept mentioned by toks[start:end].
type conceptSpan struct {
	start, end int
	concept    string
}

func conceptSpans(toks []Token) []conceptSpan {
	idx := conceptIndex()
	var out []conceptSpan
	for i := range toks {
		for _, f := range idx[toks[i].Term] {
			if i+len(f.terms) > len(toks) {
				continue
			}
			ok := true
			for k, t := range f.terms[1:] {
				if toks[i+1+k].Term != t {
					ok = false
					break
				}
			}
			if ok {
				out = append(out, conceptSpan{i, i + len(f.terms), f.concept})
			}
		}
	}
	return out
}
