package dockerfile

import (
	"fmt"
	"testing"
)

// refCase is one minimal Dockerfile and whether a finding carrying ref
// must be reported for it: hadolint's semantics of that rule, written for
// secfirst (hadolint's own test files are not copied here).
type refCase struct {
	ref, src string
	fire     bool
}

// firedRef reports whether a finding of src carries ref, and which.
func firedRef(src, ref string) (bool, []string) {
	var rules []string
	for _, f := range CheckFile("Dockerfile", []byte(src)) {
		for _, r := range f.Refs {
			if r == ref {
				rules = append(rules, fmt.Sprintf("%s@%d", f.Rule, f.Line))
			}
		}
	}
	return len(rules) > 0, rules
}

// hadolintCases follow hadolint's rules DL3000-DL3064 and DL4000-DL4006
// that secfirst implements, one shape per case; the divergences secfirst
// keeps on purpose are in TestDeliberateDivergencesFromHadolint.
var hadolintCases = []refCase{
	// DL3002: the last USER of the final stage; root by name or UID, with a group, through an ARG.
	{"DL3002", "FROM debian:12\nUSER root\n", true},
	{"DL3002", "FROM debian:12\nUSER 0:0\n", true},
	{"DL3002", "FROM debian:12\nUSER root\nRUN make\nUSER app\n", false},
	{"DL3002", "FROM debian:12\nARG RUN_AS=root\nUSER ${RUN_AS}\n", true},
	{"DL3002", "FROM debian:12\nARG user=app\nUSER ${user}\n", false},
	// DL3003: cd in a RUN, also after ;
	{"DL3003", "FROM debian:12\nRUN cd /src && make\n", true},
	{"DL3003", "FROM debian:12\nRUN make; cd /tmp\n", true},
	{"DL3003", "FROM debian:12\nWORKDIR /src\nRUN make\n", false},
	// DL3004: sudo as the command, not as a word
	{"DL3004", "FROM debian:12\nRUN sudo apt-get install -y x=1\n", true},
	{"DL3004", "FROM debian:12\nRUN echo sudo\n", false},
	{"DL3004", "FROM debian:12\nONBUILD RUN sudo make\n", true},
	// DL3008: apt-get pins with =, a target release or a .deb
	{"DL3008", "FROM debian:12\nRUN apt-get install -y curl\n", true},
	{"DL3008", "FROM debian:12\nRUN apt-get install -y curl=7.88.1-10\n", false},
	{"DL3008", "FROM debian:12\nRUN apt-get install -y curl/bookworm-backports\n", false},
	{"DL3008", "FROM debian:12\nRUN apt-get install -y -t bookworm-backports curl=8.1\n", false},
	{"DL3008", "FROM debian:12\nRUN apt-get install -y ./pkg_1.0_amd64.deb\n", false},
	// DL3009: the RUN with apt-get update must remove the lists, in the stages that ship
	{"DL3009", "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends x=1\n", true},
	{"DL3009", "FROM debian:12\nRUN apt-get update && apt-get install -y x=1 && rm -rf /var/lib/apt/lists/*\n", false},
	{"DL3009", "FROM debian:12\nRUN aptitude update && aptitude install -y x=1\n", true},
	{"DL3009", "FROM debian:12 AS build\nRUN apt-get update && apt-get install -y x=1\nFROM scratch\nCOPY --from=build /x /x\n", false},
	{"DL3009", "FROM debian:12 AS base\nRUN apt-get update && apt-get install -y x=1\nFROM base\n", true},
	{"DL3009", "FROM debian:12 AS build\nONBUILD RUN apt-get update && apt-get install -y x=1\nFROM scratch\n", true},
	{"DL3009", "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y x=1\n", false},
	{"DL3009", "FROM debian:12\nRUN --mount=type=tmpfs,target=/var/lib/apt/lists apt-get update && apt-get install -y x=1\n", false},
	{"DL3009", "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y x=1\n", true},
	{"DL3009", "FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y x=1\n", true},
	{"DL3009", "FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN --mount=type=cache,target=/var/lib/apt --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y x=1\n", false},
	// DL3013: pip pins with a version specifier, a VCS @ref, a file, or a requirements/constraints file
	{"DL3013", "FROM python:3.12\nRUN pip install flask\n", true},
	{"DL3013", "FROM python:3.12\nRUN pip install flask==3.0.3\n", false},
	{"DL3013", "FROM python:3.12\nRUN pip install 'flask>=3,<4'\n", false},
	{"DL3013", "FROM python:3.12\nRUN python3 -m pip install flask\n", true},
	{"DL3013", "FROM python:3.12\nRUN pip install git+https://github.com/org/lib.git#egg=lib\n", true},
	{"DL3013", "FROM python:3.12\nRUN pip install git+https://github.com/org/lib.git@v1.2.0#egg=lib\n", false},
	{"DL3013", "FROM python:3.12\nRUN pip install flask -c constraints.txt\n", false},
	{"DL3013", "FROM python:3.12\nRUN pip install --constraint constraints.txt flask\n", false},
	{"DL3013", "FROM python:3.12\nRUN pip install -r requirements.txt\n", false},
	{"DL3013", "FROM python:3.12\nRUN pip install .\n", false},
	{"DL3013", "FROM python:3.12\nRUN pip install --root-user-action ignore flask==3.0\n", false},
	{"DL3013", "FROM python:3.12\nRUN pip install ./dist/app-1.0-py3-none-any.whl\n", false},
	{"DL3013", "FROM python:3.12\nRUN pipenv install flask\n", false},
	{"DL3013", "FROM python:3.12\nRUN pipx install black\n", true},
	// DL3014: apt-get -y, --yes, -qq, -q -q, --quiet --quiet
	{"DL3014", "FROM debian:12\nRUN apt-get install curl=1\n", true},
	{"DL3014", "FROM debian:12\nRUN apt-get install -qq curl=1\n", false},
	{"DL3014", "FROM debian:12\nRUN apt-get install -q -q curl=1\n", false},
	{"DL3014", "FROM debian:12\nRUN apt-get install --quiet --quiet curl=1\n", false},
	{"DL3014", "FROM debian:12\nRUN apt-get --assume-yes install curl=1\n", false},
	// DL3015
	{"DL3015", "FROM debian:12\nRUN apt-get install -y curl=1\n", true},
	{"DL3015", "FROM debian:12\nRUN apt-get install -y -o APT::Install-Recommends=false curl=1\n", false},
	// DL3016: npm pins with @version (not a scope's @), git#commit, a tarball or a folder
	{"DL3016", "FROM node:20\nRUN npm install -g typescript\n", true},
	{"DL3016", "FROM node:20\nRUN npm install -g typescript@5.4.5\n", false},
	{"DL3016", "FROM node:20\nRUN npm install @angular/cli\n", true},
	{"DL3016", "FROM node:20\nRUN npm install @angular/cli@17.3.0\n", false},
	{"DL3016", "FROM node:20\nRUN npm install git+https://github.com/org/lib.git\n", true},
	{"DL3016", "FROM node:20\nRUN npm install git+https://github.com/org/lib.git#5f2c1e0\n", false},
	{"DL3016", "FROM node:20\nRUN npm install ./vendor/lib-1.0.0.tgz\n", false},
	{"DL3016", "FROM node:20\nRUN npm install lib-1.0.0.tar\n", false},
	{"DL3016", "FROM node:20\nRUN npm install\n", false},
	{"DL3016", "FROM node:20\nRUN npm ci\n", false},
	{"DL3016", "FROM node:20\nRUN npm install --loglevel warn left-pad@1.3.0\n", false},
	// DL3018: apk pins with =, ~, < or > or a .apk file
	{"DL3018", "FROM alpine:3.20\nRUN apk add --no-cache curl\n", true},
	{"DL3018", "FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.0-r0\n", false},
	{"DL3018", "FROM alpine:3.20\nRUN apk add --no-cache 'curl~8.9'\n", false},
	{"DL3018", "FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps gcc=13.2.1-r0\n", false},
	// DL3019: apk add --no-cache, in every stage; a cache or tmpfs mount will do
	{"DL3019", "FROM alpine:3.20\nRUN apk add curl=8.9.0-r0\n", true},
	{"DL3019", "FROM alpine:3.20 AS build\nRUN apk add gcc=13\nFROM scratch\n", true},
	{"DL3019", "FROM alpine:3.20\nRUN --mount=type=tmpfs,target=/var/cache/apk apk add curl=8.9.0-r0\n", false},
	{"DL3019", "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add curl=8.9.0-r0\n", false},
	{"DL3019", "FROM alpine:3.20\nRUN --mount=type=cache,target=/tmp/other apk add curl=8.9.0-r0\n", true},
	// DL3020: ADD only for URLs and archives, compressed single files included
	{"DL3020", "FROM debian:12\nADD app.conf /etc/app.conf\n", true},
	{"DL3020", "FROM debian:12\nADD rootfs.tar.xz /\n", false},
	{"DL3020", "FROM debian:12\nADD data.gz /data/\n", false},
	// DL3022: COPY --from an earlier stage (name or index) or an image
	{"DL3022", "FROM node:20 AS build\nRUN make\nFROM nginx:1.27\nCOPY --from=build /out /usr/share/nginx/html\n", false},
	{"DL3022", "FROM nginx:1.27\nCOPY --from=build /out /usr/share/nginx/html\nFROM node:20 AS build\n", true},
	{"DL3022", "FROM nginx:1.27\nCOPY --from=biuld /out /usr/share/nginx/html\n", true},
	{"DL3022", "FROM node:20\nRUN make\nFROM nginx:1.27\nCOPY --from=0 /out /html\n", false},
	{"DL3022", "FROM nginx:1.27\nCOPY --from=1 /out /html\n", true},
	{"DL3022", "FROM nginx:1.27\nCOPY --from=busybox:1.36 /bin/busybox /bin/\n", false},
	{"DL3022", "ARG BUILDER=build\nFROM node:20 AS build\nFROM nginx:1.27\nCOPY --from=${BUILDER} /out /html\n", false},
	// DL3028: gem pins with name:version or -v
	{"DL3028", "FROM ruby:3.3\nRUN gem install bundler\n", true},
	{"DL3028", "FROM ruby:3.3\nRUN gem i bundler\n", true},
	{"DL3028", "FROM ruby:3.3\nRUN gem install bundler:2.5.9\n", false},
	{"DL3028", "FROM ruby:3.3\nRUN gem install bundler -v 2.5.9\n", false},
	{"DL3028", "FROM ruby:3.3\nRUN gem install nokogiri:1.16.5 -- --use-system-libraries\n", false},
	// DL3030 / DL3038: yum, dnf and microdnf need -y
	{"DL3030", "FROM centos:7\nRUN yum install httpd-2.4.6 && yum clean all\n", true},
	{"DL3038", "FROM fedora:40\nRUN dnf install httpd-2.4.62 && dnf clean all\n", true},
	{"DL3038", "FROM ubi9-minimal\nRUN microdnf install httpd-2.4.57 && microdnf clean all\n", true},
	{"DL3038", "FROM ubi9-minimal\nRUN microdnf install -y httpd-2.4.57 && microdnf clean all\n", false},
	// DL3032 / DL3040 / DL3036: clean after installing, in every stage
	{"DL3032", "FROM centos:7\nRUN yum install -y httpd-2.4.6\n", true},
	{"DL3032", "FROM centos:7\nRUN yum install -y httpd-2.4.6 && rm -rf /var/cache/yum/*\n", false},
	{"DL3040", "FROM fedora:40\nRUN dnf install -y httpd-2.4.62\n", true},
	{"DL3040", "FROM ubi9-minimal\nRUN microdnf install -y httpd-2.4.57\n", true},
	{"DL3040", "FROM fedora:40\nRUN dnf -y upgrade-minimal\n", true},
	{"DL3040", "FROM fedora:40\nRUN dnf install -y httpd-2.4.62 && rm -rf /var/cache/yum/*\n", false},
	{"DL3040", "FROM fedora:40\nRUN --mount=type=tmpfs,target=/var/cache/libdnf5 dnf install -y httpd-2.4.62\n", false},
	{"DL3040", "FROM ubi9-minimal\nRUN microdnf clean all && microdnf install -y httpd-2.4.57\n", true},
	{"DL3036", "FROM opensuse/leap:15.6\nRUN zypper install -y curl=8.6.0\n", true},
	{"DL3036", "FROM opensuse/leap:15.6\nRUN --mount=type=tmpfs,target=/var/cache/zypp zypper install -y curl=8.6.0\n", false},
	// DL3033 / DL3041: rpm packages pin as name-version; modules as name:stream
	{"DL3033", "FROM centos:7\nRUN yum install -y httpd && yum clean all\n", true},
	{"DL3033", "FROM centos:7\nRUN yum install -y python3-devel-3.6.8 && yum clean all\n", false},
	{"DL3033", "FROM centos:7\nRUN yum module install -y nodejs && yum clean all\n", true},
	{"DL3033", "FROM centos:7\nRUN yum module install -y nodejs:20 && yum clean all\n", false},
	{"DL3033", "FROM centos:7\nARG V=2.4.6\nRUN yum install -y httpd-${V} && yum clean all\n", false},
	{"DL3041", "FROM fedora:40\nRUN dnf install -y python3-pip && dnf clean all\n", true},
	{"DL3041", "FROM fedora:40\nRUN dnf module install -y nodejs && dnf clean all\n", true},
	{"DL3041", "FROM fedora:40\nRUN dnf group install -y 'Development Tools' && dnf clean all\n", false},
	// DL3034 / DL3035 / DL3037: zypper
	{"DL3034", "FROM opensuse/leap:15.6\nRUN zypper install curl=8.6.0 && zypper clean\n", true},
	{"DL3034", "FROM opensuse/leap:15.6\nRUN zypper remove curl\n", true},
	{"DL3034", "FROM opensuse/leap:15.6\nRUN zypper -n install curl=8.6.0 && zypper clean\n", false},
	{"DL3035", "FROM opensuse/leap:15.6\nRUN zypper dist-upgrade -y\n", true},
	{"DL3035", "FROM opensuse/leap:15.6\nRUN zypper dup -y\n", true},
	{"DL3035", "FROM opensuse/leap:15.6\nRUN zypper up -y && zypper install -y curl=8.6.0 && zypper clean\n", false},
	{"DL3037", "FROM opensuse/leap:15.6\nRUN zypper install -y curl && zypper clean\n", true},
	{"DL3037", "FROM opensuse/leap:15.6\nRUN zypper install -y 'curl>=8' && zypper clean\n", false},
	// DL3042: pip's cache: --no-cache-dir, PIP_NO_CACHE_DIR (ENV, the RUN, export), pip config, a mount
	{"DL3042", "FROM python:3.12\nRUN pip install flask==3.0\n", true},
	{"DL3042", "FROM python:3.12\nRUN pip install --no-cache-dir flask==3.0\n", false},
	{"DL3042", "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0\n", false},
	{"DL3042", "FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=on\nFROM base\nRUN pip install flask==3.0\n", false},
	{"DL3042", "FROM python:3.12\nRUN PIP_NO_CACHE_DIR=true pip install flask==3.0\n", false},
	{"DL3042", "FROM python:3.12\nRUN export PIP_NO_CACHE_DIR=yes && pip install flask==3.0\n", false},
	{"DL3042", "FROM python:3.12\nRUN pip config set global.no-cache-dir false\nRUN pip install flask==3.0\n", false},
	{"DL3042", "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.0\n", false},
	{"DL3042", "FROM python:3.12\nRUN pipx install black==24.4.2\n", false},
	{"DL3042", "FROM python:3.12 AS build\nRUN pip install flask==3.0\nFROM scratch\n", true},
	// DL3057: the final stage has a HEALTHCHECK (NONE counts), inherited from the stage it is built on
	{"DL3057", "FROM nginx:1.27\n", true},
	{"DL3057", "FROM nginx:1.27\nHEALTHCHECK NONE\n", false},
	{"DL3057", "FROM nginx:1.27 AS base\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\nFROM base\n", false},
	{"DL3057", "FROM nginx:1.27 AS base\nHEALTHCHECK NONE\nFROM nginx:1.27\n", true},
	// DL3060: yarn cache clean after yarn install, in the stages that ship
	{"DL3060", "FROM node:20\nRUN yarn install\n", true},
	{"DL3060", "FROM node:20\nRUN yarn install && yarn cache clean\n", false},
	{"DL3060", "FROM node:20\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n", false},
	// DL3062: go install/get/run pin with @version; local packages need none
	{"DL3062", "FROM golang:1.22\nRUN go install example.com/tool\n", true},
	{"DL3062", "FROM golang:1.22\nRUN go install example.com/tool@latest\n", true},
	{"DL3062", "FROM golang:1.22\nRUN go install example.com/tool@v1.2.3\n", false},
	{"DL3062", "FROM golang:1.22\nRUN go get -tool example.com/tool\n", true},
	{"DL3062", "FROM golang:1.22\nRUN go run example.com/gen@v0.4.0 -out x.go\n", false},
	{"DL3062", "FROM golang:1.22\nRUN go run example.com/gen -out x.go\n", true},
	{"DL3062", "FROM golang:1.22\nRUN go install -ldflags '-s -w' ./cmd/app\n", false},
	{"DL3062", "FROM golang:1.22\nRUN go run main.go\n", false},
	{"DL3062", "FROM golang:1.22\nRUN go install .\n", false},
	{"DL3062", "FROM golang:1.24\nRUN go install tool example.com/gen/cmd/gen\n", false},
	// DL3064: sensitive names in ARG and ENV
	{"DL3064", "ARG AWS_ACCESS_KEY_ID\nFROM alpine:3.20\n", true},
	{"DL3064", "FROM alpine:3.20\nARG openai_api_key\n", true},
	{"DL3064", "FROM alpine:3.20\nENV my_password=changeme\n", true},
	{"DL3064", "FROM alpine:3.20\nENV APP_HOME=/app\n", false},
	// DL4001: wget and curl in one stage
	{"DL4001", "FROM debian:12\nRUN curl -fsSLO https://x.example/a\nRUN wget https://x.example/b\n", true},
	{"DL4001", "FROM debian:12\nRUN curl -fsSLO https://x.example/a\nFROM debian:12\nRUN wget https://x.example/b\n", false},
	// DL4006: pipefail set by a SHELL whose program has it
	{"DL4006", "FROM debian:12\nRUN wget -O- https://x.example | tar xz\n", true},
	{"DL4006", "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O- https://x.example | tar xz\n", false},
	{"DL4006", "FROM debian:12\nSHELL [\"/bin/sh\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O- https://x.example | tar xz\n", true},
	{"DL4006", "FROM alpine:3.20\nSHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN wget -O- https://x.example | tar xz\n", false},
	{"DL4006", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN Get-Item x | Out-Null\n", false},
}

func TestHadolintSemantics(t *testing.T) {
	agree := balancedAgreement(t, hadolintCases)
	t.Logf("balanced agreement with hadolint on %d cases: %.1f%%", len(hadolintCases), 100*agree)
}

// balancedAgreement reports each disagreement and returns the mean of the
// rates on violations and on clean files.
func balancedAgreement(t *testing.T, cases []refCase) float64 {
	t.Helper()
	var tp, fn, tn, fp int
	for _, c := range cases {
		got, rules := firedRef(c.src, c.ref)
		switch {
		case c.fire && got:
			tp++
		case c.fire:
			fn++
			t.Errorf("%s not reported:\n%s", c.ref, indent(c.src))
		case got:
			fp++
			t.Errorf("%s reported %v, want none:\n%s", c.ref, rules, indent(c.src))
		default:
			tn++
		}
	}
	return (float64(tp)/float64(max(tp+fn, 1)) + float64(tn)/float64(max(tn+fp, 1))) / 2
}

// Where secfirst reads a Dockerfile differently from hadolint on purpose,
// each with the reason: hadolint would report the first shape and not the
// second; secfirst does the opposite.
func TestDeliberateDivergencesFromHadolint(t *testing.T) {
	for _, c := range []struct {
		why string
		refCase
	}{
		{"a builder stage that stays root does not ship: only the final stage's user matters",
			refCase{"DL3002", "FROM golang:1.22 AS build\nUSER root\nRUN go build\nFROM alpine:3.20\nUSER app\n", false}},
		{"pip reads PIP_NO_CACHE_DIR=0 or false as 'no cache' too (its own backwards-compatibility rule)",
			refCase{"DL3042", "FROM python:3.12\nENV PIP_NO_CACHE_DIR=false\nRUN pip install flask==3.0\n", false}},
		{"rm -fr removes the lists as well as rm -rf",
			refCase{"DL3009", "FROM debian:12\nRUN apt-get update && apt-get install -y x=1 && rm -fr /var/lib/apt/lists/*\n", false}},
		{"a dry run installs nothing",
			refCase{"DL3014", "FROM debian:12\nRUN apt-get install -s curl\n", false}},
		{"yes | answers the prompts",
			refCase{"DL3014", "FROM debian:12\nRUN yes | apt-get install curl=1\n", false}},
		{"a cd in a subshell does not outlive it",
			refCase{"DL3003", "FROM debian:12\nRUN (cd /src && make)\n", false}},
		{"SHELL is inherited by the stages built FROM the one that sets it",
			refCase{"DL4006", "FROM debian:12 AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM base\nRUN wget -O- https://x.example | tar xz\n", false}},
		{"@latest is no pin",
			refCase{"DL3016", "FROM node:20\nRUN npm install -g typescript@latest\n", true}},
		{"a second yum install after the clean leaves its cache",
			refCase{"DL3032", "FROM centos:7\nRUN yum install -y a-1 && yum clean all && yum install -y b-2\n", true}},
		{"a password file's path is no secret",
			refCase{"DL3064", "FROM alpine:3.20\nENV DB_PASSWORD_FILE=/run/secrets/db\n", false}},
		{"a user name is no secret",
			refCase{"DL3064", "FROM alpine:3.20\nENV DOCKER_USERNAME=ci\n", false}},
	} {
		got, rules := firedRef(c.src, c.ref)
		if got != c.fire {
			t.Errorf("%s (%s): reported=%v %v, want %v\n%s", c.ref, c.why, got, rules, c.fire, indent(c.src))
		}
	}
}
