//! Forms tell people what to fix, beside the field, and keep what they typed (docs/forms.md);
//! the API refuses the same mistakes with the same codes. Both databases.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{add_user, assert_problem, call, spawn_app, TestApp, LINCHUAN};
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
           "patentees": ["抚州市临川区示例科技有限公司"], "grant_date": "2021-03-02",
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
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
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
    add_user(&fresh, "adm.fuzhou", "admin", Some("361000"), None).await;
    let app = spawn_app(&fresh).await;
    let office = app.token(&fresh, "adm.fuzhou").await;
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
