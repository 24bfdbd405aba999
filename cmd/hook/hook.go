// Package hook is `secfirst hook pre-commit|pre-push`: what the git hooks
// installed by `secfirst hooks install` run.
package hook

import (
	"context"
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"

	"github.com/spf13/cobra"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/checks/report"
	"github.com/secfirst-dev/secfirst/cmd/cmdutil"
	"github.com/secfirst-dev/secfirst/cmd/iostreams"
	"github.com/secfirst-dev/secfirst/cmd/scan"
	"github.com/secfirst-dev/secfirst/hooks"
)

// Options are the arguments of `secfirst hook`.
type Options struct {
	IO *iostreams.IOStreams
	// Dir is where git runs the hook (the top of the working tree).
	Dir string
	// Hook is pre-commit or pre-push.
	Hook string
	// Args are the arguments git passes the hook (pre-push: the remote's
	// name and URL; secfirst reads the refs from standard input instead),
	// or the file names the pre-commit framework passes (pre-commit).
	Args []string
	// InCommit is true when git runs the hook for a commit (git sets
	// GIT_INDEX_FILE for it); false when the pre-commit framework runs it
	// by hand (`pre-commit run --all-files`, `--files`, in CI).
	InCommit bool
}

// NewCmd builds `secfirst hook` and its subcommands.
func NewCmd(ios *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hook <pre-commit|pre-push>",
		Short: "What the installed git hooks run",
		Long: `What the git hooks installed by 'secfirst hooks install' run.

pre-commit checks the staged changes (the index, as 'git commit' records it)
with every enabled check; pre-push checks the commits being pushed for
secrets. Findings at or above fail_on (.secfirst.toml, default high) stop git.
Output goes to standard error, where git shows it.

Given file names (the pre-commit framework passes them): during a commit,
only the findings of the staged changes in those files; outside a commit
(pre-commit run --all-files, --files, CI), a scan of those files as they are
in the working tree, like 'secfirst scan FILE...'.

Exit codes: 0 go ahead, 1 blocked, 2 not in a repository or a bad
.secfirst.toml. A check that fails does not block unless strict = true.`,
		Args: cobra.NoArgs,
	}
	for _, name := range hooks.Names {
		cmd.AddCommand(&cobra.Command{
			Use:   name,
			Short: "Run the " + name + " hook",
			// git passes arguments to some hooks (pre-push: remote name and URL).
			Args: cobra.ArbitraryArgs,
			RunE: func(c *cobra.Command, args []string) error {
				wd, err := cmdutil.WorkDir("")
				if err != nil {
					return err
				}
				if name == hooks.PreCommit {
					fewerCollections()
				}
				_, inCommit := os.LookupEnv("GIT_INDEX_FILE")
				return Run(c.Context(), &Options{IO: ios, Dir: wd, Hook: name, Args: args, InCommit: inCommit})
			},
		})
	}
	return cmd
}

// Run runs one hook, prints its result on standard error and returns an
// ExitError with code 1 when git must stop, 2 when the hook cannot run.
func Run(ctx context.Context, opts *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var res *hooks.Result
	var err error
	ro := hooks.RunOptions{Offline: offline()}
	switch opts.Hook {
	case hooks.PreCommit:
		if len(opts.Args) > 0 && !opts.InCommit {
			return runFiles(ctx, opts)
		}
		res, err = hooks.RunPreCommit(ctx, opts.Dir, ro)
		if err == nil && len(opts.Args) > 0 {
			res.OnlyFiles(opts.Args)
		}
	case hooks.PrePush:
		res, err = hooks.RunPrePush(ctx, opts.Dir, opts.IO.In, ro)
	default:
		return cmdutil.Failf("unknown hook %q (want pre-commit or pre-push)", opts.Hook)
	}
	if hooks.IsNotARepository(err) {
		return cmdutil.Failf("%s is not inside a git repository (`secfirst hook %s` is run by git; to install it: cd into a repository and run `secfirst hooks install`)", opts.Dir, opts.Hook)
	}
	var cfgErr *checks.ConfigError
	if errors.As(err, &cfgErr) {
		return cmdutil.Failf("%v (fix it to %s; `git %s --no-verify` skips the check)", err, verbOf(opts.Hook), verbOf(opts.Hook))
	}
	if err != nil {
		return cmdutil.Failf("%s hook: %v", opts.Hook, err)
	}
	st := report.NewStyles(opts.IO.RendererErr())
	st.Width = min(opts.IO.WidthErr(), 100) // long lines are hard to read
	if err := res.Write(opts.IO.ErrOut, st); err != nil {
		return cmdutil.Failf("cannot write to standard error: %v", err)
	}
	if res.Blocked() {
		return cmdutil.Silent(cmdutil.ExitFindings)
	}
	return nil
}

// runFiles scans the files the pre-commit framework passes outside a
// commit, as they are in the working tree: an already committed secret is
// found by `pre-commit run --all-files` instead of passing silently. The
// report goes to standard error, as the hook's always does.
func runFiles(ctx context.Context, opts *Options) error {
	ios := *opts.IO
	ios.Out = ios.ErrOut
	return scan.Run(ctx, &scan.Options{IO: &ios, Dir: opts.Dir, Paths: opts.Args, Format: "text", Offline: offline()})
}

func verbOf(hook string) string {
	if hook == hooks.PrePush {
		return "push"
	}
	return "commit"
}

// fewerCollections trades memory for time in the pre-commit hook, a process
// that lives for a few tens of milliseconds: collecting the garbage of
// building gitleaks' rules costs more than the memory it frees (measured:
// about a quarter of the hook's wall time on a loaded machine). The heap
// still has a limit, at which the collector runs.
//
// A commit that keeps most of that limit alive would have the collector run
// back to back at the limit (a generated manifest of 20,000 pods, before
// findings past checks.HookFindingsPerRule were only counted: 103 s, most
// of it collecting). After each collection a live heap past half the limit
// gives the process back the usual pacing, under a limit an eighth above
// what it holds (32 MiB at least, for what is not heap): the process stays
// under its 300 MB budget on the worst commits measured and never collects
// back to back. (Half above, a manifest that is one 4 MiB List reached 313
// MB; a quarter above, the worst files of every check in one commit, whose
// live heap peaks at 210-250 MB, 288-313 MB; an eighth, 265-290 MB.)
func fewerCollections() {
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(hookHeapLimit)
	watchLiveHeap()
}

// hookHeapLimit leaves room under the hook's 300 MB budget for what is
// not heap (the binary, stacks, the runtime's own, memory not yet given
// back): at 192 MiB the worst commits measured peaked 30 MB higher. A
// usual commit allocates far less (the bench fixture's: no collection).
const hookHeapLimit = 160 << 20

// watchLiveHeap looks at the live heap after the next collection (a
// cleanup runs once its object has been collected), and again after each.
func watchLiveHeap() {
	runtime.AddCleanup(new([16]byte), func(struct{}) {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			if live := int64(sample[0].Value.Uint64()); live > hookHeapLimit/2 {
				debug.SetGCPercent(100)
				debug.SetMemoryLimit(max(hookHeapLimit, live+max(live/8, 32<<20)))
			}
		}
		watchLiveHeap()
	}, struct{}{})
}

// EnvOffline keeps the hooks off the network (see cmdutil.EnvOffline).
const EnvOffline = cmdutil.EnvOffline

func offline() bool { return cmdutil.OfflineFromEnv() }
