package nlu

import (
	"maps"
	"math"
	"slices"
	"strings"
)

// Update returns a matcher that knows the changed docs (added, or replacing
// the doc of the same ID) and no longer the removed IDs, sharing everything
// else with m, which stays as it was. It costs about one article's analysis
// and the copy of a few slices, whatever the size of the knowledge base.
//
// What depends on the whole knowledge base is kept from m: term weights
// (features m does not know get the weight of a feature seen once), the
// intent mapping (a changed article keeps its intents, a new one gets none
// unless the editor fixed them), the trained models of the other articles
// (a changed article's model is its untrained centroid) and calibration.
// NewMatcher on the same docs refreshes all of it.
func (m *Matcher) Update(changed []Doc, removed []string) *Matcher {
	n := &Matcher{updated: true, w: m.w, feats: m.feats, idf: m.idf, family: m.family, lib: m.lib,
		examples: m.examples, libStart: m.libStart, maxIDF: m.maxIDF, calib: m.calib, scope: m.scope, rerank: m.rerank,
		docs: slices.Clone(m.docs), models: slices.Clone(m.models), docUnits: slices.Clone(m.docUnits),
		docIntents: slices.Clone(m.docIntents), intentDocs: slices.Clone(m.intentDocs),
		intentUnits: slices.Clone(m.intentUnits), post: slices.Clone(m.post),
		docIdx: slices.Clone(m.docIdx), intentIdx: slices.Clone(m.intentIdx),
		units: slices.Clip(m.units), unitW: slices.Clip(m.unitW), unitDoc: slices.Clip(m.unitDoc),
		unitIntent: slices.Clip(m.unitIntent), concepts: maps.Clone(m.concepts), extra: maps.Clone(m.extra)}
	if n.extra == nil {
		n.extra = map[string]int32{}
	}
	byID := make(map[string]int32, len(n.docs))
	for d, doc := range n.docs {
		if doc.ID != "" {
			byID[doc.ID] = int32(d)
		}
	}
	rare := max(50, len(m.docs)/50)
	inherited := map[string][]int32{}
	drop := func(id string) {
		d, ok := byID[id]
		if !ok {
			return
		}
		inherited[id] = n.docIntents[d]
		n.unpost(d, rare)
		for _, in := range n.docIntents[d] {
			n.intentDocs[in] = slices.DeleteFunc(slices.Clone(n.intentDocs[in]), func(x int32) bool { return x == d })
		}
		// A dead slot: no units, no model, no postings, never ranked.
		n.docs[d], n.models[d], n.docUnits[d], n.docIntents[d], n.docIdx[d] = Doc{}, sparse{}, nil, nil, unitIndex{}
		delete(byID, id)
	}
	for _, id := range removed {
		drop(id)
	}
	for _, doc := range changed {
		drop(doc.ID)
	}

	a := analyseDocs(changed, nil)
	// Features this knowledge base has never seen get ids of their own,
	// weighted as a feature seen once.
	total := len(m.units) - (m.libStart - m.examples) + len(m.docs)
	idfOnce := float32(math.Log(float64(total+1)/2) + 1)
	for _, b := range append(slices.Clone(a.feats), a.bodyFeats...) {
		for _, id := range b.ids {
			f := a.vocab.names[id]
			if _, ok := n.featID(f); ok {
				continue
			}
			n.extra[f] = int32(len(n.idf))
			n.idf = append(slices.Clip(n.idf), idfOnce)
			n.family = append(slices.Clip(n.family), f[0])
			n.post = append(n.post, nil)
			if c, ok := strings.CutPrefix(f, "c:"); ok {
				n.concepts[c] = true
			}
		}
	}
	first := int32(len(n.docs))
	for i, doc := range changed {
		d := int32(len(n.docs))
		n.docs = append(n.docs, doc)
		byID[doc.ID] = d
		var ins []int32
		if doc.FixedIntents {
			for _, id := range doc.Intents {
				if j := slices.IndexFunc(n.lib, func(in *Intent) bool { return in.ID == id }); j >= 0 {
					ins = append(ins, int32(j))
				}
			}
		} else {
			ins = inherited[doc.ID]
		}
		n.docIntents = append(n.docIntents, ins)
		n.docUnits = append(n.docUnits, nil)
		n.models = append(n.models, sparse{})
		cent := map[int32]float64{}
		addUnit := func(b bag, weight float32, inModel bool) {
			vec := n.bagVector(b, a.vocab.names, n.idOf(a.vocab.names))
			u := int32(len(n.units))
			n.units = append(n.units, vec.sparse())
			n.unitW = append(n.unitW, weight)
			n.unitDoc = append(n.unitDoc, d)
			n.unitIntent = append(n.unitIntent, -1)
			n.docUnits[d] = append(n.docUnits[d], u)
			if inModel {
				for k, id := range vec.ids {
					cent[id] += vec.w[k]
				}
			}
		}
		for u := range a.exDoc {
			if a.exDoc[u] == int32(i) {
				addUnit(a.feats[u], 1, true)
			}
		}
		examples := slices.Clone(n.docUnits[d])
		for u := range a.psDoc {
			if a.psDoc[u] == int32(i) {
				addUnit(a.feats[len(a.exDoc)+u], float32(m.w.Passage), false)
			}
		}
		n.docIdx = append(n.docIdx, newUnitIndex(n.units, n.docUnits[d]))
		if b := a.bodyFeats[i]; m.w.Body > 0 && len(b.ids) > 0 {
			vec := n.bagVector(b, a.vocab.names, n.idOf(a.vocab.names))
			for k, id := range vec.ids {
				cent[id] += m.w.Body * vec.w[k]
			}
		}
		for _, in := range ins {
			if len(n.intentUnits[in]) == 0 {
				n.addIntentUnits(in)
			}
			n.intentDocs[in] = append(slices.Clip(n.intentDocs[in]), d)
			ic := map[int32]float64{}
			for _, u := range n.intentUnits[in] {
				for k, id := range n.units[u].ids {
					ic[id] += float64(n.units[u].w[k])
				}
			}
			icn := normalized(ic)
			for k, id := range icn.ids {
				cent[id] += m.w.IntentModel * icn.w[k]
			}
		}
		n.models[d] = normalized(cent).sparse()
		n.trainOne(d, examples)
	}
	for d := first; d < int32(len(n.docs)); d++ {
		for k, id := range n.models[d].ids {
			p := n.post[id]
			if n.family[id] == 'g' && int(id) < len(m.idf) && (len(p) == 0 || len(p) >= rare) {
				continue // a common n-gram, left out of the first stage
			}
			n.post[id] = append(slices.Clip(p), posting{d, n.models[d].w[k]})
		}
	}
	n.vocab = m.vocab.with(a.words, a.stems)
	n.newPool()
	return n
}

