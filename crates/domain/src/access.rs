//! Who may do what, and how far: the one authorisation table of zhichan.
//!
//! Every endpoint names one [`Action`]. A role either has no grant for an action (the answer
//! is 403: that role may never do it) or a grant with a [`Reach`]; the reach turns into a
//! [`Scope`] that queries filter by and single objects are checked against (outside it the
//! answer is 404, so nobody learns what exists elsewhere). Deny by default: an action missing
//! from the table is refused to everyone.

use crate::accounts::Role;
use crate::regions::RegionCode;
use serde::Serialize;

/// What a caller asks to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read and manage one's own account: profile, password, second factor, sessions, tokens.
    OwnAccount,
    /// List and read user accounts.
    ReadUsers,
    /// Create, lock, unlock and disable user accounts, and send a password reset to the
    /// account's own contact (the system administrator: no business power, no password seen).
    ManageUsers,
    /// Grant an account its business role and region (the security administrator).
    GrantRoles,
    /// Read the security policy (role table, password and lockout settings).
    ReadSecurityPolicy,
    /// Change the security settings.
    ManageSecurityPolicy,
    /// Search and read the audit log.
    ReadAudit,
    /// Export the audit log.
    ExportAudit,
    /// Submit one's own real-name verification (实名认证).
    SubmitVerification,
    /// Review real-name verifications.
    ReviewVerification,
    /// Read enterprise profiles.
    ReadEnterprise,
    /// Create and edit enterprise profiles.
    EditEnterprise,
    /// Register products: create, change, submit, withdraw.
    RegisterProducts,
    /// Review product registrations (形式审查).
    ReviewRegistrations,
    /// Read the rules in force: working-day calendar, deadlines, update window, reason templates.
    ReadRules,
    /// Change those rules (the national administrator: the rules hold for the whole country).
    ManageRules,
    /// Read and mark one's own enterprise's notifications.
    OwnNotifications,
    /// Read the statistics of a region subtree (dashboards, breakdowns).
    ReadStats,
    /// Import key-enterprise directories and follow their coverage.
    ManageDirectories,
    /// Apply for, approve, open and close management ports.
    ManagePorts,
    /// Read the identification methods (评价方法) and their versions (staff).
    ReadIdentificationMethods,
    /// Write and publish identification methods (the national administrator).
    ManageIdentificationMethods,
    /// Read identification batches, and the candidates and results in one's scope.
    ReadIdentification,
    /// Create and compute identification batches (the national administrator).
    ManageIdentificationBatches,
    /// Opt one's own enterprise's products into a batch (认定申报).
    ApplyIdentification,
    /// The formal check (形式审查) of the candidates of one's region.
    CheckIdentification,
    /// Read expert panels and assign experts to their items (the national administrator).
    ManagePanels,
    /// Score the items of a panel assigned to oneself (an expert).
    ScorePanels,
    /// File an objection (异议) to an item of a public notice, and read one's own objections.
    FileObjections,
    /// Publish a public notice (公示) of one's subject, answer its objections and announce it
    /// (the subject's owner: the national administrator for identification).
    ManageNotices,
    /// Add, import and edit the policies of one's region and below (reading them is public).
    ManagePolicies,
    /// Read the award rules (奖补规则) and their versions (staff).
    ReadAwardRules,
    /// Write, dry-run and publish the award rules of one's region and below.
    ManageAwardRules,
    /// Read what an enterprise is entitled to (免申即享): its own, or those of one's region.
    ReadEntitlements,
    /// Confirm one's own enterprise's pre-filled application for an entitlement (一键确认).
    ApplyEntitlements,
    /// Read the confirmed applications and payments of one's region (兑现台账).
    ReadPayouts,
    /// Set the budget of the award rules of one's region, notify the enterprises that qualify,
    /// and record payments (the office).
    ManagePayouts,
}

