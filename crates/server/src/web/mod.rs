//! Server-rendered pages, simplified Chinese first. Every page shares one layout (base.html)
//! whose navigation grows with the caller's role.

pub mod pages;

use crate::assets;
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// One entry of the main navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What the layout needs on every page.
pub struct Chrome {
    pub title: String,
    pub nav: Vec<NavItem>,
    pub version: &'static str,
}

impl Chrome {
    /// The layout for a page at `path`. Until accounts exist everyone is anonymous; the
    /// entries for each role are added here as their pages land.
    pub fn new(title: impl Into<String>, path: &str) -> Self {
        let entries: [(&'static str, &'static str); 3] =
            [("/", "首页"), ("/login", "登录"), ("/about", "关于")];
        Chrome {
            title: title.into(),
            nav: entries
                .into_iter()
                .map(|(href, label)| NavItem {
                    href,
                    label,
                    current: href == path,
                })
                .collect(),
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    pub fn asset(&self, path: &str) -> String {
        assets::url(path)
    }
}

/// Renders a template into an HTML response; a template that fails to render is a bug, logged
/// and answered with a plain 500.
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            let mut res = (StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误").into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            res
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub message: &'static str,
}

/// The HTML page for an error status, used by the error layer for every non-API path.
pub fn error_page(status: StatusCode) -> Response {
    let (title, message) = match status.as_u16() {
        404 => ("页面不存在", "您访问的页面不存在或已被移除，请检查地址。"),
        405 => ("不支持该操作", "此页面不支持这种请求方式。"),
        408 => ("请求超时", "服务器等待请求的时间过长，请重试。"),
        413 => ("提交的内容过大", "提交的文件或内容超过了允许的大小。"),
        s if s >= 500 => (
            "服务器内部错误",
            "服务器处理请求时出错，已记录，请稍后再试。",
        ),
        _ => ("请求未能完成", "请求未能完成，请返回重试。"),
    };
    render(
        status,
        &ErrorPage {
            chrome: Chrome::new(title, ""),
            status: status.as_u16(),
            message,
        },
    )
}
