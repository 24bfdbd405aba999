package dockerfile

import (
	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/lessons"
	"slices"
)

// LessonFallback is the lesson of a Dockerfile rule no lesson names.
const LessonFallback = "containers-dockerfile"

// RuleInfo describes one rule for lessons, documentation and `learn`.
type RuleInfo struct {
	ID       string          `json:"id"`
	Slug     string          `json:"slug"`
	Title    string          `json:"title"`
	Severity checks.Severity `json:"severity"`
	// Refs are the equivalent hadolint (DLxxxx), Trivy (DS-00NN and
	// AVD-DS-00NN), Checkov (CKV_DOCKER_n, CKV2_DOCKER_n) and BuildKit check
	// ids. A finding carries the subset that matches what it found.
	Refs   []string `json:"refs"`
	Lesson string   `json:"lesson"`
}

type rule struct {
	slug     string
	title    string
	severity checks.Severity
	refs     []string
}

// Trivy ids come in two spellings that users write in ignore files.
func trivy(n string) []string { return []string{"DS-" + n, "AVD-DS-" + n} }

func refs(groups ...[]string) []string { return slices.Concat(groups...) }

func ids(s ...string) []string { return s }

// The rule catalog. Slugs are stable: they are rule ids in findings,
// suppressions and policies.
const (
	ruleParseError          = "parse-error"
	ruleRootUser            = "root-user"
	ruleNoUser              = "no-user"
	ruleLatestTag           = "latest-tag"
	ruleUntagged            = "untagged-image"
	ruleDigest              = "unpinned-digest"
	ruleUnresolvedImage     = "unresolved-image"
	ruleSecretEnv           = "secret-in-env"
	ruleSecretArg           = "secret-in-arg"
	ruleCredentialFile      = "credential-file"
	ruleCredentialsRun      = "credentials-in-run"
	ruleCurlPipe            = "curl-pipe-shell"
	ruleInsecureTLS         = "insecure-tls"
	ruleUnverifiedPkgs      = "unverified-packages"
	ruleSudo                = "sudo"
	ruleChpasswd            = "chpasswd"
	ruleChmod777            = "chmod-777"
	ruleExposeSSH           = "expose-ssh"
	ruleInvalidPort         = "invalid-port"
	ruleNoHealthcheck       = "no-healthcheck"
	ruleAddURL              = "add-url"
	ruleAddInsteadOfCopy    = "add-instead-of-copy"
	ruleMultipleCmd         = "multiple-cmd"
	ruleMultipleEntrypoint  = "multiple-entrypoint"
	ruleMultipleHealthcheck = "multiple-healthcheck"
	ruleRelativeWorkdir     = "relative-workdir"
	ruleSystemWorkdir       = "system-workdir"
	ruleRunCd               = "run-cd"
	ruleCopyFromSelf        = "copy-from-self"
	ruleDuplicateStage      = "duplicate-stage-name"
	ruleCopyMultiSource     = "copy-multiple-sources"
	ruleMaintainer          = "maintainer"
	rulePipefail            = "missing-pipefail"
	rulePkgYes              = "pkg-missing-yes"
	ruleAptRecommends       = "apt-no-install-recommends"
	rulePkgUnpinned         = "pkg-unpinned"
	rulePkgCache            = "pkg-cache"
	rulePkgUpdateAlone      = "pkg-update-alone"
	ruleAptInScript         = "apt-in-script"
	ruleWgetAndCurl         = "wget-and-curl"
	ruleDistUpgrade         = "dist-upgrade"
	ruleCopyFromUndefined   = "copy-from-undefined"
	ruleUntrustedRegistry   = "untrusted-registry"
)

