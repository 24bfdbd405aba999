package dockerfile

import (
	"fmt"
	"path"
	"strings"
	"unicode"
)

// pkgCmd is one package-manager command of a RUN, split into its
// subcommand, options and package arguments.
type pkgCmd struct {
	cmd    *shCmd   // the shell command, for its line
	idx    int      // index in the script's commands
	tool   string   // apt-get, apt, aptitude, apk, yum, dnf, microdnf, tdnf, zypper, pip, pipx, npm, yarn, pnpm, gem, go
	family string   // apt, apk, yum, dnf, microdnf, tdnf, zypper, pip, npm, yarn, pnpm, gem, go
	sub    string   // install, add, update, clean...
	args   []string // every word after the tool
	pos    []string // positional words after the subcommand
	piped  string   // program piped into this command (yes | apt-get ...)
}

// valued options per family: they take the next word as their value.
var pkgValued = map[string]struct {
	short string
	long  []string
}{
	"apt":      {"oct", []string{"--option", "--config-file", "--target-release", "--default-release"}},
	"apk":      {"XptQ", []string{"--repository", "--root", "--keys-dir", "--repositories-file", "--virtual", "--arch", "--cache-dir", "--cache-max-age"}},
	"yum":      {"cdexR", []string{"--config", "--debuglevel", "--errorlevel", "--installroot", "--enablerepo", "--disablerepo", "--repo", "--repoid", "--releasever", "--setopt", "--exclude", "--downloaddir", "--destdir"}},
	"zypper":   {"rpDxt", []string{"--repo", "--root", "--from", "--type", "--config", "--plus-repo", "--download"}},
	"pip":      {"rceitfb", []string{"--requirement", "--constraint", "--editable", "--index-url", "--extra-index-url", "--target", "--prefix", "--root", "--find-links", "--python", "--platform", "--trusted-host", "--cache-dir", "--log", "--proxy", "--cert", "--client-cert", "--src", "--upgrade-strategy", "--python-version", "--implementation", "--abi", "--progress-bar", "--report", "--config-settings", "--global-option", "--no-binary", "--only-binary", "--timeout", "--retries", "--root-user-action", "--build"}},
	"npm":      {"", []string{"--registry", "--prefix", "--cache", "--userconfig", "--workspace", "--tag", "--omit", "--include", "--loglevel"}},
	"gem":      {"visnPg", []string{"--version", "--install-dir", "--source", "--bindir", "--platform", "--trust-policy", "--file", "--build-root"}},
	"microdnf": {"", []string{"--config", "--enablerepo", "--disablerepo", "--setopt", "--installroot", "--releasever"}},
	"go":       {"", []string{"-o", "-p", "-C", "-mod", "-modfile", "-tags", "-ldflags", "-gcflags", "-asmflags", "-buildmode", "-compiler", "-pkgdir", "-toolexec", "-overlay", "-exec", "-installsuffix", "-pgo", "-covermode", "-coverpkg"}},
}

// splitPkgArgs separates options (and their values) from positional words.
func splitPkgArgs(family string, args []string) (pos []string) {
	spec := pkgValued[family]
	switch family {
	case "dnf", "tdnf":
		spec = pkgValued["yum"]
	case "yarn", "pnpm":
		spec = pkgValued["npm"]
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if family == "gem" {
				return pos // what follows is for the gem's build, not gems
			}
			return append(pos, args[i+1:]...)
		}
		if family == "go" && strings.HasPrefix(a, "-") {
			// go's long options have one dash: -ldflags "-s -w".
			name, _, hasValue := strings.Cut(strings.TrimPrefix(a, "-"), "=")
			if !hasValue && containsWord(spec.long, "-"+name) {
				i++
			}
			continue
		}
		if strings.HasPrefix(a, "--") {
			if !strings.Contains(a, "=") {
				for _, l := range spec.long {
					if a == l {
						i++
						break
					}
				}
				// `gem install x --some-flag true`: a boolean's value, not a gem.
				if family == "gem" && i+1 < len(args) && (args[i+1] == "true" || args[i+1] == "false") {
					i++
				}
			}
			continue
		}
		if len(a) > 1 && a[0] == '-' {
			for j, r := range a[1:] {
				if strings.ContainsRune(spec.short, r) {
					if j == len(a)-2 {
						i++ // the value is the next word
					}
					break
				}
			}
			continue
		}
		pos = append(pos, a)
	}
	return pos
}

