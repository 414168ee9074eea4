package nlu

import (
	"math"
	"testing"
)

// TestCalibrationOfSeparableQuestions: when the best score alone tells
// right from wrong, as with a knowledge base whose example questions are
// all alike, Newton's method has no finite optimum but for the L2 pull;
// its steps must not throw the weights out so far that every question
// comes out sure, or none.
func TestCalibrationOfSeparableQuestions(t *testing.T) {
	var data []obs
	for i := range 200 {
		s := 0.2 + 0.6*float64(i%20)/19
		o := obs{x: [nCalib]float64{s, s / 2, 0.5, 1, 1, 0.8}}
		if s > 0.5 {
			o.top, o.any3 = 1, 1
		}
		data = append(data, o)
	}
	for _, l2 := range []float64{0, 0.001} {
		w := DefaultWeights
		w.L2 = l2
		calib, scope := fitCalibration(data, w)
		for _, l := range []logistic{calib, scope} {
			for _, v := range l {
				if math.IsNaN(v) || math.Abs(v) > 1e4 {
					t.Fatalf("L2 %v: weights %v thrown out", l2, l)
				}
			}
		}
		sure := calib.predict([nCalib]float64{0.8, 0.4, 0.5, 1, 1, 0.8})
		unsure := calib.predict([nCalib]float64{0.25, 0.125, 0.5, 1, 1, 0.8})
		if sure < 0.9 || unsure > 0.1 {
			t.Errorf("L2 %v: confidence %.3f for a high score, %.3f for a low one", l2, sure, unsure)
		}
	}
}

func TestNewtonMinimises(t *testing.T) {
	// (x-3)² + (y+1)², from far away.
	f := func(x []float64, grads bool) (float64, []float64, [][]float64) {
		v := (x[0]-3)*(x[0]-3) + (x[1]+1)*(x[1]+1)
		if !grads {
			return v, nil, nil
		}
		return v, []float64{2 * (x[0] - 3), 2 * (x[1] + 1)}, [][]float64{{2, 0}, {0, 2}}
	}
	got := newton([]float64{100, 100}, 10, f)
	if math.Abs(got[0]-3) > 1e-6 || math.Abs(got[1]+1) > 1e-6 {
		t.Errorf("newton = %v, want [3 -1]", got)
	}
}
