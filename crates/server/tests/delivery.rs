//! Messages leave the database: a sign-up's set-up code reaches the applicant through an SMTP
//! relay and through an SMS gateway (both run inside the test), a gateway that keeps failing is
//! retried with growing waits and finally given up, the system administrator sees it (the
//! recipient masked, never the text) and retries it, and two workers deliver every message once.

use crate::support;

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{add_user, enrolled, spawn_app, TestApp, LINCHUAN, PASSWORD};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use zhichan_service::clock::ManualClock;
use zhichan_service::delivery::{
    DeliverySettings, GatewaySettings, Retry, SmtpSettings, Transports,
};
use zhichan_service::Services;
use zhichan_store::{Exec, Sql};
use zhichan_testkit::{on_both_backends, Fresh};

/// A mail relay: speaks enough SMTP to take messages, and keeps each message's DATA.
async fn mail_relay() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let kept = got.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(smtp_session(sock, kept.clone()));
        }
    });
    (port, got)
}

async fn smtp_session(sock: TcpStream, got: Arc<Mutex<Vec<String>>>) {
    let (r, mut w) = sock.into_split();
    let mut lines = BufReader::new(r).lines();
    let _ = w.write_all(b"220 relay.test ESMTP\r\n").await;
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.to_ascii_uppercase();
        let answer: &[u8] = if verb.starts_with("EHLO") {
            b"250-relay.test\r\n250 8BITMIME\r\n"
        } else if verb.starts_with("HELO")
            || verb.starts_with("MAIL FROM")
            || verb.starts_with("RCPT TO")
            || verb.starts_with("RSET")
            || verb.starts_with("NOOP")
        {
            b"250 OK\r\n"
        } else if verb == "DATA" {
            let _ = w.write_all(b"354 go ahead\r\n").await;
            let mut data = Vec::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push(l);
            }
            got.lock().unwrap().push(data.join("\n"));
            b"250 queued\r\n"
        } else if verb == "QUIT" {
            let _ = w.write_all(b"221 bye\r\n").await;
            break;
        } else {
            b"502 not here\r\n"
        };
        let _ = w.write_all(answer).await;
    }
}

/// The text of a message the relay took (its body is base64).
fn mail_text(data: &str) -> String {
    let (_, body) = data.split_once("\n\n").expect("headers, then the body");
    let b64: String = body.lines().map(str::trim).collect();
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap()
}

/// An SMS gateway: takes `{to, text}` and answers with the status it is set to.
struct Gateway {
    url: String,
    got: Arc<Mutex<Vec<Value>>>,
    status: Arc<AtomicU16>,
}

