//! Rules officials keep as versioned data (identification methods, award rules, and whatever
//! comes next), written once: a rule is created as a draft; a change is based on the newest
//! version (409 otherwise) and changes a draft in place or, after a published version, becomes
//! the next version, a draft; publishing runs the worked examples and is refused while one
//! fails (`example_failed`); a published version is never edited. Each kind says, through
//! [`RuleKind`], where it is stored, what it is called and who may keep it.

use crate::audit::record;
use crate::{Ctx, ServiceError, ServiceResult, Services};
use serde_json::json;
use std::future::Future;
use zhichan_domain::access::Actor;
use zhichan_domain::rule_versions::{ExampleFailure, VersionedRule};
use zhichan_domain::Timestamp;
use zhichan_store::db::Param;
use zhichan_store::rule_versions::{self as store, Filter, StoredVersion, Tables};
use zhichan_store::{StoreError, Tx};

/// What differs between kinds of rules.
pub trait RuleKind: VersionedRule {
    const TABLES: Tables;
    /// The audit's name for it (`award_rule`): objects `award_rule:7`, actions `award_rule.edit`.
    const OBJECT: &'static str;
    /// Its name for people (奖补规则).
    const NOUN_ZH: &'static str;

    /// Refuses `actor` unless they may keep rules of this kind (`at` is `None`), or this rule
    /// where it stands (`at`: the newest version before a change, and the change).
    fn may_keep(
        s: &Services,
        actor: &Actor,
        at: Option<&Self>,
        object: &str,
    ) -> impl Future<Output = ServiceResult<()>> + Send;

    /// Checks that need the database (the policy an award rule cites).
    fn check_more(s: &Services, rule: &Self) -> impl Future<Output = ServiceResult<()>> + Send {
        let _ = (s, rule);
        async { Ok(()) }
    }

    /// The columns of the rule's own row beyond who created it and when.
    fn columns(rule: &Self) -> Vec<(&'static str, Param)> {
        let _ = rule;
        Vec::new()
    }

    /// After a change is saved: what the rule's own row follows of it.
    fn saved(
        tx: &Tx,
        id: i64,
        before: &Self,
        after: &Self,
    ) -> impl Future<Output = ServiceResult<()>> + Send {
        let _ = (tx, id, before, after);
        async { Ok(()) }
    }
}

/// One stored version, parsed, with the worked examples that do not hold.
#[derive(Clone, Debug)]
pub struct Version<R> {
    pub id: i64,
    pub version: i64,
    pub published: bool,
    pub rule: R,
    pub failures: Vec<ExampleFailure>,
    pub changed_by: String,
    pub changed_at: Timestamp,
    pub published_by: Option<String>,
    pub published_at: Option<Timestamp>,
}

/// A rule: the version asked for (or the newest) and every version, newest first.
#[derive(Clone, Debug)]
pub struct History<R> {
    pub current: Version<R>,
    pub versions: Vec<Version<R>>,
}

impl<R> History<R> {
    /// The newest published version, if any.
    pub fn published_version(&self) -> Option<i64> {
        self.versions
            .iter()
            .find(|v| v.published)
            .map(|v| v.version)
    }
}

/// A rule in a list: its newest version (read, not evaluated) and newest published version.
#[derive(Clone, Debug)]
pub struct Summary<R> {
    pub id: i64,
    pub name: String,
    pub version: i64,
    pub published: bool,
    pub published_version: Option<i64>,
    pub rule: R,
    pub changed_at: Timestamp,
}

/// The rule a stored version holds.
pub fn rule_of<R: RuleKind>(v: &StoredVersion) -> ServiceResult<R> {
    serde_json::from_str(&v.body).map_err(|e| {
        ServiceError::Store(StoreError::Corrupt(format!(
            "{} {} version {}: {e}",
            R::OBJECT,
            v.rule_id,
            v.version
        )))
    })
}

