package main

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Without CAP_SYS_RESOURCE a process may neither lower its oom_score_adj below
// its own nor raise a hard rlimit above its own; runc would fail the whole
// container ("can't get final child's PID from pipe") for either. These limits
// describe what this process can still grant.
type grantable struct {
	oomScoreAdj int
	rlimitHard  map[string]uint64
}

// rlimitNumbers maps OCI rlimit names to Linux resource numbers.
var rlimitNumbers = map[string]int{
	"RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
	"RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
	"RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
	"RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
}

func currentGrantable() grantable {
	g := grantable{rlimitHard: map[string]uint64{}}
	if b, err := os.ReadFile("/proc/self/oom_score_adj"); err == nil {
		g.oomScoreAdj, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	for name, n := range rlimitNumbers {
		var r syscall.Rlimit
		if syscall.Getrlimit(n, &r) == nil {
			g.rlimitHard[name] = r.Max
		}
	}
	return g
}

type rlimit struct {
	Type string `json:"type"`
	Hard uint64 `json:"hard"`
	Soft uint64 `json:"soft"`
}

// clampProcess lowers requests this process cannot grant; it reports whether
// anything changed.
func clampProcess(proc map[string]json.RawMessage, g grantable) (bool, error) {
	changed := false
	if raw, ok := proc["oomScoreAdj"]; ok {
		var v int
		if err := json.Unmarshal(raw, &v); err != nil {
			return false, err
		}
		if v < g.oomScoreAdj {
			proc["oomScoreAdj"], _ = json.Marshal(g.oomScoreAdj)
			changed = true
		}
	}
	if raw, ok := proc["rlimits"]; ok && string(raw) != "null" {
		var limits []rlimit
		if err := json.Unmarshal(raw, &limits); err != nil {
			return false, err
		}
		for i, l := range limits {
			max, known := g.rlimitHard[l.Type]
			if !known || l.Hard <= max {
				continue
			}
			limits[i].Hard = max
			if limits[i].Soft > max {
				limits[i].Soft = max
			}
			changed = true
		}
		if changed {
			proc["rlimits"], _ = json.Marshal(limits)
		}
	}
	return changed, nil
}
