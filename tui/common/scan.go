package common

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/secfirst-dev/secfirst/checks"
	"github.com/secfirst-dev/secfirst/tui/state"
)

// ScanDoneMsg is the outcome of a scan started with StartScan.
type ScanDoneMsg struct {
	// ID matches the Scan that produced it, so a screen ignores the result
	// of a scan it has since cancelled or replaced.
	ID     int
	Mode   checks.Mode
	Report *checks.Report
	// Ran are the names of the checks that ran.
	Ran []string
	// Elapsed is the scan's wall time.
	Elapsed time.Duration
	// Err is a scan that could not start (no repository, bad policy).
	Err error
	// Canceled is true when the person cancelled the scan.
	Canceled bool
	// SaveErr is a failure to record the summary in the state directory.
	SaveErr error
}

// Scan is a scan running in the background; Cancel stops it.
type Scan struct {
	ID     int
	Mode   checks.Mode
	Start  time.Time
	cancel context.CancelFunc
}

// Cancel stops the scan; its ScanDoneMsg then says Canceled.
func (s *Scan) Cancel() {
	if s != nil && s.cancel != nil {
		s.cancel()
	}
}

var scanIDs int

// StartScan scans the repository in mode in the background, records the
// counts as the repository's last scan, and returns the scan (to cancel it)
// and the command that delivers ScanDoneMsg.
func (c *Common) StartScan(mode checks.Mode) (*Scan, tea.Cmd) {
	scanIDs++
	ctx, cancel := context.WithCancel(c.Context())
	s := &Scan{ID: scanIDs, Mode: mode, Start: c.Now(), cancel: cancel}
	root, now, list, store := c.Repo.Root, c.Now, c.Checks, c.State
	return s, func() tea.Msg {
		defer cancel()
		msg := ScanDoneMsg{ID: s.ID, Mode: mode}
		// A step that fails because the scan was cancelled (git killed
		// half-way says "not inside a git repository") was cancelled,
		// not failed: the person pressed Esc.
		failed := func(err error) tea.Msg {
			if ctx.Err() != nil {
				msg.Canceled = true
			} else {
				msg.Err = err
			}
			return msg
		}
		start := time.Now()
		src, err := checks.NewRepoSource(ctx, root, mode)
		if err != nil {
			return failed(err)
		}
		// The policy as the scan reads the files: staged for the staged
		// scan, as the hook applies it.
		pol, err := checks.LoadSourcePolicy(ctx, src)
		if err != nil {
			return failed(err)
		}
		selected, err := checks.Select(list(), nil, pol)
		if err != nil {
			return failed(err)
		}
		rep := checks.Scan(ctx, src, selected, pol, checks.Options{Now: now()})
		msg.Elapsed = time.Since(start)
		if ctx.Err() != nil {
			msg.Canceled = true
			return msg
		}
		for _, ch := range selected {
			msg.Ran = append(msg.Ran, ch.Name())
		}
		msg.Report = rep
		if store != nil {
			msg.SaveErr = store.SaveLastScan(root, state.Summarize(rep, msg.Ran, now()))
		}
		return msg
	}
}
