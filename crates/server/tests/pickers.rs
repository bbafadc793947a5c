//! Pickers instead of typed codes (issue 14, point 2): without JavaScript a region or industry
//! field takes a code or an exact name, and a name that names nothing or several things comes
//! back beside the field with suggestions; the API answers the pickers' searches. Both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use support::{add_user, call, spawn_app, TestApp, LINCHUAN};
use zhichan_testkit::{on_both_backends, Fresh};

/// The product form as a browser without JavaScript posts it, the field typed as `field`.
async fn post_product(app: &TestApp, token: &str, field: &str) -> (StatusCode, String) {
    let res = app
        .client
        .post(app.url("/products/new"))
        .bearer_auth(token)
        .form(&[
            ("name", "工业控制计算机"),
            ("model", "IPC-610"),
            ("field", field),
            ("first_sold_on", "2022-05-01"),
            ("f0_year", "2025"),
            ("f0_sales", "8000000.00"),
            ("f0_output", "9000000"),
            ("p0_number", "201910725275.4"),
            ("p0_title", "一种工业控制装置"),
            ("p0_patentees", "抚州市临川区示例科技有限公司"),
            ("p0_grant", "2021-03-02"),
            ("p0_status", "valid"),
            ("p0_right", "own"),
            ("p0_core", "on"),
            ("p0_embodiment", "主控模块"),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    (status, location.unwrap_or(res.text().await.unwrap()))
}

/// A newcomer types the name of her product's industry, "计算机制造", into the product form
/// without JavaScript: the product is saved under group 391 and its form shows the name with
/// the code. A name the standard does not hold ("计算机生产") comes back beside the field with
/// the names it may have meant, and what she typed stays in the box.
async fn a_newcomer_names_her_industry_and_the_form_finds_its_code(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let firm = support::linchuan_firm(&app, &fresh, "C3914").await;

    let (status, page) = post_product(&app, &firm, "计算机生产").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("找不到名为“计算机生产”的行业，您要找的是不是："),
        "{page}"
    );
    assert!(page.contains("、计算机制造（391）、"), "{page}");
    assert!(
        page.contains(r#"value="计算机生产""#),
        "what she typed stays"
    );
    assert!(page.contains(r#"aria-invalid="true""#));

    let (status, location) = post_product(&app, &firm, "计算机制造").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let id = location.trim_start_matches("/products/");
    let (_, product) = call(
        &app,
        Method::GET,
        &format!("/api/v1/products/{id}"),
        &firm,
        None,
    )
    .await;
    assert_eq!(product["field"], "391");
    let page = app
        .client
        .get(app.url(&format!("/products/{id}/edit")))
        .bearer_auth(&firm)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"value="计算机制造（391）""#), "{page}");
    assert!(page.contains(r#"data-picker="industry""#));

    // The label the picker shows is taken back as it is.
    let (status, _) = post_product(&app, &firm, "工业控制计算机及系统制造（3914）").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    app.stop().await;
}
on_both_backends!(a_newcomer_names_her_industry_and_the_form_finds_its_code);

/// A Fuzhou reviewer filters products by typing "临川区" or "抚州市临川区": both mean 361002,
/// shown back as "临川区（361002）". A place outside Fuzhou is not offered to him ("南昌市"
/// is not found in 江西省抚州市). A national reviewer who types "朝阳区" is asked which: the
/// Beijing and the Shantou one, by their full names.
async fn an_office_filters_by_a_place_name_within_its_own_region(fresh: Fresh) {
    add_user(&fresh, "rev.fuzhou", "reviewer", Some("361000"), None).await;
    add_user(&fresh, "rev.nation", "reviewer", Some("100000"), None).await;
    let app = spawn_app(&fresh).await;
    let fuzhou = app.token(&fresh, "rev.fuzhou").await;
    let nation = app.token(&fresh, "rev.nation").await;

    for typed in ["临川区", "抚州市临川区", "江西省抚州市临川区", "361002"] {
        let q: String = url_escape(typed);
        let (status, html) = app.page_as(&format!("/products?region={q}"), &fuzhou).await;
        assert_eq!(status, StatusCode::OK, "{typed}");
        assert!(
            html.contains(r#"value="临川区（361002）""#),
            "{typed}: {html}"
        );
        assert!(
            html.contains("region=361002"),
            "{typed}: tabs keep the code"
        );
        assert!(html.contains(r#"data-root="361000""#));
    }
    let (_, html) = app
        .page_as(
            &format!("/products?region={}", url_escape("南昌市")),
            &fuzhou,
        )
        .await;
    assert!(
        html.contains("在江西省抚州市内找不到名为“南昌市”的地区"),
        "{html}"
    );
    assert!(html.contains(r#"value="南昌市""#));

    let (_, html) = app
        .page_as(
            &format!("/products?region={}", url_escape("朝阳区")),
            &nation,
        )
        .await;
    assert!(
        html.contains("有 2 个名为“朝阳区”的地区，请写明上级或从中选择：北京市朝阳区（110105）、"),
        "{html}"
    );
    assert!(
        html.contains("吉林省长春市朝阳区")
            || html.contains("辽宁省朝阳市")
            || html.contains("朝阳区（")
    );
    let (_, html) = app
        .page_as(
            &format!("/products?field={}", url_escape("计算机制造")),
            &nation,
        )
        .await;
    assert!(html.contains(r#"value="计算机制造（391）""#), "{html}");
    app.stop().await;
}
on_both_backends!(an_office_filters_by_a_place_name_within_its_own_region);

/// What the pickers ask: industries by name or code, regions by name or code within a subtree,
/// each region with its full name to tell namesakes apart.
async fn the_pickers_search_by_name_or_code(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let (status, page) = app
        .get_json(&format!("/api/v1/industries?q={}", url_escape("计算机")))
        .await;
    assert_eq!(status, StatusCode::OK);
    let codes: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes[0], "39", "broadest first: {codes:?}");
    assert!(
        codes.contains(&"391") && codes.contains(&"3914"),
        "{codes:?}"
    );
    let (_, page) = app.get_json("/api/v1/industries?q=C391").await;
    assert_eq!(page["items"][0]["code"], "391");

    let (_, page) = app
        .get_json(&format!(
            "/api/v1/regions?q={}&within=361000",
            url_escape("临川")
        ))
        .await;
    assert_eq!(page["items"][0]["code"], "361002");
    assert_eq!(page["items"][0]["full_name"], "江西省抚州市临川区");
    let (_, page) = app
        .get_json(&format!(
            "/api/v1/regions?q={}&within=361000",
            url_escape("南昌")
        ))
        .await;
    assert_eq!(page["total"], 0, "Nanchang lies outside Fuzhou");
    let (_, page) = app.get_json("/api/v1/regions?q=3610&within=360000").await;
    assert_eq!(
        page["items"][0]["code"], "361000",
        "a code's beginning finds it"
    );
    app.stop().await;
}
on_both_backends!(the_pickers_search_by_name_or_code);

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A firm fills in its profile without JavaScript, typing "抚州市临川区" for where it is and
/// "工业控制计算机及系统制造" for its industry: the profile is saved with 361002 and 3914. Typed
/// "中国临川" and "电脑制造", the form comes back with both fields marked and what was typed kept.
async fn a_firm_names_its_place_and_industry_on_its_profile(fresh: Fresh) {
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "linchuan.tech").await;
    let post = |region: &'static str, industry: &'static str| {
        app.client
            .post(app.url("/enterprises/new"))
            .bearer_auth(&firm)
            .form(&[
                ("credit_code", LINCHUAN),
                ("name", "抚州市临川区示例科技有限公司"),
                ("region", region),
                ("address", "抚州市临川区文昌大道 1 号"),
                ("scale", "small"),
                ("ownership", "private"),
                ("industry", industry),
                ("contact_name", "王芳"),
                ("contact_phone", "0794-8888888"),
                ("contact_email", ""),
            ])
            .send()
    };
    let res = post("中国临川", "电脑制造").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("找不到名为“中国临川”的地区"), "{html}");
    assert!(html.contains("找不到名为“电脑制造”的行业"), "{html}");
    assert!(html.contains(r#"value="中国临川""#) && html.contains(r#"value="电脑制造""#));
    assert_eq!(html.matches(r#"aria-invalid="true""#).count(), 2, "{html}");

    let res = post("抚州市临川区", "工业控制计算机及系统制造")
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let (_, e) = call(
        &app,
        Method::GET,
        &format!("/api/v1/enterprises/{LINCHUAN}"),
        &firm,
        None,
    )
    .await;
    assert_eq!(e["region"], "361002", "{e}");
    assert_eq!(e["industry"], "3914", "{e}");
    let html = app
        .page_as(&format!("/enterprises/{LINCHUAN}/edit"), &firm)
        .await
        .1;
    assert!(html.contains(r#"value="临川区（361002）""#), "{html}");
    assert!(
        html.contains(r#"value="工业控制计算机及系统制造（3914）""#),
        "{html}"
    );
    app.stop().await;
}
on_both_backends!(a_firm_names_its_place_and_industry_on_its_profile);

/// The Fuzhou office opens the monthly report and the evaluation of "临川区" by name; the
/// report is Linchuan's. A name outside Fuzhou is refused beside the field and the office's own
/// report is shown instead.
async fn an_office_opens_a_report_by_place_name(fresh: Fresh) {
    add_user(&fresh, "adm.fuzhou", "admin", Some("361000"), None).await;
    let app = spawn_app(&fresh).await;
    let office = app.token(&fresh, "adm.fuzhou").await;
    let (status, html) = app
        .page_as(
            &format!("/reports/monthly?region={}", url_escape("临川区")),
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("region=361002"),
        "the download is Linchuan's: {html}"
    );
    assert!(html.contains(r#"value="临川区（361002）""#));
    let (_, html) = app
        .page_as(
            &format!("/reports/monthly?region={}", url_escape("朝阳区")),
            &office,
        )
        .await;
    assert!(
        html.contains("在江西省抚州市内找不到名为“朝阳区”的地区"),
        "{html}"
    );
    assert!(html.contains("region=361000"), "its own report instead");
    let (status, html) = app
        .page_as(
            &format!("/evaluation?region={}", url_escape("抚州市临川区")),
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"value="临川区（361002）""#), "{html}");
    app.stop().await;
}
on_both_backends!(an_office_opens_a_report_by_place_name);
