package dockerfile

import (
	"fmt"
	"strings"
	"testing"
)

// exactFindings asserts every finding of src, rule by rule, with its lines.
func exactFindings(t *testing.T, name, src string, want map[string][]int) {
	t.Helper()
	got := slugs(CheckFile("Dockerfile", []byte(src)))
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got %v\nwant %v\n%s", name, got, want, indent(src))
	}
}

// The shapes that were wrong on real Dockerfiles (docker-library, BuildKit,
// awesome-compose), each reduced to a minimal file, and the shapes that
// were right and must stay so.
func TestPrecisionOnRealShapes(t *testing.T) {
	const ok = "FROM alpine:3.20@sha256:x\nUSER app\nHEALTHCHECK NONE\n"
	for _, c := range []struct {
		name, src string
		want      map[string][]int
	}{
		{"apk --no-network downloads nothing; a finding points at its command's line",
			ok + "RUN set -eux; \\\n" +
				"    apk add --no-cache --virtual .build-deps gcc=13.2.1-r0; \\\n" +
				"    make; \\\n" +
				"    apk add --no-network --virtual .rundeps $runDeps; \\\n" +
				"    apk del --no-network .build-deps\n" +
				"RUN echo building && \\\n" +
				"    # a comment BuildKit drops\n" +
				"    apk add curl=8.9.0-r0\n",
			map[string][]int{"pkg-cache": {11}}},
		{"a stage per platform, picked by BuildKit's platform arguments",
			"FROM alpine:3.20@sha256:x AS base-linux\nUSER app\n" +
				"FROM mcr.microsoft.com/windows/nanoserver:ltsc2022@sha256:x AS base-windows\nUSER ContainerUser\n" +
				"FROM base-$TARGETOS\nHEALTHCHECK NONE\n",
			map[string][]int{}},
		{"a stage per platform and variant",
			"FROM alpine:3.20@sha256:x AS buildkit-linux\nUSER app\nHEALTHCHECK NONE\nFROM buildkit-$TARGETOS${TARGETVARIANT}\n",
			map[string][]int{}},
		{"apt-get install -s is a dry run",
			ok + "RUN apt-get install -s curl && apt-get install --simulate wget\n",
			map[string][]int{}},
		{"chmod 777 on a temporary directory the same RUN removes",
			ok + "RUN tmp=\"$(mktemp -d)\" && chmod 777 \"$tmp\" && make -C \"${tmp}\" && rm -rf \"$tmp\"\nRUN chmod 777 /data\n",
			map[string][]int{"chmod-777": {5}}},
		{"an empty Dockerfile is rejected by BuildKit", "\n# nothing here\n",
			map[string][]int{"parse-error": {1}}},
		// shapes that are right and stay so
		{"USER from an ARG", "FROM alpine:3.20@sha256:x\nARG user=app\nUSER ${user}\nHEALTHCHECK NONE\n", map[string][]int{}},
		{"FROM scratch", "FROM scratch\nCOPY app /app\nUSER 65532:65532\nHEALTHCHECK NONE\n", map[string][]int{}},
		{"Windows servercore",
			"# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022@sha256:x\nSHELL [\"powershell\", \"-Command\"]\nRUN Get-ChildItem C:\\ | Out-Null\nUSER ContainerUser\nHEALTHCHECK NONE\n",
			map[string][]int{}},
		{"--platform=$BUILDPLATFORM and a root builder stage",
			"FROM --platform=$BUILDPLATFORM golang:1.22@sha256:x AS build\nUSER root\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\nUSER 65532\nHEALTHCHECK NONE\n",
			map[string][]int{}},
		{"cd after ;", ok + "RUN make; cd /tmp\n", map[string][]int{"run-cd": {4}}},
		{"a SHELL that sets pipefail",
			"FROM debian:12@sha256:x\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://x.example/a.tgz | tar xz\nUSER app\nHEALTHCHECK NONE\n",
			map[string][]int{}},
		{"heredoc update and install",
			"FROM debian:12@sha256:x\nRUN <<EOF\napt-get update\napt-get install -y --no-install-recommends curl=7.88\nrm -rf /var/lib/apt/lists/*\nEOF\nUSER app\nHEALTHCHECK NONE\n",
			map[string][]int{}},
	} {
		exactFindings(t, c.name, c.src, c.want)
	}
}

