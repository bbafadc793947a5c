//! The auditor's page: search the audit log, check its chain, export it.

use super::names::Names;
use super::{render, Chrome};
use crate::api::audit::filter_of;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use std::collections::HashMap;
use zhichan_domain::names::{
    audit_action_groups, audit_action_zh, audit_actions, key_zh, role_zh, value_zh, AuditOutcome,
};
use zhichan_store::audit::Entry;

struct Row {
    entry: Entry,
    at: String,
    user: String,
    role: String,
    /// The action by name (its code shown small beside it).
    action: String,
    object: String,
    outcome: String,
    ok: bool,
    detail: String,
}

/// What an object kind is called.
fn object_kind_zh(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "product" => "产品",
        "user" => "账号",
        "enterprise" => "企业",
        "token" => "访问令牌",
        "port" => "管理端口",
        "verification" => "实名认证",
        "directory" => "重点名录",
        "audit_log" => "审计日志",
        "session" => "会话",
        "patent" => "专利",
        "security" | "security_settings" => "安全设置",
        "stats" => "统计",
        "region" => "地区",
        "notification" => "通知",
        "registration" => "备案编号",
        "rules" => "业务规则",
        "update" => "信息更新",
        _ => return None,
    })
}

/// An entry's object in words: 产品 4, 管理端口 江西省.
async fn object_zh(names: &mut Names<'_>, object: &str) -> AppResult<String> {
    let (kind, id) = object.split_once(':').unwrap_or((object, ""));
    let Some(k) = object_kind_zh(kind) else {
        return Ok(object.to_string());
    };
    Ok(match (kind, id) {
        (_, "") => k.to_string(),
        ("port" | "stats" | "region", id) => format!("{k} {}", names.region_text(id).await?),
        (_, id) => format!("{k} {id}"),
    })
}

/// The region and industry codes a detail holds, for naming them in one go.
fn codes_in(v: &Value, key: &str, regions: &mut Vec<String>, industries: &mut Vec<String>) {
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, v)| codes_in(v, k, regions, industries)),
        Value::Array(a) => a.iter().for_each(|v| codes_in(v, key, regions, industries)),
        Value::String(s) if key == "region" => regions.push(s.clone()),
        Value::String(s) if key == "industry" || key == "field" => industries.push(s.clone()),
        _ => {}
    }
}

/// An old export's filter, written as a debug string (`Filter { username: Some("x"), … }`), in
/// words.
fn debug_filter_zh(s: &str) -> String {
    let mut parts = Vec::new();
    for (key, label) in [
        ("username", "用户名"),
        ("action", "操作"),
        ("object", "对象"),
        ("from", "自"),
        ("to", "至"),
    ] {
        let marker = format!(" {key}: Some(");
        if let Some(i) = s.find(&marker) {
            let rest = &s[i + marker.len()..];
            let end = rest.find(')').unwrap_or(rest.len());
            parts.push(format!("{label} {}", rest[..end].trim_matches('"')));
        }
    }
    if parts.is_empty() {
        "全部".into()
    } else {
        parts.join("，")
    }
}

/// A detail value in words: keys by their Chinese names, codes by theirs, nested values in
/// brackets.
fn detail_zh(v: &Value, key: &str, names: &HashMap<String, String>) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => if *b { "是" } else { "否" }.into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            if s.is_empty() {
                "—".into()
            } else if key == "filter" && s.starts_with("Filter {") {
                debug_filter_zh(s)
            } else if let Some(n) = names.get(&format!("{key}:{s}")) {
                n.clone()
            } else if let Some(n) = value_zh(key, s) {
                n.to_string()
            } else if key == "action" {
                audit_action_zh(s).map_or(s.clone(), str::to_string)
            } else {
                s.clone()
            }
        }
        Value::Array(a) if a.is_empty() => "无".into(),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::Object(_) => format!("（{}）", detail_zh(x, key, names)),
                _ => detail_zh(x, key, names),
            })
            .collect::<Vec<_>>()
            .join("、"),
        Value::Object(m) if m.is_empty() => "—".into(),
        Value::Object(m) => m
            .iter()
            .map(|(k, x)| {
                let label = key_zh(k).unwrap_or(k);
                match x {
                    Value::Object(o) if !o.is_empty() => {
                        format!("{label}：（{}）", detail_zh(x, k, names))
                    }
                    _ => format!("{label}：{}", detail_zh(x, k, names)),
                }
            })
            .collect::<Vec<_>>()
            .join("；"),
    }
}

