package checklist

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// scanKind is what a CI scan looks for.
type scanKind string

const (
	scanSecrets scanKind = "secret"
	scanDeps    scanKind = "dependency"
	scanImages  scanKind = "image"
	scanIaC     scanKind = "infrastructure-as-code"
)

// ciStep is one unit of CI work: a GitHub Actions step, a GitLab job, or a
// line of a CI file secfirst does not parse structurally.
type ciStep struct {
	File string // relative to the repository root
	Line int
	Text string // what runs: action references, commands and inputs, lower case
	Soft string // why a failure of this step does not fail the build ("" when it does)
}

// ciScan is a security scanner found in CI.
type ciScan struct {
	Tool  string
	Kinds []scanKind
	File  string
	Line  int
	Soft  string
}

func (s ciScan) where() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

func (s ciScan) has(k scanKind) bool {
	for _, x := range s.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// ciConfig is what the repository's CI files run.
type ciConfig struct {
	Files []string
	Scans []ciScan
	// Skipped are the CI files that were not read: not regular files, or
	// too large (each is also a warning).
	Skipped []string
}

type ciOnce struct {
	once sync.Once
	cfg  *ciConfig
	err  error
}

// ciFilePatterns are the CI configurations secfirst reads, as path.Match
// patterns relative to the root.
var ciFilePatterns = []string{
	".github/workflows/*.yml", ".github/workflows/*.yaml",
	".gitlab-ci.yml", ".gitlab-ci.yaml", ".gitlab/ci/*.yml", ".gitlab/ci/*.yaml",
	".circleci/config.yml", ".circleci/config.yaml",
	"azure-pipelines.yml", "azure-pipelines.yaml", ".azure-pipelines/*.yml", ".azure-pipelines/*.yaml",
	"bitbucket-pipelines.yml", "Jenkinsfile", "*.jenkinsfile", "Jenkinsfile.*",
	".travis.yml", ".drone.yml", ".buildkite/pipeline.yml", ".buildkite/pipeline.yaml",
	".woodpecker.yml", ".woodpecker.yaml", ".woodpecker/*.yml", ".woodpecker/*.yaml",
	"cloudbuild.yaml", "cloudbuild.yml", "buildspec.yml", "buildspec.yaml",
	".tekton/*.yaml", ".tekton/*.yml",
}

// isCIFile reports whether a repository path is a CI configuration.
func isCIFile(p string) bool {
	for _, pat := range ciFilePatterns {
		if ok, _ := path.Match(pat, p); ok {
			return true
		}
	}
	return false
}

// CI reads and analyses the repository's CI files once per Repo.
func (r *Repo) CI(ctx context.Context) (*ciConfig, error) {
	r.mu.Lock()
	if r.ci == nil {
		r.ci = &ciOnce{}
	}
	c := r.ci
	r.mu.Unlock()
	c.once.Do(func() {
		files, err := r.Files(ctx)
		if err != nil {
			c.err = err
			return
		}
		cfg := &ciConfig{}
		for _, p := range files {
			if !isCIFile(p) {
				continue
			}
			data, err := r.readRepoFile(p)
			if err != nil {
				cfg.Skipped = append(cfg.Skipped, p)
				continue
			}
			cfg.Files = append(cfg.Files, p)
			for _, st := range ciSteps(p, data) {
				cfg.Scans = append(cfg.Scans, detectScans(st)...)
			}
		}
		cfg.Skipped = append(cfg.Skipped, r.warnOther(isCIFile)...)
		sort.Strings(cfg.Skipped)
		c.cfg = cfg
	})
	return c.cfg, c.err
}

// ciSteps splits a CI file into steps.
func ciSteps(p string, data []byte) []ciStep {
	switch {
	case strings.HasPrefix(p, ".github/workflows/"):
		if steps, ok := githubSteps(p, data); ok {
			return steps
		}
	case strings.HasPrefix(path.Base(p), ".gitlab-ci.") || strings.HasPrefix(p, ".gitlab/ci/"):
		if steps, ok := gitlabSteps(p, data); ok {
			return steps
		}
	}
	return lineSteps(p, data)
}

// lineSteps treats each line as a step: good enough to see which scanner a
// Jenkinsfile or a CircleCI config runs and whether the line swallows its
// failure.
func lineSteps(p string, data []byte) []ciStep {
	var steps []ciStep
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		t := strings.ToLower(strings.TrimSpace(l))
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") {
			continue
		}
		st := ciStep{File: p, Line: i + 1, Text: t}
		st.Soft = swallowed(t)
		if st.Soft == "" && strings.Contains(t, "allow_failure: true") {
			st.Soft = "allow_failure: true"
		}
		steps = append(steps, st)
	}
	return steps
}

