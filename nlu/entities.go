package nlu

import (
	"regexp"
	"strings"
)

// EntityKind names what an entity is.
type EntityKind string

// The entity kinds Extract recognises.
const (
	EntityOrder  EntityKind = "order"
	EntityEmail  EntityKind = "email"
	EntityPhone  EntityKind = "phone"
	EntityDate   EntityKind = "date"
	EntityAmount EntityKind = "amount"
	EntityPostal EntityKind = "postcode"
)

// Entity is a piece of structured data found in a message.
type Entity struct {
	Kind EntityKind `json:"kind"`
	// Value is normalised: digits only for phones and orders, lowercase
	// e-mails, "2024-03-12" or "12/03" for dates, "25.90" for amounts.
	Value string `json:"value"`
	// Text is the span as the customer typed it.
	Text       string `json:"-"`
	Start, End int    `json:"-"`
}

var (
	reEmail = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}`)
	// French phone numbers: 0X XX XX XX XX or +33 X XX XX XX XX, with
	// spaces, dots or dashes.
	rePhone = regexp.MustCompile(`(?:\+33\s?|0033\s?|\b0)[1-9](?:[\s.\-]?\d{2}){4}\b`)
	// Order numbers: a prefix such as "GC-" or "CMD" then digits, or a bare
	// run of 6 to 12 digits.
	reOrder  = regexp.MustCompile(`(?i)\b(?:[a-z]{1,4}[\-#]?)?\d{6,12}\b|#\s?\d{4,12}\b`)
	reDate   = regexp.MustCompile(`(?i)\b(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?\b|\b(\d{1,2})(?:er)?\s+(janvier|fevrier|février|mars|avril|mai|juin|juillet|aout|août|septembre|octobre|novembre|decembre|décembre)(?:\s+(\d{4}))?\b`)
	reAmount = regexp.MustCompile(`(?i)(\d+(?:[.,]\d{1,2})?)\s?(?:€|eur\b|euros?\b)`)
	rePostal = regexp.MustCompile(`\b(?:0[1-9]|[1-8]\d|9[0-5]|97)\d{3}\b`)
)

var months = map[string]string{
	"janvier": "01", "fevrier": "02", "mars": "03", "avril": "04", "mai": "05",
	"juin": "06", "juillet": "07", "aout": "08", "septembre": "09",
	"octobre": "10", "novembre": "11", "decembre": "12",
}

// Extract finds order numbers, e-mails, phone numbers, dates, amounts and
// postcodes in text. Spans never overlap: an e-mail or a phone number is not
// also read as an order number.
func Extract(text string) []Entity {
	var out []Entity
	taken := make([]bool, len(text)+1)
	free := func(a, b int) bool {
		for i := a; i < b; i++ {
			if taken[i] {
				return false
			}
		}
		return true
	}
	add := func(kind EntityKind, a, b int, value string) {
		if !free(a, b) {
			return
		}
		for i := a; i < b; i++ {
			taken[i] = true
		}
		out = append(out, Entity{Kind: kind, Value: value, Text: text[a:b], Start: a, End: b})
	}
	for _, m := range reEmail.FindAllStringIndex(text, -1) {
		add(EntityEmail, m[0], m[1], strings.ToLower(text[m[0]:m[1]]))
	}
	for _, m := range rePhone.FindAllStringIndex(text, -1) {
		d := digits(text[m[0]:m[1]])
		if strings.HasPrefix(d, "33") {
			d = "0" + strings.TrimPrefix(strings.TrimPrefix(d, "00"), "33")
		}
		add(EntityPhone, m[0], m[1], d)
	}
	for _, m := range reAmount.FindAllStringSubmatchIndex(text, -1) {
		add(EntityAmount, m[0], m[1], strings.ReplaceAll(text[m[2]:m[3]], ",", "."))
	}
	for _, m := range reDate.FindAllStringSubmatchIndex(text, -1) {
		var v string
		if m[2] >= 0 {
			v = pad2(text[m[2]:m[3]]) + "/" + pad2(text[m[4]:m[5]])
			if m[6] >= 0 {
				v += "/" + text[m[6]:m[7]]
			}
		} else {
			v = pad2(text[m[8]:m[9]]) + "/" + months[Fold(text[m[10]:m[11]])]
			if m[12] >= 0 {
				v += "/" + text[m[12]:m[13]]
			}
		}
		add(EntityDate, m[0], m[1], v)
	}
	for _, m := range reOrder.FindAllStringIndex(text, -1) {
		span := text[m[0]:m[1]]
		if len(span) == 5 && digits(span) == span {
			continue // a bare five-digit number is a postcode
		}
		add(EntityOrder, m[0], m[1], strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(span, "#"))))
	}
	for _, m := range rePostal.FindAllStringIndex(text, -1) {
		add(EntityPostal, m[0], m[1], text[m[0]:m[1]])
	}
	return out
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}
