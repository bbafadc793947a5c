//! The `zhichan` command as an operator uses it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use zhichan_testkit::on_both_backends;

fn zhichan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhichan"));
    c.env_remove("ZHICHAN_DB")
        .env_remove("ZHICHAN_BIND")
        .env("ZHICHAN_LOG", "warn");
    c
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

fn assert_refused_in_one_sentence(out: &Output, needle: &str) {
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "should fail: {stderr}");
    assert!(stderr.contains(needle), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.trim().lines().count() <= 2, "{stderr}");
}

async fn an_operator_migrates_a_database(url: String) {
    let out = zhichan().args(["migrate", "--db", &url]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("数据库已就绪"), "{stdout}");
    assert!(stdout.contains("省级行政区划 34 个"), "{stdout}");
    // Again, through the environment variable: nothing to do, same answer.
    let again = zhichan()
        .arg("migrate")
        .env("ZHICHAN_DB", &url)
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(text(&again.stdout), stdout);
}
on_both_backends!(raw an_operator_migrates_a_database);

#[test]
fn an_unknown_database_scheme_is_refused() {
    let out = zhichan()
        .args(["migrate", "--db", "mysql://localhost/zhichan"])
        .output()
        .unwrap();
    assert_refused_in_one_sentence(&out, "不支持的数据库地址");
}

#[test]
fn an_unreachable_database_is_refused_without_its_password() {
    let out = zhichan()
        .args([
            "migrate",
            "--db",
            "postgres://app:hunter2@127.0.0.1:1/zhichan",
        ])
        .output()
        .unwrap();
    assert_refused_in_one_sentence(&out, "无法连接数据库");
    assert!(!text(&out.stderr).contains("hunter2"));
}

#[test]
fn an_address_that_cannot_be_bound_is_refused() {
    let dir = std::env::temp_dir().join(format!("zhichan-cli-bind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/z.db", dir.display());
    let out = zhichan()
        .args(["serve", "--db", &url, "--bind", "not-an-address"])
        .output()
        .unwrap();
    assert_refused_in_one_sentence(&out, "无法监听地址");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn serve_with_demo_data_answers_and_stops_cleanly_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("zhichan-cli-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = zhichan()
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env("ZHICHAN_DB", format!("sqlite://{}/demo.db", dir.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    let base = loop {
        let line = lines.next().expect("a line before the address").unwrap();
        printed.push(line.clone());
        if let Some(rest) = line.split("http://").nth(1) {
            break format!("http://{}", rest.split('/').next().unwrap());
        }
    };
    assert!(
        printed.iter().any(|l| l.contains("演示数据已就绪")),
        "{printed:?}"
    );

    let health: serde_json::Value = reqwest::get(format!("{base}/api/v1/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert!(dir.join("demo.db").exists(), "the SQLite file is created");

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "a SIGTERM stops it cleanly: {status:?}");
    let _ = std::fs::remove_dir_all(dir);
}