var swallowPattern = regexp.MustCompile(`\|\|\s*(true|:|exit 0|echo\b)`)

// swallowed says why a shell command's failure is ignored, if it is.
func swallowed(text string) string {
	if m := swallowPattern.FindString(text); m != "" {
		return "`" + m + "` ignores its failure"
	}
	return ""
}

func isTrue(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && strings.EqualFold(n.Value, "true")
}

// scalarText flattens a node's scalars ("key: value" for mappings).
func scalarText(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(n *yaml.Node, key string)
	walk = func(n *yaml.Node, key string) {
		switch n.Kind {
		case yaml.ScalarNode:
			if key != "" {
				b.WriteString(key + ": ")
			}
			b.WriteString(n.Value)
			b.WriteString("\n")
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], n.Content[i].Value)
			}
		case yaml.SequenceNode, yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, key)
			}
		}
	}
	walk(n, "")
	return strings.ToLower(b.String())
}

func ciRoot(data []byte) (*yaml.Node, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, false
	}
	return doc.Content[0], true
}

// githubSteps reads a GitHub Actions workflow: each step's action, command
// and inputs, and continue-on-error on the step or its job.
func githubSteps(p string, data []byte) ([]ciStep, bool) {
	root, ok := ciRoot(data)
	if !ok {
		return nil, false
	}
	jobs := lookup(root, "jobs")
	if jobs == nil || jobs.Kind != yaml.MappingNode {
		return nil, true
	}
	var steps []ciStep
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		job := jobs.Content[i+1]
		if job.Kind != yaml.MappingNode {
			continue
		}
		jobSoft := ""
		if isTrue(lookup(job, "continue-on-error")) {
			jobSoft = "continue-on-error: true on job " + jobs.Content[i].Value
		}
		if uses := lookup(job, "uses"); uses != nil {
			// A reusable workflow.
			steps = append(steps, ciStep{File: p, Line: uses.Line, Text: scalarText(uses) + scalarText(lookup(job, "with")), Soft: jobSoft})
		}
		list := lookup(job, "steps")
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		for _, s := range list.Content {
			if s.Kind != yaml.MappingNode {
				continue
			}
			text := scalarText(lookup(s, "uses")) + scalarText(lookup(s, "run")) + scalarText(lookup(s, "with"))
			st := ciStep{File: p, Line: s.Line, Text: text, Soft: jobSoft}
			switch {
			case isTrue(lookup(s, "continue-on-error")):
				st.Soft = "continue-on-error: true"
			case st.Soft == "":
				st.Soft = swallowed(text)
			}
			steps = append(steps, st)
		}
	}
	return steps, true
}

// gitlabKeywords are top-level keys of .gitlab-ci.yml that are not jobs.
var gitlabKeywords = map[string]bool{"stages": true, "variables": true, "default": true, "workflow": true, "include": true, "image": true, "services": true, "cache": true, "before_script": true, "after_script": true}

// gitlabSteps reads GitLab CI: includes (GitLab's security templates) and
// each job's image and scripts, with allow_failure.
func gitlabSteps(p string, data []byte) ([]ciStep, bool) {
	root, ok := ciRoot(data)
	if !ok {
		return nil, false
	}
	var steps []ciStep
	if inc := lookup(root, "include"); inc != nil {
		steps = append(steps, ciStep{File: p, Line: inc.Line, Text: scalarText(inc)})
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		name, job := root.Content[i].Value, root.Content[i+1]
		if gitlabKeywords[name] || job.Kind != yaml.MappingNode {
			continue
		}
		var text strings.Builder
		for _, k := range []string{"image", "extends", "before_script", "script", "after_script", "trigger"} {
			text.WriteString(scalarText(lookup(job, k)))
		}
		st := ciStep{File: p, Line: root.Content[i].Line, Text: text.String()}
		if af := lookup(job, "allow_failure"); isTrue(af) || (af != nil && af.Kind == yaml.MappingNode) {
			st.Soft = "allow_failure on job " + name
		} else {
			st.Soft = swallowed(st.Text)
		}
		steps = append(steps, st)
	}
	return steps, true
}

