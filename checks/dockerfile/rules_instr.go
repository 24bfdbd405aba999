package dockerfile

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// checkVar runs the ENV/ARG rules on one variable. raw is the value as
// written, value as BuildKit expands it.
func (f *dfile) checkVar(in *inst, kind, name, raw, value string, hasValue bool) {
	if hasValue {
		if i := insecureVar(name, value); i != nil {
			f.report(i.slug, in.line, in.stage, kind+"\x00"+strings.ToUpper(name), describeInsecure(*i, in), i.fix, i.refs())
		}
	}
	f.checkSecretVar(in, kind, name, raw, value, hasValue)
}

var windowsPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z]:[\\/]`) })

var systemDirs = []string{"/proc", "/sys", "/dev", "/boot", "/initrd", "/lost+found"}

func (f *dfile) checkWorkdir(in *inst, v *instructions.WorkdirCommand) {
	st := in.stage
	val, unset := f.expand(v.Path, st.env)
	raw := trimQuotes(strings.TrimSpace(v.Path))
	prev := st.workdir
	if prev == "" {
		prev = "/"
	}
	switch {
	case val == "" || (len(unset) > 0 && strings.HasPrefix(raw, "$")):
		// depends on a variable secfirst cannot know
		st.workdir = ""
		return
	case strings.HasPrefix(val, "/") || windowsPath().MatchString(val) || windowsPath().MatchString(raw) || f.escape == '`':
		st.workdir = path.Clean(val)
	default:
		abs := path.Join(prev, val)
		st.workdir = abs
		f.reportAt(ruleRelativeWorkdir, in, "",
			fmt.Sprintf("WORKDIR %s is relative, so where it points depends on every WORKDIR before it (here it resolves to %s); a change above silently moves it.", val, abs),
			fmt.Sprintf("Use the absolute path: `WORKDIR %s`.", abs), nil)
	}
	clean := path.Clean(st.workdir)
	for _, d := range systemDirs {
		if clean == d || strings.HasPrefix(clean, d+"/") {
			f.reportAt(ruleSystemWorkdir, in, "",
				fmt.Sprintf("WORKDIR %s is inside %s, a kernel or system directory that the runtime mounts over; files placed there vanish or touch the host's devices.", val, d),
				"Use an application directory such as `WORKDIR /app` (or /srv, /opt/<name>).", nil)
			break
		}
	}
}

func (f *dfile) checkExpose(in *inst, v *instructions.ExposeCommand) {
	st := in.stage
	ssh, bad := false, ""
	for _, p := range v.Ports {
		val, unset := f.expand(p, st.env)
		if len(unset) > 0 || val == "" {
			continue
		}
		for _, port := range strings.Fields(val) {
			num, _, _ := strings.Cut(port, "/")
			lo, hi, isRange := strings.Cut(num, "-")
			a, err1 := strconv.Atoi(lo)
			b := a
			var err2 error
			if isRange {
				b, err2 = strconv.Atoi(hi)
			}
			if err1 != nil || err2 != nil || a < 0 || b > 65535 || a > 65535 {
				if bad == "" {
					bad = port
				}
				continue
			}
			if a <= 22 && 22 <= b {
				ssh = true
			}
		}
	}
	if ssh {
		f.reportAt(ruleExposeSSH, in, "",
			fmt.Sprintf("EXPOSE includes port 22: an SSH server in a container is a second way in, with its own keys and passwords to manage, and is almost never needed."),
			"Remove port 22 and the SSH server; use `docker exec` / `kubectl exec` for debugging and the orchestrator's access controls for operations.", nil)
	}
	if bad != "" {
		f.reportAt(ruleInvalidPort, in, bad,
			fmt.Sprintf("EXPOSE %s is not a valid port: ports are 0 to 65535, optionally with /tcp or /udp.", bad),
			"Use a port between 0 and 65535, e.g. `EXPOSE 8080/tcp`.", nil)
	}
}

// archiveExt are the files ADD may unpack: hadolint's list (DL3020), which
// also spares compressed single files, and zstd.
var archiveExt = []string{".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz", ".tpz", ".txz", ".xz", ".zst", ".tzst"}

