package pragma

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	k8s    = Dialect{Families: []string{"KSV"}}
	docker = Dialect{Families: []string{"DS"}, Hadolint: true}
	tf     = Dialect{}

	privileged = Target{ID: "kubernetes/privileged", Slug: "privileged", Refs: []string{"KSV-0017", "AVD-KSV-0017", "CKV_K8S_16", "pss-baseline:privileged"}}
	rootUser   = Target{ID: "dockerfile/root-user", Slug: "root-user", Refs: []string{"DL3002", "DS-0002", "AVD-DS-0002", "CKV_DOCKER_8"}}
	ebs        = Target{ID: "terraform/aws-ebs-unencrypted", Slug: "aws-ebs-unencrypted", Refs: []string{"AWS-0026", "AVD-AWS-0026", "CKV_AWS_3"}}

	today = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func TestNormalizeTrivy(t *testing.T) {
	for in, want := range map[string]string{
		"KSV017": "KSV-0017", "KSV-0017": "KSV-0017", "AVD-KSV-0017": "KSV-0017", "ksv-0017": "KSV-0017", "ksv17": "KSV-0017",
		"DS002": "DS-0002", "avd-ds-0002": "DS-0002", " DS-0002 ": "DS-0002",
		"AWS-0086": "AWS-0086", "aws-0086": "AWS-0086", "AVD-AWS-0086": "AWS-0086",
		"KCV-0001": "KCV-0001", "AWS-12345": "AWS-12345",
		"CKV_K8S_16": "CKV_K8S_16", "*": "*", "": "", "0017": "0017", "KSV-17a": "KSV-17A",
	} {
		if got := NormalizeTrivy(in); got != want {
			t.Errorf("NormalizeTrivy(%q) = %q, want %q", in, got, want)
		}
	}
}

// Each comment is read, then matched against a finding: what it says
// (tool, ids, reason, expiry), whether it warns, and whether it covers.
func TestParseAndCover(t *testing.T) {
	for _, tc := range []struct {
		name    string
		d       Dialect
		comment string
		target  Target
		want    string // the pragmas read: tool ids "reason" [exp] [global]
		warns   bool
		covers  bool
	}{
		{"secfirst by id, reason with spaces", k8s, "# secfirst:ignore=kubernetes/privileged node debugging pod, deleted after use", privileged,
			`secfirst [kubernetes/privileged] "node debugging pod, deleted after use"`, false, true},
		{"secfirst by slug, any case", k8s, "# secfirst:ignore=PRIVILEGED debug", privileged, `secfirst [PRIVILEGED] "debug"`, false, true},
		{"secfirst by a ref with a colon", k8s, "# secfirst:ignore=pss-baseline:privileged debug", privileged,
			`secfirst [pss-baseline:privileged] "debug"`, false, true},
		{"secfirst, several rules", docker, "# secfirst:ignore=dockerfile/sudo,root-user legacy agent", rootUser,
			`secfirst [dockerfile/sudo root-user] "legacy agent"`, false, true},
		{"secfirst, colon before the reason", docker, "# secfirst:ignore=root-user: legacy agent", rootUser,
			`secfirst [root-user] "legacy agent"`, false, true},
		{"secfirst, dash before the reason", docker, "#secfirst:ignore=root-user - legacy agent", rootUser,
			`secfirst [root-user] "legacy agent"`, false, true},
		{"secfirst without a reason warns", tf, "/* secfirst:ignore=aws-ebs-unencrypted */", ebs, `secfirst [aws-ebs-unencrypted] ""`, true, true},
		{"secfirst in a // comment", tf, "// secfirst:ignore=terraform/aws-ebs-unencrypted fixtures", ebs,
			`secfirst [terraform/aws-ebs-unencrypted] "fixtures"`, false, true},
		{"secfirst, another rule", k8s, "# secfirst:ignore=kubernetes/host-pid not this one", privileged, `secfirst [kubernetes/host-pid] "not this one"`, false, false},
		{"secfirst, CRLF line", k8s, "# secfirst:ignore=privileged debug pod\r\n", privileged, `secfirst [privileged] "debug pod"`, false, true},
		{"secfirst quoted inside a comment is not one", k8s, `# see "secfirst:ignore=privileged" in the docs`, privileged, ``, false, false},
		{"trivy KSV017", k8s, "# trivy:ignore:KSV017", privileged, `trivy [KSV017] ""`, false, true},
		{"trivy AVD spelling", k8s, "#trivy:ignore:AVD-KSV-0017", privileged, `trivy [AVD-KSV-0017] ""`, false, true},
		{"trivy lower case", docker, "# trivy:ignore:ds002", rootUser, `trivy [ds002] ""`, false, true},
		{"trivy, another check", k8s, "# trivy:ignore:KSV-0018", privileged, `trivy [KSV-0018] ""`, false, false},
		{"trivy of another family does not cover", docker, "# trivy:ignore:KSV-0002", Target{ID: "x", Refs: []string{"DS-0002", "KSV-0002"}}, `trivy [KSV-0002] ""`, false, false},
		{"trivy names no hadolint ref", docker, "# trivy:ignore:DL3002", rootUser, `trivy [DL3002] ""`, false, false},
		{"trivy future expiry", k8s, "#trivy:ignore:AVD-KSV-0017:exp:2999-01-01", privileged, `trivy [AVD-KSV-0017] "" exp 2999-01-01`, false, true},
		{"trivy expiry today still ignores", k8s, "#trivy:ignore:KSV-0017:exp:2026-03-01", privileged, `trivy [KSV-0017] "" exp 2026-03-01`, false, true},
		{"trivy past expiry", k8s, "# trivy:ignore:KSV-0017:exp:2026-02-28", privileged, `trivy [KSV-0017] "" exp 2026-02-28`, false, false},
		{"trivy bad date is no expiry", k8s, "# trivy:ignore:KSV-0017:exp:someday", privileged, `trivy [KSV-0017] ""`, false, true},
		{"trivy star", tf, "# trivy:ignore:*", ebs, `trivy [*] ""`, false, true},
		{"tfsec spelling with an expiry", tf, "// tfsec:ignore:aws-0026:exp:2000-01-01", ebs, `trivy [aws-0026] "" exp 2000-01-01`, false, false},
		{"trivy at the end of a comment, with a reason", tf, "# restored from a snapshot trivy:ignore:AWS-0026 by a script", ebs,
			`trivy [AWS-0026] "by a script"`, false, true},
		{"two trivy ids, the reason after the last", tf, "#trivy:ignore:AWS-0026 #trivy:ignore:AWS-0131 legacy */", ebs,
			`trivy [AWS-0026] "legacy"; trivy [AWS-0131] "legacy"`, false, true},
		{"checkov with a reason", tf, "#checkov:skip=CKV_AWS_3:restored from an encrypted snapshot", ebs,
			`checkov [CKV_AWS_3] "restored from an encrypted snapshot"`, false, true},
		{"checkov several ids in a block comment", tf, "/* checkov:skip=CKV_AWS_8,CKV_AWS_3: fixtures */", ebs, `checkov [CKV_AWS_8 CKV_AWS_3] "fixtures"`, false, true},
		{"bridgecrew spelling", k8s, "#bridgecrew:skip=CKV_K8S_16", privileged, `checkov [CKV_K8S_16] ""`, false, true},
		{"hadolint", docker, "# hadolint ignore=DL3002, DL3008 pinned by the base image", rootUser, `hadolint [DL3002 DL3008] "pinned by the base image"`, false, true},
		{"hadolint global", docker, "# hadolint global ignore=DL3002", rootUser, `hadolint [DL3002] "" global`, false, true},
		{"hadolint is not read outside Dockerfiles", k8s, "# hadolint ignore=CKV_K8S_16", privileged, ``, false, false},
		{"a plain comment", k8s, "# privileged for the node agent", privileged, ``, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, warning := tc.d.Parse(tc.comment, 7)
			var got []string
			for _, p := range ps {
				s := fmt.Sprintf("%s %v %q", p.Tool, p.IDs, p.Reason)
				if !p.Expiry.IsZero() {
					s += " exp " + p.Expiry.Format(time.DateOnly)
				}
				if p.Global {
					s += " global"
				}
				if p.Line != 7 {
					t.Errorf("line %d, want 7", p.Line)
				}
				got = append(got, s)
			}
			if g := strings.Join(got, "; "); g != tc.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tc.comment, g, tc.want)
			}
			if (warning != "") != tc.warns || (warning != "" && !strings.HasPrefix(warning, "line 7: ")) {
				t.Errorf("warning %q, want one: %v", warning, tc.warns)
			}
			_, covers := tc.d.Match(ps, tc.target, today)
			if covers != tc.covers {
				t.Errorf("covers %s: %v, want %v", tc.target.ID, covers, tc.covers)
			}
		})
	}
}

