package checklist

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/secfirst-dev/secfirst/internal/atomicfile"
)

// TemplateItem is one practice of the default template.
type TemplateItem struct {
	ID       string
	Title    string
	Category string
	Lesson   string
	Kind     Kind
}

// Template is the default checklist: the practices of a secure cloud SaaS
// team over the six areas of Areas. Automatic items have an evidence
// provider of the same id (see DefaultProviders).
var Template = []TemplateItem{
	// Code and supply chain.
	{"secret-scanning-hook", "A secret-scanning pre-commit hook is installed", "code-and-supply-chain", "secrets-leaked", Auto},
	{"no-secrets-in-tracked-files", "No secrets in the tracked files", "code-and-supply-chain", "secrets-leaked", Auto},
	{"no-secrets-in-history", "No secrets anywhere in the git history", "code-and-supply-chain", "secrets-history", Auto},
	{"no-vulnerable-dependencies", "Dependencies are scanned and none has a known vulnerability", "code-and-supply-chain", "deps-vulnerable", Auto},
	{"dependency-updates-automated", "Dependency updates are automated (Dependabot, Renovate)", "code-and-supply-chain", "deps-vulnerable", Auto},
	{"ci-security-scans", "CI runs secret, dependency and image scans and fails the build on findings", "code-and-supply-chain", "fail-the-build-early", Auto},
	{"env-files-ignored", ".env files are kept out of git by .gitignore", "code-and-supply-chain", "secret-manager", Auto},
	{"security-policy", "A SECURITY.md tells people how to report a vulnerability", "code-and-supply-chain", "incident-response", Auto},
	{"licence-compliance", "Open-source licences of dependencies are checked for compliance", "code-and-supply-chain", "dependency-and-licence-scanning", Manual},
	{"quality-gate", "Pull requests pass a code quality gate (e.g. SonarCloud) before merge", "code-and-supply-chain", "quality-gates", Manual},
	{"secrets-in-secret-manager", "Application secrets live in a secret manager, not in code or images", "code-and-supply-chain", "secret-manager", Manual},

	// Containers and clusters.
	{"containers-non-root", "Containers run as a non-root user", "containers-and-clusters", "containers-non-root", Auto},
	{"base-images-pinned", "Base images are pinned to a version or digest", "containers-and-clusters", "containers-base-image-pinning", Auto},
	{"images-scanned", "Images are scanned for vulnerabilities before they are pushed (e.g. Trivy)", "containers-and-clusters", "image-scanning", Auto},
	{"pod-security", "Pods run non-root with a read-only root file system and no privilege escalation", "containers-and-clusters", "pod-security", Manual},
	{"private-nodes", "Cluster nodes are private (no public IP addresses)", "containers-and-clusters", "private-nodes", Manual},
	{"os-patching", "Node OS patches are applied automatically with safe reboots (e.g. kured)", "containers-and-clusters", "os-patching", Manual},

	// Infrastructure.
	{"iac-scanned", "Infrastructure as code (Terraform) is scanned in CI (e.g. tfsec, Trivy, Checkov)", "infrastructure", "iac-scanning", Auto},
	{"waf", "A web application firewall is in front of every public entry point", "infrastructure", "waf", Manual},
	{"security-headers", "Content-Security-Policy and related security headers are set", "infrastructure", "security-headers", Manual},
	{"ddos-protection", "DDoS protection is enabled on public endpoints", "infrastructure", "ddos-protection", Manual},
	{"tls-everywhere", "TLS everywhere: no plain-text traffic, in or between services", "infrastructure", "tls-and-private-connectivity", Manual},
	{"private-connectivity", "Services reach each other and their databases over private networks", "infrastructure", "tls-and-private-connectivity", Manual},
	{"database-firewall", "Database firewall rules and threat detection are enabled", "infrastructure", "database-firewall", Manual},

	// Identity and access.
	{"sso", "People sign in through SSO (OIDC or SAML)", "identity-and-access", "sso-oidc-saml", Manual},
	{"mfa-enforced", "MFA is enforced for every account", "identity-and-access", "mfa", Manual},
	{"least-privilege", "Roles follow least privilege; nobody works as an administrator day to day", "identity-and-access", "least-privilege", Manual},
	{"roles-over-access-keys", "Workloads use roles instead of access keys; remaining keys are rotated", "identity-and-access", "access-keys-and-roles", Manual},
	{"leavers-removed", "Leavers lose all access on their last day", "identity-and-access", "offboarding", Manual},
	{"audit-trails", "Audit trails are enabled in every region in use", "identity-and-access", "audit-trails", Manual},

	// Data.
	{"encryption", "Data is encrypted at rest and in transit", "data", "encryption-at-rest", Manual},
	{"tenant-isolation", "Tenant data is isolated: no customer can reach another's data", "data", "tenant-isolation", Manual},
	{"no-production-data-in-lower-environments", "No production data in lower environments unless scrubbed", "data", "data-scrubbing", Manual},
	{"data-classification", "Data is classified and sensitive fields are masked", "data", "data-classification", Manual},
	{"logs-free-of-secrets", "Logs are free of secrets and personal data", "data", "logs-without-secrets", Manual},

	// Operations.
	{"monitoring-alerting", "Monitoring alerts on abnormal behaviour", "operations", "monitoring-and-alerting", Manual},
	{"incident-response", "An incident response plan exists and the team knows it", "operations", "incident-response", Manual},
	{"penetration-test", "A penetration test is done every year and its findings fixed", "operations", "penetration-tests", Manual},
	{"security-training", "Engineers receive security training (secfirst onboard counts)", "operations", "shared-responsibility", Manual},
}

