package chat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.etcd.io/bbolt"
)

// Attachment is a file sent in a conversation: a photo of a damaged
// parcel, a PDF invoice. The file lives under the data dir, named by a
// random id; only its metadata is in the transcript.
type Attachment struct {
	ID   string `json:"id"`
	Name string `json:"name"` // as the sender named it, for display only
	Type string `json:"type"` // sniffed from the content, never trusted from the sender
	Size int    `json:"size"`
}

// MaxAttachment is the largest file a conversation accepts.
const MaxAttachment = 10 << 20

// Errors of attachments.
var (
	ErrAttachmentType    = errors.New("attachment type not allowed")
	ErrAttachmentTooBig  = errors.New("attachment too big")
	ErrAttachmentMissing = errors.New("attachment not found")
	ErrNoAttachments     = errors.New("attachments not configured")
)

// attachmentTypes are the types a file may have, as sniffed from its first
// bytes (http.DetectContentType): anything else, an HTML page renamed
// .png included, is refused.
var attachmentTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true, "application/pdf": true}

var reID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// OutcomeAttachment is the reply to a file the customer sent.
const OutcomeAttachment Outcome = "attachment"

// Attach stores a file sent in a conversation by its customer (agent "")
// or by an agent, and tells the other side. The reply is the bot's, for a
// file the customer sent while the bot has the conversation.
func (b *Bot) Attach(ctx context.Context, convID, agent, name string, data []byte) (*Attachment, *Reply, error) {
	if b.opts.AttachmentsDir == "" {
		return nil, nil, ErrNoAttachments
	}
	if len(data) > MaxAttachment {
		return nil, nil, ErrAttachmentTooBig
	}
	typ := http.DetectContentType(data)
	if !attachmentTypes[typ] {
		return nil, nil, ErrAttachmentType
	}
	conv, err := b.state(convID)
	if err != nil {
		return nil, nil, err
	}
	id, err := newID()
	if err != nil {
		return nil, nil, err
	}
	a := &Attachment{ID: id, Name: cleanName(name), Type: typ, Size: len(data)}
	dir := filepath.Join(b.opts.AttachmentsDir, conv.ID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, nil, fmt.Errorf("attachment dir: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, id), data, 0o640); err != nil {
		return nil, nil, fmt.Errorf("store attachment: %w", err)
	}
	now := b.opts.Now().UTC()
	t := Turn{At: now, From: "customer", Attachment: a, Reply: Reply{Outcome: OutcomeRelayed, Confidence: 1}}
	if agent != "" {
		t = Turn{At: now, From: "agent", Agent: agent, Attachment: a, Reply: Reply{Outcome: OutcomeAgent, Confidence: 1}}
	} else if conv.Mode == ModeBot {
		// Nobody reads files but people: say so, and offer one.
		t.Reply = *b.withHandoff(textReply(OutcomeAttachment, msgAttachmentNoted), msgChooseChannel)
	}
	if err := b.addTurn(conv, t, nil); err != nil {
		os.Remove(filepath.Join(dir, id))
		return nil, nil, err
	}
	e := Event{Type: "message", Conversation: convID, From: t.From, Attachment: a}
	if agent != "" {
		e.Agent = DisplayName(agent)
	}
	b.publish(e)
	b.publish(Event{Type: "queue", Conversation: convID, Private: true})
	return a, &t.Reply, nil
}

// OpenAttachment returns a conversation's file and its metadata; an id the
// conversation does not hold is ErrAttachmentMissing.
func (b *Bot) OpenAttachment(ctx context.Context, convID, id string) (*Attachment, []byte, error) {
	if b.opts.AttachmentsDir == "" || !reID.MatchString(id) {
		return nil, nil, ErrAttachmentMissing
	}
	var found *Attachment
	err := b.view(func(tx *bbolt.Tx) error {
		conv, err := readConversation(tx, convID)
		if err != nil {
			return err
		}
		for _, t := range conv.Turns {
			if t.Attachment != nil && t.Attachment.ID == id {
				found = t.Attachment
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("attachment of %q: %w", convID, err)
	}
	if found == nil {
		return nil, nil, ErrAttachmentMissing
	}
	data, err := os.ReadFile(filepath.Join(b.opts.AttachmentsDir, convID, id))
	if err != nil {
		return nil, nil, fmt.Errorf("read attachment: %w", err)
	}
	return found, data, nil
}

// cleanName keeps a file name displayable: no path, no control
// characters, 100 characters at most.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		name = "fichier"
	}
	for utf8.RuneCountInString(name) > 100 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}
