package chat

import (
	"cmp"
	"slices"

	"github.com/guichet/guichet/kb"
)

// maxTopics is how many quick topics the widget shows under the greeting.
const maxTopics = 4

// Topics are the quick topics offered under the greeting: the configured
// articles that exist in the content now, or else the shop's most asked
// articles, those with the most example questions (editors write more of
// them for the questions customers ask most), then the contact article.
func (b *Bot) Topics() []Choice {
	var out []Choice
	add := func(id string) {
		if len(out) < maxTopics && !slices.ContainsFunc(out, func(c Choice) bool { return c.ID == id }) {
			if a, err := b.kb.Article(id); err == nil {
				out = append(out, Choice{ID: a.ID, Title: a.Title})
			}
		}
	}
	if len(b.opts.Topics) > 0 {
		for _, id := range b.opts.Topics {
			add(id)
		}
		return out
	}
	articles := slices.Clone(b.kb.Articles())
	slices.SortStableFunc(articles, func(x, y *kb.Article) int { return cmp.Compare(len(y.Questions), len(x.Questions)) })
	_, noContact := b.kb.Article(b.opts.ContactArticle)
	for _, a := range articles {
		if len(out) == maxTopics-1 && noContact == nil { // room for the contact article
			break
		}
		if a.ID != b.opts.ContactArticle {
			add(a.ID)
		}
	}
	add(b.opts.ContactArticle)
	return out
}
