//! Server-rendered pages, simplified Chinese first. Every page shares one layout (base.html)
//! whose navigation grows with the caller's role.

pub mod account;
pub mod admin;
pub mod audit;
pub mod cycle;
pub mod directories;
pub mod enterprise_changes;
pub mod enterprises;
pub mod evaluation;
pub mod pages;
pub mod ports;
pub mod products;
pub mod reports;
pub mod setup;
pub mod stats;
pub mod verification;

use crate::assets;
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use zhichan_domain::access::{grant, Action};
use zhichan_service::accounts::{Authenticated, Via};

/// One entry of the main navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The signed-in user as the layout shows it.
pub struct UserBox {
    pub username: String,
    pub role: String,
    /// For the logout form.
    pub csrf: String,
}

/// What the layout needs on every page.
pub struct Chrome {
    pub title: String,
    pub nav: Vec<NavItem>,
    pub version: &'static str,
    pub user: Option<UserBox>,
    /// The language of the page (see `crate::locale`).
    pub locale: crate::locale::Locale,
    /// The path and query of the page, for the language switcher's way back.
    pub here: String,
}

/// The navigation entries of each role: the one place the menu grows as pages land.
fn entries_for(auth: Option<&Authenticated>) -> Vec<(&'static str, &'static str)> {
    let Some(auth) = auth else {
        return vec![
            ("/", "首页"),
            ("/login", "登录"),
            ("/signup", "企业注册"),
            ("/verify", "备案查验"),
            ("/about", "关于"),
        ];
    };
    let mut e = vec![("/", "首页")];
    if !auth.actor.verified && grant(auth.actor.role, Action::SubmitVerification).is_some() {
        e.push(("/verification", "实名认证"));
    }
    if auth.restriction.is_none() && auth.actor.verified {
        let role = auth.actor.role;
        for (action, href, label) in [
            (
                Action::ReviewVerification,
                "/reviews/verifications",
                "实名认证审核",
            ),
            (Action::ReadEnterprise, "/enterprises", "企业信息"),
            (Action::ReadEnterprise, "/products", "产品备案"),
            (
                Action::ReviewRegistrations,
                "/reviews/updates",
                "信息更新审核",
            ),
            (
                Action::ReviewRegistrations,
                "/reviews/enterprise-changes",
                "企业变更审核",
            ),
            (Action::OwnNotifications, "/notifications", "通知"),
            (Action::ReadStats, "/stats", "统计"),
            (Action::ManageDirectories, "/directories", "重点名录"),
            (Action::ReadStats, "/reports/monthly", "月度通报"),
            (Action::ReadStats, "/evaluation", "年度评价"),
            (Action::ManagePorts, "/ports", "管理端口"),
            (Action::ManageRules, "/rules", "业务规则"),
            (Action::ReadUsers, "/admin/users", "用户管理"),
            (Action::ReadSecurityPolicy, "/admin/security", "安全策略"),
            (Action::ReadAudit, "/audit", "审计日志"),
        ] {
            if grant(role, action).is_some() {
                e.push((href, label));
            }
        }
    }
    e.push(("/account", "我的账号"));
    e.push(("/about", "关于"));
    e
}

impl Chrome {
    /// The layout for an anonymous visitor of the page at `path`.
    pub fn new(title: impl Into<String>, path: &str) -> Self {
        Self::for_user(title, path, None)
    }

    /// The layout for the page at `path`, with the navigation of the caller's role.
    pub fn for_user(title: impl Into<String>, path: &str, auth: Option<&Authenticated>) -> Self {
        let locale = crate::locale::current();
        let tr = |s: &str| zhichan_i18n::translate(locale, s).into_owned();
        Chrome {
            title: tr(&title.into()),
            nav: entries_for(auth)
                .into_iter()
                .map(|(href, label)| NavItem {
                    href,
                    label: tr(label),
                    current: href == path,
                })
                .collect(),
            version: env!("CARGO_PKG_VERSION"),
            locale,
            here: crate::locale::here(),
            user: auth.map(|a| UserBox {
                username: a.user.username.clone(),
                role: tr(a.actor.role.label_zh()),
                csrf: match &a.via {
                    Via::Session { csrf, .. } => csrf.clone(),
                    Via::Token { .. } => String::new(),
                },
            }),
        }
    }

    pub fn asset(&self, path: &str) -> String {
        assets::url(path)
    }

    /// `text` (simplified Chinese, a key of the catalogue) in the page's language.
    pub fn t<S: AsRef<str> + ?Sized>(&self, text: &S) -> String {
        zhichan_i18n::translate(self.locale, text.as_ref()).into_owned()
    }

    /// The `<html lang>` of the page.
    pub fn lang(&self) -> &'static str {
        self.locale.html_lang()
    }

    /// The languages the switcher offers.
    pub fn locales(&self) -> [crate::locale::Locale; 3] {
        crate::locale::Locale::ALL
    }

    /// The switcher's link to this page in `to`.
    pub fn switch_href(&self, to: &str) -> String {
        let next: String = form_urlencoded::byte_serialize(self.here.as_bytes()).collect();
        format!("/lang?to={to}&next={next}")
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
