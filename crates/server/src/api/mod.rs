//! The JSON API under `/api/v1`, one module per resource. Every route is declared with its
//! OpenAPI annotation, and the served document is generated from them.

pub mod health;
pub mod industries;
pub mod paging;
pub mod regions;

use crate::AppState;
use axum::Router;
use utoipa::openapi::OpenApi as Document;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zhichan API",
        description = "知产：专利产品备案、专利密集型产品认定与知识产权公共服务平台的接口。\
                       Errors are application/problem+json; lists answer {items, total, page, per_page}.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    tags(
        (name = "system", description = "健康检查与接口文档"),
        (name = "reference", description = "参考数据：行政区划（GB/T 2260）与国民经济行业分类（GB/T 4754-2017）")
    ),
    components(schemas(zhichan_api::Problem, zhichan_api::FieldError))
)]
struct ApiDoc;

/// The API routes and the OpenAPI document that describes them.
pub fn router() -> (Router<AppState>, Document) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(health::openapi))
        .routes(routes!(regions::list))
        .routes(routes!(regions::get))
        .routes(routes!(industries::list))
        .routes(routes!(industries::get))
        .split_for_parts()
}
