package kubernetes

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/secfirst-dev/secfirst/internal/termtext"
)

// The pod practices secfirst teaches beyond the Pod Security Standards:
// a read-only root file system, resource limits, pinned images, no
// automatic service account token, no plain secrets in env.

func (f *mfile) containerPractices(p *pod, c *container) {
	who := c.label() + " of " + p.r.label()
	sc := c.get("securityContext")
	ephemeral := c.group == "ephemeralContainers" // debugging containers: no resources, no own file system policy

	if !p.windows && !ephemeral && !isTemplatedMapping(sc) {
		ro := at(sc.val, "readOnlyRootFilesystem")
		switch boolOf(ro.val) {
		case absent:
			f.report(issue{slug: ruleWritableRoot, res: p.r, c: c, line: c.line, detail: "readOnlyRootFilesystem", missing: true,
				msg: fmt.Sprintf("%s does not set readOnlyRootFilesystem: true: an attacker who gets code execution can replace the application's files and drop tools into the container.", who),
				fix: addFix(c.label(), c.node, c.line, []string{"securityContext"}, "readOnlyRootFilesystem: true") + " Mount an emptyDir at the paths the app must write (`/tmp`, caches)."})
		case no:
			f.report(issue{slug: ruleWritableRoot, res: p.r, c: c, line: ro.line(), detail: "readOnlyRootFilesystem",
				msg: fmt.Sprintf("%s sets readOnlyRootFilesystem: false: an attacker who gets code execution can replace the application's files and drop tools into the container.", who),
				fix: changeFix(ro.line(), "readOnlyRootFilesystem: true") + " Mount an emptyDir at the paths the app must write (`/tmp`, caches)."})
		}
	}

	if !ephemeral {
		f.limits(p, c, who)
	}
	f.image(p, c, who)
	f.envSecrets(p, c, who)
}

func (f *mfile) limits(p *pod, c *container, who string) {
	res := c.get("resources")
	if present(res) && !isMapping(res.val) || isTemplatedMapping(res) {
		return
	}
	limits := get(res.val, "limits")
	if present(limits) && !isMapping(limits.val) || isTemplatedMapping(limits) {
		return
	}
	line := c.line
	if res.ok() {
		line = res.line()
	}
	for _, l := range []struct{ key, name, slug, example, why string }{
		{"memory", "memory", ruleNoMemoryLimit, "512Mi", "a leak or a flood of requests can take all of the node's memory, and the kernel then kills other pods"},
		{"cpu", "CPU", ruleNoCPULimit, "500m", "a busy or compromised container can take every core of the node from its neighbours (a denial of service, or a crypto miner)"},
	} {
		if present(get(limits.val, l.key)) {
			continue
		}
		example := l.example
		if req, st := strField(at(res.val, "requests", l.key)); st == yes && req != "" {
			example = termtext.Line(req)
		}
		f.report(issue{slug: l.slug, res: p.r, c: c, line: line, detail: l.key, missing: true,
			msg: fmt.Sprintf("%s has no %s limit: %s.", who, l.name, l.why),
			fix: addFix(c.label(), c.node, c.line, []string{"resources", "limits"}, l.key+": "+example) + " Size it from the container's observed peak."})
	}
}

// image checks that the image names a version.
func (f *mfile) image(p *pod, c *container, who string) {
	img := c.get("image")
	ref, st := strField(img)
	if st != yes || ref == "" || strings.Contains(ref, "$(") {
		return
	}
	if strings.Contains(ref, "@") {
		return // pinned by digest
	}
	last := ref[strings.LastIndex(ref, "/")+1:]
	name, tag, tagged := strings.Cut(last, ":")
	switch {
	case !tagged || tag == "":
		f.report(issue{slug: ruleUntagged, res: p.r, c: c, line: img.line(), detail: "image",
			msg: fmt.Sprintf("%s runs image %q without a tag, which means latest: each node pulls whatever latest is when it starts the pod, so replicas can run different code and a rollback cannot go back.", who, ref),
			fix: fmt.Sprintf("Pin a version on line %d: `image: %s:<version>`, better with its digest: `%s:<version>@sha256:<digest>`.", img.line(), termtext.Line(ref), termtext.Line(ref))})
	case tag == "latest":
		base := strings.TrimSuffix(ref, ":latest")
		f.report(issue{slug: ruleLatestTag, res: p.r, c: c, line: img.line(), detail: "image",
			msg: fmt.Sprintf("%s runs image %q: latest moves, so each node pulls whatever it is when it starts the pod, replicas can run different code and a rollback cannot go back.", who, ref),
			fix: fmt.Sprintf("Pin a version on line %d: `image: %s:<version>` (for %s, the version you tested), better with its digest: `%s:<version>@sha256:<digest>`.", img.line(), termtext.Line(base), termtext.Line(name), termtext.Line(base))})
	}
}

const serviceAccountTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount"

// serviceAccountToken checks that the pod does not get an API token it
// does not need. A ServiceAccount of the same file that turns the
// automount off counts, as it does in the cluster.
func (f *mfile) serviceAccountToken(p *pod) {
	fl := get(p.p.spec, "automountServiceAccountToken")
	st := boolOf(fl.val)
	if st == no || st == unknown {
		return
	}
	account, _ := str(get(p.p.spec, "serviceAccountName").val)
	if account == "" {
		account, _ = str(get(p.p.spec, "serviceAccount").val)
	}
	if account == "" {
		account = "default"
	}
	if st == absent && f.accounts[p.r.namespace+"/"+account] == no {
		return
	}
	mountsToken := false
	for _, c := range p.p.containers {
		for _, m := range items(c.get("volumeMounts").val) {
			if mp, _ := str(get(m, "mountPath").val); strings.TrimRight(mp, "/") == serviceAccountTokenPath {
				mountsToken = true
			}
		}
	}
	// Trivy reports a Pod that asks for the token, and any workload whose
	// container mounts it at the well-known path.
	d := []string{}
	if !(st == yes && p.r.kind == "Pod") && !mountsToken {
		d = append(d, "KSV-0036")
	}
	line, msg := p.p.line, fmt.Sprintf("%s does not set automountServiceAccountToken: false, so every container gets a token for the Kubernetes API (service account %q) at %s: whoever compromises the app can use it against the cluster.", p.r.podLabel(), account, serviceAccountTokenPath)
	fix := addFix(p.label(), p.p.spec, p.p.line, nil, "automountServiceAccountToken: false") + " If the app calls the Kubernetes API, keep the token but give its service account a Role with only the verbs it needs."
	if st == yes {
		line = fl.line()
		msg = fmt.Sprintf("%s sets automountServiceAccountToken: true, so every container gets a token for the Kubernetes API (service account %q): whoever compromises the app can use it against the cluster.", p.r.podLabel(), account)
		fix = changeFix(fl.line(), "automountServiceAccountToken: false") + " If the app calls the Kubernetes API, keep it but give its service account a Role with only the verbs it needs."
	}
	f.report(issue{slug: ruleSATokenAutomount, res: p.r, line: line, detail: "automount", missing: st == absent, msg: msg, fix: fix, refs: pick(ruleSATokenAutomount, d...)})
}

