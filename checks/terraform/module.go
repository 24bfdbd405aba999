package terraform

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// A module is a folder of .tf files, read together as Terraform reads them:
// a resource in one file sees the variables, locals and other resources of
// the others.
type module struct {
	files     []*tfFile
	resources []*resource
	byType    map[string][]*resource // "aws_s3_bucket", "data.aws_iam_policy_document"
	byAddr    map[string]*resource
	ctx       *hcl.EvalContext
	// values and refs cache what attributes evaluate to and refer to:
	// linking a resource to those that point at it asks the same
	// attributes again and again.
	values map[valueKey]cty.Value
	refs   map[hclsyntax.Expression][]*resource
}

type valueKey struct {
	attr *hclsyntax.Attribute
	ctx  *hcl.EvalContext
}

// tfFile is one parsed file of a module.
type tfFile struct {
	path    string // as reported in findings
	src     []byte
	body    *hclsyntax.Body // nil when the file does not parse at all
	pragmas *pragmas
	// report tells whether findings in this file are reported: a sibling
	// read only to resolve references (a PATH scan of one file) is not.
	report bool
	// lineStarts are the offsets where src's lines start, found on the
	// first snippet.
	lineStarts []int
}

// snippet is line n of the file, trimmed and bounded. The lines' offsets
// are found once per file: a generated file of 20,000 buckets has 40,000
// findings, and scanning from the top for each took minutes.
func (f *tfFile) snippet(n int) string {
	if f.lineStarts == nil {
		f.lineStarts = []int{0}
		for i, c := range f.src {
			if c == '\n' {
				f.lineStarts = append(f.lineStarts, i+1)
			}
		}
	}
	if n < 1 || n > len(f.lineStarts) {
		return ""
	}
	return snippet(f.src[f.lineStarts[n-1]:], 1)
}

// resource is a resource or data block.
type resource struct {
	data  bool
	typ   string
	name  string
	block *hclsyntax.Block
	file  *tfFile
	mod   *module
}

// addr is the resource's Terraform address: aws_s3_bucket.logs, or
// data.aws_iam_policy_document.admin.
func (r *resource) addr() string {
	if r.data {
		return "data." + r.typ + "." + r.name
	}
	return r.typ + "." + r.name
}

func (r *resource) line() int { return r.block.TypeRange.Start.Line }

func (r *resource) body() body { return body{b: r.block.Body, r: r, ctx: r.mod.ctx} }

// limits on what evaluation may build, so a hostile module (locals that
// double a list or a string at each step) cannot exhaust the machine.
const (
	maxValueElems  = 1000
	maxValueString = 32 << 10
	maxLocalPasses = 8
)

