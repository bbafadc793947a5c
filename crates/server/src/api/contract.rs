//! What the document promises of every operation, added once here rather than by each handler:
//! the security an operation needs and the error answers it can give (both from its access rule
//! in [`crate::auth::ENDPOINTS`]), the formats of parameters named alike everywhere (`region`,
//! `credit_code`, `month`, …), and the refusal of query parameters the document does not list.

use crate::auth::{access_of, Access};
use crate::error::{problem, PROBLEM_JSON};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::Required;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder, Schema};
use utoipa::{PartialSchema, ToSchema};
use zhichan_api::FieldError;
use zhichan_domain::{IndustryCode, RegionCode};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The error answers shared by operations: (status, component name, description).
const ERRORS: &[(u16, &str, &str)] = &[
    (
        400,
        "BadRequest",
        "请求格式有误（不是有效的 JSON，或路径参数类型不对）",
    ),
    (401, "Unauthenticated", "尚未登录，或令牌无效、已过期"),
    (
        403,
        "Forbidden",
        "角色无权进行此操作、须先修改密码或绑定动态验证码、管理端口未开通，或来自其他网站的提交",
    ),
    (
        404,
        "NotFound",
        "对象不存在，或不在本人、本企业、本辖区范围内",
    ),
    (409, "Conflict", "与现有数据冲突（版本已过期、重复等）"),
    (413, "TooLarge", "请求内容超过允许的大小"),
    (415, "UnsupportedMediaType", "请求内容类型不受支持"),
    (
        422,
        "Invalid",
        "请求内容或查询参数未通过校验（含文档未列出的查询参数），每个字段一条",
    ),
    (429, "TooManyRequests", "请求过于频繁"),
    (503, "Unavailable", "数据库暂时无法访问"),
];

