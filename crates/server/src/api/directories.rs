//! `/api/v1/directories`: key-enterprise directories and their coverage.

use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use zhichan_api::directories::{
    Coverage, CoverageGroup, Directory, DirectoryForm, DirectoryImported, RowNote, Uncovered,
};
use zhichan_api::{FieldError, Problem};
use zhichan_service::directories::{Coverage as Cov, Imported};

pub fn directory_body(d: &zhichan_store::directories::Directory) -> Directory {
    Directory {
        id: d.id,
        region: d.region.to_string(),
        name: d.name.clone(),
        file_name: d.file_name.clone(),
        listed: d.listed,
        created_by: d.created_by.clone(),
        created_at: d.created_at.to_string(),
    }
}

fn note_body(n: &zhichan_service::directories::RowNote) -> RowNote {
    RowNote {
        row: n.row,
        column: n.column.clone(),
        code: n.code.clone(),
        message: n.message.clone(),
    }
}

/// Imports a directory from an xlsx or csv file (columns 企业名称, 统一社会信用代码, 类别,
/// 截止日期, in any order). Every row is checked; one bad row refuses the whole file (422, one
/// error per row and column, `rows[5].统一社会信用代码`). Enterprises not on the platform yet are
/// kept and reported as warnings.
#[utoipa::path(
    post,
    path = "/api/v1/directories",
    tag = "statistics",
    request_body(content = DirectoryForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "已导入", body = DirectoryImported),
        (status = 404, description = "地区不在本辖区", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "文件过大", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "文件类型不对或有错误行，全部未导入", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    form: axum::extract::Multipart,
) -> AppResult<(StatusCode, Json<DirectoryImported>)> {
    let (text, file_name, file) = crate::api::products::read_upload(form).await?;
    let get = |k: &str| text.get(k).cloned().unwrap_or_default();
    match state
        .services
        .import_directory(
            &signed.auth.actor,
            &ctx,
            &get("name"),
            &get("region"),
            &file_name,
            &file,
        )
        .await?
    {
        Imported::Stored {
            directory,
            warnings,
        } => Ok((
            StatusCode::CREATED,
            Json(DirectoryImported {
                directory: directory_body(&directory),
                warnings: warnings.iter().map(note_body).collect(),
            }),
        )),
        Imported::Refused { errors, .. } => Err(AppError::Invalid(
            errors
                .iter()
                .map(|e| FieldError {
                    field: format!("rows[{}].{}", e.row, e.column),
                    code: e.code.clone(),
                    message: e.message.clone(),
                })
                .collect(),
        )),
    }
}

/// The directories of the caller's region and those below it, newest first or as `sort` asks.
#[utoipa::path(
    get,
    path = "/api/v1/directories",
    tag = "statistics",
    params(crate::api::sorting::DirectorySort),
    responses((status = 200, description = "名录", body = Vec<Directory>))
)]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> AppResult<Json<Vec<Directory>>> {
    let order = crate::api::sorting::DirectorySort::SPEC.from_query(&q)?;
    let (list, _) = state
        .services
        .directories_sorted(&signed.auth.actor, order, i64::MAX, 0)
        .await?;
    Ok(Json(list.iter().map(directory_body).collect()))
}

pub fn coverage_body(c: &Cov) -> Coverage {
    Coverage {
        directory: directory_body(&c.directory),
        listed: c.listed,
        covered: c.covered,
        rate: Cov::rate(c.covered, c.listed),
        overdue: c.overdue,
        uncovered: c
            .rows
            .iter()
            .filter(|r| r.covered_on.is_none())
            .map(|r| Uncovered {
                credit_code: r.entry.credit_code.clone(),
                name: r.entry.name.clone(),
                category: r.entry.category.clone(),
                deadline: r.entry.deadline.clone(),
                overdue: c.is_overdue(r),
                on_platform: r.enterprise_id.is_some(),
                region: r.region.map(|x| x.to_string()),
                contact_name: r.contact_name.clone(),
                contact_phone: r.contact_phone.clone(),
                contact_email: r.contact_email.clone(),
            })
            .collect(),
        categories: c
            .categories
            .iter()
            .map(|(k, l, cv)| CoverageGroup {
                key: k.clone(),
                name: k.clone(),
                listed: *l,
                covered: *cv,
                rate: Cov::rate(*cv, *l),
            })
            .collect(),
        regions: c
            .regions
            .iter()
            .map(|(k, n, l, cv)| CoverageGroup {
                key: k.clone(),
                name: n.clone(),
                listed: *l,
                covered: *cv,
                rate: Cov::rate(*cv, *l),
            })
            .collect(),
    }
}

/// Coverage: the share of listed enterprises with a product registered by their deadline,
/// overall, per category and per sub-region, and those not covered with their contacts.
#[utoipa::path(
    get,
    path = "/api/v1/directories/{id}/coverage",
    tag = "statistics",
    params(("id" = i64, Path), ("format" = Option<String>, Query, description = "json（默认）或 xlsx（全部名录企业及覆盖情况）")),
    responses(
        (status = 200, description = "覆盖情况", body = Coverage),
        (status = 404, description = "不存在或不在本辖区", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn coverage(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    use zhichan_service::export::{table_xlsx, word, Cell};
    let locale = crate::locale::current();
    let c = state
        .services
        .directory_coverage(&signed.auth.actor, id)
        .await?;
    if q.get("format").map(String::as_str) == Some("xlsx") {
        let rows: Vec<Vec<Cell>> = c
            .rows
            .iter()
            .map(|r| {
                vec![
                    Cell::from(r.entry.name.as_str()),
                    Cell::from(r.entry.credit_code.as_str()),
                    Cell::from(r.entry.category.as_str()),
                    Cell::from(r.entry.deadline.as_str()),
                    word(
                        locale,
                        match (&r.covered_on, c.is_overdue(r)) {
                            (Some(_), _) => "已备案",
                            (None, true) => "逾期未备案",
                            (None, false) => "未备案",
                        },
                    ),
                    Cell::from(r.covered_on.clone().unwrap_or_default()),
                    word(
                        locale,
                        if r.enterprise_id.is_some() {
                            "是"
                        } else {
                            "否"
                        },
                    ),
                    Cell::from(r.contact_name.as_str()),
                    Cell::from(r.contact_phone.as_str()),
                    Cell::from(r.contact_email.as_str()),
                ]
            })
            .collect();
        let bytes = table_xlsx(
            locale,
            "名录覆盖",
            &[
                "企业名称",
                "统一社会信用代码",
                "类别",
                "截止日期",
                "状态",
                "首次备案日期",
                "已在平台注册",
                "联系人",
                "联系电话",
                "电子邮箱",
            ],
            &rows,
        )?;
        return Ok(crate::api::products::xlsx_download(
            &format!("{}-{}.xlsx", c.directory.name, crate::locale::t("覆盖情况")),
            bytes,
            StatusCode::OK,
        ));
    }
    Ok(Json(coverage_body(&c)).into_response())
}
