package kubernetes

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/internal/checktest"
	"github.com/secfirst-dev/secfirst/lessons"
)

// hardened is a Deployment that follows every rule: the reference the
// tests break one setting at a time.
const hardened = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: app
          image: registry.example.com/web:1.4.2
          ports:
            - containerPort: 8080
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          resources:
            limits: {cpu: 500m, memory: 256Mi}
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: db, key: password}
`

// rulesAt maps each rule slug that fired to the lines it fired on.
func rulesAt(fs []checks.Finding) map[string][]int {
	out := map[string][]int{}
	for _, f := range fs {
		s := strings.TrimPrefix(f.Rule, CheckName+"/")
		out[s] = append(out[s], f.Line)
	}
	return out
}

func slugs(fs []checks.Finding) []string {
	var out []string
	for s := range rulesAt(fs) {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func TestHardenedDeploymentIsClean(t *testing.T) {
	r := CheckFile("deploy.yaml", []byte(hardened))
	if len(r.Findings) != 0 || len(r.Warnings) != 0 {
		t.Fatalf("findings %v, warnings %v", slugs(r.Findings), r.Warnings)
	}
}

// Each case changes the hardened Deployment and expects exactly these
// rules, on these lines.
func TestEachRuleFiresOnItsSetting(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           map[string][]int
	}{
		{"privileged", "            readOnlyRootFilesystem: true\n", "            readOnlyRootFilesystem: true\n            privileged: true\n",
			map[string][]int{"privileged": {26}}},
		{"host network", "      automountServiceAccountToken: false\n", "      automountServiceAccountToken: false\n      hostNetwork: true\n      hostPID: yes\n      hostIPC: on\n",
			map[string][]int{"host-network": {14}, "host-pid": {15}, "host-ipc": {16}}},
		{"quoted true is not a boolean", "      automountServiceAccountToken: false\n", "      automountServiceAccountToken: false\n      hostNetwork: \"true\"\n",
			map[string][]int{}},
		{"host path", "          env:\n", "          volumeMounts: [{name: sock, mountPath: /var/run/docker.sock}]\n          env:\n",
			map[string][]int{}},
		{"host ports", "            - containerPort: 8080\n", "            - containerPort: 8080\n              hostPort: 80\n",
			map[string][]int{"host-ports": {23}}},
		{"dangerous capability", `              drop: ["ALL"]`, `              drop: ["ALL"]` + "\n              add: [SYS_ADMIN, CHOWN]",
			map[string][]int{"dangerous-capabilities": {28}, "added-capabilities": {28}}},
		{"net bind service", `              drop: ["ALL"]`, `              drop: ["ALL"]` + "\n              add: [NET_BIND_SERVICE]",
			map[string][]int{"net-bind-service": {28}}},
		{"drop all in lower case", `drop: ["ALL"]`, `drop: ["all"]`, map[string][]int{"capabilities-not-dropped": {27}}},
		{"no capabilities", "            capabilities:\n              drop: [\"ALL\"]\n", "",
			map[string][]int{"capabilities-not-dropped": {19}}},
		{"privilege escalation unset", "            allowPrivilegeEscalation: false\n", "",
			map[string][]int{"privilege-escalation": {19}}},
		{"privilege escalation true", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true",
			map[string][]int{"privilege-escalation": {24}}},
		{"run as non-root unset", "        runAsNonRoot: true\n", "",
			map[string][]int{"run-as-non-root": {18}}},
		{"run as root user", "        runAsNonRoot: true\n", "        runAsNonRoot: true\n        runAsUser: 0\n",
			map[string][]int{"run-as-root-user": {16}}},
		{"run as non-root false in a user namespace", "        runAsNonRoot: true\n", "        runAsNonRoot: false\n        runAsUser: 0\n      hostUsers: false\n",
			map[string][]int{}},
		{"seccomp unset", "        seccompProfile:\n          type: RuntimeDefault\n", "",
			map[string][]int{"seccomp-not-set": {17}}},
		{"seccomp unconfined", "type: RuntimeDefault", "type: Unconfined",
			map[string][]int{"seccomp-unconfined": {17}}},
		{"sysctls", "        runAsNonRoot: true\n", "        runAsNonRoot: true\n        sysctls: [{name: kernel.msgmax, value: \"65536\"}, {name: net.ipv4.tcp_syncookies, value: \"1\"}]\n",
			map[string][]int{"unsafe-sysctls": {16}}},
		{"selinux", "            readOnlyRootFilesystem: true\n", "            readOnlyRootFilesystem: true\n            seLinuxOptions: {type: spc_t}\n",
			map[string][]int{"selinux-options": {26}}},
		{"proc mount", "            readOnlyRootFilesystem: true\n", "            readOnlyRootFilesystem: true\n            procMount: Unmasked\n",
			map[string][]int{"proc-mount": {26}}},
		{"apparmor field", "            readOnlyRootFilesystem: true\n", "            readOnlyRootFilesystem: true\n            appArmorProfile:\n              type: Unconfined\n",
			map[string][]int{"apparmor-profile": {27}}},
		{"apparmor annotation", "      labels: {app: web}\n", "      labels: {app: web}\n      annotations:\n        container.apparmor.security.beta.kubernetes.io/app: unconfined\n",
			map[string][]int{"apparmor-profile": {13}}},
		{"windows host process", "            readOnlyRootFilesystem: true\n", "            readOnlyRootFilesystem: true\n            windowsOptions: {hostProcess: true}\n",
			map[string][]int{"windows-host-process": {26}}},
		{"probe host", "          ports:\n", "          livenessProbe: {httpGet: {host: metadata.internal, port: 80}}\n          ports:\n",
			map[string][]int{"probe-host": {21}}},
		{"writable root", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false",
			map[string][]int{"writable-root-filesystem": {25}}},
		{"no limits", "          resources:\n            limits: {cpu: 500m, memory: 256Mi}\n", "",
			map[string][]int{"no-cpu-limit": {19}, "no-memory-limit": {19}}},
		{"latest", "web:1.4.2", "web:latest", map[string][]int{"latest-tag": {20}}},
		{"untagged with a registry port", "registry.example.com/web:1.4.2", "registry.example.com:5000/web",
			map[string][]int{"untagged-image": {20}}},
		{"pinned by digest", "web:1.4.2", "web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
			map[string][]int{}},
		{"token automount", "      automountServiceAccountToken: false\n", "", map[string][]int{"service-account-token-automount": {12}}},
		{"secret in env", "              valueFrom:\n                secretKeyRef: {name: db, key: password}\n", "              value: hunter2-correct-horse\n",
			map[string][]int{"secret-in-env": {32}}},
		{"a URL with a password in env", "            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: {name: db, key: password}\n", "            - name: DATABASE_URL\n              value: postgres://app:s3cr3t@db:5432/shop\n",
			map[string][]int{"secret-in-env": {32}}},
		{"a setting about a secret", "            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: {name: db, key: password}\n", "            - name: DB_PASSWORD_FILE\n              value: /run/secrets/db\n            - name: API_TOKEN\n              value: $(TOKEN_FROM_SECRET)\n            - name: GOOGLE_API_KEY\n              value: GOOGLE_API_KEY_VAL\n            - name: STRIPE_SECRET\n              value: <your stripe secret>\n            - name: APP_TOKEN\n              value: replace-me\n",
			map[string][]int{}},
		{"hostPath", "      containers:\n", "      volumes:\n        - name: sock\n          hostPath: {path: /var/run/docker.sock}\n        - name: data\n          nfs: {server: nfs.example, path: /}\n      containers:\n",
			map[string][]int{"host-path": {20}, "restricted-volume-types": {22}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(hardened, tc.old) {
				t.Fatalf("the hardened manifest has no %q", tc.old)
			}
			doc := strings.Replace(hardened, tc.old, tc.new, 1)
			r := CheckFile("deploy.yaml", []byte(doc))
			got := rulesAt(r.Findings)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v\n%s", got, tc.want, numbered(doc))
			}
			for _, f := range r.Findings {
				if f.Message == "" || f.Fix == "" || f.Title == "" || f.Fingerprint == "" || f.Severity.Rank() == 0 || f.Lesson == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
		})
	}
}

func numbered(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%3d %s\n", i+1, l)
	}
	return b.String()
}

// A bare Pod as people write it first: every gap is named, once, with a
// fix that says exactly what to add and where.
func TestBarePodFindingsAndFixes(t *testing.T) {
	const pod = `apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
    - name: shell
      image: busybox