/// Which of [`ERRORS`] an operation can answer.
fn statuses(method: &Method, path: &str, access: Access, op: &Operation) -> Vec<u16> {
    let public = access == Access::Public;
    let has_body = op.request_body.is_some();
    let has_path = params(op).any(|(_, place)| place == &ParameterIn::Path);
    let has_query = params(op).any(|(_, place)| place == &ParameterIn::Query);
    // An upload, or any route counted against an address's hourly limit (a declaration's
    // evidence comes inline as JSON), may answer 429.
    let upload = op
        .request_body
        .as_ref()
        .is_some_and(|b| b.content.contains_key("multipart/form-data"))
        || crate::limits::COUNTED
            .iter()
            .any(|(m, p, _)| *m == method.as_str() && *p == path);
    let change = method != Method::GET;
    let mut out = vec![422, 503];
    if has_body || has_path || has_query {
        out.push(400);
    }
    if has_body {
        out.extend([413, 415]);
    }
    if !public {
        out.extend([401, 403, 404]);
    } else if change {
        // A change sent from another site is refused even on public routes.
        out.push(403);
    }
    if has_path {
        out.push(404);
    }
    if change && !public {
        out.push(409);
    }
    if (change && public) || upload {
        out.push(429);
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn params(op: &Operation) -> impl Iterator<Item = (&str, &ParameterIn)> {
    op.parameters
        .iter()
        .flatten()
        .map(|p| (p.name.as_str(), &p.parameter_in))
}

/// A check of a query value against what the document declares for it, and the code of its
/// refusal.
#[derive(Clone, Copy)]
pub struct Check {
    pub accepts: fn(&str) -> bool,
    pub code: &'static str,
}

fn is_region(v: &str) -> bool {
    v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit()) && RegionCode::parse(v).is_ok()
}

fn is_industry(v: &str) -> bool {
    v.bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && IndustryCode::parse(v).is_ok()
}

fn is_month(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 7
        && (b'2'..=b'9').contains(&b[0])
        && b[1..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && matches!(
            &v[5..],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        )
}

fn is_date(v: &str) -> bool {
    v.len() == 10
        && time::Date::parse(v, time::macros::format_description!("[year]-[month]-[day]")).is_ok()
}

fn is_year(v: &str) -> bool {
    v.len() == 4 && v.parse::<i32>().is_ok_and(|y| (2000..=9999).contains(&y))
}

macro_rules! one_of {
    ($t:ty) => {
        |v: &str| <$t>::ALL.iter().any(|x| x.as_str() == v)
    };
}

/// The schema a parameter of this name takes, wherever it appears, and the check of its value.
fn parameter_schema(path: &str, name: &str) -> Option<(RefOr<Schema>, Option<Check>)> {
    use zhichan_api::{accounts, products, stats, Format};
    let schema_ref = |n: &str| RefOr::Ref(Ref::from_schema_name(n));
    let check = |accepts: fn(&str) -> bool, code: &'static str| Some(Check { accepts, code });
    Some(match name {
        "credit_code" => (schema_ref("CreditCode"), None),
        "region" => (schema_ref("RegionCode"), check(is_region, "invalid_region")),
        "parent" | "code" if path.starts_with("/api/v1/regions") => {
            (schema_ref("RegionCode"), check(is_region, "invalid_region"))
        }
        "parent" | "code" if path.starts_with("/api/v1/industries") => (
            schema_ref("IndustryCode"),
            check(is_industry, "invalid_industry"),
        ),
        "field" => (
            schema_ref("IndustryCode"),
            check(is_industry, "invalid_industry"),
        ),
        "month" => (schema_ref("Month"), check(is_month, "invalid_month")),
        "from" | "to" => (schema_ref("Date"), check(is_date, "invalid_date")),
        "format" => (
            schema_ref("Format"),
            check(one_of!(Format), "invalid_format"),
        ),
        "by" => (
            schema_ref("BreakdownBy"),
            check(one_of!(stats::BreakdownBy), "invalid_by"),
        ),
        "role" => (
            schema_ref("Role"),
            check(one_of!(accounts::Role), "invalid_role"),
        ),
        "status" if path.starts_with("/api/v1/products") => (
            schema_ref("ProductStatus"),
            check(one_of!(products::ProductStatus), "invalid_status"),
        ),
        "status" if path.starts_with("/api/v1/verifications") => (
            schema_ref("VerificationStatus"),
            check(one_of!(accounts::VerificationStatus), "invalid_status"),
        ),
        "level" if path.starts_with("/api/v1/policies") => (
            schema_ref("RegionLevel"),
            check(
                one_of!(zhichan_api::reference::RegionLevel),
                "invalid_level",
            ),
        ),
        "in_force" if path.starts_with("/api/v1/policies") => (
            ObjectBuilder::new().schema_type(Type::Boolean).into(),
            check(|v| v == "true" || v == "false", "invalid_in_force"),
        ),
        "year" => (
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(2000))
                .maximum(Some(9999))
                .into(),
            check(is_year, "invalid_year"),
        ),
        _ => return None,
    })
}

/// The schemas parameters refer to by name.
fn parameter_components(doc: &mut OpenApi) {
    use zhichan_api::edge::format;
    let components = doc.components.get_or_insert_with(Default::default);
    let mut add = |name: std::borrow::Cow<'static, str>, schema: RefOr<Schema>| {
        components
            .schemas
            .entry(name.into_owned())
            .or_insert(schema);
    };
    add(format::CreditCode::name(), format::CreditCode::schema());
    add(format::RegionCode::name(), format::RegionCode::schema());
    add(format::IndustryCode::name(), format::IndustryCode::schema());
    add(format::Month::name(), format::Month::schema());
    add(format::Date::name(), format::Date::schema());
    add(
        zhichan_api::reference::RegionLevel::name(),
        zhichan_api::reference::RegionLevel::schema(),
    );
    add(zhichan_api::Format::name(), zhichan_api::Format::schema());
    add(
        zhichan_api::stats::BreakdownBy::name(),
        zhichan_api::stats::BreakdownBy::schema(),
    );
    add(
        zhichan_api::accounts::Role::name(),
        zhichan_api::accounts::Role::schema(),
    );
    add(
        zhichan_api::products::ProductStatus::name(),
        zhichan_api::products::ProductStatus::schema(),
    );
    add(
        zhichan_api::accounts::VerificationStatus::name(),
        zhichan_api::accounts::VerificationStatus::schema(),
    );
}

fn methods(item: &mut utoipa::openapi::PathItem) -> Vec<(Method, &mut Operation)> {
    [
        (Method::GET, item.get.as_mut()),
        (Method::PUT, item.put.as_mut()),
        (Method::POST, item.post.as_mut()),
        (Method::DELETE, item.delete.as_mut()),
        (Method::PATCH, item.patch.as_mut()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|op| (m, op)))
    .collect()
}

