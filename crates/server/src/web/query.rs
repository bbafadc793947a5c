//! The query parameters each signed-in page reads. A page asked with any other is answered 400
//! with a page naming the ones it accepts, as the API answers 422: a misspelt filter is not
//! silently ignored, and nothing reaches a handler that it does not expect. A test walks the
//! access table so that no signed-in page goes undeclared; one that does accepts none.

use super::{render, Chrome};
use crate::auth::{access_of, Access, Signed};
use askama::Template;
use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

const PAGING: [&str; 2] = ["page", "per_page"];

/// Every signed-in page (GET, routed path) and the query parameters it reads.
pub const PAGE_PARAMETERS: &[(&str, &[&str])] = &[
    ("/account", &["done"]),
    ("/account/password", &[]),
    ("/account/totp", &[]),
    (
        "/admin/users",
        &["page", "per_page", "sort", "q", "role", "done", "pending"],
    ),
    ("/admin/users/{id}", &["done"]),
    ("/admin/outbox", &["done"]),
    ("/admin/security", &["saved"]),
    (
        "/audit",
        &[
            "page", "per_page", "sort", "user", "action", "object", "from", "to",
        ],
    ),
    ("/audit/export", &["user", "action", "object", "from", "to"]),
    (
        "/products",
        &[
            "page",
            "per_page",
            "sort",
            "status",
            "amendment",
            "wait",
            "q",
            "field",
            "region",
        ],
    ),
    ("/products/new", &[]),
    ("/products/{id}", &[]),
    ("/products/import", &[]),
    ("/products/import-template.xlsx", &[]),
    ("/products/{id}/diff", &["from", "to"]),
    ("/products/{id}/certificate", &[]),
    ("/products/{id}/identification-certificate", &[]),
    ("/products/{id}/edit", &[]),
    ("/reviews/updates", &PAGING),
    ("/notifications", &PAGING),
    ("/stats", &["region"]),
    ("/evaluation", &["region", "year"]),
    ("/ports", &[]),
    ("/identification/batches", &[]),
    (
        "/identification/batches/{id}",
        &["field", "passed", "outcome", "compare", "done"],
    ),
    (
        "/identification/batches/{id}/export.xlsx",
        &["field", "outcome"],
    ),
    ("/reports/monthly", &["region", "month"]),
    ("/directories", &["page", "per_page", "sort"]),
    ("/directories/{id}", &[]),
    ("/entitlements", &["year", "enterprise", "confirmed"]),
    (
        "/payouts",
        &["page", "per_page", "year", "status", "q", "rule", "region"],
    ),
    ("/payouts/budgets", &["year", "done"]),
    ("/payouts/{id}", &[]),
    ("/award-rules/{id}", &[]),
    ("/rules", &[]),
    ("/notices/{id}/objections", &["done"]),
    (
        "/policies",
        &[
            "page", "q", "region", "level", "issuer", "year", "in_force", "sort",
        ],
    ),
    ("/policies/import", &[]),
    ("/policies/{id}", &[]),
    ("/policies/{id}/edit", &[]),
    ("/identification/methods", &[]),
    ("/identification/methods/new", &[]),
    ("/identification/methods/{id}", &["version", "done"]),
    ("/identification/methods/{id}/edit", &[]),
    ("/expert/assignments", &[]),
    ("/expert/assignments/{id}", &[]),
    ("/panels/{id}", &[]),
    ("/enterprises", &["page", "per_page", "sort", "q"]),
    ("/enterprises/new", &[]),
    ("/enterprises/{credit_code}", &["saved"]),
    ("/enterprises/{credit_code}/edit", &[]),
    ("/reviews/enterprise-changes", &[]),
    ("/declarations", &[]),
    ("/enterprises/{credit_code}/declarations", &["saved"]),
    ("/reviews/facts", &[]),
    ("/verification", &[]),
    ("/verification/document", &[]),
    (
        "/reviews/verifications",
        &["page", "per_page", "sort", "status"],
    ),
    ("/reviews/verifications/{id}", &[]),
    ("/reviews/verifications/{id}/document", &[]),
];

/// Parameters that say what just happened (a notice), never carried into a list's links.
const NOTICES: [&str; 2] = ["done", "saved"];

/// The filters of a list page: the parameters it declares above but paging, sorting and
/// notices. Its sortable headers and its pager keep them, so that a filtered list stays
/// filtered when sorted or paged.
pub fn filters_of(page: &str) -> Vec<&'static str> {
    let declared = PAGE_PARAMETERS
        .iter()
        .find(|(p, _)| *p == page)
        .map(|(_, names)| *names)
        .unwrap_or_else(|| panic!("{page} is not in PAGE_PARAMETERS"));
    declared
        .iter()
        .copied()
        .filter(|k| !PAGING.contains(k) && *k != "sort" && !NOTICES.contains(k))
        .collect()
}

