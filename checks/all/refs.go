package all

import (
	"strings"

	"github.com/secfirst-dev/secfirst/checks/dockerfile"
	"github.com/secfirst-dev/secfirst/checks/kubernetes"
	"github.com/secfirst-dev/secfirst/checks/terraform"
)

// ruleRefs is a rule and the ids other tools give the same problem.
type ruleRefs struct {
	id   string
	refs []string
}

// rules lists the rules of every check that keeps a catalog, in report order.
func rules() []ruleRefs {
	var out []ruleRefs
	for _, r := range dockerfile.Rules() {
		out = append(out, ruleRefs{r.ID, r.Refs})
	}
	for _, r := range kubernetes.Rules() {
		out = append(out, ruleRefs{r.ID, r.Refs})
	}
	for _, r := range terraform.Rules() {
		out = append(out, ruleRefs{r.ID, r.Refs})
	}
	return out
}

// RulesForRef returns secfirst's rule ids whose findings carry ref, the id
// another tool gives the same problem (hadolint DL3002, Trivy AVD-DS-0002,
// Checkov CKV_DOCKER_8, a Pod Security Standards control...), compared
// without case, in catalog order: `secfirst learn DL3002` finds the lesson
// of the rule.
func RulesForRef(ref string) []string {
	var out []string
	for _, r := range rules() {
		for _, x := range r.refs {
			if strings.EqualFold(x, ref) {
				out = append(out, r.id)
				break
			}
		}
	}
	return out
}

// Refs lists every id of another tool that a rule's findings may carry.
func Refs() []string {
	var out []string
	for _, r := range rules() {
		out = append(out, r.refs...)
	}
	return out
}