// unpost removes article d from the postings of its model's features.
func (n *Matcher) unpost(d int32, rare int) {
	for _, id := range n.models[d].ids {
		if p := n.post[id]; len(p) > 0 {
			n.post[id] = slices.DeleteFunc(slices.Clone(p), func(x posting) bool { return x.id == d })
		}
	}
}

// addIntentUnits adds the phrasings of an intent no article was mapped to.
func (n *Matcher) addIntentUnits(in int32) {
	n.intentUnits[in] = nil
	names := n.lib[in].vocab.names
	for _, b := range n.lib[in].feats {
		vec := n.bagVector(b, names, n.idOf(names))
		n.intentUnits[in] = append(n.intentUnits[in], int32(len(n.units)))
		n.units = append(n.units, vec.sparse())
		n.unitW = append(n.unitW, float32(n.w.Library))
		n.unitDoc = append(n.unitDoc, -1)
		n.unitIntent = append(n.unitIntent, in)
	}
	n.intentIdx[in] = newUnitIndex(n.units, n.intentUnits[in])
}

// idOf returns the id of the feature names[i], or -1 when n does not know
// it.
func (n *Matcher) idOf(names []string) func(int32) int32 {
	return func(i int32) int32 {
		if id, ok := n.featID(names[i]); ok {
			return id
		}
		return -1
	}
}

