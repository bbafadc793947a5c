//! Server-rendered pages, simplified Chinese first. Every page shares one layout (base.html)
//! whose navigation grows with the caller's role.

pub mod account;
pub mod admin;
pub mod audit;
pub mod award_rules;
pub mod batches;
pub mod cycle;
pub mod declarations;
pub mod directories;
pub mod enterprise_changes;
pub mod enterprises;
pub mod entitlements;
pub mod evaluation;
pub mod forms;
pub mod identification;
pub mod listing;
pub mod names;
pub mod notices;
pub mod outbox;
pub mod pages;
pub mod panels;
pub mod payouts;
pub mod pickers;
pub mod policies;
pub mod ports;
pub mod products;
pub mod query;
pub mod reports;
pub mod setup;
pub mod stats;
pub mod verification;
pub mod workbench;

use crate::assets;
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use zhichan_domain::access::{grant, Action};
use zhichan_service::accounts::{Authenticated, Via};

/// One entry of the main navigation: a link, or a group of links (a disclosure that opens
/// without JavaScript) when `children` is not empty.
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    /// This page, or (a group) one of its links is.
    pub current: bool,
    pub children: Vec<NavItem>,
}

/// The group a menu entry sits in, so that every role's menu fits one row at 1,366 px in the
/// longest language (English): related pages under one disclosure. A group a role reaches
/// through one page only is shown as that page's link.
fn group_of(href: &str) -> Option<&'static str> {
    Some(match href {
        "/reviews/verifications"
        | "/reviews/updates"
        | "/reviews/enterprise-changes"
        | "/reviews/facts" => "审核工作",
        "/declarations" | "/entitlements" | "/payouts" => "奖补事项",
        "/stats" | "/reports/monthly" | "/evaluation" | "/directories" => "统计分析",
        "/identification/methods" | "/identification/batches" => "认定评价",
        "/ports" | "/rules" | "/admin/users" | "/admin/outbox" | "/admin/security" | "/audit" => {
            "系统管理"
        }
        "/notices" | "/policies" | "/about" => "公开信息",
        _ => return None,
    })
}

/// The entries in their groups (a signed-in person's menu; a visitor's stays flat).
fn grouped(
    entries: Vec<(&'static str, &'static str)>,
    path: &str,
    tr: &dyn Fn(&str) -> String,
) -> Vec<NavItem> {
    let link = |href: &'static str, label: &str| NavItem {
        href,
        label: tr(label),
        current: href == path,
        children: Vec::new(),
    };
    let mut out: Vec<(Option<&'static str>, NavItem)> = Vec::new();
    for (href, label) in entries {
        match group_of(href) {
            None => out.push((None, link(href, label))),
            Some(g) => match out.iter_mut().find(|(k, _)| *k == Some(g)) {
                Some((_, item)) => item.children.push(link(href, label)),
                None => out.push((
                    Some(g),
                    NavItem {
                        href: "",
                        label: tr(g),
                        current: false,
                        children: vec![link(href, label)],
                    },
                )),
            },
        }
    }
    out.into_iter()
        .map(|(_, mut item)| {
            if item.children.len() == 1 {
                item.children.pop().unwrap_or(item)
            } else {
                item.current = item.children.iter().any(|c| c.current);
                item
            }
        })
        .collect()
}

/// The signed-in user as the layout shows it.
pub struct UserBox {
    pub username: String,
    pub role: String,
    /// For the logout form.
    pub csrf: String,
}

/// Who runs the site, as the footer of every page says: the sponsoring unit (主办单位), its
/// telephone, the ICP filing number (ICP备案号) and the public security filing number
/// (公安备案号). Each is shown when set (`zhichan serve --site-…` or `ZHICHAN_SITE_…`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteInfo {
    pub sponsor: String,
    pub phone: String,
    pub icp: String,
    pub psb: String,
}

impl SiteInfo {
    pub fn is_empty(&self) -> bool {
        self.sponsor.is_empty()
            && self.phone.is_empty()
            && self.icp.is_empty()
            && self.psb.is_empty()
    }
}

static SITE: std::sync::RwLock<Option<std::sync::Arc<SiteInfo>>> = std::sync::RwLock::new(None);

/// Sets the footer's site information for the process (a server configured without any keeps
/// what an earlier one in the same process set: one process serves one site).
pub fn set_site(site: &SiteInfo) {
    if site.is_empty() {
        return;
    }
    if let Ok(mut s) = SITE.write() {
        *s = Some(std::sync::Arc::new(site.clone()));
    }
}

fn site() -> std::sync::Arc<SiteInfo> {
    SITE.read().ok().and_then(|s| s.clone()).unwrap_or_default()
}

