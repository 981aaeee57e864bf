//! Views from outside: the ticket list's filters and sorts (with cursor pages in every order), the built-in views
//! with exact counts, saved views private and shared between two agents, bad filters refused by name, and other
//! accounts kept out.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use parley_domain::account::AccountSlug;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The subjects of a page of tickets, in order.
fn subjects(page: &Value) -> Vec<String> {
    page["tickets"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap().to_string()).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Every page of a list, following `meta.after_cursor`: the subjects in order.
async fn all_pages(app: &TestApp, a: &TestAccount, path: &str) -> (Vec<String>, usize) {
    let (mut out, mut pages, mut after) = (Vec::new(), 0, None::<String>);
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &after {
            Some(c) => format!("{path}{sep}page[after]={c}"),
            None => path.to_string(),
        };
        let (s, page) = app.api(a, Method::GET, &url, None).await;
        assert_eq!(s, StatusCode::OK, "{url}: {page}");
        out.extend(subjects(&page));
        pages += 1;
        match page["meta"]["after_cursor"].as_str() {
            Some(c) => after = Some(c.to_string()),
            None => break,
        }
        assert!(pages < 20, "paging does not end");
    }
    (out, pages)
}

/// The fields named in a 422 problem.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

async fn filters_sorts_and_views(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let ctx = app.app.regions.context(&AccountSlug::parse("acme").unwrap()).await.unwrap();

    // The owner's key is the owner's ("me"); Kim, an agent, gets a key of her own.
    let (_, agents) = app.api(&a, Method::GET, "/agents", None).await;
    let owner = agents["agents"][0]["id"].as_str().unwrap().to_string();
    let (s, kim) = app
        .api(&a, Method::POST, "/agents", Some(json!({"email": "kim@acme.example", "name": "Kim", "role": "agent"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{kim}");
    let kim_id = kim["agent"]["id"].as_str().unwrap().to_string();
    let kim_agent = ctx.store.get_agent(ctx.account_id, kim_id.parse().unwrap()).await.unwrap().unwrap();
    let (key, secret) = parley_app::auth::new_api_key(ctx.account_id, "Kim's", Some(kim_agent.id));
    ctx.store.create_api_key(&key).await.unwrap();
    let k = TestAccount { slug: "acme".into(), api_key: secret, email: a.email.clone(), password: a.password.clone() };

    let (_, dept) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    let dept = dept["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .api(
            &a,
            Method::POST,
            "/ticket-fields",
            Some(json!({"key": "plan", "label": "Plan", "type": "dropdown", "options": ["gold", "silver"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .api(&a, Method::POST, "/ticket-fields", Some(json!({"key": "seats", "label": "Seats", "type": "number"})))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, corp) = app.api(&a, Method::POST, "/companies", Some(json!({"name": "Corp", "domains": []}))).await;
    assert_eq!(s, StatusCode::CREATED, "{corp}");
    let corp = corp["id"].as_str().unwrap().to_string();
    let (s, bob) = app
        .api(
            &a,
            Method::POST,
            "/contacts",
            Some(json!({"email": "bob@corp.example", "name": "Bob", "company_id": corp})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{bob}");

    // Tickets in known states, opened one after another (so created_at follows the alphabet).
    let specs = [
        (
            "Alpha",
            json!({"status": "new", "priority": "urgent", "assignee_id": owner, "department_id": dept,
            "custom_fields": {"plan": "gold", "seats": 5}, "tags": ["vip"], "requester": {"email": "bob@corp.example"}}),
        ),
        ("Bravo", json!({"status": "open", "priority": "low", "assignee_id": owner})),
        (
            "Charlie",
            json!({"status": "open", "priority": "high", "department_id": dept, "custom_fields": {"plan": "silver"}}),
        ),
        ("Delta", json!({"status": "pending"})),
        ("Echo", json!({"status": "resolved", "assignee_id": kim_id})),
        ("Foxtrot", json!({"status": "closed"})),
        ("Golf", json!({"status": "new", "channel": "chat"})),
        ("Hotel", json!({"status": "open", "channel": "chat", "assignee_id": kim_id})),
        ("India", json!({"status": "new"})),
    ];
    let mut created = Vec::new();
    for (subject, extra) in specs {
        let mut body = json!({"subject": subject, "message": {"body": "Hello"},
            "requester": {"email": "jane@example.com", "name": "Jane"}});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, t) = app.api(&a, Method::POST, "/tickets", Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        created.push(t);
    }
    // Another account's tickets are never counted.
    let g = app.account("globex", "eu").await;
    app.ticket(&g, "Globex open", "Hi", "x@globex.example").await;

    let list = |q: &str| {
        let q = q.to_string();
        let (app, a) = (&app, &a);
        async move {
            let (s, page) = app.api(a, Method::GET, &format!("/tickets?{q}"), None).await;
            assert_eq!(s, StatusCode::OK, "{q}: {page}");
            sorted(subjects(&page))
        }
    };
    let set = |names: &[&str]| sorted(names.iter().map(|s| s.to_string()).collect());

    // Each filter alone, and the old ones as they were.
    assert_eq!(list("priority=high,urgent").await, set(&["Alpha", "Charlie"]));
    assert_eq!(list("assignee=me").await, set(&["Alpha", "Bravo"]));
    assert_eq!(list(&format!("assignee={owner}")).await, set(&["Alpha", "Bravo"]));
    assert_eq!(list("assignee=none&status=new,open").await, set(&["Charlie", "Golf", "India"]));
    assert_eq!(list("assignee=any&status=open").await, set(&["Bravo", "Hotel"]));
    assert_eq!(list(&format!("department={dept}")).await, set(&["Alpha", "Charlie"]));
    assert_eq!(list("department=none&status=new").await, set(&["Golf", "India"]));
    assert_eq!(list("tag=vip").await, set(&["Alpha"]));
    assert_eq!(list("channel=chat").await, set(&["Golf", "Hotel"]));
    assert_eq!(list("requester=bob@corp.example").await, set(&["Alpha"]));
    assert_eq!(list(&format!("requester={}", bob["id"].as_str().unwrap())).await, set(&["Alpha"]));
    assert_eq!(list(&format!("company={corp}")).await, set(&["Alpha"]));
    assert_eq!(list("field[plan]=gold").await, set(&["Alpha"]));
    assert_eq!(list("field[plan]=silver").await, set(&["Charlie"]));
    assert_eq!(list("field[seats]=5").await, set(&["Alpha"]));
    assert_eq!(list("field[seats]=5.0").await, set(&["Alpha"]));
    assert_eq!(list("field[seats]=6").await, Vec::<String>::new());
    // Created and updated ranges: from Echo's time on (inclusive), and before it (exclusive).
    let echo_at = created[4]["created_at"].as_str().unwrap().to_string();
    let enc = |s: &str| s.replace(':', "%3A").replace('+', "%2B");
    let from_echo = list(&format!("created_after={}", enc(&echo_at))).await;
    let before_echo = list(&format!("created_before={}", enc(&echo_at))).await;
    assert!(from_echo.contains(&"Echo".to_string()) && !before_echo.contains(&"Echo".to_string()));
    assert_eq!(from_echo.len() + before_echo.len(), 9, "{from_echo:?} {before_echo:?}");
    assert!(before_echo.contains(&"Alpha".to_string()) && from_echo.contains(&"India".to_string()));
    let upd_from = list(&format!("updated_after={}", enc(&echo_at))).await;
    let upd_before = list(&format!("updated_before={}", enc(&echo_at))).await;
    assert_eq!(upd_from.len() + upd_before.len(), 9);
    assert_eq!(list("created_after=2000-01-01T00:00:00Z&created_before=2000-01-02T00:00:00Z").await.len(), 0);
    // Filters together.
    assert_eq!(
        list(&format!("status=new,open&priority=urgent,high&department={dept}&field[plan]=gold")).await,
        set(&["Alpha"])
    );

    // Sorts, each across pages of 2: every ticket once, in order.
    let (by_subject, pages) = all_pages(&app, &a, "/tickets?sort=subject&page[size]=2").await;
    assert_eq!(by_subject, ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India"]);
    assert_eq!(pages, 5);
    let (desc, _) = all_pages(&app, &a, "/tickets?sort=-subject&page[size]=4").await;
    assert_eq!(desc, by_subject.iter().rev().cloned().collect::<Vec<_>>());
    let (by_number, _) = all_pages(&app, &a, "/tickets?sort=number&page[size]=2").await;
    assert_eq!(by_number, by_subject);
    let (by_created, _) = all_pages(&app, &a, "/tickets?sort=-created_at&page[size]=3").await;
    assert_eq!(by_created, desc);
    let (by_priority, _) = all_pages(&app, &a, "/tickets?sort=-priority&page[size]=2").await;
    assert_eq!(by_priority.len(), 9);
    assert_eq!(&by_priority[..2], ["Alpha", "Charlie"], "urgent, then high: {by_priority:?}");
    assert_eq!(by_priority[8], "Bravo", "low last: {by_priority:?}");
    let (by_status, _) = all_pages(&app, &a, "/tickets?sort=status&page[size]=2").await;
    assert_eq!(sorted(by_status[..3].to_vec()), set(&["Alpha", "Golf", "India"]), "new first: {by_status:?}");
    assert_eq!(by_status[8], "Foxtrot", "closed last: {by_status:?}");
    // By names kept outside the ticket (nobody's first, ties in the order they were opened) and by channel.
    let owner_name = agents["agents"][0]["name"].as_str().unwrap().to_string();
    assert!(owner_name.as_str() > "Kim", "the test's names sort as it expects: {owner_name}");
    let (by_assignee, _) = all_pages(&app, &a, "/tickets?sort=assignee&page[size]=2").await;
    assert_eq!(
        by_assignee,
        ["Charlie", "Delta", "Foxtrot", "Golf", "India", "Echo", "Hotel", "Alpha", "Bravo"],
        "nobody, then Kim, then {owner_name}"
    );
    let (by_assignee_desc, _) = all_pages(&app, &a, "/tickets?sort=-assignee&page[size]=3").await;
    assert_eq!(by_assignee_desc, by_assignee.iter().rev().cloned().collect::<Vec<_>>());
    let (by_department, _) = all_pages(&app, &a, "/tickets?sort=department&page[size]=2").await;
    assert_eq!(by_department, ["Bravo", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Alpha", "Charlie"]);
    let (by_requester, _) = all_pages(&app, &a, "/tickets?sort=-requester&page[size]=4").await;
    assert_eq!(by_requester.last().map(String::as_str), Some("Alpha"), "Jane's before Bob's: {by_requester:?}");
    assert_eq!(by_requester[..8], by_subject[1..].iter().rev().cloned().collect::<Vec<_>>());
    let mut by_channel_expected: Vec<(String, String)> = created
        .iter()
        .map(|t| (t["channel"].as_str().unwrap().to_string(), t["subject"].as_str().unwrap().to_string()))
        .collect();
    by_channel_expected.sort_by(|x, y| x.0.cmp(&y.0));
    let (by_channel, _) = all_pages(&app, &a, "/tickets?sort=channel&page[size]=2").await;
    assert_eq!(by_channel, by_channel_expected.into_iter().map(|(_, s)| s).collect::<Vec<_>>());
    // A cursor of a name order is refused in a numeric one, and the other way round.
    let (_, p) = app.api(&a, Method::GET, "/tickets?sort=assignee&page[size]=2", None).await;
    let c = p["meta"]["after_cursor"].as_str().unwrap();
    let (s, _) = app.api(&a, Method::GET, &format!("/tickets?sort=-updated_at&page[after]={c}"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The default order and page shape are as they were.
    let (s, page) = app.api(&a, Method::GET, "/tickets?page[size]=2", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(subjects(&page), ["India", "Hotel"]);
    assert_eq!(page["meta"]["has_more"], true);
    assert!(page["links"]["next"].as_str().unwrap().contains("page%5Bafter%5D="));
    // A cursor of one order is refused in another.
    let (_, p) = app.api(&a, Method::GET, "/tickets?sort=subject&page[size]=2", None).await;
    let c = p["meta"]["after_cursor"].as_str().unwrap();
    let (s, e) = app.api(&a, Method::GET, &format!("/tickets?sort=number&page[after]={c}"), None).await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["page[after]".to_string()]));

    // Bad filters name the parameter.
    for (q, field) in [
        ("field[nope]=1", "field[nope]"),
        ("field[seats]=many", "field[seats]"),
        ("field[plan]=bronze", "field[plan]"),
        ("priority=extreme", "priority"),
        ("created_after=yesterday", "created_after"),
        ("sort=-colour", "sort"),
        ("assignee=someone", "assignee"),
        ("company=acme", "company"),
    ] {
        let (s, e) = app.api(&a, Method::GET, &format!("/tickets?{q}"), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {e}");
        assert_eq!(fields(&e), vec![field.to_string()], "{q}");
    }

    // Built-in views, with exact counts, for the owner and for Kim.
    let counts = |views: &Value| -> Vec<(String, u64)> {
        views["views"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["id"].as_str().unwrap().to_string(), v["count"].as_u64().unwrap()))
            .collect()
    };
    let (s, views) = app.api(&a, Method::GET, "/views", None).await;
    assert_eq!(s, StatusCode::OK, "{views}");
    let expected: Vec<(String, u64)> = [
        ("my_open", 2),
        ("unassigned", 3),
        ("all_open", 6),
        ("new", 3),
        ("pending", 1),
        ("solved", 2),
        ("chats_waiting", 1),
        ("chats_active", 1),
    ]
    .iter()
    .map(|(id, n)| (id.to_string(), *n))
    .chain([(format!("department:{dept}"), 2)])
    .collect();
    assert_eq!(counts(&views), expected);
    assert!(views["views"].as_array().unwrap().iter().all(|v| v["capped"] == false && v["name"].is_string()));
    assert_eq!(views["views"][0]["kind"], "built_in");
    assert_eq!(views["views"][8]["kind"], "department");
    let (_, kims) = app.api(&k, Method::GET, "/views", None).await;
    assert_eq!(counts(&kims)[0], ("my_open".to_string(), 1));
    // A view's tickets: the same pages as the ticket list, with the count.
    let (s, page) = app.api(&a, Method::GET, "/views/all_open/tickets?page[size]=4", None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!((page["meta"]["count"].as_u64(), page["meta"]["capped"].as_bool()), (Some(6), Some(false)));
    let (all_open, pages) = all_pages(&app, &a, "/views/all_open/tickets?page[size]=4").await;
    assert_eq!((sorted(all_open), pages), (set(&["Alpha", "Bravo", "Charlie", "Golf", "Hotel", "India"]), 2));
    let (waiting, _) = all_pages(&app, &a, "/views/chats_waiting/tickets").await;
    assert_eq!(waiting, ["Golf"]);
    let (active, _) = all_pages(&app, &a, "/views/chats_active/tickets").await;
    assert_eq!(active, ["Hotel"]);
    let (solved, _) = all_pages(&app, &a, "/views/solved/tickets?sort=subject").await;
    assert_eq!(solved, ["Echo", "Foxtrot"]);
    let (team, _) = all_pages(&app, &a, &format!("/views/department:{dept}/tickets?sort=subject")).await;
    assert_eq!(team, ["Alpha", "Charlie"]);
    let (s, one) = app.api(&a, Method::GET, "/views/unassigned", None).await;
    assert_eq!((s, one["count"].as_u64(), one["sort"].as_str()), (StatusCode::OK, Some(3), Some("-updated_at")));
    for missing in ["/views/nope", "/views/nope/tickets", &format!("/views/department:{owner}")] {
        let (s, _) = app.api(&a, Method::GET, missing, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{missing}");
    }

    // Saved views: the owner's private one, and a shared one.
    let (s, mine) = app
        .api(
            &a,
            Method::POST,
            "/views",
            Some(json!({"name": "Gold and urgent",
            "filters": {"status": ["new", "open"], "priority": ["urgent"], "custom_fields": {"plan": "gold"}},
            "sort": "-priority", "columns": ["number", "subject", "priority"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{mine}");
    assert_eq!(
        (mine["kind"].as_str(), mine["count"].as_u64(), mine["shared"].as_bool()),
        (Some("saved"), Some(1), Some(false))
    );
    assert_eq!(mine["columns"], json!(["number", "subject", "priority"]));
    assert_eq!(mine["owner_id"].as_str(), Some(owner.as_str()));
    let mine_id = mine["id"].as_str().unwrap().to_string();
    let (s, shared) = app
        .api(
            &a,
            Method::POST,
            "/views",
            Some(json!({"name": "Team open", "shared": true,
            "filters": {"status": ["new", "open"], "department": dept, "assignee": "me"}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{shared}");
    assert_eq!((shared["count"].as_u64(), shared["sort"].as_str()), (Some(1), Some("-updated_at")));
    let shared_id = shared["id"].as_str().unwrap().to_string();
    let (_, page) = app.api(&a, Method::GET, &format!("/views/{mine_id}/tickets"), None).await;
    assert_eq!((subjects(&page), page["meta"]["count"].as_u64()), (vec!["Alpha".to_string()], Some(1)));
    // "me" in a shared view is whoever looks: Kim holds nothing in Billing.
    let (_, page) = app.api(&k, Method::GET, &format!("/views/{shared_id}/tickets"), None).await;
    assert_eq!((subjects(&page).len(), page["meta"]["count"].as_u64()), (0, Some(0)));
    // Kim sees the shared view, not the owner's private one; her own private view is hers.
    let ids = |v: &Value| -> Vec<String> {
        v["views"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect()
    };
    let (_, kims) = app.api(&k, Method::GET, "/views", None).await;
    assert!(ids(&kims).contains(&shared_id) && !ids(&kims).contains(&mine_id), "{kims}");
    for (m, path) in [(Method::GET, format!("/views/{mine_id}")), (Method::GET, format!("/views/{mine_id}/tickets"))] {
        let (s, _) = app.api(&k, m, &path, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) = app.api(&k, Method::PATCH, &format!("/views/{mine_id}"), Some(json!({"name": "Mine now"}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&k, Method::DELETE, &format!("/views/{mine_id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, hers) = app
        .api(
            &k,
            Method::POST,
            "/views",
            Some(json!({"name": "My chats", "filters": {"channel": "chat", "assignee": "me"}})),
        )
        .await;
    assert_eq!((s, hers["count"].as_u64()), (StatusCode::CREATED, Some(1)), "{hers}");
    let (_, owners) = app.api(&a, Method::GET, "/views", None).await;
    assert!(!ids(&owners).contains(&hers["id"].as_str().unwrap().to_string()));

    // Shared views are administrators' to make and change: an agent signed in as herself may not.
    let kim_caller = parley_app::Caller::Agent(kim_agent);
    let input = parley_app::views::ViewInput {
        name: "Kim's shared".into(),
        shared: true,
        filters: json!({}),
        sort: None,
        columns: None,
    };
    let refused = parley_app::views::create_view(&ctx, &kim_caller, input).await;
    assert!(matches!(refused, Err(parley_app::AppError::Forbidden(_))), "{:?}", refused.err());
    let patch = parley_app::views::ViewPatch { name: Some("Renamed".into()), ..Default::default() };
    let refused = parley_app::views::update_view(&ctx, &kim_caller, &shared_id, patch).await;
    assert!(matches!(refused, Err(parley_app::AppError::Forbidden(_))), "{:?}", refused.err());
    let refused = parley_app::views::delete_view(&ctx, &kim_caller, &shared_id).await;
    assert!(matches!(refused, Err(parley_app::AppError::Forbidden(_))), "{:?}", refused.err());

    // Changing and removing; shared views' changes are audited.
    let (s, changed) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/views/{mine_id}"),
            Some(json!({"name": "Silver",
            "filters": {"custom_fields": {"plan": "silver"}}, "sort": "subject"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    assert_eq!(
        (changed["name"].as_str(), changed["count"].as_u64(), changed["sort"].as_str()),
        (Some("Silver"), Some(1), Some("subject"))
    );
    assert_eq!(changed["filters"], json!({"custom_fields": {"plan": "silver"}}));
    let (s, changed) = app
        .api(&a, Method::PATCH, &format!("/views/{shared_id}"), Some(json!({"filters": {"status": ["pending"]}})))
        .await;
    assert_eq!((s, changed["count"].as_u64()), (StatusCode::OK, Some(1)));
    let (s, _) = app.api(&a, Method::DELETE, &format!("/views/{shared_id}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.api(&a, Method::GET, &format!("/views/{shared_id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=settings.changed", None).await;
    let on_view: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == format!("view:{shared_id}"))
        .map(|e| e["detail"]["view"].as_str().unwrap())
        .collect();
    assert_eq!(sorted(on_view.iter().map(|s| s.to_string()).collect()), set(&["changed", "created", "deleted"]));

    // Bad views are refused, naming the field.
    for (body, field) in [
        (json!({"name": "x", "filters": {"status": ["opn"]}}), "filters.status"),
        (json!({"name": "x", "filters": {"custom_fields": {"nope": "1"}}}), "filters.custom_fields.nope"),
        (json!({"name": "x", "filters": {"custom_fields": {"plan": "bronze"}}}), "filters.custom_fields.plan"),
        (json!({"name": "x", "filters": {"assignee": "0190d1e2-0000-7000-8000-000000000000"}}), "filters.assignee"),
        (json!({"name": "x", "filters": {"department": "0190d1e2-0000-7000-8000-000000000000"}}), "filters.department"),
        (json!({"name": "x", "filters": {"requester": "0190d1e2-0000-7000-8000-000000000000"}}), "filters.requester"),
        (json!({"name": "x", "filters": {"colour": "red"}}), "filters.colour"),
        (json!({"name": "x", "filters": {"created_after": "soon"}}), "filters.created_after"),
        (json!({"name": "x", "sort": "colour"}), "sort"),
        (json!({"name": "x", "columns": ["number", "colour"]}), "columns"),
        (json!({"name": ""}), "name"),
    ] {
        let (s, e) = app.api(&a, Method::POST, "/views", Some(body.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
        assert_eq!(fields(&e), vec![field.to_string()], "{body}");
    }

    // Another account: the views' ids are unknown there, and its counts hold its own tickets alone.
    for (m, path) in [
        (Method::GET, format!("/views/{mine_id}")),
        (Method::GET, format!("/views/{mine_id}/tickets")),
        (Method::PATCH, format!("/views/{mine_id}")),
        (Method::DELETE, format!("/views/{mine_id}")),
        (Method::GET, format!("/views/department:{dept}")),
        (Method::GET, format!("/views/department:{dept}/tickets")),
    ] {
        let body = (m == Method::PATCH).then(|| json!({"name": "Taken"}));
        let (s, _) = app.api(&g, m, &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, theirs) = app.api(&g, Method::GET, "/views", None).await;
    let theirs = counts(&theirs);
    assert_eq!(theirs.iter().find(|(id, _)| id == "all_open").map(|x| x.1), Some(1));
    assert_eq!(theirs.iter().find(|(id, _)| id == "solved").map(|x| x.1), Some(0));
    assert!(!theirs.iter().any(|(id, _)| id.starts_with("department:") || id == &mine_id));
    let (_, mine) = app.api(&a, Method::GET, &format!("/views/{mine_id}"), None).await;
    assert_eq!(mine["name"], "Silver", "another account's attempts changed nothing");
}

#[tokio::test]
async fn filters_sorts_and_views_on_sqlite() {
    filters_sorts_and_views(Engine::Sqlite).await;
}

#[tokio::test]
async fn filters_sorts_and_views_on_postgres() {
    filters_sorts_and_views(Engine::Postgres).await;
}
