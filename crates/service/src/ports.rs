//! Management ports (管理端口开通): a province's IP office applies with its contact details and
//! the national administrator approves or rejects; an office with an open port opens, closes
//! and reopens the ports below it (a province its cities and counties, a city its counties):
//! whoever may close a port may open it again. An administrator whose port is not open sees
//! nothing but this: every other administrative action is refused until then.

use crate::audit::record;
use crate::{Ctx, ServiceError, ServiceResult, Services};
use serde_json::json;
use zhichan_domain::access::{authorize, Action, Actor, Refusal};
use zhichan_domain::accounts::Role;
use zhichan_domain::{RegionCode, RegionLevel, Violation};
use zhichan_store::ports::{self, Port};

/// What a province's application says.
#[derive(Clone, Debug, Default)]
pub struct Application {
    /// The applying office, e.g. 江西省知识产权局.
    pub unit: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub purpose: String,
}

fn invalid(field: &str, zh: &str) -> ServiceError {
    ServiceError::invalid(field, Violation::new("required", zh, "required"))
}

fn check(app: &Application) -> ServiceResult<()> {
    let mut errors = Vec::new();
    let mut need = |field: &str, v: &str, zh: &str| {
        if v.trim().is_empty() || v.chars().count() > 200 {
            errors.push(crate::FieldViolation::new(
                field,
                Violation::new("required", zh, "required"),
            ));
        }
    };
    need("unit", &app.unit, "请填写申请单位");
    need("contact_name", &app.contact_name, "请填写联系人");
    need("purpose", &app.purpose, "请说明开通用途");
    let phone_ok = app
        .contact_phone
        .chars()
        .filter(char::is_ascii_digit)
        .count()
        >= 7;
    if !phone_ok {
        errors.push(crate::FieldViolation::new(
            "contact_phone",
            Violation::new("invalid_phone", "请填写有效的联系电话", "invalid phone"),
        ));
    }
    use zhichan_domain::validation::{limits, max_chars};
    for (field, value, limit) in [
        ("contact_phone", &app.contact_phone, limits::CONTACT_PHONE),
        ("contact_email", &app.contact_email, limits::CONTACT_EMAIL),
    ] {
        if let Err(v) = max_chars(value, limit) {
            errors.push(crate::FieldViolation::new(field, v));
        }
    }
    if !app.contact_email.contains('@') {
        errors.push(crate::FieldViolation::new(
            "contact_email",
            Violation::new("invalid_email", "请填写有效的电子邮箱", "invalid e-mail"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// How the audit log names a port.
fn object(region: RegionCode) -> String {
    format!("port:{region}")
}

fn province_of(r: RegionCode) -> RegionCode {
    r.self_and_ancestors()
        .find(|a| a.level() == RegionLevel::Province)
        .unwrap_or(r)
}

impl Services {
    /// Whether a region's management port is open: the nation always; a province once the
    /// nation approved it; a city or county when its province is open and opened it.
    pub async fn port_open(&self, region: RegionCode) -> ServiceResult<bool> {
        if region == RegionCode::NATION {
            return Ok(true);
        }
        let open = |p: Option<Port>| p.is_some_and(|p| p.status == "open");
        let province = province_of(region);
        if !open(ports::get(self.db(), province).await?) {
            return Ok(false);
        }
        Ok(region == province || open(ports::get(self.db(), region).await?))
    }

    /// Administrators act only through an open port; everyone else is unaffected.
    pub async fn port_gate(&self, actor: &Actor) -> ServiceResult<()> {
        if actor.role != Role::Admin {
            return Ok(());
        }
        match actor.region {
            Some(r) if self.port_open(r).await? => Ok(()),
            _ => Err(ServiceError::PortClosed),
        }
    }

    /// The ports the caller may see: its own region's and those below it.
    pub async fn ports(&self, actor: &Actor) -> ServiceResult<Vec<Port>> {
        authorize(actor, Action::ManagePorts)?;
        let region = actor.region.ok_or(ServiceError::Forbidden)?;
        Ok(ports::within(self.db(), region).await?)
    }

    async fn write_port(
        &self,
        ctx: &Ctx,
        actor: Option<&Actor>,
        port: &Port,
        version: i64,
        what: &str,
    ) -> ServiceResult<Port> {
        let tx = self.db().begin().await?;
        if !ports::put(&tx, port, version).await? {
            return Err(ServiceError::Conflict(
                "端口状态已被他人修改，请刷新后重试".into(),
            ));
        }
        record(
            &tx,
            ctx,
            actor,
            what,
            &object(port.region),
            "ok",
            json!({"status": port.status, "unit": port.unit, "reason": port.reason}),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        ports::get(self.db(), port.region)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// A provincial administrator applies to open its province's port (again after a
    /// rejection or a closing).
    pub async fn apply_port(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        app: Application,
    ) -> ServiceResult<Port> {
        authorize(actor, Action::ManagePorts)?;
        let region = actor.region.ok_or(ServiceError::Forbidden)?;
        if region.level() != RegionLevel::Province {
            return Err(invalid(
                "region",
                "只有省级管理部门向国家提出开通申请；市、县由上级管理部门开通",
            ));
        }
        check(&app)?;
        let existing = ports::get(self.db(), region).await?;
        if let Some(p) = &existing {
            if p.status == "applied" || p.status == "open" {
                return Err(ServiceError::Conflict(if p.status == "open" {
                    "本省管理端口已开通".into()
                } else {
                    "已提交申请，正在等待审核".into()
                }));
            }
        }
        let port = Port {
            region,
            status: "applied".into(),
            unit: app.unit.trim().into(),
            contact_name: app.contact_name.trim().into(),
            contact_phone: app.contact_phone.trim().into(),
            contact_email: app.contact_email.trim().into(),
            purpose: app.purpose.trim().into(),
            applied_by: actor.username.clone(),
            applied_at: self.now(),
            decided_by: None,
            decided_at: None,
            reason: None,
            version: 0,
        };
        let version = existing.map_or(0, |p| p.version);
        self.write_port(ctx, Some(actor), &port, version, "port.apply")
            .await
    }

    /// The national administrator approves or rejects a province's application.
    pub async fn decide_port(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        region: RegionCode,
        version: i64,
        approve: bool,
        reason: Option<&str>,
    ) -> ServiceResult<Port> {
        authorize(actor, Action::ManagePorts)?;
        if actor.region != Some(RegionCode::NATION) {
            return Err(self
                .refused(
                    actor,
                    Action::ManagePorts,
                    &object(region),
                    Refusal::NotFound,
                )
                .await);
        }
        let mut p = ports::get(self.db(), region)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if p.status != "applied" {
            return Err(invalid("status", "该申请已处理"));
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reason {
            zhichan_domain::validation::max_chars(r, zhichan_domain::validation::limits::REASON)
                .map_err(|v| crate::ServiceError::invalid("reason", v))?;
        }
        if !approve && reason.is_none() {
            return Err(invalid("reason", "不予开通须说明理由"));
        }
        p.status = if approve { "open" } else { "rejected" }.into();
        p.decided_by = Some(actor.username.clone());
        p.decided_at = Some(self.now());
        p.reason = reason.map(String::from);
        let what = if approve {
            "port.approve"
        } else {
            "port.reject"
        };
        self.write_port(ctx, Some(actor), &p, version, what).await
    }

    /// An office (with its own port open) opens the port of a region below it: the nation any
    /// province, city or county, a province its cities and counties, a city its counties.
    pub async fn open_child_port(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        region: RegionCode,
        app: Application,
    ) -> ServiceResult<Port> {
        authorize(actor, Action::ManagePorts)?;
        self.port_gate(actor).await?;
        self.port_below(actor, region).await?;
        check(&app)?;
        let existing = ports::get(self.db(), region).await?;
        let now = self.now();
        let port = Port {
            region,
            status: "open".into(),
            unit: app.unit.trim().into(),
            contact_name: app.contact_name.trim().into(),
            contact_phone: app.contact_phone.trim().into(),
            contact_email: app.contact_email.trim().into(),
            purpose: app.purpose.trim().into(),
            applied_by: actor.username.clone(),
            applied_at: now,
            decided_by: Some(actor.username.clone()),
            decided_at: Some(now),
            reason: None,
            version: 0,
        };
        let version = existing.map_or(0, |p| p.version);
        self.write_port(ctx, Some(actor), &port, version, "port.open")
            .await
    }

    /// Closes a port below the caller's region (the same ports it may open and reopen).
    pub async fn close_port(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        region: RegionCode,
        version: i64,
        reason: &str,
    ) -> ServiceResult<Port> {
        authorize(actor, Action::ManagePorts)?;
        self.port_gate(actor).await?;
        self.port_below(actor, region).await?;
        if reason.trim().is_empty() {
            return Err(invalid("reason", "关闭端口须说明理由"));
        }
        zhichan_domain::validation::max_chars(reason, zhichan_domain::validation::limits::REASON)
            .map_err(|v| crate::ServiceError::invalid("reason", v))?;
        let mut p = ports::get(self.db(), region)
            .await?
            .ok_or(ServiceError::NotFound)?;
        p.status = "closed".into();
        p.decided_by = Some(actor.username.clone());
        p.decided_at = Some(self.now());
        p.reason = Some(reason.trim().into());
        self.write_port(ctx, Some(actor), &p, version, "port.close")
            .await
    }

    /// Reopens a closed port below the caller's region with the details it was opened with.
    pub async fn reopen_port(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        region: RegionCode,
        version: i64,
    ) -> ServiceResult<Port> {
        authorize(actor, Action::ManagePorts)?;
        self.port_gate(actor).await?;
        self.port_below(actor, region).await?;
        let mut p = ports::get(self.db(), region)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if p.status != "closed" {
            return Err(ServiceError::invalid(
                "status",
                Violation::new(
                    "invalid_transition",
                    "只有已关闭的端口可以重新开通",
                    "not closed",
                ),
            ));
        }
        p.status = "open".into();
        p.decided_by = Some(actor.username.clone());
        p.decided_at = Some(self.now());
        p.reason = None;
        self.write_port(ctx, Some(actor), &p, version, "port.reopen")
            .await
    }

    /// The rule for opening, closing and reopening alike: an office manages the ports strictly
    /// below its own region. Any other port does not exist for it, and asking leaves a trace.
    async fn port_below(&self, actor: &Actor, region: RegionCode) -> ServiceResult<()> {
        let mine = actor.region.ok_or(ServiceError::Forbidden)?;
        if mine != region && mine.contains(region) {
            Ok(())
        } else {
            Err(self
                .refused(
                    actor,
                    Action::ManagePorts,
                    &object(region),
                    Refusal::NotFound,
                )
                .await)
        }
    }

    /// Opens a region's port (and its province's, if needed) on the operator's authority: for
    /// `zhichan port open` when a platform is set up, and for the demo.
    pub async fn open_port_by_operator(&self, region: RegionCode, unit: &str) -> ServiceResult<()> {
        if region == RegionCode::NATION {
            return Ok(());
        }
        for r in [province_of(region), region] {
            let existing = ports::get(self.db(), r).await?;
            if existing.as_ref().is_some_and(|p| p.status == "open") {
                continue;
            }
            let now = self.now();
            // The province's port opened on the way is its own office's, never the city's.
            let unit = if r == region {
                unit.to_string()
            } else {
                province_office(self, r).await?
            };
            let port = Port {
                region: r,
                status: "open".into(),
                unit,
                contact_name: "平台运维".into(),
                contact_phone: "-".into(),
                contact_email: "-".into(),
                purpose: "由运维人员在命令行开通".into(),
                applied_by: "operator".into(),
                applied_at: now,
                decided_by: Some("operator".into()),
                decided_at: Some(now),
                reason: None,
                version: 0,
            };
            let version = existing.map_or(0, |p| p.version);
            self.write_port(&Ctx::cli(), None, &port, version, "port.open")
                .await?;
        }
        Ok(())
    }
}

/// The name of a region's own IP office, as a port opened on its behalf names it
/// ("江西省知识产权管理部门").
async fn province_office(s: &Services, r: RegionCode) -> ServiceResult<String> {
    let name = zhichan_store::regions::get(s.db(), r)
        .await?
        .map(|g| g.name)
        .unwrap_or_else(|| r.to_string());
    Ok(format!("{name}知识产权管理部门"))
}
