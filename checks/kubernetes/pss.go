package kubernetes

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/secfirst-dev/secfirst/internal/termtext"
)

// The Pod Security Standards controls, as the Kubernetes project's own
// admission controller (k8s.io/pod-security-admission, latest version)
// evaluates them; pss_oracle_test.go holds this file to that implementation
// on generated pods.

// pod is the pod being checked and what every control needs to know of it.
type pod struct {
	r  *resource
	p  *podSpec
	sc field // the pod's securityContext
	// windows pods are exempt from the Restricted controls Linux enforces
	// (privilege escalation, capabilities, seccomp).
	windows bool
	// userNS pods (hostUsers: false) run in a user namespace, where root in
	// the container is not root on the node.
	userNS bool
}

// label names the pod spec in fixes: the pod spec at spec.template.spec.
func (p *pod) label() string { return "the pod spec at " + p.p.where }

func (f *mfile) checkPod(r *resource) {
	p := &pod{r: r, p: r.pod, sc: get(r.pod.spec, "securityContext")}
	if os, _ := str(at(r.pod.spec, "os", "name").val); strings.EqualFold(os, "windows") {
		p.windows = true
	}
	p.userNS = boolOf(get(r.pod.spec, "hostUsers").val) == no

	f.hostNamespaces(p)
	f.volumes(p)
	f.podSecurityContext(p)
	f.appArmorAnnotations(p)
	for _, c := range p.p.containers {
		f.containerPSS(p, c)
		f.containerPractices(p, c)
	}
	f.seccompNotSet(p)
	f.runAsNonRoot(p)
	f.serviceAccountToken(p)
}

// present is a field written with a value (null is absent).
func present(fl field) bool { return fl.ok() && fl.val.Tag != "!!null" }

func (f *mfile) hostNamespaces(p *pod) {
	for _, ns := range []struct{ key, slug, what, fix string }{
		{"hostNetwork", ruleHostNetwork, "its containers share the node's network stack: they can listen on any port of the node and reach what listens on the node's localhost (the kubelet, node agents, the cloud metadata endpoint)", "expose the app through a Service instead"},
		{"hostPID", ruleHostPID, "its containers see every process on the node and can inspect them (command lines, environment variables) or signal them", "if a sidecar must see the app's processes, `shareProcessNamespace: true` shares the pod's own processes only"},
		{"hostIPC", ruleHostIPC, "its containers share the node's shared memory and IPC objects with every process on the node", "pods that must share memory can use an emptyDir with `medium: Memory`"},
	} {
		fl := get(p.p.spec, ns.key)
		if boolOf(fl.val) != yes {
			continue
		}
		f.report(issue{slug: ns.slug, res: p.r, line: fl.line(), detail: ns.key,
			msg: fmt.Sprintf("%s sets %s: true: %s.", p.r.label(), ns.key, ns.what),
			fix: fmt.Sprintf("Delete `%s: true` (line %d); %s.", ns.key, fl.line(), ns.fix)})
	}
}

// runtimeSockets are host paths whose mount gives root on the node.
var runtimeSockets = map[string]bool{
	"/var/run/docker.sock": true, "/run/docker.sock": true, "/var/run/containerd/containerd.sock": true,
	"/run/containerd/containerd.sock": true, "/var/run/crio/crio.sock": true, "/run/crio/crio.sock": true,
}

// trivySensitivePaths are the host paths Trivy's KSV-0121 forbids.
var trivySensitivePaths = map[string]bool{
	"/": true, "/boot": true, "/dev": true, "/etc": true, "/lib": true, "/proc": true, "/sys": true, "/usr": true, "/var/lib/docker": true,
}

// restrictedVolumeSources are the volume types the Restricted level allows.
var restrictedVolumeSources = []string{"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"}

// trivyNonCoreVolumes are the volume types Trivy's KSV-0028 forbids.
var trivyNonCoreVolumes = map[string]bool{
	"gcePersistentDisk": true, "awsElasticBlockStore": true, "gitRepo": true, "nfs": true, "iscsi": true, "glusterfs": true,
	"rbd": true, "flexVolume": true, "cinder": true, "cephFS": true, "flocker": true, "fc": true, "azureFile": true,
	"vsphereVolume": true, "quobyte": true, "azureDisk": true, "portworxVolume": true, "scaleIO": true, "storageos": true,
}