// pkgCommands finds the package-manager commands of a script.
func pkgCommands(sc *script) []pkgCmd {
	pipedInto := map[int]string{}
	for _, p := range sc.pipes {
		if p.mid < p.end && p.start < p.mid {
			pipedInto[p.mid] = sc.cmds[p.mid-1].name()
		}
	}
	var out []pkgCmd
	for i, c := range sc.cmds {
		args := c.unwrapped()
		if len(args) == 0 {
			continue
		}
		tool := path.Base(args[0])
		pc := pkgCmd{cmd: c, idx: i, tool: tool, args: args[1:], piped: pipedInto[i]}
		switch {
		case tool == "apt-get" || tool == "apt" || tool == "aptitude":
			pc.family = "apt"
		case tool == "apk", tool == "yum", tool == "dnf", tool == "microdnf", tool == "tdnf", tool == "zypper", tool == "gem", tool == "npm", tool == "yarn", tool == "pnpm", tool == "go":
			pc.family = tool
		case tool == "dnf5":
			pc.family = "dnf"
		case isPip(args):
			pc.family, pc.tool, pc.args = "pip", pipTool(args), pipArgs(args)
		default:
			continue
		}
		pos := splitPkgArgs(pc.family, pc.args)
		if len(pos) > 0 {
			pc.sub, pc.pos = pos[0], pos[1:]
		}
		switch {
		case pc.family == "yarn" && pc.sub == "global" && len(pc.pos) > 0:
			pc.sub, pc.pos = pc.pos[0], pc.pos[1:]
		case (pc.family == "yum" || pc.family == "dnf" || pc.family == "microdnf") && (pc.sub == "module" || pc.sub == "group" || pc.sub == "groups") && len(pc.pos) > 0:
			// `dnf module install x:stream`: the action is the second word.
			pc.sub, pc.pos = pc.sub+" "+pc.pos[0], pc.pos[1:]
		}
		out = append(out, pc)
	}
	return out
}

func (p pkgCmd) isInstall() bool {
	switch p.family {
	case "apt":
		return p.sub == "install"
	case "apk":
		return p.sub == "add"
	case "yum", "dnf", "tdnf", "microdnf":
		switch p.sub {
		case "install", "in", "reinstall", "rei", "localinstall", "groupinstall", "install-n", "install-na", "install-nevra",
			"module install", "group install", "groups install":
			return true
		}
	case "zypper":
		switch p.sub {
		case "install", "in", "source-install", "si":
			return true
		}
	case "pip":
		return p.sub == "install"
	case "npm", "pnpm":
		return p.sub == "install" || p.sub == "i" || p.sub == "add" || p.sub == "ci"
	case "yarn":
		return p.sub == "add" || p.sub == "install" || p.sub == ""
	case "gem":
		return p.sub == "install" || p.sub == "i"
	case "go":
		return p.sub == "install" || p.sub == "get" || p.sub == "run"
	}
	return false
}

// dryRun is an install that only shows what it would do.
func (p pkgCmd) dryRun() bool {
	switch p.family {
	case "apt":
		return hasOptionIn(p.args, "oct", "s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act")
	case "apk":
		return hasOptionIn(p.args, "XptQ", "s", "--simulate")
	case "yum", "dnf", "tdnf", "microdnf":
		return hasOption(p.args, "", "--assumeno")
	case "zypper":
		return hasOption(p.args, "", "--dry-run")
	case "pip", "npm", "pnpm":
		return hasOption(p.args, "", "--dry-run")
	}
	return false
}

// isUpdate is an index refresh (or, for yum, dnf and zypper, their
// update command, which Trivy and Checkov treat the same way).
func (p pkgCmd) isUpdate() bool {
	switch p.family {
	case "apt", "apk":
		return p.sub == "update"
	case "yum", "dnf", "tdnf", "microdnf":
		return p.sub == "update" || p.sub == "up" || p.sub == "makecache"
	case "zypper":
		return p.sub == "update" || p.sub == "up" || p.sub == "refresh" || p.sub == "ref"
	}
	return false
}

// installsOrUpgrades: what may come after an update in the same RUN.
func (p pkgCmd) installsOrUpgrades() bool {
	if p.isInstall() {
		return true
	}
	switch p.sub {
	case "upgrade", "dist-upgrade", "full-upgrade", "dup", "patch", "groupupdate", "distro-sync":
		return true
	}
	return false
}

