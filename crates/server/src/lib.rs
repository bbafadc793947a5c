//! zhichan's HTTP server: the JSON API under `/api/v1`, the server-rendered pages, and the
//! embedded assets, behind one stack of layers.

pub mod api;
pub mod assets;
pub mod auth;
pub mod error;
pub mod layers;
pub mod limits;
pub mod locale;
pub mod web;

use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use zhichan_service::Services;

/// How the server behaves, apart from where its database is.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Largest request body accepted, in bytes (uploads included); larger gets 413.
    pub body_limit: usize,
    /// Longest a request may take before it is answered 408.
    pub request_timeout: Duration,
    /// Believe `X-Forwarded-For` and `X-Forwarded-Proto` (set when a reverse proxy that sets
    /// them is the only way in).
    pub trust_proxy: bool,
    /// How large an uploaded workbook or csv may be (rows, columns, unzipped size, memory).
    pub uploads: zhichan_service::uploads::UploadLimits,
    /// Who runs the site, as every page's footer names it (主办单位, 联系电话, filing numbers).
    pub site: web::SiteInfo,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            body_limit: 20 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            trust_proxy: false,
            uploads: Default::default(),
            site: Default::default(),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub settings: Arc<Settings>,
    /// The OpenAPI document, serialised once.
    pub openapi: Arc<Vec<u8>>,
}

/// The OpenAPI document of the API, as served.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api::router().1
}

