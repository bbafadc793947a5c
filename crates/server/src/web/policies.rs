//! The policy library's pages: the public list and reading view, and the import page where an
//! official previews what was extracted, corrects it and saves each policy.

use super::forms::{table, FormErrors};
use super::pickers::{region_param, Picker};
use super::{render, Chrome};
use crate::api::policies::{fields_of, item, query_of, text_of};
use crate::auth::{MaybeSigned, RequestCtx, Signed};
use crate::error::{AppError, AppResult};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use std::collections::HashMap;
use zhichan_api::policies::{HighlightField, PolicyHighlight, PolicyInput, PolicyItem};
use zhichan_domain::policies::ExtractedPolicy;
use zhichan_domain::RegionCode;
use zhichan_service::policies::iso;
use zhichan_service::{ServiceError, Services};

const PER_PAGE: i64 = 20;
const LEVELS: [(&str, &str); 4] = [
    ("nation", "国家级"),
    ("province", "省级"),
    ("city", "市级"),
    ("county", "县级"),
];

fn level_label(code: &str) -> &'static str {
    LEVELS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, l)| l)
}

#[derive(Template)]
#[template(path = "policy_list.html")]
struct ListPage {
    chrome: Chrome,
    can_import: bool,
    q: String,
    region: Picker,
    levels: [(&'static str, &'static str); 4],
    level: String,
    issuer: String,
    year: String,
    in_force: String,
    sort: String,
    problem: Option<String>,
    total: i64,
    items: Vec<PolicyItem>,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

impl ListPage {
    /// The level's name (国家级, 省级, …).
    fn level(&self, p: &PolicyItem) -> &'static str {
        level_label(p.level.as_str())
    }

    /// The highlights shown under a title: its text's passages (the title's own would only
    /// repeat the link above them).
    fn passages<'a>(&self, p: &'a PolicyItem) -> Vec<&'a PolicyHighlight> {
        p.highlights
            .iter()
            .filter(|h| h.field == HighlightField::Body)
            .collect()
    }

    /// A highlight's pieces: the words searched for (`true`) and the rest.
    fn passage(&self, h: &PolicyHighlight) -> Vec<(bool, String)> {
        h.segments.iter().map(|s| (s.hit, s.text.clone())).collect()
    }
}

fn href(q: &HashMap<String, String>, page: i64) -> String {
    let mut keys: Vec<&String> = q.keys().filter(|k| k.as_str() != "page").collect();
    keys.sort();
    let mut s = form_urlencoded::Serializer::new(String::new());
    for k in keys {
        if !q[k].is_empty() {
            s.append_pair(k, &q[k]);
        }
    }
    s.append_pair("page", &page.to_string());
    format!("/policies?{}", s.finish())
}

/// The public list, with filters and a full-text search (highlights, best match or newest first).
pub async fn list(
    State(state): State<AppState>,
    MaybeSigned(auth): MaybeSigned,
    Query(mut q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let region = region_param(
        &state,
        &mut q,
        "region",
        None,
        Picker::region("pl-region", "region", "地区（含下级）").hint("名称或代码"),
    )
    .await?;
    let page = q
        .get("page")
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let (query, problem) = match query_of(&q) {
        Ok(query) => (query, None),
        Err(AppError::Invalid(errs)) => (
            Default::default(),
            Some(
                errs.iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
        ),
        Err(e) => return Err(e),
    };
    let (rows, total) = state
        .services
        .policies(&query, PER_PAGE, (page - 1) * PER_PAGE)
        .await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let text = |k: &str| q.get(k).cloned().unwrap_or_default();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            can_import: auth
                .as_ref()
                .is_some_and(|a| Services::can_manage_policies(&a.actor, None)),
            chrome: Chrome::for_user("政策库", "/policies", auth.as_ref()),
            q: text("q"),
            region,
            levels: LEVELS,
            level: text("level"),
            issuer: text("issuer"),
            year: text("year"),
            in_force: text("in_force"),
            sort: text("sort"),
            problem,
            total,
            items: rows
                .iter()
                .map(|h| item(&h.policy, &h.highlights))
                .collect(),
            page,
            pages,
            prev: (page > 1).then(|| href(&q, page - 1)),
            next: (page < pages).then(|| href(&q, page + 1)),
        },
    ))
}

struct AttachmentLink {
    name: String,
    href: String,
}

#[derive(Template)]
#[template(path = "policy_view.html")]
struct ViewPage {
    chrome: Chrome,
    p: PolicyItem,
    level: &'static str,
    paragraphs: Vec<String>,
    attachments: Vec<AttachmentLink>,
    can_edit: bool,
    /// 相关政策: those sharing the most words of its title and its issuers.
    related: Vec<PolicyItem>,
}

