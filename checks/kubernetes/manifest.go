package kubernetes

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file reads manifests through yaml.v3's node tree, which keeps every
// value's line. Kubernetes decodes YAML as YAML 1.1 (sigs.k8s.io/yaml over
// go-yaml v2), so plain yes/no/on/off are booleans here too, as kubectl
// would apply them.

// maxHops bounds alias and merge-key resolution: a hostile file may chain
// or nest them, never loop us.
const maxHops = 8

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxHops; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// field is one key of a mapping: its key node (for the line) and value.
type field struct {
	key, val *yaml.Node
}

func (f field) ok() bool { return f.val != nil }

// line is where the key is written, or 0 when the field is absent.
func (f field) line() int {
	if f.key == nil {
		return 0
	}
	return f.key.Line
}

// get looks a key up in a mapping, honouring merge keys (<<: *defaults).
// An explicit key wins over a merged one, as in YAML.
func get(m *yaml.Node, key string) field {
	return getDepth(m, key, 0)
}

func getDepth(m *yaml.Node, key string, depth int) field {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode || depth > maxHops {
		return field{}
	}
	var merges []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind == yaml.ScalarNode && k.Value == key && k.Tag != "!!merge" {
			return field{k, deref(m.Content[i+1])}
		}
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, m.Content[i+1])
		}
	}
	for _, mg := range merges {
		mg = deref(mg)
		if mg == nil {
			continue
		}
		if mg.Kind == yaml.SequenceNode {
			for _, item := range mg.Content {
				if f := getDepth(item, key, depth+1); f.ok() {
					return f
				}
			}
			continue
		}
		if f := getDepth(mg, key, depth+1); f.ok() {
			return f
		}
	}
	return field{}
}

// at follows nested keys.
func at(m *yaml.Node, keys ...string) field {
	var f field
	for i, k := range keys {
		if i > 0 {
			m = f.val
		}
		f = get(m, k)
		if !f.ok() {
			return field{}
		}
	}
	return f
}

// items are the entries of a sequence (none for anything else).
func items(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		if c = deref(c); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// entries are the key/value pairs of a mapping, merge keys left out.
func entries(m *yaml.Node) []field {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out []field
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag == "!!merge" {
			continue
		}
		out = append(out, field{m.Content[i], deref(m.Content[i+1])})
	}
	return out
}

func isMapping(n *yaml.Node) bool { n = deref(n); return n != nil && n.Kind == yaml.MappingNode }

// str is a scalar's text; ok is false for anything else and for null.
func str(n *yaml.Node) (string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", false
	}
	return n.Value, true
}

// templated reports a value that a template engine (Helm, envsubst,
// Kustomize replacements) fills in later: it is unknown, not a value.
func templated(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "${")
}

// state is what a manifest says about a setting.
type state int

const (
	absent  state = iota // not written (or null): Kubernetes' default applies
	yes                  // true, or the value asked about
	no                   // false, or another value
	unknown              // written, but not a value secfirst can read (a template, a type error)
)