const templateHeader = `secfirst security checklist: the practices of a secure cloud SaaS team,
reviewed like code. https://github.com/secfirst-dev/secfirst

Each item: id, title, category, lesson (secfirst learn <lesson>), kind,
status (pass, fail, todo, n/a, accepted-risk), owner, note, reviewed_by and
reviewed_at (YYYY-MM-DD). An item not reviewed for 90 days is stale
(stale_after_days under [checklist] in .secfirst.toml).

kind: auto items are verified by secfirst from the repository every time
this file is read; their status and evidence are never stored here. Only
n/a or accepted-risk (with a note) may be set on them by hand.

Record a review with: secfirst checklist set ID --status S --note "..."
or walk the list with: secfirst checklist review
Comments and order you add here are kept.`

// TemplateYAML returns the text `secfirst checklist init` writes.
func TemplateYAML() []byte {
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	prevArea := ""
	for _, t := range Template {
		m := &yaml.Node{Kind: yaml.MappingNode}
		add := func(k, v string) {
			m.Content = append(m.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k},
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v})
		}
		add("id", t.ID)
		add("title", t.Title)
		add("category", t.Category)
		add("lesson", t.Lesson)
		add("kind", string(t.Kind))
		if t.Kind == Manual {
			add("status", string(Todo))
		}
		if t.Category != prevArea {
			m.HeadComment = "# " + AreaTitle(t.Category)
			prevArea = t.Category
		}
		seq.Content = append(seq.Content, m)
	}
	top := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "version"},
		{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(SchemaVersion)},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "items"},
		seq,
	}}
	var header []string
	for _, l := range strings.Split(templateHeader, "\n") {
		header = append(header, strings.TrimRight("# "+l, " "))
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, HeadComment: strings.Join(header, "\n"), Content: []*yaml.Node{top}}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		panic(err) // static data: a failure is a bug caught by the tests
	}
	enc.Close()
	// A blank line before each area's heading makes the file easy to scan.
	out := strings.ReplaceAll(buf.String(), "\n  # ", "\n\n  # ")
	out = strings.Replace(out, "\nitems:\n\n", "\nitems:\n", 1)
	return []byte(out)
}

// IgnoreName is the .gitignore that Init writes beside the checklist, and
// IgnoreText its content: it keeps the temporary file of a write that was
// interrupted (a crash between writing and renaming) out of `git add -A`.
// The next write removes such a file (see Update).
const (
	IgnoreName = ".gitignore"
	IgnoreText = "# Written by `secfirst checklist init`: the temporary file of an interrupted\n" +
		"# write of the checklist is never committed (the next write removes it).\n" +
		"/.*.tmp-*\n"
)

// Init writes the default template to the repository's checklist, and a
// .gitignore beside it for the temporary files of interrupted writes. It
// never overwrites: when the file exists it returns created=false and
// leaves it exactly as it is. A .secfirst or checklist.yaml that is a
// symbolic link is refused (a *SymlinkError): init never writes through
// a link, which a hostile repository could point outside itself.
func Init(root string) (path string, created bool, err error) {
	path = Path(root)
	unlock, err := Lock(context.Background(), root)
	if err != nil {
		return path, false, err
	}
	defer unlock()
	if err := checkPath(path); err != nil {
		return path, false, err
	}
	if _, err := os.Lstat(path); err == nil {
		return path, false, nil
	}
	dir := filepath.Dir(path)
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return path, false, fmt.Errorf("cannot create %s: %w", dir, unwrapPathErr(err))
	}
	// Mkdir does not follow a link that appeared meanwhile; check again.
	if err := checkPath(path); err != nil {
		return path, false, err
	}
	removeLeftovers(root)
	if err := atomicfile.CreateExclusive(path, TemplateYAML(), 0o644); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return path, false, nil
		}
		return path, false, err
	}
	// The repository's own .gitignore there, if any, is kept as it is.
	if err := atomicfile.CreateExclusive(filepath.Join(dir, IgnoreName), []byte(IgnoreText), 0o644); err != nil && !errors.Is(err, fs.ErrExist) {
		return path, true, err
	}
	return path, true, nil
}
