package dockerfile

import (
	"fmt"
	"path"
	"strings"
)

// insecure is one way of switching verification off, with the ids other
// tools use for it.
type insecure struct {
	slug string // ruleInsecureTLS or ruleUnverifiedPkgs
	what string // what was found, for the message
	fix  string
	ref  string // the Checkov id, or ""
}

func (i insecure) refs() []string {
	if i.ref == "" {
		return []string{}
	}
	return []string{i.ref}
}

func isFalse(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "0", "false", "no", "off":
		return true
	}
	return false
}

// insecureVar reports a variable whose value turns verification off, set by
// ENV, ARG or in a RUN (NAME=value cmd, export NAME=value).
func insecureVar(name, value string) *insecure {
	switch strings.ToUpper(name) {
	case "GIT_SSL_NO_VERIFY":
		// git checks only that the variable exists: even 0 disables checks.
		return &insecure{ruleInsecureTLS, "GIT_SSL_NO_VERIFY is set (git skips certificate checks whatever its value)",
			"Remove GIT_SSL_NO_VERIFY. If a server uses a private CA, add the CA to the image (`COPY ca.crt /usr/local/share/ca-certificates/` then `update-ca-certificates`) or point git at it with `git config --global http.sslCAInfo /path/ca.crt`.", "CKV2_DOCKER_14"}
	case "PYTHONHTTPSVERIFY":
		if strings.TrimSpace(value) == "0" {
			return &insecure{ruleInsecureTLS, "PYTHONHTTPSVERIFY=0 turns off certificate checks in Python's HTTPS",
				"Remove PYTHONHTTPSVERIFY=0. For a private CA, install it in the image and set SSL_CERT_FILE or REQUESTS_CA_BUNDLE to the CA bundle.", "CKV2_DOCKER_5"}
		}
	case "NODE_TLS_REJECT_UNAUTHORIZED":
		if strings.TrimSpace(value) == "0" {
			return &insecure{ruleInsecureTLS, "NODE_TLS_REJECT_UNAUTHORIZED=0 makes Node.js accept any certificate",
				"Remove NODE_TLS_REJECT_UNAUTHORIZED=0. For a private CA, set NODE_EXTRA_CA_CERTS=/path/ca.crt instead.", "CKV2_DOCKER_6"}
		}
	case "NPM_CONFIG_STRICT_SSL":
		if isFalse(value) {
			return &insecure{ruleInsecureTLS, name + "=false makes npm accept any registry certificate",
				"Remove " + name + "=false. For a private CA, set NPM_CONFIG_CAFILE=/path/ca.crt (or `npm config set cafile /path/ca.crt`).", "CKV2_DOCKER_12"}
		}
	case "YARN_ENABLE_STRICT_SSL", "YARN_STRICT_SSL":
		if isFalse(value) {
			return &insecure{ruleInsecureTLS, name + "=false makes yarn accept any registry certificate",
				"Remove " + name + ". For a private CA, set YARN_CA_FILE_PATH (yarn 2+) or NPM_CONFIG_CAFILE to the CA file.", ""}
		}
	case "PIP_TRUSTED_HOST":
		if strings.TrimSpace(value) != "" {
			return &insecure{ruleInsecureTLS, "PIP_TRUSTED_HOST makes pip skip certificate checks (and allow plain HTTP) for " + value,
				"Remove PIP_TRUSTED_HOST. Use an HTTPS index; for a private CA set PIP_CERT=/path/ca.crt.", "CKV2_DOCKER_16"}
		}
	case "GOINSECURE":
		if strings.TrimSpace(value) != "" {
			return &insecure{ruleInsecureTLS, "GOINSECURE makes the go command fetch " + value + " without TLS checks",
				"Remove GOINSECURE; serve the module proxy over verified HTTPS and install its CA in the image if it is private.", ""}
		}
	case "GOSUMDB":
		if strings.EqualFold(strings.TrimSpace(value), "off") {
			return &insecure{ruleUnverifiedPkgs, "GOSUMDB=off stops the go command from checking module checksums",
				"Remove GOSUMDB=off; for private modules set GOPRIVATE=<pattern> instead, which skips only those.", ""}
		}
	}
	return nil
}

