//! Searching the policy library (政策库): Chinese words found in simplified and traditional
//! texts alike, whichever script the query is in; a 文号 however its brackets and spaces are
//! written; filters, relevance against date order, exact totals and paging; anyone searches,
//! nobody anonymous writes. And the index is a cache that never lies: deleted, left at an old
//! generation, missed by a write, or unreadable, it is brought in step before it answers. On
//! both databases.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{call, national_token, spawn_app, spawn_services, TestApp};
use zhichan_service::Services;
use zhichan_testkit::{on_both_backends, Fresh};

const POLICIES: &str = "/api/v1/policies";

fn enc(s: &str) -> String {
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

async fn get(app: &TestApp, path: &str) -> Value {
    let res = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

async fn search(app: &TestApp, query: &str) -> Value {
    get(app, &format!("{POLICIES}?{query}")).await
}

/// The words a hit's highlights mark, in order (each highlight a list of segments).
fn hits(item: &Value) -> Vec<String> {
    item["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["segments"].as_array().unwrap().clone())
        .filter(|s| s["hit"] == true)
        .map(|s| s["text"].as_str().unwrap().to_string())
        .collect()
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn policy(
    title: &str,
    number: Option<&str>,
    issuer: &str,
    region: &str,
    published: &str,
    expires: Option<&str>,
    body: &str,
) -> Value {
    json!({
        "title": title,
        "doc_number": number,
        "issuers": [issuer],
        "region": region,
        "published_on": published,
        "expires_on": expires,
        "body": body,
    })
}

async fn create(app: &TestApp, token: &str, p: Value) -> i64 {
    let (status, body) = call(app, Method::POST, POLICIES, token, Some(p)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// Four policies of our own making: two in simplified, two in traditional characters.
async fn library(app: &TestApp, token: &str) -> [i64; 4] {
    let a = create(
        app,
        token,
        policy(
            "关于推进专利转化运用的若干措施",
            Some("赣知发〔2024〕7号"),
            "江西省知识产权局",
            "360000",
            "2024-03-01",
            None,
            "为加快专利转化运用，支持高校院所向中小企业许可专利，对签订许可合同的给予奖励。",
        ),
    )
    .await;
    let b = create(
        app,
        token,
        policy(
            "關於專利質押融資的通知",
            Some("撫知字〔2023〕12號"),
            "撫州市市場監督管理局",
            "361000",
            "2023-06-15",
            Some("2024-06-14"),
            "為推動專利轉化運用，鼓勵企業以專利質押融資，對貸款利息給予補貼。",
        ),
    )
    .await;
    let c = create(
        app,
        token,
        policy(
            "国家知识产权局关于商标注册便利化的公告",
            None,
            "国家知识产权局",
            "100000",
            "2025-01-10",
            None,
            "商标注册申请可以通过网上服务系统提交，材料齐全的当日受理。",
        ),
    )
    .await;
    let d = create(
        app,
        token,
        policy(
            "地理標誌保護工作方案",
            None,
            "江西省知識產權局",
            "360000",
            "2025-05-20",
            None,
            "加強地理標誌產品保護，專利轉化運用一併推進，建立保護名錄。",
        ),
    )
    .await;
    [a, b, c, d]
}

async fn a_query_in_either_script_finds_policies_in_both(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;
    let [a, b, c, d] = library(&app, &nation).await;

    // Simplified finds the traditional texts, traditional finds the simplified one.
    for q in ["专利转化", "專利轉化", "专利 转化", "專利 转化"] {
        let found = search(&app, &format!("q={}", enc(q))).await;
        let mut got = ids(&found);
        got.sort();
        assert_eq!(got, vec![a, b, d], "{q}: {found}");
        assert_eq!(found["total"], 3, "{q}");
        for item in found["items"].as_array().unwrap() {
            assert!(!hits(item).is_empty(), "{q}: every hit shows where: {item}");
        }
    }
    // A highlight is the text as written: the traditional policy's passage stays traditional.
    let trad = search(&app, &format!("q={}", enc("质押融资"))).await;
    assert_eq!(ids(&trad), vec![b]);
    let marked = hits(&trad["items"][0]);
    assert!(
        marked.iter().any(|w| w == "質押" || w == "質押融資"),
        "{marked:?}"
    );
    // Every word is needed.
    let both = search(&app, &format!("q={}", enc("专利 商标"))).await;
    assert_eq!(both["total"], 0, "{both}");
    let trademark = search(&app, &format!("q={}", enc("商標註冊"))).await;
    assert_eq!(ids(&trademark), vec![c], "{trademark}");

    // The 文号 however it is written, and in the other script.
    for written in [
        "赣知发[2024]7号",
        "赣知发（2024）7号",
        "赣知发 〔2024〕 7 号",
        "贛知發【2024】7號",
        "赣知发(2024)7号",
    ] {
        let found = search(&app, &format!("q={}", enc(written))).await;
        assert_eq!(ids(&found), vec![a], "{written}: {found}");
    }
    let number = search(&app, &format!("q={}", enc("抚知字[2023]12号"))).await;
    assert_eq!(ids(&number), vec![b], "{number}");

    // Filters narrow a search: level, region subtree, issuer, in force, year.
    let q = enc("专利转化");
    let filtered = |f: &str| {
        let app = &app;
        let q = q.clone();
        let f = f.to_string();
        async move {
            let mut got = ids(&search(app, &format!("q={q}&{f}")).await);
            got.sort();
            got
        }
    };
    assert_eq!(filtered("level=province").await, vec![a, d]);
    assert_eq!(filtered("level=city").await, vec![b]);
    assert_eq!(filtered("region=360000").await, vec![a, b, d], "subtree");
    assert_eq!(filtered("region=361000").await, vec![b]);
    assert_eq!(
        filtered(&format!("issuer={}", enc("市场监督"))).await,
        vec![b]
    );
    assert_eq!(
        filtered("in_force=false").await,
        vec![b],
        "expired 2024-06-14"
    );
    assert_eq!(filtered("in_force=true").await, vec![a, d]);
    assert_eq!(filtered("year=2025").await, vec![d]);
    assert_eq!(filtered("year=2025&level=city").await, Vec::<i64>::new());

    // Relevance puts the policy about the words first; date order the newest.
    let relevance = search(&app, &format!("q={}&sort=relevance", enc("专利转化运用"))).await;
    assert_eq!(relevance["items"][0]["id"], a, "{relevance}");
    let by_date = search(&app, &format!("q={}&sort=date", enc("专利转化运用"))).await;
    assert_eq!(ids(&by_date), vec![d, a, b]);

    // Nobody anonymous writes.
    let (status, _) = call(
        &app,
        Method::POST,
        POLICIES,
        "",
        Some(policy(
            "匿名",
            None,
            "某局",
            "360000",
            "2025-01-01",
            None,
            "专利转化",
        )),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(search(&app, &format!("q={q}")).await["total"], 3);
    app.stop().await;
}

on_both_backends!(a_query_in_either_script_finds_policies_in_both);

/// What an attacker and a careful official found: brackets of real 文号 in a text, control
/// characters in a title and text, a query of 10,000 characters.
async fn hostile_text_is_cleaned_and_highlights_mark_only_the_words_found(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;
    // The text cites 贛知發【2024】7號: its brackets are text, not marks.
    let id = create(
        &app,
        &nation,
        policy(
            "关于\u{202e}专利导航\u{0}的通知\u{1b}",
            None,
            "江西省知识产权局",
            "360000",
            "2024-03-01",
            None,
            "根据贛知發【2024】7號，开展专利导航服务。\n\t第二段\u{2066}保留换行。",
        ),
    )
    .await;
    let (_, read) = call(&app, Method::GET, &format!("{POLICIES}/{id}"), "", None).await;
    assert_eq!(
        read["title"], "关于专利导航的通知",
        "controls and overrides go"
    );
    assert_eq!(
        read["body"], "根据贛知發【2024】7號，开展专利导航服务。\n\t第二段保留换行。",
        "line breaks and tabs stay in the text"
    );

    let found = search(&app, &format!("q={}", enc("专利导航"))).await;
    assert_eq!(ids(&found), vec![id]);
    let item = &found["items"][0];
    assert!(
        hits(item)
            .iter()
            .all(|w| w == "专利导航" || w == "专利" || w == "导航"),
        "{item}"
    );
    let body = item["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["field"] == "body")
        .expect("a passage of the text");
    let whole: String = body["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert!(
        whole.contains("贛知發【2024】7號"),
        "the passage as written: {whole}"
    );
    let unmarked: Vec<&Value> = body["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["text"].as_str().unwrap().contains('【'))
        .collect();
    assert!(unmarked.iter().all(|s| s["hit"] == false), "{body}");
    // The page marks the words found, and the 文号's brackets as text.
    let (status, _, page) = app
        .get_text(&format!("/policies?q={}", enc("专利导航")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<mark>专利导航</mark>") || page.contains("<mark>专利</mark>"),
        "{page}"
    );
    assert!(page.contains("贛知發【2024】7號"), "{page}");

    // A query of 10,000 characters is refused by name, on the API and on the page (which
    // says so above the list).
    let (status, body) = call(
        &app,
        Method::GET,
        &format!("{POLICIES}?q={}", "a".repeat(10_000)),
        "",
        None,
    )
    .await;
    assert_eq!(
        support::assert_problem(status, &body, 422),
        [("q".to_string(), "too_long".to_string())]
    );
    let (status, _, page) = app
        .get_text(&format!("/policies?q={}", "a".repeat(10_000)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("检索词不能超过 200 个字"),
        "the page names the limit"
    );
    // NUL in a filter never reaches the database.
    let (status, body) = call(
        &app,
        Method::GET,
        &format!("{POLICIES}?issuer=%00%E6%B1%9F%E8%A5%BF"),
        "",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), vec![id]);
    app.stop().await;
}

on_both_backends!(hostile_text_is_cleaned_and_highlights_mark_only_the_words_found);

async fn totals_are_exact_and_pages_follow_each_other(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;
    let mut made = Vec::new();
    for i in 1..=23 {
        let trad = i % 2 == 0;
        made.push(
            create(
                &app,
                &nation,
                policy(
                    &format!("第{i}号{}", if trad { "資助辦法" } else { "资助办法" }),
                    Some(&format!("测字〔2020〕{i}号")),
                    "测试局",
                    "360000",
                    &format!("2020-01-{i:02}"),
                    None,
                    if trad {
                        "對發明專利給予資助。"
                    } else {
                        "对发明专利给予资助。"
                    },
                ),
            )
            .await,
        );
    }
    let mut seen = Vec::new();
    for page in 1..=3 {
        let p = search(
            &app,
            &format!(
                "q={}&sort=date&per_page=10&page={page}",
                enc("发明专利 资助")
            ),
        )
        .await;
        assert_eq!(p["total"], 23, "{p}");
        seen.extend(ids(&p));
    }
    made.reverse();
    assert_eq!(seen, made, "newest first, each once, across the pages");
    app.stop().await;
}

on_both_backends!(totals_are_exact_and_pages_follow_each_other);

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

async fn the_index_never_serves_a_stale_or_partial_answer_after_a_crash(fresh: Fresh) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("policies.search");
    let serve = || {
        spawn_services(
            Services::new(fresh.db.clone()).with_search_dir(&dir),
            Default::default(),
        )
    };

    // The server indexes as policies are written.
    let app = serve().await;
    let nation = national_token(&app, &fresh).await;
    let [a, _, _, _] = library(&app, &nation).await;
    let q = format!("q={}", enc("专利转化"));
    assert_eq!(search(&app, &q).await["total"], 3);

    // Its index as it stood then, kept aside (a disk restored from an old copy).
    let old = tmp.path().join("old");
    copy_dir(&dir, &old);

    // A write committed to the database that this server's index never saw (the command line
    // imports, or the server died between the database commit and the index commit).
    let other = Services::new(fresh.db.clone());
    let operator = zhichan_service::Ctx::cli();
    let imported = other
        .import_policies_as_operator(
            &operator,
            "关于专利转化奖励的补充通知\n\n对专利转化运用成效突出的单位给予奖励。\n\n测试局\n2025年2月1日",
            zhichan_domain::RegionCode::parse("360000").unwrap(),
        )
        .await
        .unwrap();
    let e = imported[0].saved.unwrap();
    let found = search(&app, &q).await;
    assert_eq!(found["total"], 4, "caught up before answering: {found}");
    assert!(ids(&found).contains(&e));

    // An edit: the old words must no longer find it, the new ones must.
    let mut edited = policy(
        "关于商标品牌建设的若干措施",
        Some("赣知发〔2024〕7号"),
        "江西省知识产权局",
        "360000",
        "2024-03-01",
        None,
        "改为支持商标品牌建设，对新注册商标给予奖励。",
    );
    edited["version"] = json!(1);
    let (status, body) = call(
        &app,
        Method::PATCH,
        &format!("{POLICIES}/{a}"),
        &nation,
        Some(edited),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(search(&app, &q).await["total"], 3);
    app.stop().await;

    // Restarted on the old copy: it catches up, and never answers with what it held.
    std::fs::remove_dir_all(&dir).unwrap();
    copy_dir(&old, &dir);
    let services = Services::new(fresh.db.clone()).with_search_dir(&dir);
    let sync = services.sync_policy_search().await.unwrap();
    assert!(
        !sync.rebuilt,
        "an index behind the database catches up: {sync:?}"
    );
    assert_eq!(sync.indexed, 2, "the import and the edit: {sync:?}");
    let app = spawn_services(services, Default::default()).await;
    let found = search(&app, &q).await;
    assert_eq!(found["total"], 3, "{found}");
    assert!(
        !ids(&found).contains(&a),
        "the edited policy is not found by its old words"
    );
    assert_eq!(
        ids(&search(&app, &format!("q={}", enc("商标品牌"))).await),
        vec![a]
    );
    app.stop().await;

    // Deleted: rebuilt from the database.
    std::fs::remove_dir_all(&dir).unwrap();
    let services = Services::new(fresh.db.clone()).with_search_dir(&dir);
    let sync = services.sync_policy_search().await.unwrap();
    assert!(sync.rebuilt, "{sync:?}");
    assert_eq!(sync.indexed, 5);
    let app = spawn_services(services, Default::default()).await;
    assert_eq!(search(&app, &q).await["total"], 3);
    assert_eq!(
        ids(&search(&app, &format!("q={}", enc("贛知發[2024]7號"))).await),
        vec![a]
    );
    app.stop().await;

    // Unreadable (a torn file where its commit record was): rebuilt, not served.
    std::fs::write(dir.join("meta.json"), b"{\"segments\": [").unwrap();
    let services = Services::new(fresh.db.clone()).with_search_dir(&dir);
    let app = spawn_services(services, Default::default()).await;
    assert_eq!(search(&app, &q).await["total"], 3);
    app.stop().await;

    // An index of another database (a copy moved beside a fresh one) is rebuilt, not trusted:
    // here the database is told it is another one.
    use zhichan_store::{Exec, Sql};
    fresh
        .db
        .execute(Sql::new(
            "UPDATE policy_search_state SET instance = 'another' WHERE id = 1",
        ))
        .await
        .unwrap();
    let services = Services::new(fresh.db.clone()).with_search_dir(&dir);
    let sync = services.sync_policy_search().await.unwrap();
    assert!(sync.rebuilt, "{sync:?}");
    assert_eq!(sync.indexed, 5);
}

on_both_backends!(the_index_never_serves_a_stale_or_partial_answer_after_a_crash);

async fn an_administrator_of_the_region_edits_on_the_page_and_the_search_follows(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let nation = national_token(&app, &fresh).await;
    let [_, b, _, _] = library(&app, &nation).await;
    support::add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    support::add_user(&fresh, "admin.nanchang", "admin", Some("360100"), None).await;

    // The public list marks the words and keeps the order chosen.
    let (status, _, list) = app
        .get_text(&format!("/policies?q={}&sort=date", enc("专利转化")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("<mark>"), "{list}");
    assert!(list.contains("<option value=\"date\" selected>"), "{list}");

    // Another city's administrator does not see the form.
    let other = app.login("admin.nanchang").await;
    let res = other
        .client
        .get(app.url(&format!("/policies/{b}/edit")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let official = app.login("admin.fuzhou").await;
    let (status, _, view) = app.get_text(&format!("/policies/{b}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !view.contains("/edit\""),
        "anonymous readers get no edit link"
    );
    let page = official
        .client
        .get(app.url(&format!("/policies/{b}/edit")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"version\" value=\"1\""), "{page}");
    assert!(page.contains("value=\"撫知字〔2023〕12號\""), "{page}");

    let mut fields = vec![
        ("csrf", official.csrf.clone()),
        ("version", "1".to_string()),
        ("region", "361000".to_string()),
        ("title", "關於專利質押融資貼息的通知".to_string()),
        ("doc_number", "撫知字〔2023〕12號".to_string()),
        ("issuers", "撫州市市場監督管理局".to_string()),
        ("published_on", "2023-06-31".to_string()),
        ("expires_on", "2024-06-14".to_string()),
        (
            "body",
            "鼓勵企業以專利質押融資，貸款貼息按季度撥付。".to_string(),
        ),
    ];
    // A wrong date comes back as typed, its message beside it; nothing saved.
    let res = official
        .client
        .post(app.url(&format!("/policies/{b}/edit")))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("value=\"2023-06-31\""), "{page}");
    assert!(page.contains("id=\"pf-published_on-error\""), "{page}");
    assert_eq!(get(&app, &format!("{POLICIES}/{b}")).await["version"], 1);

    // Corrected, it is the second version, and the search finds it by its new words only.
    fields[6].1 = "2023-06-30".to_string();
    let res = official
        .client
        .post(app.url(&format!("/policies/{b}/edit")))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/policies/{b}")
    );
    let read = get(&app, &format!("{POLICIES}/{b}")).await;
    assert_eq!(read["version"], 2);
    assert_eq!(read["versions"].as_array().unwrap().len(), 2);
    assert_eq!(read["published_on"], "2023-06-30");
    assert_eq!(
        ids(&search(&app, &format!("q={}", enc("贴息"))).await),
        vec![b]
    );
    assert!(!ids(&search(&app, &format!("q={}", enc("专利转化"))).await).contains(&b));

    // Saving again from the first version is refused, with what was typed kept.
    let res = official
        .client
        .post(app.url(&format!("/policies/{b}/edit")))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let page = res.text().await.unwrap();
    assert!(page.contains("政策已被他人修改"), "{page}");
    assert!(
        page.contains("贷款贴息") || page.contains("貸款貼息"),
        "{page}"
    );
    app.stop().await;
}

on_both_backends!(an_administrator_of_the_region_edits_on_the_page_and_the_search_follows);
