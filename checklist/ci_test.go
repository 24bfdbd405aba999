package checklist

import (
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/internal/gittest"
)

func scansOf(p, src string) []ciScan {
	var out []ciScan
	for _, st := range ciSteps(p, []byte(src)) {
		out = append(out, detectScans(st)...)
	}
	return out
}

// summary is "tool:kind,kind[:soft]" per scan, for compact assertions.
func summary(scans []ciScan) string {
	var parts []string
	for _, s := range scans {
		var kinds []string
		for _, k := range s.Kinds {
			kinds = append(kinds, string(k))
		}
		p := s.Tool + ":" + strings.Join(kinds, ",")
		if s.Soft != "" {
			p += ":soft"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func TestCIDetection(t *testing.T) {
	cases := []struct {
		name, path, src, want string
	}{
		{"github actions", ".github/workflows/ci.yml", `
on: [push]
jobs:
  security:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: gitleaks/gitleaks-action@v2
      - uses: google/osv-scanner-action/osv-scanner-action@v2
        with:
          scan-args: -r ./
      - uses: aquasecurity/trivy-action@0.28.0
        with:
          image-ref: app:latest
          exit-code: '1'
      - run: secfirst scan --check secrets,deps --format sarif
`, "gitleaks:secret osv-scanner:dependency trivy image:image secfirst:secret,dependency"},
		{"soft steps", ".github/workflows/ci.yml", `
jobs:
  scan:
    steps:
      - uses: aquasecurity/trivy-action@master
        with:
          scan-type: fs
      - run: gitleaks detect --exit-code 0
      - run: osv-scanner -r . || true
      - uses: snyk/actions/node@master
        continue-on-error: true
  lax:
    continue-on-error: true
    steps:
      - run: trivy image --exit-code 1 app
`, "trivy fs:dependency,secret:soft gitleaks:secret:soft osv-scanner:dependency:soft snyk node:dependency:soft trivy image:image:soft"},
		{"iac tools", ".github/workflows/iac.yml", `
jobs:
  iac:
    steps:
      - uses: aquasecurity/tfsec-action@v1.0.0
      - uses: bridgecrewio/checkov-action@v12
        with:
          soft_fail: true
      - run: trivy config --exit-code 1 infra/
`, "tfsec:infrastructure-as-code checkov:infrastructure-as-code:soft trivy config:infrastructure-as-code"},
		{"gitlab", ".gitlab-ci.yml", `
include:
  - template: Security/Secret-Detection.gitlab-ci.yml
stages: [test]
deps:
  image: ghcr.io/google/osv-scanner:latest
  script:
    - osv-scanner scan source -r .
images:
  script:
    - snyk container test registry/app:1
  allow_failure: true
`, "GitLab secret-detection template:secret:soft osv-scanner:dependency snyk container test:image:soft"},
		{"jenkins", "Jenkinsfile", `
pipeline {
  stages {
    stage('scan') { steps { sh 'mend dep -u' ; sh 'grype app:1 --fail-on high' } }
    stage('more') { steps { sh 'trufflehog git file://. --fail' } }
  }
}
`, "mend:dependency grype:image trufflehog:secret"},
		{"unrelated", ".github/workflows/test.yml", `
jobs:
  test:
    steps:
      - run: go test ./...
      - run: echo "we should add gitleaks someday"
      - run: ./scripts/recommend/run.sh
      - run: mend code --dir .
`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := summary(scansOf(c.path, c.src)); got != c.want {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestCIEvidence(t *testing.T) {
	r := gittest.New(t)
	r.Write("main.go", "package main\n")
	r.Commit("init")
	wantEvidence(t, evidence(t, r.Dir, "ci-security-scans"), Fail, "no CI configuration")

	r.Write(".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    steps:\n      - run: go test ./...\n      - uses: gitleaks/gitleaks-action@v2\n")
	wantEvidence(t, evidence(t, r.Dir, "ci-security-scans"), Fail, "runs no dependency scan", "it does fail on secret (gitleaks in .github/workflows/ci.yml)")

	r.Write(".github/workflows/deps.yml", "on: push\njobs:\n  deps:\n    steps:\n      - run: osv-scanner -r . || true\n")
	wantEvidence(t, evidence(t, r.Dir, "ci-security-scans"), Fail, "the dependency scan does not fail the build", ".github/workflows/deps.yml:5")

	r.Write(".github/workflows/deps.yml", "on: push\njobs:\n  deps:\n    steps:\n      - run: osv-scanner -r .\n")
	wantEvidence(t, evidence(t, r.Dir, "ci-security-scans"), Pass, "secret (gitleaks", "dependency (osv-scanner")

	// With a Dockerfile, images must be scanned too.
	r.Write("Dockerfile", "FROM alpine:3.19\nUSER 1000\n")
	wantEvidence(t, evidence(t, r.Dir, "ci-security-scans"), Fail, "runs no image scan")
	wantEvidence(t, evidence(t, r.Dir, "images-scanned"), Fail, "1 Dockerfile but no image scan")
	r.Write(".github/workflows/image.yml", "on: push\njobs:\n  image:\n    steps:\n      - uses: aquasecurity/trivy-action@0.28.0\n        with:\n          image-ref: app\n")
	wantEvidence(t, evidence(t, r.Dir, "images-scanned"), Fail, "do not fail the build", "--exit-code 1")
	r.Write(".github/workflows/image.yml", "on: push\njobs:\n  image:\n    steps:\n      - uses: aquasecurity/trivy-action@0.28.0\n        with:\n          image-ref: app\n          exit-code: 1\n")
	wantEvidence(t, evidence(t, r.Dir, "images-scanned"), Pass, "trivy image in .github/workflows/image.yml")
	wantEvidence(t, evidence(t, r.Dir, "ci-security-scans"), Pass, "image (trivy image")
}

func TestIaCEvidence(t *testing.T) {
	r := gittest.New(t)
	r.Write("main.go", "package main\n")
	r.Write(".terraform/modules/vpc/main.tf", "# downloaded module\n")
	r.Write(".gitignore", ".terraform/\n")
	r.Commit("init")
	wantEvidence(t, evidence(t, r.Dir, "iac-scanned"), NA, "no Terraform")

	r.Write("infra/main.tf", "resource \"aws_s3_bucket\" \"b\" {}\n")
	wantEvidence(t, evidence(t, r.Dir, "iac-scanned"), Fail, "1 Terraform file (infra/main.tf) but no infrastructure-as-code scan")

	r.Write(".gitlab-ci.yml", "tfsec:\n  image: aquasec/tfsec\n  script:\n    - tfsec infra --soft-fail\n")
	wantEvidence(t, evidence(t, r.Dir, "iac-scanned"), Fail, "do not fail the build", "soft fail")

	r.Write(".gitlab-ci.yml", "checkov:\n  script:\n    - checkov -d infra\n")
	wantEvidence(t, evidence(t, r.Dir, "iac-scanned"), Pass, "checkov in .gitlab-ci.yml")
}
