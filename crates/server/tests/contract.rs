//! The API as a generated client sees it: the served OpenAPI document is a reviewed snapshot,
//! every enumerated field is declared with its values, `null` means "left out", and what the
//! document does not list is refused.

use crate::support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::PathBuf;
use support::{add_user, assert_problem, spawn_app};
use zhichan_testkit::{on_both_backends, Fresh};

const LINCHUAN: &str = "91361002MA35F6XK04";

/// A client generated from the document sends `null` for every optional field it has no value
/// for; the server takes it as left out, and answers refusals the document announces.
async fn a_generated_client_sends_null_for_what_it_leaves_out(fresh: Fresh) {
    add_user(&fresh, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "linchuan.tech").await;
    let post = |path: &str, body: Value| {
        app.client
            .post(app.url(path))
            .bearer_auth(&firm)
            .json(&body)
            .send()
    };

    let res = post(
        "/api/v1/enterprises",
        json!({
            "credit_code": LINCHUAN, "name": "抚州市临川区示例科技有限公司", "region": null,
            "address": null, "scale": "small", "ownership": "private", "industry": "C39",
            "qualifications": null,
            "contact": {"name": "王芳", "phone": "0794-8888888", "email": null}
        }),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["region"], "361002", "taken from the credit code");
    assert_eq!(e["address"], "");
    assert_eq!(e["qualifications"], json!([]));

    // A licence record of null, as the API itself answers "" for an own patent.
    let res = post(
        &format!("/api/v1/enterprises/{LINCHUAN}/patents"),
        json!({
            "number": "201910725275.4", "title": "一种数据采集装置",
            "patentees": ["抚州市临川区示例科技有限公司"], "grant_date": null,
            "legal_status": "valid", "right": "own", "licence_record": null
        }),
    )
    .await
    .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );

    let res = post(
        "/api/v1/products",
        json!({
            "enterprise": LINCHUAN, "name": "智能数据采集终端", "model": "ZC-100", "field": "39",
            "description": null, "first_sold_on": null,
            "figures": [{"year": 2025, "sales_revenue": "12345678.90", "output_value": "13000000.00",
                         "export_value": null, "profit": null, "ip_investment": null}],
            "patents": [{"number": "ZL201910725275.4", "title": null, "patentees": null,
                         "grant_date": null, "legal_status": null, "right": null,
                         "licence_record": null, "core": null, "embodiment": null}]
        }),
    )
    .await
    .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["description"], "");
    assert_eq!(p["patents"][0]["licence_record"], "");
    assert_eq!(
        p["patents"][0]["legal_status"], "valid",
        "from the firm's list"
    );
    assert_eq!(p["patents"][0]["core"], false);

    // A value outside an enumeration: the field, its own code, the allowed values in Chinese.
    let res = post(
        "/api/v1/enterprises",
        json!({
            "credit_code": LINCHUAN, "name": "x", "scale": "huge", "ownership": "private",
            "industry": "C39", "contact": {"name": "王芳", "phone": "0794-8888888"}
        }),
    )
    .await
    .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        assert_problem(status, &body, 422),
        [("scale".to_string(), "invalid_scale".to_string())]
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("large、medium、small、micro"),
        "{body}"
    );

    // A query parameter the document does not list is refused, not ignored; the listed ones
    // (and paging) still work.
    let res = app
        .client
        .get(app.url("/api/v1/products?stauts=approved&page=1"))
        .bearer_auth(&firm)
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(
        assert_problem(status, &res.json().await.unwrap(), 422),
        [("stauts".to_string(), "unknown_parameter".to_string())]
    );
    let (status, body) = app.get_json("/api/v1/regions?parnet=360000").await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("parnet".to_string(), "unknown_parameter".to_string())]
    );
    let (status, _) = app
        .get_json("/api/v1/regions?parent=360000&per_page=5")
        .await;
    assert_eq!(status, StatusCode::OK);

    // What is served is the document the snapshot holds.
    let (_, served) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(served, document());
    app.stop().await;
}
on_both_backends!(a_generated_client_sends_null_for_what_it_leaves_out);

fn document() -> Value {
    serde_json::to_value(zhichan_server::openapi_document()).unwrap()
}

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json")
}

/// Every change to the contract is a diff someone reads: the served document is kept as
/// `tests/snapshots/openapi.json`; `UPDATE_SNAPSHOTS=1 cargo test -p zhichan-server --test
/// stories contract::` rewrites it after a change that is meant.
#[test]
fn the_openapi_document_matches_its_reviewed_snapshot() {
    let now = zhichan_server::openapi_document()
        .to_pretty_json()
        .expect("serialises")
        + "\n";
    let path = snapshot_path();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &now).unwrap();
        return;
    }
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    if kept == now {
        return;
    }
    let kept_value: Value = serde_json::from_str(&kept).unwrap_or(Value::Null);
    let now_value: Value = serde_json::from_str(&now).unwrap();
    let mut changes = Vec::new();
    diff("", &kept_value, &now_value, &mut changes);
    let shown = changes.len().min(60);
    panic!(
        "the OpenAPI document differs from {} in {} place(s):\n{}{}\n\
         If the change is meant, run `UPDATE_SNAPSHOTS=1 cargo test -p zhichan-server --test \
         stories contract::` and commit the snapshot with it.",
        path.display(),
        changes.len(),
        changes[..shown].join("\n"),
        if changes.len() > shown { "\n…" } else { "" }
    );
}