func isArchive(p string) bool {
	p = trimQuotes(p)
	for _, e := range archiveExt {
		if strings.HasSuffix(p, e) || strings.HasSuffix(strings.ToLower(p), strings.ToLower(e)) && e != ".Z" && e != ".tZ" {
			return true
		}
	}
	return false
}

func isRemote(src string) bool {
	l := strings.ToLower(src)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "ftp://") ||
		strings.HasPrefix(l, "git@") || strings.HasPrefix(l, "git://") || strings.HasPrefix(l, "ssh://")
}

var commitRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`#[0-9a-f]{40}(?::|$)`) })

// historyForm is the `file:<hash> in <dest>` form of `docker history`, which
// people paste into Dockerfiles; it says nothing about sources.
func historyForm(srcs []string) bool {
	return len(srcs) >= 1 && (strings.HasPrefix(srcs[0], "file:") || strings.HasPrefix(srcs[0], "multi:") || strings.HasPrefix(srcs[0], "dir:")) &&
		(len(srcs) == 1 || srcs[1] == "in")
}

func (f *dfile) expandAll(words []string, env envMap) (out []string, unresolved bool) {
	for _, w := range words {
		v, unset := f.expand(w, env)
		if len(unset) > 0 {
			unresolved = true
		}
		out = append(out, v)
	}
	return out, unresolved
}

func (f *dfile) checkAdd(in *inst, v *instructions.AddCommand) {
	st := in.stage
	srcs, unresolved := f.expandAll(v.SourcePaths, st.env)
	if historyForm(srcs) {
		return
	}
	f.checkCredentialCopy(in, v.DestPath)
	if v.Chmod != "" && worldWritableMode(v.Chmod) {
		f.reportChmod(in, in.line, "ADD --chmod="+v.Chmod, v.DestPath)
	}
	var remote, local []string
	archive := false
	for _, s := range srcs {
		switch {
		case isRemote(s):
			remote = append(remote, s)
		case isArchive(s):
			archive = true
		default:
			local = append(local, s)
		}
	}
	for _, u := range remote {
		if v.Checksum != "" {
			break
		}
		if git := strings.HasPrefix(u, "git@") || strings.HasPrefix(u, "git://") || strings.HasSuffix(strings.SplitN(u, "#", 2)[0], ".git"); git {
			if commitRef().MatchString(u) {
				continue
			}
			f.reportAt(ruleAddURL, in, u,
				fmt.Sprintf("ADD fetches the git repository %s at a moving ref: every build may get different code, and nothing checks it is the code you reviewed.", redact(u)),
				fmt.Sprintf("Pin the commit: `ADD %s#<commit-sha> %s`, or add `--checksum=<commit-sha>`.", redact(strings.SplitN(u, "#", 2)[0]), v.DestPath), nil)
			break
		}
		f.reportAt(ruleAddURL, in, u,
			fmt.Sprintf("ADD downloads %s without a checksum: whatever the server sends that day goes into the image unverified.", redact(u)),
			fmt.Sprintf("Pin the content: `ADD --checksum=sha256:<sha256> %s %s` (compute it once with `curl -fsSL %s | sha256sum` and review the file), or download with `RUN curl -fsSLo` and check it with `sha256sum -c`.", redact(u), v.DestPath, redact(u)), nil)
		break
	}
	if (len(local) > 0 || len(v.SourceContents) > 0) && !archive && len(remote) == 0 && !unresolved {
		f.reportAt(ruleAddInsteadOfCopy, in, "",
			fmt.Sprintf("ADD copies local files; ADD also downloads URLs and unpacks archives, so a renamed file can change what it does."),
			fmt.Sprintf("Use COPY: `%s`.", copyLine(in)), nil)
	}
}

// copyLine rewrites an ADD instruction as the equivalent COPY.
func copyLine(in *inst) string {
	t := short(in.text())
	if len(t) >= 3 && strings.EqualFold(t[:3], "ADD") {
		return "COPY" + t[3:]
	}
	return t
}

