//! Award rules (奖补规则) and entitlements (免申即享). Rules are versioned data kept by the
//! administrators of their region (and the nation): a version is a draft until published,
//! publishing runs its worked examples and is refused while one fails (`example_failed`), a
//! published version is never edited. Entitlements are computed, for one enterprise and year,
//! from the platform's own facts with the newest published version of every rule whose region
//! contains the enterprise's; each result names the rule version it used. A dry run computes a
//! draft over every enterprise of its region before it is published.

use crate::rule_versions::{self, RuleKind};
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use zhichan_domain::access::{authorize, Action, Actor, Placement, Scope};
use zhichan_domain::awards::{
    run_examples, AwardRule, ExampleFailure, Facts, HeldQualification, Outcome,
};
use zhichan_domain::enterprises::{QualificationKind, QualificationLevel};
use zhichan_domain::{Money, RegionCode, Violation};
use zhichan_store::awards::{self as store, Count, Rules, Whose};
use zhichan_store::db::Param;
use zhichan_store::entitlement_rounds::Round;
use zhichan_store::rule_versions::{Tables, AWARD_RULES};
use zhichan_store::{StoreError, Tx};

/// One stored version, parsed.
pub type Version = rule_versions::Version<AwardRule>;
/// A rule: the version asked for (or the newest) and every version, newest first.
pub type RuleHistory = rule_versions::History<AwardRule>;
/// A rule in the list: its newest version, read but not evaluated.
pub type RuleSummary = rule_versions::Summary<AwardRule>;

/// What an enterprise qualifies for under one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entitled {
    pub rule: i64,
    pub rule_version: i64,
    pub name: String,
    pub policy: i64,
    pub policy_title: Option<String>,
    pub doc_number: Option<String>,
    pub clause: String,
    pub clause_inferred: bool,
    pub amount: Money,
    pub explanation: String,
}

/// A rule the enterprise does not qualify for, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotEntitled {
    pub rule: i64,
    pub rule_version: i64,
    pub name: String,
    pub clause: String,
    pub reasons: Vec<String>,
}

/// An enterprise's entitlements for a year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entitlements {
    pub credit_code: String,
    pub name: String,
    pub year: i32,
    pub total: Money,
    pub items: Vec<Entitled>,
    pub not_eligible: Vec<NotEntitled>,
}

/// The totals of a region in a dry run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionTotal {
    pub region: RegionCode,
    pub enterprises: u64,
    pub total: Money,
}

/// An enterprise whose amount a change moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub credit_code: String,
    pub name: String,
    pub region: RegionCode,
    pub before: Option<Money>,
    pub after: Option<Money>,
}

/// What a rule would give over every enterprise of its region, against the published version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DryRun {
    pub year: i32,
    pub evaluated: u64,
    pub eligible: u64,
    pub total: Money,
    pub published_total: Option<Money>,
    pub regions: Vec<RegionTotal>,
    pub changes: Vec<Change>,
    pub failures: Vec<ExampleFailure>,
}

/// What `zhichan awards load` did.
#[derive(Clone, Debug, Default)]
pub struct LoadReport {
    pub loaded: Vec<(i64, String)>,
    pub present: Vec<(i64, String)>,
    pub left_out: Vec<(String, String)>,
}

/// A rule file: the policy it cites (found in the library by a part of its title), the rules,
/// and the clauses left out with the reason.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    policy_title_contains: String,
    rules: Vec<toml::Value>,
    #[serde(default)]
    left_out: Vec<LeftOut>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LeftOut {
    clause: String,
    reason: String,
}

/// The years an entitlement or a dry run is computed for (422 `invalid_year` outside).
pub fn check_year(year: i32) -> ServiceResult<()> {
    if (2000..=2100).contains(&year) {
        return Ok(());
    }
    Err(invalid(vec![(
        "year".into(),
        Violation::new(
            "invalid_year",
            "年度应在 2000～2100 之间",
            "year: 2000-2100",
        ),
    )]))
}

fn invalid(errs: Vec<(String, Violation)>) -> ServiceError {
    ServiceError::invalid_fields(errs)
}

impl RuleKind for AwardRule {
    const TABLES: Tables = AWARD_RULES;
    const OBJECT: &'static str = "award_rule";
    const NOUN_ZH: &'static str = "奖补规则";

