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
        // The demo's message spool, kept out of the source tree.
        .env("ZHICHAN_SPOOL_DIR", dir.join("outbox"))
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

    let status = terminate(&mut child);
    assert!(status.success(), "a SIGTERM stops it cleanly: {status:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_sigterm_sent_as_soon_as_the_address_is_printed_still_stops_it_cleanly() {
    // A supervisor that stops the server right after it announced itself must not kill it
    // half-way: the handler is in place before the address is printed.
    let dir = std::env::temp_dir().join(format!("zhichan-cli-early-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for round in 0..3 {
        let mut child = zhichan()
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("ZHICHAN_DB", format!("sqlite://{}/early.db", dir.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            let line = lines.next().expect("a line before the address").unwrap();
            if line.contains("http://") {
                break;
            }
        }
        let status = terminate(&mut child);
        assert!(
            status.success(),
            "round {round}: stopped cleanly: {status:?}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Sends SIGTERM, as a supervisor stops a service, and waits for the process to end.
fn terminate(child: &mut std::process::Child) -> std::process::ExitStatus {
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    child.wait().unwrap()
}

fn with_stdin(mut c: Command, input: &str) -> Output {
    use std::io::Write;
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

async fn an_operator_creates_users_issues_a_token_and_verifies_the_audit_log(url: String) {
    let mut add = zhichan();
    add.args([
        "user",
        "add",
        "--db",
        &url,
        "--username",
        "fz.admin",
        "--role",
        "admin",
        "--region",
        "361000",
        "--password-stdin",
    ]);
    let out = with_stdin(add, "Ganpo-River-88\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("fz.admin"));

    let mut ent = zhichan();
    ent.args([
        "user",
        "add",
        "--db",
        &url,
        "--username",
        "qiye.one",
        "--role",
        "enterprise",
        "--enterprise",
        "91350100M000100Y43",
        "--password-stdin",
    ]);
    assert!(with_stdin(ent, "Ganpo-River-88\n").status.success());

    // Refusals: a bad credit code, an unknown role, a bad region, a weak password.
    for (args, needle) in [
        (
            vec!["--role", "enterprise", "--enterprise", "91350100M000100Y44"],
            "校验",
        ),
        (vec!["--role", "emperor"], "角色"),
        (vec!["--role", "admin", "--region", "991234"], "行政区划"),
    ] {
        let mut c = zhichan();
        c.args([
            "user",
            "add",
            "--db",
            &url,
            "--username",
            "bad.one",
            "--password-stdin",
        ]);
        c.args(&args);
        let out = with_stdin(c, "Ganpo-River-88\n");
        assert_refused_in_one_sentence(&out, needle);
    }
    let mut weak = zhichan();
    weak.args([
        "user",
        "add",
        "--db",
        &url,
        "--username",
        "weak.one",
        "--role",
        "expert",
        "--password-stdin",
    ]);
    assert_refused_in_one_sentence(&with_stdin(weak, "password\n"), "密码");

    let out = zhichan()
        .args([
            "token",
            "issue",
            "--db",
            &url,
            "--username",
            "fz.admin",
            "--days",
            "7",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "only the token: {stdout}");
    assert!(stdout.trim().len() >= 40);
    let out = zhichan()
        .args(["token", "issue", "--db", &url, "--username", "nobody"])
        .output()
        .unwrap();
    assert_refused_in_one_sentence(&out, "没有这个用户");

    let out = zhichan()
        .args(["audit", "verify", "--db", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("审计日志完整：共 3 条"),
        "{}",
        text(&out.stdout)
    );
}
on_both_backends!(raw an_operator_creates_users_issues_a_token_and_verifies_the_audit_log);

#[tokio::test]
async fn audit_verify_exits_one_and_names_the_broken_entry() {
    use zhichan_store::{Exec, Sql};
    let dir = std::env::temp_dir().join(format!("zhichan-cli-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/a.db", dir.display());
    for name in ["first.user", "second.user"] {
        let mut c = zhichan();
        c.args([
            "user",
            "add",
            "--db",
            &url,
            "--username",
            name,
            "--role",
            "expert",
            "--password-stdin",
        ]);
        assert!(with_stdin(c, "Ganpo-River-88\n").status.success());
    }
    let db = zhichan_store::Db::connect(&url).await.unwrap();
    db.execute(Sql::new("DROP TRIGGER audit_log_no_update"))
        .await
        .unwrap();
    db.execute(Sql::new(
        "UPDATE audit_log SET username = 'someone' WHERE seq = 1",
    ))
    .await
    .unwrap();
    db.close().await;
    let out = zhichan()
        .args(["audit", "verify", "--db", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("第 1 条"),
        "{}",
        text(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn audit_archive_says_when_there_is_nothing_to_move() {
    let dir = std::env::temp_dir().join(format!("zhichan-cli-archive-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/a.db", dir.display());
    let out = zhichan()
        .args(["audit", "archive", "--db", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("没有超过保留期的审计记录"));
    let _ = std::fs::remove_dir_all(dir);
}

async fn an_operator_opens_a_port_and_generates_monthly_reports(url: String) {
    let out = zhichan().args(["migrate", "--db", &url]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = zhichan()
        .args([
            "port",
            "open",
            "--db",
            &url,
            "--region",
            "361000",
            "--unit",
            "抚州市知识产权局",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("已开通 361000"));
    let out = zhichan()
        .args([
            "port", "open", "--db", &url, "--region", "991234", "--unit", "x",
        ])
        .output()
        .unwrap();
    assert_refused_in_one_sentence(&out, "行政区划");
    let out = zhichan()
        .args(["report", "monthly", "--db", &url, "--month", "2026-10"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("2026-10 月度通报"),
        "{}",
        text(&out.stdout)
    );
    let out = zhichan()
        .args(["report", "monthly", "--db", &url, "--month", "2026/10"])
        .output()
        .unwrap();
    assert_refused_in_one_sentence(&out, "YYYY-MM");
}
on_both_backends!(raw an_operator_opens_a_port_and_generates_monthly_reports);

async fn an_operator_loads_the_starter_identification_method_once(url: String) {
    let out = zhichan().args(["migrate", "--db", &url]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let load = || {
        zhichan()
            .args(["identification", "load-starter", "--db", &url])
            .output()
            .unwrap()
    };
    let out = load();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("示例方法，非国家标准"),
        "{}",
        text(&out.stdout)
    );
    // Again: nothing new.
    let out = load();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("未重复载入"),
        "{}",
        text(&out.stdout)
    );
    let db = zhichan_store::Db::connect(&url).await.unwrap();
    let (methods, _) = zhichan_store::rule_versions::latest_of_each(
        &db,
        &zhichan_store::rule_versions::IDENTIFICATION_METHODS,
        &Default::default(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(methods.len(), 1);
    assert_eq!(methods[0].status, "published");
    assert_eq!(methods[0].name, "示例方法，非国家标准");
    db.close().await;
}

on_both_backends!(raw an_operator_loads_the_starter_identification_method_once);

/// A benchmark of the policy search loads only the policies of a scale: `demo --policies-only`
/// writes the scale's policies (500 at small scale) and no enterprise, and says so as JSON.
async fn a_benchmark_loads_only_the_policies_of_a_scale(url: String) {
    let out = zhichan()
        .args([
            "demo",
            "--scale",
            "small",
            "--policies-only",
            "--json",
            "--db",
            &url,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let made: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(made["policies"]["policies"], 500, "{made}");
    assert!(made.get("enterprises").is_none(), "{made}");
    let db = zhichan_store::Db::connect(&url).await.unwrap();
    use zhichan_store::{Exec, Sql};
    let policies: i64 = db
        .fetch_one(Sql::new("SELECT COUNT(*) FROM policies"))
        .await
        .unwrap();
    let enterprises: i64 = db
        .fetch_one(Sql::new("SELECT COUNT(*) FROM enterprises"))
        .await
        .unwrap();
    db.close().await;
    assert_eq!((policies, enterprises), (500, 0));
}
on_both_backends!(raw a_benchmark_loads_only_the_policies_of_a_scale);