/// An entry's detail in words (text that is no JSON as it is).
async fn detail_text(names: &mut Names<'_>, detail: &str) -> AppResult<String> {
    let Ok(v) = serde_json::from_str::<Value>(detail) else {
        return Ok(detail.to_string());
    };
    let (mut regions, mut industries) = (Vec::new(), Vec::new());
    codes_in(&v, "", &mut regions, &mut industries);
    let mut named = HashMap::new();
    for r in regions {
        let n = names.region_text(&r).await?;
        named.insert(format!("region:{r}"), n);
    }
    for i in industries {
        let n = format!("{}（{i}）", names.industry(&i).await?);
        named.insert(format!("industry:{i}"), n.clone());
        named.insert(format!("field:{i}"), n);
    }
    Ok(detail_zh(&v, "", &named))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<Row>,
    total: i64,
    listing: super::listing::Listing,
    query: String,
    user: String,
    /// The action filter's choices: (value, name, chosen); a group's value ends with `.`.
    actions: Vec<ActionChoice>,
    object: String,
    from: String,
    to: String,
    intact: bool,
    checked: i64,
    broken: String,
    errors: Vec<String>,
}

/// One choice of the action filter.
struct ActionChoice {
    value: String,
    name: String,
    group: bool,
    chosen: bool,
}

/// The action filter by name: each group as a whole (`session.`), then its actions.
fn action_choices(chosen: &str) -> Vec<ActionChoice> {
    let mut out = Vec::new();
    for (group, group_name) in audit_action_groups() {
        let prefix = format!("{group}.");
        out.push(ActionChoice {
            chosen: chosen == prefix,
            value: prefix.clone(),
            name: group_name.to_string(),
            group: true,
        });
        for (code, name) in audit_actions() {
            if code.starts_with(&prefix) {
                out.push(ActionChoice {
                    value: code.to_string(),
                    name: name.to_string(),
                    group: false,
                    chosen: chosen == *code,
                });
            }
        }
    }
    if !chosen.is_empty() && !out.iter().any(|c| c.chosen) {
        // A link from before: keep its filter, by the name of what it asks for.
        out.push(ActionChoice {
            value: chosen.to_string(),
            name: "其他操作".into(),
            group: false,
            chosen: true,
        });
    }
    out
}

fn encode(q: &HashMap<String, String>) -> String {
    let mut pairs: Vec<_> = q
        .iter()
        .filter(|(k, v)| *k != "page" && !v.is_empty())
        .collect();
    pairs.sort();
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

pub async fn audit_page(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let spec = crate::api::sorting::AuditSort::SPEC;
    let (listing, paging) =
        super::listing::Listing::read("/audit", &q, &spec, spec.default_order())?;
    let (filter, errors) = match filter_of(&q) {
        Ok(f) => (f, vec![]),
        Err(AppError::Invalid(e)) => (
            Default::default(),
            e.into_iter().map(|e| e.message).collect(),
        ),
        Err(e) => return Err(e),
    };
    let (entries, total) = state
        .services
        .audit_search_sorted(
            &signed.auth.actor,
            &filter,
            listing.chosen(),
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    let v = state.services.audit_verify().await?;
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let mut names = Names::new(&state);
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        let outcome = AuditOutcome::parse(&e.outcome).ok();
        rows.push(Row {
            at: e.at.beijing_minutes(),
            user: match e.username.as_str() {
                "(operator)" => "服务器操作员".into(),
                "" => "—".into(),
                u => u.to_string(),
            },
            role: match e.role.as_str() {
                "" => "—".into(),
                r => role_zh(r).map_or(r.to_string(), str::to_string),
            },
            action: audit_action_zh(&e.action).map_or_else(|| e.action.clone(), str::to_string),
            object: object_zh(&mut names, &e.object).await?,
            outcome: outcome.map_or(e.outcome.clone(), |o| o.label_zh().to_string()),
            ok: outcome == Some(AuditOutcome::Ok),
            detail: detail_text(&mut names, &e.detail).await?,
            entry: e,
        });
    }
    Ok(render(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &AuditPage {
            chrome: Chrome::for_user("审计日志", "/audit", Some(&signed.auth)),
            rows,
            total,
            listing: listing.with_total(total),
            query: encode(&q),
            user: get("user"),
            actions: action_choices(&get("action")),
            object: get("object"),
            from: get("from"),
            to: get("to"),
            intact: v.broken.is_none(),
            checked: v.checked,
            broken: v
                .broken
                .map(|(seq, why)| format!("第 {seq} 条：{why}"))
                .unwrap_or_default(),
            errors,
        },
    ))
}
