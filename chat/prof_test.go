package chat

import (
	"path/filepath"
	"testing"

	"github.com/guichet/guichet/kb"
)

func TestProfLoad(t *testing.T) {
	fsys, _ := syntheticContent(t, 3000)
	k, err := kb.Open(kb.Options{Content: fsys, IndexPath: filepath.Join(t.TempDir(), "index")})
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
}