async fn sms_gateway() -> Gateway {
    use axum::extract::State;
    type Shared = (Arc<Mutex<Vec<Value>>>, Arc<AtomicU16>);
    let got = Arc::new(Mutex::new(Vec::new()));
    let status = Arc::new(AtomicU16::new(200));
    let app = axum::Router::new()
        .route(
            "/sms/send",
            axum::routing::post(
                |State((got, status)): State<Shared>, axum::Json(v): axum::Json<Value>| async move {
                    // A little work, so that two workers would overlap if they could.
                    tokio::time::sleep(Duration::from_millis(3)).await;
                    got.lock().unwrap().push(v);
                    axum::http::StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap()
                },
            ),
        )
        .with_state((got.clone(), status.clone()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Gateway { url, got, status }
}

fn transports(relay_port: Option<u16>, gateway: &Gateway) -> Transports {
    Transports::from_settings(&DeliverySettings {
        smtp: relay_port.map(|port| SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            from: "知产平台 <noreply@ip.example.gov.cn>".into(),
            ..SmtpSettings::default()
        }),
        sms_gateway: Some(GatewaySettings {
            url: gateway.url.clone(),
            token: None,
        }),
        ..DeliverySettings::default()
    })
    .unwrap()
}

/// Someone signs the firm up, the outcome going to `contact`.
async fn sign_up(app: &TestApp, username: &str, contact: &str) {
    use reqwest::multipart::{Form, Part};
    let form = Form::new()
        .text("username", username.to_string())
        .text("contact", contact.to_string())
        .text("enterprise_name", "抚州市临川区示例科技有限公司")
        .text("credit_code", LINCHUAN)
        .text("contact_name", "张三")
        .text("contact_phone", "0794-6666666")
        .text("pledge", "true")
        .part(
            "document",
            Part::bytes(&b"%PDF-1.4 licence"[..]).file_name("营业执照.pdf"),
        );
    let res = app
        .client
        .post(app.url("/api/v1/signup"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

fn code_in(text: &str) -> String {
    text.split("设置码：")
        .nth(1)
        .and_then(|rest| rest.split('（').next())
        .unwrap_or_else(|| panic!("a code in {text}"))
        .to_string()
}

async fn set_password(app: &TestApp, code: &str) -> StatusCode {
    app.client
        .post(app.url("/api/v1/password-setup"))
        .json(&json!({"code": code, "new_password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .status()
}

async fn count(fresh: &Fresh, sql: &str) -> i64 {
    fresh.db.fetch_one(Sql::new(sql.to_string())).await.unwrap()
}

async fn a_signup_code_reaches_the_applicant_by_mail_relay_and_by_sms_gateway(fresh: Fresh) {
    let app = spawn_app(&fresh).await;
    let (relay, mails) = mail_relay().await;
    let gateway = sms_gateway().await;
    sign_up(&app, "mail.applicant", "mail.applicant@qiye.example.cn").await;
    sign_up(&app, "phone.applicant", "13912345678").await;
    let services = Services::new(fresh.db.clone());
    let t = transports(Some(relay), &gateway);
    let round = services
        .deliver_round(&t, &Retry::default(), 10)
        .await
        .unwrap();
    assert_eq!(round, (2, 0));

    // The e-mail, through the relay: to the applicant, its code sets the password.
    let data = mails.lock().unwrap().clone();
    assert_eq!(data.len(), 1);
    assert!(
        data[0].contains("To: mail.applicant@qiye.example.cn"),
        "{}",
        data[0]
    );
    let text = mail_text(&data[0]);
    assert!(text.contains("mail.applicant"), "{text}");
    assert_eq!(
        set_password(&app, &code_in(&text)).await,
        StatusCode::NO_CONTENT
    );
    app.login("mail.applicant").await;

    // The SMS, through the gateway: {to, text}.
    let sms = gateway.got.lock().unwrap().clone();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0]["to"], "13912345678");
    let text = sms[0]["text"].as_str().unwrap();
    assert_eq!(
        set_password(&app, &code_in(text)).await,
        StatusCode::NO_CONTENT
    );
    app.login("phone.applicant").await;

    // Nothing goes twice, and nothing readable is kept.
    let again = services
        .deliver_round(&t, &Retry::default(), 10)
        .await
        .unwrap();
    assert_eq!(again, (0, 0));
    assert_eq!(
        (
            mails.lock().unwrap().len(),
            gateway.got.lock().unwrap().len()
        ),
        (1, 1)
    );
    assert_eq!(
        count(
            &fresh,
            "SELECT COUNT(*) FROM account_outbox WHERE status = 'sent' AND attempts = 1 \
             AND body = '' AND sent_at IS NOT NULL"
        )
        .await,
        2
    );
    app.stop().await;
}
on_both_backends!(a_signup_code_reaches_the_applicant_by_mail_relay_and_by_sms_gateway);

async fn a_failing_gateway_is_retried_then_given_up_and_the_administrator_retries_it(fresh: Fresh) {
    add_user(&fresh, "xitong", "sysadmin", None, None).await;
    enrolled(&fresh, "xitong").await;
    add_user(&fresh, "anquan", "secadmin", None, None).await;
    enrolled(&fresh, "anquan").await;
    let app = spawn_app(&fresh).await;
    let gateway = sms_gateway().await;
    gateway.status.store(500, Ordering::SeqCst);
    sign_up(&app, "phone.applicant", "13912345678").await;
    // The worker's clock, moved by hand past each wait.
    let clock = Arc::new(ManualClock::at(zhichan_domain::Timestamp::from_datetime(
        time::OffsetDateTime::now_utc() + time::Duration::seconds(1),
    )));
    let services = Services::with_clock(fresh.db.clone(), clock.clone());
    let t = transports(None, &gateway);
    let retry = Retry {
        max_attempts: 3,
        ..Retry::default()
    };
    let state = || async {
        let db = &fresh.db;
        let status: String = db
            .fetch_one(Sql::new("SELECT status FROM account_outbox"))
            .await
            .unwrap();
        let attempts: i64 = db
            .fetch_one(Sql::new("SELECT attempts FROM account_outbox"))
            .await
            .unwrap();
        let error: String = db
            .fetch_one(Sql::new(
                "SELECT COALESCE(last_error, '') FROM account_outbox",
            ))
            .await
            .unwrap();
        (status, attempts, error)
    };
    assert_eq!(
        services.deliver_round(&t, &retry, 10).await.unwrap(),
        (0, 1)
    );
    let (status, attempts, error) = state().await;
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.contains("500"), "{error}");
    // The next attempt waits a minute, then four more.
    assert_eq!(
        services.deliver_round(&t, &retry, 10).await.unwrap(),
        (0, 0)
    );
    clock.advance(time::Duration::minutes(1));
    assert_eq!(
        services.deliver_round(&t, &retry, 10).await.unwrap(),
        (0, 1)
    );
    clock.advance(time::Duration::minutes(3));
    assert_eq!(
        services.deliver_round(&t, &retry, 10).await.unwrap(),
        (0, 0)
    );
    clock.advance(time::Duration::minutes(1));
    assert_eq!(
        services.deliver_round(&t, &retry, 10).await.unwrap(),
        (0, 1)
    );
    // The third failure was the last.
    let (status, attempts, _) = state().await;
    assert_eq!((status.as_str(), attempts), ("failed", 3));
    clock.advance(time::Duration::hours(1));
    assert_eq!(
        services.deliver_round(&t, &retry, 10).await.unwrap(),
        (0, 0)
    );
    assert_eq!(gateway.got.lock().unwrap().len(), 3);

    // The system administrator sees it: masked, without its text.
    let sys = app.token(&fresh, "xitong").await;
    let (status, page) = app.page_as("/admin/outbox", &sys).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("发送失败") && page.contains("13*******78"),
        "{page}"
    );
    assert!(!page.contains("13912345678"), "the number masked");
    // The error is explained in Chinese; the gateway's own words stay beside it, smaller.
    assert!(page.contains("短信网关拒绝了请求"), "{page}");
    assert!(page.contains("gateway answered 500"), "{page}");
    let code = code_in(gateway.got.lock().unwrap()[0]["text"].as_str().unwrap());
    assert!(!page.contains(&code));
    // Not the security administrator's page (三员分立: users and their messages are the
    // system administrator's).
    let sec = app.token(&fresh, "anquan").await;
    assert_eq!(
        app.page_as("/admin/outbox", &sec).await.0,
        StatusCode::FORBIDDEN
    );

    // "Retry now", audited; the gateway is back and the message goes.
    let id: i64 = fresh
        .db
        .fetch_one(Sql::new("SELECT id FROM account_outbox"))
        .await
        .unwrap();
    let res = app
        .client
        .post(app.url(&format!("/admin/outbox/account/{id}/retry")))
        .bearer_auth(&sys)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let audited = count(
        &fresh,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'outbox.retry' AND outcome = 'ok'",
    )
    .await;
    assert_eq!(audited, 1);
    gateway.status.store(200, Ordering::SeqCst);
    assert_eq!(
        services.deliver_round(&t, &retry, 10).await.unwrap(),
        (1, 0)
    );
    let (status, _, _) = state().await;
    assert_eq!(status, "sent");
    assert_eq!(set_password(&app, &code).await, StatusCode::NO_CONTENT);
    // Sent is sent: nothing left to retry.
    let res = app
        .client
        .post(app.url(&format!("/admin/outbox/account/{id}/retry")))
        .bearer_auth(&sys)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}
on_both_backends!(a_failing_gateway_is_retried_then_given_up_and_the_administrator_retries_it);

async fn two_workers_deliver_every_message_exactly_once(fresh: Fresh) {
    let gateway = sms_gateway().await;
    let now = zhichan_domain::Timestamp::from_datetime(time::OffsetDateTime::now_utc());
    const N: usize = 60;
    for i in 0..N {
        zhichan_store::password_setups::queue(
            &fresh.db,
            None,
            "sms",
            &format!("1390000{i:04}"),
            "企业注册未完成",
            &format!("第 {i} 条"),
            now,
        )
        .await
        .unwrap();
    }
    // Two server processes: each its own connection pool and worker.
    let second = zhichan_store::Db::connect(&fresh.url).await.unwrap();
    let settings = DeliverySettings {
        interval: Duration::from_millis(20),
        ..DeliverySettings::default()
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = [
        zhichan_service::delivery::spawn_worker(
            Services::new(fresh.db.clone()),
            transports(None, &gateway),
            &settings,
            stopped.clone(),
        ),
        zhichan_service::delivery::spawn_worker(
            Services::new(second.clone()),
            transports(None, &gateway),
            &settings,
            stopped,
        ),
    ];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while count(
        &fresh,
        "SELECT COUNT(*) FROM account_outbox WHERE status = 'sent'",
    )
    .await
        < N as i64
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "all delivered in time"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Stopped cleanly: both workers end.
    stop.send(true).unwrap();
    for w in workers {
        tokio::time::timeout(Duration::from_secs(10), w)
            .await
            .expect("the worker stops")
            .unwrap();
    }
    let got = gateway.got.lock().unwrap().clone();
    let mut to: Vec<&str> = got.iter().map(|v| v["to"].as_str().unwrap()).collect();
    to.sort();
    to.dedup();
    assert_eq!((got.len(), to.len()), (N, N), "each message once");
    assert_eq!(
        count(
            &fresh,
            "SELECT COUNT(*) FROM account_outbox WHERE status = 'sent' AND attempts = 1"
        )
        .await,
        N as i64
    );
    second.close().await;
}
on_both_backends!(two_workers_deliver_every_message_exactly_once);
