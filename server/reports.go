package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/guichet/guichet/accounts"
	"github.com/guichet/guichet/chat"
	"github.com/guichet/guichet/orders"
	"github.com/guichet/guichet/reports"
)

// reportsPolicy is the reports pages' CSP: no inline script or style at
// all (the charts are SVG styled by reports.css).
const reportsPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// maxReportDays bounds a report's range: two years.
const maxReportDays = 731

// reportsData is the reports page.
type reportsData struct {
	Title, User, CSRF, Error string
	CanEdit, All             bool
	From, To, Query          string
	Range                    string // the range in words
	Presets                  []reportPreset
	Sections                 []*reportSection
}

type reportPreset struct {
	Label, Href string
	Current     bool
}

// reportSection is a part of the page: key figures, charts, tables.
type reportSection struct {
	ID, Title, Intro string
	Figures          []reportFigure
	Charts           []reportChart
	Tables           []*reportTable
}

// tables are the section's tables and those of its charts.
func (sec *reportSection) tables() []*reportTable {
	out := slices.Clone(sec.Tables)
	for _, c := range sec.Charts {
		out = append(out, c.Data)
	}
	return out
}

type reportFigure struct{ Label, Value, Detail string }

// reportChart is an SVG chart and its visible caption.
type reportChart struct {
	Caption string
	SVG     template.HTML
	// Data is the chart as a table: its text alternative, exported too.
	Data *reportTable
}

// reportTable is a table of the page, also exported as CSV.
type reportTable struct {
	ID, Caption string
	Head        []string
	Rows        [][]string
	Empty       string // what the table says when it has no row
	CSV         string // the link to its export, for the same range
}

// requireStaff lets through any logged-in user (agents, editors, admins);
// what each sees is decided by the handler.
func (s *Server) requireStaff(c *fiber.Ctx) error {
	u, err := s.accounts.Session(c.Cookies(sessionCookie))
	if err != nil {
		if c.Method() == fiber.MethodGet {
			return c.Redirect("/agent/login?next="+c.OriginalURL(), fiber.StatusSeeOther)
		}
		return fiber.ErrUnauthorized
	}
	c.Locals("user", u)
	return c.Next()
}

// reportRange reads from and to (dates in the shop's time zone); by
// default the last 30 days.
func (s *Server) reportRange(c *fiber.Ctx) (from, to time.Time, msg string) {
	now := s.cfg.Reports.Now().In(s.cfg.Location)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.cfg.Location)
	from, to = today.AddDate(0, 0, -29), today
	var err error
	if v := c.Query("from"); v != "" {
		if from, err = time.ParseInLocation(time.DateOnly, v, s.cfg.Location); err != nil {
			return today.AddDate(0, 0, -29), today, "La date de début doit être au format AAAA-MM-JJ, par exemple 2026-11-01."
		}
	}
	if v := c.Query("to"); v != "" {
		if to, err = time.ParseInLocation(time.DateOnly, v, s.cfg.Location); err != nil {
			return today.AddDate(0, 0, -29), today, "La date de fin doit être au format AAAA-MM-JJ, par exemple 2026-11-30."
		}
	}
	switch {
	case to.Before(from):
		return to, from, "La date de fin précède la date de début : les deux ont été inversées."
	case to.Sub(from) > maxReportDays*24*time.Hour:
		return to.AddDate(0, 0, -maxReportDays+1), to, "Un rapport couvre au plus deux ans : la période a été raccourcie."
	}
	return from, to, ""
}

// handleReports shows the reports over a range of days.
func (s *Server) handleReports(c *fiber.Ctx) error {
	d, err := s.reportsPage(c)
	if err != nil {
		return err
	}
	if err := render(c, fiber.StatusOK, "reports", d); err != nil {
		return err
	}
	c.Set("Content-Security-Policy", reportsPolicy)
	return nil
}

