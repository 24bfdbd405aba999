package kubernetes

import (
	"strconv"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
)

// privilegedPod breaks two rules in one container: privileged (line 13)
// and a writable root file system (line 13 too, where the container is).
const privilegedPod = `apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: shell
      image: busybox:1.36
      resources: {limits: {cpu: 100m, memory: 64Mi}}
      securityContext:
        privileged: true
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
`

func suppressedRules(r Result) map[string]checks.Suppression {
	out := map[string]checks.Suppression{}
	for _, s := range r.Suppressed {
		out[strings.TrimPrefix(s.Finding.Rule, "kubernetes/")] = s
	}
	return out
}

func TestInlineSuppressions(t *testing.T) {
	base := CheckFile("pod.yaml", []byte(privilegedPod))
	if got := slugs(base.Findings); strings.Join(got, ",") != "privileged,writable-root-filesystem" {
		t.Fatalf("base findings %v", got)
	}
	for _, tc := range []struct {
		name, old, new string
		hidden         []string // rules suppressed
		where          int      // line of the suppression
		reason         string
	}{
		{"secfirst above the line", "        privileged: true\n", "        # secfirst:ignore=kubernetes/privileged node debugging pod, deleted after use\n        privileged: true\n",
			[]string{"privileged"}, 13, "node debugging pod, deleted after use"},
		{"secfirst at the end of the line, by slug", "        privileged: true\n", "        privileged: true  # secfirst:ignore=privileged debug pod\n",
			[]string{"privileged"}, 13, "debug pod"},
		{"secfirst above the container covers the container", "    - name: shell\n", "    # secfirst:ignore=kubernetes/privileged,kubernetes/writable-root-filesystem debug pod\n    - name: shell\n",
			[]string{"privileged", "writable-root-filesystem"}, 9, "debug pod"},
		{"secfirst above the resource covers the resource", "apiVersion: v1\n", "# secfirst:ignore=kubernetes/privileged debug pod\napiVersion: v1\n",
			[]string{"privileged"}, 1, "debug pod"},
		{"by a ref", "        privileged: true\n", "        # secfirst:ignore=CKV_K8S_16 debug pod\n        privileged: true\n",
			[]string{"privileged"}, 13, "debug pod"},
		{"trivy, every spelling", "        privileged: true\n", "        # trivy:ignore:KSV017\n        privileged: true\n",
			[]string{"privileged"}, 13, ""},
		{"trivy AVD spelling with a future expiry", "        privileged: true\n", "        #trivy:ignore:AVD-KSV-0017:exp:2999-01-01\n        privileged: true\n",
			[]string{"privileged"}, 13, ""},
		{"checkov comment", "        privileged: true\n", "        #checkov:skip=CKV_K8S_16:needs the host\n        privileged: true\n",
			[]string{"privileged"}, 13, "needs the host"},
		{"secfirst above a volume covers the volume", "  containers:\n", "  volumes:\n    # secfirst:ignore=kubernetes/host-path log shipper reads /var/log only\n    - name: logs\n      hostPath: {path: /var/log}\n  containers:\n",
			[]string{"host-path"}, 9, "log shipper reads /var/log only"},
		{"checkov annotation", "  name: debug\n", "  name: debug\n  annotations:\n    checkov.io/skip1: CKV_K8S_16=needs the host\n",
			[]string{"privileged"}, 6, "needs the host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(privilegedPod, tc.old, tc.new, 1)
			r := CheckFile("pod.yaml", []byte(doc))
			sup := suppressedRules(r)
			for _, h := range tc.hidden {
				s, ok := sup[h]
				if !ok {
					t.Errorf("%s not suppressed; findings %v\n%s", h, slugs(r.Findings), numbered(doc))
					continue
				}
				if s.By != checks.SuppressedByInline || s.Where != "pod.yaml:"+strconv.Itoa(tc.where) || s.Reason != tc.reason {
					t.Errorf("%s suppression %+v, want pod.yaml:%d reason %q", h, s, tc.where, tc.reason)
				}
			}
			if want := 2 + strings.Count(tc.new, "hostPath"); len(r.Findings)+len(r.Suppressed) != want {
				t.Errorf("findings %v + suppressed %v: a suppression must not lose or add findings", slugs(r.Findings), sup)
			}
		})
	}
}

func TestSuppressionsThatDoNotApply(t *testing.T) {
	for _, tc := range []struct{ name, old, new string }{
		{"expired trivy ignore", "        privileged: true\n", "        # trivy:ignore:KSV-0017:exp:2020-01-01\n        privileged: true\n"},
		{"another rule", "        privileged: true\n", "        # secfirst:ignore=kubernetes/host-pid not this one\n        privileged: true\n"},
		{"a blank line between", "        privileged: true\n", "        # secfirst:ignore=kubernetes/privileged too far\n\n        privileged: true\n"},
		{"a comment about another line", "        allowPrivilegeEscalation: false\n", "        # secfirst:ignore=kubernetes/privileged wrong place\n        allowPrivilegeEscalation: false\n"},
		{"inside a string", "      image: busybox:1.36\n", "      image: busybox:1.36\n      args: [\"# secfirst:ignore=kubernetes/privileged no\"]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(privilegedPod, tc.old, tc.new, 1)
			r := CheckFile("pod.yaml", []byte(doc))
			if _, ok := rulesAt(r.Findings)["privileged"]; !ok {
				t.Errorf("privileged was suppressed\n%s", numbered(doc))
			}
		})
	}
}

func TestSuppressionWithoutReasonWarns(t *testing.T) {
	doc := strings.Replace(privilegedPod, "        privileged: true\n", "        # secfirst:ignore=kubernetes/privileged\n        privileged: true\n", 1)
	r := CheckFile("pod.yaml", []byte(doc))
	if len(r.Suppressed) != 1 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "pod.yaml line 13") || !strings.Contains(r.Warnings[0], "gives no reason") {
		t.Errorf("suppressed %d, warnings %q", len(r.Suppressed), r.Warnings)
	}
}
