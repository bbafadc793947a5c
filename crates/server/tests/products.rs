//! The registration flow over HTTP, as CONTRACT.md describes it, on both databases.

use crate::support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{add_user, assert_problem, assert_product_answers_agree, spawn_app};
use zhichan_testkit::{on_both_backends, Fresh};

const LINCHUAN: &str = "91361002MA35F6XK04";

async fn a_product_goes_from_draft_to_a_registration_number(fresh: Fresh) {
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    add_user(&fresh, "rev.fuzhou", "reviewer", Some("361000"), None).await;
    add_user(&fresh, "adm.nanchang", "admin", Some("360100"), None).await;
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "linchuan.tech").await;
    let reviewer = app.token(&fresh, "rev.fuzhou").await;
    let neighbour = app.token(&fresh, "adm.nanchang").await;
    let call = |method: reqwest::Method, path: &str, token: &str, body: Option<Value>| {
        let mut r = app.client.request(method, app.url(path)).bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send()
    };
    use reqwest::Method;
    let res = call(
        Method::POST,
        "/api/v1/enterprises",
        &firm,
        Some(json!({
            "credit_code": LINCHUAN, "name": "抚州市临川区示例科技有限公司", "scale": "small",
            "ownership": "private", "industry": "C39",
            "contact": {"name": "王芳", "phone": "0794-8888888"}
        })),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);

    let product = json!({
        "enterprise": LINCHUAN, "name": "智能数据采集终端", "model": "ZC-100", "field": "39",
        "first_sold_on": "2022-05-01",
        "figures": [{"year": 2025, "sales_revenue": "12345678.90", "output_value": "13000000"}],
        "patents": [{"number": "201910725275.4", "title": "一种数据采集装置",
                     "patentees": ["抚州市临川区示例科技有限公司"], "grant_date": "2021-03-02",
                     "legal_status": "valid", "right": "own", "core": true, "embodiment": "采集模块"}]
    });
    let mut none = product.clone();
    none["patents"] = json!([]);
    let res = call(Method::POST, "/api/v1/products", &firm, Some(none))
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(
        assert_problem(status, &res.json().await.unwrap(), 422),
        [("patents".to_string(), "missing_patent".to_string())]
    );

    let res = call(Method::POST, "/api/v1/products", &firm, Some(product))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let p: Value = res.json().await.unwrap();
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["status"], "draft");
    assert_eq!(p["figures"][0]["sales_revenue"], "12345678.90");
    assert_eq!(p["patents"][0]["number"], "ZL201910725275.4");

    let res = call(
        Method::POST,
        &format!("/api/v1/products/{id}/submit"),
        &firm,
        Some(json!({"version": 1})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let queue: Value = call(
        Method::GET,
        "/api/v1/products?status=submitted",
        &reviewer,
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(queue["total"], 1);
    let res = call(
        Method::GET,
        &format!("/api/v1/products/{id}"),
        &neighbour,
        None,
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = call(
        Method::POST,
        &format!("/api/v1/products/{id}/review"),
        &firm,
        Some(json!({"decision": "approve", "version": 2})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = call(
        Method::POST,
        &format!("/api/v1/products/{id}/review"),
        &reviewer,
        Some(json!({"decision": "return", "reason": "型号与说明书不一致", "version": 2})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = call(
        Method::PATCH,
        &format!("/api/v1/products/{id}"),
        &firm,
        Some(json!({"version": 3, "model": "ZC-100A"})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = call(
        Method::PATCH,
        &format!("/api/v1/products/{id}"),
        &firm,
        Some(json!({"version": 3, "model": "stale"})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    call(
        Method::POST,
        &format!("/api/v1/products/{id}/submit"),
        &firm,
        Some(json!({"version": 4})),
    )
    .await
    .unwrap();
    let res = call(
        Method::POST,
        &format!("/api/v1/products/{id}/review"),
        &reviewer,
        Some(json!({"decision": "approve", "version": 5})),
    )
    .await
    .unwrap();
    let approved: Value = res.json().await.unwrap();
    assert_eq!(approved["status"], "approved");
    assert_eq!(
        approved["registration_number"],
        "BA2026361002000001".replace("2026", &approved["reviewed_at"].as_str().unwrap()[..4])
    );

    let history: Value = call(
        Method::GET,
        &format!("/api/v1/products/{id}/history"),
        &firm,
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(history.as_array().unwrap().len(), 6);
    assert_eq!(history[0]["status"], "approved");
    assert_eq!(history[5]["product"]["model"], "ZC-100");
    assert_product_answers_agree(&app, &fresh, &firm).await;
    app.stop().await;
}
on_both_backends!(a_product_goes_from_draft_to_a_registration_number);

async fn an_enterprise_withdraws_an_approved_product_over_http(fresh: Fresh) {
    let s = zhichan_service::Services::new(fresh.db.clone());
    let report = s.prepare_demo().await.unwrap();
    assert!(report.products >= 3);
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "qiye").await;
    let other = app.token(&fresh, "dongxiang").await;
    let list: Value = app
        .client
        .get(app.url("/api/v1/products?status=approved"))
        .bearer_auth(&firm)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let p = &list["items"][0];
    let id = p["id"].as_i64().unwrap();
    let version = p["version"].as_i64().unwrap();
    let url = app.url(&format!("/api/v1/products/{id}/withdraw"));
    let res = app
        .client
        .post(&url)
        .bearer_auth(&other)
        .json(&json!({"version": version, "reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "another enterprise cannot see it"
    );
    let page = |token: &str| {
        app.client
            .get(app.url(&format!("/api/v1/products/{id}")))
            .bearer_auth(token.to_string())
            .send()
    };
    assert_eq!(page(&other).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(page(&firm).await.unwrap().status(), StatusCode::OK);
    let res = app
        .client
        .post(&url)
        .bearer_auth(&firm)
        .json(&json!({"version": version, "reason": ""}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(
        assert_problem(status, &res.json().await.unwrap(), 422),
        [("reason".to_string(), "required".to_string())]
    );
    let res = app
        .client
        .post(&url)
        .bearer_auth(&firm)
        .json(&json!({"version": version, "reason": "停产退市"}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "withdrawn");
    assert_eq!(body["registration_number"], p["registration_number"]);
    let nation = support::national_token(&app, &fresh).await;
    assert_product_answers_agree(&app, &fresh, &nation).await;
    app.stop().await;
}
on_both_backends!(an_enterprise_withdraws_an_approved_product_over_http);

/// The annual update, bulk review, notifications and rules over HTTP, in February 2027 with
/// the demo data (registered in 2026).
async fn the_yearly_cycle_over_http(fresh: Fresh) {
    use std::sync::Arc;
    use zhichan_domain::Timestamp;
    use zhichan_service::clock::ManualClock;
    let clock = Arc::new(ManualClock::at(
        Timestamp::parse("2026-11-20T02:00:00.000Z").unwrap(),
    ));
    let s = zhichan_service::Services::with_clock(fresh.db.clone(), clock.clone());
    s.prepare_demo().await.unwrap();
    add_user(&fresh, "admin.nation", "admin", Some("100000"), None).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    // A national administrator needs a second factor first; here it is taken as enrolled.
    use zhichan_store::Exec;
    fresh
        .db
        .execute(zhichan_store::Sql::new(
            "UPDATE users SET totp_enabled = TRUE, totp_secret = 'JBSWY3DPEHPK3PXP' \
             WHERE username = 'admin.nation'",
        ))
        .await
        .unwrap();
    let app = support::spawn_services(s, zhichan_server::Settings::default()).await;
    let firm = app.long_token(&fresh, "qiye").await;
    let reviewer = app.long_token(&fresh, "shenhe").await;
    let nation = app.long_token(&fresh, "admin.nation").await;
    let city = app.long_token(&fresh, "admin.fuzhou").await;
    let get = |path: &str, token: &str| {
        app.client
            .get(app.url(path))
            .bearer_auth(token.to_string())
            .send()
    };
    // A GET answered with JSON.
    let read = |path: &str, token: &str| {
        let answer = get(path, token);
        async move { answer.await.unwrap().json::<Value>().await.unwrap() }
    };
    let post = |path: &str, token: &str, body: Value| {
        app.client
            .post(app.url(path))
            .bearer_auth(token.to_string())
            .json(&body)
            .send()
    };

    // The queue answers each item's deadline in working days.
    let queue = read("/api/v1/products?status=submitted", &reviewer).await;
    let waiting = &queue["items"][0];
    assert!(waiting["review_due"].as_str().unwrap().starts_with("2026-"));
    assert!(waiting["overdue_working_days"].is_u64());
    // Bulk approval: one item at a stale version fails on its own.
    let id = waiting["id"].as_i64().unwrap();
    let version = waiting["version"].as_i64().unwrap();
    let res = post(
        "/api/v1/products/review",
        &reviewer,
        json!({"decision": "approve", "items": [{"id": id, "version": version - 1}, {"id": id, "version": version}]}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let out: Value = res.json().await.unwrap();
    assert_eq!(out[0]["ok"], false);
    assert_eq!(out[0]["problem"]["status"], 409);
    assert_eq!(out[1]["ok"], true);
    assert_eq!(out[1]["product"]["status"], "approved");
    let res = post(
        "/api/v1/products/review",
        &firm,
        json!({"decision": "approve", "items": [{"id": id, "version": version}]}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Outside the window the update is refused with the field and code.
    let mine = read("/api/v1/products?status=approved", &firm).await;
    let p = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["registered_on"].as_str().unwrap() < "2026-11-20" || p["id"] != id)
        .unwrap()
        .clone();
    let pid = p["id"].as_i64().unwrap();
    let body = json!({"year": 2026, "sales_revenue": "5100000.00", "output_value": "5300000.00",
                      "export_value": "100000.00", "profit": "420000.00", "ip_investment": "90000.00"});
    let res = post(
        &format!("/api/v1/products/{pid}/annual-updates"),
        &firm,
        body.clone(),
    )
    .await
    .unwrap();
    let status = res.status();
    assert_eq!(
        assert_problem(status, &res.json().await.unwrap(), 422),
        [("year".to_string(), "window_closed".to_string())]
    );
    // 1 February 2027: the window is open.
    clock.advance(time::Duration::days(73));
    let p = read(&format!("/api/v1/products/{pid}"), &firm).await;
    assert_eq!(p["annual_update"], "due", "{p}");
    // On the product page, a mistyped amount comes back as typed with its message beside it.
    let res = app
        .client
        .post(app.url(&format!("/products/{pid}")))
        .bearer_auth(&firm)
        .form(&[
            ("op", "annual_update".to_string()),
            ("version", p["version"].to_string()),
            ("year", "2026".to_string()),
            ("sales", "5100000.00".to_string()),
            ("output", "53O0000".to_string()),
            ("export", "0".to_string()),
            ("profit", "-1000.00".to_string()),
            ("ip", "0".to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"value="53O0000""#), "{page}");
    assert!(page.contains(r#"value="5100000.00""#) && page.contains(r#"value="-1000.00""#));
    assert!(
        page.contains(r#"id="au-output-error""#)
            && page.contains(r##"<a href="#au-output">产值："##)
    );
    assert_eq!(
        read(&format!("/api/v1/products/{pid}"), &firm).await["annual_update"],
        "due"
    );
    let res = post(
        &format!("/api/v1/products/{pid}/annual-updates"),
        &firm,
        json!({"year": 2026, "sales_revenue": "1.5", "output_value": "x"}),
    )
    .await
    .unwrap();
    let status = res.status();
    assert_eq!(
        assert_problem(status, &res.json().await.unwrap(), 422),
        [("output_value".to_string(), "invalid_money".to_string())]
    );
    let res = post(
        &format!("/api/v1/products/{pid}/annual-updates"),
        &firm,
        body,
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let u: Value = res.json().await.unwrap();
    assert_eq!(
        (u["status"].as_str(), u["sales_revenue"].as_str()),
        (Some("submitted"), Some("5100000.00"))
    );
    // The product's page (which reads the update with the product) and the list judge it alike.
    let p = read(&format!("/api/v1/products/{pid}"), &firm).await;
    assert_eq!(p["annual_update"], "submitted", "{p}");
    let list = read("/api/v1/products", &firm).await;
    let item = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == pid)
        .unwrap();
    assert_eq!(item["annual_update"], "submitted");
    assert_eq!(
        (&item["figures"], &item["patents"]),
        (&p["figures"], &p["patents"])
    );
    let updates = read("/api/v1/annual-updates", &reviewer).await;
    assert_eq!(updates["total"], 1);
    let res = post(
        &format!("/api/v1/annual-updates/{}/review", u["id"]),
        &reviewer,
        json!({"decision": "approve", "version": u["version"]}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let p = read(&format!("/api/v1/products/{pid}"), &firm).await;
    assert_eq!(p["annual_update"], "done");
    let fig = p["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["year"] == 2026)
        .unwrap();
    assert_eq!(fig["profit"], "420000.00");

    // The enterprise's notifications, newest first; another enterprise's are not its own.
    let notes = read("/api/v1/notifications", &firm).await;
    assert_eq!(notes["items"][0]["kind"], "update_approved");
    let note = notes["items"][0]["id"].as_i64().unwrap();
    let other = app.long_token(&fresh, "dongxiang").await;
    let res = post(
        &format!("/api/v1/notifications/{note}/read"),
        &other,
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = post(
        &format!("/api/v1/notifications/{note}/read"),
        &firm,
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = get("/api/v1/notifications", &reviewer).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The rules: everyone reads, only the national administrator changes them.
    let rules = read("/api/v1/rules/registration", &firm).await;
    assert_eq!(rules["rules"]["review_working_days"], 5);
    let mut change =
        json!({"version": 0, "rules": rules["rules"].clone(), "reason": "按新规程调整"});
    change["rules"]["review_working_days"] = json!(3);
    let put = |token: &str, body: &Value| {
        app.client
            .put(app.url("/api/v1/rules/registration"))
            .bearer_auth(token.to_string())
            .json(body)
            .send()
    };
    assert_eq!(
        put(&city, &change).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        put(&reviewer, &change).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let res = put(&nation, &change).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(
        (
            v["version"].as_i64(),
            v["rules"]["review_working_days"].as_i64()
        ),
        (Some(1), Some(3))
    );
    assert_eq!(
        put(&nation, &change).await.unwrap().status(),
        StatusCode::CONFLICT
    );
    let cal = read("/api/v1/rules/calendar", &firm).await;
    assert!(cal["days"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["date"] == "2026-10-01" && d["kind"] == "holiday"));
    let mut bad = json!({"version": 0, "days": cal["days"].clone(), "reason": "录入"});
    bad["days"]
        .as_array_mut()
        .unwrap()
        .push(json!({"date": "2027-02-10", "kind": "workday", "name": "春节", "source": "测试"}));
    let res = app
        .client
        .put(app.url("/api/v1/rules/calendar"))
        .bearer_auth(&nation)
        .json(&bad)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let errs = assert_problem(status, &res.json().await.unwrap(), 422);
    assert!(
        errs[0].0.starts_with("days[") && errs[0].1 == "invalid_date",
        "{errs:?}"
    );
    let hist = read("/api/v1/rules/registration/history", &firm).await;
    assert_eq!(hist[0]["reason"], "按新规程调整");
    assert_product_answers_agree(&app, &fresh, &nation).await;
    app.stop().await;
}
on_both_backends!(the_yearly_cycle_over_http);

/// Bulk registration over HTTP: the template, a refused file (as problem+json, or as the marked
/// workbook when xlsx is accepted), and a good file registering its products as drafts.
async fn products_are_imported_from_a_workbook_over_http(fresh: Fresh) {
    let s = zhichan_service::Services::new(fresh.db.clone());
    s.prepare_demo().await.unwrap();
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "qiye").await;
    let res = app
        .client
        .get(app.url("/api/v1/products/import-template"))
        .bearer_auth(&firm)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(support::content_type(&res).starts_with("application/vnd.openxmlformats"));
    let template = res.bytes().await.unwrap();
    assert!(template.starts_with(b"PK"));

    let first12 = "202220654321";
    let number = format!(
        "ZL{first12}.{}",
        zhichan_domain::patent_number::check_char12(first12).unwrap()
    );
    let book = |field: &str| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("产品").unwrap();
        let heads = [
            "产品名称",
            "型号规格",
            "所属领域代码",
            "产品说明",
            "首次销售日期",
            "年度",
            "销售收入（元）",
            "产值（元）",
            "专利号（多个用分号分隔）",
            "核心专利号（可空，默认第一件）",
            "专利在产品中的实施方式",
        ];
        let row = [
            "导入的传感器",
            "CG-9",
            field,
            "",
            "2024-01-02",
            "2025",
            "100000",
            "120000",
            number.as_str(),
            "",
            "感应元件",
        ];
        for (c, h) in heads.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
            ws.write_string(1, c as u16, row[c]).unwrap();
        }
        let ws = wb.add_worksheet();
        ws.set_name("专利").unwrap();
        let heads = [
            "专利号",
            "专利名称",
            "专利权人（多个用顿号分隔）",
            "授权日",
            "法律状态（有效/失效/已转让）",
            "本企业权利（自有/独占许可/排他许可/普通许可）",
            "许可合同备案号（许可时必填）",
        ];
        let row = [
            number.as_str(),
            "一种传感器",
            "抚州市临川区示例科技有限公司",
            "2023-03-01",
            "有效",
            "自有",
            "",
        ];
        for (c, h) in heads.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
            ws.write_string(1, c as u16, row[c]).unwrap();
        }
        wb.save_to_buffer().unwrap()
    };
    let upload = |bytes: Vec<u8>, accept: &str| {
        let form = reqwest::multipart::Form::new()
            .text("enterprise", LINCHUAN)
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("产品.xlsx"),
            );
        app.client
            .post(app.url("/api/v1/products/import"))
            .bearer_auth(&firm)
            .header("accept", accept.to_string())
            .multipart(form)
            .send()
    };
    let res = upload(book("ZZ"), "application/json").await.unwrap();
    let status = res.status();
    assert_eq!(
        assert_problem(status, &res.json().await.unwrap(), 422),
        [(
            "产品[2].所属领域代码".to_string(),
            "invalid_industry".to_string()
        )]
    );
    let res = upload(
        book("ZZ"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(support::content_type(&res).starts_with("application/vnd.openxmlformats"));
    let res = upload(book("39"), "application/json").await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["created"], 1);
    let id = body["ids"][0].as_i64().unwrap();
    let p: Value = app
        .client
        .get(app.url(&format!("/api/v1/products/{id}")))
        .bearer_auth(&firm)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (p["status"].as_str(), p["patents"][0]["number"].as_str()),
        (Some("draft"), Some(number.as_str()))
    );
    let nation = support::national_token(&app, &fresh).await;
    assert_product_answers_agree(&app, &fresh, &nation).await;
    app.stop().await;
}
on_both_backends!(products_are_imported_from_a_workbook_over_http);

/// A patent shared by several products lapses: every product that names it says so at once,
/// answered from its stored document, and the answers still agree with the tables.
async fn a_lapsed_patent_shows_on_every_product_that_names_it(fresh: Fresh) {
    use zhichan_store::{Exec, Sql};
    let s = zhichan_service::Services::new(fresh.db.clone());
    s.prepare_demo().await.unwrap();
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "qiye").await;
    let province = support::national_token(&app, &fresh).await;
    // The firm's patent linked to the most products, in force.
    let patent_id: i64 = fresh
        .db
        .fetch_one(
            Sql::new(
                "SELECT l.patent_id FROM product_patents l JOIN patents p ON p.id = l.patent_id \
                 JOIN enterprises e ON e.id = p.enterprise_id \
                 WHERE p.legal_status = 'valid' AND e.credit_code = $1 \
                 GROUP BY l.patent_id ORDER BY COUNT(*) DESC, l.patent_id LIMIT 1",
            )
            .bind(zhichan_service::demo::demo_credit_code()),
        )
        .await
        .unwrap();
    let number: String = fresh
        .db
        .fetch_one(Sql::new("SELECT number FROM patents WHERE id = $1").bind(patent_id))
        .await
        .unwrap();
    let code: String = fresh
        .db
        .fetch_one(
            Sql::new(
                "SELECT credit_code FROM enterprises WHERE id = \
                 (SELECT enterprise_id FROM patents WHERE id = $1)",
            )
            .bind(patent_id),
        )
        .await
        .unwrap();
    let linked: Vec<i64> = fresh
        .db
        .fetch_all(
            Sql::new("SELECT product_id FROM product_patents WHERE patent_id = $1 ORDER BY 1")
                .bind(patent_id),
        )
        .await
        .unwrap();
    let detail = |id: i64| {
        let app = &app;
        let province = &province;
        async move {
            app.read_as(&format!("/api/v1/products/{id}"), province)
                .await
        }
    };
    let named = |p: &Value| {
        p["patents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["number"].as_str().unwrap().contains(&number[..12]))
            .map(|x| x["legal_status"].clone())
    };
    for &id in &linked {
        assert_eq!(
            named(&detail(id).await),
            Some(json!("valid")),
            "product {id}"
        );
    }
    let patents = app
        .read_as(&format!("/api/v1/enterprises/{code}/patents"), &firm)
        .await;
    let mine = patents
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["number"].as_str().unwrap().contains(&number[..12]))
        .expect("the patent in the firm's list");
    let res = app
        .client
        .patch(app.url(&format!(
            "/api/v1/enterprises/{code}/patents/{}",
            mine["number"].as_str().unwrap()
        )))
        .bearer_auth(&firm)
        .json(&json!({"version": mine["version"], "legal_status": "lapsed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    for &id in &linked {
        let p = detail(id).await;
        assert_eq!(named(&p), Some(json!("lapsed")), "product {id}");
        assert_eq!(p["lapsed_patent"], true, "product {id}");
    }
    assert_product_answers_agree(&app, &fresh, &province).await;
    app.stop().await;
}
on_both_backends!(a_lapsed_patent_shows_on_every_product_that_names_it);

/// A city office imports a directory over HTTP and reads its coverage in CONTRACT's shape.
async fn a_directory_and_its_coverage_over_http(fresh: Fresh) {
    let s = zhichan_service::Services::new(fresh.db.clone());
    s.prepare_demo().await.unwrap();
    add_user(&fresh, "adm.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "adm.nanchang", "admin", Some("360100"), None).await;
    let app = spawn_app(&fresh).await;
    let city = app.token(&fresh, "adm.fuzhou").await;
    let other = app.token(&fresh, "adm.nanchang").await;
    let csv = format!("企业名称,统一社会信用代码,类别,截止日期\n抚州市临川区示例科技有限公司,{LINCHUAN},专精特新,2099-12-31\n");
    let upload = |token: &str, name: &str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("name", "重点企业")
            .text("region", "361000")
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
            );
        app.client
            .post(app.url("/api/v1/directories"))
            .bearer_auth(token.to_string())
            .multipart(form)
            .send()
    };
    let res = upload(&city, "名录.pdf", b"%PDF-1.7\0".to_vec())
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(
        assert_problem(status, &res.json().await.unwrap(), 422),
        [("file".to_string(), "unsupported_file".to_string())]
    );
    let res = upload(&other, "名录.csv", csv.clone().into_bytes())
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "not the neighbour's region"
    );
    let res = upload(&city, "名录.csv", csv.clone().into_bytes())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    let id = body["directory"]["id"].as_i64().unwrap();
    // A second import: the list is sorted and paged by the database, either way round.
    let res = upload(&city, "名录.csv", csv.into_bytes()).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let second = res.json::<Value>().await.unwrap()["directory"]["id"]
        .as_i64()
        .unwrap();
    for (sort, want) in [("created", [id, second]), ("-created", [second, id])] {
        let list = app
            .read_as(&format!("/api/v1/directories?sort={sort}"), &city)
            .await;
        let ids: Vec<i64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, want, "{sort}");
    }
    let (status, page) = app
        .page_as("/directories?sort=created&per_page=1", &city)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("href=\"/directories/{id}\""))
            && !page.contains(&format!("href=\"/directories/{second}\"")),
        "{page}"
    );
    assert!(
        page.contains("href=\"/directories?sort=created&amp;per_page=1&amp;page=2\""),
        "{page}"
    );
    let cov: Value = app
        .client
        .get(app.url(&format!("/api/v1/directories/{id}/coverage")))
        .bearer_auth(&city)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (cov["listed"].as_i64(), cov["covered"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(cov["rate"].as_f64(), Some(1.0));
    assert!(cov["uncovered"].as_array().unwrap().is_empty());
    // Every table exports as a workbook.
    for path in [
        format!("/api/v1/directories/{id}/coverage?format=xlsx"),
        "/api/v1/stats/breakdown?by=field&format=xlsx".to_string(),
        "/api/v1/stats/breakdown?by=region&region=361000&format=xlsx".to_string(),
        "/api/v1/evaluation?year=2026&format=xlsx".to_string(),
    ] {
        let res = app
            .client
            .get(app.url(&path))
            .bearer_auth(&city)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(
            support::content_type(&res).starts_with("application/vnd.openxmlformats"),
            "{path}"
        );
        assert!(res.bytes().await.unwrap().starts_with(b"PK"), "{path}");
    }
    let res = app
        .client
        .get(app.url(&format!("/api/v1/directories/{id}/coverage")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}
on_both_backends!(a_directory_and_its_coverage_over_http);

/// An office whose management port is not open sees nothing but its account, the rules and the
/// port application.
async fn an_office_without_an_open_port_is_told_so(fresh: Fresh) {
    zhichan_service::Services::new(fresh.db.clone())
        .create_user_by_operator(zhichan_service::accounts::NewAccount {
            username: "adm.hubei".into(),
            role: "admin".into(),
            region: Some("420000".into()),
            password: Some(support::PASSWORD.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    use zhichan_store::Exec;
    fresh
        .db
        .execute(zhichan_store::Sql::new(
            "UPDATE users SET totp_enabled = TRUE, totp_secret = 'JBSWY3DPEHPK3PXP'",
        ))
        .await
        .unwrap();
    let app = spawn_app(&fresh).await;
    let token = app.token(&fresh, "adm.hubei").await;
    for path in [
        "/api/v1/stats/summary",
        "/api/v1/enterprises",
        "/api/v1/directories",
    ] {
        let res = app
            .client
            .get(app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        let body: Value = res.json().await.unwrap();
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("管理端口尚未开通"),
            "{path}"
        );
    }
    for path in ["/api/v1/ports", "/api/v1/rules/registration", "/api/v1/me"] {
        let res = app
            .client
            .get(app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    let res = app
        .client
        .post(app.url("/api/v1/ports"))
        .bearer_auth(&token)
        .json(&json!({"unit": "湖北省知识产权局", "contact_name": "张三", "contact_phone": "027-88888888",
                      "contact_email": "ipo@example.cn", "purpose": "全省备案管理"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let p: Value = res.json().await.unwrap();
    assert_eq!(
        (p["region"].as_str(), p["status"].as_str()),
        (Some("420000"), Some("applied"))
    );
    app.stop().await;
}
on_both_backends!(an_office_without_an_open_port_is_told_so);

/// The product list of a scope exports to a workbook with every matching product, streamed
/// from a temporary file; an enterprise's export holds only its own.
async fn product_lists_export_to_xlsx(fresh: Fresh) {
    use calamine::Reader;
    let s = zhichan_service::Services::new(fresh.db.clone());
    s.prepare_demo().await.unwrap();
    let app = spawn_app(&fresh).await;
    for (user, want_all) in [("shenhe", true), ("qiye", false)] {
        let token = app.token(&fresh, user).await;
        let list: Value = app
            .client
            .get(app.url("/api/v1/products?per_page=100"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let total = list["total"].as_i64().unwrap();
        let res = app
            .client
            .get(app.url("/api/v1/products?format=xlsx"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(support::content_type(&res).starts_with("application/vnd.openxmlformats"));
        let bytes = res.bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("备案产品").unwrap();
        let rows = range.rows().count() as i64 - 1;
        assert_eq!(rows, total, "{user}: every product of the scope, no more");
        if !want_all {
            let codes: Vec<String> = range.rows().skip(1).map(|r| r[3].to_string()).collect();
            assert!(codes.iter().all(|c| c == LINCHUAN), "{codes:?}");
        }
        // The enterprise profiles the caller sees, the same way.
        let res = app
            .client
            .get(app.url("/api/v1/enterprises?format=xlsx"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("企业").unwrap();
        let firms: Vec<String> = range.rows().skip(1).map(|r| r[0].to_string()).collect();
        if want_all {
            assert_eq!(firms.len(), 3, "{firms:?}");
        } else {
            assert_eq!(firms, [LINCHUAN]);
        }
    }
    app.stop().await;
}
on_both_backends!(product_lists_export_to_xlsx);