// with returns a speller that knows these words too (with their counts)
// and these stems, sharing what it can with s.
func (s *speller) with(words, stems map[string]int) *speller {
	n := &speller{words: maps.Clone(s.words), also: s.also, stems: maps.Clone(s.stems),
		deletes: s.deletes, more: maps.Clone(s.more), byFirst: maps.Clone(s.byFirst), sorted: s.sorted}
	if n.more == nil {
		n.more = map[string][]string{}
	}
	var added []string
	for w, c := range words {
		if n.words[w] == 0 {
			added = append(added, w)
		}
		n.words[w] += c
	}
	for t := range stems {
		n.stems[t] = true
	}
	if len(added) == 0 {
		return n
	}
	n.sorted = slices.Clone(s.sorted)
	slices.Sort(added)
	for _, w := range slices.Compact(added) {
		if i, found := slices.BinarySearch(n.sorted, w); !found {
			n.sorted = slices.Insert(n.sorted, i, w)
		}
		if len(w) >= 7 {
			n.byFirst[w[0]] = append(slices.Clip(n.byFirst[w[0]]), w)
		}
		if len(w) < 4 {
			continue
		}
		for _, d := range deletes1(w) {
			n.more[d] = append(slices.Clip(n.more[d]), w)
		}
	}
	return n
}

// trainOne refines the model of the new article d on its example units
// as train does, against the articles their stems point at most, which
// stay as they are: the new article's model is then as sure of its
// examples as the trained models around it are of theirs.
func (n *Matcher) trainOne(d int32, examples []int32) {
	if n.w.Epochs == 0 || len(examples) == 0 {
		return
	}
	acc := make([]float32, len(n.docs))
	var touched []int32
	neigh := make([][]int32, len(examples))
	for i, u := range examples {
		x := n.units[u]
		touched = touched[:0]
		for k, id := range x.ids {
			if n.family[id] != 's' {
				continue
			}
			for _, p := range n.post[id] {
				if p.id == d {
					continue
				}
				if acc[p.id] == 0 {
					touched = append(touched, p.id)
				}
				acc[p.id] += x.w[k] * p.w
			}
		}
		neigh[i] = topK(touched, acc, neighbours)
		for _, j := range touched {
			acc[j] = 0
		}
	}
	md := n.models[d]
	var scores []float64
	for ep := 0; ep < n.w.Epochs; ep++ {
		lr := n.w.Rate / (1 + float64(ep))
		for i, u := range examples {
			x := n.units[u]
			scores = append(scores[:0], float64(sparseDot(md, x))*n.w.Temp)
			mx := scores[0]
			for _, j := range neigh[i] {
				sc := float64(sparseDot(n.models[j], x)) * n.w.Temp
				scores = append(scores, sc)
				mx = max(mx, sc)
			}
			z := 0.0
			for k := range scores {
				scores[k] = math.Exp(scores[k] - mx)
				z += scores[k]
			}
			g := scores[0]/z - 1
			if math.Abs(g) < 1e-4 {
				continue
			}
			step := float32(lr * g)
			for a, b := 0, 0; a < len(md.ids) && b < len(x.ids); {
				switch {
				case md.ids[a] < x.ids[b]:
					a++
				case md.ids[a] > x.ids[b]:
					b++
				default:
					md.w[a] -= step * x.w[b]
					a++
					b++
				}
			}
		}
	}
}

// sparseDot multiplies two sparse vectors.
func sparseDot(a, b sparse) float32 {
	var sum float32
	for i, j := 0, 0; i < len(a.ids) && j < len(b.ids); {
		switch {
		case a.ids[i] < b.ids[j]:
			i++
		case a.ids[i] > b.ids[j]:
			j++
		default:
			sum += a.w[i] * b.w[j]
			i++
			j++
		}
	}
	return sum
}
