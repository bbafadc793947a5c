//! The auditor's page: search the audit log, check its chain, export it.

use super::names::Names;
use super::{render, Chrome};
use crate::api::audit::filter_of;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::locale::Punctuation;
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
    /// The object's kind by name (empty for a kind without one) and what names it.
    object_kind: String,
    object: String,
    outcome: String,
    ok: bool,
    /// The detail in words, as HTML (its data escaped).
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

/// An entry's object in words: its kind by name (产品, 管理端口) and what names it (4, 江西省),
/// which is data and shown apart.
async fn object_words(names: &mut Names<'_>, object: &str) -> AppResult<(String, String)> {
    let (kind, id) = object.split_once(':').unwrap_or((object, ""));
    let Some(k) = object_kind_zh(kind) else {
        return Ok((String::new(), object.to_string()));
    };
    Ok(match (kind, id) {
        ("port" | "stats" | "region", id) if !id.is_empty() => {
            (k.to_string(), names.region_text(id).await?)
        }
        (_, id) => (k.to_string(), id.to_string()),
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

/// An old export's filter, written as a debug string (`Filter { username: Some("x"), … }`):
/// what it asked for, by the names of the filter's fields.
fn debug_filter(s: &str) -> Vec<(&'static str, String)> {
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
            parts.push((label, rest[..end].trim_matches('"').to_string()));
        }
    }
    parts
}

use super::escape_html as escaped;

/// Data as it was recorded (a name, a number someone typed), in an element of its own when it
/// is no plain ASCII, so that an English sentence around it stays English.
fn data(s: &str) -> String {
    if s.is_ascii() {
        escaped(s)
    } else {
        format!("<bdi>{}</bdi>", escaped(s))
    }
}

/// A name of the catalogue in the page's language, escaped.
fn named(zh: &str) -> String {
    escaped(&crate::locale::t(zh))
}

/// A detail value in words, as HTML: keys and codes by their names in the page's language,
/// nested values in brackets, data as recorded.
fn detail_html(v: &Value, key: &str, names: &HashMap<String, String>, m: &Punctuation) -> String {
    let pairs = |items: Vec<(String, String)>| {
        items
            .into_iter()
            .map(|(label, value)| format!("{label}{}{value}", m.colon))
            .collect::<Vec<_>>()
            .join(m.separator)
    };
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => named(if *b { "是" } else { "否" }),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            if s.is_empty() {
                "—".into()
            } else if key == "filter" && s.starts_with("Filter {") {
                let asked = debug_filter(s);
                if asked.is_empty() {
                    named("全部")
                } else {
                    pairs(
                        asked
                            .into_iter()
                            .map(|(l, v)| (named(l), data(&v)))
                            .collect(),
                    )
                }
            } else if let Some(n) = names.get(&format!("{key}:{s}")) {
                data(n)
            } else if let Some(n) = value_zh(key, s) {
                named(n)
            } else if key == "action" {
                audit_action_zh(s).map_or_else(|| data(s), named)
            } else {
                data(s)
            }
        }
        Value::Array(a) if a.is_empty() => named("无"),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::Object(_) => {
                    format!("{}{}{}", m.open, detail_html(x, key, names, m), m.close)
                }
                _ => detail_html(x, key, names, m),
            })
            .collect::<Vec<_>>()
            .join(m.list),
        Value::Object(o) if o.is_empty() && key == "filter" => named("全部"),
        Value::Object(o) if o.is_empty() => "—".into(),
        Value::Object(o) => pairs(
            o.iter()
                // A product's version names its event (`event`, `detail`): its note says the
                // same in Chinese, as it was written before events were recorded.
                .filter(|(k, _)| !(k.as_str() == "note" && o.contains_key("event")))
                .map(|(k, x)| {
                    let label = key_zh(k).map_or_else(|| escaped(k), named);
                    let value = match x {
                        Value::Object(inner) if !inner.is_empty() => {
                            format!("{}{}{}", m.open, detail_html(x, k, names, m), m.close)
                        }
                        _ => detail_html(x, k, names, m),
                    };
                    (label, value)
                })
                .collect(),
        ),
    }
}

/// An entry's detail in words, as HTML (text that is no JSON is shown as it is).
async fn detail_text(names: &mut Names<'_>, detail: &str) -> AppResult<String> {
    let Ok(v) = serde_json::from_str::<Value>(detail) else {
        return Ok(data(detail));
    };
    let (mut regions, mut industries) = (Vec::new(), Vec::new());
    codes_in(&v, "", &mut regions, &mut industries);
    let mut named = HashMap::new();
    for r in regions {
        let n = names.region_text(&r).await?;
        named.insert(format!("region:{r}"), n);
    }
    for i in industries {
        let n = crate::locale::with_code(names.industry(&i).await?, &i);
        named.insert(format!("industry:{i}"), n.clone());
        named.insert(format!("field:{i}"), n);
    }
    Ok(detail_html(&v, "", &named, &crate::locale::punctuation()))
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
        let (object_kind, object) = object_words(&mut names, &e.object).await?;
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
            object_kind,
            object,
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
