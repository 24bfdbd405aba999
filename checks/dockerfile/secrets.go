package dockerfile

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// wellKnownSecrets are variables that hold a credential whatever their
// spelling suggests (Trivy's list and hadolint's DL3064 list, less the
// names that hold no secret there: user names, ids, URLs).
var wellKnownSecrets = map[string]bool{
	"AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
	"AZURE_CLIENT_ID": true, "AZURE_CLIENT_SECRET": true, "GITHUB_TOKEN": true, "GH_TOKEN": true,
	"GH_ENTERPRISE_TOKEN": true, "GITHUB_ENTERPRISE_TOKEN": true, "OPENAI_API_KEY": true, "HF_TOKEN": true,
	"DIGITALOCEAN_ACCESS_TOKEN": true, "DOCKERHUB_PASSWORD": true, "FIREBASE_TOKEN": true,
	"CI_DEPLOY_PASSWORD": true, "GOOGLE_API_KEY": true, "LANGSMITH_API_KEY": true, "LANGCHAIN_API_KEY": true,
	"HEROKU_API_KEY": true, "NPM_TOKEN": true, "NODE_AUTH_TOKEN": true, "PYPI_TOKEN": true, "TWINE_PASSWORD": true,
	"APPLICATION_KEY": true, "BITTREX_API_SECRET": true, "VAULT_CLIENT_KEY": true, "OKTA_CLIENT_TOKEN": true,
}

// credentialFileEnvs point at a credential file; a value inside a copied
// directory means the file itself is in the image.
var credentialFileEnvs = map[string]bool{
	"GOOGLE_APPLICATION_CREDENTIALS": true, "AWS_CONFIG_FILE": true, "AWS_SHARED_CREDENTIALS_FILE": true,
	"HF_TOKEN_PATH": true, "KUBECONFIG": true, "DOCKER_CONFIG": true, "NPM_CONFIG_USERCONFIG": true,
}

// secretWords name a secret as a whole word of a variable name (DB_PASS,
// API_KEY, JWT_SECRET, BASIC_AUTH).
var secretWords = map[string]bool{
	"PASSWORD": true, "PASSWD": true, "PASS": true, "PASSPHRASE": true, "PWORD": true, "PSW": true,
	"SECRET": true, "SECRETS": true, "TOKEN": true, "TOKENS": true, "KEY": true, "APIKEY": true,
	"CREDENTIAL": true, "CREDENTIALS": true, "CREDS": true, "AUTH": true,
}

// settingWords name a setting about a secret rather than the secret: a
// path, a switch, a public part (PASSWORD_FILE, TOKEN_TTL, PUBLIC_KEY).
var settingWords = map[string]bool{
	"PUBLIC": true, "PUB": true, "FILE": true, "PATH": true, "DIR": true, "FOLDER": true, "LOCATION": true,
	"VERSION": true, "URL": true, "URI": true, "ENDPOINT": true, "HOST": true, "HOSTNAME": true, "PORT": true,
	"NAME": true, "TYPE": true, "ID": true, "TTL": true, "TIMEOUT": true, "EXPIRY": true, "EXPIRES": true,
	"EXPIRATION": true, "LENGTH": true, "SIZE": true, "MODE": true, "METHOD": true, "PROVIDER": true,
	"REGION": true, "ALGORITHM": true, "FORMAT": true, "ENABLED": true, "DISABLED": true, "ENABLE": true,
	"DISABLE": true, "REQUIRED": true, "FINGERPRINT": true, "HEADER": true,
	"PREFIX": true, "FIELD": true, "SERVER": true, "KEYRING": true, "LOCKOUT": true, "POLICY": true,
	"MIN": true, "MAX": true, "COMPLEXITY": true, "RESET": true,
}

// notPass are words ending in PASS that are not passwords.
var notPass = map[string]bool{"BYPASS": true, "COMPASS": true, "SURPASS": true, "TRESPASS": true, "OVERPASS": true, "UNDERPASS": true, "ENCOMPASS": true}

