//! The one authorisation layer. Every route is listed in [`ENDPOINTS`] with the action it
//! performs; a middleware resolves the caller (bearer token or session cookie), checks CSRF on
//! cookie-authenticated changes, and asks the access table (`zhichan_domain::access`) before
//! any handler runs. A route missing from the list is refused to everyone (deny by default),
//! and a test fails the suite when the list and the router disagree.

use crate::error::{problem, AppError};
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;
use zhichan_api::FieldError;
use zhichan_domain::access::{authorize, Action, Refusal, Scope};
use zhichan_service::accounts::{Authenticated, Restriction, Via};
use zhichan_service::audit::Who;
use zhichan_service::{Ctx, ServiceError};

/// What a route requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A signed-in caller allowed to perform the action.
    Signed(Action),
    /// Like `Signed`, and also open while the account must first change its password or
    /// enrol its second factor (the routes that let it do so).
    Setup(Action),
}

use Access::*;
use Action as A;

/// Every route of the server: method, path as routed, and what it requires.
pub const ENDPOINTS: &[(&str, &str, Access)] = &[
    // API: system and reference data
    ("GET", "/api/v1/health", Public),
    ("GET", "/api/v1/openapi.json", Public),
    ("GET", "/api/v1/regions", Public),
    ("GET", "/api/v1/regions/{code}", Public),
    ("GET", "/api/v1/industries", Public),
    ("GET", "/api/v1/industries/{code}", Public),
    // API: session and own account
    ("POST", "/api/v1/session", Public),
    ("DELETE", "/api/v1/session", Setup(A::OwnAccount)),
    ("GET", "/api/v1/me", Setup(A::OwnAccount)),
    ("POST", "/api/v1/me/password", Setup(A::OwnAccount)),
    ("POST", "/api/v1/me/totp", Setup(A::OwnAccount)),
    ("POST", "/api/v1/me/totp/confirm", Setup(A::OwnAccount)),
    ("GET", "/api/v1/me/sessions", Signed(A::OwnAccount)),
    ("POST", "/api/v1/signup", Public),
    ("POST", "/api/v1/password-setup", Public),
    (
        "GET",
        "/api/v1/me/verification",
        Signed(A::SubmitVerification),
    ),
    (
        "POST",
        "/api/v1/me/verification",
        Signed(A::SubmitVerification),
    ),
    (
        "GET",
        "/api/v1/me/verification/document",
        Signed(A::SubmitVerification),
    ),
    (
        "GET",
        "/api/v1/verifications",
        Signed(A::ReviewVerification),
    ),
    (
        "GET",
        "/api/v1/verifications/{id}",
        Signed(A::ReviewVerification),
    ),
    (
        "GET",
        "/api/v1/verifications/{id}/document",
        Signed(A::ReviewVerification),
    ),
    (
        "POST",
        "/api/v1/verifications/{id}/review",
        Signed(A::ReviewVerification),
    ),
    // API: registration
    ("POST", "/api/v1/enterprises", Signed(A::EditEnterprise)),
    ("GET", "/api/v1/enterprises", Signed(A::ReadEnterprise)),
    (
        "GET",
        "/api/v1/enterprises/{credit_code}",
        Signed(A::ReadEnterprise),
    ),
    (
        "PATCH",
        "/api/v1/enterprises/{credit_code}",
        Signed(A::EditEnterprise),
    ),
    (
        "GET",
        "/api/v1/enterprises/{credit_code}/history",
        Signed(A::ReadEnterprise),
    ),
    (
        "POST",
        "/api/v1/enterprises/{credit_code}/amendment/review",
        Signed(A::ReviewRegistrations),
    ),
    (
        "DELETE",
        "/api/v1/enterprises/{credit_code}/amendment",
        Signed(A::EditEnterprise),
    ),
    (
        "GET",
        "/api/v1/enterprise-amendments",
        Signed(A::ReviewRegistrations),
    ),
    (
        "GET",
        "/api/v1/enterprises/{credit_code}/accounts",
        Signed(A::ReadEnterprise),
    ),
    (
        "POST",
        "/api/v1/enterprises/{credit_code}/accounts",
        Signed(A::EditEnterprise),
    ),
    ("POST", "/api/v1/account-setup", Public),
    (
        "GET",
        "/api/v1/enterprises/{credit_code}/patents",
        Signed(A::ReadEnterprise),
    ),
    (
        "POST",
        "/api/v1/enterprises/{credit_code}/patents",
        Signed(A::EditEnterprise),
    ),
    (
        "PATCH",
        "/api/v1/enterprises/{credit_code}/patents/{number}",
        Signed(A::EditEnterprise),
    ),
    ("POST", "/api/v1/products", Signed(A::RegisterProducts)),
    ("GET", "/api/v1/products", Signed(A::ReadEnterprise)),
    ("GET", "/api/v1/products/{id}", Signed(A::ReadEnterprise)),
    (
        "PATCH",
        "/api/v1/products/{id}",
        Signed(A::RegisterProducts),
    ),
    (
        "POST",
        "/api/v1/products/{id}/submit",
        Signed(A::RegisterProducts),
    ),
    (
        "POST",
        "/api/v1/products/{id}/review",
        Signed(A::ReviewRegistrations),
    ),
    (
        "POST",
        "/api/v1/products/{id}/withdraw",
        Signed(A::RegisterProducts),
    ),
    (
        "POST",
        "/api/v1/products/{id}/revoke",
        Signed(A::ReviewRegistrations),
    ),
    (
        "DELETE",
        "/api/v1/products/{id}/amendment",
        Signed(A::RegisterProducts),
    ),
    (
        "GET",
        "/api/v1/products/{id}/history",
        Signed(A::ReadEnterprise),
    ),
    (
        "POST",
        "/api/v1/products/review",
        Signed(A::ReviewRegistrations),
    ),
    (
        "GET",
        "/api/v1/products/import-template",
        Signed(A::RegisterProducts),
    ),
    (
        "POST",
        "/api/v1/products/import",
        Signed(A::RegisterProducts),
    ),
    (
        "POST",
        "/api/v1/products/{id}/annual-updates",
        Signed(A::RegisterProducts),
    ),
    (
        "GET",
        "/api/v1/products/{id}/annual-updates",
        Signed(A::ReadEnterprise),
    ),
    (
        "GET",
        "/api/v1/annual-updates",
        Signed(A::ReviewRegistrations),
    ),
    (
        "POST",
        "/api/v1/annual-updates/{id}/review",
        Signed(A::ReviewRegistrations),
    ),
    ("GET", "/api/v1/notifications", Signed(A::OwnNotifications)),
    (
        "POST",
        "/api/v1/notifications/{id}/read",
        Signed(A::OwnNotifications),
    ),
    ("GET", "/api/v1/stats/summary", Signed(A::ReadStats)),
    ("GET", "/api/v1/stats/identified", Signed(A::ReadStats)),
    ("GET", "/api/v1/reports/monthly", Signed(A::ReadStats)),
    ("GET", "/api/v1/evaluation", Signed(A::ReadStats)),
    ("GET", "/api/v1/rules/evaluation", Signed(A::ReadRules)),
    ("PUT", "/api/v1/rules/evaluation", Signed(A::ManageRules)),
    (
        "GET",
        "/api/v1/identification/methods",
        Signed(A::ReadIdentificationMethods),
    ),
    (
        "POST",
        "/api/v1/identification/methods",
        Signed(A::ManageIdentificationMethods),
    ),
    (
        "GET",
        "/api/v1/identification/methods/{id}",
        Signed(A::ReadIdentificationMethods),
    ),
    (
        "PATCH",
        "/api/v1/identification/methods/{id}",
        Signed(A::ManageIdentificationMethods),
    ),
    (
        "POST",
        "/api/v1/identification/methods/{id}/publish",
        Signed(A::ManageIdentificationMethods),
    ),
    (
        "GET",
        "/api/v1/identification/batches",
        Signed(A::ReadIdentification),
    ),
    (
        "POST",
        "/api/v1/identification/batches",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "GET",
        "/api/v1/identification/batches/{id}",
        Signed(A::ReadIdentification),
    ),
    (
        "GET",
        "/api/v1/identification/batches/{id}/candidates",
        Signed(A::ReadIdentification),
    ),
    (
        "POST",
        "/api/v1/identification/batches/{id}/check",
        Signed(A::CheckIdentification),
    ),
    (
        "POST",
        "/api/v1/identification/batches/{id}/opt-ins",
        Signed(A::ApplyIdentification),
    ),
    (
        "POST",
        "/api/v1/identification/batches/{id}/compute",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "POST",
        "/api/v1/identification/batches/{id}/close",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "GET",
        "/api/v1/identification/batches/{id}/benchmarks",
        Signed(A::ReadIdentification),
    ),
    (
        "GET",
        "/api/v1/identification/batches/{id}/results",
        Signed(A::ReadIdentification),
    ),
    (
        "GET",
        "/api/v1/identification/batches/{id}/what-if",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "POST",
        "/api/v1/identification/batches/{id}/evaluate",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "GET",
        "/api/v1/identification/batches/{id}/review",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "POST",
        "/api/v1/identification/batches/{id}/review",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "POST",
        "/api/v1/identification/batches/{id}/publish",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "POST",
        "/api/v1/identification/batches/{id}/objections",
        Signed(A::FileObjections),
    ),
    (
        "POST",
        "/api/v1/identification/objections/{id}/answer",
        Signed(A::ManageNotices),
    ),
    (
        "POST",
        "/api/v1/identification/batches/{id}/announce",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "GET",
        "/api/v1/identification/batches/{id}/identified",
        Public,
    ),
    (
        "POST",
        "/api/v1/products/{id}/identification",
        Signed(A::ApplyIdentification),
    ),
    (
        "GET",
        "/api/v1/products/{id}/identification",
        Signed(A::ReadIdentification),
    ),
    ("PUT", "/api/v1/users/{id}/expert", Signed(A::ManageUsers)),
    ("GET", "/api/v1/panels/{id}", Signed(A::ManagePanels)),
    (
        "POST",
        "/api/v1/panels/{id}/assignments",
        Signed(A::ManagePanels),
    ),
    ("GET", "/api/v1/expert/assignments", Signed(A::ScorePanels)),
    (
        "GET",
        "/api/v1/expert/assignments/{id}",
        Signed(A::ScorePanels),
    ),
    (
        "POST",
        "/api/v1/expert/assignments/{id}/scores",
        Signed(A::ScorePanels),
    ),
    ("GET", "/api/v1/notices", Public),
    ("GET", "/api/v1/notices/{id}", Public),
    ("GET", "/api/v1/notices/{id}/announced", Public),
    (
        "POST",
        "/api/v1/notices/{id}/objections",
        Signed(A::FileObjections),
    ),
    (
        "GET",
        "/api/v1/notices/{id}/objections",
        Signed(A::FileObjections),
    ),
    (
        "POST",
        "/api/v1/notices/objections/{id}/answer",
        Signed(A::ManageNotices),
    ),
    (
        "POST",
        "/api/v1/notices/{id}/announce",
        Signed(A::ManageNotices),
    ),
    ("GET", "/api/v1/policies", Public),
    ("GET", "/api/v1/award-rules", Signed(A::ReadAwardRules)),
    ("POST", "/api/v1/award-rules", Signed(A::ManageAwardRules)),
    (
        "POST",
        "/api/v1/award-rules/dry-run",
        Signed(A::ManageAwardRules),
    ),
    ("GET", "/api/v1/award-rules/{id}", Signed(A::ReadAwardRules)),
    (
        "PATCH",
        "/api/v1/award-rules/{id}",
        Signed(A::ManageAwardRules),
    ),
    (
        "POST",
        "/api/v1/award-rules/{id}/publish",
        Signed(A::ManageAwardRules),
    ),
    (
        "GET",
        "/api/v1/enterprises/{credit_code}/entitlements",
        Signed(A::ReadEntitlements),
    ),
    ("GET", "/api/v1/award-budgets", Signed(A::ReadPayouts)),
    ("POST", "/api/v1/award-budgets", Signed(A::ManagePayouts)),
    (
        "POST",
        "/api/v1/award-rules/{id}/notify",
        Signed(A::ManagePayouts),
    ),
    (
        "GET",
        "/api/v1/award-rules/{id}/rounds",
        Signed(A::ReadAwardRules),
    ),
    (
        "GET",
        "/api/v1/award-rules/{id}/rounds/{round}",
        Signed(A::ReadAwardRules),
    ),
    (
        "GET",
        "/api/v1/enterprises/{credit_code}/applications",
        Signed(A::ReadEntitlements),
    ),
    (
        "POST",
        "/api/v1/enterprises/{credit_code}/applications",
        Signed(A::ApplyEntitlements),
    ),
    ("GET", "/api/v1/payouts", Signed(A::ReadPayouts)),
    ("GET", "/api/v1/payouts/{id}", Signed(A::ReadPayouts)),
    (
        "POST",
        "/api/v1/payouts/{id}/payment",
        Signed(A::ManagePayouts),
    ),
    (
        "POST",
        "/api/v1/enterprises/{credit_code}/declarations",
        Signed(A::EditEnterprise),
    ),
    (
        "GET",
        "/api/v1/enterprises/{credit_code}/declarations",
        Signed(A::ReadEnterprise),
    ),
    (
        "POST",
        "/api/v1/enterprises/{credit_code}/qualifications/review",
        Signed(A::ReviewRegistrations),
    ),
    (
        "POST",
        "/api/v1/enterprises/{credit_code}/qualifications/resubmit",
        Signed(A::EditEnterprise),
    ),
    (
        "GET",
        "/api/v1/declarations",
        Signed(A::ReviewRegistrations),
    ),
    (
        "GET",
        "/api/v1/qualifications",
        Signed(A::ReviewRegistrations),
    ),
    (
        "GET",
        "/api/v1/declarations/{id}",
        Signed(A::ReadEnterprise),
    ),
    (
        "GET",
        "/api/v1/declarations/{id}/evidence",
        Signed(A::ReadEnterprise),
    ),
    (
        "POST",
        "/api/v1/declarations/{id}/review",
        Signed(A::ReviewRegistrations),
    ),
    ("POST", "/api/v1/policies", Signed(A::ManagePolicies)),
    ("POST", "/api/v1/policies/import", Signed(A::ManagePolicies)),
    ("GET", "/api/v1/policies/{id}", Public),
    ("PATCH", "/api/v1/policies/{id}", Signed(A::ManagePolicies)),
    (
        "POST",
        "/api/v1/policies/{id}/attachments",
        Signed(A::ManagePolicies),
    ),
    (
        "GET",
        "/api/v1/policies/{id}/attachments/{attachment}",
        Public,
    ),
    ("GET", "/api/v1/ports", Signed(A::ManagePorts)),
    ("POST", "/api/v1/ports", Signed(A::ManagePorts)),
    (
        "POST",
        "/api/v1/ports/{region}/decision",
        Signed(A::ManagePorts),
    ),
    (
        "POST",
        "/api/v1/ports/{region}/open",
        Signed(A::ManagePorts),
    ),
    (
        "POST",
        "/api/v1/ports/{region}/close",
        Signed(A::ManagePorts),
    ),
    ("POST", "/api/v1/directories", Signed(A::ManageDirectories)),
    ("GET", "/api/v1/directories", Signed(A::ManageDirectories)),
    (
        "GET",
        "/api/v1/directories/{id}/coverage",
        Signed(A::ManageDirectories),
    ),
    ("GET", "/api/v1/stats/breakdown", Signed(A::ReadStats)),
    ("GET", "/api/v1/rules/calendar", Signed(A::ReadRules)),
    ("PUT", "/api/v1/rules/calendar", Signed(A::ManageRules)),
    ("GET", "/api/v1/rules/registration", Signed(A::ReadRules)),
    ("PUT", "/api/v1/rules/registration", Signed(A::ManageRules)),
    ("GET", "/api/v1/rules/{kind}/history", Signed(A::ReadRules)),
    ("DELETE", "/api/v1/me/sessions/{id}", Signed(A::OwnAccount)),
    ("GET", "/api/v1/me/tokens", Signed(A::OwnAccount)),
    ("DELETE", "/api/v1/me/tokens/{id}", Signed(A::OwnAccount)),
    ("POST", "/account/tokens/revoke", Signed(A::OwnAccount)),
    // API: administration
    ("GET", "/api/v1/users", Signed(A::ReadUsers)),
    ("POST", "/api/v1/users", Signed(A::ManageUsers)),
    ("GET", "/api/v1/users/{id}", Signed(A::ReadUsers)),
    ("POST", "/api/v1/users/{id}/status", Signed(A::ManageUsers)),
    ("POST", "/api/v1/users/{id}/contact", Signed(A::GrantRoles)),
    ("POST", "/api/v1/users/{id}/unlock", Signed(A::ManageUsers)),
    (
        "POST",
        "/api/v1/users/{id}/password-reset",
        Signed(A::ManageUsers),
    ),
    ("POST", "/api/v1/users/{id}/grant", Signed(A::GrantRoles)),
    (
        "GET",
        "/api/v1/security/settings",
        Signed(A::ReadSecurityPolicy),
    ),
    (
        "PUT",
        "/api/v1/security/settings",
        Signed(A::ManageSecurityPolicy),
    ),
    ("GET", "/api/v1/audit", Signed(A::ReadAudit)),
    ("GET", "/api/v1/audit/export", Signed(A::ExportAudit)),
    ("GET", "/api/v1/audit/verification", Signed(A::ReadAudit)),
    // Pages
    ("GET", "/", Public),
    ("GET", "/login", Public),
    ("POST", "/login", Public),
    ("POST", "/logout", Setup(A::OwnAccount)),
    ("GET", "/about", Public),
    ("GET", "/lang", Public),
    ("POST", "/account/locale", Signed(A::OwnAccount)),
    ("GET", "/docs/api", Public),
    ("GET", "/assets/{*path}", Public),
    ("GET", "/favicon.ico", Public),
    ("GET", "/account", Signed(A::OwnAccount)),
    ("GET", "/account/password", Setup(A::OwnAccount)),
    ("POST", "/account/password", Setup(A::OwnAccount)),
    ("GET", "/account/totp", Setup(A::OwnAccount)),
    ("POST", "/account/totp", Setup(A::OwnAccount)),
    ("POST", "/account/totp/start", Setup(A::OwnAccount)),
    ("POST", "/account/sessions/end", Signed(A::OwnAccount)),
    ("GET", "/admin/users", Signed(A::ReadUsers)),
    ("POST", "/admin/users", Signed(A::ManageUsers)),
    ("GET", "/admin/users/{id}", Signed(A::ReadUsers)),
    ("POST", "/admin/users/{id}", Signed(A::ManageUsers)),
    ("POST", "/admin/users/{id}/grant", Signed(A::GrantRoles)),
    ("POST", "/admin/users/{id}/contact", Signed(A::GrantRoles)),
    ("GET", "/password/setup", Public),
    ("POST", "/password/setup", Public),
    ("GET", "/admin/outbox", Signed(A::ManageUsers)),
    (
        "POST",
        "/admin/outbox/{outbox}/{id}/retry",
        Signed(A::ManageUsers),
    ),
    ("GET", "/admin/security", Signed(A::ReadSecurityPolicy)),
    ("POST", "/admin/security", Signed(A::ManageSecurityPolicy)),
    ("GET", "/audit", Signed(A::ReadAudit)),
    ("GET", "/audit/export", Signed(A::ExportAudit)),
    ("GET", "/products", Signed(A::ReadEnterprise)),
    ("GET", "/products/new", Signed(A::RegisterProducts)),
    ("POST", "/products/new", Signed(A::RegisterProducts)),
    ("GET", "/products/{id}", Signed(A::ReadEnterprise)),
    // Submit (enterprise) or decide (reviewer): the service checks which the caller may do.
    ("POST", "/products/{id}", Signed(A::ReadEnterprise)),
    (
        "POST",
        "/products/bulk-review",
        Signed(A::ReviewRegistrations),
    ),
    ("GET", "/products/import", Signed(A::RegisterProducts)),
    ("POST", "/products/import", Signed(A::RegisterProducts)),
    (
        "GET",
        "/products/import-template.xlsx",
        Signed(A::RegisterProducts),
    ),
    ("GET", "/products/{id}/diff", Signed(A::ReadEnterprise)),
    (
        "GET",
        "/products/{id}/certificate",
        Signed(A::ReadEnterprise),
    ),
    (
        "GET",
        "/products/{id}/identification-certificate",
        Signed(A::ReadIdentification),
    ),
    ("GET", "/reviews/updates", Signed(A::ReviewRegistrations)),
    ("GET", "/verify", Public),
    ("GET", "/notifications", Signed(A::OwnNotifications)),
    (
        "POST",
        "/notifications/{id}/open",
        Signed(A::OwnNotifications),
    ),
    ("GET", "/stats", Signed(A::ReadStats)),
    ("GET", "/evaluation", Signed(A::ReadStats)),
    ("GET", "/ports", Signed(A::ManagePorts)),
    ("POST", "/ports", Signed(A::ManagePorts)),
    ("GET", "/reports/monthly", Signed(A::ReadStats)),
    ("GET", "/directories", Signed(A::ManageDirectories)),
    ("POST", "/directories", Signed(A::ManageDirectories)),
    ("GET", "/directories/{id}", Signed(A::ManageDirectories)),
    ("GET", "/rules", Signed(A::ReadRules)),
    ("GET", "/notices", Public),
    ("GET", "/notices/{id}", Public),
    ("GET", "/notices/{id}/announced", Public),
    ("GET", "/notices/{id}/objections", Signed(A::FileObjections)),
    (
        "POST",
        "/notices/{id}/objections",
        Signed(A::FileObjections),
    ),
    (
        "POST",
        "/notices/objections/{id}/answer",
        Signed(A::ManageNotices),
    ),
    ("POST", "/notices/{id}/announce", Signed(A::ManageNotices)),
    (
        "GET",
        "/identification/batches",
        Signed(A::ReadIdentification),
    ),
    (
        "POST",
        "/identification/batches",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "GET",
        "/identification/batches/{id}",
        Signed(A::ReadIdentification),
    ),
    (
        "POST",
        "/identification/batches/{id}/compute",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "POST",
        "/identification/batches/{id}/close",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "POST",
        "/identification/batches/{id}/opt-in",
        Signed(A::ApplyIdentification),
    ),
    (
        "POST",
        "/identification/batches/{id}/opt-in-all",
        Signed(A::ApplyIdentification),
    ),
    (
        "POST",
        "/identification/batches/{id}/stage",
        Signed(A::ManageIdentificationBatches),
    ),
    (
        "POST",
        "/identification/batches/{id}/check",
        Signed(A::CheckIdentification),
    ),
    (
        "GET",
        "/identification/batches/{id}/export.xlsx",
        Signed(A::ReadIdentification),
    ),
    (
        "GET",
        "/identification/methods",
        Signed(A::ReadIdentificationMethods),
    ),
    (
        "GET",
        "/identification/methods/new",
        Signed(A::ManageIdentificationMethods),
    ),
    (
        "POST",
        "/identification/methods/new",
        Signed(A::ManageIdentificationMethods),
    ),
    (
        "GET",
        "/identification/methods/{id}",
        Signed(A::ReadIdentificationMethods),
    ),
    (
        "GET",
        "/identification/methods/{id}/edit",
        Signed(A::ManageIdentificationMethods),
    ),
    (
        "POST",
        "/identification/methods/{id}/edit",
        Signed(A::ManageIdentificationMethods),
    ),
    (
        "POST",
        "/identification/methods/{id}/publish",
        Signed(A::ManageIdentificationMethods),
    ),
    ("GET", "/expert/assignments", Signed(A::ScorePanels)),
    ("GET", "/expert/assignments/{id}", Signed(A::ScorePanels)),
    ("POST", "/expert/assignments/{id}", Signed(A::ScorePanels)),
    ("GET", "/panels/{id}", Signed(A::ManagePanels)),
    ("POST", "/panels/{id}/assignments", Signed(A::ManagePanels)),
    ("POST", "/admin/users/{id}/expert", Signed(A::ManageUsers)),
    ("GET", "/entitlements", Signed(A::ReadEntitlements)),
    (
        "POST",
        "/entitlements/confirm",
        Signed(A::ApplyEntitlements),
    ),
    ("GET", "/payouts", Signed(A::ReadPayouts)),
    ("GET", "/payouts/budgets", Signed(A::ReadPayouts)),
    ("POST", "/payouts/budgets", Signed(A::ManagePayouts)),
    ("POST", "/payouts/notify", Signed(A::ManagePayouts)),
    ("GET", "/award-rules/{id}", Signed(A::ReadAwardRules)),
    (
        "POST",
        "/award-rules/{id}/publish",
        Signed(A::ManageAwardRules),
    ),
    ("GET", "/payouts/{id}", Signed(A::ReadPayouts)),
    ("POST", "/payouts/{id}", Signed(A::ManagePayouts)),
    ("GET", "/policies", Public),
    ("GET", "/policies/import", Signed(A::ManagePolicies)),
    ("POST", "/policies/import", Signed(A::ManagePolicies)),
    ("POST", "/policies/new", Signed(A::ManagePolicies)),
    ("GET", "/policies/{id}", Public),
    ("GET", "/policies/{id}/edit", Signed(A::ManagePolicies)),
    ("POST", "/policies/{id}/edit", Signed(A::ManagePolicies)),
    ("POST", "/rules/registration", Signed(A::ManageRules)),
    ("POST", "/rules/calendar", Signed(A::ManageRules)),
    ("GET", "/products/{id}/edit", Signed(A::RegisterProducts)),
    ("POST", "/products/{id}/edit", Signed(A::RegisterProducts)),
    ("GET", "/enterprises", Signed(A::ReadEnterprise)),
    ("GET", "/enterprises/new", Signed(A::EditEnterprise)),
    ("POST", "/enterprises/new", Signed(A::EditEnterprise)),
    (
        "GET",
        "/enterprises/{credit_code}",
        Signed(A::ReadEnterprise),
    ),
    (
        "GET",
        "/enterprises/{credit_code}/edit",
        Signed(A::EditEnterprise),
    ),
    (
        "POST",
        "/enterprises/{credit_code}/edit",
        Signed(A::EditEnterprise),
    ),
    (
        "POST",
        "/enterprises/{credit_code}/amendment/review",
        Signed(A::ReviewRegistrations),
    ),
    (
        "POST",
        "/enterprises/{credit_code}/amendment/discard",
        Signed(A::EditEnterprise),
    ),
    (
        "POST",
        "/enterprises/{credit_code}/accounts",
        Signed(A::EditEnterprise),
    ),
    (
        "GET",
        "/reviews/enterprise-changes",
        Signed(A::ReviewRegistrations),
    ),
    ("GET", "/declarations", Signed(A::ReadEnterprise)),
    (
        "GET",
        "/enterprises/{credit_code}/declarations",
        Signed(A::ReadEnterprise),
    ),
    (
        "POST",
        "/enterprises/{credit_code}/declarations",
        Signed(A::EditEnterprise),
    ),
    ("GET", "/reviews/facts", Signed(A::ReviewRegistrations)),
    (
        "POST",
        "/declarations/{id}/review",
        Signed(A::ReviewRegistrations),
    ),
    (
        "POST",
        "/enterprises/{credit_code}/qualifications/review",
        Signed(A::ReviewRegistrations),
    ),
    (
        "POST",
        "/enterprises/{credit_code}/qualifications/resubmit",
        Signed(A::EditEnterprise),
    ),
    ("GET", "/account/setup", Public),
    ("POST", "/account/setup", Public),
    ("GET", "/signup", Public),
    ("POST", "/signup", Public),
    ("GET", "/verification", Signed(A::SubmitVerification)),
    ("POST", "/verification", Signed(A::SubmitVerification)),
    (
        "GET",
        "/verification/document",
        Signed(A::SubmitVerification),
    ),
    (
        "GET",
        "/reviews/verifications",
        Signed(A::ReviewVerification),
    ),
    (
        "GET",
        "/reviews/verifications/{id}",
        Signed(A::ReviewVerification),
    ),
    (
        "POST",
        "/reviews/verifications/{id}",
        Signed(A::ReviewVerification),
    ),
    (
        "GET",
        "/reviews/verifications/{id}/document",
        Signed(A::ReviewVerification),
    ),
];

