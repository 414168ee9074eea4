package nlu

import (
	"math"
	"slices"
)

// objective gives a smooth convex function's value at x and, with grads,
// its gradient and Hessian (or a positive part of it).
type objective func(x []float64, grads bool) (f float64, g []float64, h [][]float64)

// newton minimises f from x by Newton's method: a few steps reach the
// optimum that thousands of gradient steps approach. Each step is halved
// until f goes down, so that a nearly separable sample, which has no
// finite optimum but for the pull of a small L2, cannot throw the weights
// far past it.
func newton(x []float64, iters int, f objective) []float64 {
	x = slices.Clone(x)
	try := make([]float64, len(x))
	for range iters {
		cur, g, h := f(x, true)
		for k := range h {
			h[k][k] += 1e-9 // keeps the system solvable
		}
		step, ok := solve(h, g)
		if !ok {
			break
		}
		t, moved := 1.0, 0.0
		for ; t > 1e-6; t /= 2 {
			for k := range x {
				try[k] = x[k] - t*step[k]
			}
			if v, _, _ := f(try, false); v <= cur {
				break
			}
		}
		if t <= 1e-6 {
			break
		}
		for k := range x {
			moved = max(moved, math.Abs(x[k]-try[k]))
			x[k] = try[k]
		}
		if moved < 1e-9 {
			break
		}
	}
	return x
}

// square returns an n×n matrix of zeros.
func square(n int) [][]float64 {
	h := make([][]float64, n)
	for k := range h {
		h[k] = make([]float64, n)
	}
	return h
}

// softplus is log(1+e^z), without overflow.
func softplus(z float64) float64 {
	if z > 30 {
		return z
	}
	return math.Log1p(math.Exp(z))
}

// solve returns x with a·x = b by Gaussian elimination with partial
// pivoting, and false when a is singular. It works on copies.
func solve(a [][]float64, b []float64) ([]float64, bool) {
	n := len(b)
	a = slices.Clone(a)
	for i := range a {
		a[i] = slices.Clone(a[i])
	}
	b = slices.Clone(b)
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-15 {
			return nil, false
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < n; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < n; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		sum := b[r]
		for k := r + 1; k < n; k++ {
			sum -= a[r][k] * x[k]
		}
		x[r] = sum / a[r][r]
	}
	return x, true
}
