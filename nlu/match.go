package nlu

import (
	"math"
	"sort"
	"strings"
	"sync"
)

// Doc is what the matcher learns about one article.
type Doc struct {
	ID        string
	Title     string
	Questions []string
	Tags      []string
	// Body is the answer's plain text: it widens the vocabulary the
	// matcher knows and weighs lightly in the article's model.
	Body string
}

// Candidate is an article ranked for a question.
type Candidate struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
}

// Match is the matcher's reading of a question.
type Match struct {
	// Candidates are the best articles, best first.
	Candidates []Candidate
	// Confidence is the estimated probability that Candidates[0] is the
	// article the customer wants, calibrated on the knowledge base's own
	// example questions.
	Confidence float64
	// Known is the share of the question's words the knowledge base knows
	// (after typo correction); 0 for a question about something else.
	Known float64
	// Corrections maps typed words to the known words they were read as.
	Corrections map[string]string
}

// Weights tunes how the matcher scores. The zero value is not useful; use
// DefaultWeights.
type Weights struct {
	Stem, Bigram, Gram float64 // share of each feature family in a vector
	Max, Centroid      float64 // article score = Max*best example + Centroid*article model
	Body               float64 // weight of the answer's text in the article model
	// Epochs, Rate and Temp drive the discriminative training of the
	// article models; Epochs 0 keeps plain centroids.
	Epochs     int
	Rate, Temp float64
	// Background is the share of the calibration evidence given to
	// off-topic questions; L2 keeps the calibration from saturating.
	Background, L2 float64
}

// DefaultWeights were chosen by leave-one-out over example questions only
// (see the README's "Matching quality" section), never on a test split.
var DefaultWeights = Weights{Stem: 1, Bigram: 0.2, Gram: 1, Max: 0.2, Centroid: 0.8, Body: 0.3, Epochs: 8, Rate: 0.2, Temp: 5, Background: 0.4, L2: 0}

// Matcher ranks articles for a question by comparing it with each article's
// title and example questions. It is immutable once built and safe for
// concurrent use.
type Matcher struct {
	w        Weights
	docs     []Doc
	feats    map[string]int32 // feature -> id
	idf      []float32
	unitPost [][]posting // feature id -> example units
	centPost [][]posting // feature id -> article centroids
	unitDoc  []int32     // unit -> doc index
	vocab    *speller
	maxIDF   float32
	calib    [4]float64 // logistic calibration: bias, top score, margin, known share
	pool     sync.Pool
}

type posting struct {
	id int32
	w  float32
}

type accum struct {
	unit []float32
	cent []float32
}

