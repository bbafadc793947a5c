//! The policy library (政策库): an official imports the five real seeds through the API (a
//! preview first, which saves nothing), importing them again duplicates nothing, anyone reads
//! them without signing in, in force follows the dates on the server's clock, and only the
//! administrators of a policy's region (and the nation) write it. On both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use support::{add_user, assert_problem, call, national_token, spawn_app, TestApp};
use zhichan_domain::Timestamp;
use zhichan_service::clock::ManualClock;
use zhichan_testkit::{on_both_backends, Fresh};

const POLICIES: &str = "/api/v1/policies";

/// The seeds directory: `ZHICHAN_SEEDS_DIR`, or `shared/seeds` beside the workspace or one of
/// its ancestors.
fn seeds() -> Vec<(String, String)> {
    let dir = std::env::var_os("ZHICHAN_SEEDS_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .map(|a| a.join("shared/seeds"))
                .find(|p| p.is_dir())
        })
        .expect("the seeds are read from ../shared/seeds (or ZHICHAN_SEEDS_DIR): not found");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("the seeds directory is readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).expect("a seed is UTF-8"),
            )
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "five seeds in {}", dir.display());
    files
}

async fn import(
    app: &TestApp,
    token: &str,
    name: &str,
    text: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name(name.to_string()),
    );
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let res = app
        .client
        .post(app.url(&format!("{POLICIES}/import")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn anonymous(app: &TestApp, path: &str) -> Value {
    let res = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

fn warned(item: &Value) -> Vec<String> {
    let mut f: Vec<String> = item["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["field"].as_str().unwrap().to_string())
        .collect();
    f.sort();
    f
}

async fn an_official_imports_the_five_seeds_and_importing_them_again_duplicates_nothing(
    fresh: Fresh,
) {
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;
    let seeds = seeds();

    // A preview shows every field and saves nothing.
    let (status, preview) = import(
        &app,
        &nation,
        &seeds[1].0,
        &seeds[1].1,
        &[("preview", "true")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["preview"], true);
    assert_eq!(preview["items"].as_array().unwrap().len(), 14);
    assert_eq!(preview["saved"], 0);
    let empty_source = &preview["items"][6];
    assert_eq!(empty_source["source"], Value::Null);
    assert_eq!(empty_source["posted_on"], "2024-04-12");
    assert!(warned(empty_source).contains(&"source".to_string()));
    // Each is placed where its issuers are: the 抚州 notices in 抚州市, the national ones in the
    // nation. Without a signature, the 来源 places it and a warning says so; without either,
    // it is placed where the importer chose, and the warning asks the official to check.
    let placed = |i: usize| {
        let item = &preview["items"][i];
        let warning = item["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["field"] == "region")
            .map(|w| w["code"].as_str().unwrap().to_string());
        (
            item["level"].as_str().unwrap().to_string(),
            item["region"].as_str().unwrap().to_string(),
            warning,
        )
    };
    let some = |c: &str| Some(c.to_string());
    assert_eq!(placed(0), ("nation".into(), "100000".into(), None));
    assert_eq!(placed(4), ("city".into(), "361000".into(), None));
    assert_eq!(
        placed(5),
        ("city".into(), "361000".into(), some("region_from_source"))
    );
    assert_eq!(
        placed(6),
        (
            "nation".into(),
            "100000".into(),
            some("region_not_inferred")
        )
    );
    assert_eq!(placed(7), ("city".into(), "361000".into(), None));
    assert_eq!(
        placed(9),
        (
            "nation".into(),
            "100000".into(),
            some("region_not_inferred")
        )
    );
    assert!(preview["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["errors"].as_array().unwrap().is_empty()));
    assert_eq!(
        anonymous(&app, POLICIES).await["total"],
        0,
        "a preview saves nothing"
    );

    // The import saves them all: 1 + 14 + 1 + 1 + 1.
    let mut saved = Vec::new();
    for (name, text) in &seeds {
        let (status, answer) = import(&app, &nation, name, text, &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {answer}");
        assert_eq!(answer["duplicates"], 0, "{name}");
        saved.push(answer);
    }
    assert_eq!(
        saved
            .iter()
            .map(|a| a["saved"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 14, 1, 1, 1]
    );
    assert_eq!(anonymous(&app, POLICIES).await["total"], 18);

    // Seed 000: no title line, the cited 985号 is not its own number.
    let jiangsu = &saved[0]["items"][0];
    assert_eq!(jiangsu["title"], Value::Null);
    assert_eq!(jiangsu["doc_number"], Value::Null);
    assert_eq!(jiangsu["issuer"], "江苏省知识产权局办公室");
    assert_eq!(jiangsu["published_on"], "2022-12-21");
    assert_eq!(
        (&jiangsu["level"], &jiangsu["region"]),
        (&json!("province"), &json!("320000"))
    );
    assert_eq!(
        warned(jiangsu),
        [
            "doc_number",
            "effective_on",
            "expires_on",
            "posted_on",
            "source",
            "title"
        ]
    );
    // Seed 001: the listing's 来源 is the portal's, the signature names the issuers.
    let first = &saved[1]["items"][0];
    assert_eq!(first["doc_number"], "国知发服字〔2025〕5号");
    assert_eq!(first["source"], "国家知识产权局");
    assert_eq!(first["posted_on"], "2025-04-01");
    assert_eq!(first["published_on"], "2025-03-13");
    assert_eq!(first["issuers"].as_array().unwrap().len(), 7);
    // Seed 002: the English rendering's number as written.
    assert_eq!(
        saved[2]["items"][0]["doc_number"],
        "Hanyun Zi [2022] No. 985"
    );
    assert_eq!(saved[2]["items"][0]["published_on"], "2022-11-15");
    // Seed 003: its number normalised, in force for five years from publication.
    let chengdu = &saved[3]["items"][0];
    assert_eq!(chengdu["doc_number"], "成知发〔2024〕3号");
    assert_eq!(chengdu["effective_on"], "2024-07-28");
    assert_eq!(chengdu["expires_on"], "2029-07-27");
    // Seed 004: the readings are gone.
    let navigation = &saved[4]["items"][0];
    assert_eq!(navigation["doc_number"], "國知辦發運字〔2022〕58號");
    assert!(!navigation["body"].as_str().unwrap().contains("(guó)"));

    // The saved policy reads back the same, to anyone.
    let id = chengdu["saved"].as_i64().unwrap();
    let read = anonymous(&app, &format!("{POLICIES}/{id}")).await;
    assert_eq!(read["doc_number"], "成知发〔2024〕3号");
    assert_eq!(read["issuer"], "成都市知识产权局");
    assert_eq!(
        (&read["level"], &read["region"]),
        (&json!("city"), &json!("510100")),
        "placed where its issuer 成都市知识产权局 is, not where the national importer is"
    );
    assert_eq!(read["version"], 1);
    assert!(read["body"].as_str().unwrap().contains("有效期5年"));

    // Importing everything again saves nothing and names what each one already is.
    for ((name, text), before) in seeds.iter().zip(&saved) {
        let (status, again) = import(&app, &nation, name, text, &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{again}");
        assert_eq!(again["saved"], 0, "{name}");
        let ids: Vec<&Value> = before["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| &i["saved"])
            .collect();
        let dups: Vec<&Value> = again["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| &i["duplicate_of"])
            .collect();
        assert_eq!(ids, dups, "{name}");
    }
    assert_eq!(anonymous(&app, POLICIES).await["total"], 18);

    // The 文号 is found however it is written; filters narrow the list.
    for written in ["成知发[2024]3号", "成知发 (2024) 3号", "成知发〔2024〕3号"] {
        let found = anonymous(&app, &format!("{POLICIES}?q={}", urlencode(written))).await;
        assert_eq!(found["total"], 1, "{written}");
        assert_eq!(found["items"][0]["id"], id);
    }
    let words = anonymous(
        &app,
        &format!("{POLICIES}?q={}", urlencode("赋能中心 有效期")),
    )
    .await;
    assert_eq!(words["total"], 1);
    assert_eq!(words["items"][0]["id"], id);
    assert!(words["items"][0]["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["segments"].as_array().unwrap().iter())
        .any(|s| s["hit"] == true));
    let by_issuer = anonymous(&app, &format!("{POLICIES}?issuer={}", urlencode("成都市"))).await;
    assert_eq!(by_issuer["total"], 1);
    let in_2024 = anonymous(&app, &format!("{POLICIES}?year=2024&per_page=50")).await;
    assert!(in_2024["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["published_on"].as_str().unwrap().starts_with("2024-")));
    assert_eq!(in_2024["total"], 6);
    let (status, bad) = call(
        &app,
        Method::GET,
        &format!("{POLICIES}?level=planet&year=20x"),
        "",
        None,
    )
    .await;
    assert_eq!(
        assert_problem(status, &bad, 422),
        [
            ("level".to_string(), "invalid_level".to_string()),
            ("year".to_string(), "invalid_year".to_string())
        ]
    );
    app.stop().await;
}

on_both_backends!(an_official_imports_the_five_seeds_and_importing_them_again_duplicates_nothing);

/// The preview refuses what saving refuses, policy by policy; control characters are dropped and
/// said, and NUL never reaches the database.
async fn the_preview_flags_what_saving_refuses_and_control_characters_go(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;
    // 1.8 MB of text: more than the 500,000 characters a policy may hold.
    let huge = format!("各单位:\n{}。\n某某局\n2024年1月2日", "知".repeat(600_000));
    let (status, preview) = import(&app, &nation, "huge.txt", &huge, &[("preview", "true")]).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let errors = &preview["items"][0]["errors"];
    assert_eq!(errors[0]["field"], "body", "{errors}");
    assert_eq!(errors[0]["code"], "too_long");
    let (status, body) = import(&app, &nation, "huge.txt", &huge, &[]).await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("items[0].body".to_string(), "too_long".to_string())]
    );
    assert_eq!(anonymous(&app, POLICIES).await["total"], 0);

    let hostile = "关于\u{202e}某事\u{0}的通知\n各单位:\n通知\u{1b}[31m如下。\n江西省知识产权局\n2024年1月2日";
    let (status, preview) = import(&app, &nation, "x.txt", hostile, &[("preview", "true")]).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let item = &preview["items"][0];
    assert_eq!(item["title"], "关于某事的通知");
    assert!(warned(item).contains(&"body".to_string()), "{item}");
    assert_eq!(
        (&item["level"], &item["region"]),
        (&json!("province"), &json!("360000"))
    );
    let (status, saved) = import(&app, &nation, "x.txt", hostile, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    let id = saved["items"][0]["saved"].as_i64().unwrap();
    let read = anonymous(&app, &format!("{POLICIES}/{id}")).await;
    assert_eq!(read["title"], "关于某事的通知");
    assert!(!read["body"].as_str().unwrap().contains('\u{1b}'));
    assert_eq!(read["region"], "360000");
    app.stop().await;
}

on_both_backends!(the_preview_flags_what_saving_refuses_and_control_characters_go);

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn measures() -> Value {
    json!({
        "title": "抚州市支持小微企业发展的若干措施",
        "doc_number": "抚府发 [2023] 9 号",
        "issuers": ["抚州市人民政府"],
        "region": "361000",
        "published_on": "2023-09-12",
        "effective_on": "2023-10-10",
        "expires_on": "2025-12-31",
        "source": null,
        "url": "https://www.jxfz.gov.cn/",
        "body": "本措施自2023年10月10日施行，有效期至2025年12月31日。",
        "topics": ["小微企业"]
    })
}

async fn in_force_follows_the_dates_on_the_servers_clock(fresh: Fresh) {
    // Beijing 2025-12-31 20:00: the last day in force.
    let clock = Arc::new(ManualClock::at(
        Timestamp::parse("2025-12-31T12:00:00.000Z").unwrap(),
    ));
    let services = zhichan_service::Services::with_clock(fresh.db.clone(), clock.clone());
    let app = support::spawn_services(services, zhichan_server::Settings::default()).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    let city = app.long_token(&fresh, "admin.fuzhou").await;
    let (status, created) = call(&app, Method::POST, POLICIES, &city, Some(measures())).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["doc_number"], "抚府发 [2023] 9 号", "kept as typed");
    assert_eq!(created["level"], "city");
    let id = created["id"].as_i64().unwrap();
    let path = format!("{POLICIES}/{id}");
    assert_eq!(anonymous(&app, &path).await["in_force"], true);
    let listed = |w: &'static str| {
        let app = &app;
        async move { anonymous(app, &format!("{POLICIES}?in_force={w}")).await["total"].clone() }
    };
    assert_eq!(
        (listed("true").await, listed("false").await),
        (json!(1), json!(0))
    );

    // Beijing 2026-01-01: expired.
    clock.advance(time::Duration::hours(4));
    assert_eq!(anonymous(&app, &path).await["in_force"], false);
    assert_eq!(
        (listed("true").await, listed("false").await),
        (json!(0), json!(1))
    );

    // Before its effective date it is not in force either.
    let mut early = measures();
    early["doc_number"] = json!("抚府发〔2026〕1号");
    early["effective_on"] = json!("2026-01-02");
    early["expires_on"] = Value::Null;
    early["body"] = json!("另一份措施，自2026年1月2日起施行。");
    let (status, later) = call(&app, Method::POST, POLICIES, &city, Some(early)).await;
    assert_eq!(status, StatusCode::CREATED, "{later}");
    assert_eq!(later["in_force"], false);
    clock.advance(time::Duration::days(1));
    assert_eq!(
        anonymous(&app, &format!("{POLICIES}/{}", later["id"])).await["in_force"],
        true
    );
    app.stop().await;
}

on_both_backends!(in_force_follows_the_dates_on_the_servers_clock);

async fn anyone_reads_but_only_administrators_of_the_region_write(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "shenhe", "reviewer", Some("361000"), None).await;
    let city = app.token(&fresh, "admin.fuzhou").await;
    let reviewer = app.token(&fresh, "shenhe").await;

    // Nobody signed in writes anything.
    let res = app
        .client
        .post(app.url(POLICIES))
        .json(&measures())
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_problem(status, &res.json().await.unwrap(), 401);
    let res = app
        .client
        .post(app.url(&format!("{POLICIES}/import")))
        .multipart(reqwest::multipart::Form::new().text("file", "文"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // A reviewer may never write policies.
    let (status, body) = call(&app, Method::POST, POLICIES, &reviewer, Some(measures())).await;
    assert_problem(status, &body, 403);

    // The city's administrator writes the city's policies, not the province's or the nation's.
    let (status, mine) = call(&app, Method::POST, POLICIES, &city, Some(measures())).await;
    assert_eq!(status, StatusCode::CREATED, "{mine}");
    let mut provincial = measures();
    provincial["region"] = json!("360000");
    provincial["doc_number"] = json!("赣知发〔2024〕1号");
    provincial["body"] = json!("江西省的一份通知。");
    let (status, body) = call(
        &app,
        Method::POST,
        POLICIES,
        &city,
        Some(provincial.clone()),
    )
    .await;
    assert_problem(status, &body, 404);
    let (status, body) = import(
        &app,
        &city,
        "x.txt",
        "各单位:\n通知如下。\n某局\n2024年1月2日",
        &[("region", "100000")],
    )
    .await;
    assert_problem(status, &body, 404);
    let (status, theirs) = call(&app, Method::POST, POLICIES, &nation, Some(provincial)).await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    let mut edit = measures();
    edit["version"] = json!(1);
    edit["region"] = json!("360000");
    let (status, body) = call(
        &app,
        Method::PATCH,
        &format!("{POLICIES}/{}", theirs["id"]),
        &city,
        Some(edit),
    )
    .await;
    assert_problem(status, &body, 404);

    // An edit is a new version; an edit from an old version is refused.
    let mine_path = format!("{POLICIES}/{}", mine["id"]);
    let mut edit = measures();
    edit["version"] = json!(1);
    edit["title"] = json!("抚州市支持个体工商户和小微企业高质量发展的若干措施");
    let (status, edited) = call(&app, Method::PATCH, &mine_path, &nation, Some(edit.clone())).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["versions"].as_array().unwrap().len(), 2);
    let (status, body) = call(&app, Method::PATCH, &mine_path, &city, Some(edit)).await;
    assert_problem(status, &body, 409);
    // The same own 文号 twice is a conflict.
    let (status, body) = call(&app, Method::POST, POLICIES, &city, Some(measures())).await;
    assert_problem(status, &body, 409);
    // Bad fields are named one by one.
    let (status, body) = call(
        &app,
        Method::POST,
        POLICIES,
        &city,
        Some(json!({"region": "361000", "body": "  ", "published_on": "2024-13-01", "url": "ftp://x"})),
    )
    .await;
    let mut fields = assert_problem(status, &body, 422);
    fields.sort();
    assert_eq!(
        fields,
        [("published_on".to_string(), "invalid_date".to_string())]
    );
    let (status, body) = call(
        &app,
        Method::POST,
        POLICIES,
        &city,
        Some(json!({"region": "361000", "body": " ", "url": "ftp://x", "effective_on": "2024-02-01", "expires_on": "2024-01-01"})),
    )
    .await;
    let mut fields = assert_problem(status, &body, 422);
    fields.sort();
    assert_eq!(
        fields,
        [
            ("body".to_string(), "required".to_string()),
            ("expires_on".to_string(), "invalid_date_range".to_string()),
            ("url".to_string(), "invalid_url".to_string())
        ]
    );

    // Attachments are kept as files and served back as downloads nobody's browser renders.
    let attach = |token: &str, bytes: &'static [u8], name: &str| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
        app.client
            .post(app.url(&format!("{mine_path}/attachments")))
            .bearer_auth(token.to_string())
            .multipart(form)
            .send()
    };
    let res = attach(&reviewer, b"%PDF-1.4 x", "a.pdf").await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = attach(&city, b"%PDF-1.4 table", "申请表.pdf")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let pdf: Value = res.json().await.unwrap();
    let res = attach(&city, b"<html><script>alert(1)</script>", "page.html")
        .await
        .unwrap();
    let html: Value = res.json().await.unwrap();
    for (added, kind, bytes) in [
        (&pdf, "application/pdf", &b"%PDF-1.4 table"[..]),
        (
            &html,
            "application/octet-stream",
            &b"<html><script>alert(1)</script>"[..],
        ),
    ] {
        let res = app
            .client
            .get(app.url(added["href"].as_str().unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers().clone();
        assert_eq!(h["content-type"], kind);
        assert!(h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["content-security-policy"], "sandbox");
        assert_eq!(&res.bytes().await.unwrap()[..], bytes);
    }
    // A long name with spaces: cut before its extension, and encoded as RFC 5987 says (%20,
    // never +), with a plain fallback that keeps the extension too.
    let long = format!("政策 附件 {}.pdf", "很长的名字".repeat(60));
    let res = attach(&city, b"%PDF-1.4 long", &long).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let added: Value = res.json().await.unwrap();
    let res = app
        .client
        .get(app.url(added["href"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    let (plain, encoded) = disposition
        .split_once("; filename*=UTF-8''")
        .expect("both names");
    assert!(plain.ends_with(".pdf\""), "{disposition}");
    assert!(
        encoded.starts_with("%E6%94%BF%E7%AD%96%20%E9%99%84%E4%BB%B6%20"),
        "{disposition}"
    );
    assert!(
        encoded.ends_with(".pdf") && !encoded.contains('+'),
        "{disposition}"
    );
    let read = anonymous(&app, &mine_path).await;
    assert_eq!(read["attachments"].as_array().unwrap().len(), 3);
    assert_eq!(read["attachments"][0]["name"], "申请表.pdf");
    let stored = read["attachments"][2]["name"].as_str().unwrap();
    assert_eq!(stored.chars().count(), 200);
    assert!(stored.ends_with(".pdf"), "{stored}");
    app.stop().await;
}

on_both_backends!(anyone_reads_but_only_administrators_of_the_region_write);

async fn an_official_previews_corrects_and_saves_and_anyone_reads_the_pages(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    add_user(&fresh, "admin.chengdu", "admin", Some("510100"), None).await;
    let official = app.login("admin.chengdu").await;
    let chengdu = seeds()
        .into_iter()
        .find(|(n, _)| n.starts_with("003_"))
        .unwrap();

    // The preview shows what was extracted, in a form, with what the text lacks beside it.
    let form = reqwest::multipart::Form::new()
        .text("region", "510100")
        .part(
            "file",
            reqwest::multipart::Part::bytes(chengdu.1.into_bytes()).file_name("003.txt"),
        );
    let res = official
        .client
        .post(app.url(&format!("/policies/import?csrf={}", official.csrf)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("value=\"成知发〔2024〕3号\""), "{page}");
    assert!(page.contains("value=\"2029-07-27\""));
    assert!(page.contains("原文未载明标题"));
    assert_eq!(
        anonymous(&app, POLICIES).await["total"],
        0,
        "a preview saves nothing"
    );

    // A wrong date comes back as typed, with its message beside it.
    let mut fields = vec![
        ("csrf", official.csrf.clone()),
        ("region", "510100".to_string()),
        (
            "title",
            "关于知识产权赋能产业高质量发展的实施意见".to_string(),
        ),
        ("doc_number", "成知发〔2024〕3号".to_string()),
        ("issuers", "成都市知识产权局".to_string()),
        ("published_on", "2024-07-88".to_string()),
        ("body", "本实施意见自公布之日起施行,有效期5年。".to_string()),
    ];
    let res = official
        .client
        .post(app.url("/policies/new"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("value=\"2024-07-88\""));
    assert!(page.contains("id=\"pf-published_on-error\""), "{page}");

    // Corrected, it is saved and shown to anyone.
    fields[5].1 = "2024-07-28".to_string();
    let res = official
        .client
        .post(app.url("/policies/new"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let at = res.headers()["location"].to_str().unwrap().to_string();
    let (status, _, view) = app.get_text(&at).await;
    assert_eq!(status, StatusCode::OK);
    assert!(view.contains("关于知识产权赋能产业高质量发展的实施意见"));
    assert!(view.contains("成知发〔2024〕3号") && view.contains("data-print"));
    // The reading view offers related policies, and never names the staff account that saved it:
    // the public API answers `changed_by` null, the administrators of the region see it.
    assert!(view.contains("aria-labelledby=\"h-related\""), "{view}");
    assert!(!view.contains("admin.chengdu"), "{view}");
    let api = format!("/api/v1{at}");
    let public = anonymous(&app, &api).await;
    assert_eq!(public["versions"][0]["changed_by"], Value::Null, "{public}");
    let staff: Value = official
        .client
        .get(app.url(&api))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        staff["versions"][0]["changed_by"], "admin.chengdu",
        "{staff}"
    );
    let (status, _, list) = app
        .get_text("/policies?q=%E8%B5%8B%E8%83%BD&in_force=true")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("href=\"{at}\"")), "{list}");
    app.stop().await;
}

on_both_backends!(an_official_previews_corrects_and_saves_and_anyone_reads_the_pages);

async fn an_enterprise_home_shows_the_policies_of_its_region_and_above(fresh: Fresh) {
    zhichan_service::Services::new(fresh.db.clone())
        .prepare_demo()
        .await
        .unwrap();
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;
    let policy = |region: &str, title: &str, day: &str| json!({"title": title, "region": region, "published_on": day, "body": format!("{title}的全文。")});
    for (region, title, day) in [
        ("100000", "全国的一份通知", "2024-01-02"),
        ("361000", "抚州市的一份通知", "2024-03-04"),
        ("320000", "江苏省的一份通知", "2024-05-06"),
    ] {
        let (status, body) = call(
            &app,
            Method::POST,
            POLICIES,
            &nation,
            Some(policy(region, title, day)),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let firm = app.token(&fresh, "qiye").await;
    let res = app
        .client
        .get(app.url("/"))
        .bearer_auth(&firm)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let home = res.text().await.unwrap();
    let fuzhou = home.find("抚州市的一份通知").expect("the city's policy");
    let national = home.find("全国的一份通知").expect("the nation's policy");
    assert!(fuzhou < national, "newest first");
    assert!(
        !home.contains("江苏省的一份通知"),
        "another province's is not shown"
    );
    app.stop().await;
}

on_both_backends!(an_enterprise_home_shows_the_policies_of_its_region_and_above);