// isSecretName reports whether a variable name says it holds a secret:
// a secret word (DB_PASSWORD, API_KEY, BASIC_AUTH), a word ending in one
// (LDAP_ROOTPASS, DBPASSWD, SECRETKEY), SECRET or TOKEN inside a word
// (CLIENTSECRET, GITHUBTOKEN; not TOKENIZERS), or _PWD after another word
// (DB_PWD; not PWD, the working directory). A word naming a setting about
// the secret (PASSWORD_FILE, TOKEN_TTL) or a public part (PUBLIC_KEY,
// GPG_KEY, a key fingerprint) makes it no secret, unless it also says
// private.
func isSecretName(name string) bool {
	up := strings.ToUpper(name)
	for _, p := range []string{"VITE_", "REACT_APP_"} {
		up = strings.TrimPrefix(up, p)
	}
	if wellKnownSecrets[up] {
		return true
	}
	if credentialFileEnvs[up] {
		return false // a path; checked against what is copied instead
	}
	words := strings.FieldsFunc(up, func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	secret, setting, private, gpg, onlyKey := false, false, false, false, true
	for _, w := range words {
		switch {
		case settingWords[w]:
			setting = true
		case w == "PRIVATE" || w == "PRIV":
			private = true
		case w == "GPG" || w == "PGP":
			gpg = true // GPG_KEY is a public key's fingerprint
		case w == "KEY":
			secret = true
		case secretWords[w],
			strings.HasSuffix(w, "PASSWORD"), strings.HasSuffix(w, "PASSWD"), strings.HasSuffix(w, "PASSPHRASE"),
			strings.HasSuffix(w, "PASS") && !notPass[w],
			strings.Contains(w, "SECRET"),
			strings.Contains(w, "TOKEN") && !strings.HasPrefix(w, "TOKENIZ"),
			strings.HasSuffix(w, "APIKEY") || strings.HasSuffix(w, "ACCESSKEY") || strings.HasSuffix(w, "PRIVATEKEY") || strings.HasSuffix(w, "AUTHKEY"),
			w == "PWD" && len(words) > 1:
			secret, onlyKey = true, false
		}
	}
	if private && containsWord(words, "KEY") {
		return true // PRIVATE_KEY, GPG_PRIVATE_KEY
	}
	return secret && !setting && !(gpg && onlyKey)
}

// secretValue patterns recognise credentials by their shape, whatever the
// variable is called.
type secretShape struct {
	what  string
	hints []string // one of these appears in any match: a cheap test first
	re    *regexp.Regexp
}

var secretShapes = sync.OnceValue(func() []secretShape {
	return []secretShape{
		{"an AWS access key", []string{"AKIA", "ASIA", "ABIA", "ACCA"}, regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b`)},
		{"a GitHub token", []string{"gh", "github_pat_"}, regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b`)},
		{"a GitLab token", []string{"glpat-"}, regexp.MustCompile(`\bglpat-[A-Za-z0-9_\-]{20,}`)},
		{"a Slack token", []string{"xox"}, regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`)},
		{"a Stripe key", []string{"k_live_"}, regexp.MustCompile(`\b[sr]k_live_[0-9A-Za-z]{20,}`)},
		{"a Google API key", []string{"AIza"}, regexp.MustCompile(`\bAIza[0-9A-Za-z_\-]{35}\b`)},
		{"an npm token", []string{"npm_"}, regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`)},
		{"an API key", []string{"sk-"}, regexp.MustCompile(`\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{32,}`)},
		{"a private key", []string{"PRIVATE KEY"}, regexp.MustCompile(`-----BEGIN[A-Z ]* PRIVATE KEY`)},
		{"a JSON web token", []string{"eyJ"}, regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`)},
		{"a URL with a password", []string{"@"}, regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@$]+:[^/\s@$]+@`)},
		{"a Slack webhook", []string{"hooks.slack.com/"}, regexp.MustCompile(`hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{20,}`)},
		{"a Discord webhook", []string{"/api/webhooks/"}, regexp.MustCompile(`discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_\-]{20,}`)},
	}
})

// urlQuery is the query of a URL in text: signed URLs (S3, Azure SAS, GCS)
// carry their credential there, under names no list can foresee.
var urlQuery = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`((?:https?|ftp)://[^\s?#"'\x60]*\?)([^\s#"'\x60]+)`)
})

func (s secretShape) hinted(v string) bool {
	for _, h := range s.hints {
		if strings.Contains(v, h) {
			return true
		}
	}
	return false
}

// secretShapeOf returns what a value looks like when it looks like a secret.
func secretShapeOf(v string) string {
	for _, s := range secretShapes() {
		if s.hinted(v) && s.re.MatchString(v) {
			return s.what
		}
	}
	return ""
}

var redactors = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		// NAME=value and NAME value for names that say secret.
		regexp.MustCompile(`(?i)\b([A-Z0-9_]*(?:PASS|PWD|SECRET|TOKEN|KEY|CRED|PSW|AUTH)[A-Z0-9_]*)(\s*=\s*|\s+)("[^"]*"|'[^']*'|[^\s"'\\]+)`),
		// --password=x, --token x, -p x for the usual command-line spellings.
		regexp.MustCompile(`(?i)(--?(?:password|passwd|pass|token|secret|api-key|apikey|access-token|auth-token|client-secret)(?:=|\s+))("[^"]*"|'[^']*'|\S+)`),
	}
})