/// The whole application as one router, ready to serve.
pub fn app(services: Services, settings: Settings) -> Router {
    let (api_routes, document, known_parameters) = api::router();
    let openapi = Arc::new(
        document
            .to_pretty_json()
            .expect("OpenAPI document serialises")
            .into_bytes(),
    );
    web::set_site(&settings.site);
    let state = AppState {
        services: services.with_upload_limits(settings.uploads.clone()),
        settings: Arc::new(settings.clone()),
        openapi,
    };

    let pages = Router::new()
        .route("/", get(web::pages::home))
        .route("/login", get(web::pages::login).post(web::account::login))
        .route("/logout", post(web::account::logout))
        .route("/account", get(web::account::account))
        .route(
            "/account/password",
            get(web::account::password_page).post(web::account::change_password),
        )
        .route(
            "/account/totp",
            get(web::account::totp_page).post(web::account::confirm_totp),
        )
        .route("/account/totp/start", post(web::account::start_totp))
        .route("/account/sessions/end", post(web::account::end_session))
        .route("/account/tokens/revoke", post(web::account::revoke_token))
        .route(
            "/admin/users",
            get(web::admin::users_page).post(web::admin::create_user),
        )
        .route(
            "/admin/users/{id}",
            get(web::admin::user_page).post(web::admin::user_action),
        )
        .route("/admin/users/{id}/grant", post(web::admin::grant_user))
        .route(
            "/admin/users/{id}/contact",
            post(web::admin::change_contact),
        )
        .route(
            "/password/setup",
            get(web::setup::setup_page).post(web::setup::set_password),
        )
        .route("/admin/outbox", get(web::outbox::outbox_page))
        .route(
            "/admin/outbox/{outbox}/{id}/retry",
            post(web::outbox::retry),
        )
        .route(
            "/admin/security",
            get(web::admin::security_page).post(web::admin::update_security),
        )
        .route("/audit", get(web::audit::audit_page))
        .route("/audit/export", get(api::audit::export))
        .route(
            "/signup",
            get(web::verification::signup_page).post(web::verification::sign_up),
        )
        .route(
            "/verification",
            get(web::verification::mine).post(web::verification::resubmit),
        )
        .route(
            "/verification/document",
            get(web::verification::my_document),
        )
        .route("/reviews/verifications", get(web::verification::queue))
        .route("/products", get(web::products::list))
        .route(
            "/products/new",
            get(web::products::new_form).post(web::products::create),
        )
        .route(
            "/products/{id}",
            get(web::products::view).post(web::products::step),
        )
        .route(
            "/products/{id}/edit",
            get(web::products::edit_form).post(web::products::update),
        )
        .route("/products/bulk-review", post(web::products::bulk_review))
        .route(
            "/products/import",
            get(web::products::import_form).post(web::products::import),
        )
        .route(
            "/products/import-template.xlsx",
            get(api::products::import_template),
        )
        .route("/products/{id}/diff", get(web::cycle::diff))
        .route("/products/{id}/certificate", get(web::cycle::certificate))
        .route(
            "/products/{id}/identification-certificate",
            get(web::batches::certificate),
        )
        .route("/reviews/updates", get(web::cycle::update_queue))
        .route("/verify", get(web::cycle::verify))
        .route("/notifications", get(web::cycle::notifications))
        .route(
            "/notifications/{id}/open",
            post(web::cycle::open_notification),
        )
        .route("/stats", get(web::stats::page))
        .route("/evaluation", get(web::evaluation::page))
        .route("/ports", get(web::ports::show).post(web::ports::act))
        .route("/reports/monthly", get(web::reports::monthly))
        .route(
            "/directories",
            get(web::directories::list).post(web::directories::upload),
        )
        .route("/directories/{id}", get(web::directories::coverage))
        .route("/entitlements", get(web::entitlements::show))
        .route("/entitlements/confirm", post(web::entitlements::confirm))
        .route("/payouts", get(web::payouts::list))
        .route(
            "/payouts/budgets",
            get(web::payouts::budgets).post(web::payouts::set_budget),
        )
        .route("/payouts/notify", post(web::payouts::notify))
        .route("/award-rules/{id}", get(web::award_rules::view))
        .route("/award-rules/{id}/publish", post(web::award_rules::publish))
        .route(
            "/payouts/{id}",
            get(web::payouts::detail).post(web::payouts::pay),
        )
        .route("/rules", get(web::cycle::rules))
        .route(
            "/identification/batches",
            get(web::batches::list).post(web::batches::create),
        )
        .route("/identification/batches/{id}", get(web::batches::view))
        .route(
            "/identification/batches/{id}/stage",
            post(web::batches::stage),
        )
        .route(
            "/identification/batches/{id}/compute",
            post(web::batches::compute),
        )
        .route(
            "/identification/batches/{id}/close",
            post(web::batches::close),
        )
        .route(
            "/identification/batches/{id}/opt-in",
            post(web::batches::opt_in),
        )
        .route(
            "/identification/batches/{id}/opt-in-all",
            post(web::batches::opt_in_all),
        )
        .route(
            "/identification/batches/{id}/check",
            post(web::batches::check),
        )
        .route(
            "/identification/batches/{id}/export.xlsx",
            get(web::batches::export),
        )
        .route("/notices", get(web::notices::list))
        .route("/notices/{id}", get(web::notices::view))
        .route(
            "/notices/{id}/objections",
            get(web::notices::objections).post(web::notices::object),
        )
        .route(
            "/notices/objections/{id}/answer",
            post(web::notices::answer),
        )
        .route("/notices/{id}/announce", post(web::notices::announce))
        .route("/notices/{id}/announced", get(web::notices::announced))
        .route("/policies", get(web::policies::list))
        .route(
            "/policies/import",
            get(web::policies::import_form).post(web::policies::import_preview),
        )
        .route("/policies/new", post(web::policies::create))
        .route("/policies/{id}", get(web::policies::view))
        .route(
            "/policies/{id}/edit",
            get(web::policies::edit_form).post(web::policies::edit),
        )
        .route("/identification/methods", get(web::identification::list))
        .route(
            "/identification/methods/new",
            get(web::identification::new_form).post(web::identification::create),
        )
        .route(
            "/identification/methods/{id}",
            get(web::identification::view),
        )
        .route(
            "/identification/methods/{id}/edit",
            get(web::identification::edit_form).post(web::identification::save),
        )
        .route(
            "/identification/methods/{id}/publish",
            post(web::identification::publish),
        )
        .route("/expert/assignments", get(web::panels::queue))
        .route(
            "/expert/assignments/{id}",
            get(web::panels::score_form).post(web::panels::score_submit),
        )
        .route("/panels/{id}", get(web::panels::panel))
        .route("/panels/{id}/assignments", post(web::panels::assign))
        .route("/admin/users/{id}/expert", post(web::admin::set_expert))
        .route(
            "/rules/registration",
            post(web::cycle::save_registration_rules),
        )
        .route("/rules/calendar", post(web::cycle::save_calendar))
        .route("/enterprises", get(web::enterprises::list))
        .route(
            "/enterprises/new",
            get(web::enterprises::new_form).post(web::enterprises::create),
        )
        .route("/enterprises/{credit_code}", get(web::enterprises::view))
        .route(
            "/enterprises/{credit_code}/edit",
            get(web::enterprises::edit_form).post(web::enterprises::update),
        )
        .route(
            "/enterprises/{credit_code}/amendment/review",
            post(web::enterprise_changes::review),
        )
        .route(
            "/enterprises/{credit_code}/amendment/discard",
            post(web::enterprise_changes::discard),
        )
        .route(
            "/enterprises/{credit_code}/accounts",
            post(web::enterprise_changes::add_account),
        )
        .route(
            "/reviews/enterprise-changes",
            get(web::enterprise_changes::queue),
        )
        .route("/declarations", get(web::declarations::own))
        .route(
            "/enterprises/{credit_code}/declarations",
            get(web::declarations::mine).post(web::declarations::declare),
        )
        .route("/reviews/facts", get(web::declarations::queue))
        .route("/declarations/{id}/review", post(web::declarations::review))
        .route(
            "/enterprises/{credit_code}/qualifications/review",
            post(web::declarations::review_qualifications),
        )
        .route(
            "/enterprises/{credit_code}/qualifications/resubmit",
            post(web::enterprises::resubmit_qualification),
        )
        .route(
            "/account/setup",
            get(web::enterprise_changes::setup_page).post(web::enterprise_changes::setup),
        )
        .route(
            "/reviews/verifications/{id}",
            get(web::verification::detail).post(web::verification::decide),
        )
        .route(
            "/reviews/verifications/{id}/document",
            get(web::verification::document),
        )
        .route("/lang", get(locale::switch))
        .route("/account/locale", post(web::account::set_locale))
        .route("/about", get(web::pages::about))
        .route("/docs/api", get(web::pages::api_docs))
        .route("/assets/{*path}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon));

    let router = Router::new()
        .merge(api_routes)
        .merge(pages)
        // Inside the guard, before any handler reads a body: sign-ups and uploads per address.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::per_address,
        ))
        // Inside the guard: a caller without access learns nothing of the parameters.
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::new(known_parameters),
            api::contract::refuse_unknown_parameters,
        ))
        // Likewise for the signed-in pages (400, a page naming the accepted ones).
        .route_layer(axum::middleware::from_fn(
            web::query::refuse_unknown_page_parameters,
        ))
        // Only routes that matched: the fallback (404) needs no authorisation.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard,
        ))
        // Around the guard: a read's authentication and handler share one connection.
        .route_layer(axum::middleware::from_fn(layers::shared_connection))
        // Around both: whatever the request runs knows its origin (a refusal deep in a use
        // case is audited with the address).
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::origin,
        ))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(state);
    with_layers(router, &settings)
}

