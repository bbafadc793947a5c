//! Notifications of an enterprise, and the rules officials keep as versioned data.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhichan_domain::calendar::DayKind as DomainDayKind;

edge_enum!(
    /// What a notification is about.
    NotificationKind, "kind", {
        ProductApproved = "product_approved",
        ProductReturned = "product_returned",
        UpdateApproved = "update_approved",
        UpdateReturned = "update_returned",
        UpdateDue = "update_due",
        PatentLapsed = "patent_lapsed",
        WithdrawPrompt = "withdraw_prompt",
        ProductRevoked = "product_revoked",
        EnterpriseChangeApproved = "enterprise_change_approved",
        EnterpriseChangeReturned = "enterprise_change_returned",
        ObjectionAnswered = "objection_answered",
        DeclarationApproved = "declaration_approved",
        DeclarationReturned = "declaration_returned",
        QualificationsConfirmed = "qualifications_confirmed",
        QualificationsReturned = "qualifications_returned",
        Entitlement = "entitlement",
        AwardPaid = "award_paid",
        BatchOptInClosed = "batch_opt_in_closed",
    }
);

edge_enum!(
    /// `holiday` (放假) or `workday` (a weekend day worked, 调休).
    DayKind, "day_kind", mirrors DomainDayKind, { Holiday = "holiday", Workday = "workday" }
);

/// An in-app notification of the caller's enterprise.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    /// The page it is about.
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// `GET /api/v1/notifications`: a page of notifications and how many are unread.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notifications {
    pub items: Vec<Notification>,
    pub total: i64,
    pub unread: i64,
    pub page: u32,
    pub per_page: u32,
}

/// One listed day of the working-day calendar.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CalendarDay {
    #[schema(example = "2026-10-01", format = Date)]
    pub date: String,
    pub kind: DayKind,
    #[schema(example = "国庆节")]
    pub name: String,
    /// The notice it comes from.
    pub source: String,
}

/// The working-day calendar in force (version 0: the built-in first edition).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Calendar {
    pub version: i64,
    pub days: Vec<CalendarDay>,
}

/// `PUT /api/v1/rules/calendar`: the whole day list, the version it is based on, and why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CalendarUpdate {
    pub version: i64,
    pub days: Vec<CalendarDay>,
    pub reason: String,
}

/// The registration rules: review deadline, annual update window, return reason templates.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegistrationRules {
    /// Working days a reviewer has before an item shows as overdue.
    #[schema(example = 5)]
    pub review_working_days: u32,
    pub review_source: String,
    /// `MM-DD`, inclusive.
    #[schema(example = "01-01")]
    pub update_opens: String,
    #[schema(example = "03-31")]
    pub update_closes: String,
    pub update_source: String,
    pub return_reasons: Vec<String>,
}

/// The registration rules in force and their version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationRulesInForce {
    pub version: i64,
    pub rules: RegistrationRules,
}

/// `PUT /api/v1/rules/registration`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RegistrationRulesUpdate {
    pub version: i64,
    pub rules: RegistrationRules,
    pub reason: String,
}

/// One stored version of a rules document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RulesVersion {
    pub version: i64,
    pub changed_by: String,
    pub changed_at: String,
    pub reason: String,
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}