// redactShapes replaces credentials recognisable by their shape, and the
// values of URL queries. It is safe on any text, prose included, and runs
// on every message and fix.
func redactShapes(s string) string {
	if strings.Contains(s, "://") && strings.Contains(s, "?") {
		s = urlQuery().ReplaceAllStringFunc(s, func(m string) string {
			sub := urlQuery().FindStringSubmatch(m)
			params := strings.Split(sub[2], "&")
			for i, p := range params {
				if k, v, ok := strings.Cut(p, "="); ok && v != "" && v != "****" {
					params[i] = k + "=****"
				}
			}
			return sub[1] + strings.Join(params, "&")
		})
	}
	for _, sh := range secretShapes() {
		if !sh.hinted(s) {
			continue
		}
		if sh.what == "a Slack webhook" || sh.what == "a Discord webhook" {
			s = sh.re.ReplaceAllStringFunc(s, func(m string) string {
				return m[:strings.LastIndexByte(m, '/')+1] + "****"
			})
			continue
		}
		if sh.what == "a URL with a password" {
			s = sh.re.ReplaceAllStringFunc(s, func(m string) string {
				i := strings.Index(m, "://")
				user, _, _ := strings.Cut(m[i+3:], ":")
				return m[:i+3] + user + ":****@"
			})
			continue
		}
		s = sh.re.ReplaceAllString(s, "****")
	}
	return s
}

// redact removes anything that looks like a secret from Dockerfile text
// shown to people: credentials by shape, values of secret-named variables
// and password options. It runs on snippets and quoted instructions.
func redact(s string) string {
	s = redactShapes(s)
	l := strings.ToLower(s)
	if !strings.Contains(l, "pass") && !strings.Contains(l, "secret") && !strings.Contains(l, "token") && !strings.Contains(l, "key") &&
		!strings.Contains(l, "cred") && !strings.Contains(l, "psw") && !strings.Contains(l, "auth") && !strings.Contains(l, "pwd") {
		return s
	}
	rs := redactors()
	s = rs[0].ReplaceAllStringFunc(s, func(m string) string {
		sub := rs[0].FindStringSubmatch(m)
		if !isSecretName(sub[1]) || isVarRef(sub[3]) || sub[3] == "****" {
			return m
		}
		return sub[1] + sub[2] + "****"
	})
	s = rs[1].ReplaceAllStringFunc(s, func(m string) string {
		sub := rs[1].FindStringSubmatch(m)
		if isVarRef(sub[2]) || strings.HasPrefix(sub[2], "-") {
			return m
		}
		return sub[1] + "****"
	})
	return s
}

// isVarRef is a value that only refers to a variable ($X, "${X}"): no secret
// in the text itself.
func isVarRef(v string) bool {
	v = trimQuotes(v)
	if !strings.HasPrefix(v, "$") {
		return false
	}
	v = strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(v, "${"), "}"), "$")
	return isName(v)
}

// secretFix is how to hand a build a secret without baking it in.
func secretFix(name string) string {
	id := strings.ToLower(name)
	return fmt.Sprintf("Pass it as a build secret instead: remove it from the Dockerfile, use `RUN --mount=type=secret,id=%s,env=%s <command>` in the steps that need it, and build with `docker build --secret id=%s,env=%s .`. For the running container, inject it at run time (orchestrator secret or environment). If a real value was ever committed or pushed in an image, revoke and rotate it first.", id, name, id, name)
}