var catalog = []rule{
	{ruleParseError, "Dockerfile does not parse", checks.Medium, nil},
	{ruleRootUser, "Final stage runs as root", checks.High, refs(ids("DL3002"), trivy("0002"), ids("CKV_DOCKER_8"))},
	{ruleNoUser, "Final stage never switches to a non-root USER", checks.High, refs(trivy("0002"), ids("CKV_DOCKER_3"))},
	{ruleLatestTag, "Base image uses the latest tag", checks.Medium, refs(ids("DL3007"), trivy("0001"), ids("CKV_DOCKER_7"))},
	{ruleUntagged, "Base image has no tag (it means latest)", checks.Medium, refs(ids("DL3006"), trivy("0001"), ids("CKV_DOCKER_7"))},
	{ruleDigest, "Base image is not pinned by digest", checks.Low, nil},
	{ruleUnresolvedImage, "Base image depends on a build argument without a default", checks.Info, ids("InvalidDefaultArgInFrom")},
	{ruleSecretEnv, "Secret in ENV is baked into the image", checks.High, refs(ids("DL3064"), trivy("0031"), ids("SecretsUsedInArgOrEnv"))},
	{ruleSecretArg, "Secret passed as a build ARG is kept in the image history", checks.High, refs(ids("DL3064"), trivy("0031"), ids("SecretsUsedInArgOrEnv"))},
	{ruleCredentialFile, "Credential file copied into the image", checks.High, trivy("0031")},
	{ruleCredentialsRun, "Credentials stored by a RUN command stay in the layer", checks.High, trivy("0031")},
	{ruleCurlPipe, "Downloaded script piped into a shell without verification", checks.High, nil},
	{ruleInsecureTLS, "TLS certificate verification disabled", checks.High, ids("CKV2_DOCKER_2", "CKV2_DOCKER_3", "CKV2_DOCKER_4", "CKV2_DOCKER_5", "CKV2_DOCKER_6", "CKV2_DOCKER_12", "CKV2_DOCKER_13", "CKV2_DOCKER_14", "CKV2_DOCKER_15", "CKV2_DOCKER_16")},
	{ruleUnverifiedPkgs, "Package signature verification disabled", checks.High, ids("CKV2_DOCKER_7", "CKV2_DOCKER_8", "CKV2_DOCKER_9", "CKV2_DOCKER_10", "CKV2_DOCKER_11")},
	{ruleSudo, "sudo used in a RUN instruction", checks.Medium, refs(ids("DL3004"), trivy("0010"), ids("CKV2_DOCKER_1"))},
	{ruleChpasswd, "Password set at build time is baked into the image", checks.High, ids("CKV2_DOCKER_17")},
	{ruleChmod777, "World-writable permissions (chmod 777)", checks.Medium, nil},
	{ruleExposeSSH, "SSH port 22 exposed", checks.Medium, refs(trivy("0004"), ids("CKV_DOCKER_1"))},
	{ruleInvalidPort, "EXPOSE port out of range", checks.Low, refs(ids("DL3011"), trivy("0008"))},
	{ruleNoHealthcheck, "Final stage has no HEALTHCHECK", checks.Low, refs(ids("DL3057"), trivy("0026"), ids("CKV_DOCKER_2"))},
	{ruleAddURL, "ADD downloads a URL without a checksum", checks.Medium, ids("CKV_DOCKER_4")},
	{ruleAddInsteadOfCopy, "ADD used where COPY serves", checks.Low, refs(ids("DL3020"), trivy("0005"), ids("CKV_DOCKER_4"))},
	{ruleMultipleCmd, "Several CMD instructions in one stage", checks.Low, refs(ids("DL4003"), trivy("0016"), ids("MultipleInstructionsDisallowed"))},
	{ruleMultipleEntrypoint, "Several ENTRYPOINT instructions in one stage", checks.Low, refs(ids("DL4004"), trivy("0007"), ids("MultipleInstructionsDisallowed"))},
	{ruleMultipleHealthcheck, "Several HEALTHCHECK instructions in one stage", checks.Low, refs(ids("DL3012"), trivy("0023"), ids("MultipleInstructionsDisallowed"))},
	{ruleRelativeWorkdir, "WORKDIR is a relative path", checks.Low, refs(ids("DL3000"), trivy("0009"), ids("CKV_DOCKER_10", "WorkdirRelativePath"))},
	{ruleSystemWorkdir, "WORKDIR in a system directory", checks.Medium, trivy("0030")},
	{ruleRunCd, "RUN cd instead of WORKDIR", checks.Low, refs(ids("DL3003"), trivy("0013"))},
	{ruleCopyFromSelf, "COPY --from names its own stage", checks.Low, refs(ids("DL3023"), trivy("0006"))},
	{ruleDuplicateStage, "Two stages have the same name", checks.Low, refs(ids("DL3024"), trivy("0012"), ids("CKV_DOCKER_11", "DuplicateStageName"))},
	{ruleCopyMultiSource, "COPY of several sources to a destination without a trailing slash", checks.Low, refs(ids("DL3021"), trivy("0011"))},
	{ruleMaintainer, "MAINTAINER is deprecated", checks.Low, refs(ids("DL4000"), trivy("0022"), ids("CKV_DOCKER_6", "MaintainerDeprecated"))},
	{rulePipefail, "Pipe in RUN without pipefail hides failures", checks.Low, ids("DL4006")},
	{rulePkgYes, "Package install without the non-interactive flag", checks.Low, refs(ids("DL3014"), trivy("0021"), ids("DL3030", "DL3038", "DL3034"))},
	{ruleAptRecommends, "apt-get install without --no-install-recommends", checks.Low, refs(ids("DL3015"), trivy("0029"))},
	{rulePkgUnpinned, "Package installed without a pinned version", checks.Info, ids("DL3008", "DL3018", "DL3033", "DL3041", "DL3037", "DL3013", "DL3016", "DL3028", "DL3062")},
	{rulePkgCache, "Package manager cache left in the image", checks.Low, refs(ids("DL3009", "DL3019"), trivy("0025"), ids("DL3032"), trivy("0015"), ids("DL3040"), trivy("0019"), trivy("0027"), ids("DL3036"), trivy("0020"), ids("DL3042", "DL3060"))},
	{rulePkgUpdateAlone, "Package index update without an install in the same RUN", checks.Low, refs(trivy("0017"), ids("CKV_DOCKER_5"))},
	{ruleAptInScript, "apt used in a script (use apt-get)", checks.Info, ids("DL3027", "CKV_DOCKER_9")},
	{ruleWgetAndCurl, "Both wget and curl used in one stage", checks.Info, refs(ids("DL4001"), trivy("0014"))},
	{ruleDistUpgrade, "Distribution upgrade during the build", checks.Low, refs(trivy("0024"), ids("DL3035"))},
	{ruleCopyFromUndefined, "COPY --from names no earlier stage", checks.Low, ids("DL3022")},
	{ruleUntrustedRegistry, "Image from a registry outside trustedRegistries", checks.High, ids("DL3026")},
}

var catalogBySlug = func() map[string]*rule {
	m := make(map[string]*rule, len(catalog))
	for i := range catalog {
		m[catalog[i].slug] = &catalog[i]
	}
	return m
}()

// RuleID is the full id of a rule slug: dockerfile/<slug>.
func RuleID(slug string) string { return CheckName + "/" + slug }

// Rules lists every rule the check can report, in catalog order.
func Rules() []RuleInfo {
	out := make([]RuleInfo, 0, len(catalog))
	for _, r := range catalog {
		id := RuleID(r.slug)
		out = append(out, RuleInfo{
			ID:       id,
			Slug:     r.slug,
			Title:    r.title,
			Severity: r.severity,
			Refs:     append([]string(nil), r.refs...),
			Lesson:   lessons.IDForRule(id, LessonFallback),
		})
	}
	return out
}
