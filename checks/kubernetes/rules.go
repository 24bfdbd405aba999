package kubernetes

import (
	"slices"
	"sync"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/lessons"
)

// LessonFallback is the lesson of a Kubernetes rule no lesson names.
const LessonFallback = "pod-security"

// Pod Security Standards levels.
const (
	Baseline   = "Baseline"
	Restricted = "Restricted"
)

// RuleInfo describes one rule for lessons, documentation, the checklist and
// `learn`.
type RuleInfo struct {
	ID       string          `json:"id"`
	Slug     string          `json:"slug"`
	Title    string          `json:"title"`
	Severity checks.Severity `json:"severity"`
	// Refs are the equivalent Trivy (KSV-00NN and AVD-KSV-00NN), Checkov
	// (CKV_K8S_NN) and Pod Security Standards (pss-<level>:<check>) ids. A
	// finding carries the subset that matches what it found.
	Refs []string `json:"refs"`
	// PSSLevel and PSSControl name the Pod Security Standards control the
	// rule enforces ("Baseline", "Host Namespaces"); empty for the rules
	// that are good practice beyond the standard.
	PSSLevel   string `json:"pss_level,omitempty"`
	PSSControl string `json:"pss_control,omitempty"`
	Lesson     string `json:"lesson"`
}

type rule struct {
	slug     string
	title    string
	severity checks.Severity
	level    string // Baseline, Restricted or "" (beyond the standard)
	control  string // the control's name in the Pod Security Standards
	refs     []string
}

// trivy spells a Trivy id both ways users write it in ignore files.
func trivy(n string) []string { return []string{"KSV-" + n, "AVD-KSV-" + n} }

// pss is the Pod Security Standards ref of a control: its level and the id
// Kubernetes' own admission controller (k8s.io/pod-security-admission) gives
// the check, as in its "would violate PodSecurity" messages.
func pss(level, check string) string { return "pss-" + level + ":" + check }

func refs(groups ...[]string) []string { return slices.Concat(groups...) }

func ids(s ...string) []string { return s }

// The rule catalog. Slugs are stable: they are rule ids in findings,
// suppressions and policies.
const (
	rulePrivileged          = "privileged"
	ruleHostNetwork         = "host-network"
	ruleHostPID             = "host-pid"
	ruleHostIPC             = "host-ipc"
	ruleHostPath            = "host-path"
	ruleHostPorts           = "host-ports"
	ruleDangerousCaps       = "dangerous-capabilities"
	ruleAppArmor            = "apparmor-profile"
	ruleSELinux             = "selinux-options"
	ruleProcMount           = "proc-mount"
	ruleSeccompUnconfined   = "seccomp-unconfined"
	ruleSysctls             = "unsafe-sysctls"
	ruleHostProcess         = "windows-host-process"
	ruleProbeHost           = "probe-host"
	ruleVolumeTypes         = "restricted-volume-types"
	rulePrivilegeEscalation = "privilege-escalation"
	ruleRunAsNonRoot        = "run-as-non-root"
	ruleRunAsRootUser       = "run-as-root-user"
	ruleSeccompNotSet       = "seccomp-not-set"
	ruleCapsNotDropped      = "capabilities-not-dropped"
	ruleAddedCaps           = "added-capabilities"
	ruleNetBindService      = "net-bind-service"
	ruleWritableRoot        = "writable-root-filesystem"
	ruleNoCPULimit          = "no-cpu-limit"
	ruleNoMemoryLimit       = "no-memory-limit"
	ruleLatestTag           = "latest-tag"
	ruleUntagged            = "untagged-image"
	ruleSATokenAutomount    = "service-account-token-automount"
	ruleSecretEnv           = "secret-in-env"
)

