package nlu

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
)

// formatVersion changes whenever what WriteTo writes, or how a matcher is
// built from the same docs, changes: a saved matcher of another version is
// never read.
const formatVersion = 3

// WriteTo writes the matcher, so that ReadMatcher can load it instead of
// building it again. Only a matcher built by NewMatcher can be written; an
// updated one is not (it is on its way to being rebuilt).
func (m *Matcher) WriteTo(w io.Writer) (int64, error) {
	if m.updated {
		return 0, errors.New("write matcher: an updated matcher is not written")
	}
	cw := &countWriter{w: w}
	b := &binWriter{w: bufio.NewWriterSize(cw, 1<<20)}
	b.uvarint(formatVersion)
	wv := reflect.ValueOf(m.w)
	b.uvarint(uint64(wv.NumField()))
	for i := range wv.NumField() {
		f := wv.Field(i)
		if f.Kind() == reflect.Int {
			b.f64(float64(f.Int()))
		} else {
			b.f64(f.Float())
		}
	}
	b.uvarint(uint64(len(m.docs)))
	for _, d := range m.docs {
		b.str(d.ID)
	}
	names := make([]string, len(m.idf))
	for f, id := range m.feats {
		names[id] = f
	}
	b.uvarint(uint64(len(names)))
	for _, f := range names {
		b.str(f)
	}
	b.float32s(m.idf)
	b.f64(float64(m.maxIDF))
	for _, l := range []logistic{m.calib, m.scope} {
		for _, x := range l {
			b.f64(x)
		}
	}
	for _, x := range m.rerank {
		b.f64(x)
	}
	b.uvarint(uint64(len(m.lib)))
	for _, in := range m.lib {
		b.str(in.ID)
	}
	b.sparses(m.models)
	b.sparses(m.unitVecs())
	b.float32s(m.unitW)
	b.int32s(m.unitDoc)
	b.int32s(m.unitIntent)
	b.uvarint(uint64(m.examples))
	b.uvarint(uint64(m.libStart))
	b.uvarint(uint64(len(m.docIntents)))
	for _, ins := range m.docIntents {
		b.int32s(ins)
	}
	words := slices.Sorted(maps.Keys(m.vocab.words))
	b.uvarint(uint64(len(words)))
	for _, w := range words {
		b.str(w)
		b.uvarint(uint64(m.vocab.words[w]))
	}
	for _, set := range []map[string]bool{m.vocab.also, m.vocab.stems} {
		keys := slices.Sorted(maps.Keys(set))
		b.uvarint(uint64(len(keys)))
		for _, k := range keys {
			b.str(k)
		}
	}
	if b.err == nil {
		b.err = b.w.Flush()
	}
	if b.err != nil {
		return cw.n, fmt.Errorf("write matcher: %w", b.err)
	}
	return cw.n, nil
}

// ReadMatcher loads a matcher written by WriteTo for docs, the same docs in
// the same order it was built from, with the same weights; it fails when
// what it reads was not.
func ReadMatcher(r io.Reader, docs []Doc, w Weights) (*Matcher, error) {
	m, err := readMatcher(&binReader{r: bufio.NewReaderSize(r, 1<<20)}, docs, w)
	if err != nil {
		return nil, fmt.Errorf("read matcher: %w", err)
	}
	return m, nil
}