/// The reading view (public), printable.
pub async fn view(
    State(state): State<AppState>,
    MaybeSigned(auth): MaybeSigned,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let d = state.services.policy(id).await?;
    let p = item(&d.policy, &[]);
    let related = state
        .services
        .related_policies(&d.policy, 5)
        .await?
        .iter()
        .map(|r| item(r, &[]))
        .collect();
    let title = p.title.clone().unwrap_or_else(|| "政策".into());
    Ok(render(
        StatusCode::OK,
        &ViewPage {
            chrome: Chrome::for_user(title, "/policies", auth.as_ref()),
            level: level_label(p.level.as_str()),
            can_edit: auth.as_ref().is_some_and(|a| {
                Services::can_manage_policies(&a.actor, Some(d.policy.fields.region))
            }),
            p,
            related,
            paragraphs: d.policy.fields.body.lines().map(str::to_string).collect(),
            attachments: d
                .attachments
                .iter()
                .map(|a| AttachmentLink {
                    name: a.name.clone(),
                    href: format!("/api/v1/policies/{id}/attachments/{}", a.id),
                })
                .collect(),
        },
    ))
}

struct FieldRow {
    name: &'static str,
    id: String,
    hint_id: String,
    label: &'static str,
    value: String,
    hint: String,
    required: bool,
    long: bool,
    date: bool,
}

#[derive(Template)]
#[template(path = "policy_form.html")]
struct PolicyForm {
    chrome: Chrome,
    csrf: String,
    /// Where the form posts: a new policy, or the next version of one (with the version read).
    action: String,
    version: Option<i64>,
    region: String,
    errors: FormErrors,
    fields: Vec<FieldRow>,
}

const FIELDS: [(&str, &str, bool, bool); 10] = [
    ("title", "标题", false, false),
    ("doc_number", "文号", false, false),
    ("issuers", "发文机关（多个以、分隔）", false, false),
    ("published_on", "成文日期", false, true),
    ("effective_on", "施行日期", false, true),
    ("expires_on", "失效日期", false, true),
    ("source", "来源", false, false),
    ("posted_on", "发布（转载）日期", false, true),
    ("url", "原文链接", false, false),
    ("body", "全文", true, false),
];

fn policy_form(
    signed: &Signed,
    prefix: &str,
    region: &str,
    values: &HashMap<String, String>,
    hints: &HashMap<&str, String>,
    errors: FormErrors,
) -> PolicyForm {
    PolicyForm {
        chrome: Chrome::for_user("", "", Some(&signed.auth)),
        csrf: super::account::csrf_of(signed),
        action: "/policies/new".into(),
        version: None,
        region: region.to_string(),
        errors,
        fields: FIELDS
            .iter()
            .map(|(name, label, required, date)| FieldRow {
                name,
                id: format!("{prefix}-{name}"),
                hint_id: format!("{prefix}-{name}-hint"),
                label,
                value: values.get(*name).cloned().unwrap_or_default(),
                hint: hints.get(name).cloned().unwrap_or_default(),
                required: *required,
                long: *name == "body",
                date: *date,
            })
            .collect(),
    }
}

fn values_of(e: &ExtractedPolicy) -> HashMap<String, String> {
    let d = |d: Option<time::Date>| d.map(iso).unwrap_or_default();
    HashMap::from([
        ("title".into(), e.title.clone().unwrap_or_default()),
        (
            "doc_number".into(),
            e.doc_number.clone().unwrap_or_default(),
        ),
        ("issuers".into(), e.issuers.join("、")),
        ("published_on".into(), d(e.published_on)),
        ("effective_on".into(), d(e.effective_on)),
        ("expires_on".into(), d(e.expires_on)),
        ("source".into(), e.source.clone().unwrap_or_default()),
        ("posted_on".into(), d(e.posted_on)),
        ("body".into(), e.body.clone()),
    ])
}

struct Found {
    duplicate_of: Option<i64>,
    form: String,
}

#[derive(Template)]
#[template(path = "policy_import.html")]
struct ImportPage {
    chrome: Chrome,
    csrf: String,
    errors: FormErrors,
    region: Picker,
    found: Vec<Found>,
}

async fn import_page(
    state: &AppState,
    signed: &Signed,
    status: StatusCode,
    errors: FormErrors,
    region: Option<RegionCode>,
    found: Vec<Found>,
) -> AppResult<Response> {
    let picker = Picker::region("pi-region", "region", "政策所属地区")
        .required()
        .within(state, signed.auth.actor.region)
        .await?
        .value(
            state,
            &region
                .or(signed.auth.actor.region)
                .map(|r| r.to_string())
                .unwrap_or_default(),
        )
        .await?
        .error(errors.beside("region"));
    Ok(render(
        status,
        &ImportPage {
            chrome: Chrome::for_user("导入政策", "/policies/import", Some(&signed.auth)),
            csrf: super::account::csrf_of(signed),
            errors,
            region: picker,
            found,
        },
    ))
}

