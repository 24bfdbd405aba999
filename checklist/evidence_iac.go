package checklist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/kubernetes"
	"github.com/secfirst-dev/secfirst/checks/terraform"
	"github.com/secfirst-dev/secfirst/internal/safefile"
)

// The evidence of the cloud practices (pod security, private nodes, WAF,
// TLS, encryption, audit trails, least privilege...) from the Kubernetes
// manifests and Terraform files the repository tracks. The two checks run
// once per evaluation, through the evidence cache, for every item;
// iacSources says which of their rules verify which item.

// iacFiles lists the tracked files a check reads: YAML and JSON files for
// Kubernetes (which of them are manifests is decided by their content),
// .tf files for Terraform.
func (r *Repo) iacFiles(ctx context.Context, check string) ([]string, error) {
	tracked, err := r.Tracked(ctx)
	if err != nil {
		return nil, err
	}
	match := kubernetes.IsCandidatePath
	if check == checkTerraform {
		match = terraform.IsCandidatePath
	}
	var out []string
	for _, p := range tracked {
		if match(p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// The subjects of Kubernetes files: a manifest with a pod template (what
// the check reads), and one without (a Service, RBAC...).
const (
	workload = "workload"
	manifest = "manifest"
)

// subjectsOf reads the files a check has just scanned and says what the
// checklist counts in each: "workload" for a Kubernetes manifest the check
// reads (LooksLikeManifest and HoldsWorkloads, its own sniffs), "manifest"
// for one it has nothing to say about, the
// resource types ("aws_lb", "data.aws_iam_policy_document") of a .tf file,
// read with HashiCorp's HCL parser. Files read as the checks read them:
// regular files inside the repository, bounded. It is nil for other checks.
func (r *Repo) subjectsOf(check string, paths []string) map[string][]string {
	if check != checkKubernetes && check != checkTerraform {
		return nil
	}
	var out map[string][]string
	add := func(p string, v []string) {
		if len(v) == 0 {
			return
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[p] = v
	}
	for _, p := range paths {
		if check == checkKubernetes {
			data, err := safefile.ReadInRoot(r.Root, p, kubernetes.MaxManifestSize)
			switch {
			case err != nil || !kubernetes.LooksLikeManifest(data):
			case kubernetes.HoldsWorkloads(data):
				add(p, []string{workload})
			default:
				add(p, []string{manifest})
			}
			continue
		}
		data, err := safefile.ReadInRoot(r.Root, p, terraform.MaxFileSize)
		if err != nil {
			continue // the check names the file in a warning
		}
		add(p, resourceTypes(p, data))
	}
	return out
}

// resourceTypes are the types of the resource and data blocks of a .tf
// file, one per block, in file order. The blocks of a file that does not
// parse are those HCL's parser recovered (the check names the file).
func resourceTypes(name string, data []byte) []string {
	file, _ := hclsyntax.ParseConfig(data, name, hcl.InitialPos)
	if file == nil {
		return nil
	}
	body, ok := file.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var out []string
	for _, b := range body.Blocks {
		if len(b.Labels) == 0 {
			continue
		}
		switch b.Type {
		case "resource":
			out = append(out, b.Labels[0])
		case "data":
			out = append(out, "data."+b.Labels[0])
		}
	}
	return out
}

func (r *Repo) setSubjects(check string, s map[string][]string) {
	if check != checkKubernetes && check != checkTerraform {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.subjects == nil {
		r.subjects = map[string]map[string][]string{}
	}
	r.subjects[check] = s
}

func (r *Repo) subjectsFor(check string) map[string][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.subjects[check]
}

// ruleSetVersion identifies the rules of the Kubernetes and Terraform
// checks (ids, severities and equivalent ids): the evidence cache is
// keyed by it, so a new rule set never reuses an old scan. It is "" for
// the other checks.
func ruleSetVersion(check string) string {
	switch check {
	case checkKubernetes:
		return k8sRuleSet()
	case checkTerraform:
		return tfRuleSet()
	}
	return ""
}

var (
	k8sRuleSet = sync.OnceValue(func() string {
		h := sha256.New()
		for _, r := range kubernetes.Rules() {
			fmt.Fprintf(h, "%s\x00%s\x00%s\x00", r.ID, r.Severity, strings.Join(r.Refs, ","))
		}
		return hex.EncodeToString(h.Sum(nil)[:12])
	})
	tfRuleSet = sync.OnceValue(func() string {
		h := sha256.New()
		for _, r := range terraform.Rules() {
			fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00", r.ID, r.Severity, strings.Join(r.Refs, ","), strings.Join(r.Resources, ","))
		}
		return hex.EncodeToString(h.Sum(nil)[:12])
	})
)

// iacScan is one check's part of an item's evidence.
type iacScan struct {
	check string
	// files are the files the check read; subjects what they hold.
	files    []string
	subjects map[string][]string
	rep      *checks.Report
	// err is why the check could not run (switched off, failed).
	err error
}

// scanIaC lists a check's files and, when there are any, runs it through
// the evidence cache (once per Repo, for every item).
func (r *Repo) scanIaC(ctx context.Context, check string) iacScan {
	s := iacScan{check: check}
	s.files, s.err = r.iacFiles(ctx, check)
	if s.err != nil || len(s.files) == 0 {
		return s
	}
	s.rep, s.err = r.Scan(ctx, check)
	s.subjects = r.subjectsFor(check)
	return s
}

// notChecked are the warnings of a check that say a file could not be
// checked (it does not parse, is too large or unreadable, is a template),
// each shortened to "file:line (why)".
func notChecked(rep *checks.Report, check string) []string {
	if rep == nil {
		return nil
	}
	var out []string
	for _, w := range rep.Warnings {
		rest, ok := strings.CutPrefix(w, check+": ")
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(rest, "skipped "):
			rest = strings.TrimPrefix(rest, "skipped ")
			where, why, _ := strings.Cut(rest, ": ")
			out = append(out, fmt.Sprintf("%s (%s)", where, firstClause(why)))
		case strings.Contains(rest, " does not parse as "):
			where, why, _ := strings.Cut(rest, " does not parse as ")
			out = append(out, fmt.Sprintf("%s (does not parse as %s)", where, firstClause(why)))
		case strings.Contains(rest, "internal error"):
			out = append(out, firstClause(rest))
		}
	}
	return uniqSorted(out)
}

// firstClause cuts a warning's explanation at its first clause.
func firstClause(s string) string {
	if i := strings.IndexAny(s, ";:(."); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// iacEvidence is the evidence of one item from the Kubernetes manifests
// and Terraform files: automatic when the repository holds what the item's
// rules read, manual (and why) when it holds none.
func iacEvidence(src iacSource) func(ctx context.Context, r *Repo) Evidence {
	return func(ctx context.Context, r *Repo) Evidence {
		rules := src.rules()
		var (
			checked   []string // "2 manifests", "3 .tf files"
			resources = map[string]int{}
			hits      []checks.Finding
			sups      []checks.Suppression
			unchecked []string
			why       []string // why a source verifies nothing
			scanned   []string // the checks whose findings count
		)
		take := func(s iacScan) {
			for _, f := range s.rep.Findings {
				if rules[f.Rule] {
					hits = append(hits, f)
				}
			}
			for _, x := range s.rep.Suppressed {
				if rules[x.Finding.Rule] {
					sups = append(sups, x)
				}
			}
			unchecked = append(unchecked, notChecked(s.rep, s.check)...)
			scanned = append(scanned, s.check)
		}
		if len(src.Kubernetes) > 0 {
			s := r.scanIaC(ctx, checkKubernetes)
			switch {
			case s.err != nil:
				if ev, ok := iacCannot(checkKubernetes, s.err); ok {
					return ev
				}
				why = append(why, fmt.Sprintf("the %s check is %v", checkKubernetes, s.err))
			case workloads(s.subjects) == 0 && len(notChecked(s.rep, checkKubernetes)) == 0:
				if len(s.subjects) > 0 {
					why = append(why, fmt.Sprintf("the %s no workload (no pod template)", plural(len(s.subjects), "Kubernetes manifest holds", "Kubernetes manifests hold")))
				} else {
					why = append(why, noKubernetes)
				}
			default:
				if n := workloads(s.subjects); n > 0 { // else only templates and the like, which say so
					checked = append(checked, plural(n, "manifest", "manifests"))
				}
				take(s)
			}
		}
		if len(src.Terraform) > 0 {
			s := r.scanIaC(ctx, checkTerraform)
			types := src.resourceTypes()
			if s.err == nil {
				for _, ts := range s.subjects {
					for _, t := range ts {
						if types[t] {
							resources[t]++
						}
					}
				}
			}
			switch {
			case s.err != nil:
				if ev, ok := iacCannot(checkTerraform, s.err); ok {
					return ev
				}
				why = append(why, fmt.Sprintf("the %s check is %v", checkTerraform, s.err))
			case len(s.files) == 0:
				why = append(why, noTerraform)
			case len(resources) == 0 && len(notChecked(s.rep, checkTerraform)) == 0:
				why = append(why, fmt.Sprintf("%s no resource these rules read (%s)",
					plural(len(s.files), ".tf file holds", ".tf files hold"), listSome(sortedKeys(types), 4)))
			default:
				checked = append(checked, plural(len(s.files), ".tf file", ".tf files"))
				take(s)
			}
		}
		if len(scanned) == 0 {
			return Evidence{Status: Todo, Manual: true, Text: manualWhy(why) + " — review by hand"}
		}
		what := strings.Join(checked, ", ") + " checked"
		see := "see `secfirst scan --check " + strings.Join(scanned, ",") + "`"
		if len(hits) > 0 {
			// The most severe first: they are the ones shown.
			checks.SortFindings(hits)
			sort.SliceStable(hits, func(i, j int) bool { return hits[i].Severity.Rank() > hits[j].Severity.Rank() })
			var parts []string
			for _, f := range hits {
				parts = append(parts, f.Rule+" at "+f.Location())
			}
			text := fmt.Sprintf("%s: %s in %s: %s%s; %s",
				what, plural(len(hits), "finding", "findings"), plural(len(distinctFiles(hits)), "file", "files"),
				listSome(parts, 4), suppressedNote(sups, "; %d more"), see)
			if len(unchecked) > 0 {
				text += "; could not check " + listSome(unchecked, 2)
			}
			return Evidence{Status: Fail, Text: text}
		}
		if len(unchecked) > 0 {
			return Evidence{Status: Todo, Text: fmt.Sprintf("could not check %s, so this is not verified (no finding in the files secfirst could read)", listSome(unchecked, 2))}
		}
		text := what + ", no finding" + suppressedNote(sups, ", %d")
		if len(resources) > 0 {
			text += " (Terraform resources checked: " + countedTypes(resources) + ")"
		}
		if len(why) > 0 {
			text += "; " + manualWhy(why)
		}
		return Evidence{Status: Pass, Text: text}
	}
}

// workloads counts the Kubernetes manifests with a pod template.
func workloads(subjects map[string][]string) int {
	n := 0
	for _, v := range subjects {
		if len(v) > 0 && v[0] == workload {
			n++
		}
	}
	return n
}

// iacCannot is the evidence of a check that failed (not one switched off
// or missing, which leaves its part to people).
func iacCannot(check string, err error) (Evidence, bool) {
	if err == errCheckDisabled || err == errCheckMissing {
		return Evidence{}, false
	}
	return unavailable(check, err), true
}

// Why a source verifies nothing.
const (
	noKubernetes = "no Kubernetes manifest in this repository"
	noTerraform  = "no Terraform file in this repository"
)

// manualWhy joins the reasons a source verifies nothing: "no Kubernetes
// manifest or Terraform file in this repository" when both are missing.
func manualWhy(why []string) string {
	if len(why) == 2 && why[0] == noKubernetes && why[1] == noTerraform {
		return "no Kubernetes manifest or Terraform file in this repository"
	}
	return strings.Join(why, "; ")
}

// countedTypes is "2 aws_lb, 1 aws_cloudfront_distribution": the resource
// types by count, then name.
func countedTypes(n map[string]int) string {
	types := sortedKeys(n)
	sort.SliceStable(types, func(i, j int) bool { return n[types[i]] > n[types[j]] })
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("%d %s", n[t], t)
	}
	return listSome(parts, 4)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
