// Package nlu turns French text as customers write it into normalised tokens,
// entities and conversational acts, and ranks articles against a question.
//
// It is pure: no I/O, no logging, no HTTP. It imports none of Guichet's
// packages; kb registers Analyze as a Bleve analyser so that the knowledge
// base's search and the chat's matcher tokenise text the same way.
package nlu

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/french"
)

// Token is one normalised term of a text.
type Token struct {
	// Term is the stem used for matching ("livr" for "livrée").
	Term string
	// Word is the folded surface word the stem comes from ("livree").
	Word string
	// Start and End are byte offsets of the word in the original text.
	Start, End int
	// Pos is the 1-based position of the token in the text.
	Pos int
}

// Fold lowercases s, removes accents and ligatures and turns every kind of
// apostrophe into ASCII "'", so that "Où ÇA, l’été" and "ou ca, l'ete"
// compare equal.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteString(foldRune(r))
	}
	return b.String()
}

// asciiFolded is the folded form of each ASCII rune, made once: string(r)
// allocates, and folding runs on every character customers type.
var asciiFolded = func() (t [utf8.RuneSelf]string) {
	for r := range t {
		c := rune(r)
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		t[r] = string(c)
	}
	t['`'] = "'"
	return t
}()

// foldRune returns the folded form of one rune: lowercase ASCII where the rune
// is a Latin letter with a diacritic, the rune itself lowercased otherwise.
func foldRune(r rune) string {
	if r == '`' {
		return "'"
	}
	if r < utf8.RuneSelf {
		return asciiFolded[r]
	}
	switch r {
	case '’', '‘', '´', 'ʼ', '′':
		return "'"
	case 'œ', 'Œ':
		return "oe"
	case 'æ', 'Æ':
		return "ae"
	case 'ß':
		return "ss"
	case '«', '»':
		return `"`
	case '\u00a0', '\u202f':
		return " "
	}
	if f, ok := accentFold[unicode.ToLower(r)]; ok {
		return f
	}
	return string(unicode.ToLower(r))
}

var accentFold = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a",
	'ç': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i",
	'ñ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u",
	'ý': "y", 'ÿ': "y",
}

// word is a raw folded word with its byte span in the original text.
type word struct {
	text       string
	start, end int
}

// whereNext are the words after which "ou" means "où" (where) even without
// its accent, as customers type it: "ou est mon colis", "ou en est ma
// commande".
var whereNext = setOf("est", "en", "sont", "se", "trouve", "trouvent", "etait", "va", "vont", "passe", "puis", "peut", "dois", "faut", "ca")

// isWhere tells whether words[i] is "où": accented in the text, or "ou"
// followed by a verb of place.
func isWhere(text string, words []word, i int) bool {
	w := words[i]
	if w.text != "ou" {
		return false
	}
	if strings.Contains(text[w.start:w.end], "ù") || strings.Contains(text[w.start:w.end], "Ù") {
		return true
	}
	return i+1 < len(words) && whereNext[words[i+1].text]
}

// splitWords cuts text into folded words made of letters and digits. An
// apostrophe ends a word, except in "aujourd'hui"; hyphens and punctuation end
// words too. Offsets refer to the original text.
func splitWords(text string) []word {
	var (
		words []word
		cur   strings.Builder
		start = -1
	)
	flush := func(end int) {
		if start >= 0 && cur.Len() > 0 {
			words = append(words, word{text: cur.String(), start: start, end: end})
		}
		cur.Reset()
		start = -1
	}
	for i, r := range text {
		f := foldRune(r)
		if f == "'" && cur.String() == "aujourd" {
			continue
		}
		c, _ := utf8.DecodeRuneInString(f)
		if len(f) > 0 && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
			if start < 0 {
				start = i
			}
			cur.WriteString(f)
			continue
		}
		flush(i)
	}
	flush(len(text))
	return words
}

// Analyze normalises text into tokens: fold, split, expand SMS spellings,
// drop elided particles, stop words, bare numbers and single letters, then
// stem with the Snowball French stemmer. Every caller that compares French
// text (the Bleve index, the matcher) goes through this one function.
func Analyze(text string) []Token {
	var toks []Token
	pos := 0
	words := splitWords(text)
	for i, w := range words {
		if isWhere(text, words, i) {
			// "où" is a stop word's twin once folded, but the question
			// "where" carries the topic: keep it under its own term.
			pos++
			toks = append(toks, Token{Term: "ou", Word: "ou", Start: w.start, End: w.end, Pos: pos})
			continue
		}
		if i > 0 {
			prev := i - 1
			if words[prev].text == "de" && prev > 0 {
				if _, ok := phrases[words[prev-1].text+" "+w.text]; ok {
					prev-- // « combien de temps »
				}
			}
			if x, ok := phrases[words[prev].text+" "+w.text]; ok {
				i := prev
				// An expression means something its words do not: read
				// it as one word, in place of its second word (the first
				// is a stop word or was kept as is).
				for n := len(toks); n > 0 && toks[n-1].Start >= words[i].start; n-- {
					toks = toks[:n-1]
				}
				pos++
				toks = append(toks, Token{Term: Stem(x), Word: x, Start: words[i].start, End: w.end, Pos: pos})
				continue
			}
		}
		var into [4]string
		for _, x := range expandTo(into[:0], w.text) {
			if !keep(x) {
				continue
			}
			pos++
			toks = append(toks, Token{Term: Stem(x), Word: x, Start: w.start, End: w.end, Pos: pos})
		}
	}
	return toks
}

// Terms returns only the stems of Analyze(text).
func Terms(text string) []string {
	toks := Analyze(text)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Term
	}
	return out
}

// Stem returns the Snowball French stem of a folded word.
func Stem(w string) string {
	return french.Stem(w, true)
}

// keep tells whether a folded, expanded word carries meaning for matching.
func keep(w string) bool {
	if len(w) < 2 || stopWords[w] {
		return false
	}
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return true
		}
	}
	return false // bare numbers: order numbers and quantities are entities
}

// expand rewrites one folded word written in SMS style or as a common
// abbreviation into the words it stands for; other words are returned as is.
func expand(w string) []string { return expandTo(nil, w) }

// expandTo is expand appending to dst: Analyze passes a buffer of its
// own, so that a plain word costs no allocation.
func expandTo(dst []string, w string) []string {
	if x, ok := smsWords[w]; ok {
		return append(dst, x...)
	}
	if x, ok := synonyms[w]; ok {
		return append(dst, x)
	}
	// "jveux", "jsuis", "jpeux": an elided "j" glued to the verb. No French
	// word starts with "j" and a consonant, so the "j" can go.
	if len(w) > 2 && w[0] == 'j' && !vowel(w[1]) {
		return expandTo(dst, w[1:])
	}
	return append(dst, w)
}

func vowel(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }
