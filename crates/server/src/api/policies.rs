//! `/api/v1/policies`: the policy library (政策库). Reading is public; writes belong to the
//! administrators of the policy's region and the nation; import reads text as found.
//!
//! `q` runs on the full-text index (Chinese words, simplified and traditional alike, every word
//! required; a 文号 written with any brackets or spaces); `sort=relevance` (the default with
//! words) puts the best match first, `sort=date` the newest.

use super::paging::Paging;
use crate::auth::{MaybeSigned, RequestCtx, Signed};
use crate::error::{ApiJson, AppError, AppResult, Json};
use crate::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use zhichan_api::policies::{
    AttachmentAdded, HighlightField, HighlightSegment, ImportWarning, ImportedPolicy,
    PolicyAttachment, PolicyAttachmentForm, PolicyDetail, PolicyEdit, PolicyHighlight,
    PolicyImport, PolicyImportForm, PolicyInput, PolicyItem, PolicyVersion,
};
use zhichan_api::reference::RegionLevel;
use zhichan_api::{FieldError, Page, Problem};
use zhichan_domain::{RegionCode, Violation};
use zhichan_service::policies::{iso, parse_iso, ImportOutcome, Policy, PolicyFields, PolicyQuery};
use zhichan_service::search::Passage;

fn joined(issuers: &[String]) -> Option<String> {
    (!issuers.is_empty()).then(|| issuers.join("、"))
}

/// The passages a search found, as the API gives them.
pub fn highlights(passages: &[Passage]) -> Vec<PolicyHighlight> {
    passages
        .iter()
        .map(|p| PolicyHighlight {
            field: if p.title {
                HighlightField::Title
            } else {
                HighlightField::Body
            },
            segments: p
                .segments
                .iter()
                .map(|(hit, text)| HighlightSegment {
                    text: text.clone(),
                    hit: *hit,
                })
                .collect(),
        })
        .collect()
}

/// A policy in a list, with the highlights its search found (none outside a search).
pub fn item(p: &Policy, passages: &[Passage]) -> PolicyItem {
    let f = &p.fields;
    PolicyItem {
        id: p.id,
        version: p.version,
        title: f.title.clone(),
        doc_number: f.doc_number.clone(),
        issuer: joined(&f.issuers),
        issuers: f.issuers.clone(),
        level: p.level.into(),
        region: f.region.to_string(),
        published_on: f.published_on.map(iso),
        effective_on: f.effective_on.map(iso),
        expires_on: f.expires_on.map(iso),
        in_force: p.in_force,
        source: f.source.clone(),
        posted_on: f.posted_on.map(iso),
        url: f.url.clone(),
        topics: f.topics.clone(),
        highlights: highlights(passages),
    }
}

/// A policy with its text and versions. Who saved each version is a staff member's username:
/// shown only to those who may edit the policy (`staff`), never to the public.
fn detail(d: &zhichan_service::policies::PolicyDetail, staff: bool) -> PolicyDetail {
    let id = d.policy.id;
    PolicyDetail {
        item: item(&d.policy, &[]),
        body: d.policy.fields.body.clone(),
        attachments: d
            .attachments
            .iter()
            .map(|a| PolicyAttachment {
                id: a.id,
                name: a.name.clone(),
                content_type: a.content_type.clone(),
                size: a.size,
                href: format!("/api/v1/policies/{id}/attachments/{}", a.id),
            })
            .collect(),
        versions: d
            .versions
            .iter()
            .map(|(v, by, at)| PolicyVersion {
                version: *v,
                changed_by: staff.then(|| by.clone()),
                changed_at: at.to_string(),
            })
            .collect(),
    }
}

fn bad(field: &str, code: &'static str, zh: &str) -> FieldError {
    let v = Violation::new(code, zh, zh);
    FieldError {
        field: field.to_string(),
        code: v.code.to_string(),
        message: v.message_zh,
    }
}

/// The longest `q` (and `issuer`) a search takes, in characters: longer is 422 `too_long`. (A
/// request line over 64 KiB never reaches the application: the HTTP layer answers 414.)
pub const QUERY_CHARS: usize = 200;