impl Action {
    pub const ALL: [Action; 37] = [
        Action::OwnAccount,
        Action::ReadUsers,
        Action::ManageUsers,
        Action::GrantRoles,
        Action::ReadSecurityPolicy,
        Action::ManageSecurityPolicy,
        Action::ReadAudit,
        Action::ExportAudit,
        Action::SubmitVerification,
        Action::ReviewVerification,
        Action::ReadEnterprise,
        Action::EditEnterprise,
        Action::RegisterProducts,
        Action::ReviewRegistrations,
        Action::ReadRules,
        Action::ManageRules,
        Action::OwnNotifications,
        Action::ReadStats,
        Action::ManageDirectories,
        Action::ManagePorts,
        Action::ReadIdentificationMethods,
        Action::ManageIdentificationMethods,
        Action::ReadIdentification,
        Action::ManageIdentificationBatches,
        Action::ApplyIdentification,
        Action::CheckIdentification,
        Action::ManagePanels,
        Action::ScorePanels,
        Action::FileObjections,
        Action::ManageNotices,
        Action::ManagePolicies,
        Action::ReadAwardRules,
        Action::ManageAwardRules,
        Action::ReadEntitlements,
        Action::ApplyEntitlements,
        Action::ReadPayouts,
        Action::ManagePayouts,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::OwnAccount => "own_account",
            Action::ReadUsers => "read_users",
            Action::ManageUsers => "manage_users",
            Action::GrantRoles => "grant_roles",
            Action::ReadSecurityPolicy => "read_security_policy",
            Action::ManageSecurityPolicy => "manage_security_policy",
            Action::ReadAudit => "read_audit",
            Action::ExportAudit => "export_audit",
            Action::SubmitVerification => "submit_verification",
            Action::ReviewVerification => "review_verification",
            Action::ReadEnterprise => "read_enterprise",
            Action::EditEnterprise => "edit_enterprise",
            Action::RegisterProducts => "register_products",
            Action::ReviewRegistrations => "review_registrations",
            Action::ReadRules => "read_rules",
            Action::ManageRules => "manage_rules",
            Action::OwnNotifications => "own_notifications",
            Action::ReadStats => "read_stats",
            Action::ManageDirectories => "manage_directories",
            Action::ManagePorts => "manage_ports",
            Action::ReadIdentificationMethods => "read_identification_methods",
            Action::ManageIdentificationMethods => "manage_identification_methods",
            Action::ReadIdentification => "read_identification",
            Action::ManageIdentificationBatches => "manage_identification_batches",
            Action::ApplyIdentification => "apply_identification",
            Action::CheckIdentification => "check_identification",
            Action::ManagePanels => "manage_panels",
            Action::ScorePanels => "score_panels",
            Action::FileObjections => "file_objections",
            Action::ManageNotices => "manage_notices",
            Action::ManagePolicies => "manage_policies",
            Action::ReadAwardRules => "read_award_rules",
            Action::ManageAwardRules => "manage_award_rules",
            Action::ReadEntitlements => "read_entitlements",
            Action::ApplyEntitlements => "apply_entitlements",
            Action::ReadPayouts => "read_payouts",
            Action::ManagePayouts => "manage_payouts",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Action::OwnAccount => "管理本人账号",
            Action::ReadUsers => "查看用户",
            Action::ManageUsers => "管理用户",
            Action::GrantRoles => "授予角色与区域",
            Action::ReadSecurityPolicy => "查看安全策略",
            Action::ManageSecurityPolicy => "修改安全策略",
            Action::ReadAudit => "查阅审计日志",
            Action::ExportAudit => "导出审计日志",
            Action::SubmitVerification => "提交实名认证",
            Action::ReviewVerification => "审核实名认证",
            Action::ReadEnterprise => "查看企业信息",
            Action::EditEnterprise => "填报企业信息",
            Action::RegisterProducts => "产品备案",
            Action::ReviewRegistrations => "备案审核",
            Action::ReadRules => "查看业务规则",
            Action::ManageRules => "维护业务规则",
            Action::OwnNotifications => "查看本企业通知",
            Action::ReadStats => "查看统计",
            Action::ManageDirectories => "重点名录",
            Action::ManagePorts => "管理端口",
            Action::ReadIdentificationMethods => "查看认定评价方法",
            Action::ManageIdentificationMethods => "维护认定评价方法",
            Action::ReadIdentification => "查看认定批次与结果",
            Action::ManageIdentificationBatches => "管理认定批次",
            Action::ApplyIdentification => "认定申报",
            Action::CheckIdentification => "认定形式审查",
            Action::ManagePanels => "组织专家评审",
            Action::ScorePanels => "专家评分",
            Action::FileObjections => "提出公示异议",
            Action::ManageNotices => "发布公示、答复异议、公告",
            Action::ManagePolicies => "维护政策库",
            Action::ReadAwardRules => "查看奖补规则",
            Action::ManageAwardRules => "维护奖补规则",
            Action::ReadEntitlements => "查看免申即享奖补",
            Action::ApplyEntitlements => "确认免申即享申请",
            Action::ReadPayouts => "查看奖补兑现",
            Action::ManagePayouts => "奖补预算、通知与兑付",
        }
    }

    /// What an account whose real-name verification is not yet approved may still do.
    /// Objections pass too, so that the service can tell such an account what it lacks (422
    /// `not_verified`, with the way to verification) instead of a bare 403: the objection
    /// service refuses every unverified account itself.
    pub fn open_before_verification(self) -> bool {
        matches!(
            self,
            Action::OwnAccount | Action::SubmitVerification | Action::FileObjections
        )
    }
}

