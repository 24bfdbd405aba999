package checks_test

import (
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
)

// [secrets] max_file_size_mb sets the secrets check's limit per file, in
// megabytes as gitleaks' --max-target-megabytes counts them; a value that
// is no size is an error naming its line.
func TestPolicySetsTheSecretsFileSizeLimit(t *testing.T) {
	pol, err := checks.ParsePolicy(".secfirst.toml", []byte("fail_on = \"high\"\n\n[secrets]\nmax_file_size_mb = 25\n"))
	if err != nil {
		t.Fatal(err)
	}
	src := &checks.Source{}
	if got := src.FileSizeLimit(); got != checks.DefaultMaxFileSize {
		t.Errorf("default limit %d", got)
	}
	if pol.SecretsMaxFileSize != 25_000_000 {
		t.Errorf("max_file_size_mb = 25 gives %d bytes", pol.SecretsMaxFileSize)
	}
	src.MaxFileSize = pol.SecretsMaxFileSize
	if got := src.FileSizeLimit(); got != 25_000_000 {
		t.Errorf("limit %d", got)
	}
	for _, bad := range []string{"0", "-1", "10001", "\"big\""} {
		_, err := checks.ParsePolicy(".secfirst.toml", []byte("[secrets]\nmax_file_size_mb = "+bad+"\n"))
		if err == nil || (!strings.Contains(err.Error(), ".secfirst.toml:2") && bad != "\"big\"") {
			t.Errorf("max_file_size_mb = %s: want an error naming line 2, got %v", bad, err)
		}
	}
}