pub fn access_of(method: &Method, path: &str) -> Option<Access> {
    ENDPOINTS
        .iter()
        .find(|(m, p, _)| {
            *p == path && (*m == method.as_str() || (*m == "GET" && method == Method::HEAD))
        })
        .map(|(_, _, a)| *a)
}

/// The session cookie's name: `__Host-` prefixed (which browsers accept only with `Secure`)
/// when the request came over TLS through a trusted proxy; plain otherwise, for intranet
/// deployments served over HTTP.
pub const SECURE_COOKIE: &str = "__Host-zhichan";
pub const PLAIN_COOKIE: &str = "zhichan";

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The session token the browser sent. Over TLS only the `__Host-` cookie counts, so that a
/// plain cookie planted by a neighbouring host cannot stand in for it.
pub fn session_token<'a>(state: &AppState, headers: &'a HeaderMap) -> Option<&'a str> {
    if is_secure(state, headers) {
        cookie_value(headers, SECURE_COOKIE)
    } else {
        cookie_value(headers, PLAIN_COOKIE)
    }
}

/// Whether this request reached us over TLS, as a trusted proxy says.
pub fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.settings.trust_proxy
        && headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(secure: bool, token: &str) -> HeaderValue {
    let text = if secure {
        format!("{SECURE_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Secure")
    } else {
        format!("{PLAIN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax")
    };
    HeaderValue::from_str(&text).expect("token is URL-safe base64")
}

