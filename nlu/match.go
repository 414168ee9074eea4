package nlu

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Doc is what the matcher learns about one article.
type Doc struct {
	ID        string
	Title     string
	Questions []string
	Tags      []string
	// Body is the answer's plain text: its sentences are evidence, and it
	// weighs in the article's model.
	Body string
	// Intents, when FixedIntents is set, are the library intents the
	// editor says the article answers (none refuses them all); otherwise
	// the matcher finds them from the article's text.
	Intents      []string
	FixedIntents bool
}

// Candidate is an article ranked for a question.
type Candidate struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`

	doc  int32            // the article's index
	feat [nRerank]float64 // the evidence behind Score (see rerank)
}

// Match is the matcher's reading of a question.
type Match struct {
	// Candidates are the best articles, best first.
	Candidates []Candidate
	// Confidence is the estimated probability that Candidates[0] is the
	// article the customer wants, calibrated on the knowledge base's own
	// example questions.
	Confidence float64
	// InScope is the estimated probability that the article the customer
	// wants is among the first three candidates: whether offering them as
	// a choice is worth it.
	InScope float64
	// Known is the share of the question's words the knowledge base knows
	// (after typo correction); 0 for a question about something else.
	Known float64
	// Elsewhere is another shop the question names, which the knowledge
	// base never mentions (« un pull acheté chez Zara »): the question is
	// most likely about a purchase made there.
	Elsewhere string
	// Corrections maps typed words to the known words they were read as.
	Corrections map[string]string

	knownN int // how many of the question's words are known
}

// Weights tunes how the matcher scores. The zero value is not useful; use
// DefaultWeights.
type Weights struct {
	// Stem, Bigram, Gram and Concept are the share of each feature family
	// in a vector: stems, stem bigrams, character n-grams and the
	// customer-service concepts of concepts.txt.
	Stem, Bigram, Gram, Concept float64
	Max, Centroid               float64 // article score = Max*best example + Centroid*article model
	Body                        float64 // weight of the answer's text in the article model
	// Passage scales how a sentence of the answer counts against an
	// example question in the best-example term; Library does the same
	// for the phrasings of the intents an article is mapped to, and
	// IntentModel weighs their centroid in the article model. Library 0
	// leaves the intent library out.
	Passage, Library, IntentModel float64
	// Next weighs the mean of the second and third best examples beside
	// the best.
	Next float64
	// Epochs, Rate and Temp drive the discriminative training of the
	// article models; Epochs 0 keeps plain centroids. LibRate scales the
	// learning rate for the intents' phrasings.
	Epochs              int
	Rate, Temp, LibRate float64
	// Background is the share of the calibration evidence given to
	// off-topic questions; L2 keeps the calibration from saturating.
	Background, L2 float64
	// Rerank pulls the evidence's weights learnt per knowledge base (see
	// rerank) towards the fixed blend; 0 keeps the fixed blend.
	Rerank float64
}

// DefaultWeights were chosen by cross-validation over example questions
// (leave-one-out, then 5-fold) and checked on the dev set (see the README's
// "Matching quality" section), never on a test split.
var DefaultWeights = Weights{Stem: 1, Bigram: 0.2, Gram: 1, Concept: 0.5, Max: 0.2, Centroid: 0.8, Body: 4, Passage: 1, Library: 0.9, IntentModel: 1, Epochs: 8, Rate: 0.2, LibRate: 0.3, Temp: 12, Next: 0.5, Background: 0.7, L2: 0.001, Rerank: 0.007}

// Matcher ranks articles for a question by comparing it with each article's
// title and example questions. It is immutable once built and safe for
// concurrent use.
//
// Ranking has two stages so that its cost depends little on the size of the
// knowledge base: candidates come from posting lists of stems, stem bigrams
// and rare character n-grams; then each of the best candidates is scored
// exactly against its model and its examples.
type Matcher struct {
	w       Weights
	docs    []Doc
	feats   map[string]int32 // feature -> id
	idf     []float32
	family  []byte    // feature id -> 's', 'b' or 'g'
	models  []sparse  // article -> trained model
	units   []sparse  // unit -> vector (an article's: see docIdx)
	unitW   []float32 // unit -> weight in the best-example term
	unitDoc []int32   // unit -> article, -1 for an intent's phrasing
	// units[:examples] are titles and example questions,
	// units[examples:libStart] the answers' passages, and units[libStart:]
	// the phrasings of the mapped intents, each of unitIntent.
	examples, libStart int
	unitIntent         []int32
	lib                []*Intent
	intentDocs         [][]int32 // intent -> articles mapped to it
	docIntents         [][]int32 // article -> intents
	// While building: the examples' texts, and the analysed phrasings of
	// the mapped intents (units[libStart:]), for calibration.
	exText       []string
	libToks      [][]Token
	concepts     map[string]bool // the concepts the knowledge base speaks of
	docUnits     [][]int32       // article -> its own units
	intentUnits  [][]int32       // intent -> its phrasings' units
	post         [][]posting
	vocab        *speller
	maxIDF       float32
	calib, scope logistic // calibrations of Confidence and InScope
	rerank       rerank   // how the evidence is weighed into scores
	pool         *sync.Pool
	// extra are the features an update added, beyond feats (see Update).
	extra map[string]int32
	// updated tells a matcher made by Update, not NewMatcher.
	updated bool
	// docIdx and intentIdx are the inverted indexes of the units of
	// docUnits and intentUnits, derived from units when built or read
	// (never saved). Once built, the articles' units are kept only there:
	// units holds the intents' phrasings (see dropUnits and unitVec).
	docIdx, intentIdx []unitIndex
	// held are the example questions a shadow matcher is trained without
	// and asked (see calibrateHeldOut); norms the norm of each article's
	// evidence before it was normalised into its model, while building.
	held  []int32
	norms []float64
	// retrain, in a shadow, are the articles training refits; nil for all.
	retrain []bool
}

// featID returns a feature's id.
func (m *Matcher) featID(f string) (int32, bool) {
	if id, ok := m.feats[f]; ok {
		return id, true
	}
	id, ok := m.extra[f]
	return id, ok
}

// sparse is a vector with sorted feature ids.
type sparse struct {
	ids []int32
	w   []float32
}

// vec64 is a vector being computed, with sorted feature ids and float64
// weights.
type vec64 struct {
	ids []int32
	w   []float64
}

func (v vec64) sort() { sortByID(v.ids, v.w) }

// sortByID sorts ids in increasing order and moves vals (nil, or one a
// id) alike.
func sortByID[T any](ids []int32, vals []T) {
	if slices.IsSorted(ids) {
		return
	}
	idx := make([]int, len(ids))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return int(ids[a]) - int(ids[b]) })
	was, wasV := slices.Clone(ids), slices.Clone(vals)
	for i, j := range idx {
		ids[i] = was[j]
		if vals != nil {
			vals[i] = wasV[j]
		}
	}
}

func (v vec64) sparse() sparse {
	w := make([]float32, len(v.w))
	for i, x := range v.w {
		w[i] = float32(x)
	}
	return sparse{slices.Clone(v.ids), w}
}

// normalized is c L2-normalised, summed in id order so that the result does
// not depend on the map's iteration order.
func normalized(c map[int32]float64) vec64 {
	v := vec64{ids: make([]int32, 0, len(c))}
	for id := range c {
		v.ids = append(v.ids, id)
	}
	slices.Sort(v.ids)
	norm := 0.0
	for _, id := range v.ids {
		norm += c[id] * c[id]
	}
	norm = math.Sqrt(norm)
	v.w = make([]float64, len(v.ids))
	for i, id := range v.ids {
		v.w[i] = c[id] / norm
	}
	return v
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
const candidates = 40

type posting struct {
	id int32
	w  float32
}

// scratch is per-match working memory, pooled.
type scratch struct {
	cand    []float32 // article -> first-stage score
	dense   []float32 // feature -> query weight
	bits    []uint64  // feature -> whether the query has it
	acc     []float32 // unit of a group -> score
	touched []int32
	// The best three phrasings of each intent scored for this question.
	intentTop  []best3
	intentDone []bool
	intents    []int32
}

// grow returns sc.acc with room for n scores.
func (sc *scratch) grow(n int) []float32 {
	if cap(sc.acc) < n {
		sc.acc = make([]float32, n)
	}
	return sc.acc[:n]
}

// best3 keeps the three highest scores seen, best first.
type best3 [3]float32

func (b *best3) add(x float32) {
	switch {
	case x > b[0]:
		b[0], b[1], b[2] = x, b[0], b[1]
	case x > b[1]:
		b[1], b[2] = x, b[1]
	case x > b[2]:
		b[2] = x
	}
}

// analysed is the analysis of a knowledge base's text, done once per build.
// Tokens are dropped as soon as a text's features are counted: only ids
// and counts are kept.
type analysed struct {
	// The features of each unit and body, computed once: the mapping's
	// matcher and the final one share them. Their ids are vocab's; the
	// library's names are in vocab too (see libBag).
	vocab     *featVocab
	feats     []bag // examples, then passages
	bodyFeats []bag
	exDoc     []int32  // example -> article
	exText    []string // example -> its text (a title or a question)
	psDoc     []int32  // passage -> article
	// words and stems are what the speller learns of the titles, example
	// questions and bodies: each folded word and stem with its count.
	words map[string]int
	stems map[string]int
	// libIDs maps the ids of a library's vocabulary to vocab's.
	libIDs map[*featVocab][]int32
}

// libBag is the k-th phrasing's features of intent in, in a's ids.
func (a *analysed) libBag(in *Intent, k int) bag {
	b, ids := in.feats[k], a.libIDs[in.vocab]
	out := bag{ids: make([]int32, len(b.ids)), n: b.n}
	for i, id := range b.ids {
		out.ids[i] = ids[id] // both vocabularies are in name order
	}
	return out
}

// analyseDocs analyses docs, and interns the features of lib's phrasings
// (when given) in the same vocabulary.
func analyseDocs(docs []Doc, lib []*Intent) *analysed {
	// Each article is analysed on its own, on every core, and the results
	// laid out in article order: the same as one pass would give.
	type one struct {
		exText    []string
		feats     []bag // examples, then passages
		nEx       int
		bodyFeats bag
	}
	vocab := newFeatVocab()
	// The speller's words are counted as each article is analysed: sums
	// of integers, the same whatever the schedule.
	words, stems := map[string]int{}, map[string]int{}
	var learned sync.Mutex
	each := make([]one, len(docs))
	parallel(len(docs), func(i int) {
		d, o := docs[i], &each[i]
		learn := func(toks []Token) {
			learned.Lock()
			defer learned.Unlock()
			for _, t := range toks {
				words[t.Word]++
				stems[t.Term]++
			}
		}
		var counts []map[string]int
		for _, t := range append([]string{d.Title}, d.Questions...) {
			if toks := Analyze(t); len(toks) > 0 {
				o.exText = append(o.exText, t)
				counts = append(counts, featureCounts(toks))
				learn(toks)
			}
		}
		o.nEx = len(counts)
		// The answer's sentences, headings and list items are evidence
		// too: customers describe their case with the process's words
		// (« la taille est barrée »), which only the answer holds.
		for _, p := range Passages(d.Body) {
			if toks := Analyze(p); len(toks) >= 2 {
				counts = append(counts, featureCounts(toks))
			}
		}
		body := Analyze(d.Body)
		learn(body)
		counts = append(counts, stemCounts(body))
		bags := vocab.bags(counts)
		o.feats, o.bodyFeats = bags[:len(bags)-1], bags[len(bags)-1]
	})
	libIDs := map[*featVocab][]int32{}
	for _, in := range lib {
		if _, ok := libIDs[in.vocab]; !ok {
			libIDs[in.vocab] = nil
			vocab.intern(in.vocab.names)
		}
	}
	a := &analysed{vocab: vocab, bodyFeats: make([]bag, len(docs)), words: words, stems: stems, libIDs: libIDs}
	var psFeats []bag
	for i := range each {
		o := &each[i]
		for k := range o.nEx {
			a.exDoc = append(a.exDoc, int32(i))
			a.exText = append(a.exText, o.exText[k])
			a.feats = append(a.feats, o.feats[k])
		}
		for _, b := range o.feats[o.nEx:] {
			a.psDoc = append(a.psDoc, int32(i))
			psFeats = append(psFeats, b)
		}
		a.bodyFeats[i] = o.bodyFeats
		*o = one{}
	}
	a.feats = append(a.feats, psFeats...)
	vocab.finish(a.feats, a.bodyFeats)
	for lv := range libIDs {
		ids := make([]int32, len(lv.names))
		for id, f := range lv.names {
			ids[id] = vocab.ids[f]
		}
		libIDs[lv] = ids
	}
	return a
}

// parallel runs f(i) for every i in [0, n) on every core. f must write
// only what belongs to i, so that the result does not depend on the
// schedule.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// NewMatcher indexes docs. It maps each article to the library intents it
// answers, trains the article models and runs a leave-one-out pass over a
// sample of the example questions to calibrate Confidence, so building
// costs a few thousand matches.
func NewMatcher(docs []Doc, w Weights) *Matcher {
	var lib []*Intent
	if w.Library > 0 {
		lib = Library()
	}
	a := analyseDocs(docs, lib)
	mapped := make([][]int32, len(docs)) // article -> intents
	auto := false
	for i, d := range docs {
		if !d.FixedIntents {
			auto = true
			continue
		}
		for _, id := range d.Intents {
			if j := slices.IndexFunc(lib, func(in *Intent) bool { return in.ID == id }); j >= 0 {
				mapped[i] = append(mapped[i], int32(j))
			}
		}
	}
	var base *Matcher
	if auto && len(lib) > 0 {
		base = build(docs, a, nil, nil, w)
		for i, in := range base.mapIntents(lib) {
			if !docs[i].FixedIntents {
				mapped[i] = in
			}
		}
	}
	m := base
	if m == nil || slices.ContainsFunc(mapped, func(ins []int32) bool { return len(ins) > 0 }) {
		m = build(docs, a, lib, mapped, w)
	}
	// else no article maps to an intent: the matcher built to find the
	// mapping is the one to train.
	untrained := cloneModels(m.models)
	m.train()
	m.index()
	m.calibrateHeldOut(untrained, a)
	m.norms = nil
	m.dropUnits()
	m.exText, m.libToks = nil, nil
	return m
}

// newVocab is the speller of a knowledge base's units but the held ones,
// and of its bodies: their words, and the real French words of the mapped
// intents' phrasings, whose typos (« comande ») must not become words to
// correct towards.
func (m *Matcher) newVocab(a *analysed, held []int32) *speller {
	words, stemN := maps.Clone(a.words), maps.Clone(a.stems)
	for _, u := range held {
		for _, t := range m.unitToks(int(u)) {
			if words[t.Word]--; words[t.Word] == 0 {
				delete(words, t.Word)
			}
			if stemN[t.Term]--; stemN[t.Term] == 0 {
				delete(stemN, t.Term)
			}
		}
	}
	fr := frenchWords()
	var other []Token // known, never a correction
	for _, toks := range m.libToks {
		for _, t := range toks {
			if fr[t.Word] {
				words[t.Word]++
				stemN[t.Term]++
			} else {
				other = append(other, t)
			}
		}
	}
	stems := make(map[string]bool, len(stemN))
	for t := range stemN {
		stems[t] = true
	}
	s := newSpellerOf(words, stems)
	s.also = map[string]bool{}
	for _, t := range other {
		s.also[t.Word] = true
	}
	return s
}

// unitToks is unit u's tokens, while building: an example analysed again
// as it was to build, or a mapped intent's phrasing.
func (m *Matcher) unitToks(u int) []Token {
	if u < m.examples {
		return Analyze(m.exText[u])
	}
	return slices.Clone(m.libToks[u-m.libStart])
}

// calibrateHeldOut fits m's calibration on shadow matchers trained
// without a sample of the example questions, which they are then asked:
// questions they have never seen, as a customer's are. Left out of m
// itself, a question would still weigh in its article's model, and
// confidence would be learnt from easier questions than customers ask.
// A shadow is m, with the articles that lend a question modelled again
// from their evidence without it (untrained are m's models before
// training), trained again, and a speller that does not know the
// question's words. Only articles with a title and two questions lend
// one, and each keeps a question.
func (m *Matcher) calibrateHeldOut(untrained []sparse, a *analysed) {
	// Each article's examples are its title then its questions.
	count := make([]int, len(m.docs))
	for _, d := range m.unitDoc[:m.examples] {
		count[d]++
	}
	var lend []int32 // the questions that may be left out
	for u := 1; u < m.examples; u++ {
		if d := m.unitDoc[u]; count[d] >= 3 && m.unitDoc[u-1] == d {
			lend = append(lend, int32(u))
		}
	}
	// A small knowledge base lends each question in turn, over a few
	// shadows; a large one a sample, to one.
	step := max(1, len(lend)/calibSample)
	folds := 1
	if step == 1 {
		folds = min(maxFolds, max(1, 2*calibSample/max(1, len(lend))))
	}
	var data []asked
	for f := range folds {
		lent := make([]int, len(m.docs))
		var held []int32
		for k := f; k < len(lend); k += step * folds {
			if u := lend[k]; lent[m.unitDoc[u]] < count[m.unitDoc[u]]-2 {
				lent[m.unitDoc[u]]++
				held = append(held, u)
			}
		}
		if len(held) == 0 {
			continue
		}
		// The shadow starts from m's trained models; the articles that
		// lend a question start again from their evidence without it,
		// and are trained again against their neighbours.
		s := *m
		s.models = cloneModels(m.models)
		s.retrain = make([]bool, len(m.docs))
		for _, u := range held {
			d := m.unitDoc[u]
			s.models[d] = without(untrained[d], m.norms[d], m.units[u])
			s.retrain[d] = true
		}
		slices.Sort(held)
		s.held = held
		s.vocab = m.newVocab(a, held)
		s.train()
		s.index()
		data = append(data, s.observe(f == 0)...)
	}
	if len(data) == 0 {
		m.calibrate()
		return
	}
	m.fit(data)
}

// maxFolds is how many shadow matchers calibration trains at most.
const maxFolds = 2

func cloneModels(ms []sparse) []sparse {
	out := make([]sparse, len(ms))
	for d, v := range ms {
		out[d] = sparse{v.ids, slices.Clone(v.w)}
	}
	return out
}

// without is model, the normalised sum of its article's evidence whose
// norm was norm, less unit x, normalised again.
func without(model sparse, norm float64, x sparse) sparse {
	c := make(map[int32]float64, len(model.ids))
	for i, id := range model.ids {
		c[id] = float64(model.w[i]) * norm
	}
	for i, id := range x.ids {
		c[id] -= float64(x.w[i])
	}
	for id, v := range c {
		if math.Abs(v) < 1e-9 {
			delete(c, id)
		}
	}
	if len(c) == 0 {
		return sparse{}
	}
	return normalized(c).sparse()
}

// build lays out the units and features of a knowledge base, with the
// phrasings of the intents each article is mapped to, and computes the
// untrained article models.
func build(docs []Doc, a *analysed, lib []*Intent, mapped [][]int32, w Weights) *Matcher {
	m := &Matcher{w: w, docs: docs, feats: map[string]int32{}, docUnits: make([][]int32, len(docs)), lib: lib}
	// Units: examples, then passages, then the phrasings of each mapped
	// intent, once however many articles share the intent.
	m.unitDoc = append(slices.Clone(a.exDoc), a.psDoc...)
	m.examples = len(a.exDoc)
	m.libStart = len(m.unitDoc)
	m.exText = a.exText
	raw := slices.Clone(a.feats) // the features of each unit
	m.intentDocs = make([][]int32, len(lib))
	for d, ins := range mapped {
		for _, in := range ins {
			m.intentDocs[in] = append(m.intentDocs[in], int32(d))
		}
	}
	if mapped == nil {
		mapped = make([][]int32, len(docs))
	}
	m.docIntents = mapped
	for in, ds := range m.intentDocs {
		if len(ds) == 0 {
			continue
		}
		for k, toks := range lib[in].toks {
			raw = append(raw, a.libBag(lib[in], k))
			m.libToks = append(m.libToks, toks)
			m.unitDoc = append(m.unitDoc, -1)
			m.unitIntent = append(m.unitIntent, int32(in))
		}
	}
	m.intentUnits = make([][]int32, len(lib))
	for u := range raw {
		if d := m.unitDoc[u]; d >= 0 {
			m.docUnits[d] = append(m.docUnits[d], int32(u))
			continue
		}
		in := m.unitIntent[u-m.libStart]
		m.intentUnits[in] = append(m.intentUnits[in], int32(u))
	}
	// The speller learns the knowledge base's words, and the real French
	// words of the mapped intents' phrasings: their typos (« comande »)
	// must not become words to correct towards.
	m.vocab = m.newVocab(a, nil)

	// Document frequencies over examples, answers and the mapped intents'
	// phrasings: a word only the answer uses ("Corse" in the
	// delivery-abroad article) is a feature too. Passages are counted once,
	// as their body.
	df := make([]int32, len(a.vocab.names))
	for u := range raw {
		if u >= m.examples && u < m.libStart {
			continue
		}
		for _, id := range raw[u].ids {
			df[id]++
		}
	}
	bodyRaw := a.bodyFeats
	for _, b := range bodyRaw {
		for _, id := range b.ids {
			df[id]++
		}
	}
	n := float64(len(raw) - (m.libStart - m.examples) + len(docs))
	// Ids in sorted order (the vocabulary's): the same content always
	// builds the same matcher, so evaluations are reproducible to the last
	// digit.
	mid := make([]int32, len(df)) // vocabulary id -> feature id, or -1
	m.concepts = map[string]bool{}
	for id, f := range a.vocab.names {
		if df[id] == 0 {
			mid[id] = -1
			continue
		}
		mid[id] = int32(len(m.idf))
		m.feats[f] = mid[id]
		m.idf = append(m.idf, float32(math.Log((n+1)/(float64(df[id])+1))+1))
		m.family = append(m.family, f[0])
		if c, ok := strings.CutPrefix(f, "c:"); ok {
			m.concepts[c] = true
		}
	}
	m.maxIDF = float32(math.Log(n+1) + 1)
	vector := func(b bag) vec64 {
		return m.bagVector(b, a.vocab.names, func(id int32) int32 { return mid[id] })
	}

	// Each unit's vector is kept as a sparse float32 one; the float64 one
	// only while it is summed into its article's or intent's centroid, one
	// article at a time, so that the centroids of all articles are never
	// held at once. Each centroid sums in the same order as one pass over
	// the units would: its examples, its body, then its intents in id
	// order.
	m.units = make([]sparse, len(raw))
	m.unitW = make([]float32, len(raw))
	libVecs := make([]vec64, len(raw)-m.libStart)
	parallel(len(libVecs), func(k int) { libVecs[k] = vector(raw[m.libStart+k]) })
	intentCents := make([]map[int32]float64, len(lib))
	for k, vec := range libVecs {
		u := m.libStart + k
		m.units[u] = vec.sparse()
		m.unitW[u] = float32(w.Library)
		in := m.unitIntent[k]
		if intentCents[in] == nil {
			intentCents[in] = map[int32]float64{}
		}
		for i, id := range vec.ids {
			intentCents[in][id] += vec.w[i]
		}
	}
	libVecs = nil
	intentModels := make([]vec64, len(lib))
	for in, c := range intentCents {
		intentModels[in] = normalized(c)
	}
	// An article's units are indexed as soon as they are computed, and
	// its passages then kept only in the index: training needs the
	// examples' vectors, nothing the passages'.
	m.models = make([]sparse, len(docs))
	m.norms = make([]float64, len(docs))
	m.docIdx = make([]unitIndex, len(docs))
	parallel(len(docs), func(d int) {
		cent := map[int32]float64{}
		for _, u := range m.docUnits[d] {
			if int(u) >= m.examples {
				m.units[u] = vector(raw[u]).sparse()
				m.unitW[u] = float32(w.Passage) // the body counts in the model as a whole, below
				continue
			}
			vec := vector(raw[u])
			m.units[u] = vec.sparse()
			m.unitW[u] = 1
			for i, id := range vec.ids {
				cent[id] += vec.w[i]
			}
		}
		m.docIdx[d] = newUnitIndex(m.units, m.docUnits[d])
		for _, u := range m.docUnits[d] {
			if int(u) >= m.examples && !m.docIdx[d].dot {
				m.units[u] = sparse{}
			}
		}
		if b := bodyRaw[d]; w.Body > 0 && len(b.ids) > 0 {
			vec := vector(b)
			for i, id := range vec.ids {
				cent[id] += w.Body * vec.w[i]
			}
		}
		for _, in := range slices.Sorted(slices.Values(m.docIntents[d])) {
			ic := intentModels[in]
			for i, id := range ic.ids {
				cent[id] += w.IntentModel * ic.w[i]
			}
		}
		m.models[d] = normalized(cent).sparse()
		// Summed in id order, as normalized does: the same bits whatever
		// the map's order.
		for _, id := range slices.Sorted(maps.Keys(cent)) {
			m.norms[d] += cent[id] * cent[id]
		}
		m.norms[d] = math.Sqrt(m.norms[d])
	})
	m.indexIntentUnits()
	m.index()
	return m
}

// index builds the first-stage postings from the models: every stem and
// bigram, and the character n-grams rare enough to point at few articles
// (typos of rare words).
func (m *Matcher) index() {
	m.post = make([][]posting, len(m.idf))
	for d, md := range m.models {
		for i, id := range md.ids {
			m.post[id] = append(m.post[id], posting{int32(d), md.w[i]})
		}
	}
	rare := max(50, len(m.docs)/50)
	for id, p := range m.post {
		if m.family[id] == 'g' && len(p) > rare {
			m.post[id] = nil
		}
	}
	m.newPool()
}

// newPool gives m scratch memory of its sizes.
func (m *Matcher) newPool() {
	nd, nf, ni := len(m.docs), len(m.idf), len(m.lib)
	m.pool = &sync.Pool{New: func() any {
		return &scratch{cand: make([]float32, nd), dense: make([]float32, nf), bits: make([]uint64, (nf+63)/64),
			intentTop: make([]best3, ni), intentDone: make([]bool, ni)}
	}}
}

// trainBudget bounds the (example, candidate) evaluations of training, so
// that building stays within a second or two whatever the size of the
// knowledge base; large ones are trained on a sample of their examples.
const trainBudget = 1_500_000

// neighbours is how many confusable articles each example is trained
// against; maxPositives how many of the articles that share an intent its
// phrasings are trained for.
const (
	neighbours   = 12
	maxPositives = 8
)

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
	// Trained on the example questions and the mapped intents' phrasings,
	// whose right answers are every article mapped to the intent.
	var train []int32
	for u := range m.units {
		if _, out := slices.BinarySearch(m.held, int32(u)); (u < m.examples || u >= m.libStart) && !out && m.retrains(u) {
			train = append(train, int32(u))
		}
	}
	n := len(train)
	neigh := make([][]int32, n) // the right articles first, then neighbours
	npos := make([]int, n)
	// Neighbours are found on every core, in chunks that each have their
	// accumulator.
	const chunk = 256
	parallel((n+chunk-1)/chunk, func(c int) {
		acc := make([]float32, len(m.models))
		var touched []int32
		for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
			touched = m.findNeighbours(stemPost, acc, touched, train, neigh, npos, i)
		}
	})
	m.sgd(train, neigh, npos)
}

// retrains tells whether training unit u is evidence for an article to
// train: any, or one of m.retrain.
func (m *Matcher) retrains(u int) bool {
	if m.retrain == nil {
		return true
	}
	if d := m.unitDoc[u]; d >= 0 {
		return m.retrain[d]
	}
	return slices.ContainsFunc(m.intentDocs[m.unitIntent[u-m.libStart]], func(d int32) bool { return m.retrain[d] })
}

// findNeighbours sets neigh[i] to the right articles of training unit
// train[i], then the articles whose stem features score highest for it.
func (m *Matcher) findNeighbours(stemPost [][]posting, acc []float32, touched, train []int32, neigh [][]int32, npos []int, i int) []int32 {
	u := train[i]
	x := m.units[u]
	touched = touched[:0]
	for i, id := range x.ids {
		for _, p := range stemPost[id] {
			if acc[p.id] == 0 {
				touched = append(touched, p.id)
			}
			acc[p.id] += x.w[i] * p.w
		}
	}
	cand := m.unitDocs(int(u))
	if len(cand) > maxPositives {
		// An intent shared by many articles: train against the
		// ones closest to the phrasing.
		slices.SortStableFunc(cand, func(a, b int32) int { return cmpDesc(acc[a], acc[b]) })
		cand = cand[:maxPositives]
	}
	npos[i] = len(cand)
	for _, d := range topK(touched, acc, neighbours+len(cand)) {
		if !slices.Contains(cand[:npos[i]], d) && len(cand) < neighbours+npos[i] {
			cand = append(cand, d)
		}
	}
	for _, d := range touched {
		acc[d] = 0
	}
	neigh[i] = cand
	return touched
}

// sgd fits the article models by stochastic gradient descent, in a fixed
// order.
func (m *Matcher) sgd(train []int32, neigh [][]int32, npos []int) {
	n := len(train)
	stride := 1
	if work := n * (neighbours + 1) * m.w.Epochs; work > trainBudget {
		stride = (work + trainBudget - 1) / trainBudget
	}
	// A unit has a few dozen features and a model thousands: each (unit,
	// candidate) pair is scored and updated only where both have a
	// feature. Those places are found once, by one scan of the model, and
	// kept for every epoch when each unit is visited in each (the budget
	// bounds their number); a sampled training finds them at each visit.
	var kept [][][]pair
	if stride == 1 {
		kept = make([][][]pair, n)
		const chunk = 256
		parallel((n+chunk-1)/chunk, func(c int) {
			pos := make([]int32, len(m.idf))
			for k := c * chunk; k < min(n, (c+1)*chunk); k++ {
				kept[k] = make([][]pair, len(neigh[k]))
				for j, d := range neigh[k] {
					kept[k][j] = m.shared(nil, pos, m.units[train[k]], d)
				}
			}
		})
	}
	pos := make([]int32, len(m.idf))
	var (
		scores []float64
		found  [][]pair
		buf    []pair
	)
	for ep := 0; ep < m.w.Epochs; ep++ {
		lr := m.w.Rate / (1 + float64(ep))
		for i := ep % stride; i < n; i += stride {
			k := (i*7919 + ep*104729) % n // a fixed shuffle per epoch
			if ep%2 == 1 && int(train[k]) >= m.libStart {
				continue // the library's phrasings, every other epoch
			}
			x, cand := m.units[train[k]], neigh[k]
			if kept != nil {
				found = kept[k]
			} else {
				found, buf = found[:0], buf[:0]
				for _, d := range cand {
					start := len(buf)
					buf = m.shared(buf, pos, x, d)
					found = append(found, buf[start:len(buf):len(buf)])
				}
			}
			scores = scores[:0]
			mx := math.Inf(-1)
			for j, d := range cand {
				md := m.models[d]
				var sum float32
				for _, p := range found[j] {
					sum += md.w[p.model] * x.w[p.unit]
				}
				sc := float64(sum) * m.w.Temp
				scores = append(scores, sc)
				mx = max(mx, sc)
			}
			z := 0.0
			for j := range cand {
				scores[j] = math.Exp(scores[j] - mx)
				z += scores[j]
			}
			lrk := lr
			if int(train[k]) >= m.libStart {
				lrk *= m.w.LibRate
			}
			for j, d := range cand {
				g := scores[j] / z
				if j < npos[k] {
					g -= 1 / float64(npos[k]) // the right articles share the target
				}
				if math.Abs(g) < 1e-4 {
					continue
				}
				md := m.models[d]
				step := float32(lrk * g)
				for _, p := range found[j] {
					if xv := x.w[p.unit]; xv != 0 {
						md.w[p.model] -= step * xv
					}
				}
			}
		}
	}
}

// pair is a feature a model and a unit both have: its position in each.
type pair struct{ model, unit int32 }

// shared appends to out the features unit x and article d's model both
// have, in the model's order; pos is zero, of one entry per feature, and
// is left so.
func (m *Matcher) shared(out []pair, pos []int32, x sparse, d int32) []pair {
	for i, id := range x.ids {
		pos[id] = int32(i) + 1
	}
	for p, id := range m.models[d].ids {
		if q := pos[id]; q != 0 {
			out = append(out, pair{int32(p), q - 1})
		}
	}
	for _, id := range x.ids {
		pos[id] = 0
	}
	return out
}

// unitDocs returns the articles unit u is evidence for: its own, or every
// article mapped to its intent.
func (m *Matcher) unitDocs(u int) []int32 {
	if d := m.unitDoc[u]; d >= 0 {
		return []int32{d}
	}
	return slices.Clone(m.intentDocs[m.unitIntent[u-m.libStart]])
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

// stemCounts are the stem features only, for long texts where bigrams
// and character n-grams would add noise, with their counts.
func stemCounts(toks []Token) map[string]int {
	fs := map[string]int{}
	for _, t := range toks {
		fs["s:"+t.Term]++
	}
	for _, c := range Concepts(toks) {
		fs["c:"+c]++
	}
	return fs
}

// featureCounts returns the features of a token list, keyed by "s:",
// "b:", "g:" or "c:", with how many times each occurs.
func featureCounts(toks []Token) map[string]int {
	// The names are written back to back in one buffer, which becomes one
	// string the keys are cut from: one allocation for all of them, not
	// one a feature (the vocabulary copies a name it keeps).
	size := 0
	for _, t := range toks {
		size += 2*len(t.Term) + 6 + 7*(len(t.Word)+2)
	}
	buf := make([]byte, 0, size+64)
	ends := make([]int, 0, 4*len(toks)+8)
	for i, t := range toks {
		buf = append(append(buf, "s:"...), t.Term...)
		ends = append(ends, len(buf))
		if i > 0 {
			buf = append(append(append(append(buf, "b:"...), toks[i-1].Term...), '_'), t.Term...)
			ends = append(ends, len(buf))
		}
		w := t.Word
		at := func(k int) byte { // the k-th byte of "#" + w + "#"
			if k == 0 || k == len(w)+1 {
				return '#'
			}
			return w[k-1]
		}
		for n := 3; n <= 4; n++ {
			for j := 0; j+n <= len(w)+2; j++ {
				buf = append(buf, "g:"...)
				for k := j; k < j+n; k++ {
					buf = append(buf, at(k))
				}
				ends = append(ends, len(buf))
			}
		}
	}
	for _, c := range Concepts(toks) {
		buf = append(append(buf, "c:"...), c...)
		ends = append(ends, len(buf))
	}
	all := string(buf)
	fs := make(map[string]int, len(ends))
	start := 0
	for _, end := range ends {
		fs[all[start:end]]++
		start = end
	}
	return fs
}

// features returns the raw weights of a token list's features (see
// featureCounts): 1 + ln(count).
func features(toks []Token) map[string]float64 {
	counts := featureCounts(toks)
	fs := make(map[string]float64, len(counts))
	for f, c := range counts {
		fs[f] = 1 + math.Log(float64(c))
	}
	return fs
}

// term is a raw feature being weighed: its family, its id (-1 for one the
// index does not know) and its raw weight.
type term struct {
	fam byte
	id  int32
	raw float64
}

// vector weighs raw features by idf and family share and L2-normalises the
// result; features the index does not know count in the norm only. Sums
// run in feature order, so the same text always gives the same vector to
// the last bit, whatever the map's iteration order.
func (m *Matcher) vector(fs map[string]float64) vec64 {
	names := make([]string, 0, len(fs))
	for f := range fs {
		names = append(names, f)
	}
	slices.Sort(names)
	terms := make([]term, len(names))
	for i, f := range names {
		id, ok := m.featID(f)
		if !ok {
			id = -1
		}
		terms[i] = term{f[0], id, fs[f]}
	}
	return m.weigh(terms)
}

// bagVector is vector for a bag whose ids are those of names, in name
// order; id gives the index's id of each, or -1.
func (m *Matcher) bagVector(b bag, names []string, id func(int32) int32) vec64 {
	terms := make([]term, len(b.ids))
	for i, f := range b.ids {
		terms[i] = term{names[f][0], id(f), b.weight(i)}
	}
	return m.weigh(terms)
}

// weigh is vector's computation, on terms in feature name order.
func (m *Matcher) weigh(terms []term) vec64 {
	var fam [256]float64
	weighted := make([]float64, len(terms))
	for i, t := range terms {
		idf := m.maxIDF
		if t.id >= 0 {
			idf = m.idf[t.id]
		}
		v := t.raw * float64(idf)
		weighted[i] = v
		fam[t.fam] += v * v
	}
	var share [256]float64
	share['s'], share['b'], share['g'], share['c'] = m.w.Stem, m.w.Bigram, m.w.Gram, m.w.Concept
	out := vec64{ids: make([]int32, 0, len(terms)), w: make([]float64, 0, len(terms))}
	total := 0.0
	for i, t := range terms {
		v := weighted[i] / math.Sqrt(fam[t.fam]) * share[t.fam]
		total += v * v
		if t.id >= 0 {
			out.ids = append(out.ids, t.id)
			out.w = append(out.w, v)
		}
	}
	total = math.Sqrt(total)
	for i := range out.w {
		out.w[i] /= total
	}
	out.sort()
	return out
}

// Match ranks the articles for text and keeps the best n.
func (m *Matcher) Match(text string, n int) Match {
	r := m.match(Analyze(text), n, -1)
	r.Elsewhere = elsewhere(text, func(w string) bool { return m.vocab.words[w] > 0 })
	return r
}

// match scores toks; skip is a unit left out (for leave-one-out), or -1.
func (m *Matcher) match(toks []Token, n, skip int) Match {
	return m.read(toks, n, skip, candidates)
}

// read is match scoring exactly only the exact best candidates of the
// first stage.
func (m *Matcher) read(toks []Token, n, skip, exact int) Match {
	var res Match
	if len(toks) == 0 || len(m.docs) == 0 {
		return res
	}
	known := 0
	isKnown := make([]bool, len(toks))
	for i, t := range toks {
		if m.vocab.knows(t) {
			known++
			isKnown[i] = true
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
			isKnown[i] = true
		} else if m.vocab.also[t.Word] {
			known++ // a customer's word the library knows (« tracking »)
			isKnown[i] = true
		}
	}
	// A word of a concept the knowledge base speaks of is known too:
	// « parcel » in « damaged parcel » when the shop writes « colis ».
	for _, sp := range conceptSpans(toks) {
		if !m.concepts[sp.concept] {
			continue
		}
		for i := sp.start; i < sp.end; i++ {
			if !isKnown[i] {
				isKnown[i] = true
				known++
			}
		}
	}
	res.Known = float64(known) / float64(len(toks))
	res.knownN = known
	q := m.vector(features(toks))
	// The best candidates of the fixed blend are weighed again with how
	// much of the question they cover (as calibration saw them), then the
	// best n kept.
	k := n
	if m.rerank != (rerank{}) {
		k = max(n, min(exact, calibExact))
	}
	c := m.rank(q, k, skip, exact)
	all := m.coverable(q, toks)
	for i := range c {
		c[i].feat[fCover], c[i].feat[fCoverQ] = m.cover(q, all, c[i].doc, skip)
	}
	m.rerank.apply(c)
	if len(c) > n {
		c = c[:n]
	}
	res.Candidates = c
	res.Confidence, res.InScope = m.confidence(res.Candidates, res.Known, res.knownN)
	return res
}

// coverable is the weight, by idf, of the query's stems: a stem the
// knowledge base does not know weighs the most.
func (m *Matcher) coverable(q vec64, toks []Token) float64 {
	var all float64
	var unknown []string
	for _, t := range toks {
		if _, ok := m.featID("s:" + t.Term); !ok && !slices.Contains(unknown, t.Term) {
			unknown = append(unknown, t.Term)
			all += float64(m.maxIDF)
		}
	}
	for _, id := range q.ids {
		if m.family[id] == 's' {
			all += float64(m.idf[id])
		}
	}
	return all
}

// cover is the share of the query's stems (all their weight, see
// coverable) that article d's own units (but skip) or its intents'
// phrasings hold, and the share its questions hold (its title, examples
// and intents' phrasings, without the answer).
func (m *Matcher) cover(q vec64, all float64, d int32, skip int) (share, questions float64) {
	if all == 0 {
		return 0, 0
	}
	var have, haveQ float64
	for _, id := range q.ids {
		if m.family[id] != 's' {
			continue
		}
		k := m.holds(d, id, skip)
		if k != 0 {
			have += float64(m.idf[id])
		}
		if k&heldQuestion != 0 {
			haveQ += float64(m.idf[id])
		}
	}
	return have / all, haveQ / all
}

// holds tells which kinds of unit of article d, or of its intents, other
// than skip have feature id: heldQuestion (a title, an example question
// or an intent's phrasing), heldPassage (a sentence of the answer).
func (m *Matcher) holds(d, id int32, skip int) (kinds byte) {
	in := func(x *unitIndex, group []int32) {
		if x.dot {
			for _, u := range group {
				if int(u) != skip && slices.Contains(m.units[u].ids, id) {
					kinds |= m.unitKind(u)
				}
			}
			return
		}
		f, ok := slices.BinarySearch(x.feats, id)
		if !ok {
			return
		}
		for k := x.off[f]; k < x.off[f+1] && kinds != heldQuestion|heldPassage; k++ {
			if u := group[x.unit[k]]; int(u) != skip {
				kinds |= m.unitKind(u)
			}
		}
	}
	in(&m.docIdx[d], m.docUnits[d])
	for _, it := range m.docIntents[d] {
		if kinds&heldQuestion != 0 {
			break
		}
		in(&m.intentIdx[it], m.intentUnits[it])
	}
	return kinds
}

// The kinds of unit holds tells.
const (
	heldQuestion byte = 1 << iota
	heldPassage
)

func (m *Matcher) unitKind(u int32) byte {
	if int(u) >= m.examples && int(u) < m.libStart {
		return heldPassage
	}
	return heldQuestion
}

// matchVec ranks the articles for a unit's own vector, leaving the unit out.
func (m *Matcher) matchVec(x sparse, n, skip int) []Candidate {
	q := vec64{ids: x.ids, w: make([]float64, len(x.w))}
	for i, v := range x.w {
		q.w[i] = float64(v)
	}
	return m.rank(q, n, skip, candidates)
}

// rank scores the articles for a query vector in two stages, best n
// first, scoring exactly the exact best of the first; skip is a unit left
// out, or -1.
func (m *Matcher) rank(q vec64, n, skip, exact int) []Candidate {
	sc := m.pool.Get().(*scratch)
	defer m.pool.Put(sc)
	// Stage one: candidates from the postings.
	sc.touched = sc.touched[:0]
	for i, id := range q.ids {
		v := q.w[i]
		for _, p := range m.post[id] {
			if sc.cand[p.id] == 0 {
				sc.touched = append(sc.touched, p.id)
			}
			sc.cand[p.id] += float32(v) * p.w
		}
	}
	top := topK(sc.touched, sc.cand, max(exact, n))
	for _, d := range sc.touched {
		sc.cand[d] = 0
	}
	// Stage two: exact scores against each candidate's model and examples.
	for i, id := range q.ids {
		sc.dense[id] = float32(q.w[i])
		sc.bits[id>>6] |= 1 << (id & 63)
	}
	var cands []Candidate
	for _, d := range top {
		// The best example, and the next two: an article whose evidence
		// several close wordings back is surer than one lucky match.
		var t best3
		var ex, ps, lib float32 // the best of each kind of unit
		us := m.docUnits[d]
		acc := sc.grow(len(us))
		m.docIdx[d].score(acc, m.units, us, sc.bits, sc.dense)
		for i, u := range us {
			if int(u) != skip {
				x := m.unitW[u] * acc[i]
				t.add(x)
				if int(u) < m.examples {
					ex = max(ex, x)
				} else {
					ps = max(ps, x)
				}
			}
		}
		// An intent's phrasings are shared by its articles: scored once
		// per question.
		for _, in := range m.docIntents[d] {
			if !sc.intentDone[in] {
				var it best3
				us := m.intentUnits[in]
				acc := sc.grow(len(us))
				m.intentIdx[in].score(acc, m.units, us, sc.bits, sc.dense)
				for i, u := range us {
					if int(u) != skip {
						it.add(m.unitW[u] * acc[i])
					}
				}
				sc.intentTop[in], sc.intentDone[in] = it, true
				sc.intents = append(sc.intents, in)
			}
			for _, x := range sc.intentTop[in] {
				t.add(x)
			}
			lib = max(lib, sc.intentTop[in][0])
		}
		best := float64(t[0]) + m.w.Next*float64(t[1]+t[2])/2
		model := float64(m.models[d].dotIn(sc.bits, sc.dense))
		s := m.w.Max*best + m.w.Centroid*model
		next := float64(t[1]+t[2]) / 2
		if s > 0 {
			cands = append(cands, Candidate{ID: m.docs[d].ID, Score: s, doc: d,
				feat: [nRerank]float64{s, float64(ex), float64(ps), float64(lib), model, next}})
		}
	}
	for _, id := range q.ids {
		sc.dense[id] = 0
		sc.bits[id>>6] = 0
	}
	for _, in := range sc.intents {
		sc.intentDone[in] = false
	}
	sc.intents = sc.intents[:0]
	slices.SortFunc(cands, byScore)
	if len(cands) > n {
		cands = cands[:n]
	}
	return cands
}

func (m *Matcher) confidence(c []Candidate, known float64, knownN int) (top, scope float64) {
	if len(c) == 0 {
		return 0, 0
	}
	x := calibFeatures(c, known, knownN)
	return m.calib.predict(x), m.scope.predict(x)
}

// nCalib is the number of calibration features.
const nCalib = 6

// calibSample is about how many example questions, and how many intent
// phrasings, calibration leaves out in turn: enough for a model of six
// weights, and a bounded cost whatever the size of the knowledge base.
const calibSample = 300

// calibExact is how many first-stage candidates calibration scores
// exactly: its features are the first three scores, which come from the
// first stage's best dozen.
const calibExact = 12

// logistic is a fitted logistic model: bias, then one weight a feature.
type logistic [nCalib + 1]float64

func (l logistic) predict(x [nCalib]float64) float64 {
	z := l[0]
	for i, v := range x {
		z += l[i+1] * v
	}
	return 1 / (1 + math.Exp(-z))
}

// calibFeatures are what confidence is computed from: the best score, its
// margin over the second, the second as a share of the best (two articles
// that score alike are a choice to offer, not an answer), the share of the
// question's words the knowledge base knows, and how many it knows (up to
// 6): a long story has several known words among many others, an
// off-topic question few; and the share of its stems the first article
// speaks of itself (« mon chien » in a question about a shop's opening
// hours: known elsewhere, absent there).
func calibFeatures(c []Candidate, known float64, knownN int) [nCalib]float64 {
	s1, s2 := c[0].Score, 0.0
	if len(c) > 1 {
		s2 = c[1].Score
	}
	ratio := 0.0
	if s1 > 0 {
		ratio = s2 / s1
	}
	return [nCalib]float64{s1, s1 - s2, ratio, known, float64(min(knownN, 6)) / 6, c[0].feat[fCover]}
}

// calibrate fits two logistic models on a leave-one-out pass over example
// questions and the mapped intents' phrasings (right or wrong answers),
// and on the background questions (always wrong: off topic): the
// probability that the first candidate is right (Confidence), and that the
// right article is among the first three (InScope).
func (m *Matcher) calibrate() { m.fit(m.observe(true)) }

// fit learns how to weigh the evidence, then the calibration, from what
// was asked.
func (m *Matcher) fit(data []asked) {
	m.rerank = rerank{}
	if m.w.Rerank > 0 {
		m.rerank = fitRerank(data, m.w.Rerank)
	}
	m.calib, m.scope = fitCalibration(calibration(data, m.rerank), m.w)
}

// obs is a question calibration asked: its features, whether the first
// candidate was right and whether one of the first three was, and whether
// it was off topic.
type obs struct {
	x         [nCalib]float64
	top, any3 float64
	off       bool
}

// observe asks m the calibration questions: m.held when set, otherwise a
// sample of the example questions left out in turn; and, with rest, a
// sample of the mapped intents' phrasings, also left out, which are worded
// as customers write, and the off-topic background questions.
func (m *Matcher) observe(rest bool) []asked {
	type try struct {
		toks []Token
		u    int
		docs []int32 // the right articles
	}
	var tries []try
	// Each question is also told as a story: padded with an everyday
	// sentence that has nothing to do with it.
	add := func(toks []Token, u int, docs []int32) {
		story := append(slices.Clone(toks), Analyze(background[len(tries)/2%len(background)])...)
		tries = append(tries, try{slices.Clone(toks), u, docs}, try{story, u, docs})
	}
	var spans [][2]int
	if m.held == nil {
		spans = append(spans, [2]int{0, m.examples})
	}
	for _, u := range m.held {
		add(m.unitToks(int(u)), int(u), m.unitDocs(int(u)))
	}
	if rest {
		spans = append(spans, [2]int{m.libStart, m.libStart + len(m.libToks)})
	}
	for _, span := range spans {
		step := max(1, (span[1]-span[0])/calibSample)
		for u := span[0]; u < span[1]; u += step {
			add(m.unitToks(u), u, m.unitDocs(u))
		}
	}
	// Matched on every core, gathered in order.
	found := make([]*asked, len(tries))
	parallel(len(tries), func(k int) {
		u := tries[k].u
		r := m.read(tries[k].toks, calibExact, u, calibExact)
		if len(r.Candidates) == 0 {
			return
		}
		found[k] = &asked{cands: r.Candidates, right: tries[k].docs, known: r.Known, knownN: r.knownN, question: u < m.examples}
	})
	var data []asked
	for _, o := range found {
		if o != nil {
			data = append(data, *o)
		}
	}
	if !rest {
		return data
	}
	// Off-topic questions, alone and told at length (two sentences).
	for i, q := range background {
		for _, text := range []string{q, q + ", " + background[(i*7+3)%len(background)]} {
			if r := m.read(Analyze(text), calibExact, -1, calibExact); len(r.Candidates) > 0 {
				data = append(data, asked{cands: r.Candidates, known: r.Known, knownN: r.knownN, off: true})
			}
		}
	}
	return data
}

// fitCalibration fits the logistic models of Confidence and InScope on
// the questions calibration asked; with too few, it keeps a sensible prior
// for tiny knowledge bases.
func fitCalibration(data []obs, w Weights) (calib, scope logistic) {
	calib = logistic{-6, 10, 10, 0, 2, 1, 0}
	scope = logistic{-6, 14, 0, 0, 3, 1, 0}
	inScope, pos := 0, 0.0
	for _, o := range data {
		if !o.off {
			inScope++
			pos += o.top
		}
	}
	if inScope < 20 || pos == 0 {
		return calib, scope
	}
	// Weigh background so that it counts for its share of the evidence.
	bgWeight := 1.0
	if n := len(data) - inScope; n > 0 && w.Background > 0 && w.Background < 1 {
		bgWeight = float64(inScope) * w.Background / (1 - w.Background) / float64(n)
	}
	// The weighted mean log-loss, L2 on all but the bias.
	fit := func(l logistic, y func(obs) float64) logistic {
		const dim = nCalib + 1
		loss := func(th []float64, grads bool) (float64, []float64, [][]float64) {
			var f, total float64
			var g []float64
			var h [][]float64
			if grads {
				g, h = make([]float64, dim), square(dim)
			}
			for _, o := range data {
				x := [dim]float64{1}
				copy(x[1:], o.x[:])
				z := 0.0
				for k := range dim {
					z += th[k] * x[k]
				}
				wt := 1.0
				if o.off {
					wt = bgWeight
				}
				total += wt
				f += wt * (softplus(z) - y(o)*z)
				if !grads {
					continue
				}
				p := 1 / (1 + math.Exp(-z))
				for k := range dim {
					g[k] += wt * (p - y(o)) * x[k]
					for l := range dim {
						h[k][l] += wt * p * (1 - p) * x[k] * x[l]
					}
				}
			}
			f /= total
			for k := range dim {
				if k > 0 {
					f += w.L2 / 2 * th[k] * th[k]
				}
				if !grads {
					continue
				}
				g[k] /= total
				for l := range dim {
					h[k][l] /= total
				}
				h[k][k] += 1e-6
				if k > 0 {
					g[k] += w.L2 * th[k]
					h[k][k] += w.L2
				}
			}
			return f, g, h
		}
		return logistic(newton(l[:], 30, loss))
	}
	return fit(calib, func(o obs) float64 { return o.top }), fit(scope, func(o obs) float64 { return o.any3 })
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
	also    map[string]bool     // words known but never corrected to
	stems   map[string]bool     // stems seen
	deletes map[string][]string // one-letter deletion -> words
	more    map[string][]string // deletions of the words an update added
	byFirst map[byte][]string   // first letter -> words of 7 letters or more
	sorted  []string            // every word, for prefix look-ups
}

func newSpeller(units [][]Token) *speller {
	words, stems := map[string]int{}, map[string]bool{}
	for _, toks := range units {
		for _, t := range toks {
			words[t.Word]++
			stems[t.Term] = true
		}
	}
	return newSpellerOf(words, stems)
}

// newSpellerOf is a speller of these words, with their counts, and stems;
// it keeps both maps.
func newSpellerOf(words map[string]int, stems map[string]bool) *speller {
	s := &speller{words: words, stems: stems}
	// The colloquial words whose synonym is known are known too, so that
	// their typos can be corrected ("conecter" -> "connecter").
	for k, v := range synonyms {
		if s.words[v] > 0 && s.words[k] == 0 {
			s.words[k] = s.words[v]
		}
	}
	s.index()
	return s
}

// index builds the look-up tables of the speller's words.
func (s *speller) index() {
	s.deletes, s.byFirst, s.sorted = map[string][]string{}, map[byte][]string{}, nil
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
		for _, c := range s.more[d] {
			consider(c, 2)
		}
	}
	for _, c := range s.deletes[w] { // w misses a letter
		consider(c, 1)
	}
	for _, c := range s.more[w] {
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
