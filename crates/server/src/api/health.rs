//! Liveness and the OpenAPI document.

use crate::error::Json;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use zhichan_api::{Health, HealthStatus};

/// Whether the server and its database answer. Needs no authentication.
#[utoipa::path(
    get,
    path = "/api/v1/health",
    tag = "system",
    security(()),
    responses(
        (status = 200, description = "服务正常", body = Health),
        (status = 503, description = "数据库无法访问", body = Health)
    )
)]
pub async fn health(State(state): State<AppState>) -> Response {
    if state.services.healthy().await {
        Json(Health {
            status: HealthStatus::Ok,
        })
        .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: HealthStatus::Unavailable,
            }),
        )
            .into_response()
    }
}

/// The OpenAPI 3 document of the whole API, generated from the code.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "system",
    security(()),
    responses((status = 200, description = "OpenAPI 3 文档", content_type = "application/json"))
)]
pub async fn openapi(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.as_ref().clone(),
    )
        .into_response()
}
