package terraform

import (
	"encoding/json"
	"strings"
)

// statement is one statement of an AWS policy document, as written in
// JSON (a heredoc, a jsonencode call) or in an aws_iam_policy_document
// data source.
type statement struct {
	effect    string
	actions   []string
	resources []string
	line      int
}

func (s statement) allow() bool { return !strings.EqualFold(s.effect, "deny") }

// policyStatements reads a policy document given as a JSON string. ok is
// false when the value is unknown or not a policy.
func policyStatements(v value) ([]statement, bool) {
	doc, ok := v.str()
	if !ok {
		return nil, false
	}
	var raw struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(doc)), &raw); err != nil || raw.Statement == nil {
		return nil, false
	}
	type rawStatement struct {
		Effect   string          `json:"Effect"`
		Action   json.RawMessage `json:"Action"`
		Resource json.RawMessage `json:"Resource"`
	}
	var list []rawStatement
	if err := json.Unmarshal(raw.Statement, &list); err != nil {
		var one rawStatement
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, false
		}
		list = []rawStatement{one}
	}
	var out []statement
	for _, s := range list {
		out = append(out, statement{effect: s.Effect, actions: stringOrList(s.Action), resources: stringOrList(s.Resource), line: v.line})
	}
	return out, true
}

// stringOrList reads a JSON string or list of strings.
func stringOrList(raw json.RawMessage) []string {
	if raw == nil {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	return nil
}

// documentStatements reads the statement blocks of an
// aws_iam_policy_document data source. A statement whose actions or
// resources are not known is left out.
func documentStatements(b body) []statement {
	var out []statement
	for _, sb := range b.blocks("statement") {
		effect := "Allow"
		if e, ok := sb.attr("effect").str(); ok {
			effect = e
		} else if sb.attr("effect").present {
			continue
		}
		acts := sb.attr("actions")
		res := sb.attr("resources")
		if _, ok := acts.list(); !ok {
			continue
		}
		if _, ok := res.list(); !ok {
			continue
		}
		line := acts.line
		if line == 0 {
			line = sb.at()
		}
		out = append(out, statement{effect: effect, actions: acts.strs(), resources: res.strs(), line: line})
	}
	return out
}

// wildcard reports an action that grants every action ("*", "*:*").
func wildcard(a string) bool { return a == "*" || a == "*:*" }

// serviceWildcard returns the service of an action that grants all of one
// service's actions ("s3:*" gives "s3").
func serviceWildcard(a string) (string, bool) {
	svc, rest, ok := strings.Cut(a, ":")
	if !ok || rest != "*" || svc == "" || svc == "*" {
		return "", false
	}
	return strings.ToLower(svc), true
}

// denied reports an action a Deny statement of the same document lists.
func denied(stmts []statement, action string) bool {
	for _, s := range stmts {
		if s.allow() {
			continue
		}
		for _, a := range s.actions {
			if strings.EqualFold(a, action) {
				return true
			}
		}
	}
	return false
}
