//! Lists that people sort and page, the forms that offer only what may be done, an account's own
//! page and the province's port, as officials and administrators meet them over HTTP: on SQLite
//! and PostgreSQL.

use crate::support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{add_user, assert_problem, call, enrolled, spawn_app, TestApp};
use zhichan_domain::accounts::Role;
use zhichan_service::Services;
use zhichan_testkit::{on_both_backends, Fresh};

/// The demo's three firms, four products and logins, with the administrators enrolled.
async fn demo(fresh: &Fresh) -> TestApp {
    Services::new(fresh.db.clone())
        .prepare_demo()
        .await
        .unwrap();
    for u in ["xitong", "anquan", "shenji"] {
        enrolled(fresh, u).await;
    }
    spawn_app(fresh).await
}

/// A list's items as the API answers them under `sort`, every page of 2 joined (so that the
/// order is also seen to hold from one page to the next).
async fn sorted(app: &TestApp, token: &str, path: &str, sort: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let (status, whole) = call(
        app,
        reqwest::Method::GET,
        &format!("{path}{sep}sort={sort}&per_page=200"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{path} sort={sort}: {whole}");
    let whole = whole["items"].as_array().unwrap().clone();
    let mut paged = Vec::new();
    for page in 1..=whole.len().div_ceil(2) {
        let (_, body) = call(
            app,
            reqwest::Method::GET,
            &format!("{path}{sep}sort={sort}&per_page=2&page={page}"),
            token,
            None,
        )
        .await;
        paged.extend(body["items"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(
        paged, whole,
        "{path} sort={sort}: pages of 2 keep the order"
    );
    // The product list in order of change or name also pages by the cursor each full page
    // gives: the same items, without the pages before being counted again.
    if path.starts_with("/api/v1/products") && !sort.ends_with("submitted") {
        let mut walked = Vec::new();
        let mut cursor = String::new();
        loop {
            let (status, body) = call(
                app,
                reqwest::Method::GET,
                &format!("{path}{sep}sort={sort}&per_page=2{cursor}"),
                token,
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            walked.extend(body["items"].as_array().unwrap().iter().cloned());
            match body["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(
            walked, whole,
            "{path} sort={sort}: cursor pages keep the order"
        );
    }
    whole
}

/// Checks that `key` orders a list both ways: the field rises (or falls) from item to item,
/// and the descending list is the ascending one reversed.
async fn orders(app: &TestApp, token: &str, path: &str, key: &str, field: &str) {
    let up = sorted(app, token, path, key).await;
    let down = sorted(app, token, path, &format!("-{key}")).await;
    assert!(up.len() >= 2, "{path}: a list of at least two to sort");
    let values: Vec<String> = up
        .iter()
        .filter(|i| !i[field].is_null())
        .map(|i| match &i[field] {
            Value::String(s) => s.clone(),
            v => format!("{:020}", v.as_i64().unwrap()),
        })
        .collect();
    let mut want = values.clone();
    want.sort();
    assert_eq!(values, want, "{path} sort={key} rises by {field}");
    let mut reversed = down.clone();
    reversed.reverse();
    assert_eq!(up, reversed, "{path} sort=-{key} is sort={key} reversed");
}

async fn an_official_sorts_each_list_both_ways_and_a_wrong_key_is_named(fresh: Fresh) {
    let app = demo(&fresh).await;
    let reviewer = app.token(&fresh, "shenhe").await;
    let sysadmin = app.token(&fresh, "xitong").await;
    let auditor = app.token(&fresh, "shenji").await;
    let office = app.token(&fresh, "fuzhou").await;

    // The national reviewer's products by name, last change and submission; enterprises by
    // name and last change; the system administrator's accounts; the auditor's log.
    orders(&app, &reviewer, "/api/v1/products", "name", "name").await;
    orders(&app, &reviewer, "/api/v1/products", "updated", "updated_at").await;
    orders(
        &app,
        &reviewer,
        "/api/v1/products",
        "submitted",
        "submitted_at",
    )
    .await;
    orders(&app, &reviewer, "/api/v1/enterprises", "name", "name").await;
    orders(
        &app,
        &reviewer,
        "/api/v1/enterprises",
        "updated",
        "updated_at",
    )
    .await;
    orders(&app, &sysadmin, "/api/v1/users", "name", "username").await;
    orders(&app, &sysadmin, "/api/v1/users", "created", "created_at").await;
    orders(&app, &auditor, "/api/v1/audit", "time", "seq").await;
    let newest = sorted(&app, &reviewer, "/api/v1/products", "-updated").await;
    // Without `sort` each list keeps its own order: the newest change first.
    let (_, own) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/products?per_page=200",
        &reviewer,
        None,
    )
    .await;
    assert_eq!(own["items"].as_array().unwrap(), &newest);
    // A cursor is refused when it is not one the list gave, or was given for another order
    // (the order by submission pages with `page` only).
    let (_, first) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/products?per_page=1",
        &reviewer,
        None,
    )
    .await;
    let cursor = first["next_cursor"].as_str().expect("a full page's cursor");
    let forged = |value: &str| {
        let hex: String = value.bytes().map(|b| format!("{b:02x}")).collect();
        format!("cursor=ud1.{hex}")
    };
    for query in [
        "cursor=zz".to_string(),
        format!("cursor={cursor}&sort=name"),
        format!("cursor={cursor}&sort=submitted"),
        // Well formed, but holding no time a row could have: it would skip every product.
        forged("zzzz"),
        forged("2026-13-45T99:00:00.000Z"),
    ] {
        let (status, body) = call(
            &app,
            reqwest::Method::GET,
            &format!("/api/v1/products?{query}"),
            &reviewer,
            None,
        )
        .await;
        let errors = assert_problem(status, &body, 422);
        assert_eq!(
            errors,
            [("cursor".to_string(), "invalid".to_string())],
            "{query}"
        );
    }

    // A cursor and a page number together contradict each other: refused, never an empty page.
    let (status, body) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/products?per_page=1&cursor={cursor}&page=3"),
        &reviewer,
        None,
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("page".to_string(), "page_with_cursor".to_string())]
    );

    // A key a list lacks is refused with the field and the keys it has, on every list.
    for (path, token, names, key) in [
        ("/api/v1/products", &reviewer, "产品名称", "name"),
        ("/api/v1/enterprises", &reviewer, "企业名称", "updated"),
        ("/api/v1/users", &sysadmin, "用户名", "created"),
        ("/api/v1/verifications", &reviewer, "单位名称", "name"),
        ("/api/v1/directories", &office, "名录名称", "listed"),
        ("/api/v1/audit", &auditor, "时间", "time"),
    ] {
        let (status, body) = call(
            &app,
            reqwest::Method::GET,
            &format!("{path}?sort=credit_code"),
            token,
            None,
        )
        .await;
        let errors = assert_problem(status, &body, 422);
        assert_eq!(
            errors,
            [("sort".to_string(), "invalid_sort".to_string())],
            "{path}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(names), "{path}: {message}");
        // Each key it has is taken.
        let (status, _) = call(
            &app,
            reqwest::Method::GET,
            &format!("{path}?sort=-{key}"),
            token,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }

    // The document lists the values `sort` takes.
    let (_, doc) = app.get_json("/api/v1/openapi.json").await;
    let params = doc["paths"]["/api/v1/products"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let sort = params.iter().find(|p| p["name"] == "sort").unwrap();
    assert_eq!(
        sort["schema"]["enum"],
        json!([
            "name",
            "-name",
            "updated",
            "-updated",
            "submitted",
            "-submitted"
        ])
    );
    app.stop().await;
}
on_both_backends!(an_official_sorts_each_list_both_ways_and_a_wrong_key_is_named);

async fn a_reviewer_sorts_a_page_by_its_headers_and_keeps_the_page_size(fresh: Fresh) {
    let app = demo(&fresh).await;
    let reviewer = app.token(&fresh, "shenhe").await;

    // The product list by name, 50 a page: the header says so and the rows follow it…
    let (status, page) = app
        .page_as("/products?sort=name&per_page=50", &reviewer)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(r#"<th scope="col" aria-sort="ascending"><a class="sort" href="/products?sort=-name&amp;per_page=50">产品名称"#),
        "{page}"
    );
    let names: Vec<String> = sorted(&app, &reviewer, "/api/v1/products", "name")
        .await
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    let at: Vec<usize> = names
        .iter()
        .map(|n| page.find(&format!(">{n}</a>")).expect(n))
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "rows by name: {names:?}"
    );
    // …the other headers sort too, newest first for a time, keeping the page size…
    assert!(page.contains(r#"href="/products?sort=-updated&amp;per_page=50">更新时间"#));
    // …and so do the page-size links, the export and the filter form.
    assert!(page.contains(r#"<strong aria-current="true">50</strong>"#));
    assert!(page.contains(r#"href="/products?sort=name&amp;per_page=100">100</a>"#));
    assert!(page.contains(r#"href="/products?sort=name">20</a>"#));
    assert!(page.contains(r#"/api/v1/products?format=xlsx&amp;sort=name&amp;per_page=50""#));
    assert!(page.contains(r#"<input type="hidden" name="sort" value="name"><input type="hidden" name="per_page" value="50">"#));

    // A filter stays in the header links and the pager, and the pager keeps the size.
    let (_, page) = app
        .page_as(
            "/products?status=approved&q=%E7%B2%BE&per_page=50",
            &reviewer,
        )
        .await;
    assert!(
        page.contains(r#"href="/products?status=approved&amp;q=%E7%B2%BE&amp;sort=name&amp;per_page=50">产品名称"#),
        "{page}"
    );
    // By default the list is newest first, and its header says that.
    assert!(page.contains(r#"<th scope="col" aria-sort="descending"><a class="sort" href="/products?status=approved&amp;q=%E7%B2%BE&amp;sort=updated&amp;per_page=50">更新时间"#), "{page}");
    let (_, page) = app
        .page_as("/products?per_page=1&sort=name", &reviewer)
        .await;
    assert!(
        page.contains(r#"href="/products?sort=name&amp;per_page=1&amp;page=2">下一页</a>"#),
        "{page}"
    );

    // The review queue is oldest submission first until asked otherwise.
    let (_, page) = app.page_as("/products?status=submitted", &reviewer).await;
    assert!(page.contains(r#"<th scope="col" aria-sort="ascending"><a class="sort" href="/products?status=submitted&amp;sort=-submitted">审核时限"#), "{page}");

    // A wrong key is a page that says what went wrong, not a list in some order.
    let (status, page) = app.page_as("/products?sort=price", &reviewer).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!page.contains("<table"), "{page}");

    // The other sortable pages sort by their headers as well.
    let sysadmin = app.token(&fresh, "xitong").await;
    let auditor = app.token(&fresh, "shenji").await;
    let office = app.token(&fresh, "fuzhou").await;
    for (path, token, header) in [
        ("/enterprises?sort=-name", &reviewer, "企业名称"),
        ("/admin/users?sort=-name", &sysadmin, "用户名"),
        ("/audit?sort=-time", &auditor, "时间（北京时间）"),
        ("/reviews/verifications?sort=-name", &reviewer, "单位名称"),
    ] {
        let (status, page) = app.page_as(path, token).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let th = format!(
            r#"aria-sort="descending"><a class="sort" href="{}"#,
            path.split('?').next().unwrap()
        );
        let at = page.find(&th).unwrap_or_else(|| panic!("{path}: {page}"));
        let cell = &page[at..at + page[at..].find("</th>").unwrap()];
        assert!(cell.contains(header), "{path}: {cell}");
    }
    let (status, page) = app.page_as("/directories?sort=name", &office).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("重点名录"));
    app.stop().await;
}
on_both_backends!(a_reviewer_sorts_a_page_by_its_headers_and_keeps_the_page_size);

/// The `value`s of the options of the `<select>` with this id.
fn options(page: &str, id: &str) -> Vec<String> {
    let Some(start) = page.find(&format!(r#"<select id="{id}""#)) else {
        return vec![];
    };
    let end = start + page[start..].find("</select>").unwrap();
    page[start..end]
        .split(r#"<option value=""#)
        .skip(1)
        .map(|o| o.split('"').next().unwrap().to_string())
        .collect()
}

async fn the_forms_offer_exactly_the_roles_each_administrator_may_give(fresh: Fresh) {
    let app = demo(&fresh).await;
    let sysadmin = app.token(&fresh, "xitong").await;
    let secadmin = app.token(&fresh, "anquan").await;

    // The roles each administrator's creation form offers…
    let (_, sys_page) = app.page_as("/admin/users", &sysadmin).await;
    let (_, sec_page) = app.page_as("/admin/users", &secadmin).await;
    let offered_sys = options(&sys_page, "n-role");
    let offered_sec = options(&sec_page, "n-role");
    assert!(!offered_sys.is_empty(), "{sys_page}");
    // …are exactly those the service creates for them.
    for (token, offered, who) in [
        (&sysadmin, &offered_sys, "sysadmin"),
        (&secadmin, &offered_sec, "secadmin"),
    ] {
        let mut creatable = Vec::new();
        for (i, role) in Role::ALL.iter().enumerate() {
            let (status, body) = call(
                &app,
                reqwest::Method::POST,
                "/api/v1/users",
                token,
                Some(json!({
                    "username": format!("{who}.new{i}"),
                    "display_name": "新账号",
                    "role": role.as_str(),
                    "region": "361000",
                    "contact": format!("new{i}@example.cn"),
                })),
            )
            .await;
            match status {
                StatusCode::CREATED => creatable.push(role.as_str().to_string()),
                StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY => {}
                other => panic!("{who} creating {role:?}: {other} {body}"),
            }
        }
        assert_eq!(offered, &creatable, "{who}: offered == creatable");
    }
    // None of the three administrators' roles nor an enterprise's is offered to anyone.
    assert!(!offered_sys
        .iter()
        .any(|r| ["sysadmin", "secadmin", "auditor", "enterprise"].contains(&r.as_str())));
    assert!(
        offered_sec.is_empty(),
        "the security administrator creates no account"
    );

    // The security administrator's grant form offers exactly the roles the service grants.
    let (_, list) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/users?q=sysadmin.new",
        &secadmin,
        None,
    )
    .await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    // The list leads to the account's grant form, where the region is picked by name.
    let (_, sec_page) = app.page_as("/admin/users?q=sysadmin.new", &secadmin).await;
    assert!(
        sec_page.contains(&format!(r##"href="/admin/users/{id}#grant""##)),
        "{sec_page}"
    );
    let (_, detail) = app.page_as(&format!("/admin/users/{id}"), &secadmin).await;
    let grant_offered = options(&detail, "g-role");
    assert!(detail.contains(r#"data-picker="region""#), "{detail}");
    let mut grantable = Vec::new();
    for role in Role::ALL {
        let (_, user) = call(
            &app,
            reqwest::Method::GET,
            &format!("/api/v1/users/{id}"),
            &secadmin,
            None,
        )
        .await;
        let (status, body) = call(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/users/{id}/grant"),
            &secadmin,
            Some(json!({"role": role.as_str(), "region": "361000", "version": user["version"]})),
        )
        .await;
        match status {
            StatusCode::OK => grantable.push(role.as_str().to_string()),
            StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY => {}
            other => panic!("granting {role:?}: {other} {body}"),
        }
    }
    assert_eq!(grant_offered, grantable);
    let (_, sys_page) = app.page_as("/admin/users?q=sysadmin.new", &sysadmin).await;
    assert!(sys_page.contains(&format!("/admin/users/{id}")));
    assert!(options(&sys_page, &format!("g-role-{id}")).is_empty());
    app.stop().await;
}
on_both_backends!(the_forms_offer_exactly_the_roles_each_administrator_may_give);

async fn an_administrator_opens_an_account_from_the_list_and_sees_what_it_may_do(fresh: Fresh) {
    let app = demo(&fresh).await;
    let sysadmin = app.token(&fresh, "xitong").await;
    let secadmin = app.token(&fresh, "anquan").await;
    // The city office has logged in once, from a browser.
    let res = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "fuzhou", "password": zhichan_service::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, list) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/users?q=fuzhou",
        &sysadmin,
        None,
    )
    .await;
    let id = list["items"][0]["id"].as_i64().unwrap();

    // The list links to the account's page…
    let (_, page) = app.page_as("/admin/users?q=fuzhou", &sysadmin).await;
    assert!(
        page.contains(&format!(r#"<a href="/admin/users/{id}">fuzhou</a>"#)),
        "{page}"
    );
    // …which says who it is, its role and region by name, its status, last login and session…
    let (status, page) = app.page_as(&format!("/admin/users/{id}"), &sysadmin).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "fuzhou",
        "抚州市知识产权管理部门",
        "管理部门",
        "抚州市",
        "正常",
        "当前会话（1）",
        "127.0.0.1",
    ] {
        assert!(page.contains(text), "{text}: {page}");
    }
    assert!(!page.contains("从未登录"));
    assert!(!page.contains(">361000<"), "the region by its name");
    // …and the system administrator's actions on it, not the security administrator's.
    assert!(page.contains(r#"name="op" value="disable""#));
    assert!(page.contains(r#"name="op" value="reset""#));
    assert!(!page.contains("/grant"));
    let (_, page) = app.page_as(&format!("/admin/users/{id}"), &secadmin).await;
    assert!(page.contains(&format!(r#"action="/admin/users/{id}/grant""#)));
    assert!(!page.contains(r#"name="op" value="disable""#));

    // Nobody else's accounts are opened: an unknown one is 404, a reviewer is refused.
    let (status, _) = app.page_as("/admin/users/999999", &sysadmin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let reviewer = app.token(&fresh, "shenhe").await;
    let (status, _) = app.page_as(&format!("/admin/users/{id}"), &reviewer).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A three administrators' account shows no action to another of them.
    let (_, list) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/users?q=anquan",
        &sysadmin,
        None,
    )
    .await;
    let sec_id = list["items"][0]["id"].as_i64().unwrap();
    let (_, page) = app
        .page_as(&format!("/admin/users/{sec_id}"), &sysadmin)
        .await;
    assert!(page.contains("您对此账号没有可进行的操作"), "{page}");
    assert!(page.contains("从未登录"));
    app.stop().await;
}
on_both_backends!(an_administrator_opens_an_account_from_the_list_and_sees_what_it_may_do);

async fn the_province_s_port_is_applied_for_by_its_own_office(fresh: Fresh) {
    // A city office is set up first, which opens its province's port on the way.
    add_user(&fresh, "adm.fz", "admin", Some("361000"), None).await;
    add_user(&fresh, "adm.jx", "admin", Some("360000"), None).await;
    enrolled(&fresh, "adm.jx").await;
    let app = spawn_app(&fresh).await;
    let province = app.token(&fresh, "adm.jx").await;
    let (status, page) = app.page_as("/ports", &province).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("申请单位：<bdi>江西省知识产权管理部门</bdi>；"),
        "{page}"
    );
    // The city's own port keeps the unit it was opened for.
    let city = app.token(&fresh, "adm.fz").await;
    let (_, page) = app.page_as("/ports", &city).await;
    assert!(page.contains("申请单位：<bdi>测试</bdi>；"), "{page}");
    app.stop().await;
}
on_both_backends!(the_province_s_port_is_applied_for_by_its_own_office);
