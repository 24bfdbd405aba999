package dockerfile

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/internal/gittest"
)

// slugs maps each reported rule slug to the lines it was reported at.
func slugs(fs []checks.Finding) map[string][]int {
	out := map[string][]int{}
	for _, f := range fs {
		out[strings.TrimPrefix(f.Rule, "dockerfile/")] = append(out[strings.TrimPrefix(f.Rule, "dockerfile/")], f.Line)
	}
	return out
}

func find(fs []checks.Finding, slug string) *checks.Finding {
	for i := range fs {
		if fs[i].Rule == RuleID(slug) {
			return &fs[i]
		}
	}
	return nil
}

type ruleCase struct {
	name   string
	src    string
	want   map[string][]int // slug -> lines, exactly
	absent []string         // slugs that must not fire
}

func runCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := CheckFile("Dockerfile", []byte(tc.src))
			got := slugs(fs)
			for slug, lines := range tc.want {
				if !slices.Equal(got[slug], lines) {
					t.Errorf("%s at lines %v, want %v\nall: %v", slug, got[slug], lines, got)
				}
			}
			for _, slug := range tc.absent {
				if len(got[slug]) > 0 {
					t.Errorf("%s reported at %v, want none\nall: %v", slug, got[slug], got)
				}
			}
		})
	}
}

// A clean production Dockerfile: nothing to report.
const cleanDockerfile = `# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22.5
FROM golang:${GO_VERSION}@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/go/pkg/mod go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM debian:12.6-slim@sha256:1111111111111111111111111111111111111111111111111111111111111111
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates=20230311 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system app && useradd --system --gid app --no-create-home app
COPY --from=build /out/app /usr/local/bin/app
USER app
EXPOSE 8080
HEALTHCHECK --interval=30s CMD ["/usr/local/bin/app", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/app"]
`

func TestCleanDockerfileHasNoFindings(t *testing.T) {
	fs := CheckFile("Dockerfile", []byte(cleanDockerfile))
	if len(fs) != 0 {
		t.Fatalf("want no findings, got %v", slugs(fs))
	}
}

func TestUserAndStages(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "builder may be root, final stage has a user",
			src:    "FROM golang:1.22 AS build\nUSER root\nRUN go build\nFROM alpine:3.20\nUSER app\n",
			absent: []string{"root-user", "no-user"}},
		{name: "no USER in the final stage",
			src:    "FROM golang:1.22 AS build\nUSER app\nFROM alpine:3.20\nCMD [\"x\"]\n",
			want:   map[string][]int{"no-user": {3}},
			absent: []string{"root-user"}},
		{name: "last USER root",
			src:  "FROM alpine:3.20\nUSER app\nRUN x\nUSER root\n",
			want: map[string][]int{"root-user": {4}}},
		{name: "USER 0:0 and root:root are root",
			src:  "FROM alpine:3.20\nUSER 0:0\nFROM alpine:3.20\nUSER root:root\n",
			want: map[string][]int{"root-user": {4}}},
		{name: "USER from an ARG is resolved",
			src:  "FROM alpine:3.20\nARG RUN_AS=root\nUSER ${RUN_AS}\n",
			want: map[string][]int{"root-user": {3}}},
		{name: "final stage built FROM a stage inherits its USER",
			src:    "FROM alpine:3.20 AS base\nUSER app\nFROM base\nCMD [\"x\"]\n",
			absent: []string{"root-user", "no-user", "untagged-image", "latest-tag"}},
		{name: "inherited root user",
			src:  "FROM alpine:3.20 AS base\nUSER root\nFROM base\n",
			want: map[string][]int{"root-user": {3}}},
		{name: "nonroot base images need no USER",
			src:    "FROM gcr.io/distroless/static:nonroot\nCOPY app /app\n",
			absent: []string{"no-user", "root-user"}},
		{name: "a fragment has no final stage",
			src:    "RUN echo hi\nCMD [\"x\"]\n",
			absent: []string{"no-user", "no-healthcheck", "root-user"}},
	})
}

func TestRootUserFixNamesTheUser(t *testing.T) {
	fs := CheckFile("Dockerfile", []byte("FROM alpine:3.20\nUSER app\nUSER root\nRUN apk add --no-cache curl=8.9.0-r0\n"))
	f := find(fs, "root-user")
	if f == nil {
		t.Fatal("no root-user finding")
	}
	if !strings.Contains(f.Fix, "`USER app` after line 4") {
		t.Errorf("fix %q should switch back to app after the last root step", f.Fix)
	}
}

func TestNoUserFixIsConcrete(t *testing.T) {
	fs := CheckFile("Dockerfile", []byte("FROM alpine:3.20\nRUN echo\nCMD [\"app\"]\n"))
	f := find(fs, "no-user")
	if f == nil {
		t.Fatal("no no-user finding")
	}
	for _, want := range []string{"USER 10001:10001", "before the CMD at line 3", "adduser -S -G app app"} {
		if !strings.Contains(f.Fix, want) {
			t.Errorf("fix %q lacks %q", f.Fix, want)
		}
	}
}