/// The `Set-Cookie` value that removes it.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    HeaderValue::from_static(if secure {
        "__Host-zhichan=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0"
    } else {
        "zhichan=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    })
}

/// The request's origin for the audit log and per-address limits.
pub fn ctx_of(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> Ctx {
    let forwarded = state
        .settings
        .trust_proxy
        .then(|| headers.get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        // The right-most entry is the one the trusted proxy added; those left of it are
        // whatever the client claimed.
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().to_string());
    Ctx {
        ip: forwarded
            .or_else(|| peer.map(|p| p.ip().to_string()))
            .unwrap_or_else(|| "-".into()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(300)
            .collect(),
    }
}

/// The middleware that makes the request's origin known to every use case it runs.
pub async fn origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ctx = ctx_of(&state, req.headers(), peer(&req));
    ctx.serving(next.run(req)).await
}

/// The request's origin, as a handler argument.
pub struct RequestCtx(pub Ctx);

impl FromRequestParts<AppState> for RequestCtx {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(RequestCtx(ctx_of(state, &parts.headers, peer)))
    }
}

/// The signed-in caller and the scope the access table gave it for this route's action.
#[derive(Clone)]
pub struct Signed {
    pub auth: Authenticated,
    pub scope: Scope,
}

impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<Signed>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}

