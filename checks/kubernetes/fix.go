package kubernetes

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Fixes name the exact lines to write, in YAML flow style so they fit on
// one line of the hook's message and paste as they are.

// addFix says where to add leaf: under the mapping path keys of owner
// (a container or a pod spec). It names the deepest mapping of the path
// that already exists, with its line, and writes the rest of the path
// around leaf: `securityContext: {capabilities: {drop: ["ALL"]}}`.
func addFix(ownerLabel string, owner *yaml.Node, ownerLine int, keys []string, leaf string) string {
	node, line := owner, ownerLine
	i := 0
	for ; i < len(keys); i++ {
		f := get(node, keys[i])
		if !isMapping(f.val) {
			break
		}
		node, line = f.val, f.line()
	}
	snippet := leaf
	for j := len(keys) - 1; j >= i; j-- {
		snippet = keys[j] + ": {" + snippet + "}"
	}
	where := ownerLabel
	if i > 0 {
		where = "the " + strings.Join(keys[:i], ".") + " of " + ownerLabel
	}
	return fmt.Sprintf("Add `%s` to %s (line %d).", snippet, where, line)
}

// changeFix replaces a setting written with a wrong value.
func changeFix(line int, setting string) string {
	return fmt.Sprintf("Change line %d to `%s`.", line, setting)
}

// setFix is changeFix when the setting is written (f), addFix otherwise.
func setFix(f field, ownerLabel string, owner *yaml.Node, ownerLine int, keys []string, leaf string) string {
	if f.ok() {
		return changeFix(f.line(), leaf)
	}
	return addFix(ownerLabel, owner, ownerLine, keys, leaf)
}