/// How far a grant reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// Everything on the platform.
    All,
    /// The caller's region and everything below it.
    RegionSubtree,
    /// The caller's own enterprise only.
    OwnEnterprise,
    /// The caller's own account only.
    OwnAccount,
}

impl Reach {
    pub fn label_zh(self) -> &'static str {
        match self {
            Reach::All => "全部",
            Reach::RegionSubtree => "本辖区及下级",
            Reach::OwnEnterprise => "本企业",
            Reach::OwnAccount => "本人",
        }
    }
}

use Action as A;
use Reach as R;
use Role::*;

/// The grants. Anything not listed is denied. The three administrators are kept apart here:
/// only the sysadmin manages users, only the secadmin grants them business roles and regions
/// and changes security settings, only the auditor reads the audit log, and the auditor
/// changes nothing.
pub const GRANTS: &[(Role, Action, Reach)] = &[
    (Enterprise, A::OwnAccount, R::OwnAccount),
    (Enterprise, A::SubmitVerification, R::OwnAccount),
    (Enterprise, A::ReadEnterprise, R::OwnEnterprise),
    (Enterprise, A::EditEnterprise, R::OwnEnterprise),
    (Enterprise, A::RegisterProducts, R::OwnEnterprise),
    (Enterprise, A::ReadRules, R::All),
    (Enterprise, A::OwnNotifications, R::OwnEnterprise),
    (Enterprise, A::ReadIdentification, R::OwnEnterprise),
    (Enterprise, A::ApplyIdentification, R::OwnEnterprise),
    (Enterprise, A::FileObjections, R::OwnAccount),
    (Reviewer, A::OwnAccount, R::OwnAccount),
    (Reviewer, A::ReviewVerification, R::RegionSubtree),
    (Reviewer, A::ReadEnterprise, R::RegionSubtree),
    (Reviewer, A::EditEnterprise, R::RegionSubtree),
    (Reviewer, A::ReviewRegistrations, R::RegionSubtree),
    (Reviewer, A::ReadRules, R::All),
    (Reviewer, A::ReadIdentificationMethods, R::All),
    (Reviewer, A::ReadIdentification, R::RegionSubtree),
    (Reviewer, A::CheckIdentification, R::RegionSubtree),
    (Reviewer, A::FileObjections, R::OwnAccount),
    (Admin, A::OwnAccount, R::OwnAccount),
    (Admin, A::ReadEnterprise, R::RegionSubtree),
    (Admin, A::ReadRules, R::All),
    (Admin, A::ManageRules, R::RegionSubtree),
    (Admin, A::ReadStats, R::RegionSubtree),
    (Admin, A::ManageDirectories, R::RegionSubtree),
    (Admin, A::ManagePorts, R::RegionSubtree),
    (Admin, A::ReadIdentificationMethods, R::All),
    (Admin, A::ManageIdentificationMethods, R::RegionSubtree),
    (Admin, A::ReadIdentification, R::RegionSubtree),
    (Admin, A::ManageIdentificationBatches, R::RegionSubtree),
    (Admin, A::ManagePanels, R::RegionSubtree),
    (Admin, A::ManagePolicies, R::RegionSubtree),
    (Admin, A::ReadAwardRules, R::RegionSubtree),
    (Admin, A::ManageAwardRules, R::RegionSubtree),
    (Admin, A::ReadEntitlements, R::RegionSubtree),
    (Reviewer, A::ReadAwardRules, R::RegionSubtree),
    (Reviewer, A::ReadEntitlements, R::RegionSubtree),
    (Enterprise, A::ReadEntitlements, R::OwnEnterprise),
    (Enterprise, A::ApplyEntitlements, R::OwnEnterprise),
    (Reviewer, A::ReadPayouts, R::RegionSubtree),
    (Admin, A::ReadPayouts, R::RegionSubtree),
    (Admin, A::ManagePayouts, R::RegionSubtree),
    (Expert, A::OwnAccount, R::OwnAccount),
    (Expert, A::ReadIdentificationMethods, R::All),
    (Expert, A::ScorePanels, R::OwnAccount),
    (Admin, A::FileObjections, R::OwnAccount),
    (Admin, A::ManageNotices, R::RegionSubtree),
    (Expert, A::FileObjections, R::OwnAccount),
    (University, A::OwnAccount, R::OwnAccount),
    (University, A::FileObjections, R::OwnAccount),
    (Service, A::OwnAccount, R::OwnAccount),
    (Service, A::FileObjections, R::OwnAccount),
    (Sysadmin, A::OwnAccount, R::OwnAccount),
    (Sysadmin, A::ReadUsers, R::All),
    (Sysadmin, A::ManageUsers, R::All),
    (Secadmin, A::OwnAccount, R::OwnAccount),
    (Secadmin, A::ReadUsers, R::All),
    (Secadmin, A::GrantRoles, R::All),
    (Secadmin, A::ReadSecurityPolicy, R::All),
    (Secadmin, A::ManageSecurityPolicy, R::All),
    (Auditor, A::OwnAccount, R::OwnAccount),
    (Auditor, A::ReadAudit, R::All),
    (Auditor, A::ExportAudit, R::All),
];