// A trivy:ignore is good through its expiry day, in UTC as Trivy reads it,
// and stops the day after.
func TestTrivyExpiryDay(t *testing.T) {
	ps, _ := k8s.Parse("# trivy:ignore:KSV-0017:exp:2026-03-01", 1)
	if !k8s.Covers(ps[0], privileged, time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC)) {
		t.Error("a trivy:ignore is good through its expiry day")
	}
	if k8s.Covers(ps[0], privileged, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Error("a trivy:ignore stops the day after its expiry")
	}
}

func TestTrivyIgnoreFile(t *testing.T) {
	data := "# tuned for trivy\r\n" +
		"KSV017 # node agent, privileged on purpose\r\n" +
		"\n" +
		"AVD-DS-0002 exp:2999-01-01\n" +
		"AWS-0026 exp:2026-02-28 # expired\n" +
		"  # indented comment\n" +
		"KSV-0018 exp:not-a-date\n"
	list := ParseTrivyIgnore([]byte(data))
	var got []string
	for _, ig := range list {
		got = append(got, fmt.Sprintf("%d:%s %q %s", ig.Line, ig.ID, ig.Reason, ig.Expiry.Format(time.DateOnly)))
	}
	want := `[2:KSV-0017 "node agent, privileged on purpose" 0001-01-01 4:DS-0002 "" 2999-01-01 5:AWS-0026 "expired" 2026-02-28 7:KSV-0018 "" 0001-01-01]`
	if fmt.Sprint(got) != want {
		t.Errorf("parsed\n got %v\nwant %s", got, want)
	}
	for _, tc := range []struct {
		d      Dialect
		target Target
		line   int // 0: not ignored
	}{
		{k8s, privileged, 2},
		{docker, rootUser, 4},
		{tf, ebs, 0}, // expired
		{docker, Target{Refs: []string{"KSV-0017"}}, 0},
		{tf, Target{Refs: []string{"AVD-KSV-0018"}}, 7},
	} {
		ig, ok := tc.d.MatchTrivyIgnore(list, tc.target.Refs, today)
		if (tc.line == 0) == ok || (ok && ig.Line != tc.line) {
			t.Errorf("%v: ignored=%v by line %d, want line %d", tc.target.Refs, ok, ig.Line, tc.line)
		}
	}
}
