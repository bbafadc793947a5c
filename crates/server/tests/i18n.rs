//! Three languages: 简体中文 (the source), 繁體中文 and English, for every page and API error.

use crate::support;

use reqwest::StatusCode;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::{add_user, spawn_app, PASSWORD};
use zhichan_i18n::{has_english, is_cjk};
use zhichan_testkit::{on_both_backends, Fresh};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The keys of `chrome.t("…")` in a template, and the template with those calls taken out.
fn template_keys(src: &str) -> (Vec<String>, String) {
    let mut keys = Vec::new();
    let mut rest = String::new();
    let mut s = src;
    while let Some(i) = s.find("chrome.t(\"") {
        rest.push_str(&s[..i]);
        let mut key = String::new();
        let mut chars = s[i + "chrome.t(\"".len()..].char_indices();
        let mut end = 0;
        while let Some((j, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, e)) = chars.next() {
                        key.push(e);
                    }
                }
                '"' => {
                    end = j;
                    break;
                }
                c => key.push(c),
            }
        }
        keys.push(key);
        s = &s[i + "chrome.t(\"".len() + end + 1..];
    }
    rest.push_str(s);
    (keys, rest)
}

/// The string literals of a Rust source that hold Chinese (a format string's placeholders
/// numbered `{0}`, `{1}`, … as the catalogue keys them), leaving out comments and tests.
fn rust_messages(src: &str) -> Vec<String> {
    let src = src.split("#[cfg(test)]").next().unwrap_or(src);
    let code: String = src
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let mut chars = code.chars().peekable();
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        if c == '"' && prev != '\'' && prev != '#' {
            let mut lit = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some('\n') => {
                            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                                chars.next();
                            }
                        }
                        Some('n') => lit.push('\n'),
                        Some(e) => lit.push(e),
                        None => {}
                    },
                    '"' => break,
                    c => lit.push(c),
                }
            }
            if lit.chars().any(is_cjk) {
                out.push(numbered(&lit));
            }
            prev = '"';
        } else {
            prev = c;
        }
    }
    out
}

/// `{}`, `{name}`, `{:?}` → `{0}`, `{1}`, …
fn numbered(lit: &str) -> String {
    let mut out = String::new();
    let mut n = 0;
    let mut chars = lit.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' {
            if chars.peek() == Some(&'{') {
                chars.next();
                out.push('{');
                continue;
            }
            for d in chars.by_ref() {
                if d == '}' {
                    break;
                }
            }
            out.push_str(&format!("{{{n}}}"));
            n += 1;
        } else if c == '}' && chars.peek() == Some(&'}') {
            chars.next();
            out.push('}');
        } else {
            out.push(c);
        }
    }
    out
}

/// A source without its OpenAPI annotations (`#[utoipa::path(…)]` blocks and `description =`
/// lines): the API's reference is written in Chinese, not shown to people as a message.
fn without_api_docs(src: &str) -> String {
    let mut out = Vec::new();
    let mut depth: i64 = 0;
    for line in src.lines() {
        let t = line.trim_start();
        if depth == 0 && t.starts_with("#[utoipa::path(") {
            depth = 1;
            depth += line.matches('(').count() as i64 - 1 - line.matches(')').count() as i64;
            depth = depth.max(0);
            continue;
        }
        if depth > 0 {
            depth += line.matches('(').count() as i64 - line.matches(')').count() as i64;
            if depth <= 0 {
                depth = 0;
            }
            continue;
        }
        if line.contains("description =") {
            continue;
        }
        out.push(line);
    }
    out.join("\n")
}