func TestBaseImages(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "latest", src: "FROM alpine:latest\n", want: map[string][]int{"latest-tag": {1}}, absent: []string{"untagged-image", "unpinned-digest"}},
		{name: "untagged", src: "FROM alpine\n", want: map[string][]int{"untagged-image": {1}}, absent: []string{"latest-tag", "unpinned-digest"}},
		{name: "registry with port is not a tag", src: "FROM registry.example.com:5000/team/app\n", want: map[string][]int{"untagged-image": {1}}},
		{name: "tag without digest is low", src: "FROM alpine:3.20\n", want: map[string][]int{"unpinned-digest": {1}}},
		{name: "digest pins even without a tag", src: "FROM alpine@sha256:abc\n", absent: []string{"untagged-image", "unpinned-digest", "latest-tag"}},
		{name: "scratch needs no tag", src: "FROM scratch\nCOPY app /\n", absent: []string{"untagged-image", "unpinned-digest"}},
		{name: "earlier stage needs no tag", src: "FROM alpine:3.20@sha256:abc AS Base\nFROM base\n", absent: []string{"untagged-image", "unpinned-digest"}},
		{name: "a later stage name is an image", src: "FROM builder\nFROM alpine:3.20@sha256:abc AS builder\n", want: map[string][]int{"untagged-image": {1}}},
		{name: "global ARG default resolved", src: "ARG TAG=latest\nFROM alpine:${TAG}\n", want: map[string][]int{"latest-tag": {2}}},
		{name: "global ARG with ${x:-default}", src: "ARG TAG\nFROM alpine:${TAG:-3.20}\n", want: map[string][]int{"unpinned-digest": {2}}, absent: []string{"unresolved-image"}},
		{name: "ARG chain", src: "ARG V=3.20\nARG IMG=alpine:${V}\nFROM $IMG\n", want: map[string][]int{"unpinned-digest": {3}}},
		{name: "image from ARG without default is unresolved, not latest", src: "ARG BASE\nFROM $BASE\n", want: map[string][]int{"unresolved-image": {2}}, absent: []string{"latest-tag", "untagged-image"}},
		{name: "tag from ARG without default is unresolved", src: "ARG TAG\nFROM foo:${TAG}\n", want: map[string][]int{"unresolved-image": {2}}, absent: []string{"latest-tag", "untagged-image"}},
		{name: "registry from ARG, image untagged", src: "ARG REGISTRY\nFROM ${REGISTRY}/ubuntu\n", want: map[string][]int{"untagged-image": {2}}},
		{name: "platform arguments are defined", src: "FROM --platform=$BUILDPLATFORM golang:1.22@sha256:abc\n", absent: []string{"unresolved-image", "untagged-image"}},
		{name: "stage ARG is not visible to FROM", src: "FROM alpine:3.20@sha256:abc\nARG IMAGE=alpine:3.20\nFROM $IMAGE\n", want: map[string][]int{"unresolved-image": {3}}},
	})
	fs := CheckFile("Dockerfile", []byte("FROM alpine:3.20@sha256:abc\nARG IMAGE=alpine:3.20\nFROM $IMAGE\n"))
	if f := find(fs, "unresolved-image"); f == nil || !strings.Contains(f.Message, "after the first FROM") || !strings.Contains(f.Fix, "Move `ARG IMAGE=alpine:3.20` above the first FROM") {
		t.Errorf("stage-local ARG not explained: %+v", f)
	}
	fs = CheckFile("Dockerfile", []byte("ARG BASE=node:20\nFROM ${BASE}\n"))
	if f := find(fs, "unpinned-digest"); f == nil || !strings.Contains(f.Fix, "`ARG BASE=node:20@sha256:<digest>`") || !strings.Contains(f.Fix, "docker buildx imagetools inspect node:20") {
		t.Errorf("digest fix should pin the ARG default and say how to get the digest: %+v", f)
	}
}

func TestHeredocs(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "heredoc script is shell", src: "FROM a:1@sha256:x\nRUN <<EOF\nset -e\ncurl -k https://example.com\nEOF\n", want: map[string][]int{"insecure-tls": {4}}},
		{name: "heredoc data is not", src: "FROM a:1@sha256:x\nRUN cat <<EOF > /etc/motd\ncurl -k https://example.com\nsudo rm -rf /\nEOF\n", absent: []string{"insecure-tls", "sudo"}},
		{name: "shell reading a heredoc", src: "FROM a:1@sha256:x\nRUN bash <<'EOF'\nsudo make install\nEOF\n", want: map[string][]int{"sudo": {3}}},
		{name: "python heredoc is not shell", src: "FROM a:1@sha256:x\nRUN <<EOF\n#!/usr/bin/env python3\nimport os; os.system('sudo x')\nEOF\n", absent: []string{"sudo"}},
		{name: "update and install in one heredoc", src: "FROM debian:12@sha256:x\nRUN <<EOF\napt-get update\napt-get install -y --no-install-recommends curl=1\nrm -rf /var/lib/apt/lists/*\nEOF\n", absent: []string{"pkg-update-alone", "pkg-cache", "pkg-missing-yes"}},
		{name: "COPY heredoc", src: "FROM a:1@sha256:x\nCOPY <<EOF /etc/app.conf\nkey=value\nEOF\n", absent: []string{"parse-error", "copy-multiple-sources"}},
	})
}

