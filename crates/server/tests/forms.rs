//! Forms tell people what to fix, beside the field, and keep what they typed (docs/forms.md);
//! the API refuses the same mistakes with the same codes. Both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{add_user, assert_problem, call, people, sign_up, spawn_app, TestApp};
use support::{LINCHUAN, LINCHUAN_NAME};
use zhichan_testkit::{on_both_backends, Fresh};

fn this_year() -> i32 {
    time::OffsetDateTime::now_utc().year()
}

/// A small firm with its profile filed, ready to register products.
async fn firm(fresh: &Fresh, app: &TestApp) -> String {
    support::linchuan_firm(app, fresh, "C39").await
}

fn patent(number: &str) -> Value {
    json!({"number": number, "title": "一种数据采集装置",
           "patentees": [LINCHUAN_NAME], "grant_date": "2021-03-02",
           "legal_status": "valid", "right": "own", "core": true, "embodiment": "采集模块"})
}

fn product(figures: Value, patents: Value) -> Value {
    json!({
        "enterprise": LINCHUAN, "name": "智能数据采集终端", "model": "ZC-100", "field": "39",
        "figures": figures, "patents": patents
    })
}

async fn refused(app: &TestApp, token: &str, body: Value) -> Vec<(String, String)> {
    let (status, answer) = call(app, Method::POST, "/api/v1/products", token, Some(body)).await;
    assert_problem(status, &answer, 422)
}

/// A firm that types next year's figures, a patent granted tomorrow, an exclusive licence
/// without its record number, or the same year, patent or patentee twice, is told each with its
/// code.
async fn an_api_client_is_told_each_mistake_with_its_code(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let token = firm(&fresh, &app).await;
    let next_year = this_year() + 1;
    let fig =
        |year: i32| json!({"year": year, "sales_revenue": "100.00", "output_value": "120.00"});

    assert_eq!(
        refused(
            &app,
            &token,
            product(json!([fig(next_year)]), json!([patent("201910725275.4")]))
        )
        .await,
        [("figures[0].year".to_string(), "future_year".to_string())]
    );

    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(2)).date();
    let mut granted = patent("201910725275.4");
    granted["grant_date"] = json!(zhichan_domain::enterprises::format_date(tomorrow));
    assert_eq!(
        refused(&app, &token, product(json!([fig(2024)]), json!([granted]))).await,
        [(
            "patents[0].grant_date".to_string(),
            "future_date".to_string()
        )]
    );

    let mut twice = patent("201910725275.4");
    twice["patentees"] = json!([
        "抚州市临川区示例科技有限公司",
        "抚州市临川区示例科技有限公司"
    ]);
    assert_eq!(
        refused(&app, &token, product(json!([fig(2024)]), json!([twice]))).await,
        [("patents[0].patentees".to_string(), "duplicate".to_string())]
    );

    let mut licensed = patent("201910725275.4");
    licensed["right"] = json!("exclusive");
    assert_eq!(
        refused(
            &app,
            &token,
            product(json!([fig(2024)]), json!([licensed.clone()]))
        )
        .await,
        [(
            "patents[0].licence_record".to_string(),
            "licence_record_required".to_string()
        )]
    );
    licensed["licence_record"] = json!("2021990000123");
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/products",
        &token,
        Some(product(json!([fig(2024)]), json!([licensed]))),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "with its record number it is taken: {body}"
    );

    assert_eq!(
        refused(
            &app,
            &token,
            product(
                json!([fig(2024), fig(2024)]),
                json!([patent("201910725275.4"), patent("ZL201910725275.4")])
            )
        )
        .await,
        [
            ("figures[1].year".to_string(), "duplicate".to_string()),
            ("patents[1].number".to_string(), "duplicate".to_string())
        ]
    );
    app.stop().await;
}
on_both_backends!(an_api_client_is_told_each_mistake_with_its_code);