/// The parameters a page reads: `None` when the path is no signed-in page.
pub fn accepted(method: &Method, path: &str) -> Option<&'static [&'static str]> {
    if !matches!(*method, Method::GET | Method::HEAD) || path.starts_with("/api/") {
        return None;
    }
    match access_of(method, path)? {
        Access::Public => None,
        Access::Signed(_) | Access::Setup(_) => Some(
            PAGE_PARAMETERS
                .iter()
                .find(|(p, _)| *p == path)
                .map_or(&[][..], |(_, names)| *names),
        ),
    }
}

#[derive(Template)]
#[template(path = "bad_query.html")]
struct BadQueryPage {
    chrome: Chrome,
    unknown: String,
    accepted: String,
}

/// The middleware (inside the guard: a caller without access is sent to log in first).
pub async fn refuse_unknown_page_parameters(req: Request, next: Next) -> Response {
    let (Some(query), Some(path)) = (req.uri().query(), req.extensions().get::<MatchedPath>())
    else {
        return next.run(req).await;
    };
    let Some(names) = accepted(req.method(), path.as_str()) else {
        return next.run(req).await;
    };
    let mut unknown: Vec<String> = Vec::new();
    for (name, _) in form_urlencoded::parse(query.as_bytes()) {
        if !names.contains(&name.as_ref()) && !unknown.iter().any(|u| *u == name) {
            unknown.push(name.chars().take(40).collect());
        }
    }
    if unknown.is_empty() {
        return next.run(req).await;
    }
    let signed = req.extensions().get::<Signed>();
    let page = BadQueryPage {
        chrome: Chrome::for_user("地址参数有误", "", signed.map(|s| &s.auth)),
        unknown: unknown
            .iter()
            .map(|u| format!("“{u}”"))
            .collect::<Vec<_>>()
            .join("、"),
        accepted: if names.is_empty() {
            "此页面不接受任何查询参数".into()
        } else {
            format!("此页面可用的查询参数：{}", names.join("、"))
        },
    };
    render(StatusCode::BAD_REQUEST, &page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::ENDPOINTS;

    /// Whether a routed path (`/products/{id}`) matches a link's path (`/products/{{ v.id }}`).
    fn matches(route: &str, link: &str) -> bool {
        let (r, l): (Vec<&str>, Vec<&str>) =
            (route.split('/').collect(), link.split('/').collect());
        r.len() == l.len()
            && r.iter()
                .zip(&l)
                .all(|(r, l)| r == l || (r.starts_with('{') && l.contains("{{")))
    }

    #[test]
    fn every_signed_in_page_declares_its_query_parameters() {
        let pages: Vec<&str> = ENDPOINTS
            .iter()
            .filter(|(m, p, a)| *m == "GET" && !p.starts_with("/api/") && *a != Access::Public)
            .map(|(_, p, _)| *p)
            .collect();
        for page in &pages {
            assert!(
                PAGE_PARAMETERS.iter().any(|(p, _)| p == page),
                "{page} reads which query parameters? Declare them in PAGE_PARAMETERS"
            );
        }
        // Public pages (the policy library) may declare theirs too; every entry is some page.
        for (p, _) in PAGE_PARAMETERS {
            assert!(
                ENDPOINTS
                    .iter()
                    .any(|(m, e, _)| *m == "GET" && !e.starts_with("/api/") && e == p),
                "{p} is no page"
            );
        }
    }

    /// Every link and GET form the templates write to a signed-in page uses only the parameters
    /// that page declares (a link the server writes itself must not be refused).
    #[test]
    fn the_templates_link_pages_with_declared_parameters_only() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let mut uses: Vec<(String, Vec<String>)> = Vec::new();
            for link in text.split("href=\"").skip(1) {
                let link = &link[..link.find('"').unwrap()];
                if let Some((path, query)) = link.split_once('?') {
                    let names = query
                        .replace("&amp;", "&")
                        .split('&')
                        .filter_map(|kv| kv.split_once('=').map(|(k, _)| k.to_string()))
                        .filter(|k| !k.contains('{'))
                        .collect();
                    uses.push((path.to_string(), names));
                }
            }
            for form in text.split("<form").skip(1) {
                let form = &form[..form.find("</form>").unwrap_or(form.len())];
                let head = &form[..form.find('>').unwrap()];
                if !head.contains("method=\"get\"") {
                    continue;
                }
                let action = head.split("action=\"").nth(1).unwrap();
                let names = form
                    .split("name=\"")
                    .skip(1)
                    .map(|n| n[..n.find('"').unwrap()].to_string())
                    .collect();
                uses.push((action[..action.find('"').unwrap()].to_string(), names));
            }
            for (path, names) in uses {
                let Some((route, accepted)) = PAGE_PARAMETERS
                    .iter()
                    .find(|(route, _)| matches(route, &path))
                else {
                    continue;
                };
                for name in names {
                    assert!(accepted.contains(&name.as_str()), "{route} ?{name}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 20, "only {checked} parameters seen");
    }
}