pub async fn import_form(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    import_page(
        &state,
        &signed,
        StatusCode::OK,
        FormErrors::none(),
        None,
        Vec::new(),
    )
    .await
}

const IMPORT_FIELDS: [(&str, &str, &str); 2] = [
    ("file", "pi-file", "原文文件"),
    ("region", "pi-region", "政策所属地区"),
];

/// The preview: every policy the text holds, each in a form to correct and save.
pub async fn import_preview(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    form: Multipart,
) -> AppResult<Response> {
    let locate = table(&IMPORT_FIELDS);
    let (mut fields, _, file) = crate::api::products::read_multipart(form, "file").await?;
    let mut errors = FormErrors::none();
    let region = match super::pickers::region(
        &state,
        fields.get("region").map_or("", |s| s.as_str()),
        signed.auth.actor.region,
    )
    .await?
    {
        Ok(Some(r)) => Some(r),
        Ok(None) => {
            errors.add("region", "请选择政策所属地区", &locate);
            None
        }
        Err(m) => {
            errors.add("region", m, &locate);
            None
        }
    };
    fields.remove("csrf");
    let text = match text_of(&file) {
        Ok(t) => Some(t),
        Err(AppError::Invalid(errs)) => {
            for e in errs {
                errors.add("file", e.message, &locate);
            }
            None
        }
        Err(e) => return Err(e),
    };
    let (Some(region), Some(text), true) = (region, text, errors.is_empty()) else {
        return import_page(
            &state,
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            region,
            Vec::new(),
        )
        .await;
    };
    let outcomes = match state
        .services
        .import_policies(&signed.auth.actor, &ctx, &text, region, true)
        .await
    {
        Ok(o) => o,
        Err(ServiceError::Invalid(v)) => {
            let errors = FormErrors::from_violations(v, &locate);
            return import_page(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                Some(region),
                Vec::new(),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    let found = outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let mut hints: HashMap<&str, String> = HashMap::new();
            for w in &o.extracted.warnings {
                // The form has no region field of its own: where the policy is placed is said
                // beside its issuers, from which it is read.
                let field = if w.field == "region" {
                    "issuers"
                } else {
                    w.field
                };
                hints
                    .entry(field)
                    .and_modify(|h| {
                        h.push('；');
                        h.push_str(&w.message)
                    })
                    .or_insert_with(|| w.message.clone());
            }
            let prefix = format!("pf{i}");
            let at = |f: &str| {
                FIELDS
                    .iter()
                    .find(|(n, _, _, _)| *n == f)
                    .map(|(n, l, _, _)| (format!("{prefix}-{n}"), l.to_string()))
            };
            // What saving would refuse, beside its field before the official saves.
            let errors = FormErrors::from_violations(o.errors.clone(), &at);
            let form = policy_form(
                &signed,
                &prefix,
                &o.region.to_string(),
                &values_of(&o.extracted),
                &hints,
                errors,
            );
            Found {
                duplicate_of: o.duplicate_of,
                form: form.render().unwrap_or_default(),
            }
        })
        .collect();
    import_page(
        &state,
        &signed,
        StatusCode::OK,
        FormErrors::none(),
        Some(region),
        found,
    )
    .await
}

#[derive(Template)]
#[template(path = "policy_new.html")]
struct NewPage {
    chrome: Chrome,
    errors: FormErrors,
    form_html: String,
}

/// A policy's fields as the form sends them (issuers separated by 、 or commas).
fn input_of(form: &HashMap<String, String>) -> PolicyInput {
    let text = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    PolicyInput {
        title: text("title"),
        doc_number: text("doc_number"),
        issuers: text("issuers")
            .map(|s| {
                s.split(['、', ',', '，', ';', '；'])
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        region: form.get("region").cloned().unwrap_or_default(),
        published_on: text("published_on"),
        effective_on: text("effective_on"),
        expires_on: text("expires_on"),
        source: text("source"),
        posted_on: text("posted_on"),
        url: text("url"),
        body: form.get("body").cloned().unwrap_or_default(),
        topics: Vec::new(),
    }
}

fn locate_field(f: &str) -> Option<(String, String)> {
    FIELDS
        .iter()
        .find(|(n, _, _, _)| *n == f)
        .map(|(n, l, _, _)| (format!("pf-{n}"), l.to_string()))
}

/// The form's values from a policy as it stands.
fn values_of_policy(f: &zhichan_service::policies::PolicyFields) -> HashMap<String, String> {
    let d = |d: Option<time::Date>| d.map(iso).unwrap_or_default();
    HashMap::from([
        ("title".into(), f.title.clone().unwrap_or_default()),
        (
            "doc_number".into(),
            f.doc_number.clone().unwrap_or_default(),
        ),
        ("issuers".into(), f.issuers.join("、")),
        ("published_on".into(), d(f.published_on)),
        ("effective_on".into(), d(f.effective_on)),
        ("expires_on".into(), d(f.expires_on)),
        ("source".into(), f.source.clone().unwrap_or_default()),
        ("posted_on".into(), d(f.posted_on)),
        ("url".into(), f.url.clone().unwrap_or_default()),
        ("body".into(), f.body.clone()),
    ])
}

#[allow(clippy::too_many_arguments)]
fn edit_page(
    signed: &Signed,
    id: i64,
    version: i64,
    region: &str,
    values: &HashMap<String, String>,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let mut form = policy_form(
        signed,
        "pf",
        region,
        values,
        &HashMap::new(),
        errors.clone(),
    );
    form.action = format!("/policies/{id}/edit");
    form.version = Some(version);
    render(
        status,
        &NewPage {
            chrome: Chrome::for_user("修改政策", "/policies", Some(&signed.auth)),
            errors,
            form_html: form.render().unwrap_or_default(),
        },
    )
}

/// The edit form of a policy, for an administrator of its region (404 to anyone else).
pub async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let d = state.services.policy(id).await?;
    if !Services::can_manage_policies(&signed.auth.actor, Some(d.policy.fields.region)) {
        return Err(AppError::from(ServiceError::NotFound));
    }
    Ok(edit_page(
        &signed,
        id,
        d.policy.version,
        &d.policy.fields.region.to_string(),
        &values_of_policy(&d.policy.fields),
        FormErrors::none(),
        StatusCode::OK,
    ))
}

/// Saves the edit as the policy's next version (the earlier ones are kept); refused, the form
/// comes back as typed with each message beside its field; saved by someone else meanwhile, it
/// says so and keeps what was typed.
pub async fn edit(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let input = input_of(&form);
    let version = form
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0);
    let outcome = match fields_of(&input) {
        Ok(fields) => state
            .services
            .edit_policy(&signed.auth.actor, &ctx, id, version, fields)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    let (status, errors) = match outcome {
        Ok(_) => return Ok(Redirect::to(&format!("/policies/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let mut e = FormErrors::none();
            for x in errs {
                e.add(x.field, x.message, &locate_field);
            }
            (StatusCode::UNPROCESSABLE_ENTITY, e)
        }
        Err(AppError::Taken(v)) => {
            let mut e = FormErrors::none();
            e.add(v.field, v.message, &locate_field);
            (StatusCode::CONFLICT, e)
        }
        Err(AppError::Conflict(m)) => (StatusCode::CONFLICT, FormErrors::general(m)),
        Err(e) => return Err(e),
    };
    Ok(edit_page(
        &signed,
        id,
        version,
        &input.region,
        &form,
        errors,
        status,
    ))
}

/// Saves one corrected policy; refused, the form comes back with each message beside its field
/// and everything as typed.
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let input = input_of(&form);
    let outcome = match fields_of(&input) {
        Ok(fields) => state
            .services
            .create_policy(&signed.auth.actor, &ctx, fields)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    let locate_rows: Vec<(String, String, String)> = FIELDS
        .iter()
        .map(|(n, l, _, _)| (n.to_string(), format!("pf-{n}"), l.to_string()))
        .collect();
    let locate = |f: &str| {
        locate_rows
            .iter()
            .find(|(n, _, _)| n == f)
            .map(|(_, id, l)| (id.clone(), l.clone()))
    };
    let (status, errors) = match outcome {
        Ok(d) => return Ok(Redirect::to(&format!("/policies/{}", d.policy.id)).into_response()),
        Err(AppError::Invalid(errs)) => {
            let mut e = FormErrors::none();
            for x in errs {
                e.add(x.field, x.message, &locate);
            }
            (StatusCode::UNPROCESSABLE_ENTITY, e)
        }
        Err(AppError::Taken(v)) => {
            let mut e = FormErrors::none();
            e.add(v.field, v.message, &locate);
            (StatusCode::CONFLICT, e)
        }
        Err(e) => return Err(e),
    };
    let values: HashMap<String, String> = form.clone();
    let page_form = policy_form(
        &signed,
        "pf",
        &input.region,
        &values,
        &HashMap::new(),
        errors.clone(),
    );
    Ok(render(
        status,
        &NewPage {
            chrome: Chrome::for_user("保存政策", "/policies/import", Some(&signed.auth)),
            errors,
            form_html: page_form.render().unwrap_or_default(),
        },
    ))
}
