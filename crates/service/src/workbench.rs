//! The workbench (工作台) of each role other than the enterprise's (see [`crate::dashboard`]):
//! what waits for the caller, counted in its scope. Every count is one indexed query or a read
//! of the rollups (never a scan of the product table), and each scope comes from the one
//! authorisation table: a county office sees its county, never its sibling's.

use crate::{ServiceError, ServiceResult, Services};
use zhichan_domain::access::{authorize, Action, Actor, Scope};
use zhichan_domain::accounts::Role;
use zhichan_domain::registration::{AmendmentStatus, ProductStatus};
use zhichan_domain::{RegionCode, Timestamp};
use zhichan_store::products::{self, Filter, Within};
use zhichan_store::stats::Summary;
use zhichan_store::users::User;
use zhichan_store::workbench::{self as store, Lockout};
use zhichan_store::{directories, regions, reports};

/// A product returned to its enterprise and submitted again, with the versions to compare.
#[derive(Clone, Debug)]
pub struct Resubmitted {
    pub id: i64,
    pub name: String,
    pub model: String,
    pub submitted_at: Option<Timestamp>,
    /// The version it was returned at (absent for a history that lost it).
    pub returned_version: Option<i64>,
    pub version: i64,
}

#[derive(Clone, Debug)]
pub struct ReviewerBench {
    pub region_name: String,
    /// Registrations waiting for review.
    pub queue: i64,
    /// Of those, past their deadline of `working_days` working days.
    pub overdue: i64,
    /// Submitted before this moment means overdue today (the overdue list's filter).
    pub overdue_before: Timestamp,
    pub working_days: u32,
    /// Registrations returned and submitted again, and the oldest few.
    pub resubmitted: i64,
    pub resubmitted_items: Vec<Resubmitted>,
    /// Changes (变更) of registered products waiting.
    pub amendments: i64,
    pub verifications: i64,
    pub enterprise_changes: i64,
}

/// One sub-region's registrations in the month.
#[derive(Clone, Debug)]
pub struct SubRegion {
    pub code: RegionCode,
    pub name: String,
    pub registered: i64,
}

/// A key-enterprise directory of the office's own region and how much of it is covered.
#[derive(Clone, Debug)]
pub struct DirectoryCoverage {
    pub id: i64,
    pub name: String,
    pub listed: i64,
    pub covered: i64,
}

impl DirectoryCoverage {
    /// Covered share in per mille, for a bar of the page.
    pub fn permille(&self) -> i64 {
        if self.listed == 0 {
            0
        } else {
            self.covered * 1000 / self.listed
        }
    }
}

#[derive(Clone, Debug)]
pub struct OfficeBench {
    pub region: RegionCode,
    pub region_name: String,
    /// `YYYY-MM`, Beijing time.
    pub month: String,
    pub month_total: i64,
    pub sub_regions: Vec<SubRegion>,
    pub summary: Summary,
    pub directories: Vec<DirectoryCoverage>,
    /// Port applications below the office waiting for its decision.
    pub ports_waiting: i64,
    /// Sub-regions whose management port is not open yet.
    pub ports_unopened: i64,
    /// This year (Beijing) and the products identified in the region subtree in batches
    /// announced this year, from the identified rollup.
    pub year: i32,
    pub identified_this_year: i64,
    /// Identified in every year.
    pub identified_total: i64,
}

#[derive(Clone, Debug)]
pub struct AccountsBench {
    pub awaiting_grant: i64,
    pub awaiting: Vec<User>,
}

#[derive(Clone, Debug)]
pub struct SecurityBench {
    pub awaiting_grant: i64,
    pub awaiting: Vec<User>,
    pub lockouts: i64,
    pub locks: Vec<Lockout>,
}

#[derive(Clone, Debug)]
pub struct AuditBench {
    /// Beijing date of today, `YYYY-MM-DD`.
    pub today: String,
    pub entries_today: i64,
    pub logins_today: i64,
    pub recent: Vec<zhichan_store::audit::Entry>,
}

/// The workbench of a signed-in caller.
#[derive(Clone, Debug)]
pub enum Workbench {
    Reviewer(ReviewerBench),
    Office(OfficeBench),
    Sysadmin(AccountsBench),
    Secadmin(SecurityBench),
    Auditor(AuditBench),
}

