package editor

import "strings"

// Op says what a diff line is.
type Op byte

// The kinds of diff lines.
const (
	Same    Op = '='
	Added   Op = '+'
	Removed Op = '-'
	// Skipped stands for unchanged lines left out by Compact.
	Skipped Op = '~'
)

// Line is one line of a diff.
type Line struct {
	Op   Op
	Text string
}

// maxDiffCells bounds the table Diff fills (lines of a × lines of b): an
// article is a few hundred lines; beyond, the diff is the whole old text
// removed and the new one added.
const maxDiffCells = 4 << 20

// Diff compares two texts line by line (longest common subsequence), the
// way an editor reads « what changed ».
func Diff(a, b string) []Line {
	x, y := lines(a), lines(b)
	if len(x)*len(y) > maxDiffCells {
		var out []Line
		for _, l := range x {
			out = append(out, Line{Removed, l})
		}
		for _, l := range y {
			out = append(out, Line{Added, l})
		}
		return out
	}
	// lcs[i][j] is the length of the common subsequence of x[i:] and y[j:].
	w := len(y) + 1
	lcs := make([]int, (len(x)+1)*w)
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	var out []Line
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			out = append(out, Line{Same, x[i]})
			i, j = i+1, j+1
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			out = append(out, Line{Removed, x[i]})
			i++
		default:
			out = append(out, Line{Added, y[j]})
			j++
		}
	}
	for ; i < len(x); i++ {
		out = append(out, Line{Removed, x[i]})
	}
	for ; j < len(y); j++ {
		out = append(out, Line{Added, y[j]})
	}
	return out
}

// Compact keeps the changed lines and context unchanged lines around
// each; every run left out becomes one Skipped line.
func Compact(d []Line, context int) []Line {
	keep := make([]bool, len(d))
	for i, l := range d {
		if l.Op != Same {
			for k := max(0, i-context); k <= min(len(d)-1, i+context); k++ {
				keep[k] = true
			}
		}
	}
	var out []Line
	for i, l := range d {
		if keep[i] {
			out = append(out, l)
		} else if len(out) == 0 || out[len(out)-1].Op != Skipped {
			out = append(out, Line{Op: Skipped})
		}
	}
	return out
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
