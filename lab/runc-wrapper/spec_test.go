package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestBoundingFromMaskOfThisHostKind(t *testing.T) {
	// 000001fffeffffff: every capability up to 40 except bit 24 (CAP_SYS_RESOURCE).
	set := boundingFromMask(0x000001fffeffffff)
	if set["CAP_SYS_RESOURCE"] {
		t.Fatal("CAP_SYS_RESOURCE must be absent")
	}
	if !set["CAP_SYS_ADMIN"] || !set["CAP_NET_ADMIN"] || !set["CAP_CHECKPOINT_RESTORE"] {
		t.Fatal("expected the other capabilities to be present")
	}
}

func TestSpecFileFor(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--root", "/run/x", "--log", "/l", "create", "--bundle", "/b", "id"}, "/b/config.json"},
		{[]string{"run", "-b=/c", "id"}, "/c/config.json"},
		{[]string{"--systemd-cgroup", "exec", "--process", "/tmp/p.json", "id"}, "/tmp/p.json"},
		{[]string{"state", "id"}, ""},
		{[]string{"--root", "/r", "delete", "id"}, ""},
	}
	for _, c := range cases {
		if got := specFileFor(c.args); got != c.want {
			t.Errorf("specFileFor(%v) = %q, want %q", c.args, got, c.want)
		}
	}
}

func TestStripFullSpecAndProcessFile(t *testing.T) {
	bnd := boundingFromMask(0x000001fffeffffff)
	dir := t.TempDir()
	spec := `{"ociVersion":"1.0.2","process":{"args":["sh"],"capabilities":{"bounding":["CAP_SYS_ADMIN","CAP_SYS_RESOURCE"],"effective":["CAP_SYS_RESOURCE"]}},"root":{"path":"rootfs"}}`
	p := filepath.Join(dir, "config.json")
	if err := os.WriteFile(p, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := stripFile(p, bnd, nil); err != nil {
		t.Fatal(err)
	}
	var got struct {
		OCIVersion string `json:"ociVersion"`
		Root       struct{ Path string }
		Process    struct {
			Args         []string
			Capabilities map[string][]string
		}
	}
	raw, _ := os.ReadFile(p)
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.OCIVersion != "1.0.2" || got.Root.Path != "rootfs" || got.Process.Args[0] != "sh" {
		t.Fatalf("unrelated fields changed: %s", raw)
	}
	if len(got.Process.Capabilities["bounding"]) != 1 || len(got.Process.Capabilities["effective"]) != 0 {
		t.Fatalf("CAP_SYS_RESOURCE not removed: %s", raw)
	}

	proc := `{"args":["ls"],"capabilities":{"bounding":["CAP_SYS_RESOURCE","CAP_KILL"]}}`
	pp := filepath.Join(dir, "process.json")
	_ = os.WriteFile(pp, []byte(proc), 0o600)
	if err := stripFile(pp, bnd, nil); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(pp)
	var pr struct{ Capabilities map[string][]string }
	_ = json.Unmarshal(raw, &pr)
	if len(pr.Capabilities["bounding"]) != 1 || pr.Capabilities["bounding"][0] != "CAP_KILL" {
		t.Fatalf("process file not stripped: %s", raw)
	}
}

func TestUntouchedWhenAllGrantable(t *testing.T) {
	bnd := boundingFromMask(0x000001ffffffffff)
	spec := []byte(`{"process":{"capabilities":{"bounding":["CAP_SYS_RESOURCE"]}}}`)
	out, changed, err := stripCaps(spec, bnd, nil)
	if err != nil || changed || string(out) != string(spec) {
		t.Fatalf("expected no change, got %s changed=%v err=%v", out, changed, err)
	}
}

func TestClampOomScoreAndRlimits(t *testing.T) {
	bnd := boundingFromMask(0x000001fffeffffff)
	g := &grantable{oomScoreAdj: 0, rlimitHard: map[string]uint64{"RLIMIT_NOFILE": 20000}}
	spec := []byte(`{"process":{"oomScoreAdj":-998,"rlimits":[{"type":"RLIMIT_NOFILE","hard":1048576,"soft":1048576},{"type":"RLIMIT_CORE","hard":5,"soft":5}]}}`)
	out, changed, err := stripCaps(spec, bnd, g)
	if err != nil || !changed {
		t.Fatalf("expected a change, err=%v", err)
	}
	var got struct {
		Process struct {
			OomScoreAdj int `json:"oomScoreAdj"`
			Rlimits     []rlimit
		}
	}
	_ = json.Unmarshal(out, &got)
	if got.Process.OomScoreAdj != 0 {
		t.Errorf("oomScoreAdj = %d, want 0", got.Process.OomScoreAdj)
	}
	if got.Process.Rlimits[0].Hard != 20000 || got.Process.Rlimits[0].Soft != 20000 || got.Process.Rlimits[1].Hard != 5 {
		t.Errorf("rlimits not clamped: %+v", got.Process.Rlimits)
	}
	// A raise of oomScoreAdj is always allowed and left alone.
	out, changed, _ = stripCaps([]byte(`{"process":{"oomScoreAdj":500}}`), bnd, g)
	if changed {
		t.Errorf("oomScoreAdj 500 must be untouched: %s", out)
	}
}