/// How many resubmitted registrations a workbench names one by one.
const RESUBMITTED_SHOWN: i64 = 8;
/// How many accounts, locks and audit entries a workbench lists.
const LISTED: i64 = 8;

/// The first moment of a Beijing calendar day.
fn beijing_midnight(d: time::Date) -> Timestamp {
    Timestamp::from_datetime(
        d.midnight()
            .assume_offset(time::UtcOffset::from_hms(8, 0, 0).expect("offset")),
    )
}

async fn region_name(s: &Services, r: RegionCode) -> ServiceResult<String> {
    if r == RegionCode::NATION {
        return Ok("全国".into());
    }
    Ok(regions::get(s.db(), r)
        .await?
        .map_or_else(|| r.to_string(), |x| x.name))
}

impl Services {
    /// The caller's workbench, or `None` for a role without one here (the enterprise's is
    /// [`Services::enterprise_dashboard`]; experts and others have none yet).
    pub async fn workbench(&self, actor: &Actor) -> ServiceResult<Option<Workbench>> {
        Ok(Some(match actor.role {
            Role::Reviewer => Workbench::Reviewer(self.reviewer_bench(actor).await?),
            Role::Admin => Workbench::Office(self.office_bench(actor).await?),
            Role::Sysadmin => Workbench::Sysadmin(self.accounts_bench(actor).await?),
            Role::Secadmin => Workbench::Secadmin(self.security_bench(actor).await?),
            Role::Auditor => Workbench::Auditor(self.audit_bench(actor).await?),
            _ => return Ok(None),
        }))
    }

    async fn reviewer_bench(&self, actor: &Actor) -> ServiceResult<ReviewerBench> {
        let (within, region) = match authorize(actor, Action::ReviewRegistrations)? {
            Scope::All => (Within::All, RegionCode::NATION),
            Scope::Region(r) => (Within::Region(r), r),
            _ => return Err(ServiceError::Forbidden),
        };
        let verifications = match authorize(actor, Action::ReviewVerification) {
            Ok(_) => store::verifications_pending(self.db(), region).await?,
            Err(_) => 0,
        };
        let db = self.db();
        let submitted = Filter {
            status: Some(ProductStatus::Submitted),
            ..Filter::default()
        };
        let queue = products::count_matching(db, &within, &submitted).await?;
        // Overdue is monotone in the day of submission: everything submitted before the end
        // of the last day whose submissions are past their deadline is overdue.
        let terms = self.review_terms().await?;
        let overdue_before = self.overdue_before().await?;
        let overdue = products::count_matching(
            db,
            &within,
            &Filter {
                submitted_before: Some(overdue_before),
                ..submitted.clone()
            },
        )
        .await?;
        let again = Filter {
            resubmitted: true,
            queue_order: true,
            ..submitted.clone()
        };
        let (rows, resubmitted) = products::list(db, &within, &again, RESUBMITTED_SHOWN, 0).await?;
        let mut resubmitted_items = Vec::with_capacity(rows.len());
        for p in rows {
            resubmitted_items.push(Resubmitted {
                returned_version: store::returned_version(db, p.id, p.version).await?,
                id: p.id,
                name: p.name,
                model: p.model,
                submitted_at: p.submitted_at,
                version: p.version,
            });
        }
        let amendments = products::count_matching(
            db,
            &within,
            &Filter {
                amendment: Some(AmendmentStatus::Submitted),
                ..Filter::default()
            },
        )
        .await?;
        Ok(ReviewerBench {
            region_name: region_name(self, region).await?,
            queue,
            overdue,
            overdue_before,
            working_days: terms.working_days,
            resubmitted,
            resubmitted_items,
            amendments,
            verifications,
            enterprise_changes: store::enterprise_changes_waiting(db, region).await?,
        })
    }

