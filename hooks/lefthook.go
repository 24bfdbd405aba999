package hooks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/tidwall/jsonc"
	"go.yaml.in/yaml/v3"

	"github.com/secfirst-dev/secfirst/internal/tomlshape"
)

// lefthook reads its configuration as lefthook 1 and 2 do
// (internal/config/loader.go): the main file is the first of lefthook,
// .lefthook and .config/lefthook with the extension .yml, then .yaml,
// .json, .jsonc, .toml (the extension varies slowest), or the file
// $LEFTHOOK_CONFIG names; the first lefthook-local file found the same way
// is merged over it, hook by hook: maps key by key, commands by name (a
// local `run` may hold {cmd}, the main command's run), jobs by name.
var (
	lefthookExts       = []string{".yml", ".yaml", ".json", ".jsonc", ".toml"}
	lefthookMainNames  = []string{"lefthook", ".lefthook", ".config/lefthook"}
	lefthookLocalNames = []string{"lefthook-local", ".lefthook-local", ".config/lefthook-local"}
)

// maxConfigSize bounds the configuration files secfirst reads.
const maxConfigSize = 1 << 20

// lefthookFiles are the configuration files lefthook reads in a working
// tree (absolute paths, "" when there is none).
type lefthookFiles struct {
	Main, Local string
}

func (f lefthookFiles) exists() bool { return f.Main != "" || f.Local != "" }

func findLefthook(root string) lefthookFiles {
	var f lefthookFiles
	if p := os.Getenv("LEFTHOOK_CONFIG"); p != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		if isFile(p) {
			f.Main = p
		}
	} else {
		f.Main = firstFile(root, lefthookMainNames)
	}
	f.Local = firstFile(root, lefthookLocalNames)
	return f
}

func firstFile(root string, names []string) string {
	for _, ext := range lefthookExts {
		for _, name := range names {
			p := filepath.Join(root, filepath.FromSlash(name)+ext)
			if isFile(p) {
				return p
			}
		}
	}
	return ""
}

// readLefthookFile decodes one lefthook configuration file.
func readLefthookFile(p string) (map[string]any, error) {
	data, err := readConfigData(p)
	if err != nil {
		return nil, err
	}
	doc := map[string]any{}
	switch filepath.Ext(p) {
	case ".toml":
		if err := tomlshape.Check(data); err != nil { // see internal/tomlshape
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if _, err := toml.Decode(string(data), &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		return doc, nil
	case ".jsonc":
		data = jsonc.ToJSON(data)
	}
	// YAML is a superset of JSON: one decoder reads both.
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return doc, nil
}

// lefthookHook is the configuration lefthook runs for hook, main and local
// merged; nil when neither file configures it.
func lefthookHook(f lefthookFiles, hook string) (map[string]any, error) {
	var main, local map[string]any
	for _, it := range []struct {
		path string
		into *map[string]any
	}{{f.Main, &main}, {f.Local, &local}} {
		if it.path == "" {
			continue
		}
		doc, err := readLefthookFile(it.path)
		if err != nil {
			return nil, err
		}
		if h, ok := doc[hook].(map[string]any); ok {
			*it.into = h
		}
	}
	if main == nil {
		return local, nil
	}
	if local == nil {
		return main, nil
	}
	return mergeLefthookHook(main, local), nil
}

func mergeLefthookHook(main, local map[string]any) map[string]any {
	runs := map[string]string{}
	if cmds, ok := main["commands"].(map[string]any); ok {
		for name, c := range cmds {
			if cm, ok := c.(map[string]any); ok {
				if run, ok := cm["run"].(string); ok {
					runs[name] = run
				}
			}
		}
	}
	mainJobs, _ := main["jobs"].([]any)
	localJobs, _ := local["jobs"].([]any)
	out := mergeMaps(main, local)
	if cmds, ok := out["commands"].(map[string]any); ok {
		for name, c := range cmds {
			if cm, ok := c.(map[string]any); ok {
				if run, ok := cm["run"].(string); ok {
					cm["run"] = strings.ReplaceAll(run, "{cmd}", runs[name])
				}
			}
		}
	}
	if len(mainJobs) > 0 || len(localJobs) > 0 {
		out["jobs"] = mergeJobs(mainJobs, localJobs)
	}
	return out
}

// mergeMaps merges over into base, key by key, maps recursively; base is
// not changed.
func mergeMaps(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		if bm, ok := out[k].(map[string]any); ok {
			if om, ok := v.(map[string]any); ok {
				out[k] = mergeMaps(bm, om)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// mergeJobs merges local jobs into main's: a job with the name of one of
// main's is merged into it, others are added after.
func mergeJobs(main, local []any) []any {
	out := append([]any{}, main...)
	byName := map[string]int{}
	for i, j := range out {
		if jm, ok := j.(map[string]any); ok {
			if name, ok := jm["name"].(string); ok {
				byName[name] = i
			}
		}
	}
	for _, j := range local {
		jm, ok := j.(map[string]any)
		if !ok {
			continue
		}
		if name, ok := jm["name"].(string); ok {
			if i, ok := byName[name]; ok {
				out[i] = mergeMaps(out[i].(map[string]any), jm)
				continue
			}
		}
		out = append(out, jm)
	}
	return out
}

// lefthookRuns reports whether lefthook's configuration in root runs
// `secfirst hook <hook>` (a command or job not skipped), and the file to
// show: the one that runs it, else the main configuration.
func lefthookRuns(root, hook string) (bool, string) {
	f := findLefthook(root)
	show := f.Main
	if show == "" {
		show = filepath.Join(root, "lefthook.yml")
	}
	h, err := lefthookHook(f, hook)
	if err != nil || h == nil || skipped(h) {
		return false, show
	}
	want := "secfirst hook " + hook
	if cmds, ok := h["commands"].(map[string]any); ok {
		for _, c := range cmds {
			if cm, ok := c.(map[string]any); ok && runsCommand(cm, want) {
				return true, show
			}
		}
	}
	jobs, _ := h["jobs"].([]any)
	if jobsRun(jobs, want) {
		return true, show
	}
	return false, show
}

func jobsRun(jobs []any, want string) bool {
	for _, j := range jobs {
		jm, ok := j.(map[string]any)
		if !ok || skipped(jm) {
			continue
		}
		if runsCommand(jm, want) {
			return true
		}
		if g, ok := jm["group"].(map[string]any); ok {
			sub, _ := g["jobs"].([]any)
			if jobsRun(sub, want) {
				return true
			}
		}
	}
	return false
}

func runsCommand(m map[string]any, want string) bool {
	run, _ := m["run"].(string)
	return !skipped(m) && strings.Contains(run, want)
}

// skipped is lefthook's `skip: true` (a list of conditions skips only
// sometimes, so the command still runs).
func skipped(m map[string]any) bool {
	b, ok := m["skip"].(bool)
	return ok && b
}