func (f *dfile) checkCopy(in *inst, v *instructions.CopyCommand) {
	st := in.stage
	srcs, _ := f.expandAll(v.SourcePaths, st.env)
	if historyForm(srcs) {
		return
	}
	f.checkCredentialCopy(in, v.DestPath)
	if v.Chmod != "" && worldWritableMode(v.Chmod) {
		f.reportChmod(in, in.line, "COPY --chmod="+v.Chmod, v.DestPath)
	}
	if v.From != "" && !st.fragment {
		from := strings.ToLower(v.From)
		if (st.name != "" && from == st.name) || from == strconv.Itoa(st.index) {
			f.reportAt(ruleCopyFromSelf, in, "",
				fmt.Sprintf("COPY --from=%s names the stage it is in; a stage cannot copy from itself, so the build fails.", v.From),
				"Point --from at an earlier stage or an image (`COPY --from=<builder> ...`); to copy within this stage use `RUN cp`.", nil)
		}
	}
	if v.From != "" {
		if from, unset := f.expand(v.From, st.env); len(unset) == 0 && from != "" {
			f.checkCopyFrom(in, from)
		}
	}
	n := len(v.SourcePaths) + len(v.SourceContents)
	dest, unset := f.expand(v.DestPath, st.env)
	if n >= 2 && !strings.HasSuffix(dest, "/") && !strings.HasSuffix(dest, `\`) && len(unset) == 0 {
		f.reportAt(ruleCopyMultiSource, in, "",
			fmt.Sprintf("COPY has %d sources but its destination %s does not end with a slash; BuildKit refuses to build.", n, dest),
			fmt.Sprintf("End the destination with a slash: `... %s/`.", dest), nil)
	}
}

func (f *dfile) checkMaintainer(in *inst, v *instructions.MaintainerCommand) {
	f.reportAt(ruleMaintainer, in, "",
		fmt.Sprintf("MAINTAINER is deprecated; tools read image authors from labels."),
		fmt.Sprintf("Replace it with `LABEL org.opencontainers.image.authors=%q`.", strings.TrimSpace(v.Maintainer)), nil)
}

// checkCopyFrom checks what COPY --from names: an earlier stage, by name or
// index, or an image (DL3022); an image from a registry the repository
// trusts (DL3026).
func (f *dfile) checkCopyFrom(in *inst, from string) {
	st := in.stage
	lower := strings.ToLower(from)
	var earlier []*stage // the FROM stages before this one
	for _, s := range f.stages[:st.index] {
		if !s.fragment {
			earlier = append(earlier, s)
		}
	}
	for _, s := range earlier {
		if s.name == lower {
			return
		}
	}
	if n, err := strconv.Atoi(from); err == nil {
		if n < len(earlier) || (n == len(earlier) && !st.fragment) {
			return // an earlier stage, or this one (copy-from-self)
		}
		f.reportAt(ruleCopyFromUndefined, in, from,
			fmt.Sprintf("COPY --from=%d names stage %d, but only %d stage(s) come before this one; BuildKit refuses to build.", n, n, len(earlier)),
			"Name the stage you mean (`FROM <image> AS builder`, then `COPY --from=builder ...`): names survive reordering, numbers do not.", nil)
		return
	}
	if lower == st.name && !st.fragment {
		return // copy-from-self
	}
	if strings.ContainsAny(from, ":@") {
		f.checkRegistry(in, from, "COPY --from="+from)
		return // an image reference with a tag or digest
	}
	for _, s := range f.stages[st.index+1:] {
		if s.name == lower && !s.fragment {
			f.reportAt(ruleCopyFromUndefined, in, from,
				fmt.Sprintf("COPY --from=%s names the stage defined at line %d, after this one; a stage can only copy from the stages above it.", from, s.from.line),
				fmt.Sprintf("Move `%s` above this stage, or copy from another stage.", short(s.from.text())), nil)
			return
		}
	}
	f.reportAt(ruleCopyFromUndefined, in, from,
		fmt.Sprintf("COPY --from=%s names no stage of this Dockerfile, so BuildKit pulls the image %s:latest, unreviewed and moving, unless a build context of that name is passed with --build-context.", from, from),
		fmt.Sprintf("If %q is a stage, define it above (`FROM <image> AS %s`); if it is an image, pin it: `COPY --from=%s:<version>@sha256:<digest> ...`.", from, lower, from), nil)
	f.checkRegistry(in, from, "COPY --from="+from)
}