// Findings inside a RUN point at the line of the command, through
// continuation lines, comments BuildKit drops and heredocs; a suppression
// comment above the RUN still covers them.
func TestFindingsPointAtTheirCommand(t *testing.T) {
	src := "FROM debian:12@sha256:x\n" + // 1
		"USER app\n" + // 2
		"HEALTHCHECK NONE\n" + // 3
		"RUN apt-get update \\\n" + // 4
		"\n" + // 5
		"    # install\n" + // 6
		" && apt-get install -y --no-install-recommends curl=7.88 \\\n" + // 7
		" && curl -k https://x.example/a -o /a \\\n" + // 8
		" && rm -rf /var/lib/apt/lists/*\n" + // 9
		"RUN <<EOF\n" + // 10
		"set -e\n" + // 11
		"sudo make install\n" + // 12
		"EOF\n" + // 13
		"# secfirst:ignore=dockerfile/chmod-777 scratch space, removed below\n" + // 14
		"RUN mkdir /x && \\\n" + // 15
		"    chmod 777 /x\n" // 16
	exactFindings(t, "lines", src, map[string][]int{"insecure-tls": {8}, "sudo": {12}})
	res := analyzeFile("Dockerfile", []byte(src), nil, nil)
	if len(res.suppressed) != 1 || res.suppressed[0].Finding.Line != 16 || res.suppressed[0].Where != "Dockerfile:14" {
		t.Errorf("the comment above the RUN should suppress the chmod at line 16: %+v", res.suppressed)
	}
}

// Secret names: the usual shapes, and the public or harmless ones that
// look alike.
func TestSecretNameShapes(t *testing.T) {
	for name, want := range map[string]bool{
		"DB_PASS": true, "LDAP_ROOTPASS": true, "MYSQL_ROOT_PASSWORD": true, "DBPASSWD": true, "SMTP_PWD": true,
		"OAUTH_CLIENTSECRET": true, "GITHUBTOKEN": true, "SIGNING_KEY": true, "API_KEY": true, "APIKEY": true,
		"SECRET_KEY_BASE": true, "BASIC_AUTH": true, "GPG_PRIVATE_KEY": true, "GPG_PASSPHRASE": true, "PRIVATE_KEY": true,
		"AWS_ACCESS_KEY_ID": true, "app_secret": true,
		"GPG_KEY": false, "PUBLIC_KEY": false, "TOKENIZERS_PARALLELISM": false, "PWD": false, "CACHE_BYPASS": false,
		"PASSWORD_FILE": false, "TOKEN_TTL": false, "AUTH_ENABLED": false, "KEY_VAULT_NAME": false, "DOCKER_USERNAME": false,
		"PYTHON_GPG_KEY": false, "GOOGLE_APPLICATION_CREDENTIALS": false, "PATH": false,
	} {
		if got := isSecretName(name); got != want {
			t.Errorf("isSecretName(%s) = %v, want %v", name, got, want)
		}
	}
	// And through a Dockerfile, with the refs of every tool.
	fs := CheckFile("Dockerfile", []byte("FROM alpine:3.20\nENV LDAP_ROOTPASS=changeme GPG_KEY=0123456789ABCDEF0123456789ABCDEF01234567\n")) // gitleaks:allow: a public GPG fingerprint, the shape under test
	var secrets []string
	for _, f := range fs {
		if f.Rule == RuleID(ruleSecretEnv) {
			secrets = append(secrets, f.Message)
			if !strings.Contains(strings.Join(f.Refs, " "), "DL3064") || !strings.Contains(strings.Join(f.Refs, " "), "DS-0031") {
				t.Errorf("refs %v", f.Refs)
			}
		}
	}
	if len(secrets) != 1 || !strings.Contains(secrets[0], "LDAP_ROOTPASS") {
		t.Errorf("want one secret-in-env for LDAP_ROOTPASS, got %q", secrets)
	}
}
