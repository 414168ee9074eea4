package nlu

import "testing"

func TestExtract(t *testing.T) {
	tests := []struct {
		name string
		in   string
		kind EntityKind
		want string
	}{
		{"order bare", "c'est la 4581237", EntityOrder, "4581237"},
		{"order prefixed", "ma commande CMD-2024789 n'arrive pas", EntityOrder, "CMD-2024789"},
		{"order hash", "commande #45812", EntityOrder, "45812"},
		{"email", "mon mail est Jean.Dupont+shop@Exemple.fr merci", EntityEmail, "jean.dupont+shop@exemple.fr"},
		{"phone spaces", "rappelez-moi au 06 12 34 56 78", EntityPhone, "0612345678"},
		{"phone international", "+33 6 12 34 56 78", EntityPhone, "0612345678"},
		{"phone dots", "01.86.95.42.10", EntityPhone, "0186954210"},
		{"date numeric", "commandé le 3/11/2026", EntityDate, "03/11/2026"},
		{"date words", "livré le 12 mars", EntityDate, "12/03"},
		{"amount euro sign", "débité de 49,90 € deux fois", EntityAmount, "49.90"},
		{"amount words", "un bon de 15 euros", EntityAmount, "15"},
		{"postcode", "j'habite au 44000 Nantes", EntityPostal, "44000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range Extract(tt.in) {
				if e.Kind == tt.kind {
					got = append(got, e.Value)
				}
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("Extract(%q) %s = %v, want [%s] (all: %+v)", tt.in, tt.kind, got, tt.want, Extract(tt.in))
			}
		})
	}
}

func TestExtractPhoneIsNotAnOrder(t *testing.T) {
	for _, e := range Extract("appelez le 0612345678") {
		if e.Kind == EntityOrder {
			t.Errorf("phone number read as an order: %+v", e)
		}
	}
}
