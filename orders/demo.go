package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"
)

// bucketDemo holds the demo orders, by number. orders owns it.
var bucketDemo = []byte("demo_orders")

// Demo is the built-in order source: demo orders stored in bbolt, seeded so
// that every status can be tried with no other system.
type Demo struct {
	db  *bbolt.DB
	now func() time.Time
}

// NewDemo returns the demo source. It does no I/O; call Seed once.
func NewDemo(db *bbolt.DB, now func() time.Time) *Demo {
	if now == nil {
		now = time.Now
	}
	return &Demo{db: db, now: now}
}

// Seed stores the demo orders unless they are already there, dated
// relative to now.
func (d *Demo) Seed() error {
	err := d.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketDemo)
		if err != nil {
			return err
		}
		if k, _ := b.Cursor().First(); k != nil {
			return nil // seeded already
		}
		for _, o := range demoOrders(d.now()) {
			data, err := json.Marshal(o)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(o.Number), data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed demo orders: %w", err)
	}
	return nil
}

// Order returns a demo order.
func (d *Demo) Order(ctx context.Context, number string) (*Order, error) {
	var o *Order
	err := d.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketDemo)
		if b == nil {
			return ErrNotFound
		}
		v := b.Get([]byte(number))
		if v == nil {
			return ErrNotFound
		}
		o = &Order{}
		return json.Unmarshal(v, o)
	})
	if err != nil {
		return nil, fmt.Errorf("demo order: %w", err)
	}
	return o, nil
}

// CustomerOrders returns a demo customer's orders, most recent first.
func (d *Demo) CustomerOrders(ctx context.Context, customerID string) ([]Order, error) {
	var out []Order
	err := d.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketDemo)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var o Order
			if err := json.Unmarshal(v, &o); err != nil {
				return err
			}
			if o.CustomerID == customerID {
				out = append(out, o)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("demo customer orders: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("demo customer orders: %w", ErrNotFound)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PlacedAt.After(out[j].PlacedAt) })
	return out, nil
}

// DemoCustomer is a demo account the demo shop page can log in as.
type DemoCustomer struct {
	ID, Name, Email, Postcode string
}

// DemoCustomers are the owners of the demo orders.
var DemoCustomers = []DemoCustomer{
	{"cli-1001", "Camille Martin", "camille.martin@exemple.fr", "44000"},
	{"cli-1002", "Louis Bernard", "louis.bernard@exemple.fr", "69003"},
}

// demoOrders returns one order per status, spread over the demo customers.
func demoOrders(now time.Time) []Order {
	day := 24 * time.Hour
	date := func(daysAgo int) time.Time { return now.Add(-time.Duration(daysAgo) * day).Truncate(time.Hour).UTC() }
	track := func(n string) string { return "https://suivi.transporteur.example/colis/" + n }
	type spec struct {
		who      int // index in DemoCustomers
		number   string
		status   Status
		daysAgo  int
		expected int // days from now; 0 for none
		carrier  string
		seller   string
		items    []Item
		total    int64
	}
	specs := []spec{
		{0, "4581230", StatusAwaitingPayment, 0, 0, "", "", []Item{{"Plaid en lin lavé", 1}}, 5990},
		{1, "4581231", StatusPaymentRefused, 1, 0, "", "", []Item{{"Lampe de chevet Ondine", 1}}, 4900},
		{0, "4581232", StatusPreparing, 0, 3, "Colissimo", "", []Item{{"Housse de couette 240 × 220", 1}, {"Taie d'oreiller", 2}}, 8970},
		{0, "4581237", StatusShipped, 2, 2, "Colissimo", "", []Item{{"Coussin velours", 2}}, 3980},
		{1, "4581238", StatusInTransit, 3, 1, "Mondial Relay", "", []Item{{"Vase en grès", 1}}, 2900},
		{0, "4581239", StatusDelayed, 9, -2, "Colissimo", "", []Item{{"Tapis berbère 160 × 230", 1}}, 18900},
		{1, "4581240", StatusAtPickupPoint, 5, 0, "Mondial Relay", "", []Item{{"Bougie parfumée Figuier", 3}}, 5970},
		{0, "4581241", StatusDelivered, 8, 0, "Colissimo", "", []Item{{"Miroir rond 60 cm", 1}}, 7900},
		{1, "4581242", StatusDeliveryFailed, 6, 0, "Chronopost", "", []Item{{"Fauteuil Alma", 1}}, 34900},
		{1, "4581243", StatusLost, 20, 0, "Colissimo", "", []Item{{"Service de 6 assiettes", 1}}, 6400},
		{0, "4581244", StatusCancelled, 4, 0, "", "", []Item{{"Rideau occultant", 2}}, 7800},
		{1, "4581245", StatusReturnInProgress, 15, 0, "Colissimo", "", []Item{{"Robe en lin", 1}}, 6900},
		{1, "4581246", StatusRefunded, 30, 0, "Colissimo", "", []Item{{"Pull en laine", 1}}, 5900},
		{0, "4581247", StatusShipped, 3, 3, "Colissimo", "Atelier Terre & Feu", []Item{{"Saladier artisanal", 1}}, 4500},
	}
	out := make([]Order, len(specs))
	for i, s := range specs {
		c := DemoCustomers[s.who]
		o := Order{Number: s.number, CustomerID: c.ID, Email: c.Email, Postcode: c.Postcode, Status: s.status,
			PlacedAt: date(s.daysAgo), Carrier: s.carrier, Total: s.total, Currency: "EUR", Items: s.items, Seller: s.seller}
		if s.carrier != "" {
			o.TrackingURL = track(s.number)
		}
		if s.expected != 0 {
			o.ExpectedDelivery = date(-s.expected)
		}
		out[i] = o
	}
	return out
}
