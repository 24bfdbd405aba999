package checklist

import (
	"context"
	"fmt"
	"strings"

	"github.com/secfirst-dev/secfirst/checks"
)

// ruleIs matches a finding by the Dockerfile check's rule slug or by the
// equivalent ids of hadolint, Trivy and Checkov in its refs, so the
// evidence holds even if rule ids are renamed.
func ruleIs(f checks.Finding, slugs []string, refs []string) bool {
	for _, s := range slugs {
		if f.Rule == checkDockerfile+"/"+s {
			return true
		}
	}
	for _, r := range f.Refs {
		for _, want := range refs {
			if strings.EqualFold(r, want) {
				return true
			}
		}
	}
	return false
}

var (
	rootSlugs     = []string{"root-user", "no-user"}
	rootRefs      = []string{"DL3002", "CKV_DOCKER_3", "CKV_DOCKER_8", "AVD-DS-0002", "DS002"}
	unpinnedSlugs = []string{"latest-tag", "untagged-image"}
	unpinnedRefs  = []string{"DL3006", "DL3007", "CKV_DOCKER_7", "AVD-DS-0001", "DS001"}
	digestSlugs   = []string{"unpinned-digest"}
	parseSlugs    = []string{"parse-error"}
)

// dockerFindings runs the Dockerfile check and sorts its findings.
func dockerFindings(ctx context.Context, r *Repo, slugs, refs []string) (files []string, hits, unparsed []checks.Finding, ev *Evidence) {
	files, err := r.Dockerfiles(ctx)
	if err != nil {
		e := cannot("the Dockerfiles", err)
		return nil, nil, nil, &e
	}
	if len(files) == 0 {
		return nil, nil, nil, &Evidence{Status: NA, Text: "no Dockerfile in the repository"}
	}
	rep, err := r.Scan(ctx, checkDockerfile)
	if err != nil {
		e := unavailable(checkDockerfile, err)
		return nil, nil, nil, &e
	}
	for _, f := range rep.Findings {
		switch {
		case ruleIs(f, slugs, refs):
			hits = append(hits, f)
		case ruleIs(f, parseSlugs, nil):
			unparsed = append(unparsed, f)
		}
	}
	return files, hits, unparsed, nil
}

func nonRootEvidence(ctx context.Context, r *Repo) Evidence {
	files, hits, unparsed, ev := dockerFindings(ctx, r, rootSlugs, rootRefs)
	if ev != nil {
		return *ev
	}
	if len(hits) > 0 {
		var parts []string
		for _, f := range hits {
			parts = append(parts, fmt.Sprintf("%s (%s)", f.Location(), strings.ToLower(f.Title)))
		}
		return Evidence{Status: Fail, Text: fmt.Sprintf("%s as root: %s", runs(len(distinctFiles(hits))), listSome(parts, 3))}
	}
	if len(unparsed) > 0 {
		return Evidence{Status: Todo, Text: fmt.Sprintf("%s not parse, so the user could not be checked", doesNotParse(unparsed))}
	}
	return Evidence{Status: Pass, Text: fmt.Sprintf("%s to a non-root USER in the final stage (%s)", switches(len(files)), listSome(files, 3))}
}

// doesNotParse is "Dockerfile (line 3) does" or "a, b and 2 more do".
func doesNotParse(fs []checks.Finding) string {
	files := distinctFiles(fs)
	if len(files) == 1 {
		for _, f := range fs {
			if f.Line > 0 {
				return fmt.Sprintf("%s (line %d) does", f.File, f.Line)
			}
		}
		return files[0] + " does"
	}
	return listSome(files, 3) + " do"
}

func runs(n int) string {
	if n == 1 {
		return "1 Dockerfile runs"
	}
	return fmt.Sprintf("%d Dockerfiles run", n)
}

func switches(n int) string {
	if n == 1 {
		return "the Dockerfile switches"
	}
	return fmt.Sprintf("all %d Dockerfiles switch", n)
}

func distinctFiles(fs []checks.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.File)
	}
	return uniqSorted(out)
}

func pinnedImagesEvidence(ctx context.Context, r *Repo) Evidence {
	files, hits, unparsed, ev := dockerFindings(ctx, r, unpinnedSlugs, unpinnedRefs)
	if ev != nil {
		return *ev
	}
	if len(hits) > 0 {
		var parts []string
		for _, f := range hits {
			parts = append(parts, fmt.Sprintf("%s (%s)", f.Location(), strings.ToLower(f.Title)))
		}
		return Evidence{Status: Fail, Text: fmt.Sprintf("%s not pinned: %s", plural(len(hits), "base image is", "base images are"), listSome(parts, 3))}
	}
	if len(unparsed) > 0 {
		return Evidence{Status: Todo, Text: fmt.Sprintf("%s not parse, so the base images could not be checked", doesNotParse(unparsed))}
	}
	rep, _ := r.Scan(ctx, checkDockerfile)
	var byTag []checks.Finding
	if rep != nil {
		for _, f := range rep.Findings {
			if ruleIs(f, digestSlugs, nil) {
				byTag = append(byTag, f)
			}
		}
	}
	if len(byTag) > 0 {
		return Evidence{Status: Pass, Text: fmt.Sprintf("every base image in %s has a version tag; %s pinned by tag only, not by digest (%s)",
			plural(len(files), "Dockerfile", "Dockerfiles"), plural(len(byTag), "is", "are"), locations(byTag, 2))}
	}
	return Evidence{Status: Pass, Text: fmt.Sprintf("every base image in %s is pinned by digest", plural(len(files), "Dockerfile", "Dockerfiles"))}
}