// checkPackages runs the package-manager rules on one RUN.
func (f *dfile) checkPackages(in *inst, sc *script, mounts []string) {
	pcs := pkgCommands(sc)
	if len(pcs) == 0 {
		return
	}
	reported := map[string]bool{}
	once := func(k string) bool {
		if reported[k] {
			return false
		}
		reported[k] = true
		return true
	}

	for i, p := range pcs {
		// update without a later install of the same family
		if p.isUpdate() && once("update/"+p.family) {
			installed := false
			for _, q := range pcs[i+1:] {
				if q.family == p.family && q.installsOrUpgrades() {
					installed = true
					break
				}
			}
			if !installed {
				f.reportCmd(rulePkgUpdateAlone, in, sc, p.cmd, p.family,
					fmt.Sprintf("`%s %s` runs without an install in the same RUN: Docker caches this layer, so later installs use a stale package index and can fail or install outdated, vulnerable versions.", p.tool, p.sub),
					fmt.Sprintf("Update and install in one RUN: `RUN %s && %s`.", updateCmd(p), installExample(p)), nil)
			}
		}
		f.checkDistUpgrade(in, sc, p, once)
		if p.family == "zypper" && (p.sub == "remove" || p.sub == "rm" || p.sub == "patch") && !p.dryRun() {
			f.checkPkgNonInteractive(in, sc, p, once) // zypper asks before these too (DL3034)
		}
		if !p.isInstall() || p.dryRun() {
			continue
		}
		f.checkPkgNonInteractive(in, sc, p, once)
		if p.family == "apt" && p.tool != "aptitude" && !aptNoRecommends(p.args) && once("recommends") {
			var ref []string
			if p.tool == "apt-get" {
				ref = refs(ids("DL3015"), trivy("0029"))
			}
			f.reportCmd(ruleAptRecommends, in, sc, p.cmd, "",
				fmt.Sprintf("`%s install` without --no-install-recommends also installs recommended packages: more code in the image, more CVEs to patch.", p.tool),
				fmt.Sprintf("Add --no-install-recommends: `%s install -y --no-install-recommends %s`.", p.tool, strings.Join(limit(p.pos, 4), " ")), ref)
		}
		f.checkPkgPinning(in, sc, p, once)
	}
	f.checkPkgCache(in, sc, pcs, mounts, once)
}

// checkDistUpgrade reports a distribution upgrade: it can move the image
// to packages (and a release) nobody chose, and belongs in the base image.
func (f *dfile) checkDistUpgrade(in *inst, sc *script, p pkgCmd, once func(string) bool) {
	var ref []string
	switch {
	case p.tool == "apt-get" && p.sub == "dist-upgrade":
		ref = trivy("0024")
	case p.family == "zypper" && (p.sub == "dist-upgrade" || p.sub == "dup"):
		ref = ids("DL3035")
	default:
		return
	}
	if !once("dist-upgrade/" + p.family) {
		return
	}
	f.reportCmd(ruleDistUpgrade, in, sc, p.cmd, p.family,
		fmt.Sprintf("`%s %s` upgrades the whole distribution inside the build: what ends up in the image depends on the day of the build, and a major upgrade can silently change the release.", p.tool, p.sub),
		"Use a newer, pinned base image instead (`FROM <image>:<version>@sha256:<digest>`); if a package needs a fix, upgrade just that package to a pinned version.", ref)
}

func (f *dfile) checkPkgNonInteractive(in *inst, sc *script, p pkgCmd, once func(string) bool) {
	var ref []string
	ok := true
	switch p.family {
	case "apt":
		if p.tool == "aptitude" {
			return
		}
		ok = hasOptionIn(p.args, "oct", "y", "--yes", "--assume-yes") || p.piped == "yes" || aptQuietTwo(p.args) ||
			containsFold(p.args, "APT::Get::Assume-Yes=true")
		if p.tool == "apt-get" {
			ref = refs(ids("DL3014"), trivy("0021"))
		}
	case "yum":
		ok = hasOptionIn(p.args, "cdexR", "y", "--assumeyes") || p.piped == "yes"
		ref = ids("DL3030")
	case "dnf", "tdnf", "microdnf":
		ok = hasOptionIn(p.args, "cdexR", "y", "--assumeyes") || p.piped == "yes"
		if p.family != "tdnf" {
			ref = ids("DL3038")
		}
	case "zypper":
		ok = hasOptionIn(p.args, "rpDxt", "ny", "--non-interactive", "--no-confirm") || p.piped == "yes"
		ref = ids("DL3034")
	default:
		return
	}
	if ok || !once("yes/"+p.family) {
		return
	}
	flag := "-y"
	if p.family == "zypper" {
		flag = "--non-interactive"
	}
	f.reportCmd(rulePkgYes, in, sc, p.cmd, p.family,
		fmt.Sprintf("`%s %s` without %s stops to ask for confirmation; in a build nobody answers, so the step fails or depends on the defaults.", p.tool, p.sub, flag),
		fmt.Sprintf("Add %s: `%s %s %s %s`.", flag, p.tool, flag, p.sub, strings.Join(limit(p.pos, 4), " ")), ref)
}

// aptQuietTwo: -qq (or -q twice) implies -y for apt-get.
func aptQuietTwo(args []string) bool {
	q, quiet := 0, 0
	for _, a := range args {
		switch {
		case a == "--":
			return false
		case a == "-q=2" || a == "--quiet=2" || a == "--qq":
			return true
		case a == "--quiet":
			quiet++
		case len(a) > 1 && a[0] == '-' && a[1] != '-':
			q += strings.Count(a, "q")
		}
	}
	return q >= 2 || quiet >= 2
}

