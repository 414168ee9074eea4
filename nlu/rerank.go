package nlu

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// The evidence behind a candidate's score (Candidate.feat).
const (
	fScore   = iota // the fixed blend: Max*(best unit + Next*next) + Centroid*model
	fExample        // its best title or example question
	fPassage        // its best sentence of the answer
	fLibrary        // its intents' best phrasing
	fModel          // its trained model
	fNext           // the mean of its second and third best units
	fCover          // the share of the question it covers (see cover)
	fCoverQ         // the share its questions cover
	nRerank
)

// rerank weighs a candidate's evidence into its score, learnt for each
// knowledge base from the questions calibration asks: the score is the
// fixed blend times exp(Σ r[k]·evidence k). A shop whose customers' words
// are in its answers more than in its example questions trusts the
// passages more, one whose examples cover the questions trusts them. The
// zero value keeps the fixed blend.
type rerank [nRerank]float64

func (r *rerank) apply(c []Candidate) {
	if *r == (rerank{}) {
		return
	}
	for i := range c {
		c[i].Score = c[i].feat[fScore] * math.Exp(r.correction(&c[i].feat))
	}
	slices.SortFunc(c, byScore)
}

// byScore orders candidates best first, then by id.
func byScore(a, b Candidate) int {
	if a.Score != b.Score {
		return cmp.Compare(b.Score, a.Score)
	}
	return strings.Compare(a.ID, b.ID)
}

func (r *rerank) correction(x *[nRerank]float64) float64 {
	z := 0.0
	for k := fExample; k < nRerank; k++ {
		z += r[k] * x[k]
	}
	return z
}

// asked is a question calibration asked a matcher, with what it answered
// (its best dozen candidates and their evidence), and the right articles.
type asked struct {
	cands         []Candidate
	right         []int32
	known         float64
	knownN        int
	off, question bool // off topic; an example question left out
}

// rerankMin is how many left-out questions with the right article among
// the candidates a knowledge base needs before its evidence is reweighed.
const rerankMin = 40

// fitRerank learns the weights of the evidence from the left-out example
// questions whose right article was scored: a conditional logit over each
// question's candidates, log(fixed blend) plus the evidence, pulled
// towards the fixed blend by l2. With too few questions it keeps the
// fixed blend.
func fitRerank(data []asked, l2 float64) rerank {
	type q struct {
		x     [][nRerank]float64 // log blend, then the evidence
		right []bool
	}
	var qs []q
	for _, a := range data {
		if a.off || !a.question || len(a.cands) < 2 {
			continue
		}
		x := make([][nRerank]float64, len(a.cands))
		right := make([]bool, len(a.cands))
		found := false
		for i, c := range a.cands {
			x[i] = c.feat
			x[i][fScore] = math.Log(c.feat[fScore])
			right[i] = slices.Contains(a.right, c.doc)
			found = found || right[i]
		}
		if found {
			qs = append(qs, q{x, right})
		}
	}
	if len(qs) < rerankMin {
		return rerank{}
	}
	// The mean negative log-likelihood of the right candidates, with the
	// Hessian's positive part (the candidates' covariance), pulled
	// towards prior; the first dims weights move, the others stay 0.
	nll := func(dims int, prior []float64) objective {
		return func(th []float64, grads bool) (float64, []float64, [][]float64) {
			var f float64
			var g []float64
			var h [][]float64
			if grads {
				g, h = make([]float64, dims), square(dims)
			}
			z := make([]float64, 0, calibExact)
			for _, q := range qs {
				z = z[:0]
				top := math.Inf(-1)
				for _, x := range q.x {
					v := 0.0
					for k := range dims {
						v += th[k] * x[k]
					}
					z = append(z, v)
					top = max(top, v)
				}
				var sum, sumR float64
				for i := range z {
					z[i] = math.Exp(z[i] - top)
					sum += z[i]
					if q.right[i] {
						sumR += z[i]
					}
				}
				f -= math.Log(sumR / sum)
				if !grads {
					continue
				}
				var mean [nRerank]float64
				for i, x := range q.x {
					p, r := z[i]/sum, 0.0
					if q.right[i] {
						r = z[i] / sumR
					}
					for k := range dims {
						g[k] += (p - r) * x[k]
						mean[k] += p * x[k]
					}
				}
				for i, x := range q.x {
					p := z[i] / sum
					for k := range dims {
						for l := range dims {
							h[k][l] += p * (x[k] - mean[k]) * (x[l] - mean[l])
						}
					}
				}
			}
			n := float64(len(qs))
			f /= n
			for k := range dims {
				f += l2 / 2 * (th[k] - prior[k]) * (th[k] - prior[k])
				if grads {
					g[k] = g[k]/n + l2*(th[k]-prior[k])
					for l := range dims {
						h[k][l] /= n
					}
					h[k][k] += l2
				}
			}
			return f, g, h
		}
	}
	// The weight of the blend starts where it alone fits best, then all
	// move, pulled towards that.
	blend := newton([]float64{1}, 50, nll(1, []float64{0}))
	if blend[0] <= 0 {
		return rerank{}
	}
	prior := make([]float64, nRerank)
	prior[fScore] = blend[0]
	th := newton(prior, 50, nll(nRerank, prior))
	if th[fScore] <= 0 {
		return rerank{}
	}
	var r rerank
	for k := fExample; k < nRerank; k++ {
		r[k] = th[k] / th[fScore]
	}
	return r
}

// calibration turns what was asked, reweighed by r, into the observations
// the calibration is fitted on.
func calibration(data []asked, r rerank) []obs {
	out := make([]obs, 0, len(data))
	for _, a := range data {
		c := slices.Clone(a.cands)
		r.apply(c)
		if len(c) > 3 {
			c = c[:3]
		}
		o := obs{x: calibFeatures(c, a.known, a.knownN), off: a.off}
		for i, x := range c {
			if slices.Contains(a.right, x.doc) {
				o.any3 = 1
				if i == 0 {
					o.top = 1
				}
			}
		}
		out = append(out, o)
	}
	return out
}