/// Wraps routes in the layers every request goes through.
pub fn with_layers(router: Router, settings: &Settings) -> Router {
    let mut router = router
        // Innermost first: each layer wraps everything above it.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(settings.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            settings.request_timeout,
        ))
        .layer(CatchPanicLayer::custom(layers::panic_response))
        .layer(axum::middleware::from_fn_with_state(
            settings.body_limit,
            layers::error_shapes,
        ))
        // Around the error layer: error pages and problems speak the request's language.
        .layer(axum::middleware::from_fn(locale::layer));
    for (name, value) in layers::security_headers() {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(layers::REQUEST_ID.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get(&layers::REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        request_id = %id,
                        method = %req.method(),
                        path = %req.uri().path(),
                    )
                })
                .on_request(())
                .on_response(
                    DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(LatencyUnit::Millis),
                ),
        )
        .layer(SetRequestIdLayer::new(
            layers::REQUEST_ID.clone(),
            MakeRequestUuid,
        ))
        // Outermost: a client's unacceptable id is gone before one is set, logged or echoed.
        .layer(tower::util::MapRequestLayer::new(
            layers::screen_request_id::<axum::body::Body>,
        ))
}

/// Serves the application on `listener` until `shutdown` completes, then lets requests in
/// flight finish. The seam tests drive: bind port 0, pass the listener, stop with a channel.
pub async fn launch_with_listener(
    services: Services,
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Entitlement notification rounds the last run stopped during go on where they were.
    match services.resume_rounds().await {
        Ok(resumed) if !resumed.is_empty() => {
            tracing::info!(rounds = ?resumed, "entitlement notification rounds resumed")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "entitlement notification rounds not resumed"),
    }
    let router = app(services, settings);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes on Ctrl-C or SIGTERM.
///
/// The handlers are installed when this is called, not when the future is first polled: the
/// server announces its address only after, so a SIGTERM sent as soon as the address is known
/// stops it cleanly instead of killing it (axum polls the shutdown future in a task of its own,
/// which may run later than the first request is answered).
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let handlers = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let (mut interrupt, mut terminate) = handlers;
            async fn next(s: Option<&mut tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                _ = next(interrupt.as_mut()) => {},
                _ = next(terminate.as_mut()) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}

#[cfg(test)]
mod layer_tests {
    //! The layers and the JSON extractor, on routes made for the test: what a client sees when a
    //! handler is slow, panics, or gets a body it cannot read.

    use super::*;
    use crate::error::ApiJson;
    use axum::body::Body;
    use axum::routing::post;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Thing {
        name: String,
        count: u32,
    }

    async fn explode() -> &'static str {
        panic!("boom")
    }

    fn test_app() -> Router {
        let routes = Router::new()
            .route(
                "/api/v1/things",
                post(|ApiJson(t): ApiJson<Thing>| async move { t.name }),
            )
            .route(
                "/api/v1/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            )
            .route("/api/v1/boom", get(explode))
            .route("/boom", get(explode))
            .fallback(|| async { StatusCode::NOT_FOUND });
        with_layers(
            routes,
            &Settings {
                body_limit: 1024,
                request_timeout: Duration::from_millis(100),
                ..Settings::default()
            },
        )
    }

    async fn send(req: axum::http::Request<Body>) -> (StatusCode, String, serde_json::Value) {
        let res = test_app().oneshot(req).await.unwrap();
        let status = res.status();
        let ct = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, ct, json)
    }

    fn post_json(body: &str) -> axum::http::Request<Body> {
        axum::http::Request::post("/api/v1/things")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    }

    #[tokio::test]
    async fn malformed_json_is_a_400_problem() {
        let (status, ct, body) = send(post_json("{\"name\": ")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(ct, "application/problem+json");
        assert_eq!(body["status"], 400);
        assert!(body["detail"].as_str().unwrap().contains("JSON"));
    }

    #[tokio::test]
    async fn a_missing_or_mistyped_field_is_named() {
        let (status, _, body) = send(post_json("{\"name\": \"x\"}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "count");
        assert_eq!(body["errors"][0]["code"], "required");

        let (status, _, body) = send(post_json("{\"name\": \"x\", \"count\": \"many\"}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "count");
        assert_eq!(body["errors"][0]["code"], "invalid");
    }

    #[tokio::test]
    async fn a_body_that_is_not_json_is_refused_by_type() {
        let req = axum::http::Request::post("/api/v1/things")
            .header("content-type", "text/plain")
            .body(Body::from("hello"))
            .unwrap();
        let (status, ct, _) = send(req).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(ct, "application/problem+json");
    }

    #[tokio::test]
    async fn an_oversize_body_is_a_413_problem_whether_declared_or_streamed() {
        let big = format!("{{\"name\": \"{}\", \"count\": 1}}", "x".repeat(4096));
        let (status, ct, body) = send(post_json(&big)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(ct, "application/problem+json");
        assert_eq!(body["status"], 413);
        assert_eq!(
            body["detail"], "请求内容超过了 1 KB 的上限（含上传的文件），请缩小或拆分后再试",
            "the limit is named"
        );

        // No Content-Length: the limit bites while the body is read.
        let stream = chunked(big);
        let req = axum::http::Request::post("/api/v1/things")
            .header("content-type", "application/json")
            .body(stream)
            .unwrap();
        let (status, ct, _) = send(req).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(ct, "application/problem+json");
    }

    fn chunked(text: String) -> Body {
        let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> = text
            .into_bytes()
            .chunks(100)
            .map(|c| Ok(axum::body::Bytes::copy_from_slice(c)))
            .collect();
        Body::from_stream(futures_util::stream::iter(chunks))
    }

    #[tokio::test]
    async fn a_slow_request_times_out_as_a_408_problem() {
        let req = axum::http::Request::get("/api/v1/slow")
            .body(Body::empty())
            .unwrap();
        let (status, ct, _) = send(req).await;
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(ct, "application/problem+json");
    }

    #[tokio::test]
    async fn a_panic_is_a_500_without_the_panic_text() {
        let req = axum::http::Request::get("/api/v1/boom")
            .body(Body::empty())
            .unwrap();
        let (status, ct, body) = send(req).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(ct, "application/problem+json");
        assert!(!body.to_string().contains("boom"));

        let req = axum::http::Request::get("/boom")
            .body(Body::empty())
            .unwrap();
        let (status, ct, _) = send(req).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(ct.starts_with("text/html"), "{ct}");
    }
}
