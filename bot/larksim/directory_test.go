package larksim_test

import (
	"context"
	"slices"
	"testing"

	larkcontact "github.com/larksuite/oapi-sdk-go/v3/service/contact/v3"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/larksim"
)

// org builds: root → 办公室 (head 局长) → 综合科, 财务科; root → 执法大队.
type org struct {
	e                                *env
	office, general, finance, police larksim.Department
	chief, clerk, accountant         larksim.User
}

func newOrg(t *testing.T) *org {
	t.Helper()
	e := newEnv(t, larksim.Options{})
	o := &org{e: e}
	s := e.sim
	o.chief = s.MustAddUser(larksim.User{Name: "局长", DepartmentIDs: []string{"od-office"}})
	o.office = s.MustAddDepartment(larksim.Department{OpenDepartmentID: "od-office", Name: "办公室", DepartmentID: "D01", LeaderOpenID: o.chief.OpenID})
	o.general = s.MustAddDepartment(larksim.Department{Name: "综合科", DepartmentID: "D011", ParentID: o.office.OpenDepartmentID})
	o.finance = s.MustAddDepartment(larksim.Department{Name: "财务科", DepartmentID: "D012", ParentID: o.office.OpenDepartmentID})
	o.police = s.MustAddDepartment(larksim.Department{Name: "执法大队", DepartmentID: "D02"})
	o.clerk = s.MustAddUser(larksim.User{Name: "科员", DepartmentIDs: []string{o.general.OpenDepartmentID}, LeaderOpenID: o.chief.OpenID, JobTitle: "科员"})
	o.accountant = s.MustAddUser(larksim.User{Name: "会计", DepartmentIDs: []string{o.finance.OpenDepartmentID}, LeaderOpenID: o.chief.OpenID})
	s.MustAddUser(larksim.User{Name: "隐藏", DepartmentIDs: []string{o.general.OpenDepartmentID}, OutOfContactScope: true})
	return o
}

func TestDepartmentChildren(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	tests := []struct {
		name     string
		dept     string
		idType   string
		fetch    bool
		pageSize int
		want     []string
		wantCode int
	}{
		{name: "Root", dept: "0", want: []string{"办公室", "执法大队"}},
		{name: "Recursive", dept: "0", fetch: true, want: []string{"办公室", "执法大队", "综合科", "财务科"}},
		{name: "ByOpenID", dept: o.office.OpenDepartmentID, want: []string{"综合科", "财务科"}},
		{name: "ByCustomID", dept: "D01", idType: "department_id", want: []string{"综合科", "财务科"}},
		{name: "PagedOneByOne", dept: "0", fetch: true, pageSize: 1, want: []string{"办公室", "执法大队", "综合科", "财务科"}},
		{name: "PageSizeTooBig", dept: "0", pageSize: 51, wantCode: larksim.CodeContactPageSizeInvalid},
		{name: "Unknown", dept: "od-nope", wantCode: larksim.CodeOpenDepartmentIDNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var names []string
			token := ""
			for page := 0; ; page++ {
				b := larkcontact.NewChildrenDepartmentReqBuilder().DepartmentId(tc.dept).FetchChild(tc.fetch)
				if tc.idType != "" {
					b.DepartmentIdType(tc.idType)
				}
				if tc.pageSize != 0 {
					b.PageSize(tc.pageSize)
				}
				if token != "" {
					b.PageToken(token)
				}
				resp, err := o.e.client.Contact.Department.Children(context.Background(), b.Build())
				if err != nil {
					t.Fatal(err)
				}
				if resp.Code != tc.wantCode {
					t.Fatalf("code %d msg %q, want %d", resp.Code, resp.Msg, tc.wantCode)
				}
				if tc.wantCode != 0 {
					return
				}
				for _, d := range resp.Data.Items {
					names = append(names, *d.Name)
				}
				if !*resp.Data.HasMore {
					if resp.Data.PageToken != nil {
						t.Errorf("page_token returned without has_more")
					}
					break
				}
				token = *resp.Data.PageToken
				if page > 10 {
					t.Fatal("paging does not end")
				}
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("departments %v, want %v", names, tc.want)
			}
		})
	}
}

