package workflow

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kaohe/kaohe/scoring"
)

// RequestReview files by's 复核 request for a period, inside the window
// (Config.ReviewDays after 公示 starts; S5 六(四): 15日内 of being told).
// The window is counted from Publish, which tells each person their
// result, and is not cut to the 公示: 公示 shows the top grade to everyone
// for objections about the list, while 复核 is a person's request about
// their own result, which S5 and S10 give its own term. One request per
// person and period. Errors: ErrNotFound (no result), ErrWindowClosed
// (not published yet, or the window is over), ErrInvalidInput (no
// reason), ErrConflict (already requested).
func (s *Service) RequestReview(ctx context.Context, by, periodID, reason string) error {
	return s.RequestReviewWith(ctx, by, periodID, reason, "")
}

// RequestReviewWith is RequestReview with the materials the request comes
// with. Where the scheme asks for them (review_materials; S5 六(四): "申请
// 复核的，须提供经主管领导确认的本人平时考核材料") a request without them is
// refused (ErrInvalidInput), and HR sees them before forwarding.
func (s *Service) RequestReviewWith(ctx context.Context, by, periodID, reason, materials string) error {
	return s.change(ctx, by, "review.request", periodID+"/"+by, func(o *op) error {
		me, err := s.actor(o)
		if err != nil {
			return err
		}
		period, err := o.tx.Period(o.ctx, periodID)
		if err != nil {
			return err
		}
		switch {
		case period.State == PeriodPublished && !s.today(o.now).After(period.ReviewEnd):
		case period.ReviewEnd.IsZero():
			return windowClosed(periodName(periodID)+"考核结果尚未公示，暂不能申请复核", "period %s is %s: no review window yet", periodID, period.State)
		default:
			return windowClosed(fmt.Sprintf("%s考核结果的复核申请期已于%s截止", periodName(periodID), period.ReviewEnd),
				"review window of %s closed %s", periodID, period.ReviewEnd)
		}
		r, err := o.tx.Result(o.ctx, periodID, by)
		if err != nil {
			return err
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		if need := s.schemeOfID(periodID).ReviewMaterials; need != "" && strings.TrimSpace(materials) == "" {
			return invalid("materials", "申请复核须提供"+need)
		}
		if materials != "" {
			if err := needText("materials", materials); err != nil {
				return err
			}
		}
		rv := Review{ID: periodID + "/" + by, Period: periodID, Person: by, Reason: reason, Materials: materials, State: ReviewRequested, OldGrade: r.Grade, CreatedAt: o.now}
		if err := o.tx.CreateReview(o.ctx, rv); err != nil {
			return err
		}
		people, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		for _, hr := range hrPeople(people) {
			data := map[string]string{"review": rv.ID, "person": me.Name, "reason": reason}
			if materials != "" {
				data["materials"] = materials
			}
			o.note(hr, TplReviewRequested, data, rv.ID)
		}
		return nil
	})
}

// HandleReview is HR's handling of a request: forward it to the committee
// with an opinion, or reject it as inadmissible with a reason (the person
// is told). Errors: ErrForbidden, ErrNotFound, ErrStale,
// ErrInvalidTransition, ErrInvalidInput.
func (s *Service) HandleReview(ctx context.Context, by, reviewID string, version int, forward bool, opinion string) error {
	return s.change(ctx, by, "review.handle", reviewID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		rv, err := s.review(o, reviewID, version, ReviewRequested)
		if err != nil {
			return err
		}
		if rv.Person == by {
			return forbidden("不能办理本人的复核申请")
		}
		if err := needText("reason", opinion); err != nil {
			return err
		}
		people, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		if need := s.schemeOfID(rv.Period).ReviewMaterials; forward && need != "" && strings.TrimSpace(rv.Materials) == "" {
			// A request filed before the scheme asked for them: it goes to
			// the committee only with them (S5 六(四)), so HR answers it.
			return invalid("materials", "该申请未附"+need+"，不能转考核委员会审议，可不予受理并说明理由")
		}
		rv.Opinion = opinion
		rv.Version++
		if forward {
			rv.State = ReviewForwarded
			p, err := o.tx.Person(o.ctx, rv.Person)
			if err != nil {
				return err
			}
			for _, c := range committeePeople(people) {
				o.note(c, TplReviewForwarded, map[string]string{"review": rv.ID, "person": p.Name, "opinion": opinion}, rv.ID)
			}
		} else {
			rv.State = ReviewRejected
			o.note(rv.Person, TplReviewDecided, map[string]string{"review": rv.ID, "outcome": ReviewRejected, "grade": rv.OldGrade, "reason": opinion}, rv.ID, ReviewRejected)
		}
		o.logf("%s: %s", rv.State, opinion)
		return o.tx.UpdateReview(o.ctx, rv)
	})
}

