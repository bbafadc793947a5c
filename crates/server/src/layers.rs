//! What wraps every request: a request id, logging, limits, compression, security headers, and
//! the error layer that makes every API error problem+json and every page error an HTML page.

use crate::error::{problem, title_for, PROBLEM_JSON};
use crate::web;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::any::Any;

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id a client may choose.
pub const REQUEST_ID_MAX: usize = 64;

/// Whether a client's `X-Request-Id` may be kept, echoed and logged: short, and only
/// `[A-Za-z0-9._-]` (nothing that could forge a log line or bloat every entry).
pub fn acceptable_request_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= REQUEST_ID_MAX
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Drops a client's request id that is not acceptable (all of them, when it sent several), so
/// that a generated one takes its place.
pub fn screen_request_id<B>(mut req: axum::http::Request<B>) -> axum::http::Request<B> {
    let headers = req.headers();
    let values: Vec<&HeaderValue> = headers.get_all(&REQUEST_ID).iter().collect();
    if !values.is_empty() && (values.len() > 1 || !acceptable_request_id(values[0].as_bytes())) {
        req.headers_mut().remove(&REQUEST_ID);
    }
    req
}

/// No inline script or style anywhere, nothing from another origin, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub fn security_headers() -> [(HeaderName, HeaderValue); 6] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ]
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// A read (GET or HEAD) runs all its statements on one pooled connection, taken at its first
/// and given back at its end: every connection given back costs a ping (see
/// `zhichan_store::with_shared_connection`). Changes keep taking a connection per statement or
/// transaction.
pub async fn shared_connection(req: Request, next: Next) -> Response {
    if req.method() == axum::http::Method::GET || req.method() == axum::http::Method::HEAD {
        zhichan_store::with_shared_connection(next.run(req)).await
    } else {
        next.run(req).await
    }
}

/// Turns any error response that is not already in the right shape into problem+json (API) or
/// the HTML error page (everything else): fallbacks, method mismatches, timeouts, body limits
/// and panics all come out the same way as handler errors.
pub async fn error_shapes(State(body_limit): State<usize>, req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        // Whoever refused it (the body limit, a handler reading the upload), the answer names
        // the limit.
        let detail = too_large(body_limit);
        let (parts, _) = res.into_parts();
        let mut fresh = if api {
            problem(status, detail, vec![])
        } else {
            web::error_page_with(status, Some(&detail))
        };
        for (name, value) in parts.headers.iter() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                fresh.headers_mut().insert(name.clone(), value.clone());
            }
        }
        return fresh;
    }
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let shaped = if api {
        // A refused import answers the marked workbook when the client asked for it.
        content_type.starts_with(PROBLEM_JSON)
            || content_type.starts_with(crate::api::products::XLSX)
    } else {
        content_type.starts_with("text/html")
    };
    if shaped {
        return res;
    }
    let is_problem = content_type.starts_with(PROBLEM_JSON);
    let (mut parts, body) = res.into_parts();
    // A page refused for want of a permission says which, when the refusal was specific.
    let detail = if !api && status == StatusCode::FORBIDDEN && is_problem {
        axum::body::to_bytes(body, 64 * 1024)
            .await
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_string))
    } else {
        None
    };
    let mut fresh = if api {
        let detail = match status.as_u16() {
            404 => "没有这个接口或对象".to_string(),
            405 => "该接口不支持这种请求方法".to_string(),
            _ => title_for(status).to_string(),
        };
        problem(status, detail, vec![])
    } else {
        web::error_page_with(status, detail.as_deref())
    };
    // Keep headers the client needs (Allow, Retry-After, …); the body's own come from `fresh`.
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in parts.headers.iter() {
        fresh.headers_mut().insert(name.clone(), value.clone());
    }
    fresh
}

/// What a 413 says: the most a request may carry, in MB (or KB below one MB).
pub fn too_large(limit: usize) -> String {
    if limit >= 1024 * 1024 {
        let mb = limit as f64 / (1024.0 * 1024.0);
        format!(
            "请求内容超过了 {} MB 的上限（含上传的文件），请缩小或拆分后再试",
            trim_number(mb)
        )
    } else {
        format!(
            "请求内容超过了 {} KB 的上限（含上传的文件），请缩小或拆分后再试",
            limit.div_ceil(1024)
        )
    }
}

fn trim_number(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A panic in a handler: logged with its message, answered as a 500 that the error layer shapes.
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let msg = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = %msg, "handler panicked");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}