func aptNoRecommends(args []string) bool {
	if hasOption(args, "", "--no-install-recommends") {
		return true
	}
	for _, a := range args {
		l := strings.ToLower(a)
		if strings.Contains(l, "apt::install-recommends=") && (strings.HasSuffix(l, "=false") || strings.HasSuffix(l, "=0")) {
			return true
		}
	}
	return false
}

func containsFold(args []string, s string) bool {
	for _, a := range args {
		if strings.EqualFold(strings.TrimPrefix(a, "-o"), s) {
			return true
		}
	}
	return false
}

// unpinned lists the package arguments that name no version, with
// hadolint's notion of a pin for each package manager (DL3008, DL3013,
// DL3016, DL3018, DL3028, DL3033, DL3037, DL3041, DL3062).
func (f *dfile) unpinned(st *stage, p pkgCmd) []string {
	switch p.family {
	case "pip":
		// A requirements or constraints file, or the local project, pins
		// (or does not) elsewhere.
		if hasOptionIn(p.args, "", "r", "--requirement") || hasOptionIn(p.args, "", "c", "--constraint") || containsWord(p.args, ".") {
			return nil
		}
	case "gem":
		if hasOptionIn(p.args, "", "v", "--version") {
			return nil
		}
	case "npm", "pnpm":
		if p.sub == "ci" {
			return nil
		}
	case "go":
		if p.sub == "install" && containsWord(p.pos, "tool") {
			return nil // `go install tool ...`: the tools go.mod declares, at its versions
		}
		if p.sub == "run" && len(p.pos) > 1 {
			return goUnpinned(p.pos[:1]) // the rest are the program's arguments
		}
		return goUnpinned(p.pos)
	case "yum", "dnf", "microdnf":
		if strings.HasPrefix(p.sub, "group") {
			return nil // groups have no version
		}
	}
	var out []string
	for _, a := range p.pos {
		if a == "" {
			continue
		}
		if strings.Contains(a, "$") && p.family != "yum" && p.family != "dnf" && p.family != "microdnf" {
			continue // the version may be in the variable
		}
		pinned := false
		switch p.family {
		case "apt":
			// pkg=version, pkg/release (a target release) or a .deb file
			pinned = strings.ContainsAny(a, "=/") || strings.HasSuffix(a, ".deb")
		case "apk":
			pinned = strings.ContainsAny(a, "=~<>") || strings.HasSuffix(a, ".apk") || strings.HasPrefix(a, "/") || strings.HasPrefix(a, "./")
		case "yum", "dnf", "tdnf", "microdnf":
			if strings.HasSuffix(p.sub, "module install") {
				pinned = strings.Contains(a, ":") // name:stream
				break
			}
			pinned = f.rpmPinned(st, a)
		case "zypper":
			pinned = strings.ContainsAny(a, "=<>") || strings.HasSuffix(a, ".rpm") || strings.Contains(a, "://")
		case "pip":
			pinned = pipPinned(a)
		case "npm", "yarn", "pnpm":
			pinned = npmPinned(a)
		case "gem":
			pinned = strings.Contains(a, ":") || strings.HasSuffix(a, ".gem")
		}
		if !pinned {
			out = append(out, a)
		}
	}
	return out
}

// rpmPinned is hadolint's reading of an rpm package argument: name-version
// where the parts after the first dash look like a version, an .rpm file,
// a URL, or a variable the stage defines.
func (f *dfile) rpmPinned(st *stage, a string) bool {
	if strings.HasSuffix(a, ".rpm") || strings.Contains(a, "://") || strings.HasPrefix(a, "@") || strings.HasPrefix(a, "/") {
		return true
	}
	if strings.Contains(a, "$") {
		for _, name := range varNames(a) {
			if _, ok := st.env[name]; ok || f.globalDeclared[name] {
				return true
			}
		}
		return false
	}
	parts := strings.Split(a, "-")
	if len(parts) < 2 {
		return false
	}
	digit := false
	for _, part := range parts[1:] {
		for _, r := range part {
			if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) || strings.ContainsRune(".~^_:+*", r)) {
				return false
			}
		}
		if part != "" && part[0] >= '0' && part[0] <= '9' {
			digit = true
		}
	}
	return digit
}

// varNames lists the variables a word refers to ($A, ${B}).
func varNames(w string) []string {
	var out []string
	for i := 0; i < len(w); i++ {
		if w[i] != '$' {
			continue
		}
		rest := strings.TrimPrefix(w[i+1:], "{")
		j := 0
		for j < len(rest) && (rest[j] == '_' || rest[j] >= 'A' && rest[j] <= 'Z' || rest[j] >= 'a' && rest[j] <= 'z' || j > 0 && rest[j] >= '0' && rest[j] <= '9') {
			j++
		}
		if j > 0 {
			out = append(out, rest[:j])
		}
	}
	return out
}

