package kb

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/guichet/guichet/nlu"
)

// AnalyzerName is the Bleve analyser that wraps nlu.Analyze, so that search
// and the chat matcher tokenise French identically.
const AnalyzerName = "guichet_fr"

func init() {
	// Registration in Bleve's registry is the one global this package makes:
	// Bleve resolves analysers by name when it opens an index.
	if err := registry.RegisterAnalyzer(AnalyzerName, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
		return frenchAnalyzer{}, nil
	}); err != nil {
		panic(err)
	}
}

type frenchAnalyzer struct{}

func (frenchAnalyzer) Analyze(input []byte) analysis.TokenStream {
	toks := nlu.Analyze(string(input))
	ts := make(analysis.TokenStream, len(toks))
	for i, t := range toks {
		ts[i] = &analysis.Token{Term: []byte(t.Term), Start: t.Start, End: t.End, Position: t.Pos, Type: analysis.AlphaNumeric}
	}
	return ts
}

// indexDoc is what Bleve stores for an article.
type indexDoc struct {
	Title     string   `json:"title"`
	Questions []string `json:"questions"`
	Body      string   `json:"body"`
	Tags      []string `json:"tags"`
}

func newMapping() mapping.IndexMapping {
	text := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = AnalyzerName
		f.Store = true
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		return f
	}
	tags := mapping.NewTextFieldMapping()
	tags.Analyzer = keyword.Name
	tags.Store = true
	tags.IncludeInAll = false

	doc := mapping.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("title", text())
	doc.AddFieldMappingsAt("questions", text())
	doc.AddFieldMappingsAt("body", text())
	doc.AddFieldMappingsAt("tags", tags)

	m := mapping.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = AnalyzerName
	return m
}

// createIndex makes an empty on-disk index at path, replacing what was
// there: the index is derived from the content and rebuilt at every start.
func createIndex(path string) (bleve.Index, error) {
	if err := os.RemoveAll(path); err != nil {
		return nil, fmt.Errorf("remove old index %q: %w", path, err)
	}
	idx, err := bleve.New(path, newMapping())
	if err != nil {
		return nil, fmt.Errorf("create index %q: %w", path, err)
	}
	return idx, nil
}

// SearchRequest is an agent's search.
type SearchRequest struct {
	Query string
	// Tag keeps only articles with this tag, when set.
	Tag string
	// Size is the number of hits wanted (10 when 0, at most 50).
	Size int
}

// Hit is one article found by Search.
type Hit struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Tags  []string `json:"tags"`
	Score float64  `json:"score"`
	// Snippets are HTML fragments per field ("title", "questions",
	// "body") where the query's words are wrapped in <mark>; the rest is
	// escaped.
	Snippets map[string][]string `json:"snippets,omitempty"`
}

// TagCount is a facet: how many hits carry a tag.
type TagCount struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

// SearchResult is a page of hits with tag facets.
type SearchResult struct {
	Total uint64     `json:"total"`
	Hits  []Hit      `json:"hits"`
	Tags  []TagCount `json:"tags"`
	// Fuzzy tells that no exact match was found and typos were tolerated.
	Fuzzy bool `json:"fuzzy,omitempty"`
}

// Search runs an agent's search: ranked hits with highlighted snippets and
// tag facets. An empty query lists every article by title.
func (k *KB) Search(ctx context.Context, r SearchRequest) (*SearchResult, error) {
	size := r.Size
	if size <= 0 {
		size = 10
	}
	size = min(size, 50)
	res, err := k.search(ctx, r, size, 0)
	if err != nil {
		return nil, err
	}
	if res.Total > 0 || strings.TrimSpace(r.Query) == "" {
		return res, nil
	}
	// Nothing found: read typos against the knowledge base's vocabulary,
	// then let Bleve tolerate one edit per term.
	fuzzy := 0
	if corrected, ok := k.snap.Load().matcher.Correct(r.Query); ok {
		r.Query = corrected
	} else {
		fuzzy = 1
	}
	if res, err = k.search(ctx, r, size, fuzzy); err != nil {
		return nil, err
	}
	if res.Total == 0 && fuzzy == 0 {
		if res, err = k.search(ctx, r, size, 1); err != nil {
			return nil, err
		}
	}
	res.Fuzzy = res.Total > 0
	return res, nil
}

func (k *KB) search(ctx context.Context, r SearchRequest, size, fuzziness int) (*SearchResult, error) {
	var q query.Query
	text := strings.TrimSpace(r.Query)
	if text == "" {
		q = bleve.NewMatchAllQuery()
	} else {
		var fields []query.Query
		for field, boost := range map[string]float64{"title": 3, "questions": 2, "body": 1} {
			m := bleve.NewMatchQuery(text)
			m.SetField(field)
			m.Analyzer = AnalyzerName
			m.SetBoost(boost)
			m.SetFuzziness(fuzziness)
			fields = append(fields, m)
		}
		q = bleve.NewDisjunctionQuery(fields...)
	}
	if r.Tag != "" {
		t := bleve.NewTermQuery(strings.ToLower(r.Tag))
		t.SetField("tags")
		q = bleve.NewConjunctionQuery(q, t)
	}
	req := bleve.NewSearchRequestOptions(q, size, 0, false)
	req.Fields = []string{"title", "tags"}
	req.AddFacet("tags", bleve.NewFacetRequest("tags", 30))
	if text != "" {
		req.Highlight = bleve.NewHighlightWithStyle("html")
		req.Highlight.Fields = []string{"title", "questions", "body"}
	} else {
		req.SortBy([]string{"title"})
	}
	sr, err := k.index.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err) // never the query: it may be a customer's words
	}
	out := &SearchResult{Total: sr.Total, Hits: []Hit{}, Tags: []TagCount{}}
	for _, h := range sr.Hits {
		hit := Hit{ID: h.ID, Score: h.Score, Title: fmt.Sprint(h.Fields["title"]), Tags: stringList(h.Fields["tags"])}
		if len(h.Fragments) > 0 {
			hit.Snippets = h.Fragments
		}
		out.Hits = append(out.Hits, hit)
	}
	if f, ok := sr.Facets["tags"]; ok && f.Terms != nil {
		for _, t := range f.Terms.Terms() {
			out.Tags = append(out.Tags, TagCount{Tag: t.Term, Count: t.Count})
		}
	}
	sort.SliceStable(out.Tags, func(i, j int) bool { return out.Tags[i].Count > out.Tags[j].Count })
	return out, nil
}

func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, s := range x {
			out = append(out, fmt.Sprint(s))
		}
		return out
	}
	return []string{}
}
