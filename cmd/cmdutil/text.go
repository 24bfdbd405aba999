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
