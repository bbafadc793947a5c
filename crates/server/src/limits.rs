//! Per-address limits on what costs the platform most from a stranger: sign-ups with their
//! documents and file uploads. Counted before the body is read, so a refused request costs
//! nothing; the limits are security settings (安全策略), changed by the security administrator.

use crate::error::problem;
use crate::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use zhichan_service::ratelimit::Costly;

/// The routes counted, and against which limit.
pub const COUNTED: &[(&str, &str, Costly)] = &[
    ("POST", "/api/v1/signup", Costly::SignUp),
    ("POST", "/signup", Costly::SignUp),
    ("POST", "/api/v1/me/verification", Costly::Upload),
    ("POST", "/verification", Costly::Upload),
    ("POST", "/api/v1/products/import", Costly::Upload),
    ("POST", "/products/import", Costly::Upload),
    ("POST", "/api/v1/directories", Costly::Upload),
    ("POST", "/directories", Costly::Upload),
    ("POST", "/api/v1/policies/import", Costly::Upload),
    ("POST", "/policies/import", Costly::Upload),
    ("POST", "/api/v1/policies/{id}/attachments", Costly::Upload),
    (
        "POST",
        "/api/v1/enterprises/{credit_code}/declarations",
        Costly::Upload,
    ),
    (
        "POST",
        "/enterprises/{credit_code}/declarations",
        Costly::Upload,
    ),
];

/// The middleware: 429 with `Retry-After` once an address has used up its hour.
pub async fn per_address(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let Some((_, _, what)) = COUNTED
        .iter()
        .find(|(m, p, _)| *m == req.method().as_str() && *p == path)
    else {
        return next.run(req).await;
    };
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let ctx = crate::auth::ctx_of(&state, req.headers(), peer);
    match state.services.allow_costly(&ctx, *what).await {
        Ok(None) => next.run(req).await,
        Ok(Some(retry_after)) => {
            let detail = match what {
                Costly::SignUp => "来自同一地址的注册过于频繁，请稍后再试",
                Costly::Upload => "来自同一地址的上传过于频繁，请稍后再试",
            };
            let mut res = problem(StatusCode::TOO_MANY_REQUESTS, detail, vec![]);
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Err(e) => crate::error::AppError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counted_route_is_a_route() {
        for (m, p, _) in COUNTED {
            assert!(
                crate::auth::ENDPOINTS
                    .iter()
                    .any(|(em, ep, _)| em == m && ep == p),
                "{m} {p}"
            );
        }
    }
}