/// The query parameters each operation documents, with the check of their values, by method and
/// routed path.
pub type KnownParameters = HashMap<(Method, String), BTreeMap<String, Option<Check>>>;

/// Completes the document from the access table, and answers the query parameters each
/// operation documents (for [`refuse_unknown_parameters`]).
pub fn complete(doc: &mut OpenApi) -> KnownParameters {
    parameter_components(doc);
    let components = doc.components.get_or_insert_with(Default::default);
    for (_, name, description) in ERRORS {
        components.responses.insert(
            (*name).to_string(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(*description)
                    .content(
                        PROBLEM_JSON,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            ),
        );
    }
    let mut known = KnownParameters::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in methods(item) {
            let Some(access) = access_of(&method, path) else {
                // The route-list test names it; nothing to add from a rule that is missing.
                continue;
            };
            if access == Access::Public {
                // An empty list overrides the document's default: no credentials needed.
                op.security = Some(Vec::<SecurityRequirement>::new());
            }
            let mut names = BTreeMap::new();
            for p in op.parameters.iter_mut().flatten() {
                let mut check = None;
                if let Some((schema, c)) = parameter_schema(path, &p.name) {
                    p.schema = Some(schema);
                    check = c;
                }
                if p.parameter_in == ParameterIn::Query {
                    names.insert(p.name.clone(), check);
                }
                // Paging has defaults: neither parameter is required.
                if matches!(p.name.as_str(), "page" | "per_page") {
                    p.required = Required::False;
                }
            }
            for status in statuses(&method, path, access, op) {
                let (_, name, _) = ERRORS
                    .iter()
                    .find(|(s, _, _)| *s == status)
                    .expect("listed");
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| {
                        RefOr::Ref(Ref::new(format!("#/components/responses/{name}")))
                    });
            }
            // A list that can answer a file says so.
            if params(op).any(|(n, _)| n == "format") {
                if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") {
                    ok.content.entry(XLSX.to_string()).or_insert_with(|| {
                        ContentBuilder::new()
                            .schema(Some(RefOr::T(
                                ObjectBuilder::new()
                                    .schema_type(Type::String)
                                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                                        utoipa::openapi::KnownFormat::Binary,
                                    )))
                                    .into(),
                            )))
                            .build()
                    });
                }
            }
            known.insert((method, path.clone()), names);
        }
    }
    known
}

/// Refuses an API request whose query carries a parameter its operation does not document
/// (422, one entry per unknown name), so that a misspelt filter is not silently ignored.
/// `csrf` is always allowed: an upload from a browser carries its token in the query.
pub async fn refuse_unknown_parameters(
    State(known): State<Arc<KnownParameters>>,
    req: Request,
    next: Next,
) -> Response {
    let (Some(query), Some(path)) = (req.uri().query(), req.extensions().get::<MatchedPath>())
    else {
        return next.run(req).await;
    };
    let method = if req.method() == Method::HEAD {
        Method::GET
    } else {
        req.method().clone()
    };
    let Some(names) = known.get(&(method, path.as_str().to_string())) else {
        return next.run(req).await;
    };
    let mut errors: Vec<FieldError> = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if errors.iter().any(|e| e.field == name) {
            continue;
        }
        if let Some(Some(check)) = names.get(name.as_ref()) {
            if !(check.accepts)(&value) {
                let shown: String = value.chars().take(40).collect();
                errors.push(FieldError {
                    field: name.to_string(),
                    code: check.code.into(),
                    message: format!("“{shown}”不符合接口文档对此参数的要求（取值或格式）"),
                });
            }
            continue;
        }
        if name != "csrf" && !names.contains_key(name.as_ref()) {
            errors.push(FieldError {
                field: name.to_string(),
                code: "unknown_parameter".into(),
                message: if names.is_empty() {
                    "此接口不接受查询参数".into()
                } else {
                    format!(
                        "此接口没有这个查询参数，可用的有：{}",
                        names.keys().cloned().collect::<Vec<_>>().join("、")
                    )
                },
            });
        }
    }
    if errors.is_empty() {
        next.run(req).await
    } else {
        problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("有 {} 个查询参数有误", errors.len()),
            errors,
        )
    }
}
