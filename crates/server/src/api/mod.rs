//! The JSON API under `/api/v1`, one module per resource. Every route is declared with its
//! OpenAPI annotation, and the served document is generated from them.

pub mod audit;
pub mod awards;
pub mod batches;
pub mod contract;
pub mod declarations;
pub mod directories;
pub mod enterprises;
pub mod evaluation;
pub mod health;
pub mod identification;
pub mod industries;
pub mod notices;
pub mod notifications;
pub mod paging;
pub mod panels;
pub mod patents;
pub mod payouts;
pub mod policies;
pub mod ports;
pub mod products;
pub mod regions;
pub mod reports;
pub mod rounds;
pub mod rules;
pub mod security;
pub mod session;
pub mod sorting;
pub mod stats;
pub mod users;
pub mod verifications;

use crate::AppState;
use axum::Router;
use std::collections::BTreeMap;

/// What RFC 5987 leaves unescaped in `filename*` (its attr-char): letters, digits and
/// `!#$&+-.^_`|~`. Spaces are `%20`, never `+`.
const ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// A file name as `filename*=UTF-8''…` carries it (RFC 5987).
pub fn rfc5987(name: &str) -> String {
    percent_encoding::utf8_percent_encode(name, ATTR_CHAR).to_string()
}

/// The plain `filename="…"` for clients that ignore `filename*`: ASCII letters, digits, `.` and
/// `-`, the rest `_`, at most 100 characters with the extension kept (`….pdf`).
pub fn ascii_file_name(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    zhichan_domain::validation::shorten_file_name(&ascii, 100)
}
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::{RefOr, Schema};
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
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
        (name = "reference", description = "参考数据：行政区划（GB/T 2260）与国民经济行业分类（GB/T 4754-2017）"),
        (name = "accounts", description = "登录、会话与本人账号"),
        (name = "administration", description = "用户管理（系统管理员）与安全策略（安全管理员）"),
        (name = "audit", description = "审计日志（安全审计员）"),
        (name = "registration", description = "专利产品备案：企业信息、专利、产品"),
        (name = "statistics", description = "统计：本辖区汇总与按地区、领域、资质、月份的分组（来自实时汇总表）"),
        (name = "rules", description = "业务规则：工作日历、审核时限、信息更新时间、退回理由模板（版本化数据）"),
        (name = "identification", description = "专利密集型产品认定：评价方法（版本化数据）、认定批次、申报、形式审查与计算结果"),
        (name = "panels", description = "专家评审组：指派专家（回避本单位）、按评分表打分、按规则汇总"),
        (name = "notices", description = "公示与异议：公示期按工作日历计算，实名认证用户在公示期内提出异议，发布机关答复后公告"),
        (name = "policies", description = "政策库：公开检索与阅读；本辖区管理员维护与导入"),
        (name = "awards", description = "奖补规则（版本化数据，引用政策条款，算例通过方可发布，发布前可试算）与企业免申即享")
    ),
    modifiers(&Security),
    components(schemas(
        zhichan_api::Problem,
        zhichan_api::FieldError,
        zhichan_api::identification::OutcomeFilter
    ))
)]
struct ApiDoc;

/// Declares the two ways to authenticate, and makes them the default for every operation
/// (public ones opt out with `security(())`).
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "zhichan",
                "浏览器会话（经 TLS 代理时名为 __Host-zhichan）；修改类请求还须带 X-CSRF-Token",
            ))),
        );
        doc.security = Some(vec![
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::new("session", Vec::<String>::new()),
        ]);
    }
}

/// The API routes, the OpenAPI document that describes them, and the query parameters each
/// operation documents.
pub fn router() -> (Router<AppState>, Document, contract::KnownParameters) {
    let (router, mut document) = routes();
    let known = contract::complete(&mut document);
    (router, document, known)
}

fn routes() -> (Router<AppState>, Document) {
    let (router, document, _) = table();
    (router, document)
}

/// Two different types published under one component name: each name with the routes that
/// bring its two schemas. Empty, or the document describes one of them wrongly.
pub fn component_clashes() -> Vec<String> {
    table().2
}

/// A route table that remembers the schemas each route brings: utoipa keeps the last schema of
/// a name and drops the other silently, so a clash is only seen here.
struct Table {
    router: OpenApiRouter<AppState>,
    seen: BTreeMap<String, (RefOr<Schema>, String)>,
    clashes: Vec<String>,
}