// NewMatcher indexes docs. It runs a leave-one-out pass over a sample of the
// example questions to calibrate Confidence, so building costs a few hundred
// matches.
func NewMatcher(docs []Doc, w Weights) *Matcher {
	m := &Matcher{w: w, docs: docs, feats: map[string]int32{}}
	var units [][]Token
	for i, d := range docs {
		texts := append([]string{d.Title}, d.Questions...)
		for _, t := range texts {
			toks := Analyze(t)
			if len(toks) == 0 {
				continue
			}
			units = append(units, toks)
			m.unitDoc = append(m.unitDoc, int32(i))
		}
	}
	bodies := make([][]Token, len(docs))
	for i, d := range docs {
		bodies[i] = Analyze(d.Body)
	}
	m.vocab = newSpeller(append(units, bodies...))

	// Document frequencies over units.
	df := map[string]int{}
	raw := make([]map[string]float64, len(units))
	for i, toks := range units {
		raw[i] = features(toks)
		for f := range raw[i] {
			df[f]++
		}
	}
	n := float64(len(units))
	for f, c := range df {
		m.feats[f] = int32(len(m.idf))
		m.idf = append(m.idf, float32(math.Log((n+1)/(float64(c)+1))+1))
	}
	m.maxIDF = float32(math.Log(n+1) + 1)
	m.unitPost = make([][]posting, len(m.idf))
	m.centPost = make([][]posting, len(m.idf))

	cents := make([]map[int32]float64, len(docs))
	for i := range cents {
		cents[i] = map[int32]float64{}
	}
	for u, fs := range raw {
		vec := m.vector(fs)
		for id, v := range vec {
			m.unitPost[id] = append(m.unitPost[id], posting{int32(u), float32(v)})
			cents[m.unitDoc[u]][id] += v
		}
	}
	if m.w.Body > 0 {
		for d, toks := range bodies {
			if len(toks) == 0 {
				continue
			}
			for id, v := range m.vector(stemFeatures(toks)) {
				cents[d][id] += m.w.Body * v
			}
		}
	}
	for _, c := range cents {
		norm := 0.0
		for _, v := range c {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		for id := range c {
			c[id] /= norm
		}
	}
	m.train(cents, raw)
	for d, c := range cents {
		for id, v := range c {
			m.centPost[id] = append(m.centPost[id], posting{int32(d), float32(v)})
		}
	}
	m.pool.New = func() any {
		return &accum{unit: make([]float32, len(m.unitDoc)), cent: make([]float32, len(m.docs))}
	}
	m.calibrate()
	return m
}

// train refines each article's centroid into a discriminative weight vector
// with a softmax over the article and its most confusable neighbours, fitted
// on the example questions. Restricting the softmax to the neighbours keeps
// training linear in the number of examples.
func (m *Matcher) train(w []map[int32]float64, raw []map[string]float64) {
	if m.w.Epochs == 0 || len(w) < 2 {
		return
	}
	vecs := make([]map[int32]float64, len(raw))
	for u, fs := range raw {
		vecs[u] = m.vector(fs)
	}
	// Neighbours: the articles whose centroids score highest for the unit.
	const k = 24
	neigh := make([][]int32, len(vecs))
	post := make([][]posting, len(m.idf))
	for d, c := range w {
		for id, v := range c {
			post[id] = append(post[id], posting{int32(d), float32(v)})
		}
	}
	acc := make([]float32, len(w))
	for u, x := range vecs {
		clear(acc)
		for id, v := range x {
			for _, p := range post[id] {
				acc[p.id] += float32(v) * p.w
			}
		}
		idx := make([]int32, 0, len(w))
		for d := range acc {
			if acc[d] > 0 || int32(d) == m.unitDoc[u] {
				idx = append(idx, int32(d))
			}
		}
		sort.Slice(idx, func(i, j int) bool { return acc[idx[i]] > acc[idx[j]] })
		if len(idx) > k {
			idx = idx[:k]
		}
		if !containsID(idx, m.unitDoc[u]) {
			idx = append(idx, m.unitDoc[u])
		}
		neigh[u] = idx
	}
	scores := make([]float64, k+1)
	for ep := 0; ep < m.w.Epochs; ep++ {
		lr := m.w.Rate / (1 + float64(ep))
		for i := range vecs {
			u := (i*7919 + ep*104729) % len(vecs) // fixed, shuffled order
			x, cand := vecs[u], neigh[u]
			mx := math.Inf(-1)
			for j, d := range cand {
				s := 0.0
				for id, v := range x {
					s += v * w[d][id]
				}
				scores[j] = s * m.w.Temp
				mx = max(mx, scores[j])
			}
			z := 0.0
			for j := range cand {
				scores[j] = math.Exp(scores[j] - mx)
				z += scores[j]
			}
			for j, d := range cand {
				g := scores[j] / z
				if d == m.unitDoc[u] {
					g -= 1
				}
				if math.Abs(g) < 1e-4 {
					continue
				}
				for id, v := range x {
					w[d][id] -= lr * g * v
				}
			}
		}
	}
}

func containsID(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// stemFeatures are the stem features only, for long texts where bigrams
// and character n-grams would add noise.
func stemFeatures(toks []Token) map[string]float64 {
	fs := map[string]float64{}
	for _, t := range toks {
		fs["s:"+t.Term]++
	}
	for f, c := range fs {
		fs[f] = 1 + math.Log(c)
	}
	return fs
}

// features returns the raw weighted features of a token list, each family
// L2-normalised and scaled by its share, keyed by "s:", "b:" or "g:".
func features(toks []Token) map[string]float64 {
	fs := map[string]float64{}
	for i, t := range toks {
		fs["s:"+t.Term]++
		if i > 0 {
			fs["b:"+toks[i-1].Term+"_"+t.Term]++
		}
		w := "#" + t.Word + "#"
		for n := 3; n <= 4; n++ {
			for j := 0; j+n <= len(w); j++ {
				fs["g:"+w[j:j+n]]++
			}
		}
	}
	for f, c := range fs {
		fs[f] = 1 + math.Log(c)
	}
	return fs
}

// vector weighs raw features by idf and family share and L2-normalises the
// result; features the index does not know count in the norm only.
func (m *Matcher) vector(fs map[string]float64) map[int32]float64 {
	fam := map[byte]float64{}
	weighted := make(map[string]float64, len(fs))
	for f, tf := range fs {
		idf := m.maxIDF
		if id, ok := m.feats[f]; ok {
			idf = m.idf[id]
		}
		v := tf * float64(idf)
		weighted[f] = v
		fam[f[0]] += v * v
	}
	share := map[byte]float64{'s': m.w.Stem, 'b': m.w.Bigram, 'g': m.w.Gram}
	vec := make(map[int32]float64, len(fs))
	total := 0.0
	for f, v := range weighted {
		v = v / math.Sqrt(fam[f[0]]) * share[f[0]]
		total += v * v
		if id, ok := m.feats[f]; ok {
			vec[id] = v
		}
	}
	total = math.Sqrt(total)
	for id := range vec {
		vec[id] /= total
	}
	return vec
}

// Match ranks the articles for text and keeps the best n.
func (m *Matcher) Match(text string, n int) Match {
	return m.match(Analyze(text), n, -1)
}

// match scores toks; skip is a unit left out (for leave-one-out), or -1.
func (m *Matcher) match(toks []Token, n, skip int) Match {
	var res Match
	if len(toks) == 0 || len(m.docs) == 0 {
		return res
	}
	known := 0
	for i, t := range toks {
		if m.vocab.knows(t) {
			known++
			continue
		}
		if c, ok := m.vocab.correct(t.Word); ok {
			if res.Corrections == nil {
				res.Corrections = map[string]string{}
			}
			res.Corrections[t.Word] = c
			toks[i].Word, toks[i].Term = c, Stem(c)
			known++
		}
	}
	res.Known = float64(known) / float64(len(toks))
	q := m.vector(features(toks))

	acc := m.pool.Get().(*accum)
	defer m.pool.Put(acc)
	clear(acc.unit)
	clear(acc.cent)
	for id, v := range q {
		for _, p := range m.unitPost[id] {
			acc.unit[p.id] += float32(v) * p.w
		}
		for _, p := range m.centPost[id] {
			acc.cent[p.id] += float32(v) * p.w
		}
	}
	best := make([]float32, len(m.docs))
	for u, s := range acc.unit {
		if u == skip {
			continue
		}
		if d := m.unitDoc[u]; s > best[d] {
			best[d] = s
		}
	}
	var cands []Candidate
	for d := range m.docs {
		s := m.w.Max*float64(best[d]) + m.w.Centroid*float64(acc.cent[d])
		if s > 0 {
			cands = append(cands, Candidate{ID: m.docs[d].ID, Score: s})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].Score != cands[j].Score {
			return cands[i].Score > cands[j].Score
		}
		return cands[i].ID < cands[j].ID
	})
	if len(cands) > n {
		cands = cands[:n]
	}
	res.Candidates = cands
	res.Confidence = m.confidence(cands, res.Known)
	return res
}

func (m *Matcher) confidence(c []Candidate, known float64) float64 {
	if len(c) == 0 {
		return 0
	}
	x := calibFeatures(c, known)
	z := m.calib[0]
	for i, v := range x {
		z += m.calib[i+1] * v
	}
	return 1 / (1 + math.Exp(-z))
}

// calibFeatures are what confidence is computed from: the best score, its
// margin over the second, and the share of the question's words the
// knowledge base knows.
func calibFeatures(c []Candidate, known float64) [3]float64 {
	s1, s2 := c[0].Score, 0.0
	if len(c) > 1 {
		s2 = c[1].Score
	}
	return [3]float64{s1, s1 - s2, known}
}

// calibrate fits P(top candidate is right | features) by logistic
// regression on a leave-one-out pass over example questions (right or wrong
// answers) and on the background questions (always wrong: off topic).
func (m *Matcher) calibrate() {
	m.calib = [4]float64{-6, 10, 10, 2} // a sensible prior for tiny knowledge bases
	type obs struct {
		x [3]float64
		y float64
	}
	var data []obs
	step := 1
	if len(m.unitDoc) > 600 {
		step = len(m.unitDoc) / 600
	}
	units := m.unitTokens()
	pos := 0.0
	for u := 0; u < len(units); u += step {
		r := m.match(units[u], 2, u)
		if len(r.Candidates) == 0 {
			continue
		}
		y := 0.0
		if r.Candidates[0].ID == m.docs[m.unitDoc[u]].ID {
			y = 1
		}
		pos += y
		data = append(data, obs{calibFeatures(r.Candidates, r.Known), y})
	}
	inScope := len(data)
	// A background question this knowledge base matches as well as a
	// typical example of its own is not off topic here (a health FAQ does
	// answer "vaccin contre la grippe"): leave it out.
	var good []float64
	for _, o := range data {
		if o.y == 1 {
			good = append(good, o.x[0])
		}
	}
	sort.Float64s(good)
	ceiling := math.Inf(1)
	if len(good) > 0 {
		ceiling = good[len(good)/4]
	}
	for _, q := range background {
		if r := m.Match(q, 2); len(r.Candidates) > 0 && r.Candidates[0].Score < ceiling {
			data = append(data, obs{calibFeatures(r.Candidates, r.Known), 0})
		}
	}
	if inScope < 20 || pos == 0 {
		return
	}
	// Weigh background so that it counts for its share of the evidence.
	bgWeight := 1.0
	if n := len(data) - inScope; n > 0 && m.w.Background > 0 && m.w.Background < 1 {
		bgWeight = float64(inScope) * m.w.Background / (1 - m.w.Background) / float64(n)
	}
	w := m.calib
	for it := 0; it < 3000; it++ {
		var g [4]float64
		total := 0.0
		for i, o := range data {
			z := w[0]
			for k, v := range o.x {
				z += w[k+1] * v
			}
			e := 1/(1+math.Exp(-z)) - o.y
			wt := 1.0
			if i >= inScope {
				wt = bgWeight
			}
			total += wt
			g[0] += wt * e
			for k, v := range o.x {
				g[k+1] += wt * e * v
			}
		}
		for k := range w {
			reg := 0.0
			if k > 0 {
				reg = m.w.L2 * w[k]
			}
			w[k] -= 1.0 * (g[k]/total + reg)
		}
	}
	m.calib = w
}

// unitTokens re-analyses the units in the order they were indexed.
func (m *Matcher) unitTokens() [][]Token {
	var units [][]Token
	for _, d := range m.docs {
		for _, t := range append([]string{d.Title}, d.Questions...) {
			if toks := Analyze(t); len(toks) > 0 {
				units = append(units, toks)
			}
		}
	}
	return units
}

// Correct returns text's words folded, with the words the knowledge base
// does not know replaced by their correction when there is one, and whether
// anything was corrected. Agents' search uses it before fuzzy matching.
func (m *Matcher) Correct(text string) (string, bool) {
	words := splitWords(text)
	out := make([]string, len(words))
	changed := false
	for i, w := range words {
		out[i] = w.text
		t := Token{Word: w.text, Term: Stem(w.text)}
		if m.vocab.knows(t) {
			continue
		}
		if c, ok := m.vocab.correct(w.text); ok {
			out[i], changed = c, true
		}
	}
	return strings.Join(out, " "), changed
}

// Vocabulary reports whether the knowledge base uses the folded word w.
func (m *Matcher) Vocabulary(w string) bool { return m.vocab.words[w] > 0 }

// speller corrects typos against the knowledge base's own vocabulary with a
// symmetric-delete index.
type speller struct {
	words   map[string]int      // folded word -> frequency
	stems   map[string]bool     // stems seen
	deletes map[string][]string // one-letter deletion -> words
	byFirst map[byte][]string   // first letter -> words of 7 letters or more
}

func newSpeller(units [][]Token) *speller {
	s := &speller{words: map[string]int{}, stems: map[string]bool{}, deletes: map[string][]string{}, byFirst: map[byte][]string{}}
	for _, toks := range units {
		for _, t := range toks {
			s.words[t.Word]++
			s.stems[t.Term] = true
		}
	}
	for w := range s.words {
		if len(w) >= 7 {
			s.byFirst[w[0]] = append(s.byFirst[w[0]], w)
		}
		if len(w) < 4 {
			continue
		}
		for _, d := range deletes1(w) {
			s.deletes[d] = append(s.deletes[d], w)
		}
	}
	return s
}

func (s *speller) knows(t Token) bool { return s.words[t.Word] > 0 || s.stems[t.Term] }

// correct returns the most frequent known word within one edit of w (two for
// words of 9 letters or more) that starts with the same letter: customers
// rarely mistype the first letter, and allowing it turns "pomme" into
// "somme". Words under 5 letters are never corrected.
func (s *speller) correct(w string) (string, bool) {
	if len(w) < 5 {
		return "", false
	}
	best, bestFreq := "", 0
	limit := 1
	if len(w) >= 9 {
		limit = 2
	}
	consider := func(c string, maxDist int) {
		maxDist = min(maxDist, limit)
		if c == w || c == "" || c[0] != w[0] || s.words[c] == 0 || dist(w, c) > maxDist {
			return
		}
		if f := s.words[c]; f > bestFreq || (f == bestFreq && c < best) {
			best, bestFreq = c, f
		}
	}
	d1 := deletes1(w)
	for _, d := range d1 {
		consider(d, 1)                   // w has an extra letter
		for _, c := range s.deletes[d] { // substitution or transposition
			consider(c, 2)
		}
	}
	for _, c := range s.deletes[w] { // w misses a letter
		consider(c, 1)
	}
	if best == "" && limit == 2 {
		// Two edits in a long word: scan the known words with the same
		// first letter and a close length.
		for _, c := range s.byFirst[w[0]] {
			if d := len(c) - len(w); d >= -2 && d <= 2 {
				consider(c, 2)
			}
		}
	}
	return best, best != ""
}

func deletes1(w string) []string {
	out := make([]string, 0, len(w))
	for i := range len(w) {
		out = append(out, w[:i]+w[i+1:])
	}
	return out
}

// dist is the optimal string alignment distance (Levenshtein with adjacent
// transpositions) between two ASCII-folded words.
func dist(a, b string) int {
	if strings.EqualFold(a, b) {
		return 0
	}
	la, lb := len(a), len(b)
	d := make([][]int, la+1)
	for i := range d {
		d[i] = make([]int, lb+1)
		d[i][0] = i
	}
	for j := 0; j <= lb; j++ {
		d[0][j] = j
	}
	for i := 1; i <= la; i++ {
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[la][lb]
}

// Calibration returns the fitted confidence weights (bias, best score,
// margin, known share), for diagnostics.
func (m *Matcher) Calibration() [4]float64 { return m.calib }
