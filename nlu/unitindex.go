package nlu

import (
	"math"
	"slices"
)

// unitIndex is the inverted index of a group of units: an article's own
// (examples and passages), or an intent's phrasings. Scoring a group
// against a question then visits only the group's distinct features, and
// the postings of those the question has, instead of every non-zero of
// every unit: a question has a few dozen features, a group thousands of
// non-zeros.
//
// Each unit's score sums its terms in increasing feature id, as
// sparse.dot does: the scores are the same to the last bit. An article's
// index is where its units' vectors are kept once the matcher is built
// (see dropUnits): it takes little more room than they did.
type unitIndex struct {
	feats []int32  // the group's distinct feature ids, sorted
	off   []uint32 // feats[i]'s postings are unit[off[i]:off[i+1]], w[...]
	unit  []uint16 // position of the unit in the group
	w     []float32
	// dot is set for a group too large for the index (more than 65,535
	// units, or a unit of as many features): it is scored unit by unit.
	dot bool
}

// newUnitIndex indexes units[group[i]] for every i.
func newUnitIndex(units []sparse, group []int32) unitIndex {
	n := 0
	for _, u := range group {
		if len(units[u].ids) > math.MaxUint16 {
			return unitIndex{dot: true}
		}
		n += len(units[u].ids)
	}
	if len(group) > math.MaxUint16 {
		return unitIndex{dot: true}
	}
	if n == 0 {
		return unitIndex{}
	}
	// Feature, unit and position packed in one integer: sorting them
	// groups each feature's postings in unit order.
	keys := make([]uint64, 0, n)
	for i, u := range group {
		for k, id := range units[u].ids {
			keys = append(keys, uint64(id)<<32|uint64(i)<<16|uint64(k))
		}
	}
	slices.Sort(keys)
	distinct := 0
	for j, key := range keys {
		if j == 0 || key>>32 != keys[j-1]>>32 {
			distinct++
		}
	}
	x := unitIndex{feats: make([]int32, 0, distinct), off: make([]uint32, 0, distinct+1),
		unit: make([]uint16, n), w: make([]float32, n)}
	for j, key := range keys {
		id, i, k := int32(key>>32), uint16(key>>16), int(key&math.MaxUint16)
		if j == 0 || key>>32 != keys[j-1]>>32 {
			x.feats = append(x.feats, id)
			x.off = append(x.off, uint32(j))
		}
		x.unit[j], x.w[j] = i, units[group[i]].w[k]
	}
	x.off = append(x.off, uint32(n))
	return x
}

// score sets acc[i] to the dot product of the group's i-th unit with the
// query, whose features are set in bits and whose weights are in dense;
// acc holds at least len(group) scores.
func (x *unitIndex) score(acc []float32, units []sparse, group []int32, bits []uint64, dense []float32) {
	acc = acc[:len(group)]
	if x.dot {
		for i, u := range group {
			acc[i] = units[u].dot(dense)
		}
		return
	}
	clear(acc)
	for i, id := range x.feats {
		if bits[id>>6]&(1<<(id&63)) == 0 {
			continue
		}
		q := dense[id]
		for k := x.off[i]; k < x.off[i+1]; k++ {
			acc[x.unit[k]] += x.w[k] * q
		}
	}
}

// dotIn is s.dot(dense) for a dense vector whose non-zeros are set in
// bits: it reads dense only there, so that a long vector costs a scan of
// its ids and a bitset small enough to stay in cache.
func (s sparse) dotIn(bits []uint64, dense []float32) float32 {
	var sum float32
	for i, id := range s.ids {
		if bits[id>>6]&(1<<(id&63)) != 0 {
			sum += s.w[i] * dense[id]
		}
	}
	return sum
}

// indexUnits builds the inverted index of every article's units and every
// intent's phrasings.
func (m *Matcher) indexUnits() {
	m.docIdx = make([]unitIndex, len(m.docUnits))
	parallel(len(m.docUnits), func(d int) { m.docIdx[d] = newUnitIndex(m.units, m.docUnits[d]) })
	m.indexIntentUnits()
}

// indexIntentUnits builds the inverted indexes of the intents' phrasings.
func (m *Matcher) indexIntentUnits() {
	m.intentIdx = make([]unitIndex, len(m.intentUnits))
	for in, us := range m.intentUnits {
		m.intentIdx[in] = newUnitIndex(m.units, us)
	}
}

// vectors rebuilds the group's n unit vectors from the index.
func (x *unitIndex) vectors(n int) []sparse {
	count := make([]int, n)
	for _, i := range x.unit {
		count[i]++
	}
	out := make([]sparse, n)
	for i, c := range count {
		out[i] = sparse{make([]int32, 0, c), make([]float32, 0, c)}
	}
	for f, id := range x.feats {
		for k := x.off[f]; k < x.off[f+1]; k++ {
			v := &out[x.unit[k]]
			v.ids, v.w = append(v.ids, id), append(v.w, x.w[k])
		}
	}
	return out
}

// dropUnits frees the vectors of the articles' units, which their index
// holds (unitVec rebuilds them), keeping in storage of their own those of
// the intents' phrasings and of the groups scored unit by unit.
func (m *Matcher) dropUnits() {
	for u, v := range m.units {
		if d := m.unitDoc[u]; d >= 0 && !m.docIdx[d].dot {
			m.units[u] = sparse{}
			continue
		}
		m.units[u] = sparse{slices.Clone(v.ids), slices.Clone(v.w)}
	}
}

// unitVec returns unit u's vector.
func (m *Matcher) unitVec(u int) sparse {
	d := m.unitDoc[u]
	if d < 0 || len(m.units[u].ids) > 0 || m.docIdx[d].dot {
		return m.units[u]
	}
	i, ok := slices.BinarySearch(m.docUnits[d], int32(u))
	if !ok {
		return sparse{} // of an article an update removed
	}
	return m.docIdx[d].vectors(len(m.docUnits[d]))[i]
}

// unitVecs returns every unit's vector, the articles' rebuilt.
func (m *Matcher) unitVecs() []sparse {
	out := slices.Clone(m.units)
	for d, us := range m.docUnits {
		if m.docIdx[d].dot {
			continue
		}
		for i, v := range m.docIdx[d].vectors(len(us)) {
			if len(out[us[i]].ids) == 0 {
				out[us[i]] = v
			}
		}
	}
	return out
}