/// Every message a person can meet that the catalogue is kept for: the templates' texts, the
/// layout's menu and titles, the role names, the error pages and the API's problems.
fn messages() -> (BTreeSet<String>, Vec<String>) {
    let mut keys = BTreeSet::new();
    let mut unwrapped = Vec::new();
    let mut templates: Vec<PathBuf> = std::fs::read_dir(root().join("templates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    templates.sort();
    for p in templates {
        let src = std::fs::read_to_string(&p).unwrap();
        let (k, rest) = template_keys(&src);
        keys.extend(k);
        for (n, line) in rest.lines().enumerate() {
            if line.chars().any(is_cjk) {
                unwrapped.push(format!(
                    "{}:{}: {}",
                    p.file_name().unwrap().to_string_lossy(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    // What the pages' handlers, the error layer and the switcher say in Rust.
    let mut sources: Vec<PathBuf> = std::fs::read_dir(root().join("src/web"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    sources.extend(["src/error.rs", "src/locale.rs"].map(|f| root().join(f)));
    // And what the API answers: its handlers' problems (their OpenAPI descriptions aside, which
    // document the API in Chinese), the access layer's refusals and the limits.
    let mut api: Vec<PathBuf> = std::fs::read_dir(root().join("src/api"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with("contract.rs"))
        .collect();
    api.sort();
    sources.extend(api);
    sources.extend(["src/auth.rs", "src/layers.rs", "src/limits.rs"].map(|f| root().join(f)));
    for file in sources {
        let src = without_api_docs(&std::fs::read_to_string(file).unwrap());
        keys.extend(rust_messages(&src));
    }
    // The domain's names of roles, statuses, levels and kinds (`label_zh`).
    for e in std::fs::read_dir(root().join("../domain/src")).unwrap() {
        let src = std::fs::read_to_string(e.unwrap().path()).unwrap();
        // code_enum!'s `Variant = "code" / "名称"`.
        for line in src.lines() {
            if let Some((_, zh)) = line.split_once("\" / \"") {
                keys.extend(rust_messages(&format!("\"{zh}")));
            }
        }
        for body in src.split("fn label_zh(").skip(1) {
            let body = body.split("\n    }\n").next().unwrap_or("");
            keys.extend(rust_messages(body));
        }
    }
    // The title of every page.
    for e in std::fs::read_dir(root().join("src/web")).unwrap() {
        let src = std::fs::read_to_string(e.unwrap().path()).unwrap();
        for marker in ["Chrome::for_user(", "Chrome::new("] {
            for piece in src.split(marker).skip(1) {
                let piece = piece.trim_start();
                if let Some(rest) = piece.strip_prefix('"') {
                    if let Some(end) = rest.find('"') {
                        keys.insert(rest[..end].to_string());
                    }
                }
            }
        }
    }
    // The audit log's actions and their groups, shown by name on the audit page.
    for (_, name) in zhichan_domain::names::audit_actions()
        .iter()
        .chain(zhichan_domain::names::audit_action_groups())
    {
        keys.insert(name.to_string());
    }
    for role in zhichan_domain::accounts::Role::ALL {
        keys.insert(role.label_zh().to_string());
    }
    keys.retain(|k| k.chars().any(is_cjk));
    (keys, unwrapped)
}

/// Escapes a key for a TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[test]
fn every_message_is_catalogued_and_has_its_english() {
    let (keys, unwrapped) = messages();
    assert!(
        keys.len() > 500,
        "the templates and sources were not read: {} keys",
        keys.len()
    );
    assert!(
        unwrapped.is_empty(),
        "Chinese text outside the catalogue (run python3 scripts/i18n-wrap.py, or wrap an \
         expression's literal in chrome.t by hand):\n{}",
        unwrapped.join("\n")
    );
    let missing: Vec<String> = keys
        .iter()
        .filter(|k| !has_english(k))
        .map(|k| format!("{} = \"\"", toml_string(k)))
        .collect();
    assert!(
        missing.is_empty(),
        "{} messages have no English; add them to locales/en.toml:\n{}",
        missing.len(),
        missing.join("\n")
    );
    // And the catalogue holds no empty English (an empty value means "not yet translated").
    let en = zhichan_i18n::parse_english(zhichan_i18n::EN_TOML).unwrap();
    let empty: Vec<&String> = en
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(k, _)| k)
        .collect();
    assert!(
        empty.is_empty(),
        "untranslated in locales/en.toml: {empty:?}"
    );
}

/// The files of the services and the domain whose Chinese is data rather than a message: the
/// demonstration's seeded content, the synthetic data generator (a command-line tool) and the
/// place names a policy's text is matched against.
const DATA_FILES: [&str; 4] = [
    "demo.rs",
    "policy_demo.rs",
    "generator.rs",
    "policy_placement.rs",
];

/// Literals of the services and the domain that are matched against what people typed or
/// imported, never shown: the Chinese numerals and quotation marks a policy reader looks for,
/// and GB/T 2260's placeholder names a region picker skips.
const MATCHED_NOT_SHOWN: [&str; 6] = [
    "零一二三四五六七八九",
    "《》“”‘’、",
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// A source without its raw strings (`r"…"`, `r#"…"#`): the regular expressions a policy's
/// text is read with.
fn without_raw_strings(src: &str) -> String {
    let mut out = String::new();
    let mut rest = src;
    loop {
        let next = rest.char_indices().find(|&(i, c)| {
            c == 'r'
                && (rest[i + 1..].starts_with('"') || rest[i + 1..].starts_with("#\""))
                && !rest[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '"')
        });
        let Some((i, _)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i]);
        let hashes = rest[i + 1..].chars().take_while(|&c| c == '#').count();
        let open = i + 1 + hashes + 1;
        let close = format!("\"{}", "#".repeat(hashes));
        match rest[open..].find(&close) {
            Some(end) => rest = &rest[open + end + close.len()..],
            None => return out,
        }
    }
}

/// What the services and the domain tell people in Rust: the refusals (a conflict, a field's
/// violation, a rule's reasons), the award explanations and the pages' fixed wordings they build.
fn service_messages() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for dir in ["../service/src", "../domain/src"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .filter(|p| !DATA_FILES.iter().any(|f| p.ends_with(f)))
            .collect();
        files.sort();
        for file in files {
            let src = without_raw_strings(&std::fs::read_to_string(file).unwrap());
            keys.extend(rust_messages(&src));
        }
    }
    keys.retain(|k| !MATCHED_NOT_SHOWN.contains(&k.as_str()));
    keys
}

#[test]
fn every_refusal_and_explanation_of_the_services_has_its_english() {
    let keys = service_messages();
    assert!(
        keys.len() > 500,
        "the services and the domain were not read: {} keys",
        keys.len()
    );
    // A conflict, a violation and an award's explanation as they are written today.
    for k in [
        "这笔申请已经兑付，不能重复兑付",
        "该专家的工作单位（{0}）即被评对象所属企业“{1}”，须回避，不能评审本单位的产品",
        "按上限全额兑现",
        "{0}年度获{1}，奖励不超过{2}",
    ] {
        assert!(keys.contains(k), "{k} was not read");
    }
    let missing: Vec<String> = keys
        .iter()
        .filter(|k| !has_english(k))
        .map(|k| format!("{} = \"\"", toml_string(k)))
        .collect();
    assert!(
        missing.is_empty(),
        "{} messages of the services and the domain have no English; add them to \
         locales/en.toml:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn the_wrapping_script_is_idempotent_and_left_nothing_to_wrap() {
    let out = std::process::Command::new("python3")
        .arg(root().join("../../scripts/i18n-wrap.py"))
        .arg("--check")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "scripts/i18n-wrap.py would still wrap:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn lang_of(html: &str) -> &str {
    let at = html.find("<html lang=\"").expect("an <html lang>") + "<html lang=\"".len();
    &html[at..at + html[at..].find('"').unwrap()]
}

async fn the_same_page_speaks_the_language_chosen_by_setting_cookie_and_browser(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let page = |accept: Option<&'static str>, cookie: Option<&'static str>| {
        let mut r = app.client.get(app.url("/login"));
        if let Some(a) = accept {
            r = r.header("accept-language", a);
        }
        if let Some(c) = cookie {
            r = r.header("cookie", format!("zhichan_lang={c}"));
        }
        async move {
            let res = r.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.text().await.unwrap()
        }
    };

    // A visitor whose browser says nothing gets simplified Chinese.
    let html = page(None, None).await;
    assert_eq!(lang_of(&html), "zh-CN");
    assert!(html.contains("<h1>登录</h1>"), "{html}");

    // A browser in Taiwan gets traditional characters, in Taiwan's words.
    let html = page(Some("zh-TW,zh;q=0.9,en;q=0.5"), None).await;
    assert_eq!(lang_of(&html), "zh-TW");
    assert!(html.contains("<h1>登入</h1>"), "{html}");
    assert!(html.contains("帳號"), "the reviewed term 帳號 is used");

    // An English browser gets English, and the switcher offers the other two.
    let html = page(Some("en-GB,en;q=0.9"), None).await;
    assert_eq!(lang_of(&html), "en");
    assert!(html.contains("<h1>Sign in</h1>"), "{html}");
    assert!(html.contains("Username"));
    assert!(html.contains("href=\"/lang?to=zh-Hans&#38;next=%2Flogin\""));
    assert!(
        !html.contains("用户名"),
        "no simplified text is left on the English page"
    );

    // The switcher's cookie wins over the browser.
    let html = page(Some("en"), Some("zh-Hant")).await;
    assert_eq!(lang_of(&html), "zh-TW");

    // The person's own setting wins over both.
    add_user(
        &fresh,
        "lin",
        "enterprise",
        None,
        Some("91361002MA35F6XK04"),
    )
    .await;
    let b = app.login("lin").await;
    let res = b
        .client
        .post(app.url("/account/locale"))
        .form(&[("csrf", b.csrf.as_str()), ("locale", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = b
        .client
        .get(app.url("/account"))
        .header("accept-language", "zh-TW")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-language"], "en");
    let html = res.text().await.unwrap();
    assert_eq!(lang_of(&html), "en");
    assert!(html.contains("<h1>My account</h1>"), "{html}");
    assert!(html.contains("value=\"en\" lang=\"en\" selected"));
    // Back to following the browser.
    b.client
        .post(app.url("/account/locale"))
        .form(&[("csrf", b.csrf.as_str()), ("locale", "")])
        .send()
        .await
        .unwrap();
    let html = b
        .client
        .get(app.url("/account"))
        .header("accept-language", "zh-TW")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(lang_of(&html), "zh-TW");
    assert!(html.contains("<h1>我的帳號</h1>"), "{html}");
    let _ = PASSWORD;
    app.stop().await;
}

on_both_backends!(the_same_page_speaks_the_language_chosen_by_setting_cookie_and_browser);

async fn an_api_error_is_answered_in_english_with_its_codes_unchanged(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let res = app
        .client
        .get(app.url("/api/v1/products"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["title"], "Not signed in");
    assert_eq!(body["detail"], "Please sign in first");

    // A field error: the field and its code as always, the message in English.
    let res = app
        .client
        .post(app.url("/api/v1/session"))
        .header("accept-language", "en")
        .json(&serde_json::json!({"password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["title"], "The request failed validation");
    assert_eq!(body["detail"], "Fields that failed validation: 1");
    assert_eq!(body["errors"][0]["field"], "username");
    assert_eq!(body["errors"][0]["code"], "required");
    assert_eq!(body["errors"][0]["message"], "This field is required");

    // Without Accept-Language, and in traditional characters, the same problem.
    let (_, body) = app.get_json("/api/v1/products").await;
    assert_eq!(body["detail"], "请先登录");
    let res = app
        .client
        .get(app.url("/api/v1/products"))
        .header("accept-language", "zh-Hant")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["detail"], "請先登入");
    app.stop().await;
}

on_both_backends!(an_api_error_is_answered_in_english_with_its_codes_unchanged);

async fn the_switcher_goes_back_only_to_this_site(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let res = app.get("/lang?to=en&next=/verify%3Fnumber%3D1").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/verify?number=1");
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("zhichan_lang=en;"), "{cookie}");
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/%5Cevil.example",
        "javascript:alert(1)",
        "evil.example",
    ] {
        let res = app
            .get(&format!("/lang?to=en&next={}", evil.replace(':', "%3A")))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{evil}");
        assert!(res.headers().get("location").is_none(), "{evil}");
        assert!(res.headers().get("set-cookie").is_none(), "{evil}");
    }
    // An unknown language is refused too.
    let res = app.get("/lang?to=fr&next=/").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}

on_both_backends!(the_switcher_goes_back_only_to_this_site);

/// The firm reads its own profile in each language: 繁體 shows the region's name (GB/T 2260) in
/// traditional characters, converted as the catalogue is; the name the firm entered stays as
/// recorded; 简体 and English show the region as recorded.
async fn a_region_is_named_in_the_script_of_the_page(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let firm = support::linchuan_firm(&app, &fresh, "C39").await;
    let page = |accept: &'static str| {
        let r = app
            .client
            .get(app.url(&format!("/enterprises/{}", support::LINCHUAN)))
            .bearer_auth(&firm)
            .header("accept-language", accept);
        async move {
            let res = r.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.text().await.unwrap()
        }
    };
    let html = page("zh-TW").await;
    assert!(html.contains("<td>江西省撫州市臨川區</td>"), "{html}");
    assert!(!html.contains("江西省抚州市临川区"), "{html}");
    assert!(
        html.contains(support::LINCHUAN_NAME),
        "entered names stay as recorded"
    );
    for accept in ["zh-CN", "en"] {
        let html = page(accept).await;
        assert!(
            html.contains("<td>江西省抚州市临川区</td>"),
            "{accept}: {html}"
        );
    }
    app.stop().await;
}
on_both_backends!(a_region_is_named_in_the_script_of_the_page);

/// What the delivery worker hands to a phone or a mailbox, kept for the story to read.
#[derive(Default)]
struct Sent(std::sync::Mutex<Vec<(String, String)>>);

struct Mailbox<'a>(&'a Sent);

impl zhichan_service::notifications::Channel for Mailbox<'_> {
    fn name(&self) -> &'static str {
        "sms"
    }
    async fn send(&self, item: &zhichan_store::notifications::OutboxItem) -> Result<(), String> {
        self.0
             .0
            .lock()
            .unwrap()
            .push((item.title.clone(), item.body.clone()));
        Ok(())
    }
}

/// A firm whose account chose English has its product approved: the SMS the worker sends
/// is in English (the product's name, as entered, stays as entered), while the notification
/// kept in the platform is the catalogue's Chinese, shown in the language of whoever reads it.
/// Every notification and account message is a catalogue message: one that is not stops the
/// test build where it is made (`notifications::catalogued`).
async fn a_firm_that_reads_english_gets_its_notifications_in_english(fresh: Fresh) {
    use zhichan_store::Exec;
    let [reviewer] = support::people(&fresh, ["rev.fuzhou"]).await;
    let app = spawn_app(&fresh).await;
    let firm = support::linchuan_firm(&app, &fresh, "C39").await;
    fresh
        .db
        .execute(zhichan_store::Sql::new(
            "UPDATE users SET locale = 'en' WHERE username = 'linchuan.tech'",
        ))
        .await
        .unwrap();
    // Written behind the service's back: say so, or a cached token would keep the old setting.
    zhichan_store::users::changed();
    let p = support::register_product(
        &app,
        &firm,
        &reviewer,
        serde_json::json!({
            "enterprise": support::LINCHUAN, "name": "智能数据采集终端", "model": "ZC-100",
            "field": "39",
            "figures": [{"year": 2025, "sales_revenue": "1000.00", "output_value": "1000.00"}],
            "patents": [{"number": "201910725275.4", "title": "一种数据采集装置",
                         "patentees": [support::LINCHUAN_NAME], "grant_date": "2021-03-02",
                         "legal_status": "valid", "right": "own", "core": true,
                         "embodiment": "采集模块"}]
        }),
    )
    .await;
    let number = p["registration_number"].as_str().unwrap().to_string();
    let sent = Sent::default();
    zhichan_service::Services::new(fresh.db.clone())
        .drain_outbox(&Mailbox(&sent), 10)
        .await
        .unwrap();
    let got = sent.0.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let (title, body) = &got[0];
    assert_eq!(title, "“智能数据采集终端” registered");
    assert_eq!(
        body,
        &format!(
            "Registration number {number}; the certificate can be printed from the product's page."
        )
    );
    // In the platform the same notification reads in the reader's language.
    let res = app
        .client
        .get(app.url("/notifications"))
        .bearer_auth(&firm)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(
        html.contains("“智能数据采集终端” registered") && html.contains("Registration number"),
        "{html}"
    );
    // Once the firm clears its setting, the page follows the browser: 繁體 for zh-TW.
    fresh
        .db
        .execute(zhichan_store::Sql::new(
            "UPDATE users SET locale = NULL WHERE username = 'linchuan.tech'",
        ))
        .await
        .unwrap();
    zhichan_store::users::changed();
    let res = app
        .client
        .get(app.url("/notifications"))
        .bearer_auth(&firm)
        .header("accept-language", "zh-TW")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("備案編號"), "{html}");
    app.stop().await;
}
on_both_backends!(a_firm_that_reads_english_gets_its_notifications_in_english);

/// An office exports its statistics and its monthly report in English and in 繁體: every heading
/// comes from the catalogue (none is left in simplified Chinese), the data as recorded.
async fn export_headings_speak_the_language_of_the_request(fresh: Fresh) {
    use calamine::Reader;
    let [office] = support::people(&fresh, ["adm.fuzhou"]).await;
    let app = spawn_app(&fresh).await;
    let book = |path: &'static str, accept: &'static str| {
        let req = app
            .client
            .get(app.url(path))
            .bearer_auth(&office)
            .header("accept-language", accept);
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            let bytes = res.bytes().await.unwrap().to_vec();
            let book: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
            book
        }
    };
    for path in [
        "/api/v1/stats/breakdown?by=region&format=xlsx",
        "/api/v1/stats/breakdown?by=field&format=xlsx",
    ] {
        let mut en = book(path, "en").await;
        let sheet = en.sheet_names()[0].clone();
        assert!(!sheet.chars().any(is_cjk), "{path}: sheet {sheet}");
        let range = en.worksheet_range(&sheet).unwrap();
        let head: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert!(
            head.iter().all(|h| !h.is_empty() && !h.chars().any(is_cjk)),
            "{path}: {head:?}"
        );
        let mut hant = book(path, "zh-TW").await;
        let sheet = hant.sheet_names()[0].clone();
        let range = hant.worksheet_range(&sheet).unwrap();
        let head: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert!(
            head.contains(&"銷售收入（元）".to_string()),
            "{path}: {head:?}"
        );
    }
    app.stop().await;
}
on_both_backends!(export_headings_speak_the_language_of_the_request);

/// `%E4%BC%81` → the UTF-8 text it stands for.
fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// 抚州's office chose English once, on the switcher; the browser and the scripts it downloads
/// with still say zh-CN. Every export it takes — products, enterprises, a directory's coverage —
/// is in English, headings and fixed words alike (a status, a scale, an ownership, a
/// qualification and its level, a yes/no); so are the API's errors and the pages it opens with
/// its token. The auditor, who chose 繁體, gets the audit CSV's roles, actions and outcomes by
/// name in traditional characters, whatever its client asks. Before, exports and API errors
/// followed Accept-Language alone, and their cells carried simplified Chinese words and codes.
async fn exports_follow_the_language_the_account_chose(fresh: Fresh) {
    use calamine::Reader;
    use zhichan_i18n::{translate, Locale};
    zhichan_service::Services::new(fresh.db.clone())
        .prepare_demo()
        .await
        .unwrap();
    zhichan_store::Exec::execute(
        &fresh.db,
        zhichan_store::Sql::new(
            "UPDATE users SET totp_enabled = TRUE, totp_secret = 'JBSWY3DPEHPK3PXP' \
             WHERE username = 'shenji'",
        ),
    )
    .await
    .unwrap();
    let app = spawn_app(&fresh).await;
    let office = app.token(&fresh, "fuzhou").await;
    let auditor = app.token(&fresh, "shenji").await;
    let get = |path: String, token: &str| {
        app.client
            .get(app.url(&path))
            .bearer_auth(token)
            .header("accept-language", "zh-CN,zh;q=0.9")
            .send()
    };
    // Each chooses a language on the switcher, signed in with its token.
    for (token, to) in [(&office, "en"), (&auditor, "zh-Hant")] {
        let res = get(format!("/lang?to={to}&next=/"), token).await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }

    // A page and an API error, in the account's language.
    let res = get("/products".into(), &office).await.unwrap();
    assert_eq!(res.headers()["content-language"], "en");
    assert_eq!(lang_of(&res.text().await.unwrap()), "en");
    // The ports page names its states in English too (it showed “status: 已开通”).
    let html = get("/ports".into(), &office)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("已开通") && html.contains("; status: Open"),
        "{html}"
    );
    let res = get("/api/v1/products/987654321".into(), &office)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["content-language"], "en");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["title"], "Not found", "{body}");

    // A directory for the office, to export its coverage.
    let csv = format!(
        "企业名称,统一社会信用代码,类别,截止日期\n{},{},专精特新,2020-12-31\n",
        support::LINCHUAN_NAME,
        support::LINCHUAN
    );
    let form = reqwest::multipart::Form::new()
        .text("name", "重点企业")
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("名录.csv"),
        );
    let res = app
        .client
        .post(app.url("/api/v1/directories"))
        .bearer_auth(&office)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let directory: serde_json::Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{directory}");
    let directory = directory["directory"]["id"].as_i64().unwrap();

    // The workbooks: (path, the file's name, the columns of fixed words).
    let books: [(String, &str, &[usize]); 3] = [
        (
            "/api/v1/products?format=xlsx".into(),
            "Registered products.xlsx",
            &[5],
        ),
        (
            "/api/v1/enterprises?format=xlsx".into(),
            "Enterprise.xlsx",
            &[3, 4, 6],
        ),
        (
            format!("/api/v1/directories/{directory}/coverage?format=xlsx"),
            // The directory keeps the name it was given.
            "重点企业-Coverage.xlsx",
            &[4, 6],
        ),
    ];
    for (path, file, words) in books {
        let res = get(path.clone(), &office).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let disposition = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        let bytes = res.bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.sheet_names()[0].clone();
        assert!(!sheet.chars().any(is_cjk), "{path}: sheet {sheet}");
        let range = book.worksheet_range(&sheet).unwrap();
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert!(rows.len() > 1, "{path}: no rows");
        assert!(
            rows[0]
                .iter()
                .all(|h| !h.is_empty() && !h.chars().any(is_cjk)),
            "{path}: {:?}",
            rows[0]
        );
        for row in &rows[1..] {
            for &c in words {
                assert!(
                    !row[c].chars().any(is_cjk),
                    "{path}: column {} holds {:?}",
                    rows[0][c],
                    row[c]
                );
            }
        }
        let name = disposition.split("filename*=UTF-8''").nth(1).unwrap_or("");
        assert_eq!(percent_decoded(name), file, "{path}: {disposition}");
    }
    // The statuses a product of the demo can have read as the catalogue's English.
    let res = get("/api/v1/products?format=xlsx".into(), &office)
        .await
        .unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(res.bytes().await.unwrap().to_vec()))
            .unwrap();
    let sheet = book.sheet_names()[0].clone();
    let statuses: BTreeSet<String> = book
        .worksheet_range(&sheet)
        .unwrap()
        .rows()
        .skip(1)
        .map(|r| r[5].to_string())
        .collect();
    assert!(statuses.contains("Registered"), "{statuses:?}");

    // The auditor's CSV in 繁體, whatever its client asks: roles, actions and outcomes by name.
    let res = get("/api/v1/audit/export".into(), &auditor).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    let mut lines = csv.lines();
    let head = lines.next().unwrap().trim_start_matches('\u{feff}');
    assert!(head.contains("序號") && head.contains("角色"), "{head}");
    let admin = translate(Locale::ZhHant, "管理部门").into_owned();
    let import = translate(Locale::ZhHant, "导入重点名录").into_owned();
    let ok = translate(Locale::ZhHant, "成功").into_owned();
    let row = lines
        .find(|l| l.contains(&import))
        .unwrap_or_else(|| panic!("the directory import is logged by name: {csv}"));
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells[3], admin, "{row}");
    assert_eq!(cells[5], import, "{row}");
    assert_eq!(cells[7], ok, "{row}");
    assert!(
        !csv.contains(",admin,") && !csv.contains(",ok,") && !csv.contains("directory.import"),
        "{csv}"
    );
    app.stop().await;
}
on_both_backends!(exports_follow_the_language_the_account_chose);

/// 临川's firm reads English: once it chooses English on its account, the refusal of a second
/// confirmation of the same award comes in English (the rule's name, the office's own words,
/// as written), and so does the explanation of what it may receive on /entitlements.
async fn an_english_reading_firm_is_refused_and_told_its_award_in_english(fresh: Fresh) {
    use reqwest::Method;
    use serde_json::json;
    use support::{
        app_in_2025, assert_problem, call, fund_policy, linchuan_firm, linchuan_product,
        publish_rule, register_product, LINCHUAN,
    };
    let app = app_in_2025(&fresh).await;
    add_user(&fresh, "admin.fuzhou", "admin", Some("361000"), None).await;
    add_user(&fresh, "shenhe.fuzhou", "reviewer", Some("361000"), None).await;
    let office = app.long_token(&fresh, "admin.fuzhou").await;
    let reviewer = app.long_token(&fresh, "shenhe.fuzhou").await;
    let firm = linchuan_firm(&app, &fresh, "C39").await;
    for (i, n) in ["201910725275.4", "201920725276.4", "202010725277.6"]
        .iter()
        .enumerate()
    {
        register_product(
            &app,
            &firm,
            &reviewer,
            linchuan_product(&format!("采集终端{i}"), n),
        )
        .await;
    }
    let policy = fund_policy(&app, &office).await;
    let rule = publish_rule(
        &app,
        &office,
        json!({
            "name": "备案专利产品奖励", "policy": policy, "clause": "第八条（三）",
            "clause_inferred": true, "region": "361000", "effective_on": "2023-11-10",
            "expires_on": null, "decided_on": "2023-11-10", "pattern": "per_item",
            "item": "registered_products", "amount": "1000.00", "cap": "2500.00",
            "examples": [{"name": "当年备案3件", "year": 2025, "amount": "2500.00",
                          "facts": {"region": "361002", "registered_products": 3}}]
        }),
    )
    .await;

    // The firm's person chooses English on the account page.
    let b = app.login("linchuan.tech").await;
    let res = b
        .client
        .post(app.url("/account/locale"))
        .form(&[("csrf", b.csrf.as_str()), ("locale", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // The explanation of the award, before confirming, in English.
    let (status, html) = app.page_as("/entitlements?year=2025", &firm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(
            "In 2025, 3 registered patent products, up to 1,000.00 yuan each, 3,000.00 yuan in \
             all, at most 2,500.00 yuan per enterprise a year; award up to 2,500.00 yuan"
        ),
        "{html}"
    );
    assert!(!html.contains("可获奖励不超过"), "{html}");

    // Confirming twice: the second is a conflict, told in English, codes unchanged.
    let confirm = json!({"rule": rule, "year": 2025, "rule_version": 1});
    let path = format!("/api/v1/enterprises/{LINCHUAN}/applications");
    let (status, a) = call(&app, Method::POST, &path, &firm, Some(confirm.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let (status, body) = call(&app, Method::POST, &path, &firm, Some(confirm)).await;
    assert_problem(status, &body, 409);
    assert_eq!(body["type"], "/problems/conflict");
    assert_eq!(
        body["detail"],
        "Your enterprise has already confirmed “备案专利产品奖励” for 2025; a rule can be \
         confirmed once a year"
    );
    // A year it does not qualify in: the reason, in English, beside the rule.
    let (status, body) = call(
        &app,
        Method::POST,
        &path,
        &firm,
        Some(json!({"rule": rule, "year": 2024})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        vec![("rule".to_string(), "not_eligible".to_string())]
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("The conditions of this award are not met: "),
        "{message}"
    );
    assert!(!message.chars().any(is_cjk), "{message}");
    app.stop().await;
}

on_both_backends!(an_english_reading_firm_is_refused_and_told_its_award_in_english);
