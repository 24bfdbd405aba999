package all_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/all"
	"github.com/secfirst-dev/secfirst/checks/report"
	"github.com/secfirst-dev/secfirst/hooks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// The hook runs git with the process's environment: it must be hermetic.
func TestMain(m *testing.M) { os.Exit(gittest.Main(m, nil)) }

// TestNoSecretOnAShownLineIsRaw puts two secrets on one line of a Python
// file and of a Dockerfile ENV, and a token only the secrets check knows
// the shape of on a Dockerfile RUN line that the Dockerfile check reports
// (curl piped to sh). Whatever the mode, whatever checks run (the
// Dockerfile check alone too), no secret is ever raw in a finding's
// snippet, a suppressed finding's, the text, JSON or SARIF report, or the
// hook's message, and the snippets are still shown, masked.
func TestNoSecretOnAShownLineIsRaw(t *testing.T) {
	ctx := context.Background()
	gh, aws, shop := gittest.FakeGitHubToken(), gittest.FakeAWSKey(), gittest.FakeShopifyToken()
	secrets := []string{gh, aws, shop}
	// What a failing test prints names the fake secrets, never shows them.
	hide := strings.NewReplacer(gh, "<GITHUB TOKEN>", aws, "<AWS KEY>", shop, "<SHOPIFY TOKEN>").Replace
	r := gittest.New(t)
	r.Write("README", "x\n")
	r.Commit("init")
	r.Write("app.py", "creds = \""+gh+"\" + \""+aws+"\"\nallowed = \""+aws+"\" + \""+gh+"\"  # gitleaks:allow\n")
	r.Write("Dockerfile", "FROM alpine:3.19\nENV GITHUB_TOKEN="+gh+" AWS_ACCESS_KEY_ID="+aws+"\n"+
		"RUN curl -fsSL https://get.example.com/install.sh?k="+shop+" | sh\nUSER 10001\n")
	r.Git("add", "-A")

	var outputs []string
	render := func(what string, rep *checks.Report) {
		var text, js, sarif bytes.Buffer
		rend := lipgloss.NewRenderer(&text)
		rend.SetColorProfile(termenv.Ascii)
		if err := report.WriteText(&text, rep, report.NewStyles(rend)); err != nil {
			t.Fatal(err)
		}
		if err := report.WriteJSON(&js, rep); err != nil {
			t.Fatal(err)
		}
		if err := report.WriteSARIF(&sarif, rep, "test"); err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, what+" text:\n"+text.String(), what+" json:\n"+js.String(), what+" sarif:\n"+sarif.String())
		for _, f := range rep.Findings {
			outputs = append(outputs, what+" snippet of "+f.Rule+": "+f.Snippet)
		}
		for _, s := range rep.Suppressed {
			outputs = append(outputs, what+" suppressed snippet of "+s.Finding.Rule+": "+s.Finding.Snippet)
		}
	}

	res, err := hooks.RunPreCommit(ctx, r.Dir, hooks.RunOptions{Offline: true, Checks: all.Checks(all.Options{Offline: true})})
	if err != nil {
		t.Fatal(err)
	}
	var msg bytes.Buffer
	rend := lipgloss.NewRenderer(&msg)
	rend.SetColorProfile(termenv.Ascii)
	if err := res.Write(&msg, report.NewStyles(rend)); err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, "hook message:\n"+msg.String())
	if !strings.Contains(msg.String(), "line:     creds = \"****\" + \"****\"") {
		t.Errorf("the hook must show the line with both secrets masked:\n%s", hide(msg.String()))
	}

	scan := func(mode checks.Mode, names ...string) *checks.Report {
		src, err := checks.NewRepoSource(ctx, r.Dir, mode)
		if err != nil {
			t.Fatal(err)
		}
		src.Env = r.Env
		list, err := checks.Select(all.Checks(all.Options{Offline: true}), names, nil)
		if err != nil {
			t.Fatal(err)
		}
		rep := checks.Scan(ctx, src, list, nil, checks.Options{})
		render(string(mode)+" "+strings.Join(names, ","), rep)
		return rep
	}
	scan(checks.ModeStaged)
	docker := scan(checks.ModeStaged, "dockerfile")
	shown := 0
	for _, f := range docker.Findings {
		if f.Line == 3 && f.Snippet != "" {
			shown++
			if !strings.Contains(f.Snippet, "install.sh?k=**** | sh") {
				t.Errorf("the RUN line must be shown with the token masked: %q", hide(f.Snippet))
			}
		}
	}
	if shown == 0 {
		t.Errorf("the Dockerfile check must report the curl | sh line with its snippet: %d findings", len(docker.Findings))
	}
	r.Git("commit", "-q", "--no-verify", "-m", "leak")
	scan(checks.ModeWorktree)
	scan(checks.ModeWorktree, "dockerfile")
	hist := scan(checks.ModeHistory)

	suppressed := 0
	for _, s := range hist.Suppressed {
		if s.By == checks.SuppressedByInline && s.Finding.Snippet != "" {
			suppressed++
		}
	}
	if suppressed == 0 {
		t.Errorf("the gitleaks:allow line's findings must be reported as suppressed, with a snippet: %d suppressed", len(hist.Suppressed))
	}
	for _, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("a raw secret in the %s", hide(out))
			}
		}
	}
}
