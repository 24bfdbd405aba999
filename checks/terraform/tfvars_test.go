package terraform

import (
	"fmt"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// Variables take the values `terraform plan` in the folder would give
// them: terraform.tfvars and *.auto.tfvars override the defaults (an
// unencrypted default that terraform.tfvars turns on was reported; one it
// turns off passed), and a variable another .tfvars file sets is unknown,
// since which one a run passes with -var-file is not written down. A
// commit that stages only a .tfvars file checks its module.
func TestTfvarsGiveVariablesTheirValues(t *testing.T) {
	r := gittest.New(t)
	r.Write("infra/main.tf", `variable "encrypted" {
  default = false
}
variable "db_encrypted" {
  default = true
}
variable "open" {
  default = ["10.0.0.0/8"]
}
resource "aws_ebs_volume" "v" {
  encrypted = var.encrypted
}
resource "aws_db_instance" "db" {
  storage_encrypted = var.db_encrypted
  kms_key_id        = "arn:aws:kms:eu-west-1:111122223333:key/k"
}
resource "aws_security_group_rule" "ssh" {
  type        = "ingress"
  protocol    = "tcp"
  from_port   = 22
  to_port     = 22
  cidr_blocks = var.open
}
`)
	r.Write("infra/terraform.tfvars", "encrypted = true\ndb_encrypted = true\n")
	r.Write("infra/zz.auto.tfvars", "db_encrypted = false\n")
	r.Write("infra/prod.tfvars", "open = [\"0.0.0.0/0\"]\n")
	r.Git("add", "-A")
	want := "map[infra/main.tf:[aws-rds-unencrypted@14]]"
	for name, res := range everyMode(t, r, "infra/main.tf") {
		if got := fmt.Sprint(byFile(res.Findings)); got != want || len(res.Warnings) != 0 {
			t.Errorf("%s: findings %s, want %s; warnings %q", name, got, want, res.Warnings)
		}
	}
	r.Git("commit", "-qm", "infra")
	r.Write("infra/terraform.tfvars", "encrypted = false\ndb_encrypted = true\n")
	r.Git("add", "infra/terraform.tfvars")
	if got := fmt.Sprint(byFile(run(t, r, checks.ModeStaged).Findings)); got != "map[infra/main.tf:[aws-ebs-unencrypted@11 aws-rds-unencrypted@14]]" {
		t.Errorf("a commit of terraform.tfvars alone: %s", got)
	}
}
