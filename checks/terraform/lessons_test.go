package terraform

import (
	"regexp"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/lessons"
)

// The Terraform examples of the lessons are checked: a "Before" example
// must raise every rule its text names (or, naming none, one of the
// lesson's rules), and the "After" example that follows must raise none
// of them. A lesson that teaches a fix the check does not accept, or a
// rule renamed under a lesson, fails here.
func TestLessonExamples(t *testing.T) {
	reRule := regexp.MustCompile("`(terraform/[a-z0-9-]+)`")
	reFence := regexp.MustCompile("(?s)```hcl\n(.*?)```")
	checked := 0
	for _, l := range lessons.All() {
		own := map[string]bool{}
		for _, r := range l.Rules {
			if strings.HasPrefix(r, "terraform/") {
				own[r] = true
			}
		}
		if len(own) == 0 && l.ID != LessonFallback {
			continue
		}
		body := l.Body
		var before map[string]bool // the rules the last Before example raised
		prev := 0
		for _, m := range reFence.FindAllStringSubmatchIndex(body, -1) {
			prose := strings.ToLower(body[prev:m[0]])
			prev = m[1]
			code := body[m[2]:m[3]]
			fired := map[string]bool{}
			for _, f := range CheckFile("example.tf", []byte(code)).Findings {
				fired[f.Rule] = true
			}
			// The example is what the last "before" or "after" of the
			// text above it says it is.
			isBefore := strings.LastIndex(prose, "before") > strings.LastIndex(prose, "after")
			switch {
			case isBefore:
				checked++
				named := reRule.FindAllStringSubmatch(body[m[0]-len(prose):m[0]], -1)
				before = map[string]bool{}
				for _, n := range named {
					if !fired[n[1]] {
						t.Errorf("%s: the Before example names %s, which does not fire on it (fired: %v)", l.ID, n[1], keys(fired))
					}
					before[n[1]] = true
				}
				if len(named) == 0 {
					any := false
					for r := range fired {
						if own[r] || len(own) == 0 {
							any, before[r] = true, true
						}
					}
					if !any {
						t.Errorf("%s: no rule of the lesson fires on its Before example (fired: %v)", l.ID, keys(fired))
					}
				}
			case strings.Contains(prose, "after"):
				checked++
				for r := range fired {
					if own[r] || before[r] {
						t.Errorf("%s: %s still fires on the After example", l.ID, r)
					}
				}
			}
		}
	}
	if checked < 16 {
		t.Errorf("only %d Terraform examples checked", checked)
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