func TestRobustParsing(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "unknown flag is stripped, instruction kept", src: "FROM a:1@sha256:x\nRUN --frobnicate=1 curl -k https://x\n", want: map[string][]int{"insecure-tls": {2}}, absent: []string{"parse-error"}},
		{name: "unknown COPY flag keeps --from", src: "FROM a:1@sha256:x AS app\nCOPY --bogus --from=app a b\n", want: map[string][]int{"copy-from-self": {2}}},
		{name: "fragment without FROM", src: "RUN sudo apt-get install -y curl\nEXPOSE 22\n", want: map[string][]int{"sudo": {1}, "expose-ssh": {2}}},
		{name: "unknown instruction is reported, the rest still checked", src: "FROM a:1@sha256:x\nRUNN x\nRUN sudo x\n", want: map[string][]int{"parse-error": {2}, "sudo": {3}}},
		{name: "template lines are not instructions", src: "FROM a:1@sha256:x\n{% if x %}\nRUN sudo x\n", want: map[string][]int{"parse-error": {2}, "sudo": {3}}},
		{name: "CRLF and BOM", src: "\ufeffFROM alpine\r\nRUN sudo \\\r\n  x\r\n", want: map[string][]int{"untagged-image": {1}, "sudo": {2}}},
		{name: "invalid shell still split into commands", src: "FROM a:1@sha256:x\nRUN echo 'unterminated && curl -k https://x\n", want: map[string][]int{"insecure-tls": {2}}},
		{name: "exec form", src: "FROM a:1@sha256:x\nRUN [\"apt-get\", \"install\", \"curl\"]\n", want: map[string][]int{"pkg-missing-yes": {2}}},
		{name: "exec form running sh -c", src: "FROM a:1@sha256:x\nRUN [\"/bin/sh\", \"-c\", \"sudo make\"]\n", want: map[string][]int{"sudo": {2}}},
		{name: "windows shells are not parsed as sh", src: "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022@sha256:x\nRUN powershell -Command Get-Item | Out-Null\n", absent: []string{"missing-pipefail", "parse-error"}},
	})
	// a template's own lines are skipped
	fs := CheckFile("Dockerfile.j2", []byte("FROM a:1@sha256:x\n{% if x %}\nRUN sudo x\n"))
	if got := slugs(fs); len(got["parse-error"]) != 0 || len(got["sudo"]) != 1 {
		t.Errorf("template: %v", got)
	}
}

func TestParseErrorIsOneFindingWithItsLine(t *testing.T) {
	for _, tc := range []struct {
		src  string
		line int
	}{
		{"FROM alpine:3.20\nRUN <<EOF\necho unterminated\n", 2},
		{"FROM alpine:3.20\nENV A=1 B\n", 2},
		{"# escape=x\nFROM a\n", 1},
	} {
		fs := CheckFile("Dockerfile", []byte(tc.src))
		if len(fs) != 1 || fs[0].Rule != RuleID(ruleParseError) || fs[0].Line != tc.line {
			t.Errorf("%q: want one parse-error at line %d, got %+v", tc.src, tc.line, fs)
		}
	}
	// BuildKit rejects a file without instructions: so does secfirst.
	for _, src := range []string{"", "\n", "# only a comment\n\n", "# syntax=docker/dockerfile:1\n# escape=`\n"} {
		if fs := CheckFile("Dockerfile", []byte(src)); len(fs) != 1 || fs[0].Rule != RuleID(ruleParseError) || fs[0].Line != 1 || !strings.Contains(fs[0].Message, "no instruction") {
			t.Errorf("empty Dockerfile %q: want one parse-error at line 1, got %v", src, slugs(fs))
		}
	}
}

// fakeFingerprint is a random 40-digit hex string shaped like the GPG key
// fingerprints official images put in ENV GPG_KEY (public, not a secret).
func fakeFingerprint() string {
	const hexDigits = "0123456789ABCDEF"
	b := make([]byte, 40)
	for i := range b {
		b[i] = hexDigits[rand.IntN(len(hexDigits))]
	}
	return string(b)
}

func fakeSecret() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 24)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}

func TestSecretsAreFoundAndNeverShown(t *testing.T) {
	pw, key, urlpw := fakeSecret(), gittest.FakeAWSKey(), fakeSecret()
	src := "FROM alpine:3.20@sha256:x\n" +
		"ENV DB_PASSWORD=" + pw + "\n" +
		"ENV SOME_SETTING=" + key + "\n" +
		"ENV DATABASE_URL=postgres://app:" + urlpw + "@db:5432/app\n" +
		"ARG GITHUB_TOKEN\n" +
		"ENV GPG_KEY=" + fakeFingerprint() + " PUBLIC_KEY=x SECRET_FILE=/run/secrets/x\n" +
		"ENV API_TOKEN=\"\"\n" +
		"USER app\nHEALTHCHECK NONE\n"
	fs := analyzeFile("Dockerfile", []byte(src), nil, nil).findings
	got := slugs(fs)
	if want := []int{2, 3, 4}; !slices.Equal(got["secret-in-env"], want) {
		t.Errorf("secret-in-env at %v, want %v (all %v)", got["secret-in-env"], want, got)
	}
	if !slices.Equal(got["secret-in-arg"], []int{5}) {
		t.Errorf("secret-in-arg at %v, want [5]", got["secret-in-arg"])
	}
	out, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		out = append(out, f.Snippet...)
	}
	for _, s := range []string{pw, key, urlpw} {
		if strings.Contains(string(out), s) {
			t.Errorf("a secret value leaked into the findings: %s", out)
		}
	}
	if f := find(fs, "secret-in-env"); f == nil || !strings.Contains(f.Fix, "--mount=type=secret,id=db_password,env=DB_PASSWORD") {
		t.Errorf("fix should show the secret mount for DB_PASSWORD: %+v", f)
	}
}