var (
	reSecfirst      = regexp.MustCompile(`\bsecfirst(?:\.exe)?\s+(?:scan|hook)\b|secfirst-dev/secfirst`)
	reSecfirstCheck = regexp.MustCompile(`--check[ =]([a-z,]+)`)
	reFailOnNever   = regexp.MustCompile(`--fail-on[ =]never`)
	reGitleaks      = regexp.MustCompile(`gitleaks/gitleaks-action|\bgitleaks\s+(?:detect|git|dir|directory|protect|stdin)\b`)
	reZeroExit      = regexp.MustCompile(`(?:--exit-code[ =]|exit-code:\s*)['"]?0\b`)
	reNonZeroExit   = regexp.MustCompile(`(?:--exit-code[ =]|exit-code:\s*)['"]?[1-9]`)
	reTrufflehogAct = regexp.MustCompile(`trufflesecurity/trufflehog`)
	reTrufflehog    = regexp.MustCompile(`\btrufflehog\s+(?:git|github|gitlab|filesystem|docker|s3)\b`)
	reOSV           = regexp.MustCompile(`google/osv-scanner-action|\bosv-scanner\b`)
	reTrivyAction   = regexp.MustCompile(`aquasecurity/trivy-action`)
	reTrivyCLI      = regexp.MustCompile(`\btrivy\s+(?:-[^\s]+\s+)*(image|i|fs|filesystem|repo|repository|rootfs|config|conf|k8s|kubernetes|sbom|vm)\b`)
	reTrivyScanType = regexp.MustCompile(`scan-type:\s*['"]?([a-z]+)`)
	reTrivyScanners = regexp.MustCompile(`(?:--scanners[ =]|scanners:\s*)['"]?([a-z,]+)`)
	reSnykAction    = regexp.MustCompile(`snyk/actions/([a-z0-9.-]+)`)
	reSnykCLI       = regexp.MustCompile(`\bsnyk\s+(test|container\s+test|iac\s+test|monitor|container\s+monitor)\b`)
	reSnykCommand   = regexp.MustCompile(`command:\s*['"]?([a-z ]+)`)
	reMend          = regexp.MustCompile(`\bmend\s+(dep|deps|sca|image)\b|\bwhitesource\b|wss-unified-agent`)
	reGrypeAction   = regexp.MustCompile(`anchore/scan-action`)
	reGrype         = regexp.MustCompile(`\bgrype\s`)
	reGrypeFailFlag = regexp.MustCompile(`\s-f\s`)
	reScoutAction   = regexp.MustCompile(`docker/scout-action`)
	reScout         = regexp.MustCompile(`\bdocker\s+scout\s+(?:cves|quickview|recommendations)\b`)
	reTfsec         = regexp.MustCompile(`aquasecurity/tfsec-(?:action|pr-commenter-action)|\btfsec\b`)
	reCheckov       = regexp.MustCompile(`bridgecrewio/checkov-action|\bcheckov\b`)
	reKics          = regexp.MustCompile(`checkmarx/kics-github-action|\bkics\s+scan\b`)
	reTerrascan     = regexp.MustCompile(`tenable/terrascan-action|\bterrascan\s+scan\b`)
	reSoftFail      = regexp.MustCompile(`soft_fail:\s*['"]?true|--soft-fail\b|soft-fail:\s*['"]?true`)
	reDepReview     = regexp.MustCompile(`actions/dependency-review-action`)
	reAudits        = regexp.MustCompile(`golang/govulncheck-action|\bgovulncheck\b|\b(?:npm|pnpm|yarn)\s+audit\b|\bpip-audit\b|\bcargo\s+audit\b|\bbundle(?:r)?[ -]audit\b|dependency-check|\bsafety\s+check\b`)
	reGitlabTpl     = regexp.MustCompile(`(?:security|jobs)/(secret-detection|dependency-scanning|container-scanning|sast-iac)`)
)

