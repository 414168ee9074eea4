package nlu

import (
	"testing"
)

// questions makes n left-out questions with two candidates: the right
// article (0) a little behind on the fixed blend but covering the
// question, and a neighbour ahead on the blend that covers little of it.
func questions(n int) []asked {
	var data []asked
	for i := range n {
		right := Candidate{ID: "retour", doc: 0, feat: [nRerank]float64{fScore: 0.40, fCover: 0.9}}
		other := Candidate{ID: "echange", doc: 1, feat: [nRerank]float64{fScore: 0.45, fCover: 0.2}}
		if i%4 == 0 { // now and then the blend is right
			right.feat[fScore], other.feat[fScore] = 0.5, 0.3
		}
		right.Score, other.Score = right.feat[fScore], other.feat[fScore]
		data = append(data, asked{cands: []Candidate{other, right}, right: []int32{0}, question: true})
	}
	return data
}

func TestRerank(t *testing.T) {
	tests := []struct {
		name      string
		data      []asked
		wantFirst string // after reweighing a question the blend gets wrong
		wantZero  bool
	}{
		{"learns what the left-out questions show", questions(200), "retour", false},
		{"keeps the blend with too few questions", questions(rerankMin - 1), "echange", true},
		{"ignores the intents' phrasings and off-topic questions", func() []asked {
			d := questions(200)
			for i := range d {
				d[i].question, d[i].off = false, i%2 == 1
			}
			return d
		}(), "echange", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fitRerank(tt.data, 0.007)
			if (r == rerank{}) != tt.wantZero {
				t.Fatalf("weights %v, want zero: %v", r, tt.wantZero)
			}
			c := questions(2)[1].cands // a question the blend gets wrong
			r.apply(c)
			if c[0].ID != tt.wantFirst {
				t.Errorf("first %s (%v), want %s", c[0].ID, c, tt.wantFirst)
			}
			if c[0].Score <= 0 || c[1].Score <= 0 {
				t.Errorf("scores %v: a reweighed score stays positive, so that shares of the best still mean something", c)
			}
		})
	}
}

// TestCalibrationOfReweighedScores: calibration sees the candidates in
// the order the reranker gives, with their cover.
func TestCalibrationOfReweighedScores(t *testing.T) {
	data := questions(200)
	r := fitRerank(data, 0.007)
	got := calibration(data[1:2], r)[0]
	if got.top != 1 || got.any3 != 1 {
		t.Errorf("top %v any3 %v: the reweighed first is the right article", got.top, got.any3)
	}
	if got.x[5] != 0.9 {
		t.Errorf("cover %v, want the right article's 0.9", got.x[5])
	}
	if plain := calibration(data[1:2], rerank{})[0]; plain.top != 0 || plain.any3 != 1 {
		t.Errorf("without reweighing: top %v any3 %v, want 0 and 1", plain.top, plain.any3)
	}
}