// insecureCommand reports a command-line option that turns verification off.
func insecureCommand(args []string) []insecure {
	if len(args) == 0 {
		return nil
	}
	name := path.Base(args[0])
	rest := args[1:]
	var out []insecure
	add := func(i insecure) { out = append(out, i) }
	switch {
	case name == "curl":
		if hasOptionIn(rest, curlValued, "k", "--insecure", "--proxy-insecure") {
			add(insecure{ruleInsecureTLS, "curl -k/--insecure accepts any certificate, so anyone on the network path can swap the download",
				"Drop -k/--insecure. For a private CA, pass `--cacert /path/ca.crt` or install the CA in the image with update-ca-certificates.", "CKV2_DOCKER_2"})
		}
	case name == "wget":
		if hasOption(rest, "", "--no-check-certificate") {
			add(insecure{ruleInsecureTLS, "wget --no-check-certificate accepts any certificate, so anyone on the network path can swap the download",
				"Drop --no-check-certificate. For a private CA, pass `--ca-certificate=/path/ca.crt` or install the CA in the image.", "CKV2_DOCKER_3"})
		}
	case isPip(args):
		if hasOption(rest, "", "--trusted-host") {
			add(insecure{ruleInsecureTLS, "pip --trusted-host skips certificate checks (and allows plain HTTP) for that index",
				"Drop --trusted-host and use an HTTPS index; for a private CA pass `--cert /path/ca.crt` or set PIP_CERT.", "CKV2_DOCKER_4"})
		}
		if p := positional(rest); len(p) >= 3 && p[0] == "config" && p[1] == "set" && strings.HasSuffix(p[2], "trusted-host") {
			add(insecure{ruleInsecureTLS, "pip config set trusted-host skips certificate checks for that index",
				"Remove the trusted-host setting and use an HTTPS index; for a private CA set `pip config set global.cert /path/ca.crt`.", "CKV2_DOCKER_4"})
		}
	case name == "npm" || name == "yarn" || name == "pnpm":
		if npmStrictSSLOff(rest) || hasOption(rest, "", "--strict-ssl=false") {
			add(insecure{ruleInsecureTLS, name + " strict-ssl false makes it accept any registry certificate",
				"Keep strict-ssl on. For a private registry CA use `" + name + " config set cafile /path/ca.crt`.", "CKV2_DOCKER_13"})
		}
	case name == "git":
		if gitSSLVerifyOff(rest) {
			add(insecure{ruleInsecureTLS, "git http.sslVerify=false skips certificate checks",
				"Keep http.sslVerify on; for a private CA set `git config --global http.sslCAInfo /path/ca.crt`.", ""})
		}
	case name == "yum-config-manager" || name == "dnf-config-manager" ||
		((name == "yum" || name == "dnf") && len(positional(rest)) > 0 && positional(rest)[0] == "config-manager"):
		if setoptOff(rest, "sslverify") {
			add(insecure{ruleInsecureTLS, name + " --setopt=sslverify=0 makes the package manager accept any repository certificate",
				"Remove the sslverify=0 setting; for a private repository CA set `sslcacert=/path/ca.crt` in the .repo file.", "CKV2_DOCKER_15"})
		}
	}
	switch name {
	case "apk":
		if hasOption(rest, "", "--allow-untrusted") {
			add(insecure{ruleUnverifiedPkgs, "apk --allow-untrusted installs packages whose signature is missing or wrong",
				"Drop --allow-untrusted. For your own packages, sign them (`abuild-sign`) and add the public key to /etc/apk/keys.", "CKV2_DOCKER_7"})
		}
	case "apt-get", "apt", "aptitude":
		if hasOption(rest, "", "--allow-unauthenticated", "--allow-insecure-repositories") {
			add(insecure{ruleUnverifiedPkgs, name + " --allow-unauthenticated installs packages without checking their signatures",
				"Drop --allow-unauthenticated; add the repository's signing key (`signed-by=/usr/share/keyrings/<repo>.gpg` in its sources entry).", "CKV2_DOCKER_8"})
		}
		if hasOption(rest, "", "--force-yes") {
			add(insecure{ruleUnverifiedPkgs, name + " --force-yes also accepts unauthenticated packages and downgrades",
				"Replace --force-yes with -y; add the repository's signing key if a package is rejected.", "CKV2_DOCKER_11"})
		}
		for i, a := range rest {
			v := a
			if a == "-o" && i+1 < len(rest) {
				v = rest[i+1]
			}
			if strings.HasPrefix(strings.ToLower(strings.TrimPrefix(v, "-o")), "apt::get::allowunauthenticated=") && !isFalse(v[strings.IndexByte(v, '=')+1:]) {
				add(insecure{ruleUnverifiedPkgs, name + " -o APT::Get::AllowUnauthenticated installs packages without checking their signatures",
					"Remove the option; add the repository's signing key instead.", "CKV2_DOCKER_8"})
				break
			}
		}
	case "yum", "dnf", "tdnf", "microdnf":
		if hasOption(rest, "", "--nogpgcheck", "--no-gpgchecks") || setoptOff(rest, "gpgcheck") {
			add(insecure{ruleUnverifiedPkgs, name + " --nogpgcheck installs packages without checking their signatures",
				"Drop --nogpgcheck; import the repository key (`rpm --import <key-url>`) or set gpgkey= in its .repo file.", "CKV2_DOCKER_9"})
		}
	case "zypper":
		if hasOption(rest, "", "--no-gpg-checks") {
			add(insecure{ruleUnverifiedPkgs, "zypper --no-gpg-checks installs packages without checking their signatures",
				"Drop --no-gpg-checks; import the repository key with `rpm --import <key>`.", ""})
		}
	case "rpm":
		if hasOption(rest, "", "--nosignature", "--nodigest", "--noverify", "--nofiledigest") {
			add(insecure{ruleUnverifiedPkgs, "rpm --nosignature/--nodigest/--noverify installs packages without checking signatures or digests",
				"Drop the option; import the signing key with `rpm --import <key>` so rpm can verify the package.", "CKV2_DOCKER_10"})
		}
	}
	return out
}