func TestDepartmentFields(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	root, err := o.e.client.Contact.Department.Children(context.Background(),
		larkcontact.NewChildrenDepartmentReqBuilder().DepartmentId("0").UserIdType("user_id").Build())
	if err != nil || !root.Success() {
		t.Fatalf("%v %+v", err, root)
	}
	office := root.Data.Items[0]
	if *office.LeaderUserId != o.chief.UserID || *office.Leaders[0].LeaderID != o.chief.UserID || *office.ParentDepartmentId != "0" {
		t.Errorf("office leader %v parent %v", *office.LeaderUserId, *office.ParentDepartmentId)
	}
	if *office.MemberCount != 4 {
		t.Errorf("office member_count %d, want 4 (its own and its sub-departments' users)", *office.MemberCount)
	}
	resp, err := o.e.client.Contact.Department.Children(context.Background(),
		larkcontact.NewChildrenDepartmentReqBuilder().DepartmentId(o.office.OpenDepartmentID).UserIdType("user_id").Build())
	if err != nil || !resp.Success() {
		t.Fatalf("%v %+v", err, resp)
	}
	d := resp.Data.Items[0]
	if *d.OpenDepartmentId != o.general.OpenDepartmentID || *d.DepartmentId != "D011" || *d.ParentDepartmentId != o.office.OpenDepartmentID {
		t.Errorf("ids %s %s parent %s", *d.OpenDepartmentId, *d.DepartmentId, *d.ParentDepartmentId)
	}
	// member_count counts the department's users, including those outside
	// the app's contact scope (科员 and 隐藏).
	if *d.MemberCount != 2 {
		t.Errorf("member_count %d, want 2", *d.MemberCount)
	}
	if resp.Data.Items[1].LeaderUserId != nil {
		t.Errorf("leader_user_id set for a department without a head")
	}
}

func TestFindByDepartment(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	tests := []struct {
		name       string
		dept       string
		userIDType string
		want       []string
		wantLeader string
	}{
		{name: "Direct", dept: o.general.OpenDepartmentID, want: []string{"科员"}, wantLeader: o.chief.OpenID},
		{name: "NotRecursive", dept: o.office.OpenDepartmentID, want: []string{"局长"}},
		{name: "UserIDs", dept: o.general.OpenDepartmentID, userIDType: "user_id", want: []string{"科员"}, wantLeader: o.chief.UserID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := larkcontact.NewFindByDepartmentUserReqBuilder().DepartmentId(tc.dept)
			if tc.userIDType != "" {
				b.UserIdType(tc.userIDType)
			}
			resp, err := o.e.client.Contact.User.FindByDepartment(context.Background(), b.Build())
			if err != nil || !resp.Success() {
				t.Fatalf("%v code %d", err, resp.Code)
			}
			var names []string
			for _, u := range resp.Data.Items {
				names = append(names, *u.Name)
				if tc.wantLeader != "" && (u.LeaderUserId == nil || *u.LeaderUserId != tc.wantLeader) {
					t.Errorf("leader_user_id %v, want %s", u.LeaderUserId, tc.wantLeader)
				}
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("users %v, want %v", names, tc.want)
			}
		})
	}
}

// TestFindByDepartmentIterator pages through the SDK's iterator.
func TestFindByDepartmentIterator(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	for range 23 {
		o.e.sim.MustAddUser(larksim.User{Name: "执法队员", DepartmentIDs: []string{o.police.OpenDepartmentID}})
	}
	it, err := o.e.client.Contact.User.FindByDepartmentByIterator(context.Background(),
		larkcontact.NewFindByDepartmentUserReqBuilder().DepartmentId(o.police.OpenDepartmentID).PageSize(10).Build())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		hasNext, u, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !hasNext {
			break
		}
		if *u.Name != "执法队员" {
			t.Errorf("user %s", *u.Name)
		}
		n++
	}
	if n != 23 {
		t.Errorf("%d users, want 23", n)
	}
	if got := o.e.sim.Stats().Requests[larksim.APIUserByDept]; got != 3 {
		t.Errorf("%d pages fetched, want 3", got)
	}
}

