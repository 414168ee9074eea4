package nlu

import (
	"bytes"
	"reflect"
	"runtime"
	"testing"
)

// The features are interned on every core, yet the same docs always build
// the same matcher, to the last byte of its saved form: ids that followed
// the schedule would change the saved matcher and the eval figures from
// one start to the next.
func TestMatcherSameWhateverTheSchedule(t *testing.T) {
	docs := append([]Doc{}, shopDocs...)
	for i := range 40 { // enough articles for the workers to interleave
		d := shopDocs[i%len(shopDocs)]
		d.ID += "-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		docs = append(docs, d)
	}
	saved := func(procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var buf bytes.Buffer
		if _, err := NewMatcher(docs, DefaultWeights).WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	one := saved(1)
	for _, procs := range []int{4} {
		if !bytes.Equal(saved(procs), one) {
			t.Errorf("matcher built on %d cores differs from the one built on one", procs)
		}
	}
}

// A question worded exactly as an example gets the example's vector, to
// the last bit: the build weighs interned features as a question's are
// weighed.
func TestExampleVectorAsQuestion(t *testing.T) {
	m := NewMatcher(shopDocs, DefaultWeights)
	for d, doc := range shopDocs {
		texts := append([]string{doc.Title}, doc.Questions...)
		for i, u := range m.docUnits[d] {
			if int(u) >= m.examples || i >= len(texts) {
				break
			}
			want := m.vector(features(Analyze(texts[i]))).sparse()
			if got := m.unitVec(int(u)); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: unit of %q = %v, as a question %v", doc.ID, texts[i], got, want)
			}
		}
	}
}
