package dockerfile

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"sync"
)

// pkgCmd is one package-manager command of a RUN, split into its
// subcommand, options and package arguments.
type pkgCmd struct {
	idx    int      // index in the script's commands
	tool   string   // apt-get, apt, apk, yum, dnf, microdnf, tdnf, zypper, pip, npm, yarn, pnpm, gem
	family string   // apt, apk, yum, dnf, microdnf, tdnf, zypper, pip, npm, yarn, gem
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
	"zypper":   {"rpDx", []string{"--repo", "--root", "--from", "--type", "--config", "--plus-repo", "--download"}},
	"pip":      {"rceitfb", []string{"--requirement", "--constraint", "--editable", "--index-url", "--extra-index-url", "--target", "--prefix", "--root", "--find-links", "--python", "--platform", "--trusted-host", "--cache-dir", "--log", "--proxy", "--cert", "--client-cert", "--src", "--upgrade-strategy", "--python-version", "--implementation", "--abi", "--progress-bar", "--report", "--config-settings", "--global-option", "--no-binary", "--only-binary", "--timeout", "--retries"}},
	"npm":      {"", []string{"--registry", "--prefix", "--cache", "--userconfig", "--workspace", "--tag", "--omit", "--include", "--loglevel"}},
	"gem":      {"vis", []string{"--version", "--install-dir", "--source", "--bindir", "--platform"}},
	"microdnf": {"", []string{"--config", "--enablerepo", "--disablerepo", "--setopt", "--installroot", "--releasever"}},
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
			return append(pos, args[i+1:]...)
		}
		if strings.HasPrefix(a, "--") {
			if !strings.Contains(a, "=") {
				for _, l := range spec.long {
					if a == l {
						i++
						break
					}
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
		pc := pkgCmd{idx: i, tool: tool, args: args[1:], piped: pipedInto[i]}
		switch {
		case tool == "apt-get" || tool == "apt":
			pc.family = "apt"
		case tool == "apk", tool == "yum", tool == "dnf", tool == "microdnf", tool == "tdnf", tool == "zypper", tool == "gem", tool == "npm", tool == "yarn", tool == "pnpm":
			pc.family = tool
		case isPip(args):
			pc.family, pc.tool, pc.args = "pip", "pip", pipArgs(args)
		default:
			continue
		}
		pos := splitPkgArgs(pc.family, pc.args)
		if len(pos) > 0 {
			pc.sub, pc.pos = pos[0], pos[1:]
		}
		if pc.family == "yarn" && pc.sub == "global" && len(pc.pos) > 0 {
			pc.sub, pc.pos = pc.pos[0], pc.pos[1:]
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
		case "install", "in", "reinstall", "rei", "localinstall", "groupinstall", "install-n", "install-na", "install-nevra":
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
		return p.sub == "install"
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

// followsUpdate: what may come after an update in the same RUN.
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

// updateFamily groups apt and apt-get: `apt-get update && apt install` is fine.
func (p pkgCmd) updateFamily() string { return p.family }

// checkPackages runs the package-manager rules on one RUN.
func (f *dfile) checkPackages(in *inst, sc *script, cacheMounts []string) {
	pcs := pkgCommands(sc)
	if len(pcs) == 0 {
		return
	}
	st := in.stage
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
				if q.updateFamily() == p.updateFamily() && q.installsOrUpgrades() {
					installed = true
					break
				}
			}
			if !installed {
				f.reportAt(rulePkgUpdateAlone, in, p.family,
					fmt.Sprintf("`%s %s` runs without an install in the same RUN: Docker caches this layer, so later installs use a stale package index and can fail or install outdated, vulnerable versions.", p.tool, p.sub),
					fmt.Sprintf("Update and install in one RUN: `RUN %s && %s`.", updateCmd(p), installExample(p)), nil)
			}
		}
		if !p.isInstall() {
			continue
		}
		f.checkPkgNonInteractive(in, p, once)
		if p.family == "apt" && !aptNoRecommends(p.args) && once("recommends") {
			f.reportAt(ruleAptRecommends, in, "",
				fmt.Sprintf("`%s install` without --no-install-recommends also installs recommended packages: more code in the image, more CVEs to patch.", p.tool),
				fmt.Sprintf("Add --no-install-recommends: `%s install -y --no-install-recommends %s`.", p.tool, strings.Join(limit(p.pos, 4), " ")), nil)
		}
		f.checkPkgPinning(in, p, once)
	}
	if st.shipped {
		f.checkPkgCache(in, sc, pcs, cacheMounts, once)
	}
}

func (f *dfile) checkPkgNonInteractive(in *inst, p pkgCmd, once func(string) bool) {
	var ref []string
	ok := true
	switch p.family {
	case "apt":
		ok = hasOptionIn(p.args, "oct", "y", "--yes", "--assume-yes") || p.piped == "yes" || aptQuietTwo(p.args) ||
			containsFold(p.args, "APT::Get::Assume-Yes=true")
		ref = refs(ids("DL3014"), trivy("0021"))
	case "yum":
		ok = hasOptionIn(p.args, "cdexR", "y", "--assumeyes") || p.piped == "yes"
		ref = ids("DL3030")
	case "dnf", "tdnf":
		ok = hasOptionIn(p.args, "cdexR", "y", "--assumeyes") || p.piped == "yes"
		ref = ids("DL3038")
	case "zypper":
		ok = hasOptionIn(p.args, "rpDx", "ny", "--non-interactive", "--no-confirm") || p.piped == "yes"
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
	f.reportAt(rulePkgYes, in, p.family,
		fmt.Sprintf("`%s %s` without %s stops to ask for confirmation; in a build nobody answers, so the step fails or depends on the defaults.", p.tool, p.sub, flag),
		fmt.Sprintf("Add %s: `%s %s %s %s`.", flag, p.tool, flagFor(p), p.sub, strings.Join(limit(p.pos, 4), " ")), ref)
}

func flagFor(p pkgCmd) string {
	if p.family == "zypper" {
		return "--non-interactive"
	}
	return "-y"
}

func aptQuietTwo(args []string) bool {
	for _, a := range args {
		if a == "-qq" || a == "-q=2" || a == "--quiet=2" {
			return true
		}
	}
	return false
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

var rpmVersioned = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-[0-9]`) })

// unpinned lists the package arguments that name no version.
func unpinned(p pkgCmd) []string {
	var out []string
	for _, a := range p.pos {
		if a == "" || strings.ContainsAny(a, "$`*") || strings.HasPrefix(a, "/") || strings.HasPrefix(a, "./") || strings.HasPrefix(a, "../") {
			continue
		}
		pinned := false
		switch p.family {
		case "apt":
			pinned = strings.Contains(a, "=") || strings.HasSuffix(a, ".deb")
		case "apk":
			pinned = strings.ContainsAny(a, "=~<>") || strings.HasSuffix(a, ".apk")
		case "yum", "dnf", "tdnf", "microdnf":
			pinned = rpmVersioned().MatchString(a) || strings.HasSuffix(a, ".rpm") || strings.HasPrefix(a, "@") || strings.Contains(a, "://")
		case "zypper":
			pinned = strings.ContainsAny(a, "=<>") || strings.HasSuffix(a, ".rpm") || strings.Contains(a, "://")
		case "pip":
			pinned = strings.ContainsAny(a, "=<>~!@") || strings.Contains(a, "/") || strings.HasSuffix(a, ".whl") || strings.HasSuffix(a, ".tar.gz") || strings.HasSuffix(a, ".zip") || a == "."
		case "npm", "yarn", "pnpm":
			at := strings.LastIndexByte(a, '@')
			pinned = (at > 0 && !strings.HasSuffix(a, "@latest") && !strings.HasSuffix(a, "@next")) || strings.Contains(a, "/") && !strings.HasPrefix(a, "@") || strings.HasSuffix(a, ".tgz") || strings.Contains(a, ":")
			if p.sub == "ci" || (p.sub == "install" && len(p.pos) == 0) {
				pinned = true
			}
		case "gem":
			pinned = strings.Contains(a, ":") || hasOption(p.args, "v", "--version") || strings.HasSuffix(a, ".gem")
		}
		if !pinned {
			out = append(out, a)
		}
	}
	return out
}