// Severities: Baseline controls that hand a container the node (privileged,
// host namespaces, hostPath, extra capabilities, host processes, unmasked
// /proc) and plain secrets are high, so the hook blocks them by default;
// Baseline controls that switch off one confinement layer are medium;
// Restricted controls and the hardening practices are medium or low: they
// are shown, and block only under a stricter fail_on.
//
// The catalog is built on first use, not at start-up: a secfirst process
// that checks no manifest (most hooks) does not pay for it.
var catalog = sync.OnceValue(func() []rule {
	return []rule{
		{rulePrivileged, "Container runs privileged", checks.High, Baseline, "Privileged Containers",
			refs(trivy("0017"), ids("CKV_K8S_16", pss("baseline", "privileged")))},
		{ruleHostNetwork, "Pod shares the host's network namespace", checks.High, Baseline, "Host Namespaces",
			refs(trivy("0009"), ids("CKV_K8S_19", pss("baseline", "hostNamespaces")))},
		{ruleHostPID, "Pod shares the host's process namespace", checks.High, Baseline, "Host Namespaces",
			refs(trivy("0010"), ids("CKV_K8S_17", pss("baseline", "hostNamespaces")))},
		{ruleHostIPC, "Pod shares the host's IPC namespace", checks.High, Baseline, "Host Namespaces",
			refs(trivy("0008"), ids("CKV_K8S_18", pss("baseline", "hostNamespaces")))},
		{ruleHostPath, "hostPath volume mounts the node's file system", checks.High, Baseline, "HostPath Volumes",
			refs(trivy("0023"), trivy("0006"), trivy("0121"), ids("CKV_K8S_27", pss("baseline", "hostPathVolumes")))},
		{ruleHostPorts, "Container binds a port on the node (hostPort)", checks.Medium, Baseline, "Host Ports",
			refs(trivy("0024"), ids("CKV_K8S_26", pss("baseline", "hostPorts")))},
		{ruleDangerousCaps, "Container adds a capability beyond the default set", checks.High, Baseline, "Capabilities",
			refs(trivy("0022"), trivy("0005"), trivy("0119"), trivy("0120"), trivy("0106"), ids("CKV_K8S_25", "CKV_K8S_39", pss("baseline", "capabilities_baseline")))},
		{ruleAppArmor, "AppArmor profile overridden or disabled", checks.Medium, Baseline, "AppArmor",
			refs(trivy("0002"), ids(pss("baseline", "appArmorProfile")))},
		{ruleSELinux, "Custom SELinux type, user or role", checks.Medium, Baseline, "SELinux",
			refs(trivy("0025"), ids(pss("baseline", "seLinuxOptions")))},
		{ruleProcMount, "Container unmasks /proc (procMount)", checks.High, Baseline, "/proc Mount Type",
			refs(trivy("0027"), ids(pss("baseline", "procMount"), pss("restricted", "procMount_restricted")))},
		{ruleSeccompUnconfined, "Seccomp profile set to Unconfined", checks.Medium, Baseline, "Seccomp",
			refs(trivy("0104"), trivy("0030"), ids("CKV_K8S_31", pss("baseline", "seccompProfile_baseline")))},
		{ruleSysctls, "Pod sets an unsafe sysctl", checks.Medium, Baseline, "Sysctls",
			refs(trivy("0026"), ids(pss("baseline", "sysctls")))},
		{ruleHostProcess, "Windows HostProcess container", checks.High, Baseline, "HostProcess",
			refs(trivy("0103"), ids(pss("baseline", "windowsHostProcess")))},
		{ruleProbeHost, "Probe or lifecycle hook targets another host", checks.Medium, Baseline, "Host Probes / Lifecycle Hooks",
			ids(pss("baseline", "hostProbesAndHostLifecycle"))},
		{ruleVolumeTypes, "Volume type outside the restricted set", checks.Low, Restricted, "Volume Types",
			refs(trivy("0028"), ids(pss("restricted", "restrictedVolumes")))},
		{rulePrivilegeEscalation, "Container may gain more privileges than its parent", checks.Medium, Restricted, "Privilege Escalation",
			refs(trivy("0001"), ids("CKV_K8S_20", pss("restricted", "allowPrivilegeEscalation")))},
		{ruleRunAsNonRoot, "Container is not required to run as non-root", checks.Medium, Restricted, "Running as Non-root",
			refs(trivy("0012"), ids("CKV_K8S_23", pss("restricted", "runAsNonRoot")))},
		{ruleRunAsRootUser, "Container runs as root (runAsUser: 0)", checks.High, Restricted, "Running as Non-root user",
			refs(trivy("0105"), ids("CKV_K8S_23", pss("restricted", "runAsUser")))},
		{ruleSeccompNotSet, "No seccomp profile (RuntimeDefault) set", checks.Low, Restricted, "Seccomp",
			refs(trivy("0030"), trivy("0104"), ids("CKV_K8S_31", pss("restricted", "seccompProfile_restricted")))},
		{ruleCapsNotDropped, "Container does not drop all capabilities", checks.Low, Restricted, "Capabilities",
			refs(trivy("0003"), trivy("0106"), ids("CKV_K8S_37", "CKV_K8S_28", pss("restricted", "capabilities_restricted")))},
		{ruleAddedCaps, "Container adds a capability other than NET_BIND_SERVICE", checks.Low, Restricted, "Capabilities",
			refs(trivy("0022"), trivy("0106"), ids("CKV_K8S_25", pss("restricted", "capabilities_restricted")))},
		{ruleNetBindService, "Container adds NET_BIND_SERVICE", checks.Info, "", "",
			refs(trivy("0022"), ids("CKV_K8S_25"))},
		{ruleWritableRoot, "Root file system is writable", checks.Medium, "", "",
			refs(trivy("0014"), ids("CKV_K8S_22"))},
		{ruleNoCPULimit, "No CPU limit", checks.Low, "", "",
			refs(trivy("0011"), ids("CKV_K8S_11"))},
		{ruleNoMemoryLimit, "No memory limit", checks.Low, "", "",
			refs(trivy("0018"), ids("CKV_K8S_13"))},
		{ruleLatestTag, "Image uses the latest tag", checks.Medium, "", "",
			refs(trivy("0013"), ids("CKV_K8S_14"))},
		{ruleUntagged, "Image has no tag (it means latest)", checks.Medium, "", "",
			refs(trivy("0013"), ids("CKV_K8S_14"))},
		{ruleSATokenAutomount, "Service account token mounted automatically", checks.Low, "", "",
			refs(trivy("0036"), ids("CKV_K8S_38"))},
		{ruleSecretEnv, "Secret in a plain env value", checks.High, "", "", nil},
	}
})

