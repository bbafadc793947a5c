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
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

pub async fn spawn_app(fresh: &Fresh) -> TestApp {
    spawn_with(fresh, Settings::default()).await
}

pub async fn spawn_with(fresh: &Fresh, settings: Settings) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let services = Services::new(fresh.db.clone());
    let server = tokio::spawn(zhichan_server::launch_with_listener(
        services,
        settings,
        listener,
        async {
            let _ = rx.await;
        },
    ));
    TestApp {
        base,
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

    /// GET a page: the status, the content type and the text.
    pub async fn get_text(&self, path: &str) -> (StatusCode, String, String) {
        let res = self.get(path).await;
        let status = res.status();
        let ct = content_type(&res);
        (status, ct, res.text().await.unwrap())
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