func (f *dfile) checkPkgPinning(in *inst, p pkgCmd, once func(string) bool) {
	list := unpinned(p)
	if len(list) == 0 || !once("pin/"+p.family) {
		return
	}
	ref, how := "", ""
	ex := list[0]
	switch p.family {
	case "apt":
		ref, how = "DL3008", fmt.Sprintf("`%s install -y --no-install-recommends %s=<version>` (see the available versions with `apt-cache policy %s` in the base image)", p.tool, ex, ex)
	case "apk":
		ref, how = "DL3018", fmt.Sprintf("`apk add --no-cache %s=<version>` (see `apk policy %s`), or `%s~<major.minor>` to allow patch updates", ex, ex, ex)
	case "yum":
		ref, how = "DL3033", fmt.Sprintf("`yum install -y %s-<version>` (see `yum list --showduplicates %s`)", ex, ex)
	case "dnf", "tdnf", "microdnf":
		ref, how = "DL3041", fmt.Sprintf("`%s install -y %s-<version>` (see `dnf list --showduplicates %s`)", p.tool, ex, ex)
	case "zypper":
		ref, how = "DL3037", fmt.Sprintf("`zypper install -y %s=<version>` (see `zypper info %s`)", ex, ex)
	case "pip":
		ref, how = "DL3013", fmt.Sprintf("`pip install %s==<version>`, or better a requirements file with hashes (`pip install --require-hashes -r requirements.txt`)", ex)
	case "npm", "yarn", "pnpm":
		ref, how = "DL3016", fmt.Sprintf("`%s %s %s@<version>`, or a lockfile and `npm ci`", p.tool, p.sub, ex)
	case "gem":
		ref, how = "DL3028", fmt.Sprintf("`gem install %s -v <version>`, or a Gemfile.lock and `bundle install`", ex)
	}
	f.reportAt(rulePkgUnpinned, in, p.family,
		fmt.Sprintf("`%s %s` installs %s without a version: each build may get a different version, so builds are not reproducible and a bad release slips in unreviewed.", p.tool, p.sub, strings.Join(limit(list, 5), ", ")),
		"Pin versions, e.g. "+how+".", []string{ref})
}