/// The reach of `role` for `action`, if it has a grant.
pub fn grant(role: Role, action: Action) -> Option<Reach> {
    GRANTS
        .iter()
        .find(|(r, a, _)| *r == role && *a == action)
        .map(|(_, _, reach)| *reach)
}

/// The authenticated caller, as authorisation sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub region: Option<RegionCode>,
    /// The credit code of the enterprise an enterprise account belongs to.
    pub enterprise: Option<String>,
    /// Whether the account's real-name verification is approved and, for an account the
    /// system administrator created, its role granted by the security administrator.
    pub verified: bool,
}

/// The part of the platform a caller may see for one action: what list queries filter by and
/// single objects are checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Region(RegionCode),
    Enterprise(String),
    Account(i64),
}

/// Where an object sits, for the scope check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    pub region: Option<RegionCode>,
    pub enterprise: Option<String>,
    pub account: Option<i64>,
}

/// Why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 403: the role may never do this (or the account is not yet verified).
    Forbidden,
    /// 404: the object is outside the caller's scope, or does not exist.
    NotFound,
}

impl Scope {
    /// Whether an object placed so is inside this scope.
    pub fn admits(&self, p: &Placement) -> bool {
        match self {
            Scope::All => true,
            Scope::Region(r) => p.region.is_some_and(|o| r.contains(o)),
            Scope::Enterprise(e) => p.enterprise.as_deref() == Some(e.as_str()),
            Scope::Account(a) => p.account == Some(*a),
        }
    }
}

/// The scope `actor` has for `action`, or why it has none.
pub fn authorize(actor: &Actor, action: Action) -> Result<Scope, Refusal> {
    if !actor.verified && !action.open_before_verification() {
        return Err(Refusal::Forbidden);
    }
    let reach = grant(actor.role, action).ok_or(Refusal::Forbidden)?;
    Ok(match reach {
        Reach::All => Scope::All,
        // A regional grant without a region is a misconfigured account: it may do nothing.
        Reach::RegionSubtree => Scope::Region(actor.region.ok_or(Refusal::Forbidden)?),
        Reach::OwnEnterprise => match &actor.enterprise {
            Some(e) => Scope::Enterprise(e.clone()),
            None => return Err(Refusal::Forbidden),
        },
        Reach::OwnAccount => Scope::Account(actor.user_id),
    })
}

