package nlu

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
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

	knownN int // how many of the question's words are known
}

// Weights tunes how the matcher scores. The zero value is not useful; use
// DefaultWeights.
type Weights struct {
	Stem, Bigram, Gram float64 // share of each feature family in a vector
	Max, Centroid      float64 // article score = Max*best example + Centroid*article model
	Body               float64 // weight of the answer's text in the article model
	// Passage scales how a sentence of the answer counts against an
	// example question in the best-example term.
	Passage float64
	// Epochs, Rate and Temp drive the discriminative training of the
	// article models; Epochs 0 keeps plain centroids.
	Epochs     int
	Rate, Temp float64
	// Background is the share of the calibration evidence given to
	// off-topic questions; L2 keeps the calibration from saturating.
	Background, L2 float64
}

// DefaultWeights were chosen by cross-validation over example questions
// (leave-one-out, then 5-fold) and checked on the dev set (see the README's
// "Matching quality" section), never on a test split.
var DefaultWeights = Weights{Stem: 1, Bigram: 0.2, Gram: 1, Max: 0.2, Centroid: 0.8, Body: 4, Passage: 1, Epochs: 8, Rate: 0.2, Temp: 12, Background: 0.7, L2: 0}

// Matcher ranks articles for a question by comparing it with each article's
// title and example questions. It is immutable once built and safe for
// concurrent use.
//
// Ranking has two stages so that its cost depends little on the size of the
// knowledge base: candidates come from posting lists of stems, stem bigrams
// and rare character n-grams; then each of the best candidates is scored
// exactly against its model and its examples.
type Matcher struct {
	w        Weights
	docs     []Doc
	feats    map[string]int32 // feature -> id
	idf      []float32
	family   []byte    // feature id -> 's', 'b' or 'g'
	models   []sparse  // article -> trained model
	units    []sparse  // example -> vector
	unitW    []float32 // example -> weight in the best-example term
	unitDoc  []int32   // example -> article
	examples int       // units[:examples] are questions, the rest passages
	docUnits [][]int32 // article -> examples
	post     [][]posting
	vocab    *speller
	maxIDF   float32
	calib    [5]float64 // logistic calibration: bias, then the calibFeatures weights
	pool     sync.Pool
}

// sparse is a vector with sorted feature ids.
type sparse struct {
	ids []int32
	w   []float32
}

