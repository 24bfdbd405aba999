package checklist

import (
	"github.com/secfirst-dev/secfirst/checks/kubernetes"
	"github.com/secfirst-dev/secfirst/checks/terraform"
)

// iacSource says what verifies one checklist item from the repository's
// Kubernetes manifests and Terraform files: the Kubernetes rules and the
// Terraform practices (each practice's rules) whose findings fail it. An
// item listed here is manual in the template and becomes automatic in a
// repository that holds what its rules read (see iacEvidence).
type iacSource struct {
	// Item is the checklist item's id.
	Item string
	// Kubernetes are rule ids (kubernetes/<slug>).
	Kubernetes []string
	// Terraform are practices (terraform.Practice*).
	Terraform []string
}

func k8s(slugs ...string) []string {
	out := make([]string, len(slugs))
	for i, s := range slugs {
		out[i] = kubernetes.RuleID(s)
	}
	return out
}

func practices(p ...string) []string { return p }

// iacSources is the mapping from checklist item to the rules that verify
// it: the one place it is written (docs/checklist.md has it as a table).
//
// Deliberately not mapped: the Kubernetes resource limits and image tags
// (no item of the template; base-images-pinned is about Dockerfiles),
// net-bind-service (allowed by the Restricted standard), and the Terraform
// public-storage practice (no template item speaks of public buckets).
var iacSources = []iacSource{
	{Item: "pod-security", Kubernetes: k8s(
		// Pod Security Standards, Baseline.
		"privileged", "host-network", "host-pid", "host-ipc", "host-path", "host-ports",
		"dangerous-capabilities", "apparmor-profile", "selinux-options", "proc-mount",
		"seccomp-unconfined", "unsafe-sysctls", "windows-host-process", "probe-host",
		// Restricted.
		"restricted-volume-types", "privilege-escalation", "run-as-non-root", "run-as-root-user",
		"seccomp-not-set", "capabilities-not-dropped", "added-capabilities",
		// And the read-only root file system the item names.
		"writable-root-filesystem")},
	{Item: "private-nodes", Terraform: practices(terraform.PracticePrivateClusters)},
	{Item: "private-connectivity", Terraform: practices(terraform.PracticeAdminPorts, terraform.PracticePublicDatabase)},
	{Item: "database-firewall", Terraform: practices(terraform.PracticePublicDatabase, terraform.PracticeThreatDetection)},
	{Item: "tls-everywhere", Terraform: practices(terraform.PracticeTLS)},
	{Item: "waf", Terraform: practices(terraform.PracticeWAF)},
	{Item: "encryption", Terraform: practices(terraform.PracticeEncryptionAtRest, terraform.PracticeTLS)},
	{Item: "audit-trails", Terraform: practices(terraform.PracticeAuditTrails)},
	{Item: "least-privilege", Kubernetes: k8s("service-account-token-automount"), Terraform: practices(terraform.PracticeLeastPrivilege)},
	{Item: "secrets-in-secret-manager", Kubernetes: k8s("secret-in-env")},
}

// iacSourceOf returns the mapping of one item.
func iacSourceOf(id string) (iacSource, bool) {
	for _, s := range iacSources {
		if s.Item == id {
			return s, true
		}
	}
	return iacSource{}, false
}

// rules are the ids of every rule whose findings fail the item.
func (s iacSource) rules() map[string]bool {
	out := map[string]bool{}
	for _, id := range s.Kubernetes {
		out[id] = true
	}
	for _, p := range s.Terraform {
		for _, id := range terraform.PracticeRules(p) {
			out[id] = true
		}
	}
	return out
}

// resourceTypes are the Terraform resource types ("data.x" for a data
// source) the item's rules read.
func (s iacSource) resourceTypes() map[string]bool {
	out := map[string]bool{}
	want := map[string]bool{}
	for _, p := range s.Terraform {
		want[p] = true
	}
	for _, r := range terraform.Rules() {
		if want[r.Practice] {
			for _, t := range r.Resources {
				out[t] = true
			}
		}
	}
	return out
}

// uses are the scans the item's evidence comes from.
func (s iacSource) uses() []string {
	var out []string
	if len(s.Kubernetes) > 0 {
		out = append(out, kubernetes.CheckName)
	}
	if len(s.Terraform) > 0 {
		out = append(out, terraform.CheckName)
	}
	return out
}

// iacProviders are the providers of the items iacSources maps.
func iacProviders() []Provider {
	out := make([]Provider, 0, len(iacSources))
	for _, s := range iacSources {
		out = append(out, Provider{ID: s.Item, Promotes: true, Evaluate: iacEvidence(s), Uses: s.uses()})
	}
	return out
}
