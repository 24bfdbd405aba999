package terraform

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/internal/conformance"
)

// rulesAt maps each rule slug that fired to the lines it fired on.
func rulesAt(fs []checks.Finding) map[string][]int {
	out := map[string][]int{}
	for _, f := range fs {
		s := strings.TrimPrefix(f.Rule, CheckName+"/")
		out[s] = append(out[s], f.Line)
	}
	for _, v := range out {
		sort.Ints(v)
	}
	return out
}

func fired(t *testing.T, src string) map[string][]int {
	t.Helper()
	r := CheckFile("main.tf", []byte(src))
	if len(r.Warnings) != 0 {
		t.Fatalf("warnings %v", r.Warnings)
	}
	return rulesAt(r.Findings)
}

// Variable defaults and literal locals are resolved as Terraform would;
// a variable without a default, a reference to another resource, a
// module output or a data source is unknown and never a finding.
func TestValuesResolvedAndUnknownNotGuessed(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      map[string][]int
	}{
		{"variable default", `variable "enc" {
  default = false
}
resource "aws_ebs_volume" "v" {
  encrypted = var.enc
}`, map[string][]int{"aws-ebs-unencrypted": {5}}},
		{"variable default string spelling", `variable "enc" {
  type    = bool
  default = "false"
}
resource "aws_ebs_volume" "v" {
  encrypted = var.enc
}`, map[string][]int{"aws-ebs-unencrypted": {6}}},
		{"variable without default", `variable "enc" {}
resource "aws_ebs_volume" "v" {
  encrypted = var.enc
}`, map[string][]int{}},
		{"locals chain in any order", `locals {
  open  = [local.world]
  world = "0.0.0.0/0"
}
resource "aws_security_group_rule" "ssh" {
  type        = "ingress"
  protocol    = "tcp"
  from_port   = 22
  to_port     = 22
  cidr_blocks = local.open
}`, map[string][]int{"aws-security-group-open-admin-port": {10}}},
		{"conditional on a variable", `variable "prod" {
  default = true
}
resource "aws_db_instance" "db" {
  storage_encrypted   = var.prod ? false : true
  publicly_accessible = !var.prod
}`, map[string][]int{"aws-rds-unencrypted": {5}}},
		{"reference to another resource", `resource "aws_ebs_volume" "v" {
  encrypted = aws_kms_key.k.enabled
}`, map[string][]int{}},
		{"module output and data source", `resource "aws_db_instance" "db" {
  storage_encrypted   = module.settings.encrypted
  publicly_accessible = data.external.flags.result.public
}`, map[string][]int{}},
		{"file functions are not run", `resource "aws_iam_policy" "p" {
  policy = file("/etc/passwd")
}`, map[string][]int{}},
		{"count zero is not created", `resource "aws_ebs_volume" "v" {
  count     = 0
  encrypted = false
}`, map[string][]int{}},
		{"count unknown is checked", `resource "aws_ebs_volume" "v" {
  count     = var.n
  encrypted = false
}`, map[string][]int{"aws-ebs-unencrypted": {3}}},
		{"dynamic block content", `resource "aws_security_group" "web" {
  dynamic "ingress" {
    for_each = var.ports
    content {
      protocol    = "tcp"
      from_port   = 3389
      to_port     = 3389
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}`, map[string][]int{"aws-security-group-open-admin-port": {8}}},
		{"dynamic block with its iterator unknown", `resource "aws_security_group" "web" {
  dynamic "ingress" {
    for_each = var.rules
    iterator = rule
    content {
      protocol    = "tcp"
      from_port   = rule.value.port
      to_port     = rule.value.port
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}`, map[string][]int{}},
		{"heredoc policy", `resource "aws_iam_role_policy" "p" {
  policy = <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
EOF
}`, map[string][]int{"aws-iam-admin-policy": {2}}},
		{"jsonencode policy with a variable", `variable "actions" {
  default = ["*"]
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
  })
}`, map[string][]int{"aws-iam-admin-policy": {5}}},
		{"policy document data source", `data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
  statement {
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
  }
}`, map[string][]int{"aws-iam-admin-policy": {3}}},
		{"deny overrides a service wildcard", `resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "s3:*", Resource = "*" },
      { Effect = "Deny", Action = "s3:*", Resource = "*" },
    ]
  })
}`, map[string][]int{}},
		{"linked by literal name", `resource "aws_s3_bucket" "b" {
  bucket = "acme-data"
}
resource "aws_s3_bucket_public_access_block" "b" {
  bucket                  = "acme-data"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = "acme-data"
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "arn:aws:kms:eu-west-1:111122223333:key/x"
    }
  }
}`, map[string][]int{}},
		{"ebs encryption by default", `resource "aws_ebs_encryption_by_default" "on" {
  enabled = true
}
resource "aws_ebs_volume" "v" {
  size = 10
}`, map[string][]int{}},
		{"unknown security group ports", `resource "aws_security_group_rule" "r" {
  type        = "ingress"
  protocol    = "tcp"
  from_port   = var.port
  to_port     = var.port
  cidr_blocks = ["0.0.0.0/0"]
}`, map[string][]int{}},
		{"all protocols open everything", `resource "aws_security_group" "all" {
  ingress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}`, map[string][]int{"aws-security-group-open-admin-port": {6}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fired(t, tc.src); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// A module may refer to itself without end, or build values that grow at
// every step: evaluation stays bounded and such values are unknown.
func TestHostileModulesStayBounded(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("locals {\n  l0 = [\"0.0.0.0/0\", \"0.0.0.0/0\"]\n  s0 = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n  loop = local.loop\n  a = local.b\n  b = local.a\n")
	for i := 1; i <= 60; i++ {
		fmt.Fprintf(&sb, "  l%d = concat(local.l%d, local.l%d)\n  s%d = \"${local.s%d}${local.s%d}\"\n", i, i-1, i-1, i, i-1, i-1)
	}
	sb.WriteString("  nested = [for x in local.l9 : [for y in local.l9 : [for z in local.l9 : z]]]\n}\n")
	sb.WriteString("resource \"aws_security_group_rule\" \"r\" {\n  type = \"ingress\"\n  protocol = \"tcp\"\n  from_port = 22\n  to_port = 22\n  cidr_blocks = local.l60\n  description = local.s60\n}\n")
	// Bounded in work, not in time: 2^60-element lists and strings would
	// allocate without end, so what one check allocates is measured.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := CheckFile("main.tf", []byte(sb.String()))
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
		t.Fatalf("allocated %d MB", alloc>>20)
	}
	if len(r.Findings) != 0 || len(r.Warnings) != 0 {
		t.Errorf("findings %v, warnings %v", rulesAt(r.Findings), r.Warnings)
	}
	// The same rule with a bounded local is found.
	r = CheckFile("main.tf", []byte(strings.Replace(sb.String(), "cidr_blocks = local.l60", "cidr_blocks = local.l3", 1)))
	if got := rulesAt(r.Findings); fmt.Sprint(got) != "map[aws-security-group-open-admin-port:[134]]" {
		t.Errorf("bounded local: %v", got)
	}
}

// Suppression comments: secfirst's own (with a reason, or a warning),
// Trivy's and tfsec's on the resource or the attribute (with an expiry
// date), and Checkov's inside the resource, through the finding's refs.
func TestSuppressionComments(t *testing.T) {
	src := `# secfirst:ignore=terraform/aws-ebs-unencrypted test fixtures only
resource "aws_ebs_volume" "a" {
  encrypted = false
}

resource "aws_ebs_volume" "b" {
  encrypted = false # trivy:ignore:AVD-AWS-0026
}

resource "aws_ebs_volume" "c" {
  // tfsec:ignore:aws-0026:exp:2000-01-01
  encrypted = false
}

resource "aws_ebs_volume" "d" {
  #checkov:skip=CKV_AWS_3:restored from an encrypted snapshot by a script
  encrypted = false
}

#checkov:skip=CKV_AWS_3:above the resource, where Checkov does not look
resource "aws_ebs_volume" "e" {
  encrypted = false
}

resource "aws_ebs_volume" "f" {
  /* secfirst:ignore=aws-ebs-unencrypted */
  encrypted = false
}

resource "aws_ebs_volume" "g" {
  description = "# trivy:ignore:AWS-0026 in a string is no comment"
  encrypted   = false
}

# trivy:ignore:AWS-0180

resource "aws_db_instance" "h" {
  storage_encrypted   = true
  kms_key_id          = "k"
  publicly_accessible = true
}
`
	r := CheckFile("main.tf", []byte(src))
	if got := fmt.Sprint(rulesAt(r.Findings)); got != "map[aws-ebs-unencrypted:[12 22 32] aws-rds-public:[40]]" {
		t.Errorf("findings %s", got)
	}
	var where []string
	for _, s := range r.Suppressed {
		if s.By != checks.SuppressedByInline {
			t.Errorf("suppressed by %q", s.By)
		}
		where = append(where, fmt.Sprintf("%d<-%s %q", s.Finding.Line, s.Where, s.Reason))
	}
	slices.Sort(where)
	want := []string{`17<-main.tf:16 "restored from an encrypted snapshot by a script"`, `27<-main.tf:26 ""`, `3<-main.tf:1 "test fixtures only"`, `7<-main.tf:7 ""`}
	slices.Sort(want)
	if fmt.Sprint(where) != fmt.Sprint(want) {
		t.Errorf("suppressed %v, want %v", where, want)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "main.tf line 26: `secfirst:ignore=aws-ebs-unencrypted` gives no reason") {
		t.Errorf("warnings %q", r.Warnings)
	}
}

// Repository text in messages and fixes cannot drive the terminal: a
// resource name with an escape sequence is shown escaped.
func TestRepositoryTextIsTerminalSafe(t *testing.T) {
	r := CheckFile("main.tf", []byte("resource \"aws_ebs_volume\" \"x\\u001b[2Jy\" {\n  encrypted = false\n}\n"))
	if len(r.Findings) != 1 {
		t.Fatalf("findings %v", r.Findings)
	}
	f := r.Findings[0]
	for _, s := range []string{f.Message, f.Fix, f.Snippet} {
		if strings.ContainsRune(s, 0x1b) {
			t.Errorf("raw escape in %q", s)
		}
	}
	if !strings.Contains(f.Message, `\x1b[2J`) {
		t.Errorf("message %q does not show the escape", f.Message)
	}
}

// Every rule of the catalog is well-formed and reachable, and every Trivy
// and Checkov ref is spelled as those tools spell them.
func TestCatalog(t *testing.T) {
	seen := map[string]bool{}
	clouds := map[string]int{}
	for _, r := range Rules() {
		if seen[r.Slug] {
			t.Errorf("duplicate slug %s", r.Slug)
		}
		seen[r.Slug] = true
		if r.Title == "" || r.Severity.Rank() == 0 || r.Cloud == "" || !slices.Contains(Practices, r.Practice) {
			t.Errorf("incomplete rule %+v", r)
		}
		clouds[r.Cloud]++
		for _, ref := range r.Refs {
			ok := strings.HasPrefix(ref, "CKV_") || strings.HasPrefix(ref, "CKV2_")
			for _, p := range []string{"AWS-0", "AZU-0", "GCP-0", "AVD-AWS-0", "AVD-AZU-0", "AVD-GCP-0"} {
				ok = ok || strings.HasPrefix(ref, p) && len(ref) == len(p)+3
			}
			if !ok {
				t.Errorf("%s: ref %q is neither a Trivy nor a Checkov id", r.ID, ref)
			}
		}
	}
	// Rules without a resource type of their own are reported by the
	// check of a sibling rule: each must be reported by some rule's code.
	for _, p := range Practices {
		if len(PracticeRules(p)) == 0 {
			t.Errorf("practice %s has no rule", p)
		}
	}
	if clouds["aws"] == 0 || clouds["azure"] == 0 || clouds["google"] == 0 {
		t.Errorf("rules by cloud %v", clouds)
	}
}

// Every rule of the catalog can fire: on Trivy's examples, on the
// lessons' examples or on these few inputs for the rules Trivy has no
// check for. A rule no code reports fails here.
func TestEveryRuleCanFire(t *testing.T) {
	seen := map[string]bool{}
	note := func(src string) {
		for _, f := range CheckFile("main.tf", []byte(src)).Findings {
			seen[f.Rule] = true
		}
	}
	for _, c := range conformance.Read(t, conformance.File(t, "terraform", "trivy-checks.jsonl"), "terraform") {
		note(c.Input)
	}
	for _, src := range []string{
		`resource "aws_api_gateway_stage" "prod" {
  stage_name = "prod"
}`,
		`resource "azurerm_application_gateway" "gw" {
  sku {
    name = "Standard_v2"
    tier = "Standard_v2"
  }
}`,
		`resource "azurerm_kubernetes_cluster_node_pool" "p" {
  node_public_ip_enabled = true
}`,
		`resource "aws_lb" "web" {
  load_balancer_type = "application"
}`,
		`data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}`,
		`resource "aws_rds_cluster" "c" {
  storage_encrypted = true
}`,
	} {
		note(src)
	}
	for _, r := range Rules() {
		if !seen[r.ID] {
			t.Errorf("%s fired on no input", r.ID)
		}
	}
}
