package server

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/guichet/guichet/reports"
)

// chartSeries is one coloured part of the bars of a chart.
type chartSeries struct {
	Label, Class string // Class is s0…s3, coloured by reports.css
	Values       []int64
}

// Chart geometry, in SVG user units (the SVG scales to its box).
const (
	chartW, chartH             = 720, 260
	chartLeft, chartRight      = 48, 8
	chartTop, chartBottom      = 12, 40
	chartPlotW, chartPlotH     = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
	maxBars                    = 92 // beyond, days are grouped by week
	chartLegendRow, chartTicks = 18, 4
)

// timeChart is a stacked bar chart of series over the report's days, by
// week when the range is long.
func timeChart(id, title, desc string, days []reports.Day, series []chartSeries) reportChart {
	step := 1
	if len(days) > maxBars {
		step = 7
	}
	var labels []string
	grouped := make([]chartSeries, len(series))
	for i, s := range series {
		grouped[i] = chartSeries{Label: s.Label, Class: s.Class}
	}
	// Weeks are counted back from the last day, so that the latest week
	// is whole; the first may be shorter.
	first := len(days) % step
	for start := 0; start < len(days); {
		end := start + step
		if start == 0 && first > 0 {
			end = first
		}
		end = min(end, len(days))
		label := shortDay(days[start].Date)
		if end-start > 1 {
			label = "du " + label + " au " + shortDay(days[end-1].Date)
		}
		labels = append(labels, label)
		for i, s := range series {
			var n int64
			for _, v := range s.Values[start:end] {
				n += v
			}
			grouped[i].Values = append(grouped[i].Values, n)
		}
		start = end
	}
	if step > 1 {
		title += " (par semaine)"
	}
	return barChart(id, title, desc, labels, grouped)
}

func shortDay(d time.Time) string { return d.Format("02/01/2006") }

// barChart draws stacked bars, one per label, as accessible SVG: a title
// and a description, and each bar's figures in its own title (the table
// beside the chart is the text alternative).
func barChart(id, title, desc string, labels []string, series []chartSeries) reportChart {
	var top int64
	totals := make([]int64, len(labels))
	for i := range labels {
		for _, s := range series {
			totals[i] += max(s.Values[i], 0)
		}
		top = max(top, totals[i])
	}
	scale := niceMax(top)
	legendH := chartLegendRow * ((len(series) + 2) / 3)
	h := chartH + legendH
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg class="chart" id="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" xmlns="http://www.w3.org/2000/svg">`, id, chartW, h, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(title), id, esc(desc))
	// Grid and y axis.
	for i := 0; i <= chartTicks; i++ {
		v := scale * int64(i) / chartTicks
		y := chartTop + chartPlotH - float64(chartPlotH)*float64(i)/chartTicks
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, chartLeft, chartW-chartRight, y, y)
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%.1f" text-anchor="end">%s</text>`, chartLeft-6, y+4, number(v))
	}
	n := max(len(labels), 1)
	slot := float64(chartPlotW) / float64(n)
	barW := max(slot*0.7, 1)
	every := max(1, (n+9)/10) // at most about 10 labels on the x axis
	for i, label := range labels {
		x := chartLeft + slot*float64(i) + (slot-barW)/2
		y := float64(chartTop + chartPlotH)
		var parts []string
		for _, s := range series {
			v := max(s.Values[i], 0)
			parts = append(parts, s.Label+" : "+number(v))
			if v == 0 || scale == 0 {
				continue
			}
			hgt := float64(chartPlotH) * float64(v) / float64(scale)
			y -= hgt
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s — %s : %s</title></rect>`,
				s.Class, x, y, barW, hgt, esc(label), esc(s.Label), number(v))
		}
		if len(series) > 1 {
			fmt.Fprintf(&b, `<rect class="hit" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s — %s</title></rect>`,
				chartLeft+slot*float64(i), chartTop, slot, chartPlotH, esc(label), esc(strings.Join(parts, ", ")))
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+barW/2, chartTop+chartPlotH+16, esc(axisLabel(label)))
		}
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>`, chartLeft, chartW-chartRight, chartTop+chartPlotH, chartTop+chartPlotH)
	// Legend.
	for i, s := range series {
		x := chartLeft + (i%3)*220
		y := chartH + (i/3)*chartLegendRow - 8
		fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%d" width="12" height="12"/><text class="legend" x="%d" y="%d">%s</text>`, s.Class, x, y-10, x+18, y, esc(s.Label))
	}
	b.WriteString(`</svg>`)
	data := &reportTable{ID: id, Caption: "Données : " + strings.ToLower(title[:1]) + title[1:], Head: []string{"Période"}}
	for _, s := range series {
		data.Head = append(data.Head, s.Label)
	}
	for i, label := range labels {
		row := []string{label}
		for _, s := range series {
			row = append(row, number(s.Values[i]))
		}
		data.Rows = append(data.Rows, row)
	}
	return reportChart{Caption: title, SVG: template.HTML(b.String()), Data: data}
}

// axisLabel is what the x axis shows of a bar's label: its first day,
// without the year (« 1/12 »).
func axisLabel(label string) string {
	if rest, ok := strings.CutPrefix(label, "du "); ok {
		label, _, _ = strings.Cut(rest, " ")
	}
	if d, err := time.Parse("02/01/2006", label); err == nil {
		return fmt.Sprintf("%d/%02d", d.Day(), int(d.Month()))
	}
	return label
}

// niceMax rounds the top of the y axis up to 1, 2 or 5 times a power of
// ten, times the ticks, so that ticks are round numbers.
func niceMax(top int64) int64 {
	if top <= chartTicks {
		return chartTicks
	}
	step := (top + chartTicks - 1) / chartTicks
	p := int64(1)
	for p*10 <= step {
		p *= 10
	}
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= step {
			return m * p * chartTicks
		}
	}
	return step * chartTicks
}
