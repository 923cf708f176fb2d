package lint

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSecretNameAgreesWithRegexp: isSecretName matches what the regular
// expression it replaces matches.
func TestSecretNameAgreesWithRegexp(t *testing.T) {
	secretRE := secretNameRE()
	inputs := []string{"", "a", "-", "a-", "-a", "a-b", "a.b_c-d", "A9", "a b", "é", "aé", "DB_PASSWORD", "api_key", "APIKEY",
		"API-KEY", "my_Token", "PRIVATE_KEY", "privatekey", "credentials", "passwd", "SECRET_NAME", "secre", "toke",
		"\u212apikey", "api\u212aey", "ſecret", "SECRET\u00e9", strings.Repeat("x", 70) + "token", strings.Repeat("y", 80)}
	alphabet := []string{"a", "p", "i", "k", "e", "y", "_", "-", ".", "K", "E", "Y", "T", "O", "N", "s", "c", "r", "t", "0", " ", "é", "\u212a", "ſ", "S"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		inputs = append(inputs, b.String())
	}
	for _, w := range secretWords {
		inputs = append(inputs, w, strings.ToUpper(w), "x"+w+"x")
	}
	for _, s := range inputs {
		if got, want := isSecretName(s), secretRE.MatchString(s); got != want {
			t.Errorf("isSecretName(%q) = %v, the regexp says %v", s, got, want)
		}
	}
}