/// The caller if signed in, on public routes.
#[derive(Clone)]
pub struct MaybeSigned(pub Option<Authenticated>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeSigned {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeSigned(
            parts
                .extensions
                .get::<MaybeSigned>()
                .and_then(|m| m.0.clone()),
        ))
    }
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn refuse(api: bool, status: StatusCode, detail: &str, errors: Vec<FieldError>) -> Response {
    if api {
        problem(status, detail, errors)
    } else {
        crate::web::error_page_with(status, Some(detail))
    }
}

/// Reads the CSRF token of a form post without consuming the request for the handler.
async fn form_csrf(req: Request) -> Result<(Option<String>, Request), Response> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    let token = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned());
    Ok((
        token,
        Request::from_parts(parts, axum::body::Body::from(bytes)),
    ))
}

fn peer(req: &Request) -> Option<SocketAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

/// The middleware: who is calling, may they, and is a cookie-borne change really theirs.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let api = is_api(&path);
    let method = req.method().clone();
    let Some(access) = access_of(&method, &path) else {
        let allowed: Vec<&str> = ENDPOINTS
            .iter()
            .filter(|(_, p, _)| *p == path)
            .map(|(m, _, _)| *m)
            .collect();
        if allowed.is_empty() {
            tracing::error!(%method, %path, "route missing from the access table: refused");
            return refuse(api, StatusCode::FORBIDDEN, "该接口未登记访问权限", vec![]);
        }
        // A method the table does not list for this path is not allowed, whatever the router
        // might do with it.
        let mut res = refuse(
            api,
            StatusCode::METHOD_NOT_ALLOWED,
            "该接口不支持这种请求方法",
            vec![],
        );
        if let Ok(v) = HeaderValue::from_str(&allowed.join(",")) {
            res.headers_mut().insert(header::ALLOW, v);
        }
        return res;
    };

    // Who is calling.
    let headers = req.headers().clone();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let auth = if let Some(token) = bearer {
        match state.services.authenticate_bearer(token).await {
            Ok(a) => Some(a),
            Err(ServiceError::Unauthenticated) => {
                return refuse(
                    api,
                    StatusCode::UNAUTHORIZED,
                    "访问令牌无效或已过期",
                    vec![],
                );
            }
            Err(e) => return AppError::from(e).into_response(),
        }
    } else if let Some(token) = session_token(&state, &headers) {
        match state.services.authenticate_session(token).await {
            Ok(a) => Some(a),
            Err(ServiceError::Unauthenticated) => None,
            Err(e) => return AppError::from(e).into_response(),
        }
    } else {
        None
    };
    if let Some(a) = &auth {
        crate::locale::prefer_user(a.user.locale.as_deref());
    }

    // A browser says when a request comes from another site; no change is accepted that way,
    // not even the public ones (login, sign-up), which would sign a victim into an account the
    // attacker controls.
    let unsafe_method = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method
        && headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return refuse(
            api,
            StatusCode::FORBIDDEN,
            "不接受来自其他网站的提交",
            vec![],
        );
    }

    let (action, setup) = match access {
        Access::Public => {
            let mut req = req;
            req.extensions_mut().insert(MaybeSigned(auth));
            return next.run(req).await;
        }
        Access::Signed(a) => (a, false),
        Access::Setup(a) => (a, true),
    };
    let Some(auth) = auth else {
        if api {
            return problem(StatusCode::UNAUTHORIZED, "请先登录", vec![]);
        }
        let target = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let next_param: String = form_urlencoded::byte_serialize(target.as_bytes()).collect();
        return Redirect::to(&format!("/login?next={next_param}")).into_response();
    };
    if let (Some(r), false) = (auth.restriction, setup) {
        let (code, to, detail) = match r {
            Restriction::ChangePassword => (
                "password_change_required",
                "/account/password",
                "请先修改密码",
            ),
            Restriction::EnrolSecondFactor => (
                "second_factor_required",
                "/account/totp",
                "请先绑定动态验证码",
            ),
        };
        if api {
            return problem(
                StatusCode::FORBIDDEN,
                detail,
                vec![FieldError {
                    field: "account".into(),
                    code: code.into(),
                    message: detail.into(),
                }],
            );
        }
        return Redirect::to(to).into_response();
    }

    // A change carried by a cookie must carry the session's CSRF token too.
    let mut req = req;
    if let (true, Via::Session { csrf, .. }) = (unsafe_method, &auth.via) {
        let from_header = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let is_form = content_type.starts_with("application/x-www-form-urlencoded");
        // A file upload's body is too large to read twice: its form carries the token in its
        // action URL instead.
        let from_query = content_type
            .starts_with("multipart/form-data")
            .then(|| req.uri().query())
            .flatten()
            .and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "csrf")
                    .map(|(_, v)| v.into_owned())
            });
        let presented = match (from_header.or(from_query), is_form) {
            (Some(t), _) => Some(t),
            (None, true) => match form_csrf(req).await {
                Ok((t, r)) => {
                    req = r;
                    t
                }
                Err(res) => return res,
            },
            (None, false) => None,
        };
        if presented.as_deref() != Some(csrf.as_str()) {
            let ctx = ctx_of(&state, &headers, peer(&req));
            let _ = state
                .services
                .audit_alone(
                    &ctx,
                    &Who::from(&auth.actor),
                    "access.csrf",
                    &path,
                    "denied",
                    serde_json::json!({"method": method.as_str()}),
                )
                .await;
            return refuse(
                api,
                StatusCode::FORBIDDEN,
                "请求缺少有效的 CSRF 令牌，请刷新页面后重试",
                vec![],
            );
        }
    }

    match authorize(&auth.actor, action) {
        Ok(scope) => {
            // An administrator acts only through an open management port; until then it may
            // look after its account, read the rules, and apply for the port.
            let exempt = matches!(action, A::OwnAccount | A::ManagePorts | A::ReadRules);
            if !exempt {
                match state.services.port_gate(&auth.actor).await {
                    Ok(()) => {}
                    Err(zhichan_service::ServiceError::PortClosed) => {
                        if !api && method == axum::http::Method::GET {
                            return axum::response::Redirect::to("/ports").into_response();
                        }
                        return refuse(
                            api,
                            StatusCode::FORBIDDEN,
                            crate::error::PORT_CLOSED,
                            vec![],
                        );
                    }
                    Err(e) => return crate::error::AppError::from(e).into_response(),
                }
            }
            req.extensions_mut().insert(Signed { auth, scope });
            next.run(req).await
        }
        Err(refusal) => {
            let ctx = ctx_of(&state, &headers, peer(&req));
            let _ = state
                .services
                .audit_alone(
                    &ctx,
                    &Who::from(&auth.actor),
                    "access.denied",
                    &path,
                    "denied",
                    serde_json::json!({"method": method.as_str(), "action": action.as_str()}),
                )
                .await;
            match refusal {
                Refusal::Forbidden => {
                    refuse(api, StatusCode::FORBIDDEN, "您的角色无权进行此操作", vec![])
                }
                Refusal::NotFound => refuse(api, StatusCode::NOT_FOUND, "请求的对象不存在", vec![]),
            }
        }
    }
}