func (f *mfile) volumes(p *pod) {
	for i, v := range items(get(p.p.spec, "volumes").val) {
		if !isMapping(v) {
			continue
		}
		name, _ := str(get(v, "name").val)
		label := "volume " + strconv.Quote(name)
		if name == "" {
			label = fmt.Sprintf("volume #%d", i+1)
		}
		if hp := get(v, "hostPath"); present(hp) {
			f.hostPath(p, label, hp, v.Line)
			continue
		}
		allowed := false
		for _, src := range restrictedVolumeSources {
			if present(get(v, src)) {
				allowed = true
			}
		}
		if allowed {
			continue
		}
		kind, line := "", v.Line
		for _, e := range entries(v) {
			if k, _ := str(e.key); k != "name" && kind == "" {
				kind, line = k, e.line()
			}
		}
		if kind == "" {
			kind = "no source"
		}
		if templated(kind) {
			continue
		}
		var drop []string
		if !trivyNonCoreVolumes[kind] {
			drop = append(drop, "KSV-0028")
		}
		f.report(issue{slug: ruleVolumeTypes, res: p.r, line: line, item: v.Line, detail: "volume\x00" + name,
			msg:  fmt.Sprintf("%s of %s is of type %q. The Restricted level allows only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes: other types reach storage outside the cluster's control with the node's credentials.", label, p.r.label(), kind),
			fix:  fmt.Sprintf("Replace the %s source of %s (line %d) with a persistentVolumeClaim: a PersistentVolume (or a CSI driver) keeps the storage details in the cluster's hands.", termtext.Line(kind), label, line),
			refs: pick(ruleVolumeTypes, drop...)})
	}
}

func (f *mfile) hostPath(p *pod, label string, hp field, item int) {
	hostPath, st := strField(get(hp.val, "path"))
	if st == unknown {
		hostPath = ""
	}
	clean := strings.TrimRight(hostPath, "/")
	if clean == "" && hostPath != "" {
		clean = "/"
	}
	drop := []string{}
	if clean != "/var/run/docker.sock" {
		drop = append(drop, "KSV-0006", "CKV_K8S_27")
	}
	if !trivySensitivePaths[clean] {
		drop = append(drop, "KSV-0121")
	}
	what := "the node's file system"
	if hostPath != "" {
		what = "the node's " + strconv.Quote(hostPath)
	}
	why := "a container that can read or write the node's files can read other pods' secrets and logs, or change the node itself"
	if runtimeSockets[clean] {
		why = "the container runtime's socket lets the container start a privileged container on the node: it is root on the node"
	}
	f.report(issue{slug: ruleHostPath, res: p.r, line: hp.line(), item: item, detail: "volume\x00" + label,
		msg:  fmt.Sprintf("%s of %s mounts %s (hostPath): %s.", label, p.r.label(), what, why),
		fix:  fmt.Sprintf("Replace the hostPath of %s (line %d) with an emptyDir, a configMap or secret, or a persistentVolumeClaim. A node agent that truly needs the host belongs in a namespace labelled `pod-security.kubernetes.io/enforce: privileged`; suppress this finding there with the reason.", label, hp.line()),
		refs: pick(ruleHostPath, drop...)})
}

// sysctlsAllowed are the sysctls the Baseline level allows (Kubernetes 1.37).
var sysctlsAllowed = map[string]bool{
	"kernel.shm_rmid_forced": true, "net.ipv4.ip_local_port_range": true, "net.ipv4.tcp_syncookies": true,
	"net.ipv4.ping_group_range": true, "net.ipv4.ip_unprivileged_port_start": true, "net.ipv4.ip_local_reserved_ports": true,
	"net.ipv4.tcp_keepalive_time": true, "net.ipv4.tcp_fin_timeout": true, "net.ipv4.tcp_keepalive_intvl": true,
	"net.ipv4.tcp_keepalive_probes": true, "net.ipv4.tcp_rmem": true, "net.ipv4.tcp_wmem": true,
	"net.ipv4.tcp_slow_start_after_idle": true, "net.ipv4.tcp_notsent_lowat": true,
}

