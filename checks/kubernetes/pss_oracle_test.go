package kubernetes

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/policy"

	"github.com/secfirst-dev/secfirst/checks/internal/conformance"
)

// The Pod Security Standards rules are held to the Kubernetes project's own
// implementation, k8s.io/pod-security-admission's policy package (the code
// the API server's admission controller runs), at its latest version. It is
// a test dependency only: linked into the binary it would cost every
// secfirst process its package initialisation (see docs/kubernetes.md).
//
// Each policy check is mapped to the rules that enforce it; on every pod,
// the check must refuse the pod exactly when one of its rules fires.

// pssRules maps the admission controller's check ids to secfirst's rules.
var pssRules = map[string][]string{
	"privileged":                 {rulePrivileged},
	"hostNamespaces":             {ruleHostNetwork, ruleHostPID, ruleHostIPC},
	"hostPathVolumes":            {ruleHostPath},
	"hostPorts":                  {ruleHostPorts},
	"capabilities_baseline":      {ruleDangerousCaps},
	"appArmorProfile":            {ruleAppArmor},
	"seLinuxOptions":             {ruleSELinux},
	"procMount_restricted":       {ruleProcMount},
	"seccompProfile_baseline":    {ruleSeccompUnconfined},
	"sysctls":                    {ruleSysctls},
	"windowsHostProcess":         {ruleHostProcess},
	"hostProbesAndHostLifecycle": {ruleProbeHost},
	"restrictedVolumes":          {ruleHostPath, ruleVolumeTypes},
	"allowPrivilegeEscalation":   {rulePrivilegeEscalation},
	"runAsNonRoot":               {ruleRunAsNonRoot},
	"runAsUser":                  {ruleRunAsRootUser},
	"seccompProfile_restricted":  {ruleSeccompUnconfined, ruleSeccompNotSet},
	"capabilities_restricted":    {ruleDangerousCaps, ruleAddedCaps, ruleCapsNotDropped},
	// Baseline's procMount allows any mount type in a user namespace;
	// secfirst reports it at the Restricted level's strictness (the rule's
	// message says so), so it is compared outside user namespaces only.
	"procMount": {ruleProcMount},
}

// windowsExempt are the rules the Restricted checks skip on Windows pods:
// on those, the Restricted check is compared with these rules alone (the
// admission controller lets the Restricted capabilities and seccomp checks
// replace the Baseline ones, which it then no longer applies to Windows).
var windowsExempt = map[string][]string{
	"seccompProfile_restricted": {ruleSeccompNotSet},
	"capabilities_restricted":   {ruleAddedCaps, ruleCapsNotDropped},
}

// latestChecks are the admission controller's checks at their latest version.
func latestChecks(t *testing.T) map[string]policy.CheckPodFn {
	t.Helper()
	out := map[string]policy.CheckPodFn{}
	for _, c := range policy.DefaultChecks() {
		v := c.Versions[len(c.Versions)-1]
		out[string(c.ID)] = v.CheckPod
	}
	for id := range out {
		if _, ok := pssRules[id]; !ok {
			t.Errorf("the admission controller has a check %q that no rule is mapped to: a new Pod Security Standards control", id)
		}
	}
	for id := range pssRules {
		if _, ok := out[id]; !ok {
			t.Errorf("rules are mapped to %q, which the admission controller no longer has", id)
		}
	}
	return out
}

// comparePod evaluates one pod both ways and returns the disagreements.
func comparePod(t *testing.T, checksByID map[string]policy.CheckPodFn, manifest string, pod *corev1.Pod) []string {
	t.Helper()
	fired := map[string]bool{}
	for _, f := range CheckFile("pod.yaml", []byte(manifest)).Findings {
		fired[strings.TrimPrefix(f.Rule, CheckName+"/")] = true
	}
	windows := pod.Spec.OS != nil && pod.Spec.OS.Name == corev1.Windows
	userNS := pod.Spec.HostUsers != nil && !*pod.Spec.HostUsers
	var bad []string
	ids := make([]string, 0, len(checksByID))
	for id := range checksByID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if id == "procMount" && userNS {
			continue
		}
		rules := pssRules[id]
		if windows && windowsExempt[id] != nil {
			rules = windowsExempt[id]
		}
		res := checksByID[id](&pod.ObjectMeta, &pod.Spec)
		var ours []string
		for _, r := range rules {
			if fired[r] {
				ours = append(ours, r)
			}
		}
		if res.Allowed == (len(ours) > 0) {
			bad = append(bad, fmt.Sprintf("%s: admission allowed=%v (%s: %s), secfirst fired %v", id, res.Allowed, res.ForbiddenReason, res.ForbiddenDetail, ours))
		}
	}
	return bad
}