var vcsPrefixes = []string{"git+", "hg+", "svn+", "bzr+", "git://", "svn://"}

// pipPinned: a version specifier, a VCS URL with @ref, a wheel or sdist
// file, or another path or URL.
func pipPinned(a string) bool {
	for _, op := range []string{"==", ">=", "<=", "!=", "~=", ">", "<"} {
		if strings.Contains(a, op) {
			return true
		}
	}
	for _, v := range vcsPrefixes {
		if strings.HasPrefix(a, v) {
			// the ref follows the path: git+https://host/repo.git@v1.0#egg=x
			rest := a[strings.Index(a, "://")+3:]
			if at := strings.IndexByte(rest, '@'); at >= 0 && strings.Contains(rest[:at], "/") {
				return true
			}
			return strings.Contains(rest, "/") && strings.Contains(rest[strings.IndexByte(rest, '/'):], "@")
		}
	}
	return strings.HasSuffix(a, ".whl") || strings.HasSuffix(a, ".tar.gz") || strings.HasSuffix(a, ".zip") || strings.Contains(a, "/")
}

// npmPinned: name@version (a scope's @ aside), a git URL with #commit, a
// tarball, or a folder. @latest and @next move like no version at all.
func npmPinned(a string) bool {
	for _, g := range []string{"git://", "git+ssh://", "git+http://", "git+https://", "github:", "gitlab:", "bitbucket:", "gist:"} {
		if strings.HasPrefix(a, g) {
			return strings.Contains(a, "#")
		}
	}
	for _, t := range []string{".tar", ".tar.gz", ".tgz"} {
		if strings.HasSuffix(a, t) {
			return true
		}
	}
	for _, d := range []string{"/", "./", "../", "~/", "file:"} {
		if strings.HasPrefix(a, d) {
			return true
		}
	}
	name := a
	if strings.HasPrefix(name, "@") {
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
	}
	at := strings.LastIndexByte(name, '@')
	if at < 0 {
		return false
	}
	switch name[at+1:] {
	case "", "latest", "next":
		return false
	}
	return true
}

