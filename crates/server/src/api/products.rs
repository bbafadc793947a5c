//! `/api/v1/products`: registration of products, their review and their versions.

use super::paging::Paging;
use crate::auth::{RequestCtx, Signed};
use crate::error::Json;
use crate::error::{ApiJson, AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use zhichan_api::products::{
    AnnualUpdate, BulkOutcome, BulkReview, Discard, Figures, ImportForm, Imported, NewAnnualUpdate,
    NewProduct, Product, ProductPage, ProductPatch, ProductPatent, ProductVersion, Review, Revoke,
    Submit, Withdraw,
};
use zhichan_api::{Page, Problem};
use zhichan_domain::registration::{AmendmentStatus, ProductStatus};
use zhichan_service::annual::UpdateInput;
use zhichan_service::patents::PatentInput;
use zhichan_service::products::{FiguresInput, Filter, LinkInput, ProductView};

/// Bodies of a list of products, judged in one context (built by the service).
pub async fn bodies(state: &AppState, views: &[ProductView]) -> AppResult<Vec<Product>> {
    Ok(state.services.product_bodies(views).await?)
}

async fn one(state: &AppState, v: ProductView) -> AppResult<Json<Product>> {
    Ok(Json(state.services.product_body(&v).await?))
}

fn figures_in(list: Vec<Figures>) -> Vec<FiguresInput> {
    list.into_iter()
        .map(|f| FiguresInput {
            year: f.year,
            sales_revenue: f.sales_revenue,
            output_value: f.output_value,
            export_value: f.export_value,
            profit: f.profit,
            ip_investment: f.ip_investment,
        })
        .collect()
}

fn links_in(list: Vec<ProductPatent>) -> Vec<LinkInput> {
    list.into_iter()
        .map(|p| LinkInput {
            core: p.core,
            embodiment: p.embodiment,
            patent: PatentInput {
                number: p.number,
                title: p.title,
                patentees: p.patentees,
                grant_date: p.grant_date,
                legal_status: p
                    .legal_status
                    .map(|s| s.as_str().into())
                    .unwrap_or_default(),
                right: p.right.map(|r| r.as_str().into()).unwrap_or_default(),
                licence_record: p.licence_record,
            },
        })
        .collect()
}

/// Registers a product as a draft (the enterprise, for itself).
#[utoipa::path(
    post,
    path = "/api/v1/products",
    tag = "registration",
    request_body = NewProduct,
    responses(
        (status = 201, description = "草稿已保存", body = Product),
        (status = 404, description = "企业不存在或不是本企业", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误（missing_patent、patent_not_in_force、invalid_patent_number、invalid_industry 等）", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(b): ApiJson<NewProduct>,
) -> AppResult<(StatusCode, Json<Product>)> {
    let v = state
        .services
        .create_product(
            &signed.auth.actor,
            &ctx,
            zhichan_service::products::ProductInput {
                enterprise: b.enterprise,
                name: b.name,
                model: b.model,
                field: b.field,
                description: b.description,
                first_sold_on: b.first_sold_on,
                figures: figures_in(b.figures),
                patents: links_in(b.patents),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, one(&state, v).await?))
}

/// The products the caller may see; `status=submitted` is the review queue, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/products",
    tag = "registration",
    params(
        ("status" = Option<String>, Query, description = "draft、submitted、returned、approved、withdrawn、revoked；submitted 为审核队列，按提交先后排列"),
        ("amendment" = Option<String>, Query, description = "变更状态：draft、submitted、returned；submitted 为变更审核队列，按提交先后排列"),
        ("region" = Option<String>, Query, description = "只看本辖区内的某个下级地区（GB/T 2260 代码）"),
        ("field" = Option<String>, Query, description = "所属领域：GB/T 4754 代码或其上级门类、大类"),
        ("q" = Option<String>, Query, description = "产品名称、型号或备案编号中的文字"),
        ("format" = Option<String>, Query, description = "json（默认）或 xlsx：全部匹配的产品（不分页，按登记先后），边查边写入临时文件再流式发送"),
        ("cursor" = Option<String>, Query, description = "上一页答复中的 next_cursor：从该处之后接着列出（按变更时间或名称排序时提供），不必数过前面的各页；游标须为列表给出的原样（内容不合法为 422 cursor），不能与 page 同用（422 page_with_cursor）"),
        Paging,
        crate::api::sorting::ProductSort
    ),
    responses((status = 200, description = "产品列表：每页按 sort 排列（默认最近变更在前，审核队列按提交先后）；total 为匹配总数，超过 1000 时记为 1000 且 total_capped 为 true；next_cursor 为下一页的游标（本页已满且排序支持时）", body = ProductPage))
)]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let mut filter = filter_of(&q)?;
    // Checked for the export too, though it sends every match: a bad page is refused either way.
    let paging = Paging::from_query(&q)?;
    if let Some(text) = q.get("cursor").filter(|c| !c.is_empty()) {
        // A cursor says where the page starts; a page number as well would contradict it.
        if q.get("page").is_some_and(|p| !p.trim().is_empty()) {
            return Err(AppError::field(
                "page",
                zhichan_domain::Violation::new(
                    "page_with_cursor",
                    "使用游标（cursor）翻页时不能再指定页码（page）",
                    "page cannot be given together with cursor",
                ),
            ));
        }
        let Some(c) = zhichan_store::products::Cursor::decode(text, &filter) else {
            return Err(AppError::field(
                "cursor",
                zhichan_domain::Violation::new(
                    "invalid",
                    "游标无效：请使用上一页答复中的 next_cursor，且不要改变排序",
                    "an invalid cursor: pass back the previous page's next_cursor, in the same order",
                ),
            ));
        };
        filter.after = Some(c);
    }
    if q.get("format").map(String::as_str) == Some("xlsx") {
        let file = state
            .services
            .export_products(&signed.auth.actor, &filter, crate::locale::current())
            .await?;
        return stream_file(file, &format!("{}.xlsx", crate::locale::t("备案产品"))).await;
    }
    let (items, total, next) = state
        .services
        .product_list_json(
            &signed.auth.actor,
            &filter,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    // `ProductPage` written by hand: each item its stored document finished with the fields of
    // the day, as the product's own answer is (`get`), so that a page costs no more than
    // copying its documents.
    let mut out = Vec::with_capacity(items.len() + 96);
    out.extend_from_slice(br#"{"items":"#);
    out.extend_from_slice(&items);
    out.extend_from_slice(br#","total":"#);
    out.extend_from_slice(total.total.to_string().as_bytes());
    out.extend_from_slice(br#","total_capped":"#);
    out.extend_from_slice(if total.capped { b"true" } else { b"false" });
    out.extend_from_slice(br#","next_cursor":"#);
    match next {
        // Hex digits and ASCII letters only: no escaping needed.
        Some(c) => {
            out.push(b'"');
            out.extend_from_slice(c.encode().as_bytes());
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(
        format!(
            r#","page":{},"per_page":{}}}"#,
            paging.page, paging.per_page
        )
        .as_bytes(),
    );
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        out,
    )
        .into_response())
}

/// Sends an export's temporary file in chunks as it is read from disk; the file is deleted
/// when the response ends.
pub async fn stream_file(
    file: tempfile::NamedTempFile,
    name: &str,
) -> AppResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    use futures_util::StreamExt;
    use tokio::io::AsyncReadExt;
    let f = tokio::fs::File::open(file.path())
        .await
        .map_err(|e| AppError::Internal(format!("export file: {e}")))?;
    // The state keeps the temporary file alive until the last chunk is sent. Fused: a
    // compressing layer polls the body once more after its end, which `unfold` forbids.
    let stream = futures_util::stream::unfold(Some((f, file)), |state| async move {
        let (mut f, keep) = state?;
        let mut buf = vec![0u8; 64 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(axum::body::Bytes::from(buf)), Some((f, keep))))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
    .fuse();
    let encoded: String = crate::api::rfc5987(name);
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"export.xlsx\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}

/// One product (404 outside the caller's scope).
#[utoipa::path(
    get,
    path = "/api/v1/products/{id}",
    tag = "registration",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "产品", body = Product),
        (status = 404, description = "不存在或不在范围内", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let out = state.services.product_json(&signed.auth.actor, id).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        out,
    )
        .into_response())
}

/// Changes a draft or returned product; on an approved product, writes its amendment (变更):
/// the registered version stays in force (status `approved`) until the amendment is submitted
/// and approved. Every change, to the product or to its amendment, is a new `version` of the
/// product; always send the product's `version`.
#[utoipa::path(
    patch,
    path = "/api/v1/products/{id}",
    tag = "registration",
    params(("id" = i64, Path)),
    request_body = ProductPatch,
    responses(
        (status = 200, description = "已保存为新版本（已备案产品：变更草稿）", body = Product),
        (status = 409, description = "版本已过期", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "字段有误或当前状态不能修改", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<ProductPatch>,
) -> AppResult<Json<Product>> {
    let v = state
        .services
        .update_product(&signed.auth.actor, &ctx, id, p.version, move |i| {
            if let Some(x) = p.name {
                i.name = x;
            }
            if let Some(x) = p.model {
                i.model = x;
            }
            if let Some(x) = p.field {
                i.field = x;
            }
            if let Some(x) = p.description {
                i.description = x;
            }
            if let Some(x) = p.first_sold_on {
                i.first_sold_on = Some(x);
            }
            if let Some(x) = p.figures {
                i.figures = figures_in(x);
            }
            if let Some(x) = p.patents {
                i.patents = links_in(x);
            }
        })
        .await?;
    one(&state, v).await
}

/// Submits a draft or returned product for formal review; on an approved product, submits its
/// amendment.
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/submit",
    tag = "registration",
    params(("id" = i64, Path)),
    request_body = Submit,
    responses(
        (status = 200, description = "已提交", body = Product),
        (status = 422, description = "当前状态不能提交，或专利已失效", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Submit>,
) -> AppResult<Json<Product>> {
    let v = state
        .services
        .submit_product(&signed.auth.actor, &ctx, id, b.version)
        .await?;
    one(&state, v).await
}

/// The reviewer's decision: `approve` (a registration number is issued) or `return` with a
/// reason. On an approved product it decides its submitted amendment: approved, the amendment
/// becomes the registered version (number kept); returned, the registered version stays.
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/review",
    tag = "registration",
    params(("id" = i64, Path)),
    request_body = Review,
    responses(
        (status = 200, description = "已处理", body = Product),
        (status = 422, description = "退回须说明理由，或当前状态不能审核", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn review(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Review>,
) -> AppResult<Json<Product>> {
    let approve = b.decision.approves();
    let v = state
        .services
        .review_product(
            &signed.auth.actor,
            &ctx,
            id,
            b.version,
            approve,
            b.reason.as_deref(),
        )
        .await?;
    one(&state, v).await
}

/// Every version of a product, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/products/{id}/history",
    tag = "registration",
    params(("id" = i64, Path)),
    responses((status = 200, description = "历史版本", body = Vec<ProductVersion>))
)]
pub async fn history(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<ProductVersion>>> {
    let versions = state
        .services
        .product_history(&signed.auth.actor, id)
        .await?;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| ProductVersion {
                version: v.version,
                // Versions keep the code the service wrote; an unknown one (a row edited by
                // hand) reads as a draft.
                status: zhichan_api::products::ProductStatus::parse(&v.status)
                    .unwrap_or(zhichan_api::products::ProductStatus::Draft),
                changed_by: v.changed_by,
                changed_at: v.changed_at.to_string(),
                note: v.note,
                product: serde_json::from_str(&v.snapshot).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    ))
}

/// Withdraws an approved product with a reason; the record stays, marked withdrawn.
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/withdraw",
    tag = "registration",
    params(("id" = i64, Path)),
    request_body = Withdraw,
    responses(
        (status = 200, description = "已撤销", body = Product),
        (status = 422, description = "须说明原因，或当前状态不能撤销", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn withdraw(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Withdraw>,
) -> AppResult<Json<Product>> {
    let v = state
        .services
        .withdraw_product(&signed.auth.actor, &ctx, id, b.version, &b.reason)
        .await?;
    one(&state, v).await
}

/// Revokes a registration (撤销备案), by a reviewer of the product's region, with a reason: the
/// record and its number stay, `/verify` says it was revoked, it leaves the statistics.
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/revoke",
    tag = "registration",
    params(("id" = i64, Path)),
    request_body = Revoke,
    responses(
        (status = 200, description = "已撤销备案", body = Product),
        (status = 404, description = "不存在或不在本辖区", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "版本已过期", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "须说明理由，或当前状态不能撤销备案", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Revoke>,
) -> AppResult<Json<Product>> {
    let v = state
        .services
        .revoke_product(&signed.auth.actor, &ctx, id, b.version, &b.reason)
        .await?;
    one(&state, v).await
}

/// Discards the amendment (变更) of an approved product; the registered version is untouched.
#[utoipa::path(
    delete,
    path = "/api/v1/products/{id}/amendment",
    tag = "registration",
    params(("id" = i64, Path), Discard),
    responses(
        (status = 200, description = "已放弃变更", body = Product),
        (status = 409, description = "版本已过期", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "没有可放弃的变更", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn discard_amendment(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Query(d): Query<Discard>,
) -> AppResult<Json<Product>> {
    let v = state
        .services
        .discard_amendment(&signed.auth.actor, &ctx, id, d.version)
        .await?;
    one(&state, v).await
}

/// The list filter of a query string (shared with the pages).
pub fn filter_of(q: &HashMap<String, String>) -> AppResult<Filter> {
    let get = |k: &str| q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    let status = match get("status") {
        Some(s) => Some(ProductStatus::parse(s).map_err(|v| AppError::field("status", v))?),
        None => None,
    };
    let region = match get("region") {
        Some(r) => {
            Some(zhichan_domain::RegionCode::parse(r).map_err(|v| AppError::field("region", v))?)
        }
        None => None,
    };
    let field = match get("field") {
        Some(f) if f.len() <= 5 && f.chars().all(|c| c.is_ascii_alphanumeric()) => {
            Some(f.to_ascii_uppercase())
        }
        Some(_) => {
            return Err(AppError::field(
                "field",
                zhichan_domain::Violation::new(
                    "invalid_industry",
                    "领域应为 GB/T 4754 行业代码",
                    "an industry code",
                ),
            ))
        }
        None => None,
    };
    let amendment = match get("amendment") {
        Some(s) => Some(AmendmentStatus::parse(s).map_err(|v| AppError::field("amendment", v))?),
        None => None,
    };
    Ok(Filter {
        queue_order: status == Some(ProductStatus::Submitted)
            || amendment == Some(AmendmentStatus::Submitted),
        status,
        amendment,
        region,
        field,
        text: get("q").map(|t| t.chars().take(50).collect()),
        order: crate::api::sorting::ProductSort::SPEC.from_query(q)?,
        ..Filter::default()
    })
}

/// One decision for many products (批量审核): each item is decided on its own against the
/// version reviewed; the answer lists what happened to each (200 even when some failed).
#[utoipa::path(
    post,
    path = "/api/v1/products/review",
    tag = "registration",
    request_body = BulkReview,
    responses(
        (status = 200, description = "逐项结果", body = Vec<BulkOutcome>),
        (status = 422, description = "决定或数量有误", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn review_many(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    ApiJson(b): ApiJson<BulkReview>,
) -> AppResult<Json<Vec<BulkOutcome>>> {
    let approve = b.decision.approves();
    let items: Vec<(i64, i64)> = b.items.iter().map(|i| (i.id, i.version)).collect();
    let results = state
        .services
        .review_products(
            &signed.auth.actor,
            &ctx,
            &items,
            approve,
            b.reason.as_deref(),
        )
        .await?;
    let views: Vec<ProductView> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok().cloned())
        .collect();
    let cx = state.services.product_context(&views).await?;
    Ok(Json(
        results
            .into_iter()
            .map(|(id, r)| match r {
                Ok(v) => BulkOutcome {
                    id,
                    ok: true,
                    product: Some(cx.body(&v)),
                    problem: None,
                },
                Err(e) => BulkOutcome {
                    id,
                    ok: false,
                    product: None,
                    problem: Some(AppError::from(e).to_problem()),
                },
            })
            .collect(),
    ))
}

pub fn update_body(u: &zhichan_store::annual_updates::AnnualUpdate) -> AnnualUpdate {
    AnnualUpdate {
        id: u.id,
        product: u.product_id,
        year: u.year.into(),
        sales_revenue: u.sales_revenue.to_string(),
        output_value: u.output_value.to_string(),
        export_value: u.export_value.to_string(),
        profit: u.profit.to_string(),
        ip_investment: u.ip_investment.to_string(),
        status: u.status.into(),
        submitted_by: u.submitted_by.clone(),
        submitted_at: u.submitted_at.to_string(),
        reviewed_by: u.reviewed_by.clone(),
        reviewed_at: u.reviewed_at.map(|t| t.to_string()),
        return_reason: u.return_reason.clone(),
        version: u.version,
    }
}

/// Files the annual update (信息更新) of a registered product: last year's figures, in the
/// window (by default 1 January – 31 March). After a return, filing again replaces it.
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/annual-updates",
    tag = "registration",
    params(("id" = i64, Path)),
    request_body = NewAnnualUpdate,
    responses(
        (status = 201, description = "已提交，待审核", body = AnnualUpdate),
        (status = 409, description = "本年度已提交", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "金额有误、不在更新时间内（window_closed）、年度不对（invalid_year）或产品未备案", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn file_update(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<NewAnnualUpdate>,
) -> AppResult<(StatusCode, Json<AnnualUpdate>)> {
    let u = state
        .services
        .file_annual_update(
            &signed.auth.actor,
            &ctx,
            id,
            UpdateInput {
                year: b.year,
                sales_revenue: b.sales_revenue,
                output_value: b.output_value,
                export_value: b.export_value,
                profit: b.profit,
                ip_investment: b.ip_investment,
                still_sold: b.still_sold,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(update_body(&u))))
}

/// Every annual update of a product, newest year first.
#[utoipa::path(
    get,
    path = "/api/v1/products/{id}/annual-updates",
    tag = "registration",
    params(("id" = i64, Path)),
    responses((status = 200, description = "信息更新记录", body = Vec<AnnualUpdate>))
)]
pub async fn updates(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<AnnualUpdate>>> {
    let list = state
        .services
        .annual_updates(&signed.auth.actor, id)
        .await?;
    Ok(Json(list.iter().map(update_body).collect()))
}

/// Annual updates waiting for review in the reviewer's region, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/annual-updates",
    tag = "registration",
    params(Paging),
    responses((status = 200, description = "待审核的信息更新", body = Page<AnnualUpdate>))
)]
pub async fn update_queue(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Json<Page<AnnualUpdate>>> {
    let paging = Paging::from_query(&q)?;
    let (rows, total) = state
        .services
        .update_queue(
            &signed.auth.actor,
            paging.per_page.into(),
            paging.offset() as i64,
        )
        .await?;
    Ok(Json(Page {
        items: rows.iter().map(|(u, _)| update_body(u)).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// Approves an annual update (its figures join the product's) or returns it with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/annual-updates/{id}/review",
    tag = "registration",
    params(("id" = i64, Path)),
    request_body = Review,
    responses(
        (status = 200, description = "已处理", body = AnnualUpdate),
        (status = 409, description = "版本已过期", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "退回须说明理由，或已处理过", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn review_update(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<Review>,
) -> AppResult<Json<AnnualUpdate>> {
    let approve = b.decision.approves();
    let u = state
        .services
        .review_annual_update(
            &signed.auth.actor,
            &ctx,
            id,
            b.version,
            approve,
            b.reason.as_deref(),
        )
        .await?;
    Ok(Json(update_body(&u)))
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An xlsx file as a download.
pub fn xlsx_download(name: &str, bytes: Vec<u8>, status: StatusCode) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let encoded: String = crate::api::rfc5987(name);
    (
        status,
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"products.xlsx\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The bulk registration template (批量备案模板).
#[utoipa::path(
    get,
    path = "/api/v1/products/import-template",
    tag = "registration",
    responses((status = 200, description = "xlsx 模板", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
)]
pub async fn import_template(_signed: Signed) -> AppResult<axum::response::Response> {
    // The sheet's column names are what the import reads, so they stay in Chinese; the file is
    // named in the caller's language.
    Ok(xlsx_download(
        &format!("{}.xlsx", crate::locale::t("产品批量备案模板")),
        zhichan_service::bulk::template()?,
        StatusCode::OK,
    ))
}

/// Reads a multipart form: its text fields, and its `file` part's name and bytes.
pub async fn read_upload(
    form: axum::extract::Multipart,
) -> AppResult<(HashMap<String, String>, String, Vec<u8>)> {
    read_multipart(form, "file").await
}

/// Reads a multipart form: its text fields, and the name and bytes of the file part called
/// `file_part` (other file parts are read as text and so refused if they are not).
pub async fn read_multipart(
    mut form: axum::extract::Multipart,
    file_part: &str,
) -> AppResult<(HashMap<String, String>, String, Vec<u8>)> {
    let mut text = HashMap::new();
    let mut file = Vec::new();
    let mut file_name = String::new();
    while let Some(field) = form.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::Malformed(format!("表单内容无法读取：{e}"))
        }
    })? {
        let name = field.name().unwrap_or("").to_string();
        if name == file_part {
            file_name = field.file_name().unwrap_or("").to_string();
            file = field
                .bytes()
                .await
                .map_err(|_| AppError::TooLarge)?
                .to_vec();
        } else {
            let value = field
                .text()
                .await
                .map_err(|e| AppError::Malformed(format!("表单内容无法读取：{e}")))?;
            text.insert(name, value);
        }
    }
    Ok((text, file_name, file))
}

/// The errors of a refused import, one per sheet, row and column: `产品[5].所属领域代码`.
pub fn import_errors(r: &zhichan_service::bulk::Rejected) -> Vec<zhichan_api::FieldError> {
    r.errors
        .iter()
        .map(|e| zhichan_api::FieldError {
            field: format!("{}[{}].{}", e.sheet, e.row, e.column),
            code: e.code.clone(),
            message: e.message.clone(),
        })
        .collect()
}

/// Bulk registration: every product of the workbook becomes a draft, or none does. When a row
/// is wrong the answer is 422 with one error per sheet, row and column — as problem+json, or,
/// when the request accepts xlsx, as the workbook with the bad cells marked.
#[utoipa::path(
    post,
    path = "/api/v1/products/import",
    tag = "registration",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "全部导入为草稿", body = Imported),
        (status = 404, description = "企业不存在或不是本企业", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "文件或行有误，全部未保存（Accept 为 xlsx 时返回标注了错误的工作簿）", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn import(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    headers: axum::http::HeaderMap,
    form: axum::extract::Multipart,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let (text, _, file) = read_upload(form).await?;
    let enterprise = text.get("enterprise").cloned().unwrap_or_default();
    match state
        .services
        .import_products(&signed.auth.actor, &ctx, &enterprise, &file)
        .await?
    {
        Ok(ids) => Ok((
            StatusCode::CREATED,
            Json(Imported {
                created: ids.len(),
                ids,
            }),
        )
            .into_response()),
        Err(rejected) => {
            let wants_xlsx = headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains(XLSX));
            if wants_xlsx {
                Ok(xlsx_download(
                    "产品批量备案-错误标注.xlsx",
                    rejected.annotated,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ))
            } else {
                Err(AppError::Invalid(import_errors(&rejected)))
            }
        }
    }
}