func TestCredentialFiles(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "COPY to the credential variable", src: "FROM a:1@sha256:x\nCOPY ./key.json $GOOGLE_APPLICATION_CREDENTIALS\n", want: map[string][]int{"credential-file": {2}}},
		{name: "ENV pointing into a copied directory", src: "FROM a:1@sha256:x\nCOPY . /app/\nENV GOOGLE_APPLICATION_CREDENTIALS=/app/sa.json\n", want: map[string][]int{"credential-file": {3}}},
		{name: "ENV pointing at a mounted path", src: "FROM a:1@sha256:x\nCOPY src /src\nENV GOOGLE_APPLICATION_CREDENTIALS=/var/run/secrets/sa.json\n", absent: []string{"credential-file", "secret-in-env"}},
		{name: "aws configure set", src: "FROM a:1@sha256:x\nRUN aws configure set aws_secret_access_key $KEY\n", want: map[string][]int{"credentials-in-run": {2}}},
		{name: "docker login -p", src: "FROM a:1@sha256:x\nRUN docker login -p $PW registry\n", want: map[string][]int{"credentials-in-run": {2}}},
	})
}

func TestInsecureTransportAndSignatures(t *testing.T) {
	cases := []struct {
		line, slug, ref string
	}{
		{"RUN curl -fsSLk https://x -o /x", "insecure-tls", "CKV2_DOCKER_2"},
		{"RUN wget --no-check-certificate https://x", "insecure-tls", "CKV2_DOCKER_3"},
		{"RUN pip install --trusted-host pypi.org flask==3.0", "insecure-tls", "CKV2_DOCKER_4"},
		{"ENV PYTHONHTTPSVERIFY=0", "insecure-tls", "CKV2_DOCKER_5"},
		{"ENV NODE_TLS_REJECT_UNAUTHORIZED 0", "insecure-tls", "CKV2_DOCKER_6"},
		{"ARG npm_config_strict_ssl=false", "insecure-tls", "CKV2_DOCKER_12"},
		{"RUN npm config set strict-ssl false", "insecure-tls", "CKV2_DOCKER_13"},
		{"RUN yarn config set strict-ssl=false", "insecure-tls", "CKV2_DOCKER_13"},
		{"ENV GIT_SSL_NO_VERIFY=0", "insecure-tls", "CKV2_DOCKER_14"},
		{"RUN export GIT_SSL_NO_VERIFY=1 && git clone https://x", "insecure-tls", "CKV2_DOCKER_14"},
		{"RUN yum-config-manager --save --setopt=epel.sslverify=false", "insecure-tls", "CKV2_DOCKER_15"},
		{"ENV PIP_TRUSTED_HOST=pypi.org", "insecure-tls", "CKV2_DOCKER_16"},
		{"RUN git -c http.sslVerify=false clone https://x", "insecure-tls", ""},
		{"RUN apk add --allow-untrusted x=1", "unverified-packages", "CKV2_DOCKER_7"},
		{"RUN apt-get install -y --allow-unauthenticated x", "unverified-packages", "CKV2_DOCKER_8"},
		{"RUN dnf install -y --nogpgcheck x", "unverified-packages", "CKV2_DOCKER_9"},
		{"RUN rpm -i --nosignature x.rpm", "unverified-packages", "CKV2_DOCKER_10"},
		{"RUN apt-get install --force-yes x", "unverified-packages", "CKV2_DOCKER_11"},
	}
	for _, tc := range cases {
		fs := CheckFile("Dockerfile", []byte("FROM a:1@sha256:x\n"+tc.line+"\n"))
		f := find(fs, tc.slug)
		if f == nil {
			t.Errorf("%s: no %s (got %v)", tc.line, tc.slug, slugs(fs))
			continue
		}
		if tc.ref != "" && !slices.Equal(f.Refs, []string{tc.ref}) {
			t.Errorf("%s: refs %v, want [%s]", tc.line, f.Refs, tc.ref)
		}
	}
	runCases(t, []ruleCase{
		{name: "flags of other commands in the pipe", src: "FROM a:1@sha256:x\nRUN curl https://x | grep -k y\nRUN echo --no-check-certificate\nRUN apk add x | grep --allow-untrusted\n", absent: []string{"insecure-tls", "unverified-packages"}},
		{name: "verification left on", src: "FROM a:1@sha256:x\nENV PYTHONHTTPSVERIFY=1 NODE_TLS_REJECT_UNAUTHORIZED=\"0\\\"\" NPM_CONFIG_STRICT_SSL=true\nRUN npm config set strict-ssl true || false\nRUN unset GIT_SSL_NO_VERIFY\n", absent: []string{"insecure-tls"}},
		{name: "curl option values are not options", src: "FROM a:1@sha256:x\nRUN curl -o k https://x\n", absent: []string{"insecure-tls"}},
	})
}

