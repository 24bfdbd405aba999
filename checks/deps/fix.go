package deps

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gomod"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/gradlelockfile"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/pomxml"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/bunlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/pnpmlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/yarnlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pdmlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pipfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/poetrylock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/requirements"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/uvlock"
	scalibrfs "github.com/google/osv-scalibr/fs"
)

// directness is whether the project asks for a package itself.
type directness int

const (
	directUnknown directness = iota
	direct
	transitive
)

// manifestFor names the manifests that declare the direct dependencies of
// a lockfile's project, per ecosystem.
var manifestFor = map[string][]string{
	"npm":       {"package.json"},
	"PyPI":      {"pyproject.toml", "Pipfile", "setup.cfg", "setup.py"},
	"crates.io": {"Cargo.toml"},
	"RubyGems":  {"Gemfile", "gems.rb"},
	"Packagist": {"composer.json"},
	"Pub":       {"pubspec.yaml"},
	"Hex":       {"mix.exs"},
}

// manifestTokens is the set of normalised words of the manifests beside a
// lockfile: a cheap test of "does the project name this package itself"
// that needs no parser per format. nil when there is no manifest.
type manifestCache struct {
	tokens map[string]map[string]bool // dir -> tokens
}

func (m *manifestCache) get(fsys scalibrfs.FS, dir, eco string) map[string]bool {
	key := dir + "\x00" + eco
	if t, ok := m.tokens[key]; ok {
		return t
	}
	var tokens map[string]bool
	for _, name := range manifestFor[eco] {
		f, err := fsys.Open(path.Join(dir, name))
		if err != nil {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(f, 4<<20))
		f.Close()
		if err != nil {
			continue
		}
		if tokens == nil {
			tokens = map[string]bool{}
		}
		for _, w := range bytes.FieldsFunc(data, func(r rune) bool {
			return !(r == '-' || r == '_' || r == '.' || r == '@' || r == '/' ||
				(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
		}) {
			tokens[nameKey(string(w))] = true
		}
	}
	if m.tokens == nil {
		m.tokens = map[string]map[string]bool{}
	}
	m.tokens[key] = tokens
	return tokens
}

// directnessOf decides whether a package is a direct dependency from what
// is at hand: go.mod's "// indirect" marks, requirements files (every line
// is asked for), and the project manifest beside other lockfiles.
func directnessOf(r *pkgRec, m *manifestCache) directness {
	switch {
	case r.kind == gomod.Name && path.Base(r.file) == "go.sum":
		return transitive // listed by go.sum alone: required by another module
	case r.kind == gomod.Name:
		if r.line > 0 {
			if l := lineText(r.content, r.line); strings.Contains(l, "// indirect") {
				return transitive
			}
		}
		return direct
	case r.kind == requirements.Name, r.kind == pomxml.Name:
		return direct
	}
	if r.fsys == nil {
		return directUnknown
	}
	tokens := m.get(r.fsys, path.Dir(r.rel), r.ecosystem)
	if tokens == nil {
		return directUnknown
	}
	if tokens[nameKey(r.name)] || tokens[nameKey(r.pkg.Name)] {
		return direct
	}
	return transitive
}

func lineText(content []byte, line int) string {
	for i := 1; len(content) > 0; i++ {
		l := content
		if j := bytes.IndexByte(content, '\n'); j >= 0 {
			l, content = content[:j], content[j+1:]
		} else {
			content = nil
		}
		if i == line {
			return string(l)
		}
	}
	return ""
}

// lineOf finds the line naming the package in the lockfile, for the
// lockfiles whose extractor records no line: first the forms that declare a
// package (Cargo.lock and poetry.lock `name = "x"`, package-lock
// `"node_modules/x"`, composer.lock `"name": "x"`), else the first line that
// names it as a whole word. 0 when not found.
func lineOf(content []byte, name string) int {
	if name == "" {
		return 0
	}
	for _, decl := range []string{`name = "` + name + `"`, `"node_modules/` + name + `"`, `"name": "` + name + `"`} {
		if i := bytes.Index(content, []byte(decl)); i >= 0 {
			return 1 + bytes.Count(content[:i], []byte{'\n'})
		}
	}
	nb := []byte(name)
	line := 1
	for off := 0; off < len(content); {
		i := bytes.Index(content[off:], nb)
		if i < 0 {
			return 0
		}
		at := off + i
		line += bytes.Count(content[off:at], []byte{'\n'})
		before, after := byte(' '), byte(' ')
		if at > 0 {
			before = content[at-1]
		}
		if end := at + len(nb); end < len(content) {
			after = content[end]
		}
		if !wordByte(before) && !wordByte(after) {
			return line
		}
		line += bytes.Count(content[at:at+len(nb)], []byte{'\n'})
		off = at + len(nb)
	}
	return 0
}

func wordByte(c byte) bool {
	return c == '-' || c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// lessonRule is the rule id whose lesson explains this kind of fix; the
// lessons library maps it to a lesson.
func lessonRule(fixed string, d directness) string {
	switch {
	case fixed == "":
		return "deps/no-fix"
	case d == transitive:
		return "deps/transitive"
	}
	return "deps/direct"
}

// fixText says how to move to the recommended version in this package's
// ecosystem; now is the number of advisory groups of the current version.
// When no version is free of known advisories it says which ones remain
// and what the upgrade still buys.
func fixText(r *pkgRec, rec recommendation, now int, d directness) string {
	n := r.name
	fixed := rec.version
	if fixed == "" {
		return fmt.Sprintf("No fixed version of %s yet: remove it or replace it with a maintained alternative, or, if the vulnerable code is unreachable in your use, accept the risk with an [[ignore]] entry in .secfirst.toml (a reason and an expiry date) and watch the advisory for a fix.", n)
	}
	lead := ""
	if len(rec.remaining) > 0 {
		lead = fmt.Sprintf("No version of %s is free of known advisories: %s fixes %d of the %d advisories of %s and leaves %s (no fix yet: replace %s, or accept the risk with an expiring [[ignore]] in .secfirst.toml). ",
			n, fixed, now-len(rec.remaining), now, r.version, strings.Join(rec.remaining, ", "), n)
	}
	lock := path.Base(r.file)
	var how string
	switch r.ecosystem {
	case "npm":
		how = npmFix(r, n, fixed, d)
	case "Go":
		v := fixed
		if !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		lock = "go.mod and go.sum"
		switch {
		case n == "stdlib":
			how = fmt.Sprintf("Build with Go %s or later (raise the toolchain line in go.mod: `go get toolchain@go%s`).", fixed, fixed)
		case path.Base(r.file) == "go.sum":
			how = fmt.Sprintf("Run `go get %s@%s && go mod tidy` (an indirect dependency that go.mod does not list, as modules before Go 1.17 do: the requirement go get adds raises it for the whole build).", n, v)
		case d == transitive:
			how = fmt.Sprintf("Run `go get %s@%s && go mod tidy` (an indirect dependency: the requirement in go.mod raises it for the whole build).", n, v)
		default:
			how = fmt.Sprintf("Run `go get %s@%s && go mod tidy`.", n, v)
		}
	case "PyPI":
		how = pypiFix(r, n, fixed, d)
	case "crates.io":
		if d == transitive {
			how = fmt.Sprintf("Run `cargo update -p %s --precise %s` (it comes in through another crate; if that crate pins an older version, upgrade it).", n, fixed)
		} else {
			how = fmt.Sprintf("Require %s = \"%s\" (or later) in Cargo.toml and run `cargo update -p %s`.", n, fixed, n)
		}
	case "RubyGems":
		if d == transitive {
			how = fmt.Sprintf("Run `bundle update --conservative %s` to move it to %s or later (it comes in through another gem).", n, fixed)
		} else {
			how = fmt.Sprintf("Require `gem '%s', '>= %s'` in the Gemfile and run `bundle update --conservative %s`.", n, fixed, n)
		}
	case "Packagist":
		if d == transitive {
			how = fmt.Sprintf("Run `composer update %s --with-dependencies` to reach %s or later; if another package holds it back, upgrade that one.", n, fixed)
		} else {
			how = fmt.Sprintf("Run `composer require %s:^%s`.", n, fixed)
		}
	case "Maven":
		if r.kind == gradlelockfile.Name {
			how = fmt.Sprintf("Raise %s to %s in build.gradle (a dependency constraint when it is transitive) and run `gradle dependencies --write-locks`.", n, fixed)
		} else if d == transitive {
			how = fmt.Sprintf("Pin %s to %s in <dependencyManagement> of the pom.xml (it comes in through another artifact).", n, fixed)
		} else {
			how = fmt.Sprintf("Set <version>%s</version> for %s in the pom.xml.", fixed, n)
		}
	case "NuGet":
		how = fmt.Sprintf("Run `dotnet add package %s --version %s`.", n, fixed)
	case "Pub":
		how = fmt.Sprintf("Require %s: ^%s in pubspec.yaml and run `dart pub upgrade %s`.", n, fixed, n)
	case "Hex":
		how = fmt.Sprintf("Require {:%s, \"~> %s\"} in mix.exs and run `mix deps.update %s`.", n, fixed, n)
	default:
		how = fmt.Sprintf("Upgrade %s to %s or later.", n, fixed)
	}
	return lead + how + " Then commit the updated " + lock + "."
}

func npmFix(r *pkgRec, n, fixed string, d directness) string {
	tool, add, overrides := "npm", "npm install", fmt.Sprintf(`"overrides": {"%s": "%s"}`, n, fixed)
	switch r.kind {
	case yarnlock.Name:
		tool, add, overrides = "yarn", "yarn add", fmt.Sprintf(`"resolutions": {"%s": "%s"}`, n, fixed)
	case pnpmlock.Name:
		tool, add, overrides = "pnpm", "pnpm add", fmt.Sprintf(`"pnpm": {"overrides": {"%s": "%s"}}`, n, fixed)
	case bunlock.Name:
		tool, add = "bun", "bun add"
	}
	if d == transitive {
		return fmt.Sprintf("%s comes in through another package: upgrade that package if a release of it uses %s %s, or force the fixed version with %s in package.json and run `%s install`.", n, n, fixed, overrides, tool)
	}
	s := fmt.Sprintf("Run `%s %s@%s`.", add, n, fixed)
	if d == directUnknown {
		s += fmt.Sprintf(" If it is not a direct dependency, force it with %s in package.json instead.", overrides)
	}
	return s
}

func pypiFix(r *pkgRec, n, fixed string, d directness) string {
	if d == transitive {
		return fmt.Sprintf("%s comes in through another package: constrain it with `%s>=%s` in a constraints file (`pip install -c constraints.txt`), or `poetry add %s@^%s` / `uv add '%s>=%s'`, and re-lock.", n, n, fixed, n, fixed, n, fixed)
	}
	switch r.kind {
	case requirements.Name:
		return fmt.Sprintf("Pin `%s==%s` (or later) in %s.", n, fixed, path.Base(r.file))
	case poetrylock.Name:
		return fmt.Sprintf("Run `poetry add %s@^%s`.", n, fixed)
	case uvlock.Name:
		return fmt.Sprintf("Run `uv add '%s>=%s'`.", n, fixed)
	case pipfilelock.Name:
		return fmt.Sprintf("Run `pipenv install '%s>=%s'`.", n, fixed)
	case pdmlock.Name:
		return fmt.Sprintf("Run `pdm add '%s>=%s'`.", n, fixed)
	}
	return fmt.Sprintf("Require `%s>=%s` where the project declares it and re-lock.", n, fixed)
}
