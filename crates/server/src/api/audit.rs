//! `/api/v1/audit`: the auditor's search, export and chain check.

use super::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use zhichan_api::accounts::{AuditEntry, AuditVerification};
use zhichan_api::{FieldError, Page, Problem};
use zhichan_domain::Timestamp;
use zhichan_service::audit::Who;
use zhichan_store::audit::{Entry, Filter};

pub fn entry_body(e: &Entry) -> AuditEntry {
    AuditEntry {
        seq: e.seq,
        at: e.at.to_string(),
        user_id: e.user_id,
        username: e.username.clone(),
        role: e.role.clone(),
        ip: e.ip.clone(),
        action: e.action.clone(),
        object: e.object.clone(),
        outcome: e.outcome.clone(),
        detail: e.detail.clone(),
        hash: e.hash.clone(),
        archived_at: e.archived_at.map(|t| t.to_string()),
    }
}

/// Reads the filters of the audit search from a query string. Dates are `YYYY-MM-DD` (Beijing
/// time, `to` inclusive) or full timestamps.
pub fn filter_of(q: &HashMap<String, String>) -> AppResult<Filter> {
    let mut errors = Vec::new();
    let mut when = |name: &str, end: bool| -> Option<Timestamp> {
        let raw = q.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())?;
        let parsed = if raw.len() == 10 {
            Timestamp::parse(&format!("{raw}T00:00:00.000Z"))
                .map(|t| t.minus(time::Duration::hours(8)))
                .map(|t| {
                    if end {
                        t.plus(time::Duration::days(1))
                    } else {
                        t
                    }
                })
        } else {
            Timestamp::parse(raw)
        };
        if parsed.is_none() {
            errors.push(FieldError {
                field: name.into(),
                code: "invalid_date".into(),
                message: "日期格式应为 YYYY-MM-DD".into(),
            });
        }
        parsed
    };
    let from = when("from", false);
    let to = when("to", true);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let text = |k: &str| {
        q.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    Ok(Filter {
        username: text("user"),
        action: text("action"),
        object: text("object"),
        from,
        to,
    })
}

/// What an audit search asked for, by the filter's fields (an empty object when it asked for
/// everything), so that the audit page names them in the reader's language.
pub fn filter_summary(f: &Filter) -> serde_json::Value {
    let mut asked = serde_json::Map::new();
    for (key, v) in [
        ("username", &f.username),
        ("action", &f.action),
        ("object", &f.object),
    ] {
        if let Some(v) = v {
            asked.insert(key.into(), v.clone().into());
        }
    }
    if let Some(t) = f.from {
        asked.insert("from".into(), t.beijing_minutes().into());
    }
    if let Some(t) = f.to {
        asked.insert("to".into(), t.beijing_minutes().into());
    }
    serde_json::Value::Object(asked)
}