// detectScans finds the security scanners a step runs.
func detectScans(st ciStep) []ciScan {
	t := st.Text
	var out []ciScan
	add := func(tool string, soft string, kinds ...scanKind) {
		if soft == "" {
			soft = st.Soft
		}
		if len(kinds) > 0 {
			out = append(out, ciScan{Tool: tool, Kinds: kinds, File: st.File, Line: st.Line, Soft: soft})
		}
	}
	if reSecfirst.MatchString(t) {
		kinds := []scanKind{scanSecrets, scanDeps}
		if m := reSecfirstCheck.FindStringSubmatch(t); m != nil {
			kinds = nil
			for _, c := range strings.Split(m[1], ",") {
				switch c {
				case "secrets":
					kinds = append(kinds, scanSecrets)
				case "deps":
					kinds = append(kinds, scanDeps)
				}
			}
		}
		soft := ""
		if reFailOnNever.MatchString(t) {
			soft = "--fail-on never"
		}
		add("secfirst", soft, kinds...)
	}
	if reGitleaks.MatchString(t) {
		soft := ""
		if reZeroExit.MatchString(t) {
			soft = "exit code 0 on findings"
		}
		add("gitleaks", soft, scanSecrets)
	}
	if reTrufflehogAct.MatchString(t) {
		add("trufflehog", "", scanSecrets)
	} else if reTrufflehog.MatchString(t) {
		soft := ""
		if !strings.Contains(t, "--fail") {
			soft = "trufflehog exits 0 on findings without --fail"
		}
		add("trufflehog", soft, scanSecrets)
	}
	if reOSV.MatchString(t) {
		soft := ""
		if strings.Contains(t, "fail-on-vuln: false") {
			soft = "fail-on-vuln: false"
		}
		add("osv-scanner", soft, scanDeps)
	}
	trivyMode := ""
	if reTrivyAction.MatchString(t) {
		trivyMode = "image" // the action's default scan-type
		if m := reTrivyScanType.FindStringSubmatch(t); m != nil {
			trivyMode = m[1]
		}
	} else if m := reTrivyCLI.FindStringSubmatch(t); m != nil {
		trivyMode = m[1]
	}
	if trivyMode != "" {
		soft := ""
		if !reNonZeroExit.MatchString(t) {
			soft = "trivy exits 0 on findings unless given --exit-code 1"
		}
		add("trivy "+trivyMode, soft, trivyKinds(trivyMode, t)...)
	}
	if m := reSnykAction.FindStringSubmatch(t); m != nil {
		cmd := "test"
		if c := reSnykCommand.FindStringSubmatch(t); c != nil {
			cmd = strings.TrimSpace(c[1])
		}
		kind := scanDeps
		switch m[1] {
		case "docker":
			kind = scanImages
		case "iac":
			kind = scanIaC
		}
		soft := ""
		if strings.Contains(cmd, "monitor") {
			soft = "snyk monitor only reports"
		}
		add("snyk "+m[1], soft, kind)
	} else if m := reSnykCLI.FindStringSubmatch(t); m != nil {
		sub := strings.Join(strings.Fields(m[1]), " ")
		kind := scanDeps
		switch {
		case strings.HasPrefix(sub, "container"):
			kind = scanImages
		case strings.HasPrefix(sub, "iac"):
			kind = scanIaC
		}
		soft := ""
		if strings.HasSuffix(sub, "monitor") {
			soft = "snyk monitor only reports"
		}
		add("snyk "+sub, soft, kind)
	}
	if m := reMend.FindStringSubmatch(t); m != nil {
		kind := scanDeps
		if m[1] == "image" {
			kind = scanImages
		}
		add("mend", "", kind)
	}
	if reGrypeAction.MatchString(t) {
		soft := ""
		if strings.Contains(t, "fail-build: false") {
			soft = "fail-build: false"
		}
		add("grype", soft, scanImages)
	} else if reGrype.MatchString(t) {
		soft := ""
		if !strings.Contains(t, "--fail-on") && !reGrypeFailFlag.MatchString(t) {
			soft = "grype exits 0 on findings without --fail-on"
		}
		add("grype", soft, scanImages)
	}
	if reScoutAction.MatchString(t) || reScout.MatchString(t) {
		soft := ""
		if !strings.Contains(t, "exit-code: true") && !strings.Contains(t, "--exit-code") {
			soft = "docker scout exits 0 on findings without exit-code"
		}
		add("docker scout", soft, scanImages)
	}
	iacSoft := ""
	if reSoftFail.MatchString(t) {
		iacSoft = "soft fail"
	}
	if reTfsec.MatchString(t) {
		add("tfsec", iacSoft, scanIaC)
	}
	if reCheckov.MatchString(t) {
		add("checkov", iacSoft, scanIaC)
	}
	if reKics.MatchString(t) {
		add("kics", "", scanIaC)
	}
	if reTerrascan.MatchString(t) {
		add("terrascan", "", scanIaC)
	}
	if reDepReview.MatchString(t) {
		soft := ""
		if strings.Contains(t, "warn-only: true") {
			soft = "warn-only: true"
		}
		add("dependency-review-action", soft, scanDeps)
	}
	if m := reAudits.FindString(t); m != "" {
		add(strings.Join(strings.Fields(strings.TrimPrefix(m, "golang/")), " "), "", scanDeps)
	}
	for _, m := range reGitlabTpl.FindAllStringSubmatch(t, -1) {
		kind := map[string]scanKind{"secret-detection": scanSecrets, "dependency-scanning": scanDeps, "container-scanning": scanImages, "sast-iac": scanIaC}[m[1]]
		add("GitLab "+m[1]+" template", "GitLab's security templates report findings without failing the pipeline", kind)
	}
	return out
}

