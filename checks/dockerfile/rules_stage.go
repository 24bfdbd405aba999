package dockerfile

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// imageRef is a base image reference split leniently: variables may have
// left parts empty, which the strict reference grammar would reject.
type imageRef struct {
	repo, tag, digest string
	hasTag, hasDigest bool
}

func splitImage(ref string) imageRef {
	var r imageRef
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		r.digest, r.hasDigest = ref[i+1:], true
		ref = ref[:i]
	}
	slash := strings.LastIndexByte(ref, '/')
	if colon := strings.LastIndexByte(ref, ':'); colon > slash {
		r.tag, r.hasTag = ref[colon+1:], true
		ref = ref[:colon]
	}
	r.repo = ref
	return r
}

// lastSegment is the image's own name: "alpine" in "docker.io/library/alpine".
func (r imageRef) lastSegment() string {
	return r.repo[strings.LastIndexByte(r.repo, '/')+1:]
}

// builtinArgs are set by BuildKit for every build: an image that uses them
// is defined, just per platform.
var builtinArgs = map[string]bool{
	"TARGETPLATFORM": true, "TARGETOS": true, "TARGETARCH": true, "TARGETVARIANT": true,
	"BUILDPLATFORM": true, "BUILDOS": true, "BUILDARCH": true, "BUILDVARIANT": true,
}

// checkFrom checks a stage's base image: latest or no tag, no digest, or an
// image that cannot be known because a build argument has no default.
func (f *dfile) checkFrom(st *stage) {
	in := st.from
	raw := st.baseRaw
	if raw == "" || strings.EqualFold(st.base, "scratch") || st.parent != nil {
		return
	}
	base, unset := f.expand(raw, f.globalArgs)
	if len(unset) == 0 {
		f.checkRegistry(in, base, "FROM "+raw)
	}
	ref := splitImage(base)
	key := "from\x00" + raw
	shown := raw
	if base != raw {
		shown = fmt.Sprintf("%s (= %s)", raw, base)
	}
	// FROM $IMAGE with a global ARG IMAGE=...: the fix goes in the ARG.
	argName := ""
	if n := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(raw, "$"), "{"), "}"); strings.HasPrefix(raw, "$") && isName(n) {
		if _, ok := f.globalArgs[n]; ok {
			argName = n
		}
	}
	pinned := func(repo, tag string) string {
		img := fmt.Sprintf("%s:%s@sha256:<digest>", repo, tag)
		if argName != "" {
			return fmt.Sprintf("`ARG %s=%s` (the default the FROM uses)", argName, img)
		}
		return fmt.Sprintf("`FROM %s`", img)
	}
	unresolved := func() {
		var names []string
		for _, n := range unset {
			if n != "" && !builtinArgs[n] {
				names = append(names, n)
			}
		}
		if len(names) == 0 && len(unset) > 0 && unset[0] != "" {
			return // only BuildKit's platform arguments: defined at build time
		}
		what := "a variable"
		if len(names) > 0 {
			what = "build argument " + strings.Join(names, ", ")
		}
		msg := fmt.Sprintf("FROM %s depends on %s, which has no default, so the image cannot be checked for a tag or a digest; the build fails unless the argument is passed.", raw, what)
		fix := fmt.Sprintf("Give the global ARG a pinned default before the first FROM, e.g. `ARG %s=<image>:<version>@sha256:<digest>`; callers can still override it with --build-arg.", firstOr(names, "IMAGE"))
		if local := f.stageLocalArg(names, st); local != nil {
			msg = fmt.Sprintf("FROM %s uses %s, but its ARG (line %d) comes after the first FROM, so it belongs to that stage and FROM lines cannot see it: the image name is empty and the build fails.", raw, what, local.line)
			fix = fmt.Sprintf("Move `%s` above the first FROM (global ARGs are the only ones FROM can use), and pin it: `<image>:<version>@sha256:<digest>`.", short(local.text()))
		}
		f.report(ruleUnresolvedImage, in.line, st, key, msg, fix, nil)
	}
	if strings.TrimSpace(base) == "" || ref.lastSegment() == "" {
		unresolved()
		return
	}
	if ref.hasDigest {
		return // pinned: the tag, if any, is only documentation
	}
	if ref.hasTag && ref.tag == "" {
		unresolved() // foo:${TAG} with TAG unset
		return
	}
	note := ""
	if len(unset) > 0 && unset[0] != "" {
		note = fmt.Sprintf(" when build argument %s is not passed (it has no default)", strings.Join(unset, ", "))
	}
	digestHow := fmt.Sprintf("Get the digest with `docker buildx imagetools inspect %s:<version>` (the Digest line) and let Renovate or Dependabot keep it current.", ref.repo)
	switch {
	case ref.hasTag && ref.tag == "latest":
		f.report(ruleLatestTag, in.line, st, key,
			fmt.Sprintf("FROM %s uses the `latest` tag%s: it moves, so the same Dockerfile builds a different image tomorrow and a compromised or broken push reaches you unreviewed.", shown, note),
			fmt.Sprintf("Pin a version and its digest: %s. %s", pinned(ref.repo, "<version>"), digestHow), nil)
	case !ref.hasTag:
		f.report(ruleUntagged, in.line, st, key,
			fmt.Sprintf("FROM %s has no tag%s, which means `%s:latest`, a moving target.", shown, note, ref.repo),
			fmt.Sprintf("Pin a version and its digest: %s. %s", pinned(ref.repo, "<version>"), digestHow), nil)
	default:
		f.report(ruleDigest, in.line, st, key,
			fmt.Sprintf("FROM %s is pinned to a tag but not a digest; tags can be re-pushed, so builds are not reproducible and a tampered tag is accepted.", shown),
			fmt.Sprintf("Add the digest: %s; get it with `docker buildx imagetools inspect %s:%s` (the Digest line) and let Renovate or Dependabot keep it current.", pinned(ref.repo, ref.tag), ref.repo, ref.tag), nil)
	}
}