func readMatcher(b *binReader, docs []Doc, w Weights) (*Matcher, error) {
	if v := b.uvarint(); b.err == nil && v != formatVersion {
		return nil, fmt.Errorf("format %d, want %d", v, formatVersion)
	}
	wv := reflect.ValueOf(w)
	if n := b.uvarint(); b.err == nil && n != uint64(wv.NumField()) {
		return nil, errors.New("other weights")
	}
	for i := range wv.NumField() {
		x, f := b.f64(), wv.Field(i)
		if (f.Kind() == reflect.Int && x != float64(f.Int())) || (f.Kind() == reflect.Float64 && x != f.Float()) {
			return nil, errors.New("other weights")
		}
	}
	n := b.count()
	if b.err == nil && n != len(docs) {
		return nil, errors.New("other articles")
	}
	for i := 0; i < n && b.err == nil; i++ {
		if id := b.str(); b.err == nil && id != docs[i].ID {
			return nil, errors.New("other articles")
		}
	}
	m := &Matcher{w: w, docs: docs}
	nf := b.count()
	m.feats = make(map[string]int32, nf)
	m.family = make([]byte, 0, nf)
	m.concepts = map[string]bool{}
	for i := 0; i < nf && b.err == nil; i++ {
		f := b.str()
		if f == "" {
			return nil, errors.New("empty feature")
		}
		m.feats[f] = int32(i)
		m.family = append(m.family, f[0])
		if c, ok := strings.CutPrefix(f, "c:"); ok {
			m.concepts[c] = true
		}
	}
	m.idf = b.float32s()
	m.maxIDF = float32(b.f64())
	for _, l := range []*logistic{&m.calib, &m.scope} {
		for i := range l {
			l[i] = b.f64()
		}
	}
	for i := range m.rerank {
		m.rerank[i] = b.f64()
	}
	if nl := b.count(); b.err == nil {
		if w.Library > 0 {
			m.lib = Library()
		}
		if nl != len(m.lib) {
			return nil, errors.New("other intent library")
		}
		for _, in := range m.lib {
			if id := b.str(); b.err == nil && id != in.ID {
				return nil, errors.New("other intent library")
			}
		}
	}
	m.models = b.sparses()
	m.units = b.sparses()
	m.unitW = b.float32s()
	m.unitDoc = b.int32s()
	m.unitIntent = b.int32s()
	m.examples, m.libStart = b.count(), b.count()
	m.docIntents = make([][]int32, b.count())
	for d := range m.docIntents {
		m.docIntents[d] = b.int32s()
	}
	m.vocab = &speller{words: map[string]int{}, also: map[string]bool{}, stems: map[string]bool{}}
	for range b.count() {
		w := b.str()
		m.vocab.words[w] = b.count()
	}
	for _, set := range []map[string]bool{m.vocab.also, m.vocab.stems} {
		for range b.count() {
			set[b.str()] = true
		}
	}
	if b.err != nil {
		return nil, b.err
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	m.vocab.index()
	m.docUnits = make([][]int32, len(docs))
	m.intentDocs = make([][]int32, len(m.lib))
	m.intentUnits = make([][]int32, len(m.lib))
	for u, d := range m.unitDoc {
		if d >= 0 {
			m.docUnits[d] = append(m.docUnits[d], int32(u))
		} else {
			in := m.unitIntent[u-m.libStart]
			m.intentUnits[in] = append(m.intentUnits[in], int32(u))
		}
	}
	for d, ins := range m.docIntents {
		for _, in := range ins {
			m.intentDocs[in] = append(m.intentDocs[in], int32(d))
		}
	}
	m.indexUnits()
	m.dropUnits()
	m.index()
	return m, nil
}

// check verifies that every id read points where it may, so that a damaged
// file fails here rather than in a customer's turn.
func (m *Matcher) check() error {
	nf, nd, ni, nu := int32(len(m.idf)), int32(len(m.docs)), int32(len(m.lib)), len(m.units)
	if len(m.feats) != int(nf) || len(m.models) != int(nd) || len(m.docIntents) != int(nd) ||
		len(m.unitW) != nu || len(m.unitDoc) != nu || m.examples > m.libStart || m.libStart > nu ||
		len(m.unitIntent) != nu-m.libStart {
		return errors.New("inconsistent sizes")
	}
	for _, vs := range [][]sparse{m.models, m.units} {
		for _, v := range vs {
			if len(v.ids) != len(v.w) || slices.ContainsFunc(v.ids, func(id int32) bool { return id < 0 || id >= nf }) {
				return errors.New("feature out of range")
			}
		}
	}
	for u, d := range m.unitDoc {
		if d >= nd || (d < 0 && u < m.libStart) {
			return errors.New("article out of range")
		}
		if d < 0 {
			if in := m.unitIntent[u-m.libStart]; in < 0 || in >= ni {
				return errors.New("intent out of range")
			}
		}
	}
	for _, ins := range m.docIntents {
		if slices.ContainsFunc(ins, func(in int32) bool { return in < 0 || in >= ni }) {
			return errors.New("intent out of range")
		}
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// binWriter writes little-endian numbers and length-prefixed strings and
// slices, keeping the first error.
type binWriter struct {
	w   *bufio.Writer
	err error
	buf []byte
}

func (b *binWriter) write(p []byte) {
	if b.err == nil {
		_, b.err = b.w.Write(p)
	}
}

func (b *binWriter) uvarint(x uint64) { b.write(binary.AppendUvarint(b.buf[:0], x)) }

func (b *binWriter) f64(x float64) {
	b.write(binary.LittleEndian.AppendUint64(b.buf[:0], math.Float64bits(x)))
}

func (b *binWriter) str(s string) {
	b.uvarint(uint64(len(s)))
	if b.err == nil {
		_, b.err = b.w.WriteString(s)
	}
}

func (b *binWriter) int32s(v []int32) {
	b.uvarint(uint64(len(v)))
	for _, x := range v {
		b.buf = binary.LittleEndian.AppendUint32(b.buf[:0], uint32(x))
		b.write(b.buf)
	}
}

func (b *binWriter) float32s(v []float32) {
	b.uvarint(uint64(len(v)))
	for _, x := range v {
		b.buf = binary.LittleEndian.AppendUint32(b.buf[:0], math.Float32bits(x))
		b.write(b.buf)
	}
}

// sparses writes the vectors' lengths, then all their ids, then all their
// weights.
func (b *binWriter) sparses(vs []sparse) {
	lens := make([]int32, len(vs))
	total := 0
	for i, v := range vs {
		lens[i] = int32(len(v.ids))
		total += len(v.ids)
	}
	b.int32s(lens)
	b.uvarint(uint64(total))
	for _, v := range vs {
		b.raw32(v.ids, nil)
	}
	b.uvarint(uint64(total))
	for _, v := range vs {
		b.raw32(nil, v.w)
	}
}

// raw32 writes values without their length.
func (b *binWriter) raw32(ids []int32, w []float32) {
	for _, x := range ids {
		b.buf = binary.LittleEndian.AppendUint32(b.buf[:0], uint32(x))
		b.write(b.buf)
	}
	for _, x := range w {
		b.buf = binary.LittleEndian.AppendUint32(b.buf[:0], math.Float32bits(x))
		b.write(b.buf)
	}
}

// binReader reads what binWriter wrote, keeping the first error.
type binReader struct {
	r   *bufio.Reader
	err error
	buf [8]byte
}

// maxLen bounds a length read, so that a damaged file cannot ask for
// terabytes.
const maxLen = 1 << 31

func (b *binReader) uvarint() uint64 {
	if b.err != nil {
		return 0
	}
	x, err := binary.ReadUvarint(b.r)
	b.fail(err)
	return x
}

func (b *binReader) fail(err error) {
	if err != nil && b.err == nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		b.err = err
	}
}

func (b *binReader) count() int {
	x := b.uvarint()
	if x > maxLen {
		b.fail(errors.New("length out of range"))
		return 0
	}
	return int(x)
}

func (b *binReader) f64() float64 {
	if b.err != nil {
		return 0
	}
	_, err := io.ReadFull(b.r, b.buf[:8])
	b.fail(err)
	return math.Float64frombits(binary.LittleEndian.Uint64(b.buf[:8]))
}

func (b *binReader) str() string {
	n := b.count()
	if b.err != nil {
		return ""
	}
	p := make([]byte, n)
	_, err := io.ReadFull(b.r, p)
	b.fail(err)
	return string(p)
}

// raw reads n 4-byte values.
func (b *binReader) raw(n int) []byte {
	if b.err != nil {
		return nil
	}
	p := make([]byte, 4*n)
	_, err := io.ReadFull(b.r, p)
	b.fail(err)
	return p
}

func (b *binReader) int32s() []int32 {
	n := b.count()
	p := b.raw(n)
	if b.err != nil || n == 0 {
		return nil
	}
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(binary.LittleEndian.Uint32(p[4*i:]))
	}
	return v
}

func (b *binReader) float32s() []float32 {
	n := b.count()
	p := b.raw(n)
	if b.err != nil || n == 0 {
		return nil
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
	}
	return v
}

// sparses reads what binWriter.sparses wrote; the vectors share two
// arrays.
func (b *binReader) sparses() []sparse {
	lens := b.int32s()
	ids, w := b.int32s(), b.float32s()
	if b.err != nil {
		return nil
	}
	out := make([]sparse, len(lens))
	at := 0
	for i, n := range lens {
		if n < 0 || at+int(n) > len(ids) || len(w) != len(ids) {
			b.fail(errors.New("vectors out of range"))
			return nil
		}
		out[i] = sparse{ids[at : at+int(n) : at+int(n)], w[at : at+int(n) : at+int(n)]}
		at += int(n)
	}
	return out
}