impl Table {
    fn new(doc: Document) -> Table {
        let mut seen = BTreeMap::new();
        for (name, schema) in doc.components.iter().flat_map(|c| &c.schemas) {
            seen.insert(name.clone(), (schema.clone(), "ApiDoc".to_string()));
        }
        Table {
            router: OpenApiRouter::with_openapi(doc),
            seen,
            clashes: Vec::new(),
        }
    }

    fn routes(mut self, route: UtoipaMethodRouter<AppState>) -> Table {
        let at: Vec<&String> = route.1.paths.keys().collect();
        let at = format!("{at:?}");
        for (name, schema) in &route.0 {
            match self.seen.get(name) {
                Some((first, first_at)) if first != schema => self.clashes.push(format!(
                    "{name}: {first_at} and {at} bring different schemas"
                )),
                Some(_) => {}
                None => {
                    self.seen.insert(name.clone(), (schema.clone(), at.clone()));
                }
            }
        }
        self.router = self.router.routes(route);
        self
    }

    fn split_for_parts(self) -> (Router<AppState>, Document, Vec<String>) {
        let (router, document) = self.router.split_for_parts();
        (router, document, self.clashes)
    }
}

fn table() -> (Router<AppState>, Document, Vec<String>) {
    Table::new(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(health::openapi))
        .routes(routes!(regions::list))
        .routes(routes!(regions::get))
        .routes(routes!(industries::list))
        .routes(routes!(industries::get))
        .routes(routes!(session::login, session::logout))
        .routes(routes!(session::me))
        .routes(routes!(session::change_password))
        .routes(routes!(session::start_totp))
        .routes(routes!(session::confirm_totp))
        .routes(routes!(session::sessions))
        .routes(routes!(session::end_session))
        .routes(routes!(session::tokens))
        .routes(routes!(session::revoke_token))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get))
        .routes(routes!(users::set_status))
        .routes(routes!(users::set_contact))
        .routes(routes!(users::unlock))
        .routes(routes!(users::reset_password))
        .routes(routes!(users::grant))
        .routes(routes!(users::password_setup))
        .routes(routes!(users::set_expert))
        .routes(routes!(security::get, security::update))
        .routes(routes!(audit::search))
        .routes(routes!(audit::export))
        .routes(routes!(audit::verification))
        .routes(routes!(verifications::sign_up))
        .routes(routes!(verifications::mine, verifications::resubmit))
        .routes(routes!(verifications::my_document))
        .routes(routes!(verifications::queue))
        .routes(routes!(verifications::get))
        .routes(routes!(verifications::document))
        .routes(routes!(verifications::review))
        .routes(routes!(enterprises::create, enterprises::list))
        .routes(routes!(enterprises::get, enterprises::update))
        .routes(routes!(enterprises::history))
        .routes(routes!(enterprises::review_amendment))
        .routes(routes!(enterprises::discard_amendment))
        .routes(routes!(enterprises::amendment_queue))
        .routes(routes!(enterprises::accounts, enterprises::add_account))
        .routes(routes!(enterprises::account_setup))
        .routes(routes!(patents::list, patents::add))
        .routes(routes!(patents::update))
        .routes(routes!(products::create, products::list))
        .routes(routes!(products::get, products::update))
        .routes(routes!(products::submit))
        .routes(routes!(products::review))
        .routes(routes!(products::withdraw))
        .routes(routes!(products::revoke))
        .routes(routes!(products::discard_amendment))
        .routes(routes!(products::history))
        .routes(routes!(products::review_many))
        .routes(routes!(products::import_template))
        .routes(routes!(products::import))
        .routes(routes!(products::file_update, products::updates))
        .routes(routes!(products::update_queue))
        .routes(routes!(products::review_update))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(rules::calendar, rules::update_calendar))
        .routes(routes!(rules::registration, rules::update_registration))
        .routes(routes!(rules::history))
        .routes(routes!(stats::summary))
        .routes(routes!(stats::breakdown))
        .routes(routes!(stats::identified))
        .routes(routes!(directories::create, directories::list))
        .routes(routes!(directories::coverage))
        .routes(routes!(reports::monthly))
        .routes(routes!(evaluation::evaluation))
        .routes(routes!(evaluation::weights, evaluation::update_weights))
        .routes(routes!(ports::list, ports::apply))
        .routes(routes!(ports::decide))
        .routes(routes!(ports::open))
        .routes(routes!(ports::close))
        .routes(routes!(identification::list, identification::create))
        .routes(routes!(identification::get, identification::edit))
        .routes(routes!(identification::publish))
        .routes(routes!(batches::list, batches::create))
        .routes(routes!(batches::get))
        .routes(routes!(batches::candidates))
        .routes(routes!(batches::check))
        .routes(routes!(batches::compute))
        .routes(routes!(batches::close))
        .routes(routes!(batches::benchmarks))
        .routes(routes!(batches::results))
        .routes(routes!(batches::what_if))
        .routes(routes!(batches::opt_in, batches::of_product))
        .routes(routes!(batches::opt_in_many))
        .routes(routes!(rounds::evaluate))
        .routes(routes!(rounds::proposals, rounds::review))
        .routes(routes!(rounds::publish))
        .routes(routes!(rounds::object))
        .routes(routes!(rounds::answer))
        .routes(routes!(rounds::announce))
        .routes(routes!(rounds::identified))
        .routes(routes!(panels::get))
        .routes(routes!(panels::assign))
        .routes(routes!(panels::mine))
        .routes(routes!(panels::get_mine))
        .routes(routes!(panels::score))
        .routes(routes!(notices::list))
        .routes(routes!(notices::get))
        .routes(routes!(notices::announced))
        .routes(routes!(notices::object, notices::objections))
        .routes(routes!(notices::answer))
        .routes(routes!(notices::announce))
        .routes(routes!(policies::list, policies::create))
        .routes(routes!(awards::list, awards::create))
        .routes(routes!(awards::dry_run))
        .routes(routes!(awards::get, awards::edit))
        .routes(routes!(awards::publish))
        .routes(routes!(awards::entitlements))
        .routes(routes!(payouts::budgets, payouts::set_budget))
        .routes(routes!(payouts::notify))
        .routes(routes!(payouts::rounds))
        .routes(routes!(payouts::round))
        .routes(routes!(payouts::applications, payouts::confirm))
        .routes(routes!(payouts::list))
        .routes(routes!(payouts::get))
        .routes(routes!(payouts::pay))
        .routes(routes!(declarations::list, declarations::create))
        .routes(routes!(declarations::queue))
        .routes(routes!(declarations::get))
        .routes(routes!(declarations::evidence))
        .routes(routes!(declarations::review))
        .routes(routes!(declarations::review_qualifications))
        .routes(routes!(declarations::resubmit_qualification))
        .routes(routes!(declarations::qualifications))
        .routes(routes!(policies::import))
        .routes(routes!(policies::get, policies::edit))
        .routes(routes!(policies::attach))
        .routes(routes!(policies::attachment))
        .split_for_parts()
}