`
	r := CheckFile("pod.yaml", []byte(pod))
	want := []string{"capabilities-not-dropped", "no-cpu-limit", "no-memory-limit", "privilege-escalation", "run-as-non-root",
		"seccomp-not-set", "service-account-token-automount", "untagged-image", "writable-root-filesystem"}
	if got := slugs(r.Findings); !slices.Equal(got, want) {
		t.Fatalf("rules %v, want %v", got, want)
	}
	fixes := map[string]string{}
	for _, f := range r.Findings {
		fixes[strings.TrimPrefix(f.Rule, "kubernetes/")] = f.Fix
	}
	for slug, want := range map[string]string{
		"privilege-escalation":     "Add `securityContext: {allowPrivilegeEscalation: false}` to container \"shell\" (line 7).",
		"capabilities-not-dropped": "Add `securityContext: {capabilities: {drop: [\"ALL\"]}}` to container \"shell\" (line 7).",
		"run-as-non-root":          "Add `securityContext: {runAsNonRoot: true}` to the pod spec at spec (line 5).",
		"seccomp-not-set":          "Add `securityContext: {seccompProfile: {type: RuntimeDefault}}` to the pod spec at spec (line 5).",
		"no-memory-limit":          "Add `resources: {limits: {memory: 512Mi}}` to container \"shell\" (line 7).",
		"untagged-image":           "Pin a version on line 8: `image: busybox:<version>`",
	} {
		if !strings.HasPrefix(fixes[slug], want) {
			t.Errorf("%s fix:\n got %s\nwant %s...", slug, fixes[slug], want)
		}
	}
}

// A fix names the deepest part of the path that exists.
func TestFixAddsToWhatExists(t *testing.T) {
	doc := strings.Replace(hardened, "            capabilities:\n              drop: [\"ALL\"]\n", "            capabilities: {add: [CHOWN]}\n", 1)
	doc = strings.Replace(doc, "          resources:\n            limits: {cpu: 500m, memory: 256Mi}\n", "          resources:\n            requests: {memory: 128Mi}\n", 1)
	fixes := map[string]string{}
	for _, f := range CheckFile("deploy.yaml", []byte(doc)).Findings {
		fixes[strings.TrimPrefix(f.Rule, "kubernetes/")] = f.Fix
	}
	for slug, want := range map[string]string{
		"capabilities-not-dropped": "Add `drop: [\"ALL\"]` to the securityContext.capabilities of container \"app\" (line 26).",
		"no-memory-limit":          "Add `limits: {memory: 128Mi}` to the resources of container \"app\" (line 27).",
	} {
		if !strings.HasPrefix(fixes[slug], want) {
			t.Errorf("%s fix:\n got %s\nwant %s...\n%s", slug, fixes[slug], want, numbered(doc))
		}
	}
}

func TestWorkloadKindsAndTheirTemplates(t *testing.T) {
	const manifests = `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          hostPID: true
          containers: [{name: job, image: "job:1"}]
---
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent}
    spec:
      template:
        spec:
          hostNetwork: true
          containers: [{name: agent, image: "agent:2"}]
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: cfg}
    data: {hostNetwork: "true"}
---
# a document with comments only
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      initContainers:
        - {name: init, image: "db:1", securityContext: {privileged: true}}
      containers: [{name: db, image: "db:1"}]
`
	r := CheckFile("all.yaml", []byte(manifests))
	got := rulesAt(r.Findings)
	for slug, lines := range map[string][]int{"host-pid": {10}, "host-network": {22}, "privileged": {38}} {
		if !slices.Equal(got[slug], lines) {
			t.Errorf("%s at %v, want %v", slug, got[slug], lines)
		}
	}
	if len(r.Warnings) > 0 {
		t.Errorf("warnings: %v", r.Warnings)
	}
	msgs := map[string]string{}
	for _, f := range r.Findings {
		msgs[f.Rule] = f.Message
	}
	if m := msgs["kubernetes/privileged"]; !strings.HasPrefix(m, `Init container "init" of StatefulSet "db" runs privileged`) {
		t.Errorf("privileged message does not name the container and workload: %s", m)
	}
}

// Anchors, aliases and merge keys are resolved; a self-referencing alias
// does not loop.
func TestAnchorsAndMergeKeys(t *testing.T) {
	const doc = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - &base
      name: a
      image: app:1
      resources: {limits: {cpu: 1, memory: 1Gi}}
      securityContext: &locked {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
    - <<: *base
      name: b
    - name: c
      image: app:1
      resources: {limits: {cpu: 1, memory: 1Gi}}
      securityContext:
        <<: *locked
        privileged: true
`
	r := CheckFile("pod.yaml", []byte(doc))
	got := rulesAt(r.Findings)
	if fmt.Sprint(got) != fmt.Sprint(map[string][]int{"privileged": {20}}) {
		t.Errorf("got %v\n%s", got, numbered(doc))
	}
	// An alias cycle parses (yaml.v3 allows it) and must not hang.
	CheckFile("cycle.yaml", []byte("apiVersion: v1\nkind: Pod\nspec: &s\n  containers: [*s]\n"))
}

func TestTemplatesAndBrokenYAMLAreWarnings(t *testing.T) {
	helm := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"app.fullname\" . }}\nspec:\n  template:\n    spec:\n      {{- with .Values.podSecurityContext }}\n      securityContext:\n        {{- toYaml . | nindent 8 }}\n      {{- end }}\n"
	r := CheckFile("chart/templates/deployment.yaml", []byte(helm))
	if len(r.Findings) != 0 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "skipped chart/templates/deployment.yaml:") || !strings.Contains(r.Warnings[0], "helm template") {
		t.Errorf("helm template: findings %v, warnings %q", slugs(r.Findings), r.Warnings)
	}
	broken := "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  hostPID: true\n  containers: [{name: a, image: \"a:1\"}]\n---\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n   image: bad-indent\n"
	r = CheckFile("pods.yaml", []byte(broken))
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "pods.yaml:10 does not parse as YAML: did not find expected key;") || !strings.Contains(r.Warnings[0], "from there on") {
		t.Errorf("broken YAML: warnings %q", r.Warnings)
	}
	if got := rulesAt(r.Findings); !slices.Equal(got["host-pid"], []int{5}) {
		t.Errorf("the document before the error is still checked: %v", got)
	}
	// Templated values that do parse are unknown, not findings.
	quoted := strings.Replace(hardened, "image: registry.example.com/web:1.4.2", `image: "{{ .Values.image }}"`, 1)
	quoted = strings.Replace(quoted, "allowPrivilegeEscalation: false", `allowPrivilegeEscalation: "{{ .Values.ape }}"`, 1)
	if r := CheckFile("t.yaml", []byte(quoted)); len(r.Findings) != 0 || len(r.Warnings) != 0 {
		t.Errorf("templated values: %v %v", slugs(r.Findings), r.Warnings)
	}
}

func TestJSONManifest(t *testing.T) {
	const doc = `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"},
 "spec": {"automountServiceAccountToken": false, "hostIPC": true,
  "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
  "containers": [{"name": "a", "image": "a:1", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
   "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}}}]}}`
	if !LooksLikeManifest([]byte(doc)) {
		t.Fatal("sniff misses a JSON manifest")
	}
	if got := rulesAt(CheckFile("pod.json", []byte(doc)).Findings); fmt.Sprint(got) != fmt.Sprint(map[string][]int{"host-ipc": {2}}) {
		t.Errorf("got %v", got)
	}
}

func TestSniffAndCandidates(t *testing.T) {
	for _, tc := range []struct {
		data string
		want bool
	}{
		{hardened, true},
		{"kind: Pod\napiVersion: v1\n", true},
		{"- apiVersion: v1\n  kind: Pod\n", true},
		{"name: CI\non: push\njobs: {}\n", false},
		{"# apiVersion: v1\n# kind: Pod\n", false},
		{"apiVersionX: 1\nkinds: 2\n", false},
		{"description: the apiVersion and kind of a resource\n", false},
	} {
		if got := LooksLikeManifest([]byte(tc.data)); got != tc.want {
			t.Errorf("LooksLikeManifest(%q) = %v", tc.data, got)
		}
	}
	for _, tc := range []struct {
		data string
		want bool
	}{
		{hardened, true},
		{"apiVersion: v1\nkind: \"Pod\"\n", true},
		{`{"apiVersion": "v1", "kind": "List", "items": []}`, true},
		{"apiVersion: batch/v1\nkind: CronJob # nightly\n", true},
		{"apiVersion: v1\nkind: Service\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n", false},
		{"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  properties:\n    kind:\n      description: the kind, e.g. Pod\n", false},
	} {
		if got := HoldsWorkloads([]byte(tc.data)); got != tc.want {
			t.Errorf("HoldsWorkloads(%q) = %v", tc.data, got)
		}
	}
	for p, want := range map[string]bool{
		"k8s/deploy.yaml": true, "deploy.YML": true, "x/pod.json": true, "package-lock.json": false,
		"web/node_modules/x/pod.json": false, "Dockerfile": false, "main.go": false, "values.yaml.tpl": false,
	} {
		if got := IsCandidatePath(p); got != want {
			t.Errorf("IsCandidatePath(%q) = %v", p, got)
		}
	}
}

// A secret in env never appears in a finding: not in the message, the
// fix, the snippet or the fingerprint's inputs that outputs show.
func TestSecretValueNeverShown(t *testing.T) {
	secret := "Zq8-" + strings.Repeat("x7", 12)
	for _, form := range []string{
		"            - name: DB_PASSWORD\n              value: " + secret + "\n",
		"            - {name: DB_PASSWORD, value: \"" + secret + "\"}\n",
		"            - name: DB_PASSWORD\n              value: |\n                " + secret + "\n",
	} {
		doc := strings.Replace(hardened, "            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: {name: db, key: password}\n", form, 1)
		r := CheckFile("deploy.yaml", []byte(doc))
		if len(r.Findings) != 1 || r.Findings[0].Rule != "kubernetes/secret-in-env" {
			t.Fatalf("want one secret-in-env finding, got %v", slugs(r.Findings))
		}
		f := r.Findings[0]
		for what, s := range map[string]string{"message": f.Message, "fix": f.Fix, "snippet": f.Snippet, "title": f.Title} {
			if strings.Contains(s, secret) || strings.Contains(s, secret[:8]) {
				t.Errorf("%s shows the secret: %s", what, s)
			}
		}
		if !strings.Contains(f.Snippet, "****") {
			t.Errorf("snippet is not redacted: %q", f.Snippet)
		}
	}
}

// Fingerprints survive moving lines and reformatting, and tell two
// containers apart.
func TestFingerprintsSurviveEdits(t *testing.T) {
	fp := func(doc string) map[string]string {
		out := map[string]string{}
		for _, f := range CheckFile("deploy.yaml", []byte(doc)).Findings {
			out[f.Rule+"@"+strings.Split(f.Message, " of ")[0]] = f.Fingerprint
		}
		return out
	}
	base := strings.Replace(hardened, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", 1)
	moved := strings.Replace(base, "metadata:\n  name: web\n", "metadata:\n  labels: {tier: front}\n  annotations: {note: moved}\n  name: web\n", 1)
	a, b := fp(base), fp(moved)
	if len(a) != 1 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("fingerprints changed when lines moved:\n%v\n%v", a, b)
	}
	two := strings.Replace(base, "      containers:\n", "      containers:\n        - name: sidecar\n          image: proxy:1\n          resources: {limits: {cpu: 1, memory: 1Gi}}\n          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: {drop: [ALL]}}\n", 1)
	c := fp(two)
	if len(c) != 2 {
		t.Fatalf("want two findings, got %v", c)
	}
	seen := map[string]bool{}
	for _, v := range c {
		seen[v] = true
	}
	if len(seen) != 2 {
		t.Errorf("two containers share a fingerprint: %v", c)
	}
}

// A ServiceAccount of the same file that turns the automount off covers
// the pods that use it.
func TestServiceAccountOfTheSameFile(t *testing.T) {
	doc := strings.Replace(hardened, "      automountServiceAccountToken: false\n", "      serviceAccountName: web\n", 1)
	if got := rulesAt(CheckFile("d.yaml", []byte(doc)).Findings); len(got["service-account-token-automount"]) != 1 {
		t.Fatalf("without the ServiceAccount: %v", got)
	}
	sa := "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\nautomountServiceAccountToken: false\n---\n"
	if got := rulesAt(CheckFile("d.yaml", []byte(sa+doc)).Findings); len(got) != 0 {
		t.Errorf("the ServiceAccount turns the automount off: %v", got)
	}
	other := strings.Replace(sa, "namespace: shop", "namespace: other", 1)
	if got := rulesAt(CheckFile("d.yaml", []byte(other+doc)).Findings); len(got["service-account-token-automount"]) != 1 {
		t.Errorf("a ServiceAccount of another namespace does not count: %v", got)
	}
}

func TestRulesCatalog(t *testing.T) {
	seen := map[string]bool{}
	controls := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] || !strings.HasPrefix(r.ID, "kubernetes/") || r.Title == "" || r.Severity.Rank() == 0 {
			t.Errorf("bad rule %+v", r)
		}
		seen[r.ID] = true
		if r.PSSLevel != "" {
			controls[r.PSSLevel+": "+r.PSSControl] = true
		}
	}
	// Every control of the Restricted level (which includes Baseline) of
	// the Pod Security Standards has a rule.
	for _, c := range []string{
		"Baseline: HostProcess", "Baseline: Host Namespaces", "Baseline: Privileged Containers", "Baseline: Capabilities",
		"Baseline: HostPath Volumes", "Baseline: Host Ports", "Baseline: Host Probes / Lifecycle Hooks", "Baseline: AppArmor",
		"Baseline: SELinux", "Baseline: /proc Mount Type", "Baseline: Seccomp", "Baseline: Sysctls",
		"Restricted: Volume Types", "Restricted: Privilege Escalation", "Restricted: Running as Non-root",
		"Restricted: Running as Non-root user", "Restricted: Seccomp", "Restricted: Capabilities",
	} {
		if !controls[c] {
			t.Errorf("no rule for the Pod Security Standards control %s", c)
		}
	}
	if n := len(PodSecurityRules(Restricted)); n <= len(PodSecurityRules(Baseline)) {
		t.Errorf("Restricted has %d rules, Baseline %d", n, len(PodSecurityRules(Baseline)))
	}
}

// The lessons' YAML examples are checked like manifests: the Before of each
// lesson that names Kubernetes rules breaks at least one of them, and its
// After breaks none of them.
func TestLessonExamples(t *testing.T) {
	checked := 0
	for _, l := range lessons.All() {
		var own []string
		for _, r := range l.Rules {
			if strings.HasPrefix(r, CheckName+"/") {
				own = append(own, r)
			}
		}
		if len(own) == 0 && l.ID != "private-nodes" {
			continue
		}
		if l.ID == "private-nodes" {
			own = []string{RuleID(ruleHostPorts)}
		}
		before, after := exampleManifests(l.Sections.Example)
		if before == "" || after == "" {
			t.Errorf("%s: no YAML Before and After in its example", l.ID)
			continue
		}
		fired := func(doc string) []string {
			r := CheckFile(l.ID+".yaml", []byte(doc))
			if len(r.Warnings) > 0 {
				t.Errorf("%s: %v\n%s", l.ID, r.Warnings, doc)
			}
			var out []string
			for _, f := range r.Findings {
				if slices.Contains(own, f.Rule) {
					out = append(out, f.Rule)
				}
			}
			return out
		}
		if got := fired(before); len(got) == 0 {
			t.Errorf("%s: its Before breaks none of its rules %v\n%s", l.ID, own, before)
		}
		if got := fired(after); len(got) > 0 {
			t.Errorf("%s: its After still breaks %v\n%s", l.ID, got, after)
		}
		checked++
	}
	if checked < 6 {
		t.Errorf("only %d lessons with Kubernetes examples", checked)
	}
	// pod-security says how many findings its Before gets, and that its
	// After gets none at all.
	l, _ := lessons.Get("pod-security")
	before, after := exampleManifests(l.Sections.Example)
	if n := len(CheckFile("b.yaml", []byte(before)).Findings); n != 8 || !strings.Contains(l.Body, "eight findings") {
		t.Errorf("pod-security's Before gets %d findings; the lesson says eight", n)
	}
	if fs := CheckFile("a.yaml", []byte(after)).Findings; len(fs) != 0 {
		t.Errorf("pod-security's After gets %v", slugs(fs))
	}
}

var reYAMLBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// exampleManifests returns the first and last YAML blocks of an example,
// made whole manifests: a fragment that starts at a pod spec, a container
// list or an env list is wrapped in a Pod.
func exampleManifests(example string) (before, after string) {
	blocks := reYAMLBlock.FindAllStringSubmatch(example, -1)
	if len(blocks) < 2 {
		return "", ""
	}
	return wrapFragment(blocks[0][1]), wrapFragment(blocks[len(blocks)-1][1])
}

func wrapFragment(y string) string {
	indent := func(s, pad string) string {
		return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad) + "\n"
	}
	first, rest, _ := strings.Cut(y, "\n---\n")
	var out string
	switch {
	case strings.HasPrefix(first, "apiVersion:"):
		out = first
	case strings.HasPrefix(first, "spec:\n  template:"):
		out = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: example}\n" + first
	case strings.HasPrefix(first, "spec:"):
		out = "apiVersion: v1\nkind: Pod\nmetadata: {name: example}\n" + first
	case strings.HasPrefix(first, "containers:"):
		out = "apiVersion: v1\nkind: Pod\nmetadata: {name: example}\nspec:\n" + indent(first, "  ")
	case strings.HasPrefix(first, "env:"):
		out = "apiVersion: v1\nkind: Pod\nmetadata: {name: example}\nspec:\n  containers:\n    - name: app\n" + indent(first, "      ")
	default:
		out = first
	}
	if rest != "" {
		// a ServiceAccount or Service before or after the workload
		if strings.HasPrefix(rest, "# in the Deployment\n") {
			rest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: example}\n" + strings.TrimPrefix(rest, "# in the Deployment\n")
		}
		out = strings.TrimRight(out, "\n") + "\n---\n" + rest
	}
	return out
}