// boolOf reads a boolean the way Kubernetes decodes it.
func boolOf(n *yaml.Node) state {
	n = deref(n)
	if n == nil {
		return absent
	}
	if n.Kind != yaml.ScalarNode {
		return unknown
	}
	if n.Tag == "!!null" {
		return absent
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && n.Tag != "!!bool" {
		return unknown // "true" is a string: the API server rejects it
	}
	switch strings.ToLower(n.Value) {
	case "true", "yes", "on", "y":
		return yes
	case "false", "no", "off", "n":
		return no
	}
	return unknown
}

// intOf reads an integer; ok is false when absent or unreadable.
func intOf(n *yaml.Node) (int64, state) {
	n = deref(n)
	if n == nil {
		return 0, absent
	}
	if n.Kind != yaml.ScalarNode {
		return 0, unknown
	}
	if n.Tag == "!!null" {
		return 0, absent
	}
	v := strings.ReplaceAll(n.Value, "_", "")
	if i, err := strconv.ParseInt(v, 0, 64); err == nil {
		return i, yes
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f == float64(int64(f)) {
		return int64(f), yes
	}
	return 0, unknown
}

// strField reads a string setting; templated values are unknown.
func strField(f field) (string, state) {
	if !f.ok() {
		return "", absent
	}
	s, ok := str(f.val)
	switch {
	case !ok && f.val.Tag == "!!null":
		return "", absent
	case !ok:
		return "", unknown
	case templated(s):
		return s, unknown
	}
	return s, yes
}

// resource is one Kubernetes object of a file.
type resource struct {
	kind, name, namespace string
	line                  int        // the first line of the object
	node                  *yaml.Node // its mapping
	pod                   *podSpec   // nil when it holds no pod template
}

// label names the object in messages: Deployment "web".
func (r *resource) label() string {
	if r.name == "" {
		return r.kind
	}
	return r.kind + " " + strconv.Quote(r.name)
}

// podLabel names the pod of the object in messages: the Pod itself, or
// the pod of Deployment "web".
func (r *resource) podLabel() string {
	if r.kind == "Pod" {
		return r.label()
	}
	return "the pod of " + r.label()
}

// podSpec is the pod template of a workload.
type podSpec struct {
	where      string     // "spec.template.spec": for messages and fixes
	meta       *yaml.Node // the pod's metadata (annotations)
	spec       *yaml.Node // the pod spec mapping
	line       int        // the line of the spec key
	containers []*container
	// patch is a pod template none of whose containers names an image:
	// not an object the API server would take, but a patch (a Kustomize
	// strategic merge patch, an overlay) that changes a few settings of a
	// base written elsewhere. Only the settings it writes are checked.
	patch bool
}

// container is one container of a pod.
type container struct {
	name  string
	group string // containers, initContainers, ephemeralContainers
	index int
	node  *yaml.Node
	line  int
}

// label names the container in messages: container "app" (or
// initContainers[1] when it has no name).
func (c *container) label() string {
	kind := "container"
	switch c.group {
	case "initContainers":
		kind = "init container"
	case "ephemeralContainers":
		kind = "ephemeral container"
	}
	if c.name == "" {
		return kind + " " + c.group + "[" + strconv.Itoa(c.index) + "]"
	}
	return kind + " " + strconv.Quote(c.name)
}

func (c *container) get(keys ...string) field { return at(c.node, keys...) }

// templatePaths are where each workload kind keeps its pod template.
var templatePaths = map[string][]string{
	"Pod":                   nil,
	"PodTemplate":           {"template"},
	"Deployment":            {"spec", "template"},
	"StatefulSet":           {"spec", "template"},
	"DaemonSet":             {"spec", "template"},
	"ReplicaSet":            {"spec", "template"},
	"ReplicationController": {"spec", "template"},
	"Job":                   {"spec", "template"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template"},
}

// readResources returns the objects of one YAML document, List items
// included. depth bounds Lists of Lists.
func readResources(n *yaml.Node, depth int, out []*resource) []*resource {
	n = deref(n)
	if n == nil || depth > 3 {
		return out
	}
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			out = readResources(c, depth, out)
		}
		return out
	}
	if n.Kind != yaml.MappingNode {
		return out
	}
	kind, _ := str(get(n, "kind").val)
	if _, ok := str(get(n, "apiVersion").val); !ok || kind == "" {
		return out
	}
	if strings.HasSuffix(kind, "List") {
		for _, item := range items(get(n, "items").val) {
			out = readResources(item, depth+1, out)
		}
		return out
	}
	if kind == "Template" {
		// An OpenShift Template holds its objects, workloads included,
		// in objects: they are what `oc process` creates.
		for _, item := range items(get(n, "objects").val) {
			out = readResources(item, depth+1, out)
		}
	}
	r := &resource{kind: kind, line: n.Line, node: n}
	r.name, _ = str(at(n, "metadata", "name").val)
	r.namespace, _ = str(at(n, "metadata", "namespace").val)
	if tp, ok := templatePaths[kind]; ok {
		r.pod = readPod(n, tp)
	}
	return append(out, r)
}

// readPod finds the pod template at tp (the object itself for a Pod).
func readPod(obj *yaml.Node, tp []string) *podSpec {
	tmpl := obj
	if len(tp) > 0 {
		tmpl = at(obj, tp...).val
	}
	spec := get(tmpl, "spec")
	if !isMapping(spec.val) {
		return nil
	}
	p := &podSpec{
		where: strings.Join(append(append([]string(nil), tp...), "spec"), "."),
		meta:  get(tmpl, "metadata").val,
		spec:  spec.val,
		line:  spec.line(),
	}
	for _, group := range []string{"initContainers", "containers", "ephemeralContainers"} {
		for i, c := range items(get(spec.val, group).val) {
			if !isMapping(c) {
				continue
			}
			name, _ := str(get(c, "name").val)
			p.containers = append(p.containers, &container{name: name, group: group, index: i, node: c, line: c.Line})
		}
	}
	p.patch = true
	for _, c := range p.containers {
		if c.group != "ephemeralContainers" && present(get(c.node, "image")) {
			p.patch = false
		}
	}
	return p
}