#[cfg(test)]
mod tests {
    use super::*;

    mod one {
        /// A shape.
        #[derive(utoipa::ToSchema, serde::Serialize)]
        pub struct Shape {
            pub sides: u32,
        }
    }

    mod other {
        /// Another shape of the same name.
        #[derive(utoipa::ToSchema, serde::Serialize)]
        pub struct Shape {
            pub colour: String,
        }
    }

    #[utoipa::path(get, path = "/one", responses((status = 200, body = one::Shape)))]
    async fn first() -> axum::Json<one::Shape> {
        axum::Json(one::Shape { sides: 3 })
    }

    #[utoipa::path(get, path = "/other", responses((status = 200, body = other::Shape)))]
    async fn second() -> axum::Json<other::Shape> {
        axum::Json(other::Shape {
            colour: "red".into(),
        })
    }

    #[utoipa::path(get, path = "/again", responses((status = 200, body = one::Shape)))]
    async fn again() -> axum::Json<one::Shape> {
        axum::Json(one::Shape { sides: 4 })
    }

    #[test]
    fn two_types_under_one_component_name_are_caught() {
        // The same type brought by two routes is no clash; two types of one name are.
        let (_, _, clashes) = Table::new(ApiDoc::openapi())
            .routes(routes!(first))
            .routes(routes!(again))
            .split_for_parts();
        assert!(clashes.is_empty(), "{clashes:?}");
        let (_, _, clashes) = Table::new(ApiDoc::openapi())
            .routes(routes!(first))
            .routes(routes!(second))
            .split_for_parts();
        assert_eq!(clashes.len(), 1, "{clashes:?}");
        assert!(clashes[0].starts_with("Shape: "), "{clashes:?}");
    }

    #[test]
    fn no_two_types_of_the_api_share_a_component_name() {
        let clashes = component_clashes();
        assert!(clashes.is_empty(), "{clashes:#?}");
    }
}
