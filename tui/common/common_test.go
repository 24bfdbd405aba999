package common

import "testing"

func TestJoinListContinuations(t *testing.T) {
	in := "Intro\nstays.\n\n1. First item\n   goes on.\n2. Second\n\n- dash\n  more\n\n```sh\n- not\n  joined\n```\n"
	want := "Intro\nstays.\n\n1. First item goes on.\n2. Second\n\n- dash more\n\n```sh\n- not\n  joined\n```\n"
	if got := joinListContinuations(in); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}