/// A stored version parsed, its worked examples run.
pub fn parse<R: RuleKind>(v: StoredVersion) -> ServiceResult<Version<R>> {
    let rule: R = rule_of(&v)?;
    Ok(Version {
        id: v.rule_id,
        version: v.version,
        published: v.published(),
        failures: rule.run_examples(),
        rule,
        changed_by: v.changed_by,
        changed_at: v.changed_at,
        published_by: v.published_by,
        published_at: v.published_at,
    })
}

fn stale<R: RuleKind>() -> ServiceError {
    ServiceError::Conflict(format!(
        "{}已被他人修改，请刷新后在最新版本上修改",
        R::NOUN_ZH
    ))
}

fn checked<R: RuleKind>(rule: &R) -> ServiceResult<()> {
    let errs = rule.check();
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::invalid_fields(errs))
    }
}

fn body<R: RuleKind>(rule: &R) -> String {
    serde_json::to_string(rule).expect("a rule serialises")
}

impl Services {
    /// A rule with every version; `version` picks one (default: the newest). 404 when either
    /// is not there. Callers check that the actor may read it.
    pub(crate) async fn rule_history<R: RuleKind>(
        &self,
        id: i64,
        version: Option<i64>,
    ) -> ServiceResult<History<R>> {
        let versions = store::versions(self.db(), &R::TABLES, id)
            .await?
            .into_iter()
            .map(parse)
            .collect::<ServiceResult<Vec<Version<R>>>>()?;
        let current = match version {
            None => versions.first(),
            Some(n) => versions.iter().find(|v| v.version == n),
        }
        .cloned()
        .ok_or(ServiceError::NotFound)?;
        Ok(History { current, versions })
    }