/// The differences of two JSON values as lines `- path: old`, `+ path: new`, `~ path: old → new`.
fn diff(at: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    let short = |v: &Value| {
        let s = v.to_string();
        if s.chars().count() > 100 {
            format!("{}…", s.chars().take(100).collect::<String>())
        } else {
            s
        }
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let p = format!("{at}/{k}");
                match b.get(k) {
                    Some(vb) => diff(&p, va, vb, out),
                    None => out.push(format!("- {p}: {}", short(va))),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(format!("+ {at}/{k}: {}", short(vb)));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                diff(&format!("{at}/{i}"), va, vb, out);
            }
        }
        _ if old != new => out.push(format!("~ {at}: {} → {}", short(old), short(new))),
        _ => {}
    }
}

/// Names of fields whose values form a closed list wherever they appear.
const ENUMERATED: &[&str] = &[
    "status",
    "decision",
    "scale",
    "ownership",
    "legal_status",
    "right",
    "patent_type",
    "role",
    "level",
    "kind",
    "by",
    "format",
    "verification",
    "restriction",
    "annual_update",
];

/// Not a closed list although named like one, and why.
const OPEN: &[(&str, &str)] = &[
    // The role as the audit log recorded it: also empty for an anonymous caller and `cli`.
    ("AuditEntry", "role"),
    // The path segment naming a rules document; an unknown one is 404.
    ("/api/v1/rules/{kind}/history", "kind"),
];

/// Whether a schema (after `$ref`s and a nullable `oneOf`) lists its values, or is no string.
fn declares_values(doc: &Value, schema: &Value) -> bool {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        return declares_values(doc, &doc["components"]["schemas"][name]);
    }
    if let Some(any) = schema.get("oneOf").or(schema.get("anyOf")) {
        return any
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["type"] != "null")
            .all(|s| declares_values(doc, s));
    }
    let is_string = match &schema["type"] {
        Value::String(t) => t == "string",
        Value::Array(ts) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    !is_string || schema.get("enum").is_some()
}

/// A client generated from the document knows every code an enumerated field can take.
#[test]
fn every_enumerated_field_lists_its_values_in_the_document() {
    let doc = document();
    let mut plain = Vec::new();
    let open = |owner: &str, name: &str| OPEN.contains(&(owner, name));
    for (schema_name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
            if ENUMERATED.contains(&name.as_str())
                && !open(schema_name, name)
                && !declares_values(&doc, prop)
            {
                plain.push(format!("schema {schema_name}.{name}"));
            }
        }
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                if ENUMERATED.contains(&name)
                    && !open(path, name)
                    && !declares_values(&doc, &p["schema"])
                {
                    plain.push(format!(
                        "parameter {name} of {} {path}",
                        method.to_uppercase()
                    ));
                }
            }
        }
    }
    assert!(
        plain.is_empty(),
        "plain strings where the values form a closed list:\n{}",
        plain.join("\n")
    );
}

/// The document tells a client which calls need credentials and what each can answer: public
/// routes need none and never answer "not signed in", every other one answers 401, 403 and 404, and error
/// answers are problem+json.
#[test]
fn the_document_says_who_may_call_and_what_can_go_wrong() {
    use zhichan_server::auth::{access_of, Access};
    let doc = document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let m: reqwest::Method = method.to_uppercase().parse().unwrap();
            let access = access_of(&m, path).expect("every operation has an access rule");
            let statuses: Vec<&str> = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let what = format!("{} {path}", method.to_uppercase());
            if access == Access::Public {
                assert_eq!(op["security"], json!([]), "{what} needs no credentials");
                // (A login answers 401 for wrong credentials, in its own words.)
                assert_ne!(
                    op["responses"]["401"]["$ref"], "#/components/responses/Unauthenticated",
                    "{what} needs no credentials"
                );
            } else {
                assert!(op.get("security").is_none(), "{what} uses the default");
                for s in ["401", "403", "404", "422"] {
                    assert!(statuses.contains(&s), "{what} lists {s}: {statuses:?}");
                }
            }
            for (s, r) in op["responses"].as_object().unwrap() {
                // (A 503 of the health check is its own answer, not a problem.)
                if s.starts_with('4') || (s.starts_with('5') && path != "/api/v1/health") {
                    let r = match r.get("$ref").and_then(Value::as_str) {
                        Some(name) => {
                            &doc["components"]["responses"][name.rsplit('/').next().unwrap()]
                        }
                        None => r,
                    };
                    assert!(
                        r["content"].get("application/problem+json").is_some(),
                        "{what} {s} is problem+json: {r}"
                    );
                }
            }
        }
    }
    assert!(!doc["security"].as_array().unwrap().is_empty());
}