/// The audit log, newest first, filtered by user, action (a trailing `.` matches a prefix),
/// object and time: archived entries are found like live ones, with `archived_at`.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    params(
        ("user" = Option<String>, Query, description = "用户名"),
        ("action" = Option<String>, Query, description = "操作，如 session.login；以 . 结尾按前缀匹配", example = "session."),
        ("object" = Option<String>, Query, description = "对象，如 user:12"),
        ("from" = Option<String>, Query, description = "起始日期（含）", example = "2026-11-01"),
        ("to" = Option<String>, Query, description = "截止日期（含）", example = "2026-11-30"),
        Paging,
        crate::api::sorting::AuditSort
    ),
    responses(
        (status = 200, description = "审计记录", body = Page<AuditEntry>),
        (status = 403, description = "仅安全审计员可查阅", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn search(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Page<AuditEntry>>> {
    let paging = Paging::from_query(&q)?;
    let order = crate::api::sorting::AuditSort::SPEC.from_query(&q)?;
    let filter = filter_of(&q)?;
    let (entries, total) = state
        .services
        .audit_search_sorted(
            &signed.auth.actor,
            &filter,
            order,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    Ok(Json(Page {
        items: entries.iter().map(entry_body).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// One CSV cell. A cell that a spreadsheet would take for a formula (text typed by anyone,
/// such as a failed login's username) is prefixed with `'` so that it stays text.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn formulas_stay_text_and_separators_are_quoted() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@cmd"), "'@cmd");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}

/// The rows of a CSV export, fetched and sent a batch at a time so that a large log never sits
/// in memory whole.
pub fn csv_stream(state: AppState, actor: zhichan_domain::access::Actor, filter: Filter) -> Body {
    use futures_util::StreamExt;
    use zhichan_domain::names::{audit_action_zh, role_zh, AuditOutcome};
    const BATCH: i64 = 1_000;
    // The headings and the fixed words (role, action, outcome) in the language of whoever
    // asked (the catalogue); what people typed and the details as recorded.
    let locale = crate::locale::current();
    let word = move |code: &str, name: Option<&'static str>| match name {
        Some(n) => zhichan_service::export::heading(locale, n),
        None => code.to_string(),
    };
    let header = format!(
        "\u{feff}{}\r\n",
        [
            "序号", "时间", "用户", "角色", "地址", "操作", "对象", "结果", "详情", "哈希"
        ]
        .map(|h| csv_field(&zhichan_service::export::heading(locale, h)))
        .join(",")
    );
    let stream = futures_util::stream::unfold(
        (Some(header), 0i64, false),
        move |(pending, after, done)| {
            let state = state.clone();
            let actor = actor.clone();
            let filter = filter.clone();
            async move {
                if let Some(text) = pending {
                    return Some((Ok::<_, std::io::Error>(text), (None, after, done)));
                }
                if done {
                    return None;
                }
                let batch = match state
                    .services
                    .audit_export_batch(&actor, &filter, after, BATCH)
                    .await
                {
                    Ok(b) => b,
                    Err(e) => {
                        tracing::error!(error = %e, "audit export failed mid-stream");
                        return Some((
                            Err(std::io::Error::other("export failed")),
                            (None, after, true),
                        ));
                    }
                };
                if batch.is_empty() {
                    return None;
                }
                let last = batch.last().map_or(after, |e| e.seq);
                let finished = (batch.len() as i64) < BATCH;
                let mut out = String::new();
                for e in &batch {
                    let row = [
                        e.seq.to_string(),
                        e.at.to_string(),
                        e.username.clone(),
                        word(&e.role, role_zh(&e.role)),
                        e.ip.clone(),
                        word(&e.action, audit_action_zh(&e.action)),
                        e.object.clone(),
                        word(
                            &e.outcome,
                            AuditOutcome::parse(&e.outcome).ok().map(|o| o.label_zh()),
                        ),
                        e.detail.clone(),
                        e.hash.clone(),
                    ];
                    out.push_str(
                        &row.iter()
                            .map(|f| csv_field(f))
                            .collect::<Vec<_>>()
                            .join(","),
                    );
                    out.push_str("\r\n");
                }
                Some((Ok(out), (None, last, finished)))
            }
        },
    )
    // Fused: a compressing layer polls the body once more after its end, which `unfold` forbids.
    .fuse();
    Body::from_stream(stream)
}

/// Exports the filtered log as CSV (UTF-8 with BOM, for spreadsheets); the export itself is
/// recorded in the log.
#[utoipa::path(
    get,
    path = "/api/v1/audit/export",
    tag = "audit",
    params(
        ("user" = Option<String>, Query), ("action" = Option<String>, Query),
        ("object" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query)
    ),
    responses((status = 200, description = "CSV 文件", content_type = "text/csv"))
)]
pub async fn export(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let filter = filter_of(&q)?;
    state
        .services
        .audit_alone(
            &ctx,
            &Who::from(&signed.auth.actor),
            "audit.export",
            "audit_log",
            "ok",
            serde_json::json!({"filter": filter_summary(&filter)}),
        )
        .await?;
    let body = csv_stream(state.clone(), signed.auth.actor.clone(), filter);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"zhichan-audit.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// Checks the whole hash chain now.
#[utoipa::path(
    get,
    path = "/api/v1/audit/verification",
    tag = "audit",
    responses((status = 200, description = "校验结果", body = AuditVerification))
)]
pub async fn verification(
    State(state): State<AppState>,
    _signed: Signed,
) -> AppResult<Json<AuditVerification>> {
    let v = state.services.audit_verify().await?;
    Ok(Json(AuditVerification {
        intact: v.broken.is_none(),
        checked: v.checked,
        broken_at: v.broken.as_ref().map(|b| b.0),
        reason: v.broken.map(|b| b.1),
    }))
}