/// The filters of a list request, or 422 naming each bad one.
pub fn query_of(q: &HashMap<String, String>) -> Result<PolicyQuery, AppError> {
    let mut errors = Vec::new();
    // Control characters are no words (and NUL must never reach PostgreSQL in a filter).
    let text = |k: &str| {
        q.get(k)
            .map(|v| {
                zhichan_domain::validation::strip_controls(v, false)
                    .0
                    .trim()
                    .to_string()
            })
            .filter(|v| !v.is_empty())
    };
    for key in ["q", "issuer"] {
        if text(key).is_some_and(|v| v.chars().count() > QUERY_CHARS) {
            errors.push(bad(
                key,
                "too_long",
                &format!("检索词不能超过 {QUERY_CHARS} 个字"),
            ));
        }
    }
    let level = text("level").and_then(|l| match RegionLevel::parse(&l) {
        Some(l) => Some(l.into()),
        None => {
            errors.push(bad(
                "level",
                "invalid_level",
                "级别应为 nation、province、city 或 county",
            ));
            None
        }
    });
    let region = text("region").and_then(|r| match RegionCode::parse(&r) {
        Ok(r) => Some(r),
        Err(v) => {
            errors.push(FieldError {
                field: "region".into(),
                code: v.code.to_string(),
                message: v.message_zh,
            });
            None
        }
    });
    let in_force = text("in_force").and_then(|v| match v.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            errors.push(bad(
                "in_force",
                "invalid_in_force",
                "in_force 应为 true 或 false",
            ));
            None
        }
    });
    let year = text("year").and_then(|y| match y.parse::<i32>() {
        Ok(y) if (1949..=9999).contains(&y) => Some(y),
        _ => {
            errors.push(bad("year", "invalid_year", "年份应为四位数字"));
            None
        }
    });
    let by_date = match text("sort").as_deref() {
        None | Some("relevance") => false,
        Some("date") => true,
        Some(_) => {
            errors.push(bad("sort", "invalid_sort", "排序应为 relevance 或 date"));
            false
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(PolicyQuery {
        q: text("q"),
        level,
        region,
        issuer: text("issuer"),
        in_force,
        year,
        by_date,
    })
}

/// Public search of the library: the best match first (or the newest with `sort=date`; a list
/// without words is always newest first), exact totals, highlights as segments (`hit` marks a
/// word found).
#[utoipa::path(get, path = "/api/v1/policies", tag = "policies", security(()),
    params(
        ("q" = Option<String>, Query, description = "检索词（按中文分词，简体繁体互通，各词均须出现在标题、文号、发文机关或全文中；文号可用任意括号、含空格书写；至多 200 字，更长为 422 too_long）", example = "专利 备案"),
        ("level" = Option<RegionLevel>, Query, description = "级别"),
        ("region" = Option<String>, Query, description = "地区（含下级）", example = "360000"),
        ("issuer" = Option<String>, Query, description = "发文机关（包含该文字）"),
        ("in_force" = Option<bool>, Query, description = "今天是否有效"),
        ("year" = Option<i32>, Query, description = "成文年份", example = 2024),
        ("sort" = Option<String>, Query, description = "relevance（默认，最相关在前；无检索词时按日期）或 date（从新到旧）"),
        Paging
    ),
    responses(
        (status = 200, description = "政策", body = Page<PolicyItem>),
        (status = 422, description = "参数有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Page<PolicyItem>>> {
    let paging = Paging::from_query(&q)?;
    let query = query_of(&q)?;
    let (rows, total) = state
        .services
        .policies(&query, paging.per_page.into(), paging.offset() as i64)
        .await?;
    Ok(Json(Page {
        items: rows
            .iter()
            .map(|h| item(&h.policy, &h.highlights))
            .collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// One policy with its text, attachments and versions (public).
#[utoipa::path(get, path = "/api/v1/policies/{id}", tag = "policies", security(()),
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "政策", body = PolicyDetail),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn get(
    State(state): State<AppState>,
    MaybeSigned(auth): MaybeSigned,
    Path(id): Path<i64>,
) -> AppResult<Json<PolicyDetail>> {
    let d = state.services.policy(id).await?;
    let staff = auth.as_ref().is_some_and(|a| {
        zhichan_service::Services::can_manage_policies(&a.actor, Some(d.policy.fields.region))
    });
    Ok(Json(detail(&d, staff)))
}

fn date_field(
    field: &str,
    raw: &Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<time::Date> {
    let raw = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    match parse_iso(raw) {
        Some(d) => Some(d),
        None => {
            errors.push(bad(field, "invalid_date", "日期应为 YYYY-MM-DD"));
            None
        }
    }
}

/// The service's fields of a request body, or 422 naming each bad field.
pub fn fields_of(p: &PolicyInput) -> Result<PolicyFields, AppError> {
    let mut errors = Vec::new();
    let region = match RegionCode::parse(&p.region) {
        Ok(r) => Some(r),
        Err(v) => {
            errors.push(FieldError {
                field: "region".into(),
                code: v.code.to_string(),
                message: v.message_zh,
            });
            None
        }
    };
    let published_on = date_field("published_on", &p.published_on, &mut errors);
    let effective_on = date_field("effective_on", &p.effective_on, &mut errors);
    let expires_on = date_field("expires_on", &p.expires_on, &mut errors);
    let posted_on = date_field("posted_on", &p.posted_on, &mut errors);
    match region {
        Some(region) if errors.is_empty() => Ok(PolicyFields {
            title: p.title.clone(),
            doc_number: p.doc_number.clone(),
            issuers: p.issuers.clone(),
            region,
            published_on,
            effective_on,
            expires_on,
            source: p.source.clone(),
            posted_on,
            url: p.url.clone(),
            body: p.body.clone(),
            topics: p.topics.clone(),
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Adds a policy (administrators of its region and the nation).
#[utoipa::path(post, path = "/api/v1/policies", tag = "policies",
    request_body = PolicyInput,
    responses(
        (status = 201, description = "已保存（第 1 版）", body = PolicyDetail),
        (status = 403, description = "无权维护政策库", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "地区不在本辖区", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已有相同文号的政策", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(body): ApiJson<PolicyInput>,
) -> AppResult<(StatusCode, Json<PolicyDetail>)> {
    let fields = fields_of(&body)?;
    let d = state
        .services
        .create_policy(&signed.auth.actor, &ctx, fields)
        .await?;
    Ok((StatusCode::CREATED, Json(detail(&d, true))))
}

/// Saves a policy's fields as its next version.
#[utoipa::path(patch, path = "/api/v1/policies/{id}", tag = "policies",
    params(("id" = i64, Path)),
    request_body = PolicyEdit,
    responses(
        (status = 200, description = "已保存为新版本", body = PolicyDetail),
        (status = 404, description = "不存在或不在本辖区", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已被他人修改，或文号已被占用", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn edit(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PolicyEdit>,
) -> AppResult<Json<PolicyDetail>> {
    let fields = fields_of(&body.policy)?;
    let d = state
        .services
        .edit_policy(&signed.auth.actor, &ctx, id, body.version, fields)
        .await?;
    Ok(Json(detail(&d, true)))
}

pub fn imported(o: &ImportOutcome) -> ImportedPolicy {
    let e = &o.extracted;
    ImportedPolicy {
        title: e.title.clone(),
        doc_number: e.doc_number.clone(),
        issuer: joined(&e.issuers),
        issuers: e.issuers.clone(),
        published_on: e.published_on.map(iso),
        effective_on: e.effective_on.map(iso),
        expires_on: e.expires_on.map(iso),
        source: e.source.clone(),
        posted_on: e.posted_on.map(iso),
        body: e.body.clone(),
        level: o.region.level().into(),
        region: o.region.to_string(),
        errors: o
            .errors
            .iter()
            .map(|v| FieldError {
                field: v.field.clone(),
                code: v.violation.code.to_string(),
                message: v.violation.message_zh.clone(),
            })
            .collect(),
        warnings: e
            .warnings
            .iter()
            .map(|w| ImportWarning {
                field: w.field.to_string(),
                code: w.code.to_string(),
                message: w.message.clone(),
            })
            .collect(),
        duplicate_of: o.duplicate_of,
        saved: o.saved,
    }
}

pub fn import_answer(preview: bool, outcomes: &[ImportOutcome]) -> PolicyImport {
    PolicyImport {
        preview,
        saved: outcomes.iter().filter(|o| o.saved.is_some()).count(),
        duplicates: outcomes.iter().filter(|o| o.duplicate_of.is_some()).count(),
        items: outcomes.iter().map(imported).collect(),
    }
}

/// Reads an uploaded text file as UTF-8 (a byte-order mark allowed), or 422 on the `file` field.
pub fn text_of(file: &[u8]) -> Result<String, AppError> {
    if file.is_empty() {
        return Err(AppError::Invalid(vec![bad(
            "file",
            "required",
            "请选择要导入的文本文件",
        )]));
    }
    String::from_utf8(file.to_vec()).map_err(|_| {
        AppError::Invalid(vec![bad(
            "file",
            "invalid_encoding",
            "文件须为 UTF-8 编码的文本",
        )])
    })
}

/// Imports policies from text as found (a portal listing or one document). With
/// `preview=true` nothing is saved: the answer shows what would be. A policy already in the
/// library (same own 文号, or the same text) is reported in `duplicate_of`, never saved twice.
#[utoipa::path(post, path = "/api/v1/policies/import", tag = "policies",
    request_body(content = PolicyImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "预览（未保存）", body = PolicyImport),
        (status = 201, description = "已导入", body = PolicyImport),
        (status = 403, description = "无权维护政策库", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "地区不在本辖区", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "文件有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn import(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    form: Multipart,
) -> AppResult<(StatusCode, Json<PolicyImport>)> {
    let (fields, _, file) = super::products::read_multipart(form, "file").await?;
    let preview = match fields.get("preview").map(|s| s.trim()) {
        None | Some("") | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(AppError::Invalid(vec![bad(
                "preview",
                "invalid_preview",
                "preview 应为 true 或 false",
            )]))
        }
    };
    let actor = &signed.auth.actor;
    let region = match fields
        .get("region")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        Some(r) => RegionCode::parse(r).map_err(|v| AppError::field("region", v))?,
        None => actor.region.ok_or_else(|| {
            AppError::Invalid(vec![bad("region", "required", "请选择政策所属地区")])
        })?,
    };
    let text = text_of(&file)?;
    let outcomes = state
        .services
        .import_policies(actor, &ctx, &text, region, preview)
        .await?;
    let status = if preview {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(import_answer(preview, &outcomes))))
}

/// Keeps a file with a policy (administrators of its region and the nation).
#[utoipa::path(post, path = "/api/v1/policies/{id}/attachments", tag = "policies",
    params(("id" = i64, Path)),
    request_body(content = PolicyAttachmentForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "已保存", body = AttachmentAdded),
        (status = 404, description = "不存在或不在本辖区", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "文件有误", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn attach(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    form: Multipart,
) -> AppResult<(StatusCode, Json<AttachmentAdded>)> {
    let (_, name, file) = super::products::read_multipart(form, "file").await?;
    let aid = state
        .services
        .add_policy_attachment(&signed.auth.actor, &ctx, id, &name, &file)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(AttachmentAdded {
            id: aid,
            href: format!("/api/v1/policies/{id}/attachments/{aid}"),
        }),
    ))
}

/// An attachment, as a download (public): its type from its own bytes, never rendered by the
/// browser as a page.
#[utoipa::path(get, path = "/api/v1/policies/{id}/attachments/{attachment}", tag = "policies",
    security(()),
    params(("id" = i64, Path), ("attachment" = i64, Path)),
    responses(
        (status = 200, description = "附件", content_type = "application/octet-stream"),
        (status = 404, description = "不存在", body = Problem, content_type = "application/problem+json")
    ))]
pub async fn attachment(
    State(state): State<AppState>,
    Path((id, attachment)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (name, kind, bytes) = state.services.policy_attachment(id, attachment).await?;
    Ok(download(&name, &kind, bytes))
}

/// A file as a download that no browser renders or sniffs.
pub fn download(name: &str, kind: &str, bytes: Vec<u8>) -> Response {
    let ascii = super::ascii_file_name(name);
    let encoded = super::rfc5987(name);
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CONTENT_SECURITY_POLICY, "sandbox".to_string()),
        ],
        bytes,
    )
        .into_response()
}