// goUnpinned: module@version pins; @latest, @upgrade, @patch and @none
// move, and local paths and .go files are the build's own code.
func goUnpinned(pkgs []string) []string {
	var out []string
	for _, a := range pkgs {
		if a == "" || a == "tool" || strings.HasPrefix(a, ".") || strings.HasPrefix(a, "/") || strings.HasSuffix(a, ".go") || strings.Contains(a, "$") {
			continue
		}
		at := strings.LastIndexByte(a, '@')
		if at >= 0 {
			switch a[at+1:] {
			case "latest", "upgrade", "patch", "none", "":
			default:
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

func (f *dfile) checkPkgPinning(in *inst, sc *script, p pkgCmd, once func(string) bool) {
	list := f.unpinned(in.stage, p)
	if len(list) == 0 || !once("pin/"+p.family) {
		return
	}
	var ref []string
	how := ""
	ex := list[0]
	switch p.family {
	case "apt":
		how = fmt.Sprintf("`%s install -y --no-install-recommends %s=<version>` (see the available versions with `apt-cache policy %s` in the base image)", p.tool, ex, ex)
		if p.tool == "apt-get" {
			ref = ids("DL3008")
		}
	case "apk":
		ref, how = ids("DL3018"), fmt.Sprintf("`apk add --no-cache %s=<version>` (see `apk policy %s`), or `%s~<major.minor>` to allow patch updates", ex, ex, ex)
	case "yum":
		ref, how = ids("DL3033"), fmt.Sprintf("`yum install -y %s-<version>` (see `yum list --showduplicates %s`)", ex, ex)
	case "dnf", "tdnf", "microdnf":
		how = fmt.Sprintf("`%s install -y %s-<version>` (see `dnf list --showduplicates %s`)", p.tool, ex, ex)
		if p.family != "tdnf" {
			ref = ids("DL3041")
		}
	case "zypper":
		ref, how = ids("DL3037"), fmt.Sprintf("`zypper install -y %s=<version>` (see `zypper info %s`)", ex, ex)
	case "pip":
		ref, how = ids("DL3013"), fmt.Sprintf("`pip install %s==<version>`, or better a requirements file with hashes (`pip install --require-hashes -r requirements.txt`)", ex)
	case "npm", "yarn", "pnpm":
		how = fmt.Sprintf("`%s %s %s@<version>`, or a lockfile and `npm ci`", p.tool, p.sub, ex)
		if p.family == "npm" {
			ref = ids("DL3016")
		}
	case "gem":
		ref, how = ids("DL3028"), fmt.Sprintf("`gem install %s:<version>`, or a Gemfile.lock and `bundle install`", ex)
	case "go":
		ref, how = ids("DL3062"), fmt.Sprintf("`go %s %s@v<version>` (a tag or a pseudo-version, not @latest)", p.sub, strings.SplitN(ex, "@", 2)[0])
	}
	if strings.HasSuffix(p.sub, "module install") {
		how = fmt.Sprintf("`%s module install -y %s:<stream>`", p.tool, ex)
	}
	f.reportCmd(rulePkgUnpinned, in, sc, p.cmd, p.family,
		fmt.Sprintf("`%s %s` installs %s without pinning a version: each build may get a different one, so builds are not reproducible and a bad release slips in unreviewed.", p.tool, p.sub, strings.Join(limit(list, 5), ", ")),
		"Pin versions, e.g. "+how+".", ref)
}

// cacheSpec is, per package manager, the command that removes what an
// install leaves, the directories a cache or tmpfs mount may cover instead,
// the refs, the directories whose removal counts as the clean-up, and
// whether only stages that ship are checked (hadolint's DL3009 and DL3060
// look at those only; its other cache rules and Trivy's at every stage).
var cacheSpec = map[string]struct {
	clean       string
	mounts      []string
	refs        []string
	removes     []string
	shippedOnly bool
}{
	"apt":      {"rm -rf /var/lib/apt/lists/*", []string{"/var/lib/apt/lists"}, ids("DL3009"), []string{"/var/lib/apt/lists"}, true},
	"apk":      {"--no-cache", []string{"/var/cache/apk", "/etc/apk/cache"}, refs(ids("DL3019"), trivy("0025")), []string{"/var/cache/apk"}, false},
	"yum":      {"yum clean all", []string{"/var/cache/yum"}, refs(ids("DL3032"), trivy("0015")), []string{"/var/cache/yum"}, false},
	"dnf":      {"dnf clean all", []string{"/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/yum", ".cache/libdnf5"}, refs(ids("DL3040"), trivy("0019")), []string{"/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/yum"}, false},
	"tdnf":     {"tdnf clean all", []string{"/var/cache/tdnf"}, nil, []string{"/var/cache/tdnf"}, false},
	"microdnf": {"microdnf clean all", []string{"/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", ".cache/libdnf5"}, refs(ids("DL3040"), trivy("0027")), []string{"/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"}, false},
	"zypper":   {"zypper clean --all", []string{"/var/cache/zypp"}, refs(ids("DL3036"), trivy("0020")), []string{"/var/cache/zypp"}, false},
	"pip":      {"--no-cache-dir", []string{".cache/pip"}, ids("DL3042"), []string{"/root/.cache/pip", "~/.cache/pip", "$HOME/.cache/pip", "/root/.cache"}, false},
	"npm":      {"npm cache clean --force", []string{"/root/.npm", ".npm"}, nil, []string{"/root/.npm", "~/.npm", "$HOME/.npm"}, true},
	"yarn":     {"yarn cache clean", []string{".cache/yarn", "/root/.yarn"}, ids("DL3060"), []string{"/usr/local/share/.cache/yarn"}, true},
}

// checkPkgCache reports package-manager caches left in a layer.
func (f *dfile) checkPkgCache(in *inst, sc *script, pcs []pkgCmd, mounts []string, once func(string) bool) {
	st := in.stage
	ships := st.shipped || in.onbuild // ONBUILD steps run in the images built on this one
	f.checkAptCache(in, sc, pcs, mounts, ships, once)
	for i, p := range pcs {
		spec, ok := cacheSpec[p.family]
		if !ok || p.family == "apt" || (spec.shippedOnly && !ships) || !p.leavesCache() || coveredByMount(mounts, spec.mounts) {
			continue
		}
		cleaned := false
		switch p.family {
		case "apk":
			cleaned = hasOption(p.args, "", "--no-cache")
		case "pip":
			cleaned = hasOption(p.args, "", "--no-cache-dir") || st.pipNoCache || pipCacheOff(st.env) || pipCacheOffInRun(sc, p.idx)
		}
		if !cleaned {
			cleaned = cleanedAfter(sc, pcs, i, p, spec.removes)
		}
		if cleaned || !once("cache/"+p.family) {
			continue
		}
		var how string
		switch p.family {
		case "apk":
			how = fmt.Sprintf("Add --no-cache: `apk add --no-cache %s`.", strings.Join(limit(p.pos, 4), " "))
		case "pip":
			how = fmt.Sprintf("Add --no-cache-dir: `pip install --no-cache-dir %s`, or set `ENV PIP_NO_CACHE_DIR=1` once.", strings.Join(limit(p.pos, 4), " "))
		default:
			how = fmt.Sprintf("End the same RUN with `&& %s`, or use a cache mount: `RUN --mount=type=cache,target=%s ...`.", spec.clean, spec.mounts[0])
		}
		f.reportCmd(rulePkgCache, in, sc, p.cmd, p.family,
			fmt.Sprintf("`%s %s` leaves its package cache in the image layer: larger images, slower pulls, and package metadata that goes stale.", p.tool, p.sub),
			how, spec.refs)
	}
}

// checkAptCache follows apt's own layout (hadolint's DL3009): `apt-get
// update` writes the package lists, which the same RUN must remove; the
// downloaded .deb files are removed by the images' docker-clean hook
// unless the Dockerfile switched it off.
func (f *dfile) checkAptCache(in *inst, sc *script, pcs []pkgCmd, mounts []string, ships bool, once func(string) bool) {
	st := in.stage
	if !ships {
		return
	}
	for i, p := range pcs {
		if p.family != "apt" {
			continue
		}
		switch {
		case p.sub == "update" && !coveredByMount(mounts, []string{"/var/lib/apt/lists"}) && !removedAfter(sc, p.idx, "/var/lib/apt/lists") && once("cache/apt"):
			f.reportCmd(rulePkgCache, in, sc, p.cmd, "apt",
				fmt.Sprintf("`%s update` downloads the package lists to /var/lib/apt/lists and this RUN leaves them there: tens of megabytes in the layer, and stale metadata in the image.", p.tool),
				fmt.Sprintf("End the same RUN with `&& rm -rf /var/lib/apt/lists/*`, or use cache mounts: `RUN --mount=type=cache,target=/var/lib/apt/lists --mount=type=cache,target=/var/cache/apt %s update && ...`.", p.tool),
				ids("DL3009"))
		case p.isInstall() && !p.dryRun() && st.aptKeepsDebs && !coveredByMount(mounts, []string{"/var/cache/apt"}) && !aptCleanedAfter(sc, pcs, i) && once("cache/apt"):
			f.reportCmd(rulePkgCache, in, sc, p.cmd, "apt",
				fmt.Sprintf("`%s install` keeps the downloaded .deb files in /var/cache/apt: this Dockerfile switched off the images' docker-clean hook, so nothing removes them from the layer.", p.tool),
				"Mount the caches instead (`RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt/lists ...`), or end the RUN with `&& apt-get clean`.",
				ids("DL3009"))
		}
	}
}

// keepsDebs: the command switches off the docker-clean hook of Debian and
// Ubuntu images, so apt keeps downloaded packages.
func keepsDebs(c *shCmd) bool {
	args := c.unwrapped()
	if len(args) == 0 {
		return false
	}
	switch path.Base(args[0]) {
	case "rm":
		for _, a := range positional(args[1:]) {
			if strings.HasPrefix(a, "/etc/apt/apt.conf.d/docker-clean") {
				return true
			}
		}
	case "echo", "printf":
		for _, a := range args[1:] {
			if strings.Contains(a, "Keep-Downloaded-Packages") && strings.Contains(a, "true") {
				return true
			}
		}
	}
	return false
}

// aptCleanedAfter: `apt-get clean` or an rm of /var/cache/apt after the
// last apt install.
func aptCleanedAfter(sc *script, pcs []pkgCmd, i int) bool {
	last := pcs[i].idx
	for _, q := range pcs[i+1:] {
		if q.family == "apt" && q.isInstall() {
			last = q.idx
		}
	}
	for _, q := range pcs {
		if q.family == "apt" && q.idx > last && (q.sub == "clean" || q.sub == "autoclean") {
			return true
		}
	}
	return removedAfter(sc, last, "/var/cache/apt")
}

// removedAfter reports an `rm` of dir (or something under it) among the
// commands after index i.
func removedAfter(sc *script, i int, dir string) bool {
	for j := i + 1; j < len(sc.cmds); j++ {
		args := sc.cmds[j].unwrapped()
		if len(args) == 0 || path.Base(args[0]) != "rm" {
			continue
		}
		for _, a := range positional(args[1:]) {
			if a == dir || strings.HasPrefix(a, dir+"/") || strings.HasPrefix(a, dir+"*") {
				return true
			}
		}
	}
	return false
}

func (p pkgCmd) leavesCache() bool {
	if p.dryRun() {
		return false
	}
	if p.isInstall() {
		switch {
		case p.family == "npm" && p.sub == "add":
			return false
		case p.family == "apk" && hasOption(p.args, "", "--no-network"):
			return false // installs from local files: nothing downloaded, nothing cached
		case p.family == "pip" && p.tool != "pip":
			return false // pipx and uv keep their own caches
		case p.family == "go" || p.family == "gem":
			return false
		}
		return true
	}
	switch p.family {
	case "yum", "tdnf":
		return p.sub == "update" || p.sub == "upgrade"
	case "dnf", "microdnf":
		switch p.sub {
		case "update", "upgrade", "up", "upgrade-minimal", "up-min", "distro-sync":
			return true
		}
	case "zypper":
		switch p.sub {
		case "remove", "rm", "patch", "update", "up", "dup", "dist-upgrade":
			return true
		}
	}
	return false
}

// pipCacheOff: PIP_NO_CACHE_DIR set to any value pip accepts turns the
// cache off; pip reads even "0" and "false" that way, for compatibility
// with its old behaviour.
func pipCacheOff(env envMap) bool {
	v, ok := env["PIP_NO_CACHE_DIR"]
	return ok && pipBool(v)
}

func pipBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "0", "true", "false", "yes", "no", "on", "off", "y", "n", "t", "f":
		return true
	}
	return false
}

// pipCacheOffInRun: PIP_NO_CACHE_DIR set for the pip command itself, or
// exported before it in the same RUN, or `pip config set` before it.
func pipCacheOffInRun(sc *script, idx int) bool {
	for j := 0; j <= idx && j < len(sc.cmds); j++ {
		c := sc.cmds[j]
		if j < idx && c.decl == "" && len(c.args) > 0 {
			if pipConfigNoCache(c.unwrapped()) {
				return true
			}
			continue // a prefix assignment of another command is not ours
		}
		for _, a := range c.assigns {
			if a.name == "PIP_NO_CACHE_DIR" && a.hasValue && pipBool(a.value) {
				return true
			}
		}
	}
	return false
}

// pipConfigNoCache: `pip config set global.no-cache-dir ...` (any scope and
// value) switches the cache off for later pip commands.
func pipConfigNoCache(args []string) bool {
	if len(args) == 0 || !isPip(args) {
		return false
	}
	p := positional(pipArgs(args))
	return len(p) >= 3 && p[0] == "config" && p[1] == "set" && strings.HasSuffix(p[2], ".no-cache-dir")
}

// coveredByMount reports a cache or tmpfs mount over one of dirs: at the
// directory, above it, or (for a fragment such as ".cache/pip") at any
// path holding it.
func coveredByMount(mounts, dirs []string) bool {
	for _, m := range mounts {
		m = strings.TrimSuffix(m, "/")
		if m == "" {
			continue
		}
		for _, d := range dirs {
			if !strings.HasPrefix(d, "/") {
				if strings.Contains(m, d) {
					return true
				}
				continue
			}
			if m == d || strings.HasPrefix(d, m+"/") || strings.HasPrefix(m, d+"/") {
				return true
			}
		}
	}
	return false
}

// cleanedAfter reports a cleanup after the last install of p's family: the
// family's clean command, or an rm of its cache directory.
func cleanedAfter(sc *script, pcs []pkgCmd, i int, p pkgCmd, removes []string) bool {
	lastInstall := p.idx
	for _, q := range pcs[i+1:] {
		if q.family == p.family && q.leavesCache() {
			lastInstall = q.idx
		}
	}
	for j := lastInstall + 1; j < len(sc.cmds); j++ {
		args := sc.cmds[j].unwrapped()
		if len(args) == 0 {
			continue
		}
		name := path.Base(args[0])
		if name == "rm" {
			for _, a := range positional(args[1:]) {
				for _, r := range removes {
					if strings.HasPrefix(a, r) {
						return true
					}
				}
			}
			continue
		}
		pos := positional(args[1:])
		if len(pos) == 0 || pos[0] != "clean" && pos[0] != "cc" {
			continue
		}
		switch p.family {
		case "yum", "dnf", "tdnf", "microdnf":
			if name == p.tool && containsWord(pos, "all") {
				return true
			}
		case "zypper":
			if name == "zypper" {
				return true
			}
		}
	}
	// npm cache clean / yarn cache clean: "cache" is the first word.
	for j := lastInstall + 1; j < len(sc.cmds); j++ {
		args := sc.cmds[j].unwrapped()
		if len(args) < 3 {
			continue
		}
		name := path.Base(args[0])
		pos := positional(args[1:])
		if (p.family == "npm" && name == "npm" || p.family == "yarn" && name == "yarn") && len(pos) >= 2 && pos[0] == "cache" && pos[1] == "clean" {
			return true
		}
	}
	return false
}

func containsWord(list []string, w string) bool {
	for _, x := range list {
		if x == w {
			return true
		}
	}
	return false
}

func limit(s []string, n int) []string {
	if len(s) > n {
		return append(append([]string(nil), s[:n]...), "...")
	}
	return s
}

func updateCmd(p pkgCmd) string {
	switch p.family {
	case "apt":
		return p.tool + " update"
	case "apk":
		return "apk update"
	}
	return p.tool + " " + p.sub + " -y"
}

func installExample(p pkgCmd) string {
	switch p.family {
	case "apt":
		return p.tool + " install -y --no-install-recommends <packages> && rm -rf /var/lib/apt/lists/*"
	case "apk":
		return "apk add --no-cache <packages>"
	case "zypper":
		return "zypper --non-interactive install <packages> && zypper clean --all"
	}
	return p.tool + " install -y <packages> && " + p.tool + " clean all"
}