// newModule reads the parsed files of one folder: variables' defaults and
// literal locals become var.* and local.*; resources and data sources are
// indexed by type and address.
func newModule(files []*tfFile) *module {
	m := &module{files: files, byType: map[string][]*resource{}, byAddr: map[string]*resource{},
		values: map[valueKey]cty.Value{}, refs: map[hclsyntax.Expression][]*resource{}}
	vars := map[string]cty.Value{}
	localExprs := map[string]hclsyntax.Expression{}
	for _, f := range files {
		if f.body == nil || isVarsFile(f.path) {
			continue
		}
		for _, b := range f.body.Blocks {
			switch {
			case b.Type == "resource" && len(b.Labels) == 2, b.Type == "data" && len(b.Labels) == 2:
				r := &resource{data: b.Type == "data", typ: b.Labels[0], name: b.Labels[1], block: b, file: f, mod: m}
				key := r.typ
				if r.data {
					key = "data." + r.typ
				}
				if m.byAddr[r.addr()] != nil {
					continue // a duplicate is Terraform's error; the first one is checked
				}
				m.byType[key] = append(m.byType[key], r)
				m.byAddr[r.addr()] = r
				m.resources = append(m.resources, r)
			case b.Type == "variable" && len(b.Labels) == 1:
				vars[b.Labels[0]] = cty.DynamicVal
				if a, ok := b.Body.Attributes["default"]; ok {
					v := eval(a.Expr, &hcl.EvalContext{Functions: functions()})
					if v.IsWhollyKnown() {
						vars[b.Labels[0]] = v
					}
				}
			case b.Type == "locals":
				for name, a := range b.Body.Attributes {
					localExprs[name] = a.Expr
				}
			}
		}
	}
	for name, v := range varsValues(files) {
		if _, declared := vars[name]; declared {
			vars[name] = v
		}
	}
	m.ctx = &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: functions()}
	m.ctx.Variables["var"] = objectOf(vars)
	// Locals may refer to each other in any order: evaluate them in passes
	// until none changes, each unknown until it resolves.
	locals := map[string]cty.Value{}
	for name := range localExprs {
		locals[name] = cty.DynamicVal
	}
	names := make([]string, 0, len(localExprs))
	for n := range localExprs {
		names = append(names, n)
	}
	sort.Strings(names)
	for pass := 0; pass < maxLocalPasses; pass++ {
		m.ctx.Variables["local"] = objectOf(locals)
		changed := false
		for _, n := range names {
			if locals[n].IsWhollyKnown() {
				continue
			}
			v := eval(localExprs[n], m.ctx)
			if !v.IsWhollyKnown() {
				continue
			}
			locals[n] = v
			changed = true
		}
		if !changed {
			break
		}
	}
	m.ctx.Variables["local"] = objectOf(locals)
	// Everything else a module may refer to (resources, data sources,
	// modules, path, count, each, self) is unknown: not guessed.
	return m
}

// objectOf builds an object whose attributes are vals; an empty map is an
// empty object, so var.x is an unknown-attribute error (unknown value).
func objectOf(vals map[string]cty.Value) cty.Value {
	if len(vals) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(vals)
}

// bounded reports whether a value is small enough to keep.
func bounded(v cty.Value) bool {
	n := 0
	ok := true
	_ = cty.Walk(v, func(_ cty.Path, x cty.Value) (bool, error) {
		n++
		if n > maxValueElems {
			ok = false
			return false, nil
		}
		if x.IsKnown() && !x.IsNull() && x.Type() == cty.String && len(x.AsString()) > maxValueString {
			ok = false
			return false, nil
		}
		return true, nil
	})
	return ok
}