// stageLocalArg finds an ARG for one of names declared inside a stage
// before st: a common mistake, as FROM only sees global ARGs.
func (f *dfile) stageLocalArg(names []string, st *stage) *inst {
	for _, prev := range f.stages[:st.index] {
		for _, in := range prev.insts {
			if a, ok := in.v.(*instructions.ArgCommand); ok {
				for _, kv := range a.Args {
					for _, n := range names {
						if kv.Key == n {
							return in
						}
					}
				}
			}
		}
	}
	return nil
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

// isRootUser reports whether a USER value runs as root: root or UID 0, with
// or without a group.
func isRootUser(u string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(u), ":")
	// ContainerAdministrator is the administrator of Windows containers.
	return name == "root" || name == "0" || strings.EqualFold(name, "ContainerAdministrator")
}

// windowsImage reports a Windows base image, where users have other names.
func windowsImage(base string) bool {
	l := strings.ToLower(base)
	return strings.Contains(l, "windows") || strings.Contains(l, "nanoserver") || strings.Contains(l, "servercore")
}

// nonRootBase reports base images known to default to a non-root user.
func nonRootBase(image string) bool {
	l := strings.ToLower(image)
	return strings.Contains(l, "nonroot") || strings.Contains(l, "non-root") || strings.Contains(l, "rootless")
}