    /// The rules the filter lets through, newest first, one page (`limit`, `offset`; all
    /// without), and how many there are in all. Their examples are not run.
    pub(crate) async fn rule_list<R: RuleKind>(
        &self,
        filter: &Filter,
        page: Option<(i64, i64)>,
    ) -> ServiceResult<(Vec<Summary<R>>, i64)> {
        let (rows, total) = store::latest_of_each(self.db(), &R::TABLES, filter, page).await?;
        let published = store::published(self.db(), &R::TABLES, filter).await?;
        let items = rows
            .into_iter()
            .map(|v| {
                Ok(Summary {
                    id: v.rule_id,
                    rule: rule_of(&v)?,
                    published_version: published
                        .iter()
                        .find(|p| p.rule_id == v.rule_id)
                        .map(|p| p.version),
                    published: v.published(),
                    name: v.name,
                    version: v.version,
                    changed_at: v.changed_at,
                })
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        Ok((items, total))
    }

    /// Creates a rule; its first version is a draft.
    pub(crate) async fn create_rule<R: RuleKind>(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        rule: R,
    ) -> ServiceResult<History<R>> {
        let object = format!("{}:new", R::OBJECT);
        R::may_keep(self, actor, None, &object).await?;
        checked(&rule)?;
        R::may_keep(self, actor, Some(&rule), &object).await?;
        R::check_more(self, &rule).await?;
        let now = self.now();
        let tx = self.db().begin().await?;
        let id = store::create(
            &tx,
            &R::TABLES,
            &R::columns(&rule),
            rule.name(),
            &body(&rule),
            &actor.username,
            now,
        )
        .await?;
        record(
            &tx,
            ctx,
            Some(actor),
            &format!("{}.create", R::OBJECT),
            &format!("{}:{id}", R::OBJECT),
            "ok",
            json!({"version": 1, "name": rule.name()}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.rule_history(id, None).await
    }

    /// Changes a rule from the version `based_on`, which must be the newest (409 otherwise): a
    /// draft is changed in place; a published version stays as it is and the change becomes
    /// the next version, a draft.
    pub(crate) async fn edit_rule<R: RuleKind>(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        based_on: i64,
        rule: R,
    ) -> ServiceResult<History<R>> {
        let object = format!("{}:{id}", R::OBJECT);
        R::may_keep(self, actor, None, &object).await?;
        let latest = store::versions(self.db(), &R::TABLES, id)
            .await?
            .into_iter()
            .next()
            .ok_or(ServiceError::NotFound)?;
        let before: R = rule_of(&latest)?;
        R::may_keep(self, actor, Some(&before), &object).await?;
        if latest.version != based_on {
            return Err(stale::<R>());
        }
        checked(&rule)?;
        R::may_keep(self, actor, Some(&rule), &object).await?;
        R::check_more(self, &rule).await?;
        let (name, body, by, now) = (rule.name(), body(&rule), &actor.username, self.now());
        let tx = self.db().begin().await?;
        let version = if latest.published() {
            let next = latest.version + 1;
            match store::insert_version(&tx, &R::TABLES, id, next, name, &body, by, now).await {
                Err(StoreError::Unique { .. }) => return Err(stale::<R>()),
                other => other?,
            }
            next
        } else {
            let n = latest.version;
            if store::update_draft(&tx, &R::TABLES, id, n, name, &body, by, now).await? == 0 {
                return Err(stale::<R>());
            }
            n
        };
        R::saved(&tx, id, &before, &rule).await?;
        record(
            &tx,
            ctx,
            Some(actor),
            &format!("{}.edit", R::OBJECT),
            &object,
            "ok",
            json!({"version": version, "name": name}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.rule_history(id, None).await
    }

    /// Publishes the draft `version`, which must be the newest (409 when it is not, or is not
    /// there, or is published already), once every worked example holds (422 `example_failed`
    /// naming each failing example otherwise; at least one example is required).
    pub(crate) async fn publish_rule<R: RuleKind>(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        version: i64,
    ) -> ServiceResult<History<R>> {
        let object = format!("{}:{id}", R::OBJECT);
        R::may_keep(self, actor, None, &object).await?;
        let history = self.rule_history::<R>(id, None).await?;
        R::may_keep(self, actor, Some(&history.current.rule), &object).await?;
        let Some(v) = history.versions.iter().find(|v| v.version == version) else {
            return Err(stale::<R>());
        };
        if v.published {
            return Err(ServiceError::Conflict(format!(
                "第 {version} 版已经发布；发布后的版本不能修改，请在其上保存新版本"
            )));
        }
        if history.current.version != version {
            return Err(stale::<R>());
        }
        let errs = v.rule.publish_errors(&v.failures);
        if !errs.is_empty() {
            return Err(ServiceError::invalid_fields(errs));
        }
        let now = self.now();
        let tx = self.db().begin().await?;
        if store::publish(&tx, &R::TABLES, id, version, &actor.username, now).await? == 0 {
            return Err(stale::<R>());
        }
        record(
            &tx,
            ctx,
            Some(actor),
            &format!("{}.publish", R::OBJECT),
            &object,
            "ok",
            json!({"version": version, "name": v.rule.name()}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.rule_history(id, None).await
    }

    /// Creates a rule and publishes its first version as the operator (a rule the platform
    /// ships or an operator loads, its examples checked by the caller), unless a rule of that
    /// name exists: `Ok(id)` when loaded now, `Err(id)` of the one present.
    pub(crate) async fn load_rule<R: RuleKind>(
        &self,
        tx: &Tx,
        ctx: &Ctx,
        action: &str,
        rule: &R,
    ) -> ServiceResult<Result<i64, i64>> {
        if let Some(v) = store::by_name(tx, &R::TABLES, rule.name()).await? {
            return Ok(Err(v.rule_id));
        }
        let now = self.now();
        let by = "zhichan";
        let cols = R::columns(rule);
        let id = store::create(tx, &R::TABLES, &cols, rule.name(), &body(rule), by, now).await?;
        store::publish(tx, &R::TABLES, id, 1, by, now).await?;
        record(
            tx,
            ctx,
            None,
            &format!("{}.{action}", R::OBJECT),
            &format!("{}:{id}", R::OBJECT),
            "ok",
            json!({"version": 1, "name": rule.name()}),
            now,
        )
        .await?;
        Ok(Ok(id))
    }
}