func TestRemoteScripts(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "curl | sh", src: "FROM a:1@sha256:x\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://get.example.com | sh\n", want: map[string][]int{"curl-pipe-shell": {3}}, absent: []string{"missing-pipefail"}},
		{name: "wget -O- | sudo bash", src: "FROM a:1@sha256:x\nRUN wget -qO- https://x | sudo -E bash -\n", want: map[string][]int{"curl-pipe-shell": {2}, "sudo": {2}}},
		{name: "sh -c with command substitution", src: "FROM a:1@sha256:x\nRUN sh -c \"$(curl -fsSL https://x/install.sh)\"\n", want: map[string][]int{"curl-pipe-shell": {2}}},
		{name: "bash with process substitution", src: "FROM a:1@sha256:x\nRUN bash <(curl -fsSL https://x)\n", want: map[string][]int{"curl-pipe-shell": {2}}},
		{name: "download then verify", src: "FROM a:1@sha256:x\nRUN curl -fsSLo /tmp/i.sh https://x && echo \"abc  /tmp/i.sh\" | sha256sum -c - && sh /tmp/i.sh\n", absent: []string{"curl-pipe-shell", "missing-pipefail"}},
	})
}

func TestPipefail(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "pipe without pipefail", src: "FROM a:1@sha256:x\nRUN wget -O - https://x | tar xz\n", want: map[string][]int{"missing-pipefail": {2}}},
		{name: "set -o pipefail first", src: "FROM a:1@sha256:x\nRUN set -euxo pipefail && wget -O - https://x | tar xz\n", absent: []string{"missing-pipefail"}},
		{name: "SHELL with pipefail carries to child stages", src: "FROM a:1@sha256:x AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM base\nRUN wget -O - https://x | tar xz\n", absent: []string{"missing-pipefail"}},
		{name: "echo cannot fail", src: "FROM a:1@sha256:x\nRUN echo 'x' | tee /etc/x\n", absent: []string{"missing-pipefail"}},
		{name: "|| is not a pipe", src: "FROM a:1@sha256:x\nRUN make || true\n", absent: []string{"missing-pipefail"}},
	})
	fs := CheckFile("Dockerfile", []byte("FROM alpine:3.20@sha256:x\nRUN wget -O - https://x | tar xz\n"))
	if f := find(fs, "missing-pipefail"); f == nil || !strings.Contains(f.Fix, `SHELL ["/bin/ash", "-eo", "pipefail", "-c"]`) {
		t.Errorf("alpine stages need an ash SHELL fix: %+v", f)
	}
}

func TestPackageManagers(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "apt done right", src: "FROM debian:12@sha256:x\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88 && rm -rf /var/lib/apt/lists/*\n",
			absent: []string{"pkg-missing-yes", "apt-no-install-recommends", "pkg-unpinned", "pkg-cache", "pkg-update-alone"}},
		{name: "apt done wrong", src: "FROM debian:12@sha256:x\nRUN apt-get update\nRUN apt-get install curl\n",
			want: map[string][]int{"pkg-update-alone": {2}, "pkg-missing-yes": {3}, "apt-no-install-recommends": {3}, "pkg-unpinned": {3}, "pkg-cache": {2}}},
		{name: "-qq implies yes, yes | works too", src: "FROM debian:12@sha256:x\nRUN apt-get -qq install --no-install-recommends x=1 && yes | apt-get install --no-install-recommends y=1\n", absent: []string{"pkg-missing-yes"}},
		{name: "cache mount instead of cleanup", src: "FROM debian:12@sha256:x\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y --no-install-recommends x=1\n", absent: []string{"pkg-cache"}},
		{name: "apt lists in a builder stage do not ship (DL3009)", src: "FROM debian:12@sha256:x AS build\nRUN apt-get update && apt-get install -y --no-install-recommends gcc=13\nFROM scratch\nCOPY --from=build /x /x\n", absent: []string{"pkg-cache"}},
		{name: "apk cache in a builder stage is reported, as hadolint and Trivy do", src: "FROM alpine:3.20@sha256:x AS build\nRUN apk add gcc=13\nFROM scratch\nCOPY --from=build /x /x\n", want: map[string][]int{"pkg-cache": {2}}},
		{name: "stages the final one is built on ship", src: "FROM alpine:3.20@sha256:x AS base\nRUN apk add gcc=13\nFROM base\n", want: map[string][]int{"pkg-cache": {2}}},
		{name: "apk", src: "FROM alpine:3.20@sha256:x\nRUN apk update && apk add --no-cache curl\nRUN apk add --virtual .deps gcc=13\n", want: map[string][]int{"pkg-unpinned": {2}, "pkg-cache": {3}}, absent: []string{"pkg-update-alone"}},
		{name: "yum clean all after the last install", src: "FROM centos:7@sha256:x\nRUN yum -y install a-1 && yum clean all && yum -y install b-2\n", want: map[string][]int{"pkg-cache": {2}}},
		{name: "dnf done right", src: "FROM fedora:40@sha256:x\nRUN dnf install -y a-1.0 && dnf clean all\n", absent: []string{"pkg-cache", "pkg-missing-yes", "pkg-unpinned"}},
		{name: "zypper needs non-interactive and clean", src: "FROM opensuse/leap:15@sha256:x\nRUN zypper install curl\n", want: map[string][]int{"pkg-missing-yes": {2}, "pkg-cache": {2}, "pkg-unpinned": {2}}},
		{name: "pip", src: "FROM python:3.12@sha256:x\nRUN pip install flask\nRUN pip install --no-cache-dir -r requirements.txt\n", want: map[string][]int{"pkg-unpinned": {2}, "pkg-cache": {2}}},
		{name: "PIP_NO_CACHE_DIR", src: "FROM python:3.12@sha256:x\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0\n", absent: []string{"pkg-cache", "pkg-unpinned"}},
		{name: "npm", src: "FROM node:20@sha256:x\nRUN npm install -g typescript\nRUN npm ci && npm cache clean --force\n", want: map[string][]int{"pkg-unpinned": {2}, "pkg-cache": {2}}},
		{name: "apt in scripts", src: "FROM debian:12@sha256:x\nRUN apt install -y --no-install-recommends x=1 && rm -rf /var/lib/apt/lists/*\n", want: map[string][]int{"apt-in-script": {2}}},
		{name: "update followed by upgrade", src: "FROM alpine:3.20@sha256:x\nRUN apk update --no-cache && apk upgrade --no-cache\n", absent: []string{"pkg-update-alone"}},
	})
	fs := CheckFile("Dockerfile", []byte("FROM debian:12@sha256:x\nRUN apt-get update && apt-get install -y curl\n"))
	if f := find(fs, "pkg-unpinned"); f == nil || !slices.Equal(f.Refs, []string{"DL3008"}) || !strings.Contains(f.Fix, "curl=<version>") {
		t.Errorf("apt pinning finding: %+v", f)
	}
	if f := find(fs, "pkg-cache"); f == nil || !slices.Equal(f.Refs, []string{"DL3009"}) {
		t.Errorf("apt cache finding refs: %+v", f)
	}
}