// checkFinalStage checks what only matters for the image that ships: the
// user it runs as and its HEALTHCHECK.
func (f *dfile) checkFinalStage() {
	st := f.final
	if st == nil || st.from == nil {
		return
	}
	anchor := st.from.line
	where := fmt.Sprintf("at the end of the final stage (after line %d)", lastLine(st))
	for _, in := range st.insts {
		if in.cmd == "cmd" || in.cmd == "entrypoint" {
			where = fmt.Sprintf("before the %s at line %d", strings.ToUpper(in.cmd), in.line)
			break
		}
	}
	userFix := fmt.Sprintf("Add `USER 10001:10001` %s (a numeric UID needs no /etc/passwd entry), or create a user first: %s then `USER app`. Keep root only for the steps that need it.", where, addUserCommand(st))
	switch root := strings.ToLower(rootBase(st)); {
	case windowsImage(root):
		userFix = fmt.Sprintf("Add `USER ContainerUser` %s; switch to ContainerAdministrator only for the steps that need it.", where)
	case root == "scratch" || strings.Contains(root, "distroless"):
		userFix = fmt.Sprintf("Add `USER 65532:65532` %s: this image has no shell to create users, and a numeric UID needs no /etc/passwd entry.", where)
	}
	switch {
	case st.user != nil && isRootUser(st.userValue):
		u := st.user
		if u.stage != st {
			f.report(ruleRootUser, anchor, st, "inherited-root",
				fmt.Sprintf("The final stage is built FROM stage %q, whose last USER (line %d) is %s, and sets no USER of its own, so the container runs as root.", st.parent.name, u.line, st.userValue),
				userFix, nil)
			return
		}
		to, generic := previousNonRootUser(st, u), false
		if to == "" {
			switch root := strings.ToLower(rootBase(st)); {
			case windowsImage(root):
				to = "ContainerUser"
			case root == "scratch" || strings.Contains(root, "distroless"):
				to = "65532:65532"
			default:
				to, generic = "10001:10001", true
			}
		}
		fix := fmt.Sprintf("Replace `%s` (line %d) with `USER %s`.", short(u.text()), u.line, to)
		if after := lastBuildStepAfter(st, u); after != nil {
			fix = fmt.Sprintf("Keep root only for the steps that need it: add `USER %s` after line %d.", to, after.end)
		}
		if generic {
			fix += " A numeric UID needs no /etc/passwd entry; or create a user with " + addUserCommand(st) + "."
		}
		f.reportAt(ruleRootUser, u, "",
			fmt.Sprintf("The last USER of the final stage is %s (line %d), so the container runs as root: a compromise of the process is a compromise of everything root can reach.", st.userValue, u.line),
			fix, nil)
	case st.user == nil && !nonRootBase(st.base):
		f.report(ruleNoUser, anchor, st, "no-user",
			fmt.Sprintf("The final stage (FROM %s, line %d) never sets USER, so the container runs as the base image's default user, which is root for almost every image.", st.baseRaw, anchor),
			userFix, nil)
	}
	if st.healthcheck == nil {
		f.report(ruleNoHealthcheck, anchor, st, "no-healthcheck",
			fmt.Sprintf("The final stage (FROM %s, line %d) has no HEALTHCHECK, so Docker and Compose cannot tell a hung container from a healthy one.", st.baseRaw, anchor),
			"Add a HEALTHCHECK to the final stage, e.g. `HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://localhost:8080/healthz || exit 1` (use your service's port and health endpoint), or `HEALTHCHECK NONE` to state that the orchestrator probes it instead.", nil)
	}
}

func lastLine(st *stage) int {
	if len(st.insts) > 0 {
		return st.insts[len(st.insts)-1].end
	}
	return st.from.end
}

// lastBuildStepAfter is the last RUN, COPY or ADD after in: what may need
// the root user that in switched to.
func lastBuildStepAfter(st *stage, in *inst) *inst {
	var last *inst
	seen := false
	for _, x := range st.insts {
		if x == in {
			seen = true
			continue
		}
		if seen && (x.cmd == "run" || x.cmd == "copy" || x.cmd == "add") {
			last = x
		}
	}
	return last
}

// previousNonRootUser is the non-root user the stage switched to before the
// final USER root, if any: the natural user to switch back to.
func previousNonRootUser(st *stage, last *inst) string {
	prev := ""
	for _, in := range st.insts {
		if in == last {
			break
		}
		if u, ok := in.v.(*instructions.UserCommand); ok && !isRootUser(u.User) && !strings.Contains(u.User, "$") {
			prev = u.User
		}
	}
	return prev
}

// addUserCommand is the RUN that creates an unprivileged user on this base.
func addUserCommand(st *stage) string {
	base := ""
	for s := st; s != nil; s = s.parent {
		base = strings.ToLower(s.base)
	}
	switch {
	case strings.Contains(base, "alpine"):
		return "`RUN addgroup -S app && adduser -S -G app app`"
	case strings.Contains(base, "ubi") || strings.Contains(base, "fedora") || strings.Contains(base, "centos") || strings.Contains(base, "rocky") || strings.Contains(base, "alma"):
		return "`RUN useradd --system --user-group --no-create-home app`"
	}
	return "`RUN groupadd --system app && useradd --system --gid app --no-create-home app`"
}

