package terraform

import (
	"fmt"
	"testing"
)

// A dynamic block whose for_each is known expands as Terraform expands it:
// its iterator's key and value are known in each block (an admin port in
// the for_each list passed), an empty for_each creates no block (its
// content was reported), and blocks that say the same thing are one
// finding.
func TestDynamicBlocksExpandAKnownForEach(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"admin ports in the for_each list", `resource "aws_security_group" "admin" {
  dynamic "ingress" {
    for_each = [22, 3389, 443]
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}`, "map[aws-security-group-open-admin-port:[8 8]]"},
		{"a map with a named iterator", `locals {
  rules = { ssh = 22, web = 443 }
}
resource "aws_security_group" "m" {
  dynamic "ingress" {
    for_each = local.rules
    iterator = rule
    content {
      from_port   = rule.value
      to_port     = rule.value
      protocol    = "tcp"
      cidr_blocks = rule.key == "ssh" ? ["10.0.0.0/8"] : ["0.0.0.0/0"]
    }
  }
}`, "map[]"},
		{"an empty for_each creates nothing", `resource "aws_security_group" "none" {
  dynamic "ingress" {
    for_each = []
    content {
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}`, "map[]"},
		{"identical blocks are one finding", `resource "aws_security_group" "dup" {
  dynamic "ingress" {
    for_each = toset(["a", "b"])
    content {
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}`, "map[aws-security-group-open-admin-port:[8]]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fmt.Sprint(fired(t, tc.src)); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