// podGenerator draws pods from the values each control cares about,
// including the edge cases (explicit false, empty profiles, lower-case
// ALL, user namespaces, Windows pods).
type podGenerator struct{ r *rand.Rand }

func (g podGenerator) pick(vs ...any) any { return vs[g.r.IntN(len(vs))] }

// maybe sets key to a value drawn from vs, or leaves it out (nil).
func (g podGenerator) maybe(m map[string]any, key string, vs ...any) {
	if v := g.pick(append([]any{nil}, vs...)...); v != nil {
		m[key] = v
	}
}

func (g podGenerator) profile(types ...any) any {
	if g.r.IntN(4) == 0 {
		return map[string]any{}
	}
	return map[string]any{"type": g.pick(types...)}
}

func (g podGenerator) container(name string) map[string]any {
	c := map[string]any{"name": name, "image": "registry.example/app:1.2"}
	sc := map[string]any{}
	g.maybe(sc, "privileged", true, false)
	g.maybe(sc, "allowPrivilegeEscalation", true, false, false)
	g.maybe(sc, "runAsNonRoot", true, true, false)
	g.maybe(sc, "runAsUser", 0, 1000)
	g.maybe(sc, "seccompProfile", g.profile("RuntimeDefault", "Localhost", "Unconfined"))
	g.maybe(sc, "appArmorProfile", g.profile("RuntimeDefault", "Localhost", "Unconfined"))
	g.maybe(sc, "seLinuxOptions", map[string]any{"type": "container_t"}, map[string]any{"type": "spc_t"}, map[string]any{"user": "system_u"}, map[string]any{"role": "sysadm_r"})
	g.maybe(sc, "procMount", "Default", "Unmasked")
	g.maybe(sc, "windowsOptions", map[string]any{"hostProcess": true}, map[string]any{"hostProcess": false})
	caps := map[string]any{}
	g.maybe(caps, "add", []any{"NET_BIND_SERVICE"}, []any{"CHOWN"}, []any{"SYS_ADMIN"}, []any{"NET_RAW", "NET_BIND_SERVICE"}, []any{})
	g.maybe(caps, "drop", []any{"ALL"}, []any{"ALL"}, []any{"all"}, []any{"NET_RAW"})
	if len(caps) > 0 || g.r.IntN(6) == 0 {
		sc["capabilities"] = caps
	}
	if len(sc) > 0 || g.r.IntN(6) == 0 {
		c["securityContext"] = sc
	}
	g.maybe(c, "ports", []any{map[string]any{"containerPort": 8080}}, []any{map[string]any{"containerPort": 8080, "hostPort": 8080}}, []any{map[string]any{"containerPort": 80, "hostPort": 0}})
	g.maybe(c, "livenessProbe", map[string]any{"httpGet": map[string]any{"path": "/", "port": 8080}}, map[string]any{"httpGet": map[string]any{"host": "10.0.0.1", "port": 80}}, map[string]any{"tcpSocket": map[string]any{"host": "db", "port": 5432}})
	return c
}

func (g podGenerator) pod(n int) map[string]any {
	spec := map[string]any{}
	g.maybe(spec, "hostNetwork", true, false)
	g.maybe(spec, "hostPID", true, false)
	g.maybe(spec, "hostIPC", true, false)
	g.maybe(spec, "hostUsers", false, true)
	g.maybe(spec, "os", map[string]any{"name": "windows"}, map[string]any{"name": "linux"})
	sc := map[string]any{}
	g.maybe(sc, "runAsNonRoot", true, true, false)
	g.maybe(sc, "runAsUser", 0, 1000)
	g.maybe(sc, "seccompProfile", g.profile("RuntimeDefault", "Localhost", "Unconfined"))
	g.maybe(sc, "appArmorProfile", g.profile("RuntimeDefault", "Unconfined"))
	g.maybe(sc, "seLinuxOptions", map[string]any{"type": "container_init_t"}, map[string]any{"type": "unconfined_t"})
	g.maybe(sc, "sysctls", []any{map[string]any{"name": "net.ipv4.tcp_syncookies", "value": "1"}}, []any{map[string]any{"name": "kernel.msgmax", "value": "1"}})
	g.maybe(sc, "windowsOptions", map[string]any{"hostProcess": true})
	if len(sc) > 0 {
		spec["securityContext"] = sc
	}
	g.maybe(spec, "volumes",
		[]any{map[string]any{"name": "tmp", "emptyDir": map[string]any{}}},
		[]any{map[string]any{"name": "host", "hostPath": map[string]any{"path": "/var/run/docker.sock"}}},
		[]any{map[string]any{"name": "nfs", "nfs": map[string]any{"server": "nfs", "path": "/"}}},
		[]any{map[string]any{"name": "cfg", "configMap": map[string]any{"name": "cfg"}}, map[string]any{"name": "repo", "gitRepo": map[string]any{"repository": "x"}}},
	)
	groups := map[string][]any{}
	for i := range 1 + g.r.IntN(3) {
		group := g.pick("containers", "containers", "initContainers", "ephemeralContainers").(string)
		groups[group] = append(groups[group], g.container(fmt.Sprintf("c%d", i)))
	}
	if groups["containers"] == nil {
		groups["containers"] = []any{g.container("main")}
	}
	for k, v := range groups {
		spec[k] = v
	}
	meta := map[string]any{"name": fmt.Sprintf("pod-%d", n)}
	if g.r.IntN(3) == 0 {
		meta["annotations"] = map[string]any{
			appArmorAnnotationPrefix + "c0": g.pick("runtime/default", "unconfined", "localhost/custom", ""),
		}
	}
	return map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
}