func TestGetUser(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	hidden := o.e.sim.MustAddUser(larksim.User{Name: "保密", OutOfContactScope: true})
	tests := []struct {
		name       string
		id         string
		idType     string
		wantLeader string
		wantCode   int
	}{
		{name: "OK", id: o.clerk.OpenID, wantLeader: o.chief.OpenID},
		{name: "ByUserID", id: o.clerk.UserID, idType: "user_id", wantLeader: o.chief.UserID},
		{name: "Unknown", id: "ou_nobody", wantCode: larksim.CodeOpenIDCrossApp},
		{name: "OutOfScope", id: hidden.OpenID, wantCode: larksim.CodeNoUserAuthority},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := larkcontact.NewGetUserReqBuilder().UserId(tc.id)
			if tc.idType != "" {
				b.UserIdType(tc.idType)
			}
			resp, err := o.e.client.Contact.User.Get(context.Background(), b.Build())
			if err != nil {
				t.Fatal(err)
			}
			if resp.Code != tc.wantCode {
				t.Fatalf("code %d, want %d", resp.Code, tc.wantCode)
			}
			if tc.wantCode != 0 {
				return
			}
			u := resp.Data.User
			if *u.OpenId != o.clerk.OpenID || *u.Name != "科员" || *u.LeaderUserId != tc.wantLeader ||
				*u.JobTitle != "科员" || u.DepartmentIds[0] != o.general.OpenDepartmentID || *u.Status.IsResigned {
				t.Errorf("user %+v", u)
			}
		})
	}
}

func TestChats(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	a, b := e.user(t, "甲"), e.user(t, "乙")
	e.sim.MustAddChat(larksim.Chat{Name: "无机器人", Members: []string{a.OpenID}})
	ctx := context.Background()

	created, err := e.client.Im.Chat.Create(ctx, larkim.NewCreateChatReqBuilder().UserIdType("open_id").
		Body(larkim.NewCreateChatReqBodyBuilder().Name("公示群").OwnerId(a.OpenID).UserIdList([]string{b.OpenID}).Build()).Build())
	if err != nil || !created.Success() {
		t.Fatalf("create: %v %+v", err, created)
	}
	chatID := *created.Data.ChatId
	if *created.Data.OwnerId != a.OpenID || *created.Data.Name != "公示群" {
		t.Errorf("created %+v", created.Data)
	}
	if r := e.send(t, "chat_id", chatID, "text", textContent("公示"), ""); !r.Success() {
		t.Errorf("send to the new chat: code %d", r.Code)
	}

	list, err := e.client.Im.Chat.List(ctx, larkim.NewListChatReqBuilder().Build())
	if err != nil || !list.Success() || len(list.Data.Items) != 1 || *list.Data.Items[0].ChatId != chatID || *list.Data.HasMore {
		t.Fatalf("list: %v %+v", err, list)
	}

	var members []string
	token := ""
	for {
		req := larkim.NewGetChatMembersReqBuilder().ChatId(chatID).PageSize(1)
		if token != "" {
			req.PageToken(token)
		}
		resp, err := e.client.Im.ChatMembers.Get(ctx, req.Build())
		if err != nil || !resp.Success() {
			t.Fatalf("members: %v %+v", err, resp)
		}
		if *resp.Data.MemberTotal != 2 {
			t.Errorf("member_total %d", *resp.Data.MemberTotal)
		}
		for _, m := range resp.Data.Items {
			members = append(members, *m.Name)
		}
		if !*resp.Data.HasMore {
			break
		}
		token = *resp.Data.PageToken
	}
	if !slices.Equal(members, []string{"甲", "乙"}) {
		t.Errorf("members %v", members)
	}
}

func TestChatMembersErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	a := e.user(t, "甲")
	noBot := e.sim.MustAddChat(larksim.Chat{Members: []string{a.OpenID}})
	gone := e.sim.MustAddChat(larksim.Chat{Members: []string{a.OpenID}, BotMember: true, Dissolved: true})
	tests := []struct {
		name, chat string
		token      string
		want       int
	}{
		{name: "Unknown", chat: "oc_x", want: larksim.CodeChatIDInvalid},
		{name: "BotNotIn", chat: noBot.ChatID, want: larksim.CodeOperatorNotInChat},
		{name: "Dissolved", chat: gone.ChatID, want: larksim.CodeChatDissolved},
		{name: "ForgedPageToken", chat: gone.ChatID, token: "bm90LWEtdG9rZW4", want: larksim.CodeChatBadParam},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := larkim.NewGetChatMembersReqBuilder().ChatId(tc.chat)
			if tc.token != "" {
				req.PageToken(tc.token)
			}
			resp, err := e.client.Im.ChatMembers.Get(context.Background(), req.Build())
			if err != nil {
				t.Fatal(err)
			}
			if resp.Code != tc.want {
				t.Errorf("code %d, want %d", resp.Code, tc.want)
			}
		})
	}
}