func toSparse(v map[int32]float64) sparse {
	ids := make([]int32, 0, len(v))
	for id := range v {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	w := make([]float32, len(ids))
	for i, id := range ids {
		w[i] = float32(v[id])
	}
	return sparse{ids, w}
}

// dot multiplies s with a dense vector indexed by feature id.
func (s sparse) dot(dense []float32) float32 {
	var sum float32
	for i, id := range s.ids {
		sum += s.w[i] * dense[id]
	}
	return sum
}

// candidates is how many articles the second stage scores exactly.
const candidates = 100

type posting struct {
	id int32
	w  float32
}

// scratch is per-match working memory, pooled.
type scratch struct {
	cand    []float32 // article -> first-stage score
	dense   []float32 // feature -> query weight
	touched []int32
}

// NewMatcher indexes docs. It runs a leave-one-out pass over a sample of the
// example questions to calibrate Confidence, so building costs a few hundred
// matches.
func NewMatcher(docs []Doc, w Weights) *Matcher {
	m := &Matcher{w: w, docs: docs, feats: map[string]int32{}, docUnits: make([][]int32, len(docs))}
	var units [][]Token
	for i, d := range docs {
		for _, t := range append([]string{d.Title}, d.Questions...) {
			toks := Analyze(t)
			if len(toks) == 0 {
				continue
			}
			m.docUnits[i] = append(m.docUnits[i], int32(len(units)))
			units = append(units, toks)
			m.unitDoc = append(m.unitDoc, int32(i))
		}
	}
	bodies := make([][]Token, len(docs))
	for i, d := range docs {
		bodies[i] = Analyze(d.Body)
	}
	m.vocab = newSpeller(append(slices.Clone(units), bodies...))
	m.examples = len(units)
	questions := units

	// Document frequencies over examples and answers: a word only the
	// answer uses ("Corse" in the delivery-abroad article) is a feature too.
	df := map[string]int{}
	raw := make([]map[string]float64, len(units))
	for i, toks := range units {
		raw[i] = features(toks)
		for f := range raw[i] {
			df[f]++
		}
	}
	// The answer's sentences, headings and list items are evidence too:
	// customers describe their case with the process's words (« la taille
	// est barrée »), which only the answer holds. They weigh in the
	// best-example term, not in the document frequencies (the body is
	// counted once, below).
	for i, d := range docs {
		for _, p := range Passages(d.Body) {
			toks := Analyze(p)
			if len(toks) < 2 {
				continue
			}
			m.docUnits[i] = append(m.docUnits[i], int32(len(raw)))
			m.unitDoc = append(m.unitDoc, int32(i))
			raw = append(raw, features(toks))
		}
	}
	bodyRaw := make([]map[string]float64, len(bodies))
	for i, toks := range bodies {
		bodyRaw[i] = stemFeatures(toks)
		for f := range bodyRaw[i] {
			df[f]++
		}
	}
	n := float64(len(units) + len(bodies))
	// Ids in sorted order: the same content always builds the same matcher,
	// so evaluations are reproducible to the last digit.
	names := make([]string, 0, len(df))
	for f := range df {
		names = append(names, f)
	}
	slices.Sort(names)
	for _, f := range names {
		m.feats[f] = int32(len(m.idf))
		m.idf = append(m.idf, float32(math.Log((n+1)/(float64(df[f])+1))+1))
		m.family = append(m.family, f[0])
	}
	m.maxIDF = float32(math.Log(n+1) + 1)

	cents := make([]map[int32]float64, len(docs))
	for i := range cents {
		cents[i] = map[int32]float64{}
	}
	m.units = make([]sparse, len(raw))
	m.unitW = make([]float32, len(raw))
	for u, fs := range raw {
		vec := m.vector(fs)
		m.units[u] = toSparse(vec)
		m.unitW[u] = 1
		if u >= m.examples {
			m.unitW[u] = float32(m.w.Passage)
			continue // the body counts in the model as a whole, below
		}
		for id, v := range vec {
			cents[m.unitDoc[u]][id] += v
		}
	}
	if m.w.Body > 0 {
		for d, fs := range bodyRaw {
			if len(fs) == 0 {
				continue
			}
			for id, v := range m.vector(fs) {
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
	m.models = make([]sparse, len(cents))
	for d, c := range cents {
		m.models[d] = toSparse(c)
	}
	m.train()

	// First-stage postings: every stem and bigram, and the character
	// n-grams rare enough to point at few articles (typos of rare words).
	m.post = make([][]posting, len(m.idf))
	for d, md := range m.models {
		for i, id := range md.ids {
			m.post[id] = append(m.post[id], posting{int32(d), md.w[i]})
		}
	}
	rare := max(50, len(docs)/50)
	for id, p := range m.post {
		if m.family[id] == 'g' && len(p) > rare {
			m.post[id] = nil
		}
	}
	m.pool.New = func() any {
		return &scratch{cand: make([]float32, len(m.docs)), dense: make([]float32, len(m.idf))}
	}
	m.calibrate(questions)
	return m
}

// trainBudget bounds the (example, candidate) evaluations of training, so
// that building stays within a second or two whatever the size of the
// knowledge base; large ones are trained on a sample of their examples.
const trainBudget = 1_500_000

// neighbours is how many confusable articles each example is trained
// against.
const neighbours = 12

// train refines each article's centroid into a discriminative weight vector
// with a softmax over the article and its most confusable neighbours, fitted
// on the example questions. Only weights the article already has are
// updated: negative evidence matters where a wrong article shares features
// with the question, and the models stay as sparse as the centroids.
func (m *Matcher) train() {
	if m.w.Epochs == 0 || len(m.models) < 2 {
		return
	}
	// Neighbours: the articles whose stem features score highest for the
	// example (stems have short posting lists; n-grams do not).
	stemPost := make([][]posting, len(m.idf))
	for d, md := range m.models {
		for i, id := range md.ids {
			if m.family[id] == 's' {
				stemPost[id] = append(stemPost[id], posting{int32(d), md.w[i]})
			}
		}
	}
	acc := make([]float32, len(m.models))
	n := m.examples // trained on the example questions only
	neigh := make([][]int32, n)
	var touched []int32
	for u, x := range m.units[:n] {
		touched = touched[:0]
		for i, id := range x.ids {
			for _, p := range stemPost[id] {
				if acc[p.id] == 0 {
					touched = append(touched, p.id)
				}
				acc[p.id] += x.w[i] * p.w
			}
		}
		own := m.unitDoc[u]
		cand := []int32{own}
		for _, d := range topK(touched, acc, neighbours+1) {
			if d != own && len(cand) <= neighbours {
				cand = append(cand, d)
			}
		}
		for _, d := range touched {
			acc[d] = 0
		}
		neigh[u] = cand
	}
	stride := 1
	if work := n * (neighbours + 1) * m.w.Epochs; work > trainBudget {
		stride = (work + trainBudget - 1) / trainBudget
	}
	dense := make([]float32, len(m.idf))
	scores := make([]float64, neighbours+1)
	for ep := 0; ep < m.w.Epochs; ep++ {
		lr := m.w.Rate / (1 + float64(ep))
		for i := ep % stride; i < n; i += stride {
			u := (i*7919 + ep*104729) % n // a fixed shuffle per epoch
			x, cand := m.units[u], neigh[u]
			for k, id := range x.ids {
				dense[id] = x.w[k]
			}
			mx := math.Inf(-1)
			for j, d := range cand {
				scores[j] = float64(m.models[d].dot(dense)) * m.w.Temp
				mx = max(mx, scores[j])
			}
			z := 0.0
			for j := range cand {
				scores[j] = math.Exp(scores[j] - mx)
				z += scores[j]
			}
			for j, d := range cand {
				g := scores[j] / z
				if j == 0 {
					g -= 1 // cand[0] is the example's own article
				}
				if math.Abs(g) < 1e-4 {
					continue
				}
				md := m.models[d]
				step := float32(lr * g)
				for k, id := range md.ids {
					if xv := dense[id]; xv != 0 {
						md.w[k] -= step * xv
					}
				}
			}
			for _, id := range x.ids {
				dense[id] = 0
			}
		}
	}
}

// topK returns the k ids with the highest scores, best first.
func topK(ids []int32, score []float32, k int) []int32 {
	if len(ids) <= k {
		out := slices.Clone(ids)
		slices.SortFunc(out, func(a, b int32) int { return cmpDesc(score[a], score[b]) })
		return out
	}
	// A min-heap of the best k seen so far.
	h := slices.Clone(ids[:k])
	less := func(i, j int) bool { return score[h[i]] < score[h[j]] }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			c := l
			if r := l + 1; r < len(h) && less(r, l) {
				c = r
			}
			if !less(c, i) {
				return
			}
			h[i], h[c] = h[c], h[i]
			i = c
		}
	}
	for i := k/2 - 1; i >= 0; i-- {
		down(i)
	}
	for _, id := range ids[k:] {
		if score[id] > score[h[0]] {
			h[0] = id
			down(0)
		}
	}
	slices.SortFunc(h, func(a, b int32) int { return cmpDesc(score[a], score[b]) })
	return h
}

func cmpDesc(a, b float32) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
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
		if !m.vocab.suspect(t) {
			continue
		}
		c, ok := m.vocab.correct(t.Word)
		if !ok {
			c, ok = m.vocab.complete(t.Word)
		}
		if ok {
			if res.Corrections == nil {
				res.Corrections = map[string]string{}
			}
			res.Corrections[t.Word] = c
			if x := expand(c); len(x) == 1 {
				c = x[0] // a colloquial word: read as its synonym
			}
			toks[i].Word, toks[i].Term = c, Stem(c)
			known++
		}
	}
	res.Known = float64(known) / float64(len(toks))
	res.knownN = known
	q := m.vector(features(toks))

	sc := m.pool.Get().(*scratch)
	defer m.pool.Put(sc)
	// Stage one: candidates from the postings.
	sc.touched = sc.touched[:0]
	for id, v := range q {
		for _, p := range m.post[id] {
			if sc.cand[p.id] == 0 {
				sc.touched = append(sc.touched, p.id)
			}
			sc.cand[p.id] += float32(v) * p.w
		}
	}
	top := topK(sc.touched, sc.cand, max(candidates, n))
	for _, d := range sc.touched {
		sc.cand[d] = 0
	}
	// Stage two: exact scores against each candidate's model and examples.
	for id, v := range q {
		sc.dense[id] = float32(v)
	}
	var cands []Candidate
	for _, d := range top {
		var best float32
		for _, u := range m.docUnits[d] {
			if int(u) != skip {
				best = max(best, m.unitW[u]*m.units[u].dot(sc.dense))
			}
		}
		s := m.w.Max*float64(best) + m.w.Centroid*float64(m.models[d].dot(sc.dense))
		if s > 0 {
			cands = append(cands, Candidate{ID: m.docs[d].ID, Score: s})
		}
	}
	for id := range q {
		sc.dense[id] = 0
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
	res.Confidence = m.confidence(cands, res.Known, res.knownN)
	return res
}

func (m *Matcher) confidence(c []Candidate, known float64, knownN int) float64 {
	if len(c) == 0 {
		return 0
	}
	x := calibFeatures(c, known, knownN)
	z := m.calib[0]
	for i, v := range x {
		z += m.calib[i+1] * v
	}
	return 1 / (1 + math.Exp(-z))
}

// calibFeatures are what confidence is computed from: the best score, its
// margin over the second, the share of the question's words the knowledge
// base knows, and how many it knows (up to 6): a long story has several
// known words among many others, an off-topic question few.
func calibFeatures(c []Candidate, known float64, knownN int) [4]float64 {
	s1, s2 := c[0].Score, 0.0
	if len(c) > 1 {
		s2 = c[1].Score
	}
	return [4]float64{s1, s1 - s2, known, float64(min(knownN, 6)) / 6}
}

// calibrate fits P(top candidate is right | features) by logistic
// regression on a leave-one-out pass over example questions (right or wrong
// answers) and on the background questions (always wrong: off topic).
func (m *Matcher) calibrate(units [][]Token) {
	m.calib = [5]float64{-6, 10, 10, 2, 1} // a sensible prior for tiny knowledge bases
	type obs struct {
		x [4]float64
		y float64
	}
	var data []obs
	step := 1
	if len(units) > 600 {
		step = len(units) / 600
	}
	pos := 0.0
	add := func(toks []Token, u int) {
		r := m.match(toks, 2, u)
		if len(r.Candidates) == 0 {
			return
		}
		y := 0.0
		if r.Candidates[0].ID == m.docs[m.unitDoc[u]].ID {
			y = 1
		}
		pos += y
		data = append(data, obs{calibFeatures(r.Candidates, r.Known, r.knownN), y})
	}
	for i, u := 0, 0; u < len(units); i, u = i+1, u+step {
		add(slices.Clone(units[u]), u)
		// The same question told as a story: padded with an everyday
		// sentence that has nothing to do with it.
		story := append(slices.Clone(units[u]), Analyze(background[i%len(background)])...)
		add(story, u)
	}
	inScope := len(data)
	// Off-topic questions, alone and told at length (two sentences).
	for i, q := range background {
		for _, text := range []string{q, q + ", " + background[(i*7+3)%len(background)]} {
			if r := m.Match(text, 2); len(r.Candidates) > 0 {
				data = append(data, obs{calibFeatures(r.Candidates, r.Known, r.knownN), 0})
			}
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
		var g [5]float64
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

// Correct returns text's words folded, with the words the knowledge base
// does not know replaced by their correction when there is one, and whether
// anything was corrected. Agents' search uses it before fuzzy matching.
func (m *Matcher) Correct(text string) (string, bool) {
	words := splitWords(text)
	out := make([]string, len(words))
	changed := false
	for i, w := range words {
		out[i] = w.text
		if !m.vocab.suspect(Token{Word: w.text, Term: Stem(w.text)}) {
			continue
		}
		if c, ok := m.vocab.correct(w.text); ok {
			out[i], changed = c, true
		}
	}
	return strings.Join(out, " "), changed
}

// speller corrects typos against the knowledge base's own vocabulary with a
// symmetric-delete index.
type speller struct {
	words   map[string]int      // folded word -> frequency
	stems   map[string]bool     // stems seen
	deletes map[string][]string // one-letter deletion -> words
	byFirst map[byte][]string   // first letter -> words of 7 letters or more
	sorted  []string            // every word, for prefix look-ups
}

func newSpeller(units [][]Token) *speller {
	s := &speller{words: map[string]int{}, stems: map[string]bool{}, deletes: map[string][]string{}, byFirst: map[byte][]string{}}
	for _, toks := range units {
		for _, t := range toks {
			s.words[t.Word]++
			s.stems[t.Term] = true
		}
	}
	// The colloquial words whose synonym is known are known too, so that
	// their typos can be corrected ("conecter" -> "connecter").
	for k, v := range synonyms {
		if s.words[v] > 0 && s.words[k] == 0 {
			s.words[k] = s.words[v]
		}
	}
	for w := range s.words {
		s.sorted = append(s.sorted, w)
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
	sort.Strings(s.sorted)
	return s
}

// complete reads an abbreviation ("restau", "appart", "dispo") as the most
// frequent known word it starts, at least two letters longer. Three letters
// are too few: "end" (of week-end) is not "endommagé".
func (s *speller) complete(w string) (string, bool) {
	if len(w) < 4 {
		return "", false
	}
	best, bestFreq := "", 0
	for i := sort.SearchStrings(s.sorted, w); i < len(s.sorted) && strings.HasPrefix(s.sorted[i], w); i++ {
		c := s.sorted[i]
		if len(c) >= len(w)+2 && s.words[c] > bestFreq {
			best, bestFreq = c, s.words[c]
		}
	}
	return best, best != ""
}

func (s *speller) knows(t Token) bool { return s.words[t.Word] > 0 || s.stems[t.Term] }

// suspect tells whether t may be a typo or an abbreviation: a word neither
// the knowledge base nor French knows. A real word the knowledge base does
// not use is never "corrected".
func (s *speller) suspect(t Token) bool { return !s.knows(t) && !frenchWords()[t.Word] }

// correct returns the most frequent known word within one edit of w (two for
// words of 9 letters or more) that starts with the same letter: customers
// rarely mistype the first letter, and allowing it turns "pomme" into
// "somme". Words under 5 letters are never corrected.
func (s *speller) correct(w string) (string, bool) {
	// An apostrophe left out: "jarrive", "larticle", "jattends".
	for _, p := range []string{"qu", "j", "l", "d", "m", "t", "s", "n", "c"} {
		if rest, ok := strings.CutPrefix(w, p); ok && len(rest) >= 3 && vowel(rest[0]) && s.words[rest] > 0 {
			return rest, true
		}
	}
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

// ParseWeights reads "Name=value,..." over DefaultWeights, for tuning from
// the command line; "" gives DefaultWeights.
func ParseWeights(s string) (Weights, error) {
	w := DefaultWeights
	v := reflect.ValueOf(&w).Elem()
	for _, kv := range strings.Split(s, ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		name, val, ok := strings.Cut(kv, "=")
		f := v.FieldByName(strings.TrimSpace(name))
		if !ok || !f.IsValid() {
			return w, fmt.Errorf("unknown weight %q", kv)
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return w, fmt.Errorf("weight %s: %w", name, err)
		}
		if f.Kind() == reflect.Int {
			f.SetInt(int64(x))
		} else {
			f.SetFloat(x)
		}
	}
	return w, nil
}
