package terraform

import (
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// isVarsFile is a variable definitions file of a module's folder:
// terraform.tfvars and *.auto.tfvars, which Terraform loads by itself, or
// another .tfvars file, passed with -var-file.
func isVarsFile(p string) bool {
	return strings.HasSuffix(p, ".tfvars") && !strings.Contains("/"+p, "/.terraform/")
}

// isModuleFile is a file the check reads to check a module.
func isModuleFile(p string) bool { return IsCandidatePath(p) || isVarsFile(p) }

// autoLoaded is a .tfvars file Terraform loads without being asked.
func autoLoaded(p string) bool {
	base := path.Base(p)
	return base == "terraform.tfvars" || strings.HasSuffix(base, ".auto.tfvars")
}

// varsValues are the values the folder's .tfvars files give variables, as
// `terraform plan` in that folder sees them: terraform.tfvars, then the
// *.auto.tfvars files in lexical order, the later winning. A variable that
// another .tfvars file sets is unknown: which file a run passes with
// -var-file is not written in the repository, so its default is not
// guessed to be the value.
func varsValues(files []*tfFile) map[string]cty.Value {
	var auto, other []*tfFile
	for _, f := range files {
		switch {
		case !isVarsFile(f.path) || f.body == nil:
		case autoLoaded(f.path):
			auto = append(auto, f)
		default:
			other = append(other, f)
		}
	}
	sort.SliceStable(auto, func(i, j int) bool {
		return path.Base(auto[i].path) == "terraform.tfvars" && path.Base(auto[j].path) != "terraform.tfvars"
	})
	out := map[string]cty.Value{}
	for _, f := range other {
		for name := range f.body.Attributes {
			out[name] = cty.DynamicVal
		}
	}
	ctx := &hcl.EvalContext{Functions: functions()}
	for _, f := range auto {
		for name, a := range f.body.Attributes {
			if v := eval(a.Expr, ctx); v.IsWhollyKnown() && out[name] != cty.DynamicVal {
				out[name] = v
			} else {
				out[name] = cty.DynamicVal
			}
		}
	}
	return out
}