// podSecurityContext checks the pod-level settings that containers inherit.
func (f *mfile) podSecurityContext(p *pod) {
	sc := p.sc.val
	if !isMapping(sc) {
		return
	}
	podLabel := p.r.podLabel()
	if sys := get(sc, "sysctls"); present(sys) {
		var bad []string
		for _, s := range items(sys.val) {
			name, st := strField(get(s, "name"))
			if st == yes && !sysctlsAllowed[name] {
				bad = append(bad, name)
			}
		}
		if len(bad) > 0 {
			f.report(issue{slug: ruleSysctls, res: p.r, line: sys.line(), detail: strings.Join(bad, ","),
				msg: fmt.Sprintf("%s sets %s: sysctls outside the safe, namespaced set can weaken the node's kernel protections or affect every pod on the node.", podLabel, quoteList(bad)),
				fix: fmt.Sprintf("Remove %s from the sysctls (line %d); set node-wide kernel parameters on the nodes themselves.", quoteList(bad), sys.line())})
		}
	}
	f.seLinux(p, nil, podLabel, get(sc, "seLinuxOptions"))
	f.appArmorField(p, nil, podLabel, get(sc, "appArmorProfile"))
	f.seccompExplicit(p, nil, podLabel, get(sc, "seccompProfile"))
	f.hostProcess(p, nil, podLabel, at(sc, "windowsOptions", "hostProcess"))
	if user := get(sc, "runAsUser"); !p.userNS {
		if uid, st := intOf(user.val); st == yes && uid == 0 {
			f.report(issue{slug: ruleRunAsRootUser, res: p.r, line: user.line(), detail: "pod",
				msg: fmt.Sprintf("%s sets runAsUser: 0: every container that does not override it runs as root, the same user id as root on the node.", podLabel),
				fix: changeFix(user.line(), "runAsUser: 10001") + " Any non-zero user id the image can run as works; add `runAsNonRoot: true` beside it."})
		}
	}
}

// seLinuxAllowedTypes are the SELinux types the Baseline level allows.
var seLinuxAllowedTypes = map[string]bool{"": true, "container_t": true, "container_init_t": true, "container_kvm_t": true, "container_engine_t": true}

// seLinux checks seLinuxOptions of a pod (c nil) or a container.
func (f *mfile) seLinux(p *pod, c *container, who string, opts field) {
	if !present(opts) || !isMapping(opts.val) {
		return
	}
	var bad []string
	for _, k := range []string{"type", "user", "role"} {
		v, st := strField(get(opts.val, k))
		if st != yes || v == "" {
			continue
		}
		if k == "type" && seLinuxAllowedTypes[v] {
			continue
		}
		bad = append(bad, k+": "+v)
	}
	if len(bad) == 0 {
		return
	}
	f.report(issue{slug: ruleSELinux, res: p.r, c: c, line: opts.line(), detail: strings.Join(bad, ","),
		msg: fmt.Sprintf("%s sets seLinuxOptions %s: a custom SELinux user or role, or a type other than the container types, lifts the SELinux confinement of the container.", who, quoteList(bad)),
		fix: fmt.Sprintf("Remove the custom seLinuxOptions (line %d), or keep only `type: container_t` (or container_init_t, container_kvm_t, container_engine_t).", opts.line())})
}

func validProfileType(t string) bool { return t == "RuntimeDefault" || t == "Localhost" }

// badProfile reads a seccompProfile or appArmorProfile that is written:
// bad when its type is neither RuntimeDefault nor Localhost (a profile
// without a type included). line is the type's line, or the profile's.
func badProfile(prof field) (t string, line int, bad bool) {
	if !present(prof) {
		return "", 0, false
	}
	t, st := strField(get(prof.val, "type"))
	if st == unknown || validProfileType(t) {
		return t, 0, false
	}
	line = prof.line()
	if tl := get(prof.val, "type").line(); tl > 0 {
		line = tl
	}
	return t, line, true
}

// appArmorField checks securityContext.appArmorProfile of a pod or container.
func (f *mfile) appArmorField(p *pod, c *container, who string, prof field) {
	t, line, bad := badProfile(prof)
	if !bad {
		return
	}
	f.report(issue{slug: ruleAppArmor, res: p.r, c: c, line: line, detail: "field",
		msg:  fmt.Sprintf("%s sets its AppArmor profile type to %q: only RuntimeDefault or a Localhost profile keep the container confined.", who, t),
		fix:  changeFix(line, "type: RuntimeDefault") + " Or load a profile of your own on the nodes and use `type: Localhost` with `localhostProfile: <name>`.",
		refs: pick(ruleAppArmor, "KSV-0002")})
}

const appArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/"

// appArmorAnnotations checks the annotations that set AppArmor profiles
// before securityContext.appArmorProfile existed.
func (f *mfile) appArmorAnnotations(p *pod) {
	for _, a := range entries(get(p.p.meta, "annotations").val) {
		k, _ := str(a.key)
		name, ok := strings.CutPrefix(k, appArmorAnnotationPrefix)
		if !ok {
			continue
		}
		v, st := strField(a)
		if st != yes || v == "" || v == "runtime/default" || strings.HasPrefix(v, "localhost/") {
			continue
		}
		var c *container
		for _, cc := range p.p.containers {
			if cc.name == name {
				c = cc
			}
		}
		drop := []string{}
		if c == nil {
			drop = append(drop, "KSV-0002") // Trivy looks only at the annotations of containers the pod has
		}
		f.report(issue{slug: ruleAppArmor, res: p.r, line: a.line(), detail: "annotation\x00" + name,
			msg:  fmt.Sprintf("The annotation %q of %s sets the AppArmor profile of container %q to %q: only runtime/default or a localhost/ profile keep the container confined.", k, p.r.label(), name, v),
			fix:  changeFix(a.line(), termtext.Line(k)+": runtime/default") + " On Kubernetes 1.30 and later, prefer `securityContext: {appArmorProfile: {type: RuntimeDefault}}` on the container.",
			refs: pick(ruleAppArmor, drop...)})
	}
}

// seccompExplicit checks a seccompProfile that is written: its type must
// be RuntimeDefault or Localhost (Baseline).
func (f *mfile) seccompExplicit(p *pod, c *container, who string, prof field) {
	t, line, bad := badProfile(prof)
	if !bad {
		return
	}
	shown := strconv.Quote(t)
	if t == "" {
		shown = "(none)"
	}
	// Trivy looks at each container's effective profile: a pod-level
	// Unconfined that every container overrides is no finding for it.
	d := []string{}
	if c == nil && len(p.p.containers) > 0 {
		overridden := true
		for _, cc := range p.p.containers {
			if ct, _ := strField(cc.get("securityContext", "seccompProfile", "type")); !validProfileType(ct) {
				overridden = false
			}
		}
		if overridden {
			d = append(d, "KSV-0104", "KSV-0030")
		}
	}
	f.report(issue{slug: ruleSeccompUnconfined, res: p.r, c: c, line: line, detail: "explicit", refs: pick(ruleSeccompUnconfined, d...),
		msg: fmt.Sprintf("%s sets its seccomp profile type to %s: without a seccomp filter every system call of the kernel is open to the container, including those container escapes use.", who, shown),
		fix: changeFix(line, "type: RuntimeDefault") + " RuntimeDefault is the container runtime's default filter, which almost every application runs under unchanged."})
}

func (f *mfile) hostProcess(p *pod, c *container, who string, fl field) {
	if boolOf(fl.val) != yes {
		return
	}
	f.report(issue{slug: ruleHostProcess, res: p.r, c: c, line: fl.line(), detail: "hostProcess",
		msg: fmt.Sprintf("%s sets windowsOptions.hostProcess: true: a HostProcess container runs directly on the Windows node, with the node's network and file system.", who),
		fix: fmt.Sprintf("Delete `hostProcess: true` (line %d); node administration belongs in a privileged namespace, with this finding suppressed there and the reason written down.", fl.line())})
}

// baselineCapabilities are the capabilities a container may add at the
// Baseline level: the container runtimes' default set.
var baselineCapabilities = map[string]bool{
	"AUDIT_WRITE": true, "CHOWN": true, "DAC_OVERRIDE": true, "FOWNER": true, "FSETID": true, "KILL": true, "MKNOD": true,
	"NET_BIND_SERVICE": true, "SETFCAP": true, "SETGID": true, "SETPCAP": true, "SETUID": true, "SYS_CHROOT": true,
}