/// Someone who presses 登录 with nothing typed is told to fill both fields, not that the
/// password is wrong; on the page the message stands beside each field.
async fn an_empty_login_is_told_to_fill_the_fields(fresh: Fresh) {
    people(&fresh, ["linchuan.tech"]).await;
    let app = spawn_app(&fresh).await;
    let res = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": " ", "password": ""}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(
        assert_problem(status, &res.json().await.unwrap(), 422),
        [
            ("username".to_string(), "required".to_string()),
            ("password".to_string(), "required".to_string())
        ]
    );

    let res = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("username", "linchuan.tech"),
            ("password", ""),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(!page.contains("用户名或密码不正确"), "{page}");
    assert!(
        page.contains(r#"<p class="error" id="password-error">请填写密码</p>"#),
        "{page}"
    );
    assert!(page.contains(r#"aria-invalid="true" aria-describedby="password-error""#));
    assert!(page.contains(r##"<a href="#password">密码：请填写密码</a>"##));
    assert!(
        page.contains(r#"value="linchuan.tech""#),
        "the name typed is kept"
    );
    // A wrong password is still a wrong password, the same for every name.
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("username", "linchuan.tech"),
            ("password", "wrong-one"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.text().await.unwrap().contains("用户名或密码不正确"));
    app.stop().await;
}
on_both_backends!(an_empty_login_is_told_to_fill_the_fields);

/// A firm types "20x5" as a year, a grant date in the future and an exclusive licence with no
/// record number on the product form: the page comes back with each message beside its field,
/// a summary linking to them by name, and everything as it was typed.
async fn the_product_form_keeps_what_was_typed_and_marks_each_field(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let token = firm(&fresh, &app).await;
    let next_year = (this_year() + 1).to_string();
    let tomorrow = zhichan_domain::enterprises::format_date(
        (time::OffsetDateTime::now_utc() + time::Duration::days(2)).date(),
    );
    let form = [
        ("name", "智能数据采集终端"),
        ("model", "ZC-100"),
        ("field", "39"),
        ("f0_year", "20x5"),
        ("f0_sales", "12345678.90"),
        ("f0_output", "13000000"),
        ("f2_year", next_year.as_str()),
        ("f2_sales", "1.00"),
        ("f2_output", "2.00"),
        ("p0_number", "ZL201910725275.4"),
        ("p0_title", "一种数据采集装置"),
        ("p0_patentees", "抚州市临川区示例科技有限公司"),
        ("p0_grant", tomorrow.as_str()),
        ("p0_status", "valid"),
        ("p0_right", "exclusive"),
        ("p0_licence", ""),
        ("p0_embodiment", "采集模块"),
    ];
    let res = app
        .client
        .post(app.url("/products/new"))
        .bearer_auth(&token)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    // Kept as typed, not "0".
    assert!(page.contains(r#"name="f0_year" value="20x5""#), "{page}");
    assert!(page.contains(r#"value="12345678.90""#));
    assert!(page.contains(&format!(r#"name="f2_year" value="{next_year}""#)));
    assert!(page.contains(&format!(r#"value="{tomorrow}""#)));
    // Each message beside its field, the field marked and pointing at it.
    for (id, message) in [
        ("f0y", "年度应为四位数字，如 2025".to_string()),
        ("f2y", format!("年度不能晚于今年（{}）", this_year())),
        ("p0g", "授权日不能晚于今天".to_string()),
        (
            "p0l",
            "以许可方式实施的专利须填写专利实施许可合同备案号".to_string(),
        ),
    ] {
        assert!(
            page.contains(&format!(r#"<p class="error" id="{id}-error">{message}"#)),
            "{id}: {page}"
        );
        assert!(
            page.contains(&format!(r#"id="{id}" name="#))
                && page.contains(&format!(
                    r#"aria-invalid="true" aria-describedby="{id}-error""#
                )),
            "{id}"
        );
    }
    // The summary names the fields in words, never as figures[0].year.
    assert!(
        page.contains(r##"<a href="#f0y">年度数据第 1 行 · 年度：年度应为四位数字，如 2025</a>"##),
        "{page}"
    );
    assert!(page.contains(r##"<a href="#p0l">专利第 1 行 · 许可备案号："##));
    assert!(!page.contains("figures[") && !page.contains("patents["));
    // Required fields carry their mark.
    assert!(page.contains(r#"产品名称<span class="req" aria-hidden="true">*</span>"#));
    app.stop().await;
}
on_both_backends!(the_product_form_keeps_what_was_typed_and_marks_each_field);

/// A city office opening a county's management port leaves the unit empty and mistypes the
/// e-mail: the opening form comes back with what it typed, each message beside its field.
async fn the_port_form_keeps_what_was_typed(fresh: Fresh) {
    let [office] = people(&fresh, ["adm.fuzhou"]).await;
    let app = spawn_app(&fresh).await;
    let res = app
        .client
        .post(app.url("/ports"))
        .bearer_auth(&office)
        .form(&[
            ("op", "open"),
            ("region", "361002"),
            ("unit", ""),
            ("contact_name", "王芳"),
            ("contact_phone", "0794-8888888"),
            ("contact_email", "wangfang.example.cn"),
            ("purpose", "区级备案审核"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(r#"<p class="error" id="op-unit-error">请填写申请单位</p>"#),
        "{page}"
    );
    assert!(page.contains(r#"<p class="error" id="op-email-error">请填写有效的电子邮箱</p>"#));
    assert!(page.contains(r##"<a href="#op-unit">单位名称：请填写申请单位</a>"##));
    // The region's picker shows the code typed by its name.
    for typed in [
        "临川区（361002）",
        "王芳",
        "0794-8888888",
        "wangfang.example.cn",
        "区级备案审核",
    ] {
        assert!(
            page.contains(&format!(r#"value="{typed}""#)),
            "{typed} kept"
        );
    }
    app.stop().await;
}
on_both_backends!(the_port_form_keeps_what_was_typed);

/// A reviewer presses 退回 without a reason and is told beside the box; the firm, returned,
/// resubmits with a mistyped credit code and gets its form back as typed, the message beside
/// the code.
async fn a_returned_application_is_resubmitted_with_its_mistake_beside_the_field(fresh: Fresh) {
    let [reviewer] = people(&fresh, ["rev.county"]).await;
    let app = spawn_app(&fresh).await;
    let (status, _) = sign_up(&app, "linchuan.tech").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, queue) = call(&app, Method::GET, "/api/v1/verifications", &reviewer, None).await;
    let id = queue["items"][0]["id"].as_i64().unwrap();

    let res = app
        .client
        .post(app.url(&format!("/reviews/verifications/{id}")))
        .bearer_auth(&reviewer)
        .form(&[("decision", "return"), ("reason", "  ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(r#"<p class="error" id="rd-reason-error">退回时须说明理由</p>"#),
        "{page}"
    );
    assert!(page.contains(r##"<a href="#rd-reason">退回理由：退回时须说明理由</a>"##));
    assert!(page.contains(r#"aria-invalid="true" aria-describedby="rd-reason-error rd-hint""#));
    assert!(page.contains(r#"退回理由<span class="req" aria-hidden="true">*</span>"#));
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/v1/verifications/{id}/review"),
        &reviewer,
        Some(json!({"decision": "return", "reason": "营业执照不清晰"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let firm = app.token(&fresh, "linchuan.tech").await;
    let form = support::signup_form("linchuan.tech")
        .text("credit_code", "91361002MA35F6XK0X")
        .text("enterprise_name", "抚州市临川区示例科技有限公司（更正）");
    let res = app
        .client
        .post(app.url("/verification"))
        .bearer_auth(&firm)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(r#"<p class="error" id="rv-code-error">"#),
        "{page}"
    );
    assert!(page.contains(r##"<a href="#rv-code">统一社会信用代码："##));
    assert!(
        page.contains(r#"value="91361002MA35F6XK0X""#),
        "the code as typed"
    );
    assert!(page.contains(r#"value="抚州市临川区示例科技有限公司（更正）""#));
    app.stop().await;
}
on_both_backends!(a_returned_application_is_resubmitted_with_its_mistake_beside_the_field);

/// The Fuzhou office uploads a directory whose file has a bad row, then one without a name:
/// each time the message stands beside its field, the rows' errors in their table, and the
/// name and region come back as typed.
async fn a_directory_upload_keeps_its_name_and_region(fresh: Fresh) {
    let [office] = people(&fresh, ["adm.fuzhou"]).await;
    let app = spawn_app(&fresh).await;
    let csv = "企业名称,统一社会信用代码,类别,截止日期\n示例科技,123,专精特新,2027-06-30\n";
    let upload = |name: &'static str, file: &'static str| {
        reqwest::multipart::Form::new()
            .text("name", name)
            .text("region", "临川区")
            .part(
                "file",
                reqwest::multipart::Part::bytes(file.as_bytes()).file_name("名录.csv"),
            )
    };
    let res = app
        .client
        .post(app.url("/directories"))
        .bearer_auth(&office)
        .multipart(upload("2026 年度专精特新企业名录", csv))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(r#"<p class="error" id="d-file-error">文件中有 1 处错误"#),
        "{page}"
    );
    assert!(page.contains("文件中的错误"));
    assert!(page.contains(r#"value="2026 年度专精特新企业名录""#));
    assert!(page.contains(r#"value="临川区（361002）""#));

    let res = app
        .client
        .post(app.url("/directories"))
        .bearer_auth(&office)
        .multipart(upload("", "企业名称,统一社会信用代码,类别,截止日期\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(r#"<p class="error" id="d-name-error">请填写名录名称（100 字以内）</p>"#),
        "{page}"
    );
    assert!(page.contains(r##"<a href="#d-name">名录名称："##));
    assert!(page.contains(r#"名录名称<span class="req" aria-hidden="true">*</span>"#));
    assert!(page.contains(r#"value="临川区（361002）""#));
    app.stop().await;
}
on_both_backends!(a_directory_upload_keeps_its_name_and_region);

/// The national office types "3x" working days and an opening date "13-01", then a calendar
/// with a malformed line and no reason: each form comes back as typed with the messages
/// beside the fields.
async fn the_rules_forms_keep_what_was_typed(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let nation = support::national_token(&app, &fresh).await;
    let res = app
        .client
        .post(app.url("/rules/registration"))
        .bearer_auth(&nation)
        .form(&[
            ("version", "0"),
            ("review_working_days", "3x"),
            ("review_source", "备案规程第八条"),
            ("update_opens", "13-01"),
            ("update_closes", "03-31"),
            ("update_source", "备案规程第十条"),
            ("return_reasons", "材料不全"),
            ("reason", "按新规程调整"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(r#"<p class="error" id="r-days-error">审核时限应为 1～30 个工作日</p>"#),
        "{page}"
    );
    assert!(page.contains(r#"<p class="error" id="r-open-error">"#));
    assert!(page.contains(r##"<a href="#r-days">形式审查时限（工作日）："##));
    for typed in ["3x", "13-01", "按新规程调整", "备案规程第八条"] {
        assert!(
            page.contains(&format!(r#"value="{typed}""#)),
            "{typed} kept"
        );
    }

    let res = app
        .client
        .post(app.url("/rules/calendar"))
        .bearer_auth(&nation)
        .form(&[
            ("version", "0"),
            (
                "days",
                "2027-01-01,holiday,元旦,国办发明电〔2026〕1号\n2027-02-30 节后补班",
            ),
            ("reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(r#"<p class="error" id="c-days-error">第 2 行应为"#),
        "{page}"
    );
    assert!(page.contains(r#"<p class="error" id="c-why-error">请说明修改原因和依据</p>"#));
    assert!(
        page.contains("2027-02-30 节后补班</textarea>"),
        "the days as typed"
    );
    app.stop().await;
}
on_both_backends!(the_rules_forms_keep_what_was_typed);

/// An office asks for the evaluation of year "20x5" and the report of month "2026-13": the
/// filter keeps what was typed with the message beside it, over the default page.
async fn the_report_filters_say_what_is_wrong_beside_the_field(fresh: Fresh) {
    let [office] = people(&fresh, ["adm.fuzhou"]).await;
    let app = spawn_app(&fresh).await;
    let get = |path: &'static str| {
        let (app, office) = (&app, &office);
        async move {
            let res = app
                .client
                .get(app.url(path))
                .bearer_auth(office)
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let (status, page) = get("/evaluation?year=20x5").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"<p class="error" id="e-year-error">年度应为四位数字，如 2025</p>"#),
        "{page}"
    );
    assert!(page.contains(r#"value="20x5""#));
    assert!(page.contains(r##"<a href="#e-year">年度：年度应为四位数字，如 2025</a>"##));

    let (status, page) = get("/reports/monthly?month=2026-13").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"<p class="error" id="r-month-error">月份应写作 YYYY-MM，如 2026-10</p>"#),
        "{page}"
    );
    assert!(page.contains(r#"value="2026-13""#));
    assert!(
        page.contains("专利产品备案月度通报"),
        "the default report below"
    );
    app.stop().await;
}
on_both_backends!(the_report_filters_say_what_is_wrong_beside_the_field);

/// The security administrator grants a new reviewer "朝阳区", a name of several places: the
/// account's grant form says so beside the region picker (marked required) and keeps the
/// name; "抚州市" is then taken.
async fn the_grant_form_picks_the_region_by_name(fresh: Fresh) {
    add_user(&fresh, "anquan", "secadmin", None, None).await;
    support::enrolled(&fresh, "anquan").await;
    add_user(&fresh, "rev.new", "reviewer", Some("361002"), None).await;
    let app = spawn_app(&fresh).await;
    let sec = app.token(&fresh, "anquan").await;
    let (_, list) = call(&app, Method::GET, "/api/v1/users?q=rev.new", &sec, None).await;
    let user = &list["items"][0];
    let (id, version) = (
        user["id"].as_i64().unwrap(),
        user["version"].as_i64().unwrap(),
    );
    let post = |region: &'static str| {
        let (app, sec) = (&app, &sec);
        async move {
            app.client
                .post(app.url(&format!("/admin/users/{id}/grant")))
                .bearer_auth(sec)
                .form(&[
                    ("role", "reviewer"),
                    ("region", region),
                    ("version", &version.to_string()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let res = post("朝阳区").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(r#"<p class="error" id="g-region-error">有 "#),
        "{page}"
    );
    assert!(page.contains(r#"value="朝阳区""#));
    assert!(page.contains(r#"所辖地区<span class="req" aria-hidden="true">*</span>"#));
    assert!(page.contains(r##"<a href="#g-region">所辖地区："##));

    let res = post("抚州市").await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let (_, list) = call(&app, Method::GET, "/api/v1/users?q=rev.new", &sec, None).await;
    assert_eq!(list["items"][0]["region"], "361000", "{list}");
    app.stop().await;
}
on_both_backends!(the_grant_form_picks_the_region_by_name);

/// A reviewer presses 退回 on a submitted product with only spaces as the reason, then with a
/// template and words too long: each time the message stands beside the reason box, and the
/// template and the words come back as left; the product stays submitted.
async fn a_product_returned_without_a_fit_reason_keeps_what_the_reviewer_wrote(fresh: Fresh) {
    let [reviewer] = people(&fresh, ["rev.fuzhou"]).await;
    let app = spawn_app(&fresh).await;
    let firm = firm(&fresh, &app).await;
    let (status, p) = call(
        &app,
        Method::POST,
        "/api/v1/products",
        &firm,
        Some(product(
            json!([{"year": 2025, "sales_revenue": "1000000.00", "output_value": "1200000"}]),
            json!([patent("201910725275.4")]),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let (status, p) = call(
        &app,
        Method::POST,
        &format!("/api/v1/products/{id}/submit"),
        &firm,
        Some(json!({"version": p["version"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let version = p["version"].as_i64().unwrap().to_string();
    let press = |template: &str, reason: &str| {
        let form = [
            ("op", "return".to_string()),
            ("version", version.clone()),
            ("template", template.to_string()),
            ("reason", reason.to_string()),
        ];
        let req = app
            .client
            .post(app.url(&format!("/products/{id}")))
            .bearer_auth(&reviewer)
            .form(&form);
        async move {
            let res = req.send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };

    let (status, page) = press("", "  ").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"<p class="error" id="pr-reason-error">退回须说明理由</p>"#),
        "{page}"
    );
    assert!(page.contains(r##"<a href="#pr-reason">退回理由：退回须说明理由</a>"##));
    assert!(page.contains(r#"aria-invalid="true" aria-describedby="pr-reason-error""#));
    assert!(page.contains(
        r#"退回理由（可在模板基础上补充）<span class="req" aria-hidden="true">*</span>"#
    ));

    let template = "未说明专利在产品中的具体体现，请补充实施方式";
    let words = "实施方式".repeat(130);
    let (status, page) = press(template, &words).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"<p class="error" id="pr-reason-error">"#),
        "{page}"
    );
    assert!(
        page.contains(&format!("<option selected>{template}</option>")),
        "the template stays picked"
    );
    assert!(
        page.contains(&format!(">{words}</textarea>")),
        "the words as typed"
    );
    let (_, p) = call(
        &app,
        Method::GET,
        &format!("/api/v1/products/{id}"),
        &firm,
        None,
    )
    .await;
    assert_eq!(p["status"], "submitted");
    app.stop().await;
}
on_both_backends!(a_product_returned_without_a_fit_reason_keeps_what_the_reviewer_wrote);

/// The firm withdraws (撤销) its registration from the product page without a reason, then
/// with one too long: each time the message stands beside the reason box, the box is marked
/// required, the words come back as typed and the section stays open; a reason saves it.
/// Submitting a product that is already submitted is refused with the problem named by what
/// it is about, not by a field key.
async fn withdrawing_and_submitting_from_the_product_page_follow_the_form_convention(fresh: Fresh) {
    let [reviewer] = people(&fresh, ["rev.fuzhou"]).await;
    let app = spawn_app(&fresh).await;
    let firm = firm(&fresh, &app).await;
    let p = support::register_product(
        &app,
        &firm,
        &reviewer,
        product(
            json!([{"year": 2025, "sales_revenue": "1000000.00", "output_value": "1200000"}]),
            json!([patent("201910725275.4")]),
        ),
    )
    .await;
    let id = p["id"].as_i64().unwrap();
    let version = p["version"].as_i64().unwrap().to_string();
    let press = |op: &'static str, reason: String| {
        let form = [
            ("op", op.to_string()),
            ("version", version.clone()),
            ("reason", reason),
        ];
        let req = app
            .client
            .post(app.url(&format!("/products/{id}")))
            .bearer_auth(&firm)
            .form(&form);
        async move {
            let res = req.send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let (status, page) = press("withdraw", "   ".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"<p class="error" id="pw-reason-error">"#),
        "{page}"
    );
    assert!(
        page.contains(r##"<a href="#pw-reason">撤销原因："##),
        "{page}"
    );
    assert!(page.contains(r#"aria-invalid="true" aria-describedby="pw-reason-error""#));
    assert!(page.contains(r#"<details class="card" open>"#), "{page}");
    assert!(page.contains(
        r#"撤销原因（如产品已退市、关联专利已全部失效或转让）<span class="req" aria-hidden="true">*</span>"#
    ));
    let words = "产品已退市".repeat(120);
    let (status, page) = press("withdraw", words.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(&format!(">{words}</textarea>")),
        "the words as typed"
    );
    let (_, p) = call(
        &app,
        Method::GET,
        &format!("/api/v1/products/{id}"),
        &firm,
        None,
    )
    .await;
    assert_eq!(p["status"], "approved", "nothing withdrawn yet");

    // Submitting again what is registered: refused, named by what it is about.
    let (status, page) = press("submit", String::new()).await;
    assert!(
        status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::CONFLICT,
        "{status}"
    );
    assert!(!page.contains("status："), "no field key: {page}");

    let (status, _) = press("withdraw", "产品已退市".into()).await;
    assert!(status.is_redirection(), "{status}");
    let (_, p) = call(
        &app,
        Method::GET,
        &format!("/api/v1/products/{id}"),
        &firm,
        None,
    )
    .await;
    assert_eq!(p["status"], "withdrawn", "{p}");
    app.stop().await;
}
on_both_backends!(withdrawing_and_submitting_from_the_product_page_follow_the_form_convention);