var catalogBySlug = sync.OnceValue(func() map[string]*rule {
	c := catalog()
	m := make(map[string]*rule, len(c))
	for i := range c {
		m[c[i].slug] = &c[i]
	}
	return m
})

// RuleID is the full id of a rule slug: kubernetes/<slug>.
func RuleID(slug string) string { return CheckName + "/" + slug }

// Rules lists every rule the check can report, in catalog order.
func Rules() []RuleInfo {
	out := make([]RuleInfo, 0, len(catalog()))
	for _, r := range catalog() {
		id := RuleID(r.slug)
		out = append(out, RuleInfo{
			ID:         id,
			Slug:       r.slug,
			Title:      r.title,
			Severity:   r.severity,
			Refs:       append([]string(nil), r.refs...),
			PSSLevel:   r.level,
			PSSControl: r.control,
			Lesson:     lessons.IDForRule(id, LessonFallback),
		})
	}
	return out
}

// PodSecurityRules are the ids of the rules that enforce a Pod Security
// Standards control of the given level ("Baseline" or "Restricted"); the
// Restricted level includes the Baseline rules, as the standard does.
func PodSecurityRules(level string) []string {
	var out []string
	for _, r := range catalog() {
		if r.level == Baseline || (level == Restricted && r.level == Restricted) {
			out = append(out, RuleID(r.slug))
		}
	}
	return out
}
