package all

import (
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks/dockerfile"
	"github.com/secfirst-dev/secfirst/checks/kubernetes"
	"github.com/secfirst-dev/secfirst/checks/terraform"
	"github.com/secfirst-dev/secfirst/lessons"
)

// Every rule a check can report must resolve to a lesson that names it. The
// gitleaks default rules are enforced in lessons/coverage_test.go, which
// loads gitleaks' own configuration.

func TestEveryDockerfileRuleIsNamedByALesson(t *testing.T) {
	rules := dockerfile.Rules()
	if len(rules) < 20 {
		t.Fatalf("only %d Dockerfile rules", len(rules))
	}
	for _, r := range rules {
		l, ok := lessons.ForRule(r.ID)
		if !ok {
			t.Errorf("%s has no lesson", r.ID)
			continue
		}
		// The family pattern dockerfile/* is a safety net, not coverage: a
		// new rule needs a lesson that speaks about it.
		if !namesExactly(l, r.ID) {
			t.Errorf("%s only resolves through a pattern (to %s); add it to the rules of the lesson that explains it", r.ID, l.ID)
		}
		if r.Lesson != l.ID {
			t.Errorf("%s: Rules() says lesson %q, the library says %q", r.ID, r.Lesson, l.ID)
		}
		if !strings.HasPrefix(l.ID, "containers-") {
			t.Errorf("%s resolves to %s, not a containers lesson", r.ID, l.ID)
		}
	}
}

func TestLessonsNameOnlyRealDockerfileRules(t *testing.T) {
	known := map[string]bool{}
	for _, r := range dockerfile.Rules() {
		known[r.ID] = true
	}
	for _, l := range lessons.All() {
		for _, id := range l.Rules {
			if strings.HasPrefix(id, "dockerfile/") && !strings.ContainsAny(id, "*?[") && !known[id] {
				t.Errorf("lesson %s names %s, which the dockerfile check does not have (renamed?)", l.ID, id)
			}
		}
	}
}

func TestEveryKubernetesRuleIsNamedByALesson(t *testing.T) {
	var rules []ruleLesson
	for _, r := range kubernetes.Rules() {
		rules = append(rules, ruleLesson{r.ID, r.Lesson})
	}
	checkRulesNamedByLessons(t, "kubernetes", rules, 25)
}

func TestEveryTerraformRuleIsNamedByALesson(t *testing.T) {
	var rules []ruleLesson
	for _, r := range terraform.Rules() {
		rules = append(rules, ruleLesson{r.ID, r.Lesson})
	}
	checkRulesNamedByLessons(t, "terraform", rules, 40)
}

// ruleLesson is a rule id and the lesson its check says it has.
type ruleLesson struct{ id, lesson string }

// checkRulesNamedByLessons asserts that every rule of a check is named by
// the lesson its check gives it, and that lessons name no rule of the
// check that does not exist.
func checkRulesNamedByLessons(t *testing.T, check string, rules []ruleLesson, atLeast int) {
	t.Helper()
	if len(rules) < atLeast {
		t.Fatalf("only %d %s rules", len(rules), check)
	}
	known := map[string]bool{}
	for _, r := range rules {
		known[r.id] = true
		l, ok := lessons.ForRule(r.id)
		if !ok || !namesExactly(l, r.id) {
			t.Errorf("%s has no lesson that names it", r.id)
			continue
		}
		if r.lesson != l.ID {
			t.Errorf("%s: Rules() says lesson %q, the library says %q", r.id, r.lesson, l.ID)
		}
	}
	for _, l := range lessons.All() {
		for _, id := range l.Rules {
			if strings.HasPrefix(id, check+"/") && !known[id] {
				t.Errorf("lesson %s names %s, which the %s check does not have (renamed?)", l.ID, id, check)
			}
		}
	}
}

func TestDependencyCasesHaveTheirLessons(t *testing.T) {
	// The rule ids the deps check passes to lessons.IDForRule.
	for rule, want := range map[string]string{
		"deps/direct":     "deps-vulnerable",
		"deps/transitive": "deps-transitive",
		"deps/no-fix":     "deps-no-fix",
	} {
		l, ok := lessons.ForRule(rule)
		if !ok || l.ID != want || !namesExactly(l, rule) {
			t.Errorf("%s: want lesson %s naming it", rule, want)
		}
	}
}

func TestFallbackLessonsOfTheChecksExist(t *testing.T) {
	for _, id := range []string{"secrets-leaked", "deps-vulnerable", dockerfile.LessonFallback, kubernetes.LessonFallback, terraform.LessonFallback} {
		if _, ok := lessons.Get(id); !ok {
			t.Errorf("fallback lesson %s is missing", id)
		}
	}
}

func namesExactly(l *lessons.Lesson, rule string) bool {
	for _, r := range l.Rules {
		if strings.EqualFold(r, rule) {
			return true
		}
	}
	return false
}