/// Authorises `action` on one object placed at `placement`.
pub fn authorize_on(actor: &Actor, action: Action, placement: &Placement) -> Result<(), Refusal> {
    let scope = authorize(actor, action)?;
    if scope.admits(placement) {
        Ok(())
    } else {
        Err(Refusal::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, region: Option<&str>) -> Actor {
        Actor {
            user_id: 7,
            username: "u".into(),
            role,
            region: region.map(|r| RegionCode::parse(r).unwrap()),
            enterprise: None,
            verified: true,
        }
    }

    #[test]
    fn the_three_administrators_are_kept_apart() {
        assert!(
            grant(Sysadmin, A::ReadAudit).is_none(),
            "sysadmin cannot read the audit log"
        );
        assert!(grant(Secadmin, A::ReadAudit).is_none());
        assert!(grant(Auditor, A::ManageUsers).is_none());
        assert!(grant(Sysadmin, A::ManageSecurityPolicy).is_none());
        assert!(
            grant(Sysadmin, A::GrantRoles).is_none(),
            "who creates an account does not give it power"
        );
        assert!(grant(Secadmin, A::ManageUsers).is_none());
        // The auditor changes nothing but its own account.
        for (role, action, _) in GRANTS {
            if *role == Auditor {
                assert!(
                    matches!(action, A::OwnAccount | A::ReadAudit | A::ExportAudit),
                    "{action:?}"
                );
            }
        }
    }

    #[test]
    fn no_role_and_action_is_granted_twice() {
        for (i, (r, a, _)) in GRANTS.iter().enumerate() {
            assert!(
                !GRANTS[i + 1..].iter().any(|(r2, a2, _)| r2 == r && a2 == a),
                "{r:?} {a:?}"
            );
        }
    }

    #[test]
    fn a_city_reviewer_sees_its_subtree_only() {
        let city = actor(Reviewer, Some("361000"));
        let inside = Placement {
            region: Some(RegionCode::parse("361002").unwrap()),
            ..Placement::default()
        };
        let outside = Placement {
            region: Some(RegionCode::parse("360102").unwrap()),
            ..Placement::default()
        };
        assert_eq!(authorize_on(&city, A::ReviewVerification, &inside), Ok(()));
        assert_eq!(
            authorize_on(&city, A::ReviewVerification, &outside),
            Err(Refusal::NotFound)
        );
        assert_eq!(
            authorize_on(&city, A::ManageUsers, &inside),
            Err(Refusal::Forbidden)
        );
    }

    #[test]
    fn an_unverified_account_may_only_finish_its_verification() {
        let mut e = actor(Enterprise, None);
        e.verified = false;
        assert!(authorize(&e, A::SubmitVerification).is_ok());
        assert!(authorize(&e, A::OwnAccount).is_ok());
        let mut r = actor(Reviewer, Some("100000"));
        r.verified = false;
        assert_eq!(
            authorize(&r, A::ReviewVerification),
            Err(Refusal::Forbidden)
        );
    }
}

/// Whether an account of role `by` may give another account `role` through `action`:
/// [`Action::ManageUsers`] creates an account with that role, [`Action::GrantRoles`] grants it.
/// Neither ever gives one of the three administrators' roles (made only on the server, 三员分立)
/// nor an enterprise's (its own sign-up, its account or a reviewer of its region). The service
/// enforces this and the forms offer exactly what it allows.
pub fn may_assign(by: Role, action: Action, role: Role) -> bool {
    matches!(action, Action::ManageUsers | Action::GrantRoles)
        && grant(by, action).is_some()
        && !role.is_three_admin()
        && role != Role::Enterprise
}

/// The roles [`may_assign`] lets an account of role `by` give through `action`, in
/// [`Role::ALL`]'s order.
pub fn assignable_roles(by: Role, action: Action) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|r| may_assign(by, action, *r))
        .collect()
}

#[cfg(test)]
mod assignable_tests {
    use super::*;

    #[test]
    fn the_system_administrator_creates_and_the_security_administrator_grants_staff_roles() {
        let staff = [
            Role::Reviewer,
            Role::Admin,
            Role::Expert,
            Role::University,
            Role::Service,
        ];
        assert_eq!(assignable_roles(Role::Sysadmin, Action::ManageUsers), staff);
        assert_eq!(assignable_roles(Role::Secadmin, Action::GrantRoles), staff);
        assert!(assignable_roles(Role::Secadmin, Action::ManageUsers).is_empty());
        assert!(assignable_roles(Role::Sysadmin, Action::GrantRoles).is_empty());
        assert!(assignable_roles(Role::Admin, Action::ManageUsers).is_empty());
        assert!(assignable_roles(Role::Sysadmin, Action::ReadUsers).is_empty());
    }
}