// eval evaluates an expression in ctx. Errors (a reference to a resource,
// an unknown function) give an unknown value: not guessed.
func eval(expr hclsyntax.Expression, ctx *hcl.EvalContext) cty.Value {
	if tooComplex(expr) {
		return cty.DynamicVal
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() || !bounded(v) {
		return cty.DynamicVal
	}
	return v
}

// body is a block's body with what it needs to evaluate its attributes.
type body struct {
	b   *hclsyntax.Body
	r   *resource
	ctx *hcl.EvalContext
	// line is the line of the block's header (0 for the resource's own body).
	line int
	// path names the nested blocks from the resource: "root_block_device".
	path string
	// missing are the last blocks of path that are not written (their
	// body is nil; line is then the deepest written block's).
	missing []string
}

// value is an attribute as written: whether it is there, its value when
// known, and where it is.
type value struct {
	present bool
	v       cty.Value
	expr    hclsyntax.Expression
	line    int
}

func (b body) attr(name string) value {
	if b.b == nil {
		return value{v: cty.NullVal(cty.DynamicPseudoType)}
	}
	a, ok := b.b.Attributes[name]
	if !ok {
		return value{v: cty.NullVal(cty.DynamicPseudoType)}
	}
	key := valueKey{a, b.ctx}
	v, ok := b.r.mod.values[key]
	if !ok {
		v = eval(a.Expr, b.ctx)
		b.r.mod.values[key] = v
	}
	return value{present: true, v: v, expr: a.Expr, line: a.SrcRange.Start.Line}
}

// blocks returns the nested blocks of a type, with the content of dynamic
// blocks of that type (whose iterator is unknown).
func (b body) blocks(name string) []body {
	if b.b == nil {
		return nil
	}
	var out []body
	p := name
	if b.path != "" {
		p = b.path + "." + name
	}
	for _, nb := range b.b.Blocks {
		switch {
		case nb.Type == name:
			out = append(out, body{b: nb.Body, r: b.r, ctx: b.ctx, line: nb.TypeRange.Start.Line, path: p})
		case nb.Type == "dynamic" && len(nb.Labels) == 1 && nb.Labels[0] == name:
			iter := name
			if a, ok := nb.Body.Attributes["iterator"]; ok {
				if t := hcl.ExprAsKeyword(a.Expr); t != "" {
					iter = t
				}
			}
			for _, it := range b.dynamicIterations(nb) {
				ctx := b.ctx.NewChild()
				ctx.Variables = map[string]cty.Value{iter: it}
				for _, cb := range nb.Body.Blocks {
					if cb.Type == "content" {
						out = append(out, body{b: cb.Body, r: b.r, ctx: ctx, line: nb.TypeRange.Start.Line, path: p})
					}
				}
			}
		}
	}
	return out
}

// maxDynamicIterations bounds how many blocks one dynamic block expands to.
const maxDynamicIterations = 64

// dynamicIterations are the values a dynamic block's iterator takes, as
// Terraform expands it: {key, value} for each element of a known for_each
// (a list's index, a set's element or a map's key). An unknown for_each,
// or one larger than maxDynamicIterations, gives one unknown iterator: the
// content is checked for what it says whatever the element.
func (b body) dynamicIterations(nb *hclsyntax.Block) []cty.Value {
	unknown := []cty.Value{cty.DynamicVal}
	a, ok := nb.Body.Attributes["for_each"]
	if !ok {
		return unknown
	}
	v := eval(a.Expr, b.ctx)
	if !v.IsWhollyKnown() || v.IsNull() || !v.CanIterateElements() || v.LengthInt() > maxDynamicIterations {
		return unknown
	}
	var out []cty.Value
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if v.Type().IsSetType() {
			k = e
		}
		out = append(out, cty.ObjectVal(map[string]cty.Value{"key": k, "value": e}))
	}
	return out
}