// trivyKinds maps a trivy mode (and --scanners) to what it scans.
func trivyKinds(mode, text string) []scanKind {
	switch mode {
	case "image", "i", "vm":
		return []scanKind{scanImages}
	case "config", "conf":
		return []scanKind{scanIaC}
	case "k8s", "kubernetes":
		return []scanKind{scanImages, scanIaC}
	case "sbom":
		return []scanKind{scanDeps}
	}
	// fs, repo, rootfs: vulnerabilities and secrets by default.
	scanners := "vuln,secret"
	if m := reTrivyScanners.FindStringSubmatch(text); m != nil {
		scanners = m[1]
	}
	var kinds []scanKind
	for _, s := range strings.Split(scanners, ",") {
		switch s {
		case "vuln":
			kinds = append(kinds, scanDeps)
		case "secret":
			kinds = append(kinds, scanSecrets)
		case "misconfig", "config":
			kinds = append(kinds, scanIaC)
		}
	}
	return kinds
}

// kindStatus sums up how CI covers one kind of scan.
type kindStatus struct {
	hard []ciScan // scans that fail the build on findings
	soft []ciScan // scans whose findings do not fail the build
}

func (c *ciConfig) coverage(k scanKind) kindStatus {
	var ks kindStatus
	for _, s := range c.Scans {
		if !s.has(k) {
			continue
		}
		if s.Soft == "" {
			ks.hard = append(ks.hard, s)
		} else {
			ks.soft = append(ks.soft, s)
		}
	}
	return ks
}

