package card

// KindDaily submits a 工作日志 form. ID: the day ("2026-10-12"); V: the
// entry's version (0 when new).
const KindDaily = "daily"

// FormDaily is the 工作日志 form KindOpen opens: "daily/2026-10-12".
const FormDaily = "daily"

// FieldLog is the 工作日志's one text (multiline).
const FieldLog = "log"

// DailyForm is the 工作日志 card (S7 日记: 《个人工作日志》 every working day).
type DailyForm struct {
	// Day is the log's day (YYYY-MM-DD); Version the entry's version, 0
	// when new.
	Day     string
	Version int
	// Name is what the scheme calls the record ("个人工作日志"); default
	// 工作日志.
	Name string
	// Log prefills the text; Returned is the leader's reason when the log
	// was sent back.
	Log      string
	Returned string
}

// DailyCard renders the 工作日志 form: one text of at most MaxText runes,
// the day's duties and work done. A day's log is short by nature; one
// input keeps the card quick to fill on a phone at the end of the day.
func DailyCard(f DailyForm) []byte {
	name := f.Name
	if name == "" {
		name = "工作日志"
	}
	var els []elem
	if f.Returned != "" {
		els = append(els, md("<font color='orange'>已退回：</font>"+escLine(clip(f.Returned, maxLineRunes))))
	}
	fe := []elem{
		textarea(FieldLog, "今日工作", "如实记录今天履行职责、完成工作任务的情况", f.Log, MaxText, 4, true),
		submitRow(Value{K: KindDaily, ID: f.Day, V: f.Version}, "提交"),
	}
	els = append(els, note("请记录"+f.Day+"的工作。当天未及时填写的，一周内仍会在待办中提醒补记。"), form("daily_form", fe))
	return build(name, f.Day, Blue, "请填写"+name+"："+f.Day, els)
}

// Daily is a submitted 工作日志.
type Daily struct {
	Log string
}

// ParseDaily reads a 工作日志 form value: the text is required. Errors are
// *FieldError.
func ParseDaily(fv map[string]any) (Daily, error) {
	var d Daily
	r, err := newReader(fv)
	if err != nil {
		return d, err
	}
	if d.Log, err = r.text(FieldLog, "今日工作", MaxText, true, true); err != nil {
		return d, err
	}
	return d, r.finish()
}
