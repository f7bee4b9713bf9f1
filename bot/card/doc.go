// Package card renders every card the kaohe bot sends, in Lark Card JSON 2.0
// and in Chinese, and parses the values those cards send back.
//
// Each card has a small view model of plain Go types (no workflow, scoring
// or Lark SDK types) and one function that returns the card JSON; only the
// notification template names come from package workflow, so the two can
// never drift apart. Output is
// deterministic (maps are marshalled with sorted keys), which the golden
// files in testdata rely on.
//
// # Callback values
//
// Every interactive element calls back with one Value,
//
//	{"k":"approve","id":"2026-Q3/ou_01/1","v":3}
//
// an action kind (the Kind* constants), an entity id and the entity's
// version as the card shows it. Nothing else: who clicked comes from the
// verified operator of the callback, and scores come from the form values,
// never from the value object (docs/reliability.md §4). ParseValue decodes it.
//
// The id's meaning depends on the kind; see the Kind* constants. KindOpen
// ids name a form and its entity as "<form>/<id>" (OpenID, SplitOpenID).
//
// # Form values
//
// Each form has exported field-name constants (Field*) and a parser
// (ParseWeekly, ParseMonthly, ParseQuarterly, ParseVote, ParseScoring,
// ParseCommittee, ParseReview). Parsers are strict: unknown fields, wrong
// types, out-of-range numbers and oversized text are refused with a
// *FieldError, whose Toast method gives a Chinese message for the user.
package card
