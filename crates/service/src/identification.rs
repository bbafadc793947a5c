//! Identification methods (评价方法) as versioned data ([`crate::rule_versions`]): written by
//! the national administrator, read by staff. A version is a draft until published; publishing
//! runs its worked examples and is refused while one fails (`example_failed`); a published
//! version is never edited, a change makes a new draft version after it.

use crate::rule_versions::{self, RuleKind};
use crate::{Ctx, ServiceResult, Services};
use zhichan_domain::access::{authorize, Action, Actor, Placement};
use zhichan_domain::identification::{run_examples, starter_method, Method};
use zhichan_domain::RegionCode;
use zhichan_store::rule_versions::{Filter, Tables, IDENTIFICATION_METHODS};

/// One stored version, parsed.
pub type Version = rule_versions::Version<Method>;
/// A method: the version asked for (or the newest) and the whole history, newest first.
pub type MethodHistory = rule_versions::History<Method>;
/// One method in the list: its newest version and newest published version.
pub type MethodSummary = rule_versions::Summary<Method>;

impl RuleKind for Method {
    const TABLES: Tables = IDENTIFICATION_METHODS;
    const OBJECT: &'static str = "identification_method";
    const NOUN_ZH: &'static str = "评价方法";

    /// Methods hold for the whole country: only an administrator whose region is the nation
    /// writes them (anyone else is outside their scope).
    async fn may_keep(
        s: &Services,
        actor: &Actor,
        at: Option<&Self>,
        object: &str,
    ) -> ServiceResult<()> {
        if at.is_some() {
            return Ok(());
        }
        authorize(actor, Action::ManageIdentificationMethods)?;
        s.scoped(
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
}

impl Services {
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
        Ok(self.rule_list(&Filter::default(), None).await?.0)
    }

    /// A method with its versions; `version` picks one (default: the newest).
    pub async fn identification_method(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> ServiceResult<MethodHistory> {
        authorize(actor, Action::ReadIdentificationMethods)?;
        self.rule_history(id, version).await
    }

    /// Creates a method; its first version is a draft.
    pub async fn create_identification_method(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        method: Method,
    ) -> ServiceResult<MethodHistory> {
        self.create_rule(actor, ctx, method).await
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
        self.edit_rule(actor, ctx, id, based_on, method).await
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
        self.publish_rule::<Method>(actor, ctx, id, version).await
    }

    /// Loads the starter method (示例方法，非国家标准) and publishes it, unless a method of that
    /// name exists; its id, and whether it was loaded now. Run on the server (the CLI and the
    /// demo), as the operator.
    pub async fn load_starter_method(&self, ctx: &Ctx) -> ServiceResult<(i64, bool)> {
        let method = starter_method();
        assert!(
            run_examples(&method).is_empty(),
            "the starter's examples hold"
        );
        let tx = self.db().begin().await?;
        let loaded = self.load_rule(&tx, ctx, "load_starter", &method).await?;
        tx.commit().await?;
        Ok(match loaded {
            Ok(id) => (id, true),
            Err(id) => (id, false),
        })
    }
}