// tools names the scanners of a list, once each, with their files.
func tools(scans []ciScan) string {
	var names []string
	seen := map[string]bool{}
	for _, s := range scans {
		n := s.Tool + " in " + s.File
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return listSome(names, 3)
}

func softList(scans []ciScan) string {
	var parts []string
	seen := map[string]bool{}
	for _, s := range scans {
		p := fmt.Sprintf("%s (%s: %s)", s.Tool, s.where(), s.Soft)
		if !seen[p] {
			seen[p] = true
			parts = append(parts, p)
		}
	}
	return listSome(parts, 2)
}

func ciScansEvidence(ctx context.Context, r *Repo) Evidence {
	cfg, err := r.CI(ctx)
	if err != nil {
		return cannot("the CI configuration", err)
	}
	ev := ciScans(ctx, r, cfg)
	if len(cfg.Skipped) > 0 {
		ev.Text += fmt.Sprintf(" (not read: %s)", listSome(cfg.Skipped, 3))
		if ev.Status == Pass {
			// What the unread files run is unknown, but what was read
			// already does the job.
			return ev
		}
		return Evidence{Status: Todo, Text: ev.Text}
	}
	return ev
}

// ciScans is the CI evidence from the CI files that could be read.
func ciScans(ctx context.Context, r *Repo, cfg *ciConfig) Evidence {
	if len(cfg.Files) == 0 {
		return Evidence{Status: Fail, Text: "no CI configuration found (GitHub Actions, GitLab CI, CircleCI, Azure Pipelines, Bitbucket, Jenkins, ...): nothing scans what is merged"}
	}
	kinds := []scanKind{scanSecrets, scanDeps}
	dockerfiles, err := r.Dockerfiles(ctx)
	if err != nil {
		return cannot("the Dockerfiles", err)
	}
	if len(dockerfiles) > 0 {
		kinds = append(kinds, scanImages)
	}
	var good, missing, softParts []string
	for _, k := range kinds {
		cov := cfg.coverage(k)
		switch {
		case len(cov.hard) > 0:
			good = append(good, fmt.Sprintf("%s (%s)", k, tools(cov.hard)))
		case len(cov.soft) > 0:
			softParts = append(softParts, fmt.Sprintf("the %s scan does not fail the build: %s", k, softList(cov.soft)))
		default:
			missing = append(missing, string(k))
		}
	}
	if len(missing) == 0 && len(softParts) == 0 {
		return Evidence{Status: Pass, Text: "CI fails the build on " + joinAnd(good) + " scan findings"}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("CI (%s) runs no %s scan", listSome(cfg.Files, 2), joinOr(missing)))
	}
	parts = append(parts, softParts...)
	if len(good) > 0 {
		parts = append(parts, "it does fail on "+joinAnd(good)+" findings")
	}
	return Evidence{Status: Fail, Text: strings.Join(parts, "; ")}
}

func joinOr(s []string) string {
	if len(s) < 2 {
		return joinAnd(s)
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func imageScanEvidence(ctx context.Context, r *Repo) Evidence {
	dockerfiles, err := r.Dockerfiles(ctx)
	if err != nil {
		return cannot("the Dockerfiles", err)
	}
	if len(dockerfiles) == 0 {
		return Evidence{Status: NA, Text: "no Dockerfile in the repository, so no image to scan"}
	}
	cfg, err := r.CI(ctx)
	if err != nil {
		return cannot("the CI configuration", err)
	}
	cov := cfg.coverage(scanImages)
	switch {
	case len(cov.hard) > 0:
		return Evidence{Status: Pass, Text: "CI scans images with " + tools(cov.hard) + " and fails the build on findings"}
	case len(cov.soft) > 0:
		return Evidence{Status: Fail, Text: "CI scans images but findings do not fail the build: " + softList(cov.soft)}
	}
	return Evidence{Status: Fail, Text: fmt.Sprintf("%s but no image scan in CI (Trivy, Grype, Snyk Container, Docker Scout)", plural(len(dockerfiles), "Dockerfile", "Dockerfiles"))}
}

// isTerraform reports whether a path is Terraform source (not a module
// downloaded into .terraform/).
func isTerraform(p string) bool {
	if strings.Contains("/"+p, "/.terraform/") {
		return false
	}
	return strings.HasSuffix(p, ".tf") || strings.HasSuffix(p, ".tf.json")
}

func iacScannedEvidence(ctx context.Context, r *Repo) Evidence {
	files, err := r.Files(ctx)
	if err != nil {
		return cannot("the repository's files", err)
	}
	var tf []string
	for _, p := range files {
		if isTerraform(p) {
			tf = append(tf, p)
		}
	}
	if len(tf) == 0 {
		return Evidence{Status: NA, Text: "no Terraform files (*.tf) in the repository"}
	}
	sort.Strings(tf)
	cfg, err := r.CI(ctx)
	if err != nil {
		return cannot("the CI configuration", err)
	}
	cov := cfg.coverage(scanIaC)
	what := fmt.Sprintf("%s (%s)", plural(len(tf), "Terraform file", "Terraform files"), listSome(tf, 2))
	switch {
	case len(cov.hard) > 0:
		return Evidence{Status: Pass, Text: what + " scanned in CI by " + tools(cov.hard) + ", failing the build on findings"}
	case len(cov.soft) > 0:
		return Evidence{Status: Fail, Text: what + " scanned in CI but findings do not fail the build: " + softList(cov.soft)}
	}
	return Evidence{Status: Fail, Text: what + " but no infrastructure-as-code scan in CI (tfsec, trivy config, Checkov)"}
}