// block returns the first nested block of a type.
func (b body) block(name string) (body, bool) {
	bs := b.blocks(name)
	if len(bs) == 0 {
		missing := append(append([]string(nil), b.missing...), name)
		return body{r: b.r, ctx: b.ctx, line: b.line, path: joinPath(b.path, name), missing: missing}, false
	}
	return bs[0], true
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// at is where a finding about this body goes: its header, or the resource's.
func (b body) at() int {
	if b.line > 0 {
		return b.line
	}
	return b.r.line()
}

// known reports a value that is wholly known and not null.
func (v value) known() bool {
	return v.present && v.v.IsWhollyKnown() && !v.v.IsNull()
}

// isTrue and isFalse are a known boolean (or its string spelling, as
// Terraform converts "true" for a bool attribute).
func (v value) isTrue() bool  { b, ok := v.bool(); return ok && b }
func (v value) isFalse() bool { b, ok := v.bool(); return ok && !b }

func (v value) bool() (bool, bool) {
	if !v.known() {
		return false, false
	}
	switch v.v.Type() {
	case cty.Bool:
		return v.v.True(), true
	case cty.String:
		switch strings.ToLower(v.v.AsString()) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// str is a known string (numbers are spelled as Terraform converts them).
func (v value) str() (string, bool) {
	if !v.known() {
		return "", false
	}
	switch v.v.Type() {
	case cty.String:
		return v.v.AsString(), true
	case cty.Number:
		return v.v.AsBigFloat().Text('f', -1), true
	case cty.Bool:
		return fmt.Sprint(v.v.True()), true
	}
	return "", false
}

// num is a known number, or a string that spells one.
func (v value) num() (float64, bool) {
	if !v.known() {
		return 0, false
	}
	switch v.v.Type() {
	case cty.Number:
		f, _ := v.v.AsBigFloat().Float64()
		return f, true
	case cty.String:
		var f float64
		if _, err := fmt.Sscan(v.v.AsString(), &f); err == nil {
			return f, true
		}
	}
	return 0, false
}

// list returns the elements of a list, set or tuple, or the value itself
// when it is a single string (Terraform accepts either in many places).
// allKnown is false when the collection or one element is unknown.
func (v value) list() (elems []value, allKnown bool) {
	if !v.present {
		return nil, true
	}
	if !v.v.IsKnown() {
		return nil, false
	}
	if v.v.IsNull() {
		return nil, true
	}
	t := v.v.Type()
	if !(t.IsListType() || t.IsSetType() || t.IsTupleType()) {
		return []value{v}, v.v.IsWhollyKnown()
	}
	allKnown = true
	for it := v.v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		ev := value{present: true, v: e, expr: v.expr, line: v.line}
		if !e.IsWhollyKnown() {
			allKnown = false
		}
		elems = append(elems, ev)
	}
	return elems, allKnown
}

// strs are the known strings of a list (or a single string).
func (v value) strs() []string {
	elems, _ := v.list()
	var out []string
	for _, e := range elems {
		if s, ok := e.str(); ok {
			out = append(out, s)
		}
	}
	return out
}

// empty is a known empty string or collection.
func (v value) empty() bool {
	if !v.known() {
		return false
	}
	if s, ok := v.str(); ok {
		return s == ""
	}
	t := v.v.Type()
	if t.IsListType() || t.IsSetType() || t.IsTupleType() || t.IsMapType() || t.IsObjectType() {
		return v.v.LengthInt() == 0
	}
	return false
}

// absentOrEmpty is an attribute not written, written null, or a known
// empty string or collection: the provider's default applies.
func (v value) absentOrEmpty() bool {
	if !v.present {
		return true
	}
	if v.v.IsKnown() && v.v.IsNull() {
		return true
	}
	return v.empty()
}

// refersTo returns the resources of a module an expression refers to
// (aws_s3_bucket.logs.id refers to aws_s3_bucket.logs).
func (m *module) refersTo(expr hclsyntax.Expression) []*resource {
	if expr == nil {
		return nil
	}
	if out, ok := m.refs[expr]; ok {
		return out
	}
	var out []*resource
	defer func() { m.refs[expr] = out }()
	for _, t := range expr.Variables() {
		if len(t) < 2 {
			continue
		}
		root := t.RootName()
		step, ok := t[1].(hcl.TraverseAttr)
		if !ok {
			continue
		}
		addr := root + "." + step.Name
		if root == "data" && len(t) >= 3 {
			if s2, ok := t[2].(hcl.TraverseAttr); ok {
				addr = "data." + step.Name + "." + s2.Name
			}
		}
		if r := m.byAddr[addr]; r != nil {
			out = append(out, r)
		}
	}
	return out
}

// linked reports whether attribute attr of r points at target: by a
// reference (aws_s3_bucket.logs.id) or by a literal equal to one of the
// target's key attributes (bucket = "logs" and the bucket's bucket = "logs").
func linked(r body, attr string, target *resource, keys ...string) bool {
	v := r.attr(attr)
	if !v.present {
		return false
	}
	for _, t := range r.r.mod.refersTo(v.expr) {
		if t == target {
			return true
		}
	}
	s, ok := v.str()
	if !ok || s == "" {
		return false
	}
	tb := target.body()
	for _, k := range keys {
		if ks, ok := tb.attr(k).str(); ok && ks == s {
			return true
		}
	}
	return false
}

// linkedFrom returns the resources of a type whose attribute attr points at r.
func (r *resource) linkedFrom(typ, attr string, keys ...string) []*resource {
	var out []*resource
	for _, o := range r.mod.byType[typ] {
		if linked(o.body(), attr, r, keys...) {
			out = append(out, o)
		}
	}
	return out
}

// created is false for a resource whose count is a known 0 (or whose
// for_each is known and empty): Terraform creates none.
func (r *resource) created() bool {
	b := r.body()
	if c := b.attr("count"); c.present {
		if n, ok := c.num(); ok && n == 0 {
			return false
		}
	}
	if fe := b.attr("for_each"); fe.present && fe.known() && fe.empty() {
		return false
	}
	return true
}
