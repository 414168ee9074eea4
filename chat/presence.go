package chat

import (
	"sort"
	"sync"
	"time"
)

// presence knows which agents can answer a live chat now. An agent is
// available while a console tab of theirs is connected (its event stream
// is open), they have not said « absent », and they have been active or
// said « disponible » within the idle delay: an open tab left overnight is
// not an agent.
type presence struct {
	mu     sync.Mutex
	agents map[string]*agentState
	live   bool // the availability last published
}

type agentState struct {
	conns  int       // console event streams open
	away   bool      // said « absent »
	active time.Time // last activity: a request, a key, « disponible »
}

// AgentStatus is an agent's presence as the console shows it.
type AgentStatus struct {
	Name      string `json:"name"`
	Connected bool   `json:"connected"`
	Away      bool   `json:"away"`
	Available bool   `json:"available"`
}

// defaultIdleAfter is how long an agent with a console open but no
// activity stays available.
const defaultIdleAfter = 15 * time.Minute

func (b *Bot) agent(name string) *agentState {
	if b.presence.agents == nil {
		b.presence.agents = map[string]*agentState{}
	}
	a := b.presence.agents[name]
	if a == nil {
		a = &agentState{}
		b.presence.agents[name] = a
	}
	return a
}

// Connect records that one of the agent's console tabs is listening to
// events, and counts as activity. The returned function records that it
// went away.
func (b *Bot) Connect(agent string) (disconnect func()) {
	b.presence.mu.Lock()
	a := b.agent(agent)
	a.conns++
	a.active = b.opts.Now()
	b.presence.mu.Unlock()
	b.presenceChanged()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.presence.mu.Lock()
			a.conns--
			b.presence.mu.Unlock()
			b.presenceChanged()
		})
	}
}

// Seen records activity from an agent: a console request, or a heartbeat
// from a tab in which they typed, clicked or scrolled.
func (b *Bot) Seen(agent string) {
	b.presence.mu.Lock()
	b.agent(agent).active = b.opts.Now()
	b.presence.mu.Unlock()
	b.presenceChanged()
}

// SetAway is the « disponible / absent » switch; saying « disponible »
// counts as activity.
func (b *Bot) SetAway(agent string, away bool) {
	b.presence.mu.Lock()
	a := b.agent(agent)
	a.away = away
	a.active = b.opts.Now()
	b.presence.mu.Unlock()
	b.presenceChanged()
}

// Agents returns the presence of every agent seen since the start, by name.
func (b *Bot) Agents() []AgentStatus {
	b.presence.mu.Lock()
	defer b.presence.mu.Unlock()
	now := b.opts.Now()
	var out []AgentStatus
	for name, a := range b.presence.agents {
		out = append(out, AgentStatus{Name: name, Connected: a.conns > 0, Away: a.away, Available: b.available(a, now)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// AgentStatus returns one agent's presence.
func (b *Bot) AgentStatus(name string) AgentStatus {
	b.presence.mu.Lock()
	defer b.presence.mu.Unlock()
	a := b.agent(name)
	return AgentStatus{Name: name, Connected: a.conns > 0, Away: a.away, Available: b.available(a, b.opts.Now())}
}

func (b *Bot) available(a *agentState, now time.Time) bool {
	return a.conns > 0 && !a.away && now.Sub(a.active) < b.opts.IdleAfter
}

// agentOnline says whether at least one agent can take a live chat now.
func (b *Bot) agentOnline() bool {
	if b.opts.AgentsOnline != nil {
		return b.opts.AgentsOnline()
	}
	b.presence.mu.Lock()
	defer b.presence.mu.Unlock()
	return b.anyAvailable()
}

func (b *Bot) anyAvailable() bool {
	now := b.opts.Now()
	for _, a := range b.presence.agents {
		if b.available(a, now) {
			return true
		}
	}
	return false
}

// LiveChatOffered says whether the widget may offer live chat now: within
// opening hours, with an agent available.
func (b *Bot) LiveChatOffered() bool {
	return b.opts.Hours.Open(b.opts.Now()) && b.agentOnline()
}

// presenceChanged tells every widget and console when live chat becomes
// offered or stops being offered.
func (b *Bot) presenceChanged() {
	live := b.LiveChatOffered()
	b.presence.mu.Lock()
	changed := live != b.presence.live
	b.presence.live = live
	b.presence.mu.Unlock()
	if changed {
		b.publish(Event{Type: "presence", Available: &live})
	}
}
