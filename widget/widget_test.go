package widget

import (
	"bytes"
	"compress/gzip"
	"testing"
)

// The widget loads on every page of the shop: it must stay light.
func TestSize(t *testing.T) {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	w.Write(JS)
	w.Close()
	const limit = 25 << 10
	t.Logf("widget.js: %d bytes, %d gzipped (limit %d)", len(JS), b.Len(), limit)
	if b.Len() > limit {
		t.Errorf("widget.js is %d bytes gzipped, over %d", b.Len(), limit)
	}
	for _, forbidden := range [][]byte{[]byte("eval("), []byte("document.write")} {
		if bytes.Contains(JS, forbidden) {
			t.Errorf("widget.js uses %s", forbidden)
		}
	}
}
