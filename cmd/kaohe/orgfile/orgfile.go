// Package orgfile reads the bootstrap file of `kaohe serve` (Config.Org):
// the organisation a fresh store starts with and the appraisal periods to
// open. It only decodes and checks the file; the caller passes File.Org to
// workflow.Service.Setup, which checks the organisation as a whole (unique
// people, units and leaders that exist), and opens the periods.
//
// It is a package of its own so that its fuzz target runs at full speed: in
// package main the instrumented test binary links the whole server and the
// fuzzing engine clears and compares every one of its coverage counters on
// each input (docs/reliability.md G10).
package orgfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kaohe/kaohe/workflow"
)

// File is a bootstrap file as written, in JSON. Unknown keys are refused,
// so a typo in a key is not silently a default.
//
//	{"hr": "ou_hr",
//	 "settings": {"name": "XX局", "head": "ou_head", "public_chats": ["oc_…"]},
//	 "units": [{"id": "u1", "name": "办公室", "leader": "ou_l1", "supervisor": "ou_s1"}],
//	 "people": [{"id": "ou_hr", "name": "李", "hr": true}, {"id": "ou_e1", "name": "孙一", "unit": "u1", "assessed": true}],
//	 "periods": ["2026-Q4"]}
type File struct {
	// HR is the open_id of the HR person who performs the setup; Setup
	// requires them in People with HR set.
	HR       string   `json:"hr"`
	Settings Settings `json:"settings"`
	Units    []Unit   `json:"units"`
	People   []Person `json:"people"`
	// Periods are appraisal period ids (2026-Q4, 2026-11 …) to open. Parse
	// accepts only valid period ids, none twice; whether their kind fits
	// the scheme's cycle is OpenPeriod's to say.
	Periods []string `json:"periods"`
}

// Settings are workflow.Settings as the file writes them.
type Settings struct {
	Name        string   `json:"name"`
	Head        string   `json:"head"`
	PublicChats []string `json:"public_chats"`
}

// Unit is a workflow.Unit as the file writes it.
type Unit struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Leader     string `json:"leader"`
	Supervisor string `json:"supervisor"`
	// Scheme is the id of the scheme the unit's people are appraised
	// under ("s5", "s4-month"); empty: the organisation's default. The
	// serve configuration's schemes key wins over it.
	Scheme string `json:"scheme,omitempty"`
}

// Person is a workflow.Person as the file writes it.
type Person struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Unit       string `json:"unit"`
	AssessedBy string `json:"assessed_by"`
	Group      string `json:"group"`
	Tier       string `json:"tier"`
	Frontline  bool   `json:"frontline"`
	HR         bool   `json:"hr"`
	Committee  bool   `json:"committee"`
	Assessed   bool   `json:"assessed"`
	// VoteGroups are the 考核单元 the person votes in without being rated
	// (workflow.Person.VoteGroups).
	VoteGroups []string `json:"vote_groups"`
}

// Parse decodes a bootstrap file. Its errors are for the operator, in
// English, without the file name (the caller adds it): the JSON decoder's
// error, a missing hr, or a bad period.
func Parse(data []byte) (File, error) {
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return File{}, err
	}
	if f.HR == "" {
		return File{}, errors.New("hr: required (the open_id of an HR person in people)")
	}
	// The periods are opened after Setup has committed the organisation, so
	// a period that cannot be opened would leave a store that is seeded but
	// has no period, and a restart does not load the file again. What can
	// be checked without the scheme is checked here, before anything is
	// written.
	seen := map[string]bool{}
	for i, id := range f.Periods {
		// A period of a scheme other than the default carries its id
		// ("2026-Q4@s5").
		p, scheme, err := workflow.ParsePeriodID(id)
		if err != nil {
			return File{}, fmt.Errorf("periods[%d]: %w", i, err)
		}
		key := p.String() + "@" + scheme
		if seen[key] {
			return File{}, fmt.Errorf("periods[%d]: %s listed twice", i, id)
		}
		seen[key] = true
	}
	return f, nil
}

// Org is the organisation the file describes, as Setup takes it.
func (f File) Org() (workflow.Settings, []workflow.Unit, []workflow.Person) {
	st := workflow.Settings{Name: f.Settings.Name, Head: f.Settings.Head, PublicChats: f.Settings.PublicChats}
	units := make([]workflow.Unit, 0, len(f.Units))
	for _, u := range f.Units {
		units = append(units, workflow.Unit{ID: u.ID, Name: u.Name, Leader: u.Leader, Supervisor: u.Supervisor, Scheme: u.Scheme})
	}
	people := make([]workflow.Person, 0, len(f.People))
	for _, p := range f.People {
		people = append(people, workflow.Person{ID: p.ID, Name: p.Name, Unit: p.Unit, AssessedBy: p.AssessedBy,
			Group: p.Group, Tier: p.Tier, Frontline: p.Frontline, HR: p.HR, Committee: p.Committee, Assessed: p.Assessed,
			VoteGroups: p.VoteGroups})
	}
	return st, units, people
}