func TestPodSecurityStandardsMatchTheAdmissionController(t *testing.T) {
	const pods = 1500
	checksByID := latestChecks(t)
	g := podGenerator{rand.New(rand.NewPCG(19, 2026))}
	failures, forbidden := 0, map[string]int{}
	for n := range pods {
		obj := g.pod(n)
		manifest, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		var pod corev1.Pod
		js, _ := json.Marshal(obj)
		if err := json.Unmarshal(js, &pod); err != nil {
			t.Fatal(err)
		}
		for id, check := range checksByID {
			if !check(&pod.ObjectMeta, &pod.Spec).Allowed {
				forbidden[id]++
			}
		}
		if bad := comparePod(t, checksByID, string(manifest), &pod); len(bad) > 0 {
			failures++
			if failures <= 5 {
				t.Errorf("pod %d:\n%s\n%s", n, strings.Join(bad, "\n"), manifest)
			}
		}
	}
	if failures > 0 {
		t.Errorf("%d of %d generated pods disagree with the admission controller", failures, pods)
	}
	// The generator must exercise every control both ways.
	for id := range checksByID {
		if forbidden[id] == 0 || forbidden[id] == pods {
			t.Errorf("check %s refused %d of %d pods: the generator does not exercise it both ways", id, forbidden[id], pods)
		}
	}
}

// The workloads of the conformance set, each pod template converted to the
// API's own types, get the same verdicts from both.
func TestConformanceWorkloadsMatchTheAdmissionController(t *testing.T) {
	checksByID := latestChecks(t)
	compared := 0
	for _, c := range conformance.Read(t, conformance.File(t, "kubernetes", "trivy-checks.jsonl"), "manifest") {
		dec := yaml.NewDecoder(strings.NewReader(c.Input))
		for {
			var obj map[string]any
			if err := dec.Decode(&obj); err != nil {
				break
			}
			tmpl, kind := podTemplateOf(obj)
			if tmpl == nil {
				continue
			}
			js, err := json.Marshal(tmpl)
			if err != nil {
				continue
			}
			var pod corev1.Pod
			if err := json.Unmarshal(js, &pod); err != nil {
				continue // not valid for the API either
			}
			manifest, _ := yaml.Marshal(map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": tmpl["metadata"], "spec": tmpl["spec"]})
			if bad := comparePod(t, checksByID, string(manifest), &pod); len(bad) > 0 {
				t.Errorf("%s %s (%s): %s", c.Check, kind, c.Origin, strings.Join(bad, "; "))
			}
			compared++
		}
	}
	t.Logf("%d pod templates of the conformance set compared", compared)
	if compared < 200 {
		t.Errorf("only %d pod templates compared", compared)
	}
}

// podTemplateOf returns the pod template ({metadata, spec}) of a workload.
func podTemplateOf(obj map[string]any) (map[string]any, string) {
	kind, _ := obj["kind"].(string)
	tp, ok := templatePaths[kind]
	if !ok {
		return nil, ""
	}
	cur := obj
	for _, k := range tp {
		next, ok := cur[k].(map[string]any)
		if !ok {
			return nil, ""
		}
		cur = next
	}
	if _, ok := cur["spec"].(map[string]any); !ok {
		return nil, ""
	}
	return cur, kind
}
