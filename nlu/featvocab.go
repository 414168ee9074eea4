package nlu

import (
	"math"
	"slices"
	"strings"
	"sync"
)

// bag is the raw features of one text (see featureCounts): ids of a
// featVocab, increasing once the vocabulary is finished, and how many
// times each occurs, nil when each occurs once (most titles, examples
// and sentences). A knowledge base's analysis keeps one per title,
// example, passage and body: int32 ids rather than string-keyed maps,
// which took most of the memory of a large build.
type bag struct {
	ids []int32
	n   []uint32
}

// weight is the raw weight of the i-th feature, as features gives it.
func (b bag) weight(i int) float64 {
	if b.n == nil {
		return 1 // 1 + ln 1
	}
	return 1 + math.Log(float64(b.n[i]))
}

// featVocab interns feature names while a knowledge base is analysed, on
// every core. Ids are provisional until finish numbers the names in sorted
// order: the same content then gets the same ids whatever the schedule,
// and increasing ids follow the names' order, in which vectors sum their
// terms (see Matcher.vector).
type featVocab struct {
	mu    sync.Mutex
	ids   map[string]int32
	names []string // id -> name
}

func newFeatVocab() *featVocab { return &featVocab{ids: map[string]int32{}} }

// bags interns the features of several texts at once, under one lock.
func (v *featVocab) bags(texts []map[string]int) []bag {
	out := make([]bag, len(texts))
	v.mu.Lock()
	defer v.mu.Unlock()
	for i, fs := range texts {
		b := bag{ids: make([]int32, 0, len(fs)), n: make([]uint32, 0, len(fs))}
		ones := true
		for f, c := range fs {
			id, ok := v.ids[f]
			if !ok {
				f = strings.Clone(f) // not the text's whole buffer (see featureCounts)
				id = int32(len(v.names))
				v.ids[f] = id
				v.names = append(v.names, f)
			}
			b.ids = append(b.ids, id)
			b.n = append(b.n, uint32(c))
			ones = ones && c == 1
		}
		if ones {
			b.n = nil
		}
		out[i] = b
	}
	return out
}

// intern adds names to the vocabulary.
func (v *featVocab) intern(names []string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, f := range names {
		if _, ok := v.ids[f]; !ok {
			f = strings.Clone(f)
			v.ids[f] = int32(len(v.names))
			v.names = append(v.names, f)
		}
	}
}

// finish numbers the names in sorted order and renumbers the bags, each
// sorted by id.
func (v *featVocab) finish(groups ...[]bag) {
	order := make([]int32, len(v.names)) // new id -> old id
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		switch x, y := v.names[a], v.names[b]; {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	renum := make([]int32, len(order)) // old id -> new id
	names := make([]string, len(order))
	for id, old := range order {
		renum[old] = int32(id)
		names[id] = v.names[old]
		v.ids[names[id]] = int32(id)
	}
	v.names = names
	for _, g := range groups {
		parallel(len(g), func(i int) { g[i].renumber(renum) })
	}
}

// renumber maps b's ids through renum and sorts them.
func (b bag) renumber(renum []int32) {
	for i, id := range b.ids {
		b.ids[i] = renum[id]
	}
	sortByID(b.ids, b.n)
}