// strings of a sequence; ok is false when one of them is not readable.
func strItems(fl field) ([]string, bool) {
	var out []string
	if present(fl) && deref(fl.val).Kind != yaml.SequenceNode {
		return nil, false
	}
	for _, n := range items(fl.val) {
		s, ok := str(n)
		if !ok || templated(s) {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// containerPSS checks one container against the Pod Security Standards.
func (f *mfile) containerPSS(p *pod, c *container) {
	who := c.label() + " of " + p.r.label()
	sc := c.get("securityContext")

	if priv := at(sc.val, "privileged"); boolOf(priv.val) == yes {
		f.report(issue{slug: rulePrivileged, res: p.r, c: c, line: priv.line(), detail: "privileged",
			msg: fmt.Sprintf("%s runs privileged: it has every capability and every device of the node, with no seccomp or AppArmor confinement; escaping to the node is a matter of mounting its disk.", who),
			fix: fmt.Sprintf("Delete `privileged: true` (line %d). If the container needs one privilege, grant that capability alone (`capabilities: {add: [...]}`): beyond the runtime's default set it is still a Baseline exception, to suppress with its reason.", priv.line())})
	}

	f.capabilities(p, c, who, sc)
	f.hostPorts(p, c, who)
	f.appArmorField(p, c, who, at(sc.val, "appArmorProfile"))
	f.seLinux(p, c, who, at(sc.val, "seLinuxOptions"))
	f.seccompExplicit(p, c, who, at(sc.val, "seccompProfile"))
	f.hostProcess(p, c, who, at(sc.val, "windowsOptions", "hostProcess"))
	f.probeHosts(p, c, who)

	if pm := at(sc.val, "procMount"); present(pm) {
		if v, st := strField(pm); st == yes && v != "Default" {
			msg := fmt.Sprintf("%s sets procMount: %q: the container sees /proc without the masks that hide the node's kernel interfaces.", who, v)
			if p.userNS {
				msg += " The Baseline level allows it in a user namespace (hostUsers: false); the Restricted level does not."
			}
			f.report(issue{slug: ruleProcMount, res: p.r, c: c, line: pm.line(), detail: "procMount",
				msg: msg, fix: fmt.Sprintf("Delete `procMount: %s` (line %d); the Default mount type keeps /proc masked.", termtext.Line(v), pm.line())})
		}
	}

	if !p.windows && !isTemplatedMapping(sc) {
		ape := at(sc.val, "allowPrivilegeEscalation")
		switch boolOf(ape.val) {
		case absent:
			f.report(issue{slug: rulePrivilegeEscalation, res: p.r, c: c, line: c.line, detail: "allowPrivilegeEscalation", missing: true,
				msg: fmt.Sprintf("%s does not set allowPrivilegeEscalation: false, so a setuid binary or a file capability in the image can give its process more privileges than it started with.", who),
				fix: addFix(c.label(), c.node, c.line, []string{"securityContext"}, "allowPrivilegeEscalation: false")})
		case yes:
			f.report(issue{slug: rulePrivilegeEscalation, res: p.r, c: c, line: ape.line(), detail: "allowPrivilegeEscalation",
				msg: fmt.Sprintf("%s sets allowPrivilegeEscalation: true: a setuid binary or a file capability in the image can give its process more privileges than it started with.", who),
				fix: changeFix(ape.line(), "allowPrivilegeEscalation: false")})
		}
	}

	if !p.userNS {
		if user := at(sc.val, "runAsUser"); present(user) {
			if uid, st := intOf(user.val); st == yes && uid == 0 {
				f.report(issue{slug: ruleRunAsRootUser, res: p.r, c: c, line: user.line(), detail: "runAsUser",
					msg: fmt.Sprintf("%s sets runAsUser: 0: it runs as root, the same user id as root on the node, and one container escape away from it.", who),
					fix: changeFix(user.line(), "runAsUser: 10001") + " Any non-zero user id the image can run as works; add `runAsNonRoot: true` beside it."})
			}
		}
	}
}

func (f *mfile) capabilities(p *pod, c *container, who string, sc field) {
	caps := at(sc.val, "capabilities")
	add, okAdd := strItems(get(caps.val, "add"))
	drop, okDrop := strItems(get(caps.val, "drop"))
	dropsAll := containsString(drop, "ALL")

	if okAdd {
		var dangerous, extra []string
		netBind := false
		for _, cp := range add {
			switch {
			case !baselineCapabilities[cp]:
				dangerous = append(dangerous, cp)
			case cp != "NET_BIND_SERVICE":
				extra = append(extra, cp)
			default:
				netBind = true
			}
		}
		addLine := get(caps.val, "add").line()
		if netBind {
			f.report(issue{slug: ruleNetBindService, res: p.r, c: c, line: addLine, detail: "NET_BIND_SERVICE",
				msg: fmt.Sprintf("%s adds NET_BIND_SERVICE to listen on a port below 1024. The Pod Security Standards allow it, but a port of 1024 or more needs no capability at all, and recent container runtimes let any user bind low ports inside the pod.", who),
				fix: fmt.Sprintf("Listen on a port of 1024 or more (8080, 8443) and map the Service's port to it; then remove NET_BIND_SERVICE from capabilities.add (line %d).", addLine)})
		}
		if len(dangerous) > 0 {
			d := []string{}
			for _, x := range []struct{ cp, ref string }{{"SYS_ADMIN", "KSV-0005"}, {"NET_RAW", "KSV-0119"}, {"SYS_MODULE", "KSV-0120"}, {"SYS_ADMIN", "CKV_K8S_39"}} {
				if !containsString(dangerous, x.cp) {
					d = append(d, x.ref)
				}
			}
			if !dropsAll {
				d = append(d, "KSV-0106")
			}
			f.report(issue{slug: ruleDangerousCaps, res: p.r, c: c, line: addLine, detail: strings.Join(dangerous, ","),
				msg:  fmt.Sprintf("%s adds %s, beyond the capabilities every container runtime grants by default: %s.", who, quoteList(dangerous), capabilityRisk(dangerous)),
				fix:  fmt.Sprintf("Remove %s from capabilities.add (line %d). If the container truly needs one, keep only that one and suppress this finding with the reason.", quoteList(dangerous), addLine),
				refs: pick(ruleDangerousCaps, d...)})
		}
		if len(extra) > 0 && !p.windows {
			d := []string{}
			if !dropsAll {
				d = append(d, "KSV-0106")
			}
			f.report(issue{slug: ruleAddedCaps, res: p.r, c: c, line: addLine, detail: strings.Join(extra, ","),
				msg:  fmt.Sprintf("%s adds %s: the Restricted level lets a container add only NET_BIND_SERVICE, after dropping all the others.", who, quoteList(extra)),
				fix:  fmt.Sprintf("Remove %s from capabilities.add (line %d); most applications need none of them once they run as a non-root user.", quoteList(extra), addLine),
				refs: pick(ruleAddedCaps, d...)})
		}
	}

	if okDrop && !dropsAll && !p.windows {
		d := []string{}
		for _, x := range drop {
			if strings.EqualFold(x, "all") {
				d = append(d, "KSV-0003", "KSV-0106", "CKV_K8S_37", "CKV_K8S_28") // they accept any case; Kubernetes does not
			}
			if x == "NET_RAW" {
				d = append(d, "CKV_K8S_28")
			}
		}
		line := c.line
		if dl := get(caps.val, "drop").line(); dl > 0 {
			line = dl
		}
		fix := addFix(c.label(), c.node, c.line, []string{"securityContext", "capabilities"}, `drop: ["ALL"]`)
		if present(get(caps.val, "drop")) {
			fix = fmt.Sprintf("Add \"ALL\" to capabilities.drop (line %d), in capitals: `drop: [\"ALL\"]`.", line)
		}
		f.report(issue{slug: ruleCapsNotDropped, res: p.r, c: c, line: line, detail: "drop", missing: !present(get(caps.val, "drop")),
			msg:  fmt.Sprintf("%s does not drop all capabilities: it keeps the runtime's default set (NET_RAW, CHOWN, SETUID and more), which a compromised process can use against the node and its neighbours.", who),
			fix:  fix + " Add back only NET_BIND_SERVICE if it binds a port below 1024.",
			refs: pick(ruleCapsNotDropped, d...)})
	}
}

// capabilityRisk says what the worst of some capabilities gives.
func capabilityRisk(caps []string) string {
	for _, x := range []struct{ cp, risk string }{
		{"SYS_ADMIN", "SYS_ADMIN alone allows mounting file systems and most container escapes"},
		{"ALL", "ALL is every capability, close to a privileged container"},
		{"SYS_MODULE", "SYS_MODULE loads kernel modules: code in the node's kernel"},
		{"SYS_PTRACE", "SYS_PTRACE lets it inspect and inject code into other processes"},
		{"NET_ADMIN", "NET_ADMIN lets it reconfigure the pod's network and intercept traffic"},
		{"NET_RAW", "NET_RAW lets it forge packets and spoof other pods on the node's network"},
		{"DAC_READ_SEARCH", "DAC_READ_SEARCH bypasses file read permissions and has served container escapes"},
		{"BPF", "BPF loads programs into the kernel"},
	} {
		if containsString(caps, x.cp) {
			return x.risk
		}
	}
	return "each one widens what a compromised process can do to the node"
}

func (f *mfile) hostPorts(p *pod, c *container, who string) {
	var ports []string
	line, item := 0, 0
	for _, port := range items(c.get("ports").val) {
		hp := get(port, "hostPort")
		if n, st := intOf(hp.val); st == yes && n != 0 {
			ports = append(ports, strconv.FormatInt(n, 10))
			if line == 0 {
				line, item = hp.line(), port.Line
			}
		}
	}
	if len(ports) == 0 {
		return
	}
	f.report(issue{slug: ruleHostPorts, res: p.r, c: c, line: line, item: item, detail: strings.Join(ports, ","),
		msg: fmt.Sprintf("%s binds host port %s on its node: it bypasses network policies and Services, and limits the pod to one per node.", who, strings.Join(ports, ", ")),
		fix: fmt.Sprintf("Delete `hostPort` (line %d) and expose the port through a Service (type LoadBalancer or NodePort, or an Ingress).", line)})
}

// probeHosts checks that probes and lifecycle hooks stay on the pod.
func (f *mfile) probeHosts(p *pod, c *container, who string) {
	var hosts []string
	line := 0
	check := func(handler *yaml.Node) {
		for _, kind := range []string{"httpGet", "tcpSocket"} {
			h := at(handler, kind, "host")
			if v, st := strField(h); st == yes && v != "" {
				hosts = append(hosts, v)
				if line == 0 {
					line = h.line()
				}
			}
		}
	}
	for _, probe := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
		check(c.get(probe).val)
	}
	for _, hook := range []string{"postStart", "preStop"} {
		check(c.get("lifecycle", hook).val)
	}
	if len(hosts) == 0 {
		return
	}
	f.report(issue{slug: ruleProbeHost, res: p.r, c: c, line: line, detail: strings.Join(hosts, ","),
		msg: fmt.Sprintf("%s sends a probe or lifecycle request to %s: the kubelet makes that request from the node, so the field turns the kubelet into a proxy to hosts the pod could not reach itself.", who, quoteList(hosts)),
		fix: fmt.Sprintf("Delete `host` (line %d): probes and hooks go to the pod's own IP by default.", line)})
}

// seccompNotSet is the Restricted seccomp control: the pod or every
// container must set RuntimeDefault or Localhost.
func (f *mfile) seccompNotSet(p *pod) {
	if p.windows || isTemplatedMapping(p.sc) {
		return
	}
	podProf := at(p.sc.val, "seccompProfile")
	if present(podProf) {
		return // set at pod level: valid, or reported by seccompExplicit
	}
	podAnn, _ := str(get(get(p.p.meta, "annotations").val, "seccomp.security.alpha.kubernetes.io/pod").val)
	for _, c := range p.p.containers {
		if present(c.get("securityContext", "seccompProfile")) || isTemplatedMapping(c.get("securityContext")) {
			continue
		}
		who := c.label() + " of " + p.r.label()
		msg := fmt.Sprintf("Neither %s nor its pod sets a seccomp profile, so the container runs Unconfined: every system call of the kernel is open to it, including those container escapes use.", who)
		d := []string{}
		if podAnn != "" {
			msg += " The seccomp annotations are ignored since Kubernetes 1.27: only securityContext.seccompProfile counts."
		}
		if podAnn == "runtime/default" {
			d = append(d, "KSV-0030") // Trivy still honours the annotation
		}
		if podAnn == "runtime/default" || podAnn == "docker/default" {
			d = append(d, "CKV_K8S_31")
		}
		if v, _ := str(get(get(p.p.meta, "annotations").val, "container.seccomp.security.alpha.kubernetes.io/"+c.name).val); v != "" && !strings.EqualFold(v, "unconfined") {
			d = append(d, "KSV-0104")
		}
		f.report(issue{slug: ruleSeccompNotSet, res: p.r, c: c, line: c.line, detail: "seccomp", missing: true,
			msg:  msg,
			fix:  addFix(p.label(), p.p.spec, p.p.line, []string{"securityContext", "seccompProfile"}, "type: RuntimeDefault") + " It covers every container of the pod.",
			refs: pick(ruleSeccompNotSet, d...)})
	}
}

// isTemplatedMapping is a setting written as a template expression
// (`securityContext: {{ toYaml .Values.sc }}` parses as a flow mapping
// with a mapping for a key): unknown, not absent.
func isTemplatedMapping(fl field) bool {
	if !present(fl) {
		return false
	}
	n := deref(fl.val)
	if n.Kind == yaml.ScalarNode {
		return templated(n.Value)
	}
	if n.Kind == yaml.MappingNode && len(n.Content) >= 2 && deref(n.Content[0]) != nil && deref(n.Content[0]).Kind == yaml.MappingNode {
		return true
	}
	return false
}

// runAsNonRoot is the Restricted non-root control: the pod or every
// container must set runAsNonRoot: true, and none may set it to false.
func (f *mfile) runAsNonRoot(p *pod) {
	if p.userNS || isTemplatedMapping(p.sc) {
		return
	}
	podField := at(p.sc.val, "runAsNonRoot")
	podState := boolOf(podField.val)
	podUser, podUserSt := intOf(at(p.sc.val, "runAsUser").val)
	if podState == unknown {
		return
	}
	if podState == no {
		// Trivy reports the pod when a container inherits its false.
		d := []string{"KSV-0012"}
		for _, c := range p.p.containers {
			if boolOf(c.get("securityContext", "runAsNonRoot").val) != yes {
				d = []string{}
			}
		}
		if podUserSt == yes && podUser > 0 {
			d = append(d, "CKV_K8S_23")
		}
		f.report(issue{slug: ruleRunAsNonRoot, res: p.r, line: podField.line(), detail: "pod",
			msg:  fmt.Sprintf("%s sets runAsNonRoot: false: its containers may run as root whenever their image does (the default for most images).", p.r.podLabel()),
			fix:  changeFix(podField.line(), "runAsNonRoot: true") + " If the image runs as root, also set `runAsUser: 10001` (or build the image with a non-root USER).",
			refs: pick(ruleRunAsNonRoot, d...)})
	}
	for _, c := range p.p.containers {
		who := c.label() + " of " + p.r.label()
		fl := c.get("securityContext", "runAsNonRoot")
		st := boolOf(fl.val)
		if st == unknown || isTemplatedMapping(c.get("securityContext")) {
			continue
		}
		user, userSt := intOf(c.get("securityContext", "runAsUser").val)
		if userSt == absent {
			user, userSt = podUser, podUserSt
		}
		d := []string{}
		if userSt == yes && user > 0 {
			d = append(d, "CKV_K8S_23") // Checkov accepts a non-zero runAsUser instead
		}
		switch {
		case st == no:
			if podState == yes {
				d = append(d, "KSV-0012") // Trivy trusts the pod-level true
			}
			f.report(issue{slug: ruleRunAsNonRoot, res: p.r, c: c, line: fl.line(), detail: "runAsNonRoot",
				msg:  fmt.Sprintf("%s sets runAsNonRoot: false: it may run as root whenever its image does (the default for most images).", who),
				fix:  changeFix(fl.line(), "runAsNonRoot: true") + " If the image runs as root, also set `runAsUser: 10001` (or build the image with a non-root USER).",
				refs: pick(ruleRunAsNonRoot, d...)})
		case st == absent && podState == absent:
			f.report(issue{slug: ruleRunAsNonRoot, res: p.r, c: c, line: c.line, detail: "runAsNonRoot", missing: true,
				msg:  fmt.Sprintf("Neither %s nor its pod sets runAsNonRoot: true, so the container runs as root whenever its image does (the default for most images), and nothing stops a later image from switching back to root.", who),
				fix:  addFix(p.label(), p.p.spec, p.p.line, []string{"securityContext"}, "runAsNonRoot: true") + " It covers every container; if the image runs as root, also set `runAsUser: 10001` (or build the image with a non-root USER).",
				refs: pick(ruleRunAsNonRoot, d...)})
		}
	}
}

// quoteList renders values for a message: "NET_ADMIN", "SYS_TIME".
func quoteList(vs []string) string {
	vs = append([]string(nil), vs...)
	sort.Strings(vs)
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}