func TestOtherInstructionRules(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "chmod", src: "FROM a:1@sha256:x\nRUN chmod -R 777 /app\nRUN chmod 1777 /tmp/shared\nRUN chmod o+w /data\nCOPY --chmod=666 a /a\n", want: map[string][]int{"chmod-777": {2, 4, 5}}},
		{name: "chpasswd", src: "FROM a:1@sha256:x\nRUN echo 'root:root' | chpasswd\n", want: map[string][]int{"chpasswd": {2}}, absent: []string{"missing-pipefail"}},
		{name: "expose", src: "FROM a:1@sha256:x\nEXPOSE 22/tcp\nEXPOSE 20-25\nEXPOSE 65536 80\nEXPOSE $PORT\nEXPOSE 8080/udp\n", want: map[string][]int{"expose-ssh": {2, 3}, "invalid-port": {4}}},
		{name: "workdir", src: "FROM a:1@sha256:x\nWORKDIR /srv\nWORKDIR app\nWORKDIR $UNKNOWN/x\nWORKDIR /proc/self\nWORKDIR C:\\\\app\n", want: map[string][]int{"relative-workdir": {3}, "system-workdir": {5}}},
		{name: "run cd", src: "FROM a:1@sha256:x\nRUN cd /src && make\nRUN (cd /src && make)\n", want: map[string][]int{"run-cd": {2}}},
		{name: "add", src: "FROM a:1@sha256:x\nADD https://x/y.tar.gz /tmp/\nADD --checksum=sha256:abc https://x/z /z\nADD app.tar.gz /app/\nADD conf /etc/conf\nADD https://github.com/a/b.git#0123456789abcdef0123456789abcdef01234567 /src\n", want: map[string][]int{"add-url": {2}, "add-instead-of-copy": {5}}},
		{name: "copy", src: "FROM a:1@sha256:x AS app\nCOPY --from=app /x /y\nCOPY a b c\nCOPY a b c/\nCOPY --from=0 /x /y\n", want: map[string][]int{"copy-from-self": {2, 5}, "copy-multiple-sources": {3}}},
		{name: "duplicate stages", src: "FROM a:1@sha256:x AS build\nFROM a:1@sha256:x AS Build\n", want: map[string][]int{"duplicate-stage-name": {2}}},
		{name: "repeated CMD ENTRYPOINT HEALTHCHECK", src: "FROM a:1@sha256:x\nCMD a\nCMD b\nENTRYPOINT a\nENTRYPOINT b\nHEALTHCHECK CMD a\nHEALTHCHECK NONE\nFROM a:1@sha256:x\nCMD c\n", want: map[string][]int{"multiple-cmd": {3}, "multiple-entrypoint": {5}, "multiple-healthcheck": {7}}},
		{name: "maintainer", src: "FROM a:1@sha256:x\nMAINTAINER me@example.com\n", want: map[string][]int{"maintainer": {2}}},
		{name: "wget and curl", src: "FROM a:1@sha256:x\nRUN curl -fsSLO https://x\nRUN apt-get install -y wget\nRUN wget https://y\nFROM a:1@sha256:x\nRUN wget https://z\n", want: map[string][]int{"wget-and-curl": {4}}},
		{name: "healthcheck NONE is a decision", src: "FROM a:1@sha256:x\nUSER app\nHEALTHCHECK NONE\n", absent: []string{"no-healthcheck"}},
	})
	fs := CheckFile("Dockerfile", []byte("FROM a:1@sha256:x\nWORKDIR /srv\nWORKDIR app\nADD --chown=app conf /etc/conf\n"))
	if f := find(fs, "relative-workdir"); f == nil || !strings.Contains(f.Fix, "`WORKDIR /srv/app`") {
		t.Errorf("workdir fix should give the absolute path: %+v", f)
	}
	if f := find(fs, "add-instead-of-copy"); f == nil || !strings.Contains(f.Fix, "`COPY --chown=app conf /etc/conf`") {
		t.Errorf("ADD fix should give the COPY line: %+v", f)
	}
}

