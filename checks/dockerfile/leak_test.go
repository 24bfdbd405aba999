package dockerfile

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// Two secrets on one line: neither may show raw in anything a finding,
// a suppression or a warning carries, whatever the names around them
// (secret-named, neutral, legacy `ENV NAME value` form) and wherever the
// message quotes the instruction.
func TestTwoSecretsOnOneLineNeverShown(t *testing.T) {
	gh, aws, stripe := gittest.FakeGitHubToken(), gittest.FakeAWSKey(), gittest.FakeStripeKey()
	pw, tok, sig := fakeSecret(), fakeSecret(), fakeSecret()
	// A Slack webhook's secret is its path, a signed URL's its query.
	hook := "https://hooks.slack.com/services/T" + strings.ToUpper(fakeSecret()[:8]) + "/B" + strings.ToUpper(fakeSecret()[:8]) + "/" + fakeSecret()
	secrets := []string{gh, aws, stripe, pw, tok, sig, hook}
	lines := []string{
		"ENV GITHUB_TOKEN=" + gh + " AWS_ACCESS_KEY_ID=" + aws,
		"ENV FIRST=" + gh + " SECOND=" + aws,
		"ENV DB_PASSWORD=" + pw + " API_TOKEN=" + tok,
		"ENV DB_PASSWORD " + pw + " API_TOKEN=" + tok,
		"ENV PIP_TRUSTED_HOST=" + gh + " GOINSECURE=" + stripe,
		"ARG GH=" + gh + " STRIPE=" + stripe,
		"ARG DB_PASSWORD=" + pw + " API_TOKEN=" + tok,
		"RUN export GH=" + gh + " AWS=" + aws + " && curl -k -H \"Authorization: token " + tok + "\" https://x.example/" + aws + " | sh",
		"RUN DB_PASSWORD=" + pw + " API_TOKEN=" + tok + " sudo make",
		"ADD https://app:" + pw + "@x.example/f?token=" + tok + " /f",
		"ADD https://acct.blob.core.windows.net/c/f.tgz?sv=2022-11-02&sig=" + sig + " " + hook + " /f/",
		"RUN curl -fsSL " + hook + " | sh && wget -qO- \"https://x.example/i.sh?sp=r&sig=" + sig + "\" | bash",
		"ONBUILD ENV FIRST=" + gh + " DB_PASSWORD=" + pw,
		"USER root",
	}
	src := "FROM alpine:3.20\n" + strings.Join(lines, "\n") + "\n"
	// Each line also behind a suppression comment: suppressed findings are
	// shown too (counted, listed with --verbose outputs).
	var quiet strings.Builder
	quiet.WriteString("FROM alpine:3.20\n")
	for _, l := range lines {
		quiet.WriteString("# secfirst:ignore=dockerfile/secret-in-env,dockerfile/secret-in-arg,dockerfile/insecure-tls,dockerfile/add-url reason\n" + l + "\n")
	}
	for name, text := range map[string]string{"plain": src, "suppressed": quiet.String()} {
		t.Run(name, func(t *testing.T) {
			res := analyzeFile("Dockerfile", []byte(text), nil, nil)
			if len(res.findings)+len(res.suppressed) < len(lines) {
				t.Fatalf("only %d findings and %d suppressed for %d secret lines", len(res.findings), len(res.suppressed), len(lines))
			}
			var shown []string
			for _, f := range res.findings {
				shown = append(shown, f.Title, f.Message, f.Fix, f.Snippet, strings.Join(f.Refs, " "))
			}
			for _, s := range res.suppressed {
				shown = append(shown, s.Finding.Title, s.Finding.Message, s.Finding.Fix, s.Finding.Snippet, s.Reason, s.Where)
			}
			shown = append(shown, res.warnings...)
			doc, err := json.Marshal(res.findings)
			if err != nil {
				t.Fatal(err)
			}
			shown = append(shown, string(doc))
			all := strings.Join(shown, "\n")
			for _, s := range secrets {
				if strings.Contains(all, s) {
					for _, l := range strings.Split(all, "\n") {
						if i := strings.Index(l, s); i >= 0 {
							t.Errorf("a secret shows raw: %q", l[max(0, i-100):min(len(l), i+len(s)+20)])
						}
					}
				}
			}
		})
	}
}