// checkStageNames reports a stage name used twice: BuildKit rejects it.
func (f *dfile) checkStageNames() {
	seen := map[string]*stage{}
	for _, st := range f.stages {
		if st.name == "" || st.from == nil {
			continue
		}
		if first, ok := seen[st.name]; ok {
			f.reportAt(ruleDuplicateStage, st.from, "",
				fmt.Sprintf("Stage name %q (line %d) is already used at line %d; BuildKit refuses to build and `COPY --from=%s` could not say which stage it means.", st.name, st.from.line, first.from.line, st.name),
				fmt.Sprintf("Rename one of them, e.g. `%s AS %s-2`, and update the COPY --from and FROM lines that refer to it.", strings.SplitN(short(st.from.text()), " ", 3)[0]+" "+st.baseRaw, st.name), nil)
			continue
		}
		seen[st.name] = st
	}
}

// checkRepeated reports the second and later CMD, ENTRYPOINT or HEALTHCHECK
// of a stage: only the last takes effect.
func (f *dfile) checkRepeated(in *inst, kind, slug string) {
	st := in.stage
	prev := st.cmds[kind]
	st.cmds[kind] = append(prev, in)
	if len(prev) == 0 {
		return
	}
	first := prev[0]
	up := strings.ToUpper(kind)
	f.reportAt(slug, in, "",
		fmt.Sprintf("This stage has %d %s instructions (first at line %d); only the last one takes effect, so the earlier ones mislead readers about what the container runs.", len(prev)+1, up, first.line),
		fmt.Sprintf("Keep a single %s per stage: delete the one at line %d or merge both into one.", up, first.line), nil)
}

// checkRegistry reports an image pulled from a registry outside the
// repository's trustedRegistries (.hadolint.yaml, DL3026). what is the
// instruction part that names it.
func (f *dfile) checkRegistry(in *inst, image, what string) {
	if f.cfg == nil || len(f.cfg.trusted) == 0 || strings.EqualFold(image, "scratch") {
		return
	}
	// The name alone: a tag or digest says nothing about the registry.
	named, err := reference.ParseNormalizedNamed(splitImage(image).repo)
	if err != nil {
		return // not an image name BuildKit could pull either
	}
	registry := reference.Domain(named)
	if f.cfg.registryTrusted(registry) {
		return
	}
	f.reportAt(ruleUntrustedRegistry, in, image,
		fmt.Sprintf("%s pulls from %s, which is not among the trusted registries of %s (%s): images from elsewhere have not been vetted by your team.", what, registry, f.cfg.hadolintFile, strings.Join(f.cfg.trusted, ", ")),
		fmt.Sprintf("Use a mirror of the image in a trusted registry (e.g. `%s/%s`), or, if %s is trusted, add it to trustedRegistries in %s.", f.cfg.trusted[0], reference.Path(named), registry, f.cfg.hadolintFile), nil)
}

// registryTrusted matches a registry against trustedRegistries the way
// hadolint does: "*" for all, "*.example.com" and "registry.example.*"
// patterns, or the exact name; Docker Hub answers to docker.io and
// hub.docker.com.
func (c *config) registryTrusted(registry string) bool {
	names := []string{registry}
	if registry == "docker.io" {
		names = append(names, "hub.docker.com", "index.docker.io", "registry-1.docker.io")
	}
	for _, p := range c.trusted {
		for _, r := range names {
			switch {
			case p == "*", p == r:
				return true
			case strings.HasPrefix(p, "*") && strings.HasSuffix(r, p[1:]):
				return true
			case strings.HasSuffix(p, "*") && strings.HasPrefix(r, p[:len(p)-1]):
				return true
			}
		}
	}
	return false
}

// stageNamed returns the stage a --from value names (its name or index),
// or nil for an image.
func (f *dfile) stageNamed(from string) *stage {
	lower := strings.ToLower(from)
	n := 0
	for _, s := range f.stages {
		if s.fragment {
			continue
		}
		if s.name == lower || strconv.Itoa(n) == from {
			return s
		}
		n++
	}
	return nil
}