// docs/kubernetes.md lists every rule with its severity, its Trivy and
// Checkov refs and its lesson, as the catalog says.
func TestDocsListEveryRule(t *testing.T) {
	var rules []checktest.Rule
	for _, r := range Rules() {
		var refs []string
		for _, ref := range r.Refs {
			if strings.HasPrefix(ref, "KSV-") || strings.HasPrefix(ref, "CKV_") {
				refs = append(refs, ref)
			}
		}
		rules = append(rules, checktest.Rule{ID: r.ID, Severity: r.Severity, Title: r.Title, Lesson: r.Lesson, Refs: refs})
	}
	checktest.DocRulesTable(t, "kubernetes.md", rules)
}

// Names, images and keys come from the repository: no control byte of
// them reaches a message, a fix or a snippet (names are quoted, the rest
// goes through termtext).
func TestHostileTextIsNeverRaw(t *testing.T) {
	const doc = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"evil\\e[2J\\e]0;pwned\\a\"\n  annotations: {\"container.apparmor.security.beta.kubernetes.io/c\\e[1m\": \"unconfined\\e[5m\"}\n" +
		"spec:\n  volumes: [{name: \"v\\e[31m\", \"nfs\\e[7m\": {}}]\n  containers:\n    - name: \"c\\e[31mred\"\n      image: \"img\\e[2K:latest\"\n" +
		"      resources: {requests: {memory: \"1Gi\\e[8m\"}}\n      securityContext: {procMount: \"Unmasked\\e[0m\", seccompProfile: {type: \"Bad\\e[1m\"}}\n"
	r := CheckFile("pod.yaml", []byte(doc))
	if len(r.Findings) < 10 {
		t.Fatalf("only %v", slugs(r.Findings))
	}
	for _, f := range r.Findings {
		for what, s := range map[string]string{"message": f.Message, "fix": f.Fix, "snippet": f.Snippet} {
			if strings.ContainsAny(s, "\x1b\a") {
				t.Errorf("%s %s holds a raw control byte: %q", f.Rule, what, s)
			}
		}
	}
}