    /// Administrators keep the rules of their region and below, where the rule stood and where
    /// it will stand.
    async fn may_keep(
        s: &Services,
        actor: &Actor,
        at: Option<&Self>,
        object: &str,
    ) -> ServiceResult<()> {
        match at {
            None => Ok(authorize(actor, Action::ManageAwardRules).map(|_| ())?),
            Some(rule) => s.may_manage_rules_in(actor, rule.region, object).await,
        }
    }

    async fn check_more(s: &Services, rule: &Self) -> ServiceResult<()> {
        s.check_policy(rule).await
    }

    fn columns(rule: &Self) -> Vec<(&'static str, Param)> {
        vec![("region", rule.region.into())]
    }

    async fn saved(tx: &Tx, id: i64, before: &Self, after: &Self) -> ServiceResult<()> {
        if after.region != before.region {
            store::set_region(tx, id, after.region).await?;
        }
        Ok(())
    }
}

fn by_enterprise(rows: Vec<Count>) -> HashMap<i64, Count> {
    rows.into_iter().map(|c| (c.enterprise_id, c)).collect()
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The facts of the enterprises `whose` names, read once: what the rules ask for.
pub(crate) struct FactsTable {
    pub(crate) enterprises: Vec<store::EnterpriseRow>,
    pub(crate) facts: HashMap<i64, Facts>,
}

impl Services {
    pub(crate) async fn read_facts(
        &self,
        whose: Whose,
        year: i32,
        rules: &[AwardRule],
    ) -> ServiceResult<FactsTable> {
        use zhichan_domain::awards::{Item, Pattern};
        let db = self.db();
        let enterprises = store::enterprises(db, whose).await?;
        let needs = |item: Item| {
            rules
                .iter()
                .any(|r| r.pattern == Pattern::PerItem && r.item == Some(item))
        };
        let registered = if needs(Item::RegisteredProducts) {
            by_enterprise(store::registered_products(db, whose, year).await?)
        } else {
            HashMap::new()
        };
        // The one fact that needs the announcement date of identification batches.
        let identified = if needs(Item::IdentifiedProducts) {
            by_enterprise(store::identified_products(db, whose, year).await?)
        } else {
            HashMap::new()
        };
        let patents = by_enterprise(store::patents_in_force(db, whose).await?);
        let mut quals: HashMap<i64, Vec<HeldQualification>> = HashMap::new();
        let mut pending: HashMap<i64, Vec<HeldQualification>> = HashMap::new();
        for q in store::qualifications(db, whose).await? {
            let (Ok(kind), Ok(level)) = (
                QualificationKind::parse(&q.kind),
                QualificationLevel::parse(&q.level),
            ) else {
                return Err(ServiceError::Store(StoreError::Corrupt(format!(
                    "qualification {} {}",
                    q.kind, q.level
                ))));
            };
            let confirmed = q.review == "confirmed";
            if confirmed { &mut quals } else { &mut pending }
                .entry(q.enterprise_id)
                .or_default()
                .push(HeldQualification {
                    kind,
                    level,
                    valid_from: q.valid_from,
                    valid_to: q.valid_to,
                });
        }
        let mut declared = self.approved_declarations(whose, year).await?;
        let facts = enterprises
            .iter()
            .map(|e| {
                let p = patents.get(&e.id);
                (
                    e.id,
                    Facts {
                        region: e.region,
                        registered_products: registered.get(&e.id).map_or(0, |c| count(c.n)),
                        identified_products: identified.get(&e.id).map_or(0, |c| count(c.n)),
                        valid_patents: p.map_or(0, |c| count(c.n)),
                        invention_patents: p.map_or(0, |c| count(c.m)),
                        qualifications: quals.remove(&e.id).unwrap_or_default(),
                        declarations: declared.remove(&e.id).unwrap_or_default(),
                        pending_qualifications: pending.remove(&e.id).unwrap_or_default(),
                    },
                )
            })
            .collect();
        Ok(FactsTable { enterprises, facts })
    }

    async fn may_manage_rules_in(
        &self,
        actor: &Actor,
        region: RegionCode,
        object: &str,
    ) -> ServiceResult<()> {
        self.scoped(
            actor,
            Action::ManageAwardRules,
            &Placement {
                region: Some(region),
                ..Placement::default()
            },
            object,
        )
        .await
    }

    /// Whether `actor` may write award rules (for pages that offer the form).
    pub fn can_manage_award_rules(actor: &Actor) -> bool {
        authorize(actor, Action::ManageAwardRules).is_ok()
    }

    async fn check_policy(&self, rule: &AwardRule) -> ServiceResult<()> {
        if zhichan_store::policies::get(self.db(), rule.policy)
            .await?
            .is_none()
        {
            return Err(invalid(vec![(
                "policy".into(),
                Violation::new(
                    "unknown_policy",
                    format!("政策库中没有编号为 {} 的政策", rule.policy),
                    "no such policy",
                ),
            )]));
        }
        Ok(())
    }

    /// One page of the rules (their newest versions), newest first, and how many there are:
    /// all for the nation's staff, the rules of one's region and below for others.
    pub async fn award_rules(
        &self,
        actor: &Actor,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<RuleSummary>, i64)> {
        let scope = authorize(actor, Action::ReadAwardRules)?;
        let rules = match scope {
            Scope::Region(r) => Rules::Within(r),
            _ => Rules::All,
        };
        self.rule_list(&store::filter(rules), Some((limit, offset)))
            .await
    }

    /// A rule with its versions; `version` picks one (default: the newest).
    pub async fn award_rule(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> ServiceResult<RuleHistory> {
        let scope = authorize(actor, Action::ReadAwardRules)?;
        let mut history: RuleHistory = self.rule_history(id, version).await?;
        let Scope::Region(own) = scope else {
            return Ok(history);
        };
        if own.contains(history.current.rule.region) {
            return Ok(history);
        }
        // Outside the caller's subtree: a rule that applies there (a province's or the
        // nation's) is seen as published, never its drafts; any other rule is not there. While
        // its keepers draft a change, the version in force (the newest published) stands for
        // the rule, unless a draft version was asked for by number.
        if !history.current.published && version.is_none() {
            if let Some(in_force) = history.versions.iter().find(|v| v.published) {
                history.current = in_force.clone();
            }
        }
        let object = format!("award_rule:{id}");
        if !history.current.rule.region.contains(own) || !history.current.published {
            return Err(self
                .refused(
                    actor,
                    Action::ReadAwardRules,
                    &object,
                    zhichan_domain::access::Refusal::NotFound,
                )
                .await);
        }
        history.versions.retain(|v| v.published);
        Ok(history)
    }

    /// Creates a rule in the administrator's region or below; its first version is a draft.
    pub async fn create_award_rule(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        rule: AwardRule,
    ) -> ServiceResult<RuleHistory> {
        self.create_rule(actor, ctx, rule).await
    }

    /// Changes a rule from the version `based_on`, which must be the newest: a draft is changed
    /// in place, a published version stays and the change becomes the next version (a draft).
    pub async fn edit_award_rule(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        based_on: i64,
        rule: AwardRule,
    ) -> ServiceResult<RuleHistory> {
        self.edit_rule(actor, ctx, id, based_on, rule).await
    }

    /// Publishes a draft version once every worked example holds (422 `example_failed` naming
    /// each failing example otherwise; at least one example is required), and starts the round
    /// that tells every enterprise that qualifies this year — 免申即享, without asking — which
    /// runs on after the answer (the round as it stands is answered with the rule).
    pub async fn publish_award_rule(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        version: i64,
    ) -> ServiceResult<(RuleHistory, Option<Round>)> {
        let history = self
            .publish_rule::<AwardRule>(actor, ctx, id, version)
            .await?;
        let round = self.round_on_publish(ctx, actor, id).await;
        Ok((history, round))
    }

    /// What a rule (a draft, or a change to rule `id`) would give in `year` over every
    /// enterprise of its region, with the totals per region and the enterprises whose amount
    /// differs from the rule's published version. Nothing is saved.
    pub async fn dry_run_award_rule(
        &self,
        actor: &Actor,
        rule: AwardRule,
        id: Option<i64>,
        year: i32,
    ) -> ServiceResult<DryRun> {
        authorize(actor, Action::ManageAwardRules)?;
        let mut errs = rule.check();
        if let Err(ServiceError::Invalid(y)) = check_year(year) {
            errs.extend(y.into_iter().map(|f| (f.field, f.violation)));
        }
        if !errs.is_empty() {
            return Err(invalid(errs));
        }
        self.may_manage_rules_in(actor, rule.region, "award_rule:dry_run")
            .await?;
        let published = match id {
            Some(id) => {
                let h = self.rule_history::<AwardRule>(id, None).await?;
                self.may_manage_rules_in(actor, h.current.rule.region, &format!("award_rule:{id}"))
                    .await?;
                h.versions.into_iter().find(|v| v.published).map(|v| v.rule)
            }
            None => None,
        };
        // Read the facts of the larger of the two regions once.
        let region = match &published {
            Some(p) if p.region.contains(rule.region) => p.region,
            _ => rule.region,
        };
        let mut rules = vec![rule.clone()];
        rules.extend(published.clone());
        let table = self.read_facts(Whose::Within(region), year, &rules).await?;
        let name = zhichan_domain::awards::code_name;
        let mut out = DryRun {
            year,
            evaluated: 0,
            eligible: 0,
            total: Money::ZERO,
            published_total: published.as_ref().map(|_| Money::ZERO),
            regions: Vec::new(),
            changes: Vec::new(),
            failures: run_examples(&rule),
        };
        let mut regions: BTreeMap<RegionCode, (u64, Money)> = BTreeMap::new();
        for e in &table.enterprises {
            let facts = &table.facts[&e.id];
            out.evaluated += 1;
            let after = rule.evaluate(year, facts, &name).amount();
            let before = published
                .as_ref()
                .and_then(|p| p.evaluate(year, facts, &name).amount());
            if let Some(a) = after {
                out.eligible += 1;
                out.total = out.total + a;
                let slot = regions.entry(e.region).or_insert((0, Money::ZERO));
                slot.0 += 1;
                slot.1 = slot.1 + a;
            }
            if let (Some(t), Some(b)) = (out.published_total.as_mut(), before) {
                *t = *t + b;
            }
            if published.is_some() && before != after {
                out.changes.push(Change {
                    credit_code: e.credit_code.clone(),
                    name: e.name.clone(),
                    region: e.region,
                    before,
                    after,
                });
            }
        }
        out.regions = regions
            .into_iter()
            .map(|(region, (enterprises, total))| RegionTotal {
                region,
                enterprises,
                total,
            })
            .collect();
        Ok(out)
    }

    /// What the enterprise is entitled to in `year` under the published rules that apply in
    /// its region, each with the rule version used; and what it is not, with the reasons.
    pub async fn entitlements(
        &self,
        actor: &Actor,
        credit_code: &str,
        year: i32,
    ) -> ServiceResult<Entitlements> {
        authorize(actor, Action::ReadEntitlements)?;
        let object = format!("enterprise:{credit_code}");
        let enterprise = zhichan_store::enterprises::by_credit_code(self.db(), credit_code).await?;
        let Some(enterprise) = enterprise else {
            return Err(self
                .refused(
                    actor,
                    Action::ReadEntitlements,
                    &object,
                    zhichan_domain::access::Refusal::NotFound,
                )
                .await);
        };
        self.scoped(
            actor,
            Action::ReadEntitlements,
            &crate::enterprises::placement(&enterprise),
            &object,
        )
        .await?;
        check_year(year)?;
        // Every rule of the enterprise's region and above, and also those below that an
        // enterprise nearby may see: a rule whose region does not contain the enterprise's is
        // answered as not eligible with the reason only when it lies in the same province.
        let province = enterprise
            .region
            .self_and_ancestors()
            .find(|r| r.level() == zhichan_domain::regions::RegionLevel::Province)
            .unwrap_or(enterprise.region);
        let mut versions = store::published(self.db(), Rules::Covering(enterprise.region)).await?;
        for v in store::published(self.db(), Rules::Within(province)).await? {
            if !versions.iter().any(|w| w.rule_id == v.rule_id) {
                versions.push(v);
            }
        }
        versions.sort_by_key(|v| v.rule_id);
        let versions = versions
            .into_iter()
            .map(rule_versions::parse)
            .collect::<ServiceResult<Vec<Version>>>()?;
        let rules: Vec<AwardRule> = versions.iter().map(|v| v.rule.clone()).collect();
        let mut table = self
            .read_facts(Whose::Enterprise(enterprise.id), year, &rules)
            .await?;
        let facts = table
            .facts
            .remove(&enterprise.id)
            .ok_or(ServiceError::NotFound)?;
        let mut names: HashMap<RegionCode, String> = HashMap::new();
        for r in versions
            .iter()
            .map(|v| v.rule.region)
            .chain([enterprise.region])
        {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(r) {
                slot.insert(self.reference().region_full_name(r).await?);
            }
        }
        let name_of = |r: RegionCode| names.get(&r).cloned().unwrap_or_else(|| r.to_string());
        let mut out = Entitlements {
            credit_code: enterprise.credit_code.clone(),
            name: enterprise.name.clone(),
            year,
            total: Money::ZERO,
            items: Vec::new(),
            not_eligible: Vec::new(),
        };
        let mut policies: HashMap<i64, Option<zhichan_store::policies::PolicyRow>> = HashMap::new();
        for v in versions {
            match v.rule.evaluate(year, &facts, &name_of) {
                Outcome::Eligible {
                    amount,
                    explanation,
                } => {
                    if let std::collections::hash_map::Entry::Vacant(slot) =
                        policies.entry(v.rule.policy)
                    {
                        slot.insert(zhichan_store::policies::get(self.db(), v.rule.policy).await?);
                    }
                    let policy = policies.get(&v.rule.policy).and_then(|p| p.as_ref());
                    out.total = out.total + amount;
                    out.items.push(Entitled {
                        rule: v.id,
                        rule_version: v.version,
                        name: v.rule.name.clone(),
                        policy: v.rule.policy,
                        policy_title: policy.and_then(|p| p.title.clone()),
                        doc_number: policy.and_then(|p| p.doc_number.clone()),
                        clause: v.rule.clause.clone(),
                        clause_inferred: v.rule.clause_inferred,
                        amount,
                        explanation,
                    });
                }
                Outcome::NotEligible { reasons } => out.not_eligible.push(NotEntitled {
                    rule: v.id,
                    rule_version: v.version,
                    name: v.rule.name.clone(),
                    clause: v.rule.clause.clone(),
                    reasons,
                }),
            }
        }
        Ok(out)
    }

    /// Loads a rule file (TOML): every rule not yet present (by name) is created and published
    /// as the operator, citing the policy of the library whose title contains the file's
    /// `policy_title_contains`. A rule whose examples fail stops the load before anything is
    /// saved.
    pub async fn load_award_rules(&self, ctx: &Ctx, text: &str) -> ServiceResult<LoadReport> {
        let bad = |m: String| {
            ServiceError::Invalid(vec![FieldViolation::new(
                "file",
                Violation::new("invalid_rule_file", m.clone(), m),
            )])
        };
        let file: RuleFile =
            toml::from_str(text).map_err(|e| bad(format!("规则文件无法解读：{e}")))?;
        let policy = store::policy_by_title(self.db(), &file.policy_title_contains)
            .await?
            .ok_or_else(|| {
                bad(format!(
                    "政策库中没有标题含“{}”的政策：请先导入它（zhichan policy import）",
                    file.policy_title_contains
                ))
            })?;
        let mut rules = Vec::new();
        for (i, raw) in file.rules.into_iter().enumerate() {
            let mut value =
                serde_json::to_value(raw).map_err(|e| bad(format!("第 {} 条规则：{e}", i + 1)))?;
            value["policy"] = json!(policy);
            let rule: AwardRule = serde_json::from_value(value)
                .map_err(|e| bad(format!("第 {} 条规则：{e}", i + 1)))?;
            let errs = rule.check();
            if let Some((f, v)) = errs.first() {
                return Err(bad(format!("规则“{}”的 {f}：{}", rule.name, v.message_zh)));
            }
            if let Some(f) = run_examples(&rule).first() {
                return Err(bad(f.message_zh.clone()));
            }
            rules.push(rule);
        }
        let mut report = LoadReport {
            left_out: file
                .left_out
                .into_iter()
                .map(|l| (l.clause, l.reason))
                .collect(),
            ..LoadReport::default()
        };
        let tx = self.db().begin().await?;
        for rule in rules {
            match self.load_rule(&tx, ctx, "load", &rule).await? {
                Ok(id) => report.loaded.push((id, rule.name)),
                Err(id) => report.present.push((id, rule.name)),
            }
        }
        tx.commit().await?;
        Ok(report)
    }
}