// handleReportsCSV exports one table of the page as CSV (semicolons and
// a byte order mark, as French spreadsheets expect).
func (s *Server) handleReportsCSV(c *fiber.Ctx) error {
	d, err := s.reportsPage(c)
	if err != nil {
		return err
	}
	id := strings.TrimSuffix(c.Params("table"), ".csv")
	for _, sec := range d.Sections {
		for _, t := range sec.tables() {
			if t.ID != id {
				continue
			}
			data, err := t.csv()
			if err != nil {
				return err
			}
			c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
			c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="guichet-%s-%s-%s.csv"`, id, d.From, d.To))
			c.Set("X-Content-Type-Options", "nosniff")
			return c.Send(data)
		}
	}
	return fiber.ErrNotFound
}

func (t *reportTable) csv() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	if err := w.Write(t.Head); err != nil {
		return nil, err
	}
	for _, r := range t.Rows {
		safe := make([]string, len(r))
		for i, v := range r {
			// A cell a spreadsheet would run as a formula is quoted as
			// text: questions are customers' words.
			if v != "" && strings.ContainsRune("=+-@", rune(v[0])) && !isNumber(v) {
				v = "'" + v
			}
			safe[i] = v
		}
		if err := w.Write(safe); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func isNumber(v string) bool {
	_, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
	return err == nil
}

// reportsPage builds the page for the user: everything for editors and
// admins, their own figures for agents.
func (s *Server) reportsPage(c *fiber.Ctx) (*reportsData, error) {
	u, _ := c.Locals("user").(*accounts.User)
	from, to, msg := s.reportRange(c)
	d := &reportsData{Title: "Rapports", Error: msg, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}
	if u != nil {
		d.User, d.CanEdit, d.All = u.Name, u.Role.Allows(accounts.RoleEditor), u.Role != accounts.RoleAgent
	}
	d.CSRF, _ = c.Locals("csrf").(string)
	d.Query = "from=" + d.From + "&to=" + d.To
	d.Range = "du " + frenchDay(from) + " au " + frenchDay(to)
	now := s.cfg.Reports.Now().In(s.cfg.Location)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.cfg.Location)
	for _, p := range []struct {
		label string
		days  int
	}{{"7 derniers jours", 7}, {"30 derniers jours", 30}, {"90 derniers jours", 90}, {"12 derniers mois", 365}} {
		q := "from=" + today.AddDate(0, 0, -p.days+1).Format(time.DateOnly) + "&to=" + today.Format(time.DateOnly)
		d.Presets = append(d.Presets, reportPreset{Label: p.label, Href: "/reports?" + q, Current: q == d.Query})
	}
	rep, err := s.cfg.Reports.Report(c.UserContext(), from, to)
	if err != nil {
		return nil, err
	}
	v := &reportView{s: s, rep: rep, query: d.Query}
	if !d.All {
		d.Sections = []*reportSection{v.own(d.User)}
	} else {
		questions, err := s.unanswered(c.UserContext(), from, to.AddDate(0, 0, 1))
		if err != nil {
			return nil, err
		}
		d.Sections = []*reportSection{v.reasons(), v.selfService(), v.satisfaction(), v.people(), v.partners(),
			v.perOrder(c.UserContext(), from, to.AddDate(0, 0, 1)), v.unanswered(questions)}
	}
	for _, sec := range d.Sections {
		for _, t := range sec.tables() {
			t.CSV = "/reports/export/" + t.ID + ".csv?" + d.Query
		}
	}
	return d, nil
}

// unanswered are the questions the bot missed in the range, grouped.
func (s *Server) unanswered(ctx context.Context, from, to time.Time) ([]reports.Question, error) {
	reviews, err := s.bot.Reviews(ctx, 1000)
	if err != nil {
		return nil, err
	}
	var texts []string
	for _, r := range reviews {
		if r.Kind == chat.ReviewMiss && !r.At.Before(from) && r.At.Before(to) {
			texts = append(texts, r.Text)
		}
	}
	return reports.Similar(texts), nil
}

// reportView turns the counters into sections.
type reportView struct {
	s     *Server
	rep   *reports.Report
	query string
}

func (v *reportView) article(id string) string {
	if id == "" {
		return "Sans sujet identifié"
	}
	if a, err := v.s.kb.Article(id); err == nil {
		return a.Title
	}
	if t := v.rep.Names[id]; t != "" {
		return t
	}
	return id
}

// reason names a contact reason: an agent's close reason, or an article.
func (v *reportView) reason(key string) string {
	if r, ok := strings.CutPrefix(key, "c:"); ok {
		return r
	}
	return v.article(strings.TrimPrefix(key, "a:"))
}

var handoffReasons = map[string]string{
	"miss": "L’assistant n’a pas compris", "unhelpful": "Réponse jugée inutile",
	"asked": "Conseiller demandé d’emblée", "after_answer": "Après une réponse",
}

var outcomeLabels = []struct{ key, label string }{
	{"answer", "Répondu"}, {"clarify", "Précision demandée"}, {"miss", "Sans réponse"},
}

func (v *reportView) reasons() *reportSection {
	r := v.rep
	turns := r.Total("turns")
	sec := &reportSection{ID: "motifs", Title: "Motifs de contact",
		Intro: "Ce que les clients demandent, et ce que l’assistant en fait."}
	sec.Figures = []reportFigure{
		{"Conversations", number(r.Total("conv")), ""},
		{"Messages de clients traités par l’assistant", number(turns), ""},
		{"Réponses", percent(r.Labelled("outcome", "answer"), turns), "des messages"},
		{"Précisions demandées", percent(r.Labelled("outcome", "clarify"), turns), "des messages"},
		{"Sans réponse", percent(r.Labelled("outcome", "miss"), turns), "des messages"},
	}
	var series []chartSeries
	for i, o := range outcomeLabels {
		series = append(series, chartSeries{Label: o.label, Class: "s" + strconv.Itoa(i), Values: r.Series("outcome\x00" + o.key)})
	}
	other := make([]int64, len(r.Days))
	for i, d := range r.Days {
		other[i] = d.Counts["turns"] - d.Counts["outcome\x00answer"] - d.Counts["outcome\x00clarify"] - d.Counts["outcome\x00miss"]
	}
	series = append(series, chartSeries{Label: "Autres (salutations, commande demandée…)", Class: "s3", Values: other})
	sec.Charts = append(sec.Charts, timeChart("chart-outcomes", "Messages par issue", "Messages des clients traités par l’assistant, par issue, sur la période.", r.Days, series))

	answered := &reportTable{ID: "articles", Caption: "Articles donnés en réponse", Head: []string{"Article", "Réponses", "Part des réponses"},
		Empty: "Aucune réponse sur la période."}
	all := r.Total("outcome\x00answer")
	for _, g := range r.Group("answered") {
		answered.Rows = append(answered.Rows, []string{v.article(g.Label), number(g.N), percent(g.N, all)})
	}
	topics := &reportTable{ID: "sujets-transferts", Caption: "Sujets des demandes de conseiller", Head: []string{"Sujet (dernière réponse)", "Demandes"},
		Empty: "Aucune demande de conseiller sur la période."}
	for _, g := range r.Group("handoff_topic") {
		topics.Rows = append(topics.Rows, []string{v.article(g.Label), number(g.N)})
	}
	closes := &reportTable{ID: "motifs-cloture", Caption: "Motifs de clôture choisis par les conseillers", Head: []string{"Motif", "Dossiers clos", "Part"},
		Empty: "Aucun dossier clos sur la période."}
	for _, g := range r.Group("close_reason") {
		closes.Rows = append(closes.Rows, []string{g.Label, number(g.N), percent(g.N, r.Total("closes"))})
	}
	sec.Tables = []*reportTable{answered, topics, closes}
	return sec
}

func (v *reportView) selfService() *reportSection {
	r := v.rep
	conv := r.Total("conv")
	known, recont := r.SettledTotal("resolved_known"), r.SettledTotal("resolved_recontacted")
	watching := r.Total("resolved_known") - known
	sec := &reportSection{ID: "autonomie", Title: "Self-service",
		Intro: fmt.Sprintf("Une conversation est résolue par l’assistant quand il a répondu sans qu’une personne intervienne ni que la réponse soit jugée inutile. Elle est résolue durablement si le même client, ou la même commande, ne revient pas dans les %d jours — ce qui ne se mesure que si le client ou la commande est connu.", int(v.s.cfg.Reports.Window().Hours()/24))}
	durable := "—"
	detail := "aucune conversation identifiée dont le délai est écoulé"
	if known > 0 {
		durable = percent(known-recont, known)
		detail = "sur " + count(known, "résolution identifiée dont le délai est écoulé", "résolutions identifiées dont le délai est écoulé")
	}
	sec.Figures = []reportFigure{
		{"Résolues par l’assistant seul", percent(r.Total("resolved"), conv), "sur " + count(conv, "conversation", "conversations")},
		{"Résolution durable", durable, detail},
		{"En observation", number(watching), "résolutions identifiées de moins de 7 jours"},
		{"Résolues, client anonyme", number(r.Total("resolved_anon")), "comptées à part, jamais durables"},
		{"Avec un conseiller", percent(r.Total("conv_person"), conv), "des conversations"},
	}
	other := make([]int64, len(r.Days))
	for i, d := range r.Days {
		other[i] = d.Counts["conv"] - d.Counts["resolved"] - d.Counts["conv_person"]
	}
	sec.Charts = append(sec.Charts, timeChart("chart-selfservice", "Conversations par issue", "Conversations résolues par l’assistant, passées à un conseiller, ou restées sans issue, par jour de début.", r.Days, []chartSeries{
		{Label: "Résolues par l’assistant", Class: "s0", Values: r.Series("resolved")},
		{Label: "Avec un conseiller", Class: "s2", Values: r.Series("conv_person")},
		{Label: "Autres", Class: "s3", Values: other},
	}))
	helped := &reportTable{ID: "aide-articles", Caption: "« Cette réponse vous a-t-elle aidé ? » par article",
		Head: []string{"Article", "Oui (chat)", "Non (chat)", "Oui (centre d’aide)", "Non (centre d’aide)", "Part de oui"}, Empty: "Aucun avis sur la période."}
	type votes struct{ yes, no, ayes, ano int64 }
	by := map[string]*votes{}
	var order []string
	for _, p := range []string{"chat_helpful", "chat_unhelpful", "aide_helpful", "aide_unhelpful"} {
		for _, g := range r.Group(p) {
			if by[g.Label] == nil {
				by[g.Label] = &votes{}
				order = append(order, g.Label)
			}
			switch p {
			case "chat_helpful":
				by[g.Label].yes = g.N
			case "chat_unhelpful":
				by[g.Label].no = g.N
			case "aide_helpful":
				by[g.Label].ayes = g.N
			default:
				by[g.Label].ano = g.N
			}
		}
	}
	for _, id := range order {
		x := by[id]
		helped.Rows = append(helped.Rows, []string{v.article(id), number(x.yes), number(x.no), number(x.ayes), number(x.ano), percent(x.yes+x.ayes, x.yes+x.no+x.ayes+x.ano)})
	}
	sec.Tables = []*reportTable{helped}
	return sec
}

func (v *reportView) satisfaction() *reportSection {
	r := v.rep
	sec := &reportSection{ID: "satisfaction", Title: "Effort et satisfaction",
		Intro: "L’effort (CES) : « Avez-vous trouvé facilement ce que vous cherchiez ? », de 1 (très difficilement) à 5 (très facilement), posé après une réponse utile de l’assistant. La satisfaction (CSAT) : la note de 1 à 5 laissée après un chat avec un conseiller."}
	cesN, csatN := r.Total("ces_n"), r.Total("csat_n")
	sec.Figures = []reportFigure{
		{"Effort (CES) moyen", mean(r.Total("ces_sum"), cesN), count(cesN, "réponse", "réponses")},
		{"Trouvé facilement (4 ou 5)", percent(r.Labelled("ces", "4")+r.Labelled("ces", "5"), cesN), "des réponses"},
		{"Satisfaction (CSAT) moyenne", mean(r.Total("csat_sum"), csatN), count(csatN, "note", "notes")},
		{"Satisfaits (4 ou 5)", percent(r.Labelled("csat", "4")+r.Labelled("csat", "5"), csatN), "des notes"},
	}
	labels := []string{"1", "2", "3", "4", "5"}
	ces, csat := make([]int64, 5), make([]int64, 5)
	dist := &reportTable{ID: "notes", Caption: "Répartition des notes", Head: []string{"Note", "Effort (CES)", "Satisfaction (CSAT)"}}
	for i, l := range labels {
		ces[i], csat[i] = r.Labelled("ces", l), r.Labelled("csat", l)
		dist.Rows = append(dist.Rows, []string{l + " sur 5", number(ces[i]), number(csat[i])})
	}
	sec.Charts = append(sec.Charts,
		barChart("chart-ces", "Effort (CES) : répartition des réponses", "Nombre de réponses à la question d’effort, de 1 à 5.", labels, []chartSeries{{Label: "Réponses", Class: "s0", Values: ces}}),
		barChart("chart-csat", "Satisfaction (CSAT) : répartition des notes", "Nombre de notes laissées après un chat, de 1 à 5.", labels, []chartSeries{{Label: "Notes", Class: "s1", Values: csat}}))
	sec.Tables = []*reportTable{dist}
	return sec
}

// waitLabels are the bars of the waiting-time chart.
var waitLabels = []struct{ key, label string }{
	{"1", "≤ 1 min"}, {"5", "1 à 5 min"}, {"15", "5 à 15 min"}, {"60", "15 min à 1 h"}, {"more", "> 1 h"},
}

func (v *reportView) people() *reportSection {
	r := v.rep
	sec := &reportSection{ID: "conseillers", Title: "Conseillers",
		Intro: "Les demandes de conseiller, l’attente jusqu’à la première réponse en chat, le temps jusqu’à la clôture, et les clients qui reviennent dans les 7 jours (re-contact), quand le client ou la commande est connu."}
	sec.Figures = []reportFigure{
		{"Demandes de conseiller", number(r.Total("handoffs")), ""},
		{"Attente moyenne (chat)", seconds(r.Total("wait_s"), r.Total("wait_n")), count(r.Total("wait_n"), "chat pris en charge", "chats pris en charge")},
		{"Temps moyen jusqu’à la clôture", seconds(r.Total("close_s"), r.Total("close_n")), count(r.Total("close_n"), "dossier", "dossiers")},
		{"Taux de re-contact", percent(r.Total("recontacted"), r.Total("conv_known")), "des conversations identifiées"},
	}
	waits := make([]int64, len(waitLabels))
	labels := make([]string, len(waitLabels))
	for i, w := range waitLabels {
		waits[i], labels[i] = r.Labelled("wait_le", w.key), w.label
	}
	sec.Charts = append(sec.Charts, barChart("chart-wait", "Attente jusqu’à la première réponse d’un conseiller", "Nombre de chats par durée d’attente avant la première réponse.", labels, []chartSeries{{Label: "Chats", Class: "s2", Values: waits}}))
	why := &reportTable{ID: "transferts-raisons", Caption: "Demandes de conseiller par raison", Head: []string{"Raison", "Demandes", "Part"}, Empty: "Aucune demande sur la période."}
	for _, g := range r.Group("handoff_reason") {
		why.Rows = append(why.Rows, []string{cmpOr(handoffReasons[g.Label], g.Label), number(g.N), percent(g.N, r.Total("handoffs"))})
	}
	ch := &reportTable{ID: "transferts-canaux", Caption: "Demandes de conseiller par canal", Head: []string{"Canal", "Demandes", "Part"}, Empty: "Aucune demande sur la période."}
	for _, g := range r.Group("handoff_channel") {
		ch.Rows = append(ch.Rows, []string{cmpOr(channelNames[g.Label], g.Label), number(g.N), percent(g.N, r.Total("handoffs"))})
	}
	for _, g := range r.Group("logged_channel") {
		ch.Rows = append(ch.Rows, []string{cmpOr(channelNames[g.Label], g.Label) + " (contact saisi)", number(g.N), "—"})
	}
	byReason := &reportTable{ID: "recontact-motifs", Caption: "Re-contact par motif de contact", Head: []string{"Motif", "Conversations identifiées", "Re-contacts", "Taux"},
		Empty: "Aucune conversation identifiée sur la période."}
	for _, g := range r.Group("reason_known") {
		back := r.Labelled("reason_recontact", g.Label)
		byReason.Rows = append(byReason.Rows, []string{v.reason(g.Label), number(g.N), number(back), percent(back, g.N)})
	}
	sec.Tables = []*reportTable{why, ch, v.agents(""), byReason}
	return sec
}

// agents is the table of agents' figures; only is one agent's name, or
// "" for all.
func (v *reportView) agents(only string) *reportTable {
	r := v.rep
	t := &reportTable{ID: "conseillers", Caption: "Par conseiller", Head: []string{"Conseiller", "Conversations", "Attente moyenne", "Temps moyen jusqu’à la clôture", "Satisfaction (CSAT)", "Taux de re-contact"},
		Empty: "Aucune conversation avec un conseiller sur la période."}
	names := map[string]bool{}
	var list []string
	for _, p := range []string{"agent_conv", "agent_close_n", "agent_wait_n"} {
		for _, g := range r.Group(p) {
			if !names[g.Label] && (only == "" || g.Label == only) {
				names[g.Label] = true
				list = append(list, g.Label)
			}
		}
	}
	for _, a := range list {
		known := r.Labelled("agent_known", a)
		t.Rows = append(t.Rows, []string{a, number(r.Labelled("agent_conv", a)),
			seconds(r.Labelled("agent_wait_s", a), r.Labelled("agent_wait_n", a)),
			seconds(r.Labelled("agent_close_s", a), r.Labelled("agent_close_n", a)),
			mean(r.Labelled("agent_csat_sum", a), r.Labelled("agent_csat_n", a)),
			percent(r.Labelled("agent_recontact", a), known)})
	}
	return t
}

// own is what an agent sees: their own figures.
func (v *reportView) own(agent string) *reportSection {
	t := v.agents(agent)
	t.Caption, t.Empty = "Vos chiffres", "Vous n’avez eu aucune conversation sur la période."
	r := v.rep
	return &reportSection{ID: "vous", Title: "Vos chiffres", Intro: "Les conversations que vous avez prises en charge. Les rapports complets sont réservés aux éditeurs et aux administrateurs.",
		Figures: []reportFigure{
			{"Conversations", number(r.Labelled("agent_conv", agent)), ""},
			{"Attente moyenne avant votre réponse", seconds(r.Labelled("agent_wait_s", agent), r.Labelled("agent_wait_n", agent)), ""},
			{"Satisfaction (CSAT)", mean(r.Labelled("agent_csat_sum", agent), r.Labelled("agent_csat_n", agent)), count(r.Labelled("agent_csat_n", agent), "note", "notes")},
		},
		Tables: []*reportTable{t}}
}

func (v *reportView) partners() *reportSection {
	r := v.rep
	sec := &reportSection{ID: "partenaires", Title: "Partenaires",
		Intro: "Les conversations au sujet d’une commande vendue par un vendeur de la place de marché, ou livrée par un transporteur. Un problème : une commande retardée, non livrée ou perdue, une réponse jugée inutile, ou un conseiller appelé."}
	for _, p := range []struct{ id, caption, head, key string }{
		{"vendeurs", "Contacts et problèmes par vendeur de la place de marché", "Vendeur", "seller"},
		{"transporteurs", "Contacts et problèmes par transporteur", "Transporteur", "carrier"},
	} {
		t := &reportTable{ID: p.id, Caption: p.caption, Head: []string{p.head, "Conversations", "Problèmes", "Part de problèmes"},
			Empty: "Aucune conversation au sujet d’une commande de ce type sur la période."}
		for _, g := range r.Group(p.key + "_conv") {
			bad := r.Labelled(p.key+"_problem", g.Label)
			t.Rows = append(t.Rows, []string{g.Label, number(g.N), number(bad), percent(bad, g.N)})
		}
		sec.Tables = append(sec.Tables, t)
	}
	return sec
}

func (v *reportView) perOrder(ctx context.Context, from, to time.Time) *reportSection {
	r := v.rep
	first, again := r.Total("order_first"), r.Total("order_repeat")
	sec := &reportSection{ID: "commandes", Title: "Contacts par commande",
		Intro: "Le nombre de contacts pour 100 commandes passées sur la période : la mesure la plus parlante de ce que le service coûte aux clients."}
	contacts := r.Total("conv")
	for _, g := range r.Group("logged_channel") {
		contacts += g.N
	}
	sec.Figures = []reportFigure{
		{"Commandes dont le client a parlé", number(first), "premier contact"},
		{"Re-contacts au sujet d’une même commande", number(again), ""},
		{"Contacts par commande concernée", ratio(first+again, first), ""},
	}
	if v.s.cfg.Orders == nil {
		sec.Figures = append(sec.Figures, reportFigure{"Contacts pour 100 commandes", "—", "Aucune source de commandes n’est configurée."})
		return sec
	}
	vol, err := v.s.cfg.Orders.Volume(ctx, from, to)
	switch {
	case errors.Is(err, orders.ErrNoStats):
		sec.Figures = append(sec.Figures, reportFigure{"Contacts pour 100 commandes", "—", "Le système de commandes ne donne pas le nombre de commandes (GET /stats/orders) : ce taux n’est pas disponible."})
	case err != nil:
		sec.Figures = append(sec.Figures, reportFigure{"Contacts pour 100 commandes", "—", "Le système de commandes n’a pas répondu : réessayez dans un moment."})
	case vol.Orders == 0:
		sec.Figures = append(sec.Figures, reportFigure{"Contacts pour 100 commandes", "—", "Aucune commande passée sur la période."})
	default:
		sec.Figures = append(sec.Figures, reportFigure{"Contacts pour 100 commandes", decimal(float64(contacts) * 100 / float64(vol.Orders)),
			count(contacts, "contact", "contacts") + ", " + count(vol.Orders, "commande", "commandes") + ", " + count(vol.Units, "article commandé", "articles commandés")})
	}
	return sec
}

func (v *reportView) unanswered(qs []reports.Question) *reportSection {
	t := &reportTable{ID: "sans-reponse", Caption: "Questions sans réponse, regroupées", Head: []string{"Question (la plus récente)", "Fois", "Autres formulations"},
		Empty: "Aucune question sans réponse sur la période."}
	for _, q := range qs {
		t.Rows = append(t.Rows, []string{q.Text, number(int64(q.Count)), strings.Join(q.Others, " · ")})
	}
	return &reportSection{ID: "questions", Title: "Questions sans réponse",
		Intro:  "La liste de travail des éditeurs : les questions que l’assistant n’a pas comprises, regroupées par ressemblance, les plus fréquentes d’abord (données masquées).",
		Tables: []*reportTable{t}}
}

// French numbers.

func number(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func decimal(f float64) string {
	return strings.Replace(strconv.FormatFloat(math.Round(f*10)/10, 'f', 1, 64), ".", ",", 1)
}

func percent(n, of int64) string {
	if of <= 0 {
		return "—"
	}
	return decimal(float64(n)*100/float64(of)) + "\u00a0%"
}

func mean(sum, n int64) string {
	if n <= 0 {
		return "—"
	}
	return decimal(float64(sum)/float64(n)) + " / 5"
}

func ratio(n, of int64) string {
	if of <= 0 {
		return "—"
	}
	return decimal(float64(n) / float64(of))
}

// seconds is a mean duration in words.
func seconds(sum, n int64) string {
	if n <= 0 {
		return "—"
	}
	s := int64(math.Round(float64(sum) / float64(n)))
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min %02d s", s/60, s%60)
	case s < 48*3600:
		return fmt.Sprintf("%d h %02d min", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%d jours", s/86400)
}

// count writes n and the noun, singular for 0 and 1 as French does.
func count(n int64, one, many string) string {
	if n > 1 || n < -1 {
		return number(n) + "\u00a0" + many
	}
	return number(n) + "\u00a0" + one
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// handleEffort stores the customer's answer to the effort question (CES)
// after a resolved self-service conversation.
func (s *Server) handleEffort(c *fiber.Ctx) error {
	var req struct {
		Score int `json:"score"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	if err := s.bot.Effort(c.UserContext(), c.Params("id"), req.Score); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"message": msgEffort})
}