// Secret-looking variable names. The Dockerfile check has a richer list
// but does not export it; this one is kept small on purpose: a name says
// secret when one of its words is a secret word and none is a word that
// names a setting about a secret (TOKEN_TTL, PASSWORD_FILE).
var (
	secretWords = map[string]bool{
		"PASSWORD": true, "PASSWD": true, "PASS": true, "PWD": true, "SECRET": true, "SECRETS": true, "TOKEN": true,
		"APIKEY": true, "KEY": true, "ACCESSKEY": true, "PRIVATEKEY": true, "SECRETKEY": true, "CREDENTIAL": true,
		"CREDENTIALS": true, "PASSPHRASE": true, "AUTHTOKEN": true, "ACCESSTOKEN": true,
	}
	settingWords = map[string]bool{
		"FILE": true, "PATH": true, "DIR": true, "NAME": true, "ID": true, "TYPE": true, "TTL": true, "TIMEOUT": true,
		"EXPIRY": true, "EXPIRES": true, "LENGTH": true, "SIZE": true, "MODE": true, "METHOD": true, "PROVIDER": true,
		"REGION": true, "ALGORITHM": true, "FORMAT": true, "ENABLED": true, "DISABLED": true, "REQUIRED": true,
		"PUBLIC": true, "PREFIX": true, "HEADER": true, "FIELD": true, "VERSION": true, "URL": true, "URI": true,
		"ENDPOINT": true, "HOST": true, "PORT": true, "ISSUER": true, "AUDIENCE": true, "REF": true, "POLICY": true,
	}
	reURLPassword = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@$]+:[^/\s@$]+@`)
	})
)

func isSecretName(name string) bool {
	words := strings.FieldsFunc(strings.ToUpper(name), func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	secret := false
	for _, w := range words {
		if settingWords[w] {
			return false
		}
		secret = secret || secretWords[w]
	}
	return secret
}

var rePlaceholder = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(?:<.*>|\*+|x{3,}|\.{3}|(?:your|my)[-_ ].*|.*[-_ ]here|replace[-_ ]?me|change[-_ ]?me|placeholder|todo|tbd|dummy|example|redacted)$`)
})

// isPlaceholder is a value that holds no secret itself: empty, a
// reference Kubernetes or a template fills in, a <placeholder>, or a
// token a deployment script replaces (API_KEY_VAL for API_KEY).
func isPlaceholder(name, v string) bool {
	t := strings.TrimSpace(v)
	switch strings.ToLower(t) {
	case "", "true", "false", "yes", "no", "null", "none":
		return true
	}
	if strings.Contains(t, "$(") || templated(t) || rePlaceholder().MatchString(t) {
		return true
	}
	upperIdent := strings.IndexFunc(t, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') }) < 0
	return upperIdent && name != "" && strings.Contains(t, strings.ToUpper(name))
}

// envSecrets reports literal secrets in env: a value written in the
// manifest is in git, in every copy of the repository, and readable by
// anyone who can read the pod spec.
func (f *mfile) envSecrets(p *pod, c *container, who string) {
	for _, e := range items(c.get("env").val) {
		name, _ := str(get(e, "name").val)
		val := get(e, "value")
		v, st := strField(val)
		if st != yes || isPlaceholder(name, v) {
			continue
		}
		why := ""
		switch {
		case isSecretName(name):
			why = "its name says it holds a secret"
		case reURLPassword().MatchString(v):
			why = "it is a URL with a password in it"
		default:
			continue
		}
		f.report(issue{slug: ruleSecretEnv, res: p.r, c: c, line: val.line(), item: e.Line, detail: "env\x00" + name,
			msg:     fmt.Sprintf("%s sets env %s to a literal value (%s): the value is committed in this file, in every clone of the repository, and readable by anyone who can read the pod spec.", who, safeName(name), why),
			fix:     fmt.Sprintf("Move the value into a Secret and reference it on line %d: `valueFrom: {secretKeyRef: {name: <secret>, key: %s}}` instead of `value:`. If this value is real, it is burnt: revoke and rotate it.", val.line(), safeKey(name)),
			snippet: f.redactedLine(val.line(), val.val.Column),
		})
	}
}

// safeName quotes an env name for a message (it is repository data).
func safeName(n string) string { return fmt.Sprintf("%q", n) }

// safeKey turns an env name into a Secret key for the example fix.
func safeKey(n string) string {
	k := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return -1
	}, n)
	if k == "" {
		return "<key>"
	}
	return strings.ToLower(strings.ReplaceAll(k, "_", "-"))
}

// redactedLine is a line with everything from column col (1-based) on
// replaced: the line of a secret value, fit to show.
func (f *mfile) redactedLine(line, col int) string {
	if line < 1 || line > len(f.lines) {
		return ""
	}
	r := []rune(f.lines[line-1])
	if col < 1 || col-1 > len(r) {
		return "****"
	}
	return strings.TrimSpace(string(r[:col-1]) + "****")
}