func TestPragmas(t *testing.T) {
	base := "FROM alpine:3.20@sha256:x\nUSER app\nHEALTHCHECK NONE\n"
	runCases(t, []ruleCase{
		{name: "secfirst:ignore by id", src: base + "# secfirst:ignore=dockerfile/sudo build tooling needs it\nRUN sudo x\n", absent: []string{"sudo"}},
		{name: "secfirst:ignore by slug and ref list", src: base + "# secfirst:ignore=run-cd,DL3004 legacy script\nRUN cd /x && sudo y\n", absent: []string{"sudo", "run-cd"}},
		{name: "only the named rule", src: base + "# secfirst:ignore=dockerfile/run-cd reason\nRUN cd /x && sudo y\n", want: map[string][]int{"sudo": {5}}, absent: []string{"run-cd"}},
		{name: "a blank line breaks the block", src: base + "# secfirst:ignore=dockerfile/sudo reason\n\nRUN sudo x\n", want: map[string][]int{"sudo": {6}}},
		{name: "hadolint ignore", src: base + "# hadolint ignore=DL3003,DL3008\n# another comment\nRUN cd /x && make\n", absent: []string{"run-cd"}},
		{name: "hadolint ignore of another rule", src: base + "# hadolint ignore=DL3008\nRUN cd /x && make\n", want: map[string][]int{"run-cd": {5}}},
		{name: "hadolint global ignore", src: "# hadolint global ignore=DL3003\n" + base + "RUN cd /x && make\n", absent: []string{"run-cd"}},
		{name: "trivy ignore, short and AVD spellings", src: base + "#trivy:ignore:DS013\nRUN cd /x\n# trivy:ignore:AVD-DS-0010\nRUN sudo y\n", absent: []string{"run-cd", "sudo"}},
		{name: "expired trivy ignore", src: base + "# trivy:ignore:DS-0010:exp:2000-01-01\nRUN sudo y\n", want: map[string][]int{"sudo": {5}}},
		{name: "checkov skip is file-wide", src: "FROM alpine:3.20@sha256:x\nHEALTHCHECK NONE\nRUN x\n#checkov:skip=CKV_DOCKER_3:runs as the image default on purpose\n", absent: []string{"no-user"}},
		{name: "pragma above a FROM covers stage findings", src: "# secfirst:ignore=dockerfile/no-user,dockerfile/no-healthcheck,dockerfile/unpinned-digest tool image\nFROM alpine:3.20\n", absent: []string{"no-user", "no-healthcheck", "unpinned-digest"}},
	})
	warns := analyzeFile("Dockerfile", []byte(base+"# secfirst:ignore=dockerfile/sudo\nRUN sudo x\n"), nil, nil).warnings
	if len(warns) != 1 || !strings.Contains(warns[0], "no reason") || !strings.Contains(warns[0], "Dockerfile") {
		t.Errorf("an ignore without a reason should warn: %v", warns)
	}
}

func TestFindingsAreComplete(t *testing.T) {
	fs := CheckFile("services/api/Dockerfile", []byte(kitchenSink))
	known := map[string]*rule{}
	for i := range catalog {
		known[RuleID(catalog[i].slug)] = &catalog[i]
	}
	for _, f := range fs {
		r := known[f.Rule]
		if r == nil {
			t.Errorf("unknown rule %s", f.Rule)
			continue
		}
		if f.Check != "dockerfile" || f.File != "services/api/Dockerfile" || f.Line < 1 || f.Title == "" || f.Message == "" || f.Fix == "" || f.Lesson == "" || f.Fingerprint == "" || f.Severity.Rank() == 0 {
			t.Errorf("incomplete finding %+v", f)
		}
		for _, ref := range f.Refs {
			if !slices.Contains(r.refs, ref) {
				t.Errorf("%s carries ref %s, which its rule does not list", f.Rule, ref)
			}
		}
	}
}

// kitchenSink triggers every rule at least once (TestEveryRuleCanFire).
const kitchenSink = `FROM golang AS build
FROM build AS Build
MAINTAINER someone
ARG TAG
FROM alpine:${TAG}
FROM alpine:latest AS tools
COPY --from=tools a b c
COPY --from=nowhere a /a
FROM registry.example.com/base:1.0
ARG GITHUB_TOKEN
ENV AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
COPY key.json $GOOGLE_APPLICATION_CREDENTIALS
RUN aws configure set aws_access_key_id $ID
RUN curl -k https://x | bash
RUN apk add --allow-untrusted x
RUN sudo make
RUN echo 'root:x' | chpasswd
RUN chmod 777 /srv
EXPOSE 22 99999
ADD https://example.com/x /x
ADD conf /etc/conf
CMD a
CMD b
ENTRYPOINT a
ENTRYPOINT b
HEALTHCHECK CMD a
HEALTHCHECK CMD b
WORKDIR rel
WORKDIR /proc/x
RUN cd /x && wget https://y | tar x
RUN apt-get update
RUN apt install curl
RUN zypper dup
USER root
RUNN bad
`