/// What the layout needs on every page.
pub struct Chrome {
    pub title: String,
    pub nav: Vec<NavItem>,
    pub version: &'static str,
    pub user: Option<UserBox>,
    pub site: std::sync::Arc<SiteInfo>,
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
            ("/notices", "公示公告"),
            ("/policies", "政策库"),
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
            (Action::OwnNotifications, "/declarations", "奖补申报"),
            (
                Action::ReviewRegistrations,
                "/reviews/facts",
                "奖补事实审核",
            ),
            (Action::ReadStats, "/stats", "统计"),
            (Action::ManageDirectories, "/directories", "重点名录"),
            (Action::ApplyEntitlements, "/entitlements", "我的免申即享"),
            (Action::ReadPayouts, "/payouts", "奖补兑现"),
            (Action::ReadStats, "/reports/monthly", "月度通报"),
            (Action::ReadStats, "/evaluation", "年度评价"),
            (Action::ManagePorts, "/ports", "管理端口"),
            (Action::ManageRules, "/rules", "业务规则"),
            (
                Action::ReadIdentificationMethods,
                "/identification/methods",
                "认定评价方法",
            ),
            (
                Action::ReadIdentification,
                "/identification/batches",
                "认定批次",
            ),
            (Action::ScorePanels, "/expert/assignments", "评审任务"),
            (Action::ReadUsers, "/admin/users", "用户管理"),
            (Action::ManageUsers, "/admin/outbox", "消息投递"),
            (Action::ReadSecurityPolicy, "/admin/security", "安全策略"),
            (Action::ReadAudit, "/audit", "审计日志"),
        ] {
            if grant(role, action).is_some() {
                e.push((href, label));
            }
        }
    }
    e.push(("/notices", "公示公告"));
    e.push(("/policies", "政策库"));
    // The account page is the user box's name, beside the switcher.
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
        let entries = entries_for(auth);
        let nav = if auth.is_some() {
            grouped(entries, path, &tr)
        } else {
            entries
                .into_iter()
                .map(|(href, label)| NavItem {
                    href,
                    label: tr(label),
                    current: href == path,
                    children: Vec::new(),
                })
                .collect()
        };
        Chrome {
            title: tr(&title.into()),
            nav,
            version: env!("CARGO_PKG_VERSION"),
            site: site(),
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
        Ok(body) => (status, Html(with_empty_rows(body))).into_response(),
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

/// What an empty table body says.
const NO_DATA: &str = "暂无数据";

/// Every table whose body came out empty says so in one row spanning its header's columns: the
/// one place that holds for every list of every page (a table without a header row spans one).
pub fn with_empty_rows(body: String) -> String {
    const OPEN: &str = "<tbody>";
    const CLOSE: &str = "</tbody>";
    if !body.contains(OPEN) {
        return body;
    }
    let mut out = String::with_capacity(body.len() + 128);
    let mut rest = body.as_str();
    while let Some(at) = rest.find(OPEN) {
        let (before, after) = rest.split_at(at + OPEN.len());
        out.push_str(before);
        let Some(end) = after.find(CLOSE) else {
            rest = after;
            continue;
        };
        if after[..end].trim().is_empty() {
            // The columns of the nearest header row above, if it is this table's.
            let head = out
                .rfind("<thead")
                .filter(|h| out.rfind("<table").is_some_and(|t| t < *h));
            let cols = head
                .map(|h| {
                    let thead = &out[h..];
                    let row = thead.split("</tr>").next().unwrap_or(thead);
                    row.matches("<th").count() - row.matches("<thead").count()
                })
                .unwrap_or(1)
                .max(1);
            out.push_str(&format!(
                "<tr><td class=\"empty\" colspan=\"{cols}\">{}</td></tr>",
                crate::locale::t(NO_DATA)
            ));
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub message: String,
    /// What the person can do about it (a 403: whom to ask).
    pub advice: Vec<&'static str>,
}

/// The HTML page for an error status, used by the error layer for every non-API path.
/// Text written into HTML that Rust puts together (outside a template, which escapes by itself).
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
/// A form's refusals as one line for the page's notice, in the order the service gave them.
pub fn violations_text(v: Vec<zhichan_service::FieldViolation>) -> String {
    v.into_iter()
        .map(|f| f.violation.message_zh)
        .collect::<Vec<_>>()
        .join("；")
}

pub fn error_page(status: StatusCode) -> Response {
    error_page_with(status, None)
}

/// What a 403 page tells a person who lacks the permission for an action.
pub const FORBIDDEN_ADVICE: [&str; 3] = [
    "如因工作需要办理此事项，请联系本单位或本地区的系统管理员，在“用户管理”中为您的账号授予相应角色。",
    "企业用户如需办理，请由本企业的账号操作，或联系所在地的知识产权管理部门。",
    "在“我的账号”中可查看您当前的角色和所辖地区。",
];

/// The error page, with the refusal's own words when it has something specific to say (a
/// closed management port, a disabled account).
pub fn error_page_with(status: StatusCode, detail: Option<&str>) -> Response {
    let (title, message) = match status.as_u16() {
        403 => ("无权进行此操作", "您的账号没有进行此操作的权限。"),
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
    let forbidden = status == StatusCode::FORBIDDEN;
    // The generic refusal of a role says no more than the page does.
    let message = match detail {
        Some(d) if forbidden && !d.is_empty() && d != "您的角色无权进行此操作" => {
            d.to_string()
        }
        _ => message.to_string(),
    };
    render(
        status,
        &ErrorPage {
            chrome: Chrome::new(title, ""),
            status: status.as_u16(),
            message,
            advice: if forbidden {
                FORBIDDEN_ADVICE.to_vec()
            } else {
                Vec::new()
            },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::with_empty_rows;

    #[test]
    fn an_empty_table_body_says_there_is_no_data_across_its_columns() {
        let page = "<table><thead><tr><th>a</th><th class=\"num\">b</th></tr></thead><tbody>\n  </tbody></table>\
                    <table><tbody><tr><td>1</td></tr></tbody></table><table><tbody></tbody></table>";
        let out = with_empty_rows(page.to_string());
        assert_eq!(out.matches("暂无数据").count(), 2, "{out}");
        assert!(out.contains("<tbody><tr><td class=\"empty\" colspan=\"2\">暂无数据</td></tr>"));
        assert!(out.ends_with("<table><tbody><tr><td class=\"empty\" colspan=\"1\">暂无数据</td></tr></tbody></table>"));
        assert!(
            out.contains("<tr><td>1</td></tr>"),
            "a table with rows is left alone"
        );
    }
}