// cache cleanup per family: the command that removes what the install
// left, and the directories a cache mount may cover instead.
var cacheSpec = map[string]struct {
	clean   string
	mounts  []string
	refs    []string
	removes []string
}{
	"apt":      {"rm -rf /var/lib/apt/lists/*", []string{"/var/lib/apt", "/var/cache/apt"}, ids("DL3009"), []string{"/var/lib/apt/lists"}},
	"apk":      {"--no-cache", []string{"/var/cache/apk", "/etc/apk/cache"}, refs(ids("DL3019"), trivy("0025")), []string{"/var/cache/apk"}},
	"yum":      {"yum clean all", []string{"/var/cache/yum"}, refs(ids("DL3032"), trivy("0015")), []string{"/var/cache/yum"}},
	"dnf":      {"dnf clean all", []string{"/var/cache/dnf", "/var/cache/libdnf5"}, refs(ids("DL3040"), trivy("0019")), []string{"/var/cache/dnf"}},
	"tdnf":     {"tdnf clean all", []string{"/var/cache/tdnf"}, []string{}, []string{"/var/cache/tdnf"}},
	"microdnf": {"microdnf clean all", []string{"/var/cache/yum", "/var/cache/dnf"}, trivy("0027"), []string{"/var/cache/yum", "/var/cache/dnf"}},
	"zypper":   {"zypper clean --all", []string{"/var/cache/zypp"}, refs(ids("DL3036"), trivy("0020")), []string{"/var/cache/zypp"}},
	"pip":      {"--no-cache-dir", []string{"/root/.cache/pip", "/root/.cache"}, ids("DL3042"), []string{"/root/.cache/pip", "~/.cache/pip", "$HOME/.cache/pip", "/root/.cache"}},
	"npm":      {"npm cache clean --force", []string{"/root/.npm"}, []string{}, []string{"/root/.npm", "~/.npm", "$HOME/.npm"}},
	"yarn":     {"yarn cache clean", []string{"/usr/local/share/.cache/yarn", "/root/.yarn", "/root/.cache/yarn"}, ids("DL3060"), []string{"/usr/local/share/.cache/yarn"}},
}

// checkPkgCache reports installs whose package cache stays in a layer that
// ships. Stages only used to build are left alone: their layers are thrown
// away.
func (f *dfile) checkPkgCache(in *inst, sc *script, pcs []pkgCmd, cacheMounts []string, once func(string) bool) {
	for i, p := range pcs {
		spec, ok := cacheSpec[p.family]
		if !ok || !p.leavesCache() || coveredByMount(cacheMounts, spec.mounts) {
			continue
		}
		cleaned := false
		switch p.family {
		case "apk":
			cleaned = hasOption(p.args, "", "--no-cache")
		case "pip":
			cleaned = hasOption(p.args, "", "--no-cache-dir") || pipCacheOffByEnv(in.stage.env)
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
		f.reportAt(rulePkgCache, in, p.family,
			fmt.Sprintf("`%s %s` leaves its package cache in the image layer: larger images, slower pulls, and package metadata that goes stale.", p.tool, p.sub),
			how, spec.refs)
	}
}

func (p pkgCmd) leavesCache() bool {
	if p.isInstall() {
		if (p.family == "npm" || p.family == "pnpm") && p.sub == "add" {
			return p.family == "pnpm"
		}
		return true
	}
	switch p.family {
	case "yum", "dnf", "tdnf", "microdnf":
		return p.sub == "update" || p.sub == "upgrade"
	case "zypper":
		switch p.sub {
		case "remove", "rm", "patch", "update", "up", "dup", "dist-upgrade":
			return true
		}
	}
	return false
}

func pipCacheOffByEnv(env envMap) bool {
	v, ok := env["PIP_NO_CACHE_DIR"]
	return ok && v != ""
}

func coveredByMount(mounts, dirs []string) bool {
	for _, m := range mounts {
		m = strings.TrimSuffix(m, "/")
		for _, d := range dirs {
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
