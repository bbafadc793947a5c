//! A running server on port 0 over a fresh database, and one helper per request shape.

#![allow(dead_code)]

use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use zhichan_server::Settings;
use zhichan_service::Services;
use zhichan_testkit::Fresh;

pub struct TestApp {
    pub base: String,
    pub client: Client,
    /// The services the server runs (their hooks: what a request started in the background
    /// has ended, see `Services::rounds_settled`).
    pub services: Services,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

/// Creates a verified account with a known password, as `zhichan user add` does.
pub async fn add_user(
    fresh: &Fresh,
    username: &str,
    role: &str,
    region: Option<&str>,
    enterprise: Option<&str>,
) {
    Services::new(fresh.db.clone())
        .create_user_by_operator(zhichan_service::accounts::NewAccount {
            username: username.into(),
            role: role.into(),
            region: region.map(Into::into),
            enterprise: enterprise.map(Into::into),
            password: Some(PASSWORD.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    // Offices in the stories work through an open management port.
    if role == "admin" {
        if let Some(r) = region {
            Services::new(fresh.db.clone())
                .open_port_by_operator(zhichan_domain::RegionCode::parse(r).unwrap(), "测试")
                .await
                .unwrap();
        }
    }
}

pub const PASSWORD: &str = "Lanting-Xu-2026";

/// A client with its own cookie jar, logged in through the API.
pub struct Browser {
    pub client: Client,
    pub csrf: String,
    pub me: Value,
}

pub async fn spawn_app(fresh: &Fresh) -> TestApp {
    spawn_with(fresh, Settings::default()).await
}

pub async fn spawn_with(fresh: &Fresh, settings: Settings) -> TestApp {
    spawn_services(Services::new(fresh.db.clone()), settings).await
}

/// Serves the platform with its clock stopped at `at` (RFC 3339), for a story set on that day.
pub async fn spawn_at(fresh: &Fresh, at: &str) -> TestApp {
    let clock = std::sync::Arc::new(zhichan_service::clock::ManualClock::at(
        zhichan_domain::Timestamp::parse(at).unwrap(),
    ));
    spawn_services(
        Services::with_clock(fresh.db.clone(), clock),
        Settings::default(),
    )
    .await
}

/// Serves the given services (for a story that sets the clock).
pub async fn spawn_services(services: Services, settings: Settings) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(zhichan_server::launch_with_listener(
        services.clone(),
        settings,
        listener,
        async {
            let _ = rx.await;
        },
    ));
    TestApp {
        base,
        services,
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        stop: Some(tx),
        server: Some(server),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GET a JSON endpoint: the status and the parsed body.
    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let res = self.get(path).await;
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// GET with a bearer token, answered 200 with JSON.
    pub async fn read_as(&self, path: &str, token: &str) -> Value {
        let res = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.json().await.unwrap()
    }

    /// GET a page: the status, the content type and the text.
    pub async fn get_text(&self, path: &str) -> (StatusCode, String, String) {
        let res = self.get(path).await;
        let status = res.status();
        let ct = content_type(&res);
        (status, ct, res.text().await.unwrap())
    }

    /// Logs in through `POST /api/v1/session` with a fresh cookie jar.
    pub async fn login(&self, username: &str) -> Browser {
        let client = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let res = client
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "login {username}");
        let me: Value = res.json().await.unwrap();
        Browser {
            client,
            csrf: me["csrf_token"].as_str().unwrap().to_string(),
            me,
        }
    }

    /// A page as a bearer of `token` sees it: its status and its HTML.
    pub async fn page_as(&self, path: &str, token: &str) -> (StatusCode, String) {
        let res = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }

    /// A bearer token for a user, as `zhichan token issue` prints it.
    pub async fn token(&self, fresh: &Fresh, username: &str) -> String {
        Services::new(fresh.db.clone())
            .issue_token(username, 1, "test")
            .await
            .unwrap()
    }

    /// A token valid for a year, for stories that move the clock forward.
    pub async fn long_token(&self, fresh: &Fresh, username: &str) -> String {
        Services::new(fresh.db.clone())
            .issue_token(username, 365, "test")
            .await
            .unwrap()
    }

    /// Stops the server gracefully and waits for it: a clean stop is part of every story.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server stops cleanly");
        }
    }
}

/// One API call with a bearer token: the status and the JSON answer (null when there is none).
pub async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut r = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let res = r.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub fn content_type(res: &Response) -> String {
    res.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Asserts the shape every API error has, and returns its field errors as (field, code).
pub fn assert_problem(status: StatusCode, body: &Value, want: u16) -> Vec<(String, String)> {
    assert_eq!(status.as_u16(), want, "{body}");
    for key in ["type", "title", "status", "detail", "errors"] {
        assert!(body.get(key).is_some(), "problem has {key}: {body}");
    }
    assert_eq!(body["status"], want);
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(
                e["message"].as_str().is_some_and(|m| !m.is_empty()),
                "message: {e}"
            );
            (
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every product answers the same from its stored document as from its tables: after whatever
/// the story did, each product has its document written, the answer read from it is byte for
/// byte the answer put together from the tables (its document forgotten), and the server
/// writes the forgotten documents again. `token` is one who sees every product.
pub async fn assert_product_answers_agree(app: &TestApp, fresh: &Fresh, token: &str) {
    use zhichan_store::{Exec, Sql};
    let ids: Vec<i64> = fresh
        .db
        .fetch_all(Sql::new("SELECT id FROM products ORDER BY id"))
        .await
        .unwrap();
    assert!(!ids.is_empty(), "the story has products");
    let missing: Vec<i64> = fresh
        .db
        .fetch_all(Sql::new("SELECT id FROM products WHERE document IS NULL"))
        .await
        .unwrap();
    assert_eq!(
        missing,
        Vec::<i64>::new(),
        "every change wrote its products' documents"
    );
    let answer = |id: i64| async move {
        let res = app
            .client
            .get(app.url(&format!("/api/v1/products/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "product {id}");
        assert_eq!(content_type(&res), "application/json");
        res.text().await.unwrap()
    };
    let mut stored = Vec::new();
    for &id in &ids {
        stored.push(answer(id).await);
    }
    // The list answers each product as the product itself does, from documents or tables.
    let list = || async move {
        let res = app
            .client
            .get(app.url("/api/v1/products?per_page=200"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "the list");
        assert_eq!(content_type(&res), "application/json");
        res.text().await.unwrap()
    };
    let listed = list().await;
    let page: Value = serde_json::from_str(&listed).expect("JSON");
    assert_eq!(page["total"], ids.len());
    for item in page["items"].as_array().unwrap() {
        let id = item["id"].as_i64().unwrap();
        let alone = &stored[ids.iter().position(|&i| i == id).unwrap()];
        assert_eq!(item, &serde_json::from_str::<Value>(alone).unwrap(), "{id}");
    }
    fresh
        .db
        .execute(Sql::new("UPDATE products SET document = NULL"))
        .await
        .unwrap();
    for (&id, from_document) in ids.iter().zip(&stored) {
        let from_tables = answer(id).await;
        assert_eq!(from_document, &from_tables, "product {id}");
        serde_json::from_str::<Value>(&from_tables).expect("JSON");
    }
    assert_eq!(list().await, listed, "the list, from the tables");
    let written = Services::new(fresh.db.clone())
        .fill_all_documents()
        .await
        .unwrap();
    assert_eq!(written, ids.len());
    for (&id, before) in ids.iter().zip(&stored) {
        assert_eq!(&answer(id).await, before, "product {id}, written again");
    }
}

/// A national administrator (second factor taken as enrolled) and its token: one who sees
/// every product.
pub async fn national_token(app: &TestApp, fresh: &Fresh) -> String {
    use zhichan_store::{Exec, Sql};
    add_user(fresh, "admin.nation", "admin", Some("100000"), None).await;
    fresh
        .db
        .execute(Sql::new(
            "UPDATE users SET totp_enabled = TRUE, totp_secret = 'JBSWY3DPEHPK3PXP' \
             WHERE username = 'admin.nation'",
        ))
        .await
        .unwrap();
    app.token(fresh, "admin.nation").await
}

/// What reaches people's phones and mailboxes, and nobody else.
#[derive(Default)]
pub struct Inbox(pub std::sync::Mutex<Vec<(String, String)>>);

struct On<'a>(&'a Inbox, &'static str);

impl zhichan_service::notifications::Channel for On<'_> {
    fn name(&self) -> &'static str {
        self.1
    }
    async fn send(&self, item: &zhichan_store::notifications::OutboxItem) -> Result<(), String> {
        self.0
             .0
            .lock()
            .unwrap()
            .push((item.address.clone(), item.body.clone()));
        Ok(())
    }
}

impl Inbox {
    /// The setup code in the newest message to `address`.
    pub async fn code_for(&self, fresh: &Fresh, address: &str) -> String {
        let s = Services::new(fresh.db.clone());
        s.drain_account_outbox(&On(self, "sms"), 10).await.unwrap();
        s.drain_account_outbox(&On(self, "email"), 10)
            .await
            .unwrap();
        let messages = self.0.lock().unwrap();
        let (_, body) = messages
            .iter()
            .rev()
            .find(|(to, _)| to == address)
            .unwrap_or_else(|| panic!("a message to {address}"));
        body.split("设置码：")
            .nth(1)
            .and_then(|rest| rest.split('（').next())
            .expect("a code in the message")
            .to_string()
    }
}

/// The three administrators' second factor taken as enrolled (enrolment has its own stories).
pub async fn enrolled(fresh: &Fresh, username: &str) {
    use zhichan_store::Exec;
    fresh
        .db
        .execute(
            zhichan_store::Sql::new(
                "UPDATE users SET totp_enabled = TRUE, totp_secret = 'JBSWY3DPEHPK3PXP' \
                 WHERE username = $1",
            )
            .bind(username),
        )
        .await
        .unwrap();
}

/// A product the firm creates with `product`, submits, and the reviewer approves (each step
/// answered as it should be): answers the approved product.
pub async fn register_product(app: &TestApp, firm: &str, reviewer: &str, product: Value) -> Value {
    use reqwest::Method;
    let (status, p) = call(app, Method::POST, "/api/v1/products", firm, Some(product)).await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let (status, p) = call(
        app,
        Method::POST,
        &format!("/api/v1/products/{id}/submit"),
        firm,
        Some(serde_json::json!({"version": p["version"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let (status, p) = call(
        app,
        Method::POST,
        &format!("/api/v1/products/{id}/review"),
        reviewer,
        Some(serde_json::json!({"decision": "approve", "version": p["version"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    p
}

/// Where a story's applicant `username` receives the outcome of a sign-up.
pub fn contact_of(username: &str) -> String {
    format!("{username}@qiye.example.cn")
}

/// The applicant's side of a sign-up answered 202: the code sent to the applicant's contact
/// sets the password `PASSWORD`, as on the page `/password/setup`.
pub async fn set_password_with_code(app: &TestApp, fresh: &Fresh, username: &str) {
    let code = Inbox::default()
        .code_for(fresh, &contact_of(username))
        .await;
    let res = app
        .client
        .post(app.url("/api/v1/password-setup"))
        .json(&serde_json::json!({"code": code, "new_password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NO_CONTENT,
        "{username} sets a password"
    );
}

/// The credit code of the stories' firm, 抚州市临川区示例科技有限公司 (临川区, 361002).
pub const LINCHUAN: &str = "91361002MA35F6XK04";
/// The stories' firm's name.
pub const LINCHUAN_NAME: &str = "抚州市临川区示例科技有限公司";

/// The people the stories meet, by username: role, region and enterprise.
const CAST: &[(&str, &str, Option<&str>, Option<&str>)] = &[
    ("linchuan.tech", "enterprise", None, Some(LINCHUAN)),
    ("rev.fuzhou", "reviewer", Some("361000"), None),
    ("rev.fuzhou2", "reviewer", Some("361000"), None),
    ("rev.nanchang", "reviewer", Some("360100"), None),
    ("rev.county", "reviewer", Some("361002"), None),
    ("adm.fuzhou", "admin", Some("361000"), None),
];

/// Creates the accounts of the stories' people (the firm `linchuan.tech`, the reviewers
/// `rev.fuzhou` and `rev.fuzhou2` of 抚州市, `rev.nanchang` of 南昌市, `rev.county` of 临川区, the
/// city office `adm.fuzhou`) as `add_user` does; answers a token of each, in order.
pub async fn people<const N: usize>(fresh: &Fresh, usernames: [&str; N]) -> [String; N] {
    let mut tokens = Vec::with_capacity(N);
    for username in usernames {
        let &(_, role, region, enterprise) = CAST
            .iter()
            .find(|c| c.0 == username)
            .unwrap_or_else(|| panic!("{username} is not one of the stories' people"));
        add_user(fresh, username, role, region, enterprise).await;
        tokens.push(
            Services::new(fresh.db.clone())
                .issue_token(username, 1, "test")
                .await
                .unwrap(),
        );
    }
    tokens.try_into().unwrap()
}

/// The sign-up form of 抚州市临川区示例科技有限公司, its licence attached, for the applicant
/// `username` (contact: `contact_of(username)`).
pub fn signup_form(username: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("username", username.to_string())
        .text("contact", contact_of(username))
        .text("enterprise_name", LINCHUAN_NAME)
        .text("credit_code", LINCHUAN)
        .text("contact_name", "王芳")
        .text("contact_phone", "0794-8888888")
        .text("pledge", "true")
        .part(
            "document",
            reqwest::multipart::Part::bytes(&b"%PDF-1.4 licence"[..]).file_name("营业执照.pdf"),
        )
}

/// `username` signs up for the firm through the API; answers the status and the body.
pub async fn sign_up(app: &TestApp, username: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/signup"))
        .multipart(signup_form(username))
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The firm's profile, in the GB/T 4754 `industry`.
pub fn linchuan_profile(industry: &str) -> Value {
    serde_json::json!({
        "credit_code": LINCHUAN, "name": LINCHUAN_NAME, "scale": "small",
        "ownership": "private", "industry": industry,
        "contact": {"name": "王芳", "phone": "0794-8888888"}
    })
}

/// The firm's account (its `token`) files the firm's profile in `industry`: 201.
pub async fn file_linchuan_profile(app: &TestApp, token: &str, industry: &str) {
    let (status, body) = call(
        app,
        reqwest::Method::POST,
        "/api/v1/enterprises",
        token,
        Some(linchuan_profile(industry)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// The firm's account `linchuan.tech`, with its profile filed in `industry`; answers its token.
pub async fn linchuan_firm(app: &TestApp, fresh: &Fresh, industry: &str) -> String {
    let [token] = people(fresh, ["linchuan.tech"]).await;
    file_linchuan_profile(app, &token, industry).await;
    token
}

/// An expert account whose unit (credit code `unit`) and fields the system administrator
/// (`sys`, a bearer token) files: its account id and a bearer token.
pub async fn expert_account(
    app: &TestApp,
    fresh: &Fresh,
    sys: &str,
    username: &str,
    unit: &str,
    fields: &[&str],
) -> (i64, String) {
    add_user(fresh, username, "expert", None, None).await;
    let id = zhichan_store::users::by_username(&fresh.db, username)
        .await
        .unwrap()
        .unwrap()
        .id;
    let (status, body) = call(
        app,
        reqwest::Method::PUT,
        &format!("/api/v1/users/{id}/expert"),
        sys,
        Some(
            serde_json::json!({"unit_credit_code": unit, "unit_name": format!("{username} 的单位"),
                                "fields": fields, "version": 0}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (id, app.long_token(fresh, username).await)
}

// ---- award rules (免申即享) ----

/// Mid-June 2025 (UTC), when the award stories stop their clock.
pub const JUNE_2025: &str = "2025-06-16T02:00:00.000Z";

/// A platform whose clock stands at [`JUNE_2025`].
pub async fn app_in_2025(fresh: &Fresh) -> TestApp {
    spawn_at(fresh, JUNE_2025).await
}

/// The 抚州 office's special-fund policy, which the award rules of the stories cite; its id.
pub async fn fund_policy(app: &TestApp, office: &str) -> i64 {
    let (status, p) = call(
        app,
        reqwest::Method::POST,
        "/api/v1/policies",
        office,
        Some(serde_json::json!({
            "title": "抚州市知识产权专项资金奖补办法（测试）",
            "doc_number": "抚市监字〔2023〕1号",
            "issuers": ["抚州市市场监督管理局"],
            "region": "361000",
            "published_on": "2023-11-10",
            "effective_on": "2023-11-10",
            "body": "测试用政策正文。",
            "topics": ["专项资金"]
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

/// Writes an award rule and publishes its first version (its worked examples must hold); its
/// id.
pub async fn publish_rule(app: &TestApp, office: &str, rule: Value) -> i64 {
    let (status, created) = call(
        app,
        reqwest::Method::POST,
        "/api/v1/award-rules",
        office,
        Some(rule),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["current"]["id"].as_i64().unwrap();
    let (status, body) = call(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/award-rules/{id}/publish"),
        office,
        Some(serde_json::json!({"version": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Publishing answers before its notification round ends: the stories that read what it
    // told wait for it.
    app.services.rounds_settled().await;
    id
}

/// A product of the 临川 firm with one patent of its own, registered for 2025's figures.
pub fn linchuan_product(name: &str, number: &str) -> Value {
    serde_json::json!({
        "enterprise": LINCHUAN, "name": name, "model": "ZC-100", "field": "39",
        "figures": [{"year": 2025, "sales_revenue": "1000000.00", "output_value": "1000000.00"}],
        "patents": [{"number": number, "title": "一种数据采集装置",
                     "patentees": [LINCHUAN_NAME], "grant_date": "2021-03-02",
                     "legal_status": "valid", "right": "own", "core": true,
                     "embodiment": "采集模块"}]
    })
}
