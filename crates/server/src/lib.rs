//! zhichan's HTTP server: the JSON API under `/api/v1`, the server-rendered pages, and the
//! embedded assets, behind one stack of layers.

pub mod api;
pub mod assets;
pub mod error;
pub mod layers;
pub mod web;

use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode};
use axum::routing::get;
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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            body_limit: 20 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
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
    let (api_routes, document) = api::router();
    let openapi = Arc::new(
        document
            .to_pretty_json()
            .expect("OpenAPI document serialises")
            .into_bytes(),
    );
    let state = AppState {
        services,
        settings: Arc::new(settings.clone()),
        openapi,
    };

    let pages = Router::new()
        .route("/", get(web::pages::home))
        .route("/login", get(web::pages::login))
        .route("/about", get(web::pages::about))
        .route("/docs/api", get(web::pages::api_docs))
        .route("/assets/{*path}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon));

    let mut router = Router::new()
        .merge(api_routes)
        .merge(pages)
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(state)
        // Innermost first: each layer wraps everything above it.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(settings.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            settings.request_timeout,
        ))
        .layer(CatchPanicLayer::custom(layers::panic_response))
        .layer(axum::middleware::from_fn(layers::error_shapes));
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
}

/// Serves the application on `listener` until `shutdown` completes, then lets requests in
/// flight finish. The seam tests drive: bind port 0, pass the listener, stop with a channel.
pub async fn launch_with_listener(
    services: Services,
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app(services, settings);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