func TestEveryRuleCanFire(t *testing.T) {
	fired := map[string]bool{}
	for _, f := range CheckFile("Dockerfile", []byte(kitchenSink)) {
		fired[f.Rule] = true
	}
	for _, f := range CheckFile("Dockerfile", []byte("FROM a:1\n")) {
		fired[f.Rule] = true // no-user, no-healthcheck, unpinned-digest
	}
	for _, f := range analyzeFile("Dockerfile", []byte("FROM a:1\n"), &config{hadolintFile: ".hadolint.yaml", trusted: []string{"registry.example.com"}}, nil).findings {
		fired[f.Rule] = true // untrusted-registry
	}
	for _, r := range Rules() {
		if !fired[r.ID] {
			t.Errorf("%s never fires on the test inputs", r.ID)
		}
	}
}

func TestRulesCatalog(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		seen[r.ID] = true
		if r.ID != "dockerfile/"+r.Slug || r.Title == "" || r.Severity.Rank() == 0 || r.Lesson == "" {
			t.Errorf("incomplete rule %+v", r)
		}
		for _, ref := range r.Refs {
			if strings.HasPrefix(ref, "DS-") && !slices.Contains(r.Refs, "AVD-"+ref) {
				t.Errorf("%s lists %s without AVD-%s", r.ID, ref, ref)
			}
		}
	}
}

func TestFingerprintsSurviveLineMoves(t *testing.T) {
	src := "FROM alpine:3.20\nRUN sudo make\nRUN cd /x\n"
	moved := "# a new comment\n\nFROM alpine:3.20\n\n\nRUN   cd /x\nRUN sudo   make\n"
	fp := func(s string) map[string]string {
		out := map[string]string{}
		for _, f := range CheckFile("Dockerfile", []byte(s)) {
			out[f.Rule] = f.Fingerprint
		}
		return out
	}
	a, b := fp(src), fp(moved)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("findings differ: %v vs %v", a, b)
	}
	for rule, f := range a {
		if b[rule] != f {
			t.Errorf("%s fingerprint changed when lines moved", rule)
		}
	}
	// the same problem twice in a stage: two fingerprints
	seen := map[string]bool{}
	for _, f := range CheckFile("Dockerfile", []byte("FROM alpine:3.20\nRUN sudo make\nRUN sudo make\n")) {
		if f.Rule == RuleID(ruleSudo) {
			if seen[f.Fingerprint] {
				t.Errorf("repeated instruction shares a fingerprint")
			}
			seen[f.Fingerprint] = true
		}
	}
	if len(seen) != 2 {
		t.Errorf("want 2 sudo findings, got %d", len(seen))
	}
	// another file: another fingerprint
	x := CheckFile("a/Dockerfile", []byte(src))[0].Fingerprint
	y := CheckFile("b/Dockerfile", []byte(src))[0].Fingerprint
	if x == y {
		t.Errorf("fingerprints do not depend on the file")
	}
}

func TestIsDockerfile(t *testing.T) {
	for p, want := range map[string]bool{
		"Dockerfile": true, "dockerfile": true, "svc/Dockerfile": true, "Containerfile": true,
		"Dockerfile.prod": true, "api.Dockerfile": true, "build/app.dockerfile": true, "DOCKERFILE.dev": true,
		"Dockerfile.j2": true, "Containerfile.debug": true,
		"Dockerfile.dockerignore": false, "Dockerfile.md": false, "docs/dockerfile.txt": false,
		"Dockerfiles/README": false, "main.go": false, "dockerfile-lint.yml": false, "my.dockerfile.bak": false,
		"checks/dockerfile/dockerfile.go": false, "dockerfile_test.go": false, "lint/Dockerfile.py": false,
	} {
		if got := IsDockerfile(p); got != want {
			t.Errorf("IsDockerfile(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestUserFixFitsTheBase(t *testing.T) {
	for src, want := range map[string]string{
		"FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n":                                       "`USER 65532:65532` before the ENTRYPOINT at line 3",
		"FROM mcr.microsoft.com/windows/nanoserver:ltsc2022@sha256:x\nUSER ContainerAdministrator\n": "`USER ContainerUser`",
		"FROM debian:12@sha256:x\nRUN x\n":                                                           "useradd --system --gid app",
	} {
		var fix string
		for _, f := range CheckFile("Dockerfile", []byte(src)) {
			if f.Rule == RuleID(ruleNoUser) || f.Rule == RuleID(ruleRootUser) {
				fix = f.Fix
			}
		}
		if !strings.Contains(fix, want) {
			t.Errorf("%q: fix %q lacks %q", src, fix, want)
		}
	}
}

func TestOnbuildInstructionsAreChecked(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "onbuild run", src: "FROM a:1@sha256:x\nONBUILD RUN curl -fsSL https://x | sh\nONBUILD ENV NODE_TLS_REJECT_UNAUTHORIZED=0\nONBUILD ADD https://x/y /y\n",
			want: map[string][]int{"curl-pipe-shell": {2}, "insecure-tls": {3}, "add-url": {4}}},
	})
}
