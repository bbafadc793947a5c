//! Identification methods (评价方法) as versioned data: written by the national administrator,
//! read by staff. A version is a draft until published; publishing runs its worked examples and
//! is refused while one fails (`example_failed`); a published version is never edited, a change
//! makes a new draft version after it.

use crate::audit::record;
use crate::{Ctx, ServiceError, ServiceResult, Services};
use serde_json::json;
use zhichan_domain::access::{authorize, Action, Actor, Placement};
use zhichan_domain::identification::{run_examples, starter_method, ExampleFailure, Method};
use zhichan_domain::{RegionCode, Timestamp, Violation};
use zhichan_store::identification_methods::{self as store, MethodVersion};
use zhichan_store::StoreError;

/// One stored version, parsed.
#[derive(Clone, Debug)]
pub struct Version {
    pub id: i64,
    pub version: i64,
    pub published: bool,
    pub method: Method,
    /// The worked examples that do not hold.
    pub failures: Vec<ExampleFailure>,
    pub changed_by: String,
    pub changed_at: Timestamp,
    pub published_by: Option<String>,
    pub published_at: Option<Timestamp>,
}

/// A method: the version asked for (or the newest) and the whole history, newest first.
#[derive(Clone, Debug)]
pub struct MethodHistory {
    pub current: Version,
    pub versions: Vec<Version>,
}

impl MethodHistory {
    pub fn published_version(&self) -> Option<i64> {
        self.versions
            .iter()
            .find(|v| v.published)
            .map(|v| v.version)
    }
}

/// One method in the list: its newest version and newest published version.
#[derive(Clone, Debug)]
pub struct MethodSummary {
    pub id: i64,
    pub name: String,
    pub version: i64,
    pub published: bool,
    pub published_version: Option<i64>,
    pub changed_at: Timestamp,
}

fn parse(v: MethodVersion) -> ServiceResult<Version> {
    let method: Method = serde_json::from_str(&v.body).map_err(|e| {
        ServiceError::Store(StoreError::Corrupt(format!(
            "identification method {} version {}: {e}",
            v.method_id, v.version
        )))
    })?;
    Ok(Version {
        id: v.method_id,
        version: v.version,
        published: v.status == "published",
        failures: run_examples(&method),
        method,
        changed_by: v.changed_by,
        changed_at: v.changed_at,
        published_by: v.published_by,
        published_at: v.published_at,
    })
}

fn invalid(errs: Vec<(String, Violation)>) -> ServiceError {
    ServiceError::invalid_fields(errs)
}

fn stale() -> ServiceError {
    ServiceError::Conflict("评价方法已被他人修改，请刷新后在最新版本上修改".into())
}

impl Services {
    /// Methods hold for the whole country: only an administrator whose region is the nation
    /// writes them (anyone else is outside their scope).
    async fn may_manage_methods(&self, actor: &Actor, object: &str) -> ServiceResult<()> {
        authorize(actor, Action::ManageIdentificationMethods)?;
        self.scoped(
            actor,
            Action::ManageIdentificationMethods,
            &Placement {
                region: Some(RegionCode::NATION),
                ..Placement::default()
            },
            object,
        )
        .await
    }

    /// Whether `actor` may write methods (for pages that offer the form).
    pub fn can_manage_methods(actor: &Actor) -> bool {
        matches!(
            authorize(actor, Action::ManageIdentificationMethods),
            Ok(zhichan_domain::access::Scope::All)
                | Ok(zhichan_domain::access::Scope::Region(RegionCode::NATION))
        )
    }

    /// Every method, newest first.
    pub async fn identification_methods(&self, actor: &Actor) -> ServiceResult<Vec<MethodSummary>> {
        authorize(actor, Action::ReadIdentificationMethods)?;
        let published = store::published_versions(self.db()).await?;
        Ok(store::latest_of_each(self.db())
            .await?
            .into_iter()
            .map(|v| MethodSummary {
                id: v.method_id,
                published_version: published
                    .iter()
                    .find(|(m, _)| *m == v.method_id)
                    .map(|(_, n)| *n),
                name: v.name,
                version: v.version,
                published: v.status == "published",
                changed_at: v.changed_at,
            })
            .collect())
    }

