package terraform

import (
	"slices"
	"strings"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/lessons"
)

// LessonFallback is the lesson of a Terraform rule no lesson names.
const LessonFallback = "iac-scanning"

// The practices the rules check, as the checklist names them: each rule
// belongs to one, so a checklist item can take a practice's findings as
// its evidence.
const (
	PracticeEncryptionAtRest = "encryption-at-rest"
	PracticePublicDatabase   = "database-public"
	PracticeThreatDetection  = "database-threat-detection"
	PracticeAdminPorts       = "admin-ports"
	PracticePrivateClusters  = "private-clusters"
	PracticeTLS              = "tls"
	PracticeWAF              = "waf"
	PracticeAuditTrails      = "audit-trails"
	PracticeLeastPrivilege   = "least-privilege"
	PracticePublicStorage    = "public-storage"
)

// Practices lists every practice, in the order of the catalog.
var Practices = []string{
	PracticeEncryptionAtRest, PracticePublicDatabase, PracticeThreatDetection, PracticeAdminPorts,
	PracticePrivateClusters, PracticeTLS, PracticeWAF, PracticeAuditTrails, PracticeLeastPrivilege,
	PracticePublicStorage,
}

// RuleInfo describes one rule for lessons, documentation, the checklist
// and `learn`.
type RuleInfo struct {
	ID       string          `json:"id"`
	Slug     string          `json:"slug"`
	Title    string          `json:"title"`
	Severity checks.Severity `json:"severity"`
	// Cloud is aws, azure or google.
	Cloud string `json:"cloud"`
	// Practice is one of the Practice constants.
	Practice string `json:"practice"`
	// Resources are the Terraform resource types the rule reads.
	Resources []string `json:"resources"`
	// Refs are the equivalent Trivy (AWS-0086, AVD-AWS-0086...) and
	// Checkov (CKV_AWS_53...) ids. A finding carries the subset that
	// matches what it found.
	Refs   []string `json:"refs"`
	Lesson string   `json:"lesson"`
}

type rule struct {
	slug      string
	title     string
	severity  checks.Severity
	practice  string
	refs      []string
	resources []string
	check     func(a *analysis, r *resource)
}

// trivy spells a Trivy id both ways users write it in ignore files.
func trivy(id string) []string { return []string{id, "AVD-" + id} }

func refs(groups ...[]string) []string { return slices.Concat(groups...) }

func ids(s ...string) []string { return s }

func types(s ...string) []string { return s }

// RuleID is the full id of a rule slug: terraform/<slug>.
func RuleID(slug string) string { return CheckName + "/" + slug }

func cloudOf(slug string) string {
	switch {
	case strings.HasPrefix(slug, "aws-"):
		return "aws"
	case strings.HasPrefix(slug, "azure-"):
		return "azure"
	case strings.HasPrefix(slug, "gcp-"):
		return "google"
	}
	return ""
}

// Rules lists every rule the check can report, in catalog order.
func Rules() []RuleInfo {
	out := make([]RuleInfo, 0, len(catalog()))
	for _, r := range catalog() {
		id := RuleID(r.slug)
		out = append(out, RuleInfo{
			ID:        id,
			Slug:      r.slug,
			Title:     r.title,
			Severity:  r.severity,
			Cloud:     cloudOf(r.slug),
			Practice:  r.practice,
			Resources: append([]string(nil), r.resources...),
			Refs:      append([]string(nil), r.refs...),
			Lesson:    lessons.IDForRule(id, LessonFallback),
		})
	}
	return out
}

// PracticeRules are the ids of the rules that check one practice.
func PracticeRules(practice string) []string {
	var out []string
	for _, r := range catalog() {
		if r.practice == practice {
			out = append(out, RuleID(r.slug))
		}
	}
	return out
}