func (s *Service) review(o *op, id string, version int, state string) (Review, error) {
	rv, err := o.tx.Review(o.ctx, id)
	if err != nil {
		return rv, err
	}
	if rv.Version != version {
		return rv, fmt.Errorf("review %s v%d, card v%d: %w", id, rv.Version, version, ErrStale)
	}
	if rv.State != state {
		return rv, fmt.Errorf("review %s is %s: %w", id, rv.State, ErrInvalidTransition)
	}
	return rv, nil
}

// DecideReview is the committee's decision on a forwarded 复核: keep the
// grade (grade == the old grade) or change it, with a reason. A change
// that would push someone else out of a capped grade is refused; the
// committee then names whom it displaces (DecideReviewDisplacing).
// Errors: ErrForbidden, ErrNotFound, ErrStale, ErrInvalidTransition,
// ErrInvalidInput.
func (s *Service) DecideReview(ctx context.Context, by, reviewID string, version int, grade, reason string) error {
	return s.DecideReviewDisplacing(ctx, by, reviewID, version, grade, reason, "")
}

// DecideReviewDisplacing is DecideReview where the new grade is over its
// quota's cap: displace, who holds that grade in the same quota, goes one
// grade down by the committee's explicit decision, and is told. The
// grade change is a committee decision like a tie's, so the quotas are
// checked again with it: if any other person's grade would change (the
// cap would push out someone the committee did not name), the decision is
// refused and the message names who the quota would displace.
func (s *Service) DecideReviewDisplacing(ctx context.Context, by, reviewID string, version int, grade, reason, displace string) error {
	return s.change(ctx, by, "review.decide", reviewID, func(o *op) error {
		if _, err := s.requireCommittee(o); err != nil {
			return err
		}
		rv, err := s.review(o, reviewID, version, ReviewForwarded)
		if err != nil {
			return err
		}
		if rv.Person == by || displace == by {
			return forbidden("不能决定本人的复核")
		}
		label := gradeLabel(s.schemeOfID(rv.Period), grade)
		if IsYear(rv.Period) {
			label = "" // the year's grades are the scheme's annual ones
			if slices.Contains(s.schemeOfID(rv.Period).Annual.Grades, grade) {
				label = grade
			}
		}
		if label == "" {
			return invalid("grade", "方案中没有此等次："+grade)
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		r, err := o.tx.Result(o.ctx, rv.Period, rv.Person)
		if err != nil {
			return err
		}
		rv.NewGrade, rv.Decision, rv.DecidedBy = label, reason, by
		rv.Version++
		rv.State = ReviewUpheld
		if label != r.Grade {
			rv.State = ReviewChanged
			if err := s.regradeForReview(o, rv, r, label, reason, displace); err != nil {
				return err
			}
		} else if displace != "" {
			return invalid("displace", "维持原等次时不需要让出名额")
		}
		o.note(rv.Person, TplReviewDecided, map[string]string{"review": rv.ID, "outcome": rv.State, "grade": label, "reason": reason}, rv.ID, rv.State)
		if err := s.tellHROfReview(o, rv, r.Grade, displace); err != nil {
			return err
		}
		o.logf("%s %s -> %s", rv.State, rv.OldGrade, label)
		return o.tx.UpdateReview(o.ctx, rv)
	})
}

// tellHROfReview tells HR the committee's decision on a 复核 (HR forwarded
// it and answers for the period's 备案), with who gave way and how many
// requests of the period are still open.
func (s *Service) tellHROfReview(o *op, rv Review, was, displace string) error {
	people, err := o.tx.People(o.ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range people {
		names[p.ID] = p.Name
	}
	rs, err := o.tx.Reviews(o.ctx, rv.Period)
	if err != nil {
		return err
	}
	open := 0
	for _, x := range rs {
		if x.ID != rv.ID && (x.State == ReviewRequested || x.State == ReviewForwarded) {
			open++
		}
	}
	for _, hr := range hrPeople(people) {
		o.note(hr, TplReviewOutcome, map[string]string{"review": rv.ID, "person": names[rv.Person], "outcome": rv.State, "grade": rv.NewGrade,
			"was": was, "reason": rv.Decision, "open": strconv.Itoa(open), "displaced": names[displace]}, rv.ID, rv.State)
	}
	return nil
}

// regradeForReview applies a 复核's new grade as a committee decision on
// the period, with the displaced person's one grade down, and rewrites
// the results.
func (s *Service) regradeForReview(o *op, rv Review, r Result, label, reason, displace string) error {
	period, err := o.tx.Period(o.ctx, rv.Period)
	if err != nil {
		return err
	}
	if period.Kind == KindYear {
		if displace != "" {
			return invalid("displace", "年度考核等次不设名额，无须让出名额")
		}
		return s.regradeYear(o, rv, r, label, reason)
	}
	before, err := o.tx.Results(o.ctx, rv.Period)
	if err != nil {
		return err
	}
	was := map[string]Result{}
	for _, x := range before {
		was[x.Person] = x
	}
	period.Decisions = append(period.Decisions, scoring.Decision{Person: rv.Person, Grade: label, Reason: "复核：" + reason})
	if displace != "" {
		d, ok := was[displace]
		if !ok || d.Grade != label || displace == rv.Person {
			return invalid("displace", "让出名额的人员须为现为「"+label+"」等次的其他人员")
		}
		i := s.gradeIndex(s.schemeOfID(rv.Period), label)
		if i < 0 || i+1 >= len(s.schemeOfID(rv.Period).Grades) {
			return invalid("displace", "「"+label+"」没有更低的等次")
		}
		period.Decisions = append(period.Decisions, scoring.Decision{Person: displace, Grade: s.schemeOfID(rv.Period).Grades[i+1].Label,
			Reason: "复核后「" + label + "」名额已满，考核委员会决定让出名额"})
	}
	in, byID, err := s.periodInput(o.ctx, o.tx, period)
	if err != nil {
		return err
	}
	res, err := scoring.ScorePeriod(s.schemeOfID(rv.Period), in)
	if err != nil {
		return s.scoringError(s.schemeOfID(rv.Period), err, personNames(byID), "score "+period.ID)
	}
	if err := quotaBroken(res.Quotas, "复核后"); err != nil {
		return err
	}
	var pushed []string
	for _, pr := range res.People {
		if pr.ID != rv.Person && pr.ID != displace && was[pr.ID].Grade != pr.Grade {
			pushed = append(pushed, byID[pr.ID].Name)
		}
	}
	if len(pushed) > 0 {
		return invalid("displace", fmt.Sprintf("调整为「%s」将超出名额，按名额将使%s降等；请选择由谁让出名额", label, strings.Join(pushed, "、")))
	}
	if _, _, err := s.rescore(o, &period); err != nil {
		return err
	}
	period.Version++
	if err := o.tx.UpdatePeriod(o.ctx, period); err != nil {
		return err
	}
	now, err := o.tx.Result(o.ctx, rv.Period, rv.Person)
	if err != nil {
		return err
	}
	now.Explain = append(now.Explain, fmt.Sprintf("复核：考核委员会将等次由「%s」改为「%s」：%s", r.Grade, label, reason))
	now.Flags = append(now.Flags, "review_changed")
	now.Version++
	if err := o.tx.PutResult(o.ctx, now); err != nil {
		return err
	}
	if displace != "" {
		lower := s.schemeOfID(rv.Period).Grades[s.gradeIndex(s.schemeOfID(rv.Period), label)+1].Label
		o.note(displace, TplReviewDisplaced, map[string]string{"period": rv.Period, "grade": lower, "was": label}, rv.ID, displace)
	}
	return nil
}

// gradeIndex is the position of a grade label in the scheme, best first;
// -1 when unknown.
func (s *Service) gradeIndex(sc *scoring.Scheme, label string) int {
	for i, g := range sc.Grades {
		if g.Label == label {
			return i
		}
	}
	return -1
}

// Reviews returns a period's reviews (HR and the committee only).
// Errors: ErrForbidden.
func (s *Service) Reviews(ctx context.Context, by, periodID string) ([]Review, error) {
	var out []Review
	err := s.view(ctx, func(tx Tx) error {
		me, err := tx.Person(ctx, by)
		if err != nil || (!me.HR && !me.Committee) {
			return fmt.Errorf("%s may not list reviews: %w", by, ErrForbidden)
		}
		out, err = tx.Reviews(ctx, periodID)
		return err
	})
	return out, err
}