    /// A method with its versions; `version` picks one (default: the newest).
    pub async fn identification_method(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> ServiceResult<MethodHistory> {
        authorize(actor, Action::ReadIdentificationMethods)?;
        self.method_history(id, version).await
    }

    async fn method_history(&self, id: i64, version: Option<i64>) -> ServiceResult<MethodHistory> {
        let versions = store::versions(self.db(), id)
            .await?
            .into_iter()
            .map(parse)
            .collect::<ServiceResult<Vec<_>>>()?;
        let current = match version {
            None => versions.first(),
            Some(n) => versions.iter().find(|v| v.version == n),
        }
        .cloned()
        .ok_or(ServiceError::NotFound)?;
        Ok(MethodHistory { current, versions })
    }

    /// Creates a method; its first version is a draft.
    pub async fn create_identification_method(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        method: Method,
    ) -> ServiceResult<MethodHistory> {
        self.may_manage_methods(actor, "identification_method:new")
            .await?;
        let errs = method.check();
        if !errs.is_empty() {
            return Err(invalid(errs));
        }
        let body = serde_json::to_string(&method).expect("a method serialises");
        let now = self.now();
        let tx = self.db().begin().await?;
        let id = store::create(&tx, &method.name, &body, &actor.username, now).await?;
        record(
            &tx,
            ctx,
            Some(actor),
            "identification_method.create",
            &format!("identification_method:{id}"),
            "ok",
            json!({"version": 1, "name": method.name}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.method_history(id, None).await
    }

    /// Changes a method from the version `based_on`, which must be the newest: a draft is
    /// changed in place; a published version is kept as it is and the change becomes the next
    /// version, a draft.
    pub async fn edit_identification_method(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        based_on: i64,
        method: Method,
    ) -> ServiceResult<MethodHistory> {
        self.may_manage_methods(actor, &format!("identification_method:{id}"))
            .await?;
        let latest = store::versions(self.db(), id)
            .await?
            .into_iter()
            .next()
            .ok_or(ServiceError::NotFound)?;
        if latest.version != based_on {
            return Err(stale());
        }
        let errs = method.check();
        if !errs.is_empty() {
            return Err(invalid(errs));
        }
        let body = serde_json::to_string(&method).expect("a method serialises");
        let now = self.now();
        let tx = self.db().begin().await?;
        let version = if latest.status == "draft" {
            let n = store::update_draft(
                &tx,
                id,
                latest.version,
                &method.name,
                &body,
                &actor.username,
                now,
            )
            .await?;
            if n == 0 {
                return Err(stale());
            }
            latest.version
        } else {
            let next = latest.version + 1;
            match store::insert_version(&tx, id, next, &method.name, &body, &actor.username, now)
                .await
            {
                Err(StoreError::Unique { .. }) => return Err(stale()),
                other => other?,
            }
            next
        };
        record(
            &tx,
            ctx,
            Some(actor),
            "identification_method.edit",
            &format!("identification_method:{id}"),
            "ok",
            json!({"version": version, "name": method.name}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.method_history(id, None).await
    }

    /// Publishes a draft version once every worked example holds (422 `example_failed` naming
    /// each failing example otherwise).
    pub async fn publish_identification_method(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        version: i64,
    ) -> ServiceResult<MethodHistory> {
        self.may_manage_methods(actor, &format!("identification_method:{id}"))
            .await?;
        let history = self.method_history(id, Some(version)).await?;
        let v = &history.current;
        if v.published {
            return Err(ServiceError::Conflict(format!(
                "第 {version} 版已经发布；发布后的版本不能修改，请在其上保存新版本"
            )));
        }
        if history.versions.first().map(|l| l.version) != Some(version) {
            return Err(stale());
        }
        let mut errs = v.method.check();
        if v.method.examples.is_empty() {
            errs.push((
                "examples".into(),
                Violation::new(
                    "required",
                    "发布前至少需要一个算例，用来核对方法给出预期的结论",
                    "at least one worked example is required to publish",
                ),
            ));
        }
        for f in &v.failures {
            errs.push((
                format!("examples[{}]", f.index),
                Violation::new(
                    "example_failed",
                    f.message_zh.clone(),
                    format!("worked example \"{}\" fails", f.name),
                ),
            ));
        }
        if !errs.is_empty() {
            return Err(invalid(errs));
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        if store::publish(&tx, id, version, &actor.username, now).await? == 0 {
            return Err(stale());
        }
        record(
            &tx,
            ctx,
            Some(actor),
            "identification_method.publish",
            &format!("identification_method:{id}"),
            "ok",
            json!({"version": version, "name": v.method.name}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.method_history(id, None).await
    }

    /// Loads the starter method (示例方法，非国家标准) and publishes it, unless a method of that
    /// name exists; its id, and whether it was loaded now. Run on the server (the CLI and the
    /// demo), as the operator.
    pub async fn load_starter_method(&self, ctx: &Ctx) -> ServiceResult<(i64, bool)> {
        let method = starter_method();
        if let Some(v) = store::latest_of_each(self.db())
            .await?
            .into_iter()
            .find(|v| v.name == method.name)
        {
            return Ok((v.method_id, false));
        }
        assert!(
            run_examples(&method).is_empty(),
            "the starter's examples hold"
        );
        let body = serde_json::to_string(&method).expect("a method serialises");
        let now = self.now();
        let tx = self.db().begin().await?;
        let id = store::create(&tx, &method.name, &body, "zhichan", now).await?;
        store::publish(&tx, id, 1, "zhichan", now).await?;
        record(
            &tx,
            ctx,
            None,
            "identification_method.load_starter",
            &format!("identification_method:{id}"),
            "ok",
            json!({"version": 1, "name": method.name}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((id, true))
    }
}