    async fn office_bench(&self, actor: &Actor) -> ServiceResult<OfficeBench> {
        // The statistics' own gate: the role's grant, its region subtree and an open port.
        let (region, summary) = self.stats_summary(actor, None).await?;
        let db = self.db();
        let today = self.now().beijing_date();
        let month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
        let (month_total, _) = reports::in_month(db, region, &month).await?;
        let mut sub_regions = Vec::new();
        for child in regions::children(db, region).await? {
            let (registered, _) = reports::in_month(db, child.code, &month).await?;
            sub_regions.push(SubRegion {
                code: child.code,
                name: child.name,
                registered,
            });
        }
        sub_regions.sort_by(|a, b| b.registered.cmp(&a.registered).then(a.code.cmp(&b.code)));
        let mut dirs = Vec::new();
        if authorize(actor, Action::ManageDirectories).is_ok() {
            for d in directories::within(db, region).await? {
                if d.region != region {
                    continue;
                }
                dirs.push(DirectoryCoverage {
                    covered: store::directory_covered(db, d.id).await?,
                    id: d.id,
                    name: d.name,
                    listed: d.listed,
                });
            }
        }
        let (mut ports_waiting, mut ports_unopened) = (0, 0);
        if authorize(actor, Action::ManagePorts).is_ok() {
            // One row per region at most: the subtree's ports are few.
            let ports = zhichan_store::ports::within(db, region).await?;
            ports_waiting = ports
                .iter()
                .filter(|p| p.region != region && p.status == "applied")
                .count() as i64;
            let open: std::collections::HashSet<RegionCode> = ports
                .iter()
                .filter(|p| p.status == "open")
                .map(|p| p.region)
                .collect();
            ports_unopened = sub_regions
                .iter()
                .filter(|c| !open.contains(&c.code))
                .count() as i64;
        }
        let identified_this_year =
            zhichan_store::identified_stats::total(db, region, Some(today.year())).await?;
        let identified_total = zhichan_store::identified_stats::total(db, region, None).await?;
        Ok(OfficeBench {
            year: today.year(),
            identified_this_year,
            identified_total,
            region,
            region_name: region_name(self, region).await?,
            month,
            month_total,
            sub_regions,
            summary,
            directories: dirs,
            ports_waiting,
            ports_unopened,
        })
    }

    async fn accounts_bench(&self, actor: &Actor) -> ServiceResult<AccountsBench> {
        authorize(actor, Action::ReadUsers)?;
        Ok(AccountsBench {
            awaiting_grant: store::awaiting_grant(self.db()).await?,
            awaiting: store::awaiting_grant_list(self.db(), LISTED, 0).await?,
        })
    }

    async fn security_bench(&self, actor: &Actor) -> ServiceResult<SecurityBench> {
        authorize(actor, Action::GrantRoles)?;
        let (locks, lockouts) = store::lockouts(self.db(), self.now(), LISTED).await?;
        Ok(SecurityBench {
            awaiting_grant: store::awaiting_grant(self.db()).await?,
            awaiting: store::awaiting_grant_list(self.db(), LISTED, 0).await?,
            lockouts,
            locks,
        })
    }

    async fn audit_bench(&self, actor: &Actor) -> ServiceResult<AuditBench> {
        authorize(actor, Action::ReadAudit)?;
        let today = self.now().beijing_date();
        let from = beijing_midnight(today);
        let recent = store::recent_audit(self.db(), LISTED).await?;
        Ok(AuditBench {
            today: zhichan_domain::enterprises::format_date(today),
            entries_today: store::audit_since(self.db(), from, None).await?,
            logins_today: store::audit_since(self.db(), from, Some("session.login")).await?,
            recent,
        })
    }

    /// The accounts waiting for their grant, a page of them, for the filtered user list.
    pub async fn users_awaiting_grant(
        &self,
        actor: &Actor,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<User>, i64)> {
        authorize(actor, Action::ReadUsers)?;
        Ok((
            store::awaiting_grant_list(self.db(), limit, offset).await?,
            store::awaiting_grant(self.db()).await?,
        ))
    }
}

impl Services {
    /// The moment before which a waiting registration is past its review deadline today.
    pub async fn overdue_before(&self) -> ServiceResult<Timestamp> {
        let terms = self.review_terms().await?;
        let mut day = terms.today;
        for _ in 0..800 {
            if terms
                .calendar
                .deadline(day, terms.working_days, terms.today)
                .overdue()
            {
                break;
            }
            day = day.previous_day().unwrap_or(day);
        }
        Ok(beijing_midnight(day.next_day().unwrap_or(day)))
    }
}
