package cmdutil

import "strings"

// SplitList flattens list flags: "--check secrets,deps" and repeated flags
// alike (pflag splits a StringSlice on commas already; this also trims
// spaces and drops empty names, for Run functions called directly).
func SplitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// EditDistance is the Levenshtein distance between a and b, counted in
// bytes (the ids it compares are ASCII): what "did you mean" suggestions
// rank by.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