// checkSecretVar checks one ENV or ARG variable for secrets. kind is "ENV"
// or "ARG"; hasValue tells an ARG with a default from one without.
func (f *dfile) checkSecretVar(in *inst, kind, name, raw, value string, hasValue bool) {
	slug := ruleSecretEnv
	if kind == "ARG" {
		slug = ruleSecretArg
	}
	literal := hasValue && value != "" && !strings.Contains(raw, "$")
	switch {
	case isSecretName(name):
		if kind == "ENV" && value == "" && !strings.Contains(raw, "$") {
			return // ENV X="" clears a variable; nothing is stored
		}
		var msg string
		switch {
		case kind == "ENV" && literal:
			msg = fmt.Sprintf("ENV sets %s to a literal value: it is stored in the image configuration, readable by anyone who can pull the image (`docker inspect`), and it is committed in this Dockerfile.", name)
		case kind == "ENV":
			msg = fmt.Sprintf("ENV sets %s: whatever it holds at build time is stored in the image configuration, readable by anyone who can pull the image (`docker inspect`).", name)
		case literal:
			msg = fmt.Sprintf("ARG %s has a literal default: build arguments are recorded in the image history and build provenance, and this value is committed in the Dockerfile.", name)
		default:
			msg = fmt.Sprintf("ARG %s makes callers pass a secret with --build-arg, which is recorded in the image history (`docker history`) and build provenance.", name)
		}
		f.report(slug, in.line, in.stage, kind+"\x00"+name, msg, secretFix(name), nil)
	case hasValue && secretShapeOf(value) != "":
		f.report(slug, in.line, in.stage, kind+"\x00value\x00"+name,
			fmt.Sprintf("%s %s holds what looks like %s; it is stored in the image and committed in this Dockerfile.", kind, name, secretShapeOf(value)),
			secretFix(name), nil)
	}
	if credentialFileEnvs[strings.ToUpper(name)] && hasValue && value != "" {
		if dst := f.copiedDirHolding(in.stage, value); dst != "" {
			f.reportAt(ruleCredentialFile, in, "env\x00"+name,
				fmt.Sprintf("%s %s points at %s, inside %s, which a COPY puts in the image: the credential file ships with every copy of the image.", kind, name, value, dst),
				fmt.Sprintf("Keep the credential file out of the build context (.dockerignore it) and mount it at run time instead, e.g. `docker run -v $PWD/key.json:/secrets/key.json:ro -e %s=/secrets/key.json`; during the build use `RUN --mount=type=secret,id=creds,target=/run/secrets/creds`.", name), nil)
		}
	}
}

// copiedDirHolding returns the COPY destination of the stage under which p
// lies, if any.
func (f *dfile) copiedDirHolding(st *stage, p string) string {
	if st == nil {
		return ""
	}
	norm := func(s string) string {
		s = path.Clean(strings.TrimPrefix(trimQuotes(s), "/"))
		return strings.TrimPrefix(s, "./")
	}
	target := norm(p)
	for _, in := range st.insts {
		c, ok := in.v.(*instructions.CopyCommand)
		if !ok || c.From != "" {
			continue
		}
		dst := norm(c.DestPath)
		if dst == "." || target == dst || strings.HasPrefix(target, dst+"/") {
			return c.DestPath
		}
	}
	return ""
}

// checkCredentialCopy reports COPY <file> $GOOGLE_APPLICATION_CREDENTIALS
// and friends: a credential file copied to where tools look for it.
func (f *dfile) checkCredentialCopy(in *inst, dest string) {
	name := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(dest, "$"), "{"), "}")
	if !strings.HasPrefix(dest, "$") || !credentialFileEnvs[strings.ToUpper(name)] {
		return
	}
	f.reportAt(ruleCredentialFile, in, "copy\x00"+name,
		fmt.Sprintf("%s copies a file to $%s, the credential file tools read: the credential ships in the image layer.", strings.ToUpper(in.cmd), name),
		fmt.Sprintf("Do not copy credentials into the image: mount the file at run time (`docker run -v ...:ro -e %s=...`) or, for a build step, `RUN --mount=type=secret,id=creds,target=/run/secrets/creds`.", name), nil)
}

// credentialCommands store credentials in the filesystem of the layer.
func credentialCommand(args []string) string {
	if len(args) == 0 {
		return ""
	}
	name := path.Base(args[0])
	pos := positional(args[1:])
	joined := strings.Join(pos, " ")
	switch name {
	case "aws":
		if strings.HasPrefix(joined, "configure set") && len(pos) >= 3 {
			k := strings.ToLower(pos[2])
			if strings.Contains(k, "aws_access_key_id") || strings.Contains(k, "aws_secret_access_key") || strings.Contains(k, "aws_session_token") {
				return "aws configure set " + pos[2] + " (writes ~/.aws/credentials)"
			}
		}
	case "gcloud":
		if strings.HasPrefix(joined, "auth activate-service-account") {
			return "gcloud auth activate-service-account (copies the key to ~/.config/gcloud)"
		}
	case "az":
		if len(pos) > 0 && pos[0] == "login" && hasOption(args, "p", "--password", "--federated-token", "--secret") {
			return "az login with a password or token (stored in ~/.azure)"
		}
	case "doctl":
		if strings.HasPrefix(joined, "auth init") && hasOption(args, "t", "--access-token") {
			return "doctl auth init with a token (stored in ~/.config/doctl)"
		}
	case "docker", "podman", "buildah":
		if len(pos) > 0 && pos[0] == "login" && hasOption(args, "p", "--password") {
			return name + " login with a password (stored in ~/.docker/config.json)"
		}
	case "npm", "yarn", "pnpm":
		for _, a := range args {
			if strings.Contains(a, ":_authToken") || strings.Contains(a, ":_password") {
				return name + " config with an auth token (stored in .npmrc)"
			}
		}
	}
	return ""
}