var curlValued = "oudHXAeTFmwxKbcrCEYyzQ"

// npmStrictSSLOff matches `npm config set strict-ssl false` and its
// spellings (`npm set`, `npm c set`, strict-ssl=false).
func npmStrictSSLOff(rest []string) bool {
	p := positional(rest)
	if len(p) > 0 && (p[0] == "config" || p[0] == "c") {
		p = p[1:]
	}
	if len(p) < 2 || p[0] != "set" {
		return false
	}
	key, val, ok := strings.Cut(p[1], "=")
	if !ok {
		if len(p) < 3 {
			return false
		}
		val = p[2]
	}
	return strings.TrimSpace(key) == "strict-ssl" && isFalse(val)
}

func gitSSLVerifyOff(rest []string) bool {
	for i, a := range rest {
		// git -c http.sslVerify=false clone ...
		if a == "-c" && i+1 < len(rest) {
			if k, v, ok := strings.Cut(rest[i+1], "="); ok && strings.HasSuffix(strings.ToLower(k), "sslverify") && isFalse(v) {
				return true
			}
		}
	}
	// git config [--global] http.sslVerify false
	p := positional(rest)
	if len(p) >= 3 && p[0] == "config" && strings.HasSuffix(strings.ToLower(p[1]), "sslverify") && isFalse(p[2]) {
		return true
	}
	return false
}

// setoptOff finds --setopt=[repo.]key=0|false|no among args.
func setoptOff(rest []string, key string) bool {
	for i, a := range rest {
		v := ""
		switch {
		case strings.HasPrefix(a, "--setopt="):
			v = strings.TrimPrefix(a, "--setopt=")
		case a == "--setopt" && i+1 < len(rest):
			v = rest[i+1]
		default:
			continue
		}
		k, val, ok := strings.Cut(v, "=")
		k = strings.ToLower(strings.Trim(k, `"'`))
		if ok && (k == key || strings.HasSuffix(k, "."+key)) && isFalse(strings.Trim(val, `"'`)) {
			return true
		}
	}
	return false
}

// isPip: pip, pip3, pipx, or python -m pip. pipenv is not pip: it
// installs what its lock file pins.
func isPip(args []string) bool {
	name := path.Base(args[0])
	if strings.HasPrefix(name, "python") && len(args) > 2 && args[1] == "-m" {
		name = args[2]
	} else if strings.HasPrefix(name, "python") {
		return false
	}
	return strings.HasPrefix(name, "pip") && !strings.HasPrefix(name, "pipenv")
}

// pipTool names the command in messages: pipx, or pip for every pip.
func pipTool(args []string) string {
	name := path.Base(args[0])
	if strings.HasPrefix(name, "python") && len(args) > 2 {
		name = args[2]
	}
	if strings.HasPrefix(name, "pipx") {
		return "pipx"
	}
	return "pip"
}

// pipArgs are the words after "pip" (also for python -m pip).
func pipArgs(args []string) []string {
	if strings.HasPrefix(path.Base(args[0]), "python") {
		return args[3:]
	}
	return args[1:]
}

// hasOption reports a long option (--x or --x=v) or a short letter in an
// option cluster.
func hasOption(args []string, shorts string, longs ...string) bool {
	return hasOptionIn(args, "", shorts, longs...)
}

// hasOptionIn is hasOption where short letters in valued take a value: in
// `-ofile` the f is not an option.
func hasOptionIn(args []string, valued, shorts string, longs ...string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if strings.HasPrefix(a, "--") {
			name, _, _ := strings.Cut(a, "=")
			for _, l := range longs {
				if a == l || name == l {
					return true
				}
			}
			continue
		}
		if len(a) > 1 && a[0] == '-' {
			for _, r := range a[1:] {
				if strings.ContainsRune(shorts, r) {
					return true
				}
				if strings.ContainsRune(valued, r) {
					break
				}
			}
		}
	}
	return false
}

// positional returns the words that are not options. Option values cannot
// be told apart without knowing the program, so this is for programs whose
// subcommand comes before its options in practice.
func positional(args []string) []string {
	var out []string
	for i, a := range args {
		if a == "--" {
			return append(out, args[i+1:]...)
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			continue
		}
		out = append(out, a)
	}
	return out
}

func describeInsecure(i insecure, in *inst) string {
	return fmt.Sprintf("%s %s.", strings.ToUpper(in.cmd), i.what)
}
