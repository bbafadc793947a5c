//! Award rules as data (奖补规则，免申即享): each rule cites its policy and clause, applies in a
//! region subtree between its effective and expiry dates, and follows one of the usual award
//! patterns. The platform evaluates every rule against an enterprise's facts for one year and
//! answers an amount with its basis, or "not eligible" with the reasons, in plain Chinese. The
//! worked examples a rule carries are evaluated by the same code and must hold before it is
//! published.
//!
//! Amounts in a clause are ceilings ("不超过", "择优"): the result is the ceiling the rule allows
//! for the enterprise, never more; what is actually paid is the office's decision.
//!
//! Honours (`highest_only`): an honour belongs to the year of its `valid_from`. In that year the
//! highest honour that applies is paid once. A later, higher honour pays only the difference to
//! the highest honour already due under the same rule in earlier years, so that the sum over the
//! years never exceeds what the highest honour alone would pay (不重复奖励); an honour at the same
//! or a lower level pays nothing.

use crate::enterprises::{format_date, parse_date, QualificationKind, QualificationLevel};
use crate::money::Money;
use crate::regions::RegionCode;
use crate::validation::nullable;
use crate::validation::Violation;
use serde::{Deserialize, Serialize};
use time::{Date, Month};
use utoipa::ToSchema;

/// Qualification kinds by their codes (`gbt29490`), as the profile and the API spell them.
mod kind_code {
    use crate::enterprises::QualificationKind;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(k: &QualificationKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(k.as_str())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<QualificationKind, D::Error> {
        let text = String::deserialize(d)?;
        QualificationKind::parse(&text).map_err(|v| serde::de::Error::custom(v.message_zh))
    }

    pub mod opt {
        use super::*;
        pub fn serialize<S: Serializer>(
            k: &Option<QualificationKind>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match k {
                Some(k) => s.serialize_str(k.as_str()),
                None => s.serialize_none(),
            }
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<QualificationKind>, D::Error> {
            let text = Option::<String>::deserialize(d)?;
            text.map(|t| {
                QualificationKind::parse(&t).map_err(|v| serde::de::Error::custom(v.message_zh))
            })
            .transpose()
        }
    }
}

code_enum!(
    /// The award pattern a rule follows: `per_item` (each item up to `amount`, at most `cap`
    /// per enterprise per year), `highest_only` (the highest tier that applies, never twice),
    /// `cost_share` (`share_percent` of a declared cost up to `cap`, with a condition),
    /// `one_off`.
    Pattern, "pattern", {
        PerItem = "per_item" / "按件奖励",
        HighestOnly = "highest_only" / "就高奖励（不重复）",
        CostShare = "cost_share" / "按费用比例补贴",
        OneOff = "one_off" / "一次性奖励",
    }
);

code_enum!(
    /// What a `per_item` rule counts in the year.
    Item, "item", {
        RegisteredProducts = "registered_products" / "备案专利产品",
        IdentifiedProducts = "identified_products" / "认定的专利密集型产品",
    }
);

code_enum!(
    /// What an enterprise declares with evidence and a reviewer of its region confirms: a cost
    /// (with an amount) or an event (an award won, a status granted) that the platform does not
    /// hold itself.
    DeclarationKind, "declaration_kind", {
        CertificationFee = "certification_fee" / "知识产权管理规范认证费用",
        InsurancePremium = "insurance_premium" / "专利执行保险保费",
        EnforcementAgencyFee = "enforcement_agency_fee" / "维权代理费",
        GiProductUser = "gi_product_user" / "新取得地理标志保护产品用标资格",
        InfoServiceOutletNational = "info_service_outlet_national" / "国家知识产权信息公共服务网点备案",
        InfoServiceOutletProvincial = "info_service_outlet_provincial" / "省级知识产权信息公共服务网点认定",
        ChinaPatentGold = "china_patent_gold" / "中国专利金奖或中国外观设计金奖",
        ChinaPatentSilver = "china_patent_silver" / "中国专利银奖或中国外观设计银奖",
        JiangxiPatentAward = "jiangxi_patent_award" / "江西省专利奖",
    }
);

impl DeclarationKind {
    /// Whether the declaration carries a cost (an amount) rather than an event.
    pub fn is_cost(self) -> bool {
        matches!(
            self,
            DeclarationKind::CertificationFee
                | DeclarationKind::InsurancePremium
                | DeclarationKind::EnforcementAgencyFee
        )
    }
}

code_enum!(
    /// A count of the enterprise's own patents in force a condition compares.
    Measure as "AwardMeasure", "measure", {
        ValidPatents = "valid_patents" / "有效专利",
        InventionPatents = "invention_patents" / "发明专利",
    }
);

/// One requirement: at least `at_least` of `measure` (patents the enterprise owns, in force).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub measure: Measure,
    pub at_least: u32,
}

/// A condition met when any one of its requirements is (“…或…”).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub any_of: Vec<Requirement>,
}

/// An honour, or an event: a qualification of that kind at that level conferred in the year,
/// or a confirmed declaration of that kind in the year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kind_code::opt"
    )]
    pub qualification: Option<QualificationKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<QualificationLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declaration: Option<DeclarationKind>,
}

impl Trigger {
    fn label(&self) -> String {
        match (self.qualification, self.level, self.declaration) {
            (Some(k), Some(l), _) => format!("{}{}", l.label_zh(), k.label_zh()),
            (Some(k), None, _) => k.label_zh().to_string(),
            (None, _, Some(d)) => d.label_zh().to_string(),
            _ => "（未指定）".into(),
        }
    }
}

/// One level of a `highest_only` rule: its trigger's fields and the amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "kind_code::opt"
    )]
    pub qualification: Option<QualificationKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<QualificationLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declaration: Option<DeclarationKind>,
    #[schema(value_type = String, example = "30000.00")]
    pub amount: Money,
}

impl Tier {
    /// What the tier pays for.
    pub fn trigger(&self) -> Trigger {
        Trigger {
            qualification: self.qualification,
            level: self.level,
            declaration: self.declaration,
        }
    }
}

/// A qualification as the platform holds it (confirmed by a reviewer of the enterprise's region).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeldQualification {
    #[serde(with = "kind_code")]
    pub kind: QualificationKind,
    pub level: QualificationLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
}

impl HeldQualification {
    fn from(&self) -> Option<Date> {
        self.valid_from.as_deref().and_then(parse_date)
    }
    fn to(&self) -> Option<Date> {
        self.valid_to.as_deref().and_then(parse_date)
    }
    /// In force on some day of `year`.
    fn in_force_during(&self, year: i32) -> bool {
        let (first, last) = year_bounds(year);
        self.from().is_none_or(|f| f <= last) && self.to().is_none_or(|t| t >= first)
    }
    /// Conferred in `year` (an honour belongs to the year of its `valid_from`).
    fn conferred_in(&self, year: i32) -> bool {
        self.from().is_some_and(|f| f.year() == year)
    }
}

/// A confirmed declaration of the year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Declared {
    pub kind: DeclarationKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub amount: Option<Money>,
    /// The declaration's number on the platform, named in the explanation so that an amount
    /// is traced to what was declared (worked examples have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
}

/// “（申报编号 3、5）” for the declarations that have a number, or nothing.
fn traced<'a>(list: impl Iterator<Item = &'a Declared>) -> String {
    let ids: Vec<String> = list.filter_map(|d| d.id).map(|i| i.to_string()).collect();
    if ids.is_empty() {
        String::new()
    } else {
        format!("（申报编号 {}）", ids.join("、"))
    }
}

/// What the platform knows of one enterprise for one year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    #[schema(value_type = String)]
    pub region: RegionCode,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    pub registered_products: u32,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    pub identified_products: u32,
    /// Patents the enterprise owns (专利权人), in force.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    pub valid_patents: u32,
    /// Of which invention patents.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    pub invention_patents: u32,
    /// Every confirmed qualification, of any year (honours look back).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<HeldQualification>>)]
    pub qualifications: Vec<HeldQualification>,
    /// Confirmed declarations of the year.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<Declared>>)]
    pub declarations: Vec<Declared>,
    /// Qualifications the enterprise entered or changed that no reviewer of its region has
    /// confirmed yet: they never count, and the reasons name them (资质待审核).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schema(value_type = Option<Vec<HeldQualification>>)]
    pub pending_qualifications: Vec<HeldQualification>,
}

/// A worked example: facts for a year and what the rule must give.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AwardExample)]
pub struct Example {
    pub name: String,
    pub year: i32,
    pub facts: Facts,
    /// The amount expected; absent means "not eligible".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub amount: Option<Money>,
    /// Words the explanation or a reason must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_contains: Option<String>,
}

/// An award rule. Fields beyond the common ones belong to one pattern each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardRule {
    pub name: String,
    /// The policy in the library (its id).
    pub policy: i64,
    /// The clause as the text shows it, e.g. 第九条（二）.
    pub clause: String,
    /// Whether the article number is inferred (the text lost it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    pub clause_inferred: bool,
    /// GB/T 2260 code: the subtree where it applies.
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub effective_on: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    /// When it was decided (separate from when it takes effect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<String>,
    pub pattern: Pattern,
    /// `per_item`: what is counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
    /// `per_item`: per item; `one_off`: the sum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub amount: Option<Money>,
    /// `per_item`: at most this per enterprise per year; `cost_share`: at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub cap: Option<Money>,
    /// `highest_only`: the levels.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schema(value_type = Option<Vec<Tier>>)]
    pub tiers: Vec<Tier>,
    /// `cost_share`: the declared cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<DeclarationKind>,
    /// `cost_share`: the share in whole percent (1–100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_percent: Option<u32>,
    /// `cost_share` and `one_off`: a qualification the enterprise must hold in force that year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<Trigger>,
    /// `cost_share` and `one_off`: a condition on the enterprise's patents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// `one_off`: the event that triggers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Trigger>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<Example>>)]
    pub examples: Vec<Example>,
}

/// The answer of one rule for one enterprise and year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The ceiling the rule allows, and how it was reached.
    Eligible {
        amount: Money,
        explanation: String,
    },
    NotEligible {
        reasons: Vec<String>,
    },
}

impl Outcome {
    pub fn amount(&self) -> Option<Money> {
        match self {
            Outcome::Eligible { amount, .. } => Some(*amount),
            Outcome::NotEligible { .. } => None,
        }
    }
    fn text(&self) -> String {
        match self {
            Outcome::Eligible { explanation, .. } => explanation.clone(),
            Outcome::NotEligible { reasons } => reasons.join("；"),
        }
    }
}

pub use crate::rule_versions::ExampleFailure;

fn year_bounds(year: i32) -> (Date, Date) {
    let first = Date::from_calendar_date(year, Month::January, 1).unwrap_or(Date::MIN);
    let last = Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MAX);
    (first, last)
}

/// Limits of a rule's text and lists (a 办法's clause is a line; a rule has a handful of examples).
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_CLAUSE_CHARS: usize = 200;
pub const MAX_EXAMPLES: usize = 100;
pub const MAX_TIERS: usize = 50;

/// An amount in fen computed in 128 bits, as money if it is within what the platform accepts.
fn within(fen: i128) -> Option<Money> {
    Money::within_range(fen)
}

fn beyond_range(year: i32) -> Outcome {
    Outcome::NotEligible {
        reasons: vec![format!(
            "{year}年度按本规则计算的金额超出平台可计算的范围，请核对规则中的金额"
        )],
    }
}

fn yuan(m: Money) -> String {
    format!("{}元", m.grouped())
}

fn v(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Violation {
    Violation::new(code, zh, en)
}

impl AwardRule {
    /// Every field that is wrong, named as the API names it.
    pub fn check(&self) -> Vec<(String, Violation)> {
        let mut errs = Vec::new();
        let req = |errs: &mut Vec<(String, Violation)>, f: &str, zh: &str| {
            errs.push((
                f.to_string(),
                v(
                    "required",
                    format!("{zh}不能为空"),
                    format!("{f} is required"),
                ),
            ));
        };
        if self.name.trim().is_empty() {
            req(&mut errs, "name", "规则名称");
        }
        if self.clause.trim().is_empty() {
            req(&mut errs, "clause", "条款");
        }
        // Bounded, so that one rule cannot make every reader's list slow.
        for (f, text, max) in [
            ("name", &self.name, MAX_NAME_CHARS),
            ("clause", &self.clause, MAX_CLAUSE_CHARS),
        ] {
            if text.chars().count() > max {
                errs.push((
                    f.into(),
                    v(
                        "too_long",
                        format!("不能超过{max}个字"),
                        format!("{f} is longer than {max} characters"),
                    ),
                ));
            }
        }
        if self.examples.len() > MAX_EXAMPLES {
            errs.push((
                "examples".into(),
                v(
                    "too_many",
                    format!("算例不能超过{MAX_EXAMPLES}个"),
                    format!("at most {MAX_EXAMPLES} examples"),
                ),
            ));
        }
        if self.tiers.len() > MAX_TIERS {
            errs.push((
                "tiers".into(),
                v(
                    "too_many",
                    format!("奖励档次不能超过{MAX_TIERS}个"),
                    format!("at most {MAX_TIERS} tiers"),
                ),
            ));
        }
        if self.policy <= 0 {
            req(&mut errs, "policy", "政策");
        }
        let eff = parse_date(&self.effective_on);
        if eff.is_none() {
            errs.push((
                "effective_on".into(),
                v(
                    "invalid_date",
                    "施行日期应为 YYYY-MM-DD",
                    "effective_on: YYYY-MM-DD",
                ),
            ));
        }
        for (f, d) in [
            ("expires_on", &self.expires_on),
            ("decided_on", &self.decided_on),
        ] {
            if let Some(d) = d {
                if parse_date(d).is_none() {
                    errs.push((
                        f.into(),
                        v(
                            "invalid_date",
                            "日期应为 YYYY-MM-DD",
                            format!("{f}: YYYY-MM-DD"),
                        ),
                    ));
                }
            }
        }
        if let (Some(e), Some(x)) = (eff, self.expires_on.as_deref().and_then(parse_date)) {
            if x < e {
                errs.push((
                    "expires_on".into(),
                    v(
                        "expires_before_effective",
                        "失效日期不能早于施行日期",
                        "expires_on is before effective_on",
                    ),
                ));
            }
        }
        let positive = |errs: &mut Vec<(String, Violation)>, f: &str, m: Option<Money>| match m {
            None => errs.push((
                f.into(),
                v(
                    "required",
                    "此奖励方式须填写金额",
                    format!("{f} is required for this pattern"),
                ),
            )),
            Some(m) if m.fen() <= 0 => errs.push((
                f.into(),
                v(
                    "invalid_money",
                    "金额应大于零",
                    format!("{f} must be positive"),
                ),
            )),
            Some(_) => {}
        };
        match self.pattern {
            Pattern::PerItem => {
                if self.item.is_none() {
                    req(&mut errs, "item", "计奖对象");
                }
                positive(&mut errs, "amount", self.amount);
                if let Some(c) = self.cap {
                    if c.fen() <= 0 {
                        positive(&mut errs, "cap", Some(c));
                    }
                }
            }
            Pattern::HighestOnly => {
                if self.tiers.is_empty() {
                    req(&mut errs, "tiers", "奖励档次");
                }
                for (i, t) in self.tiers.iter().enumerate() {
                    positive(&mut errs, &format!("tiers[{i}].amount"), Some(t.amount));
                    if t.qualification.is_none() && t.declaration.is_none() {
                        req(
                            &mut errs,
                            &format!("tiers[{i}].qualification"),
                            "荣誉或事项",
                        );
                    }
                }
            }
            Pattern::CostShare => {
                match self.cost {
                    None => req(&mut errs, "cost", "费用类别"),
                    Some(k) if !k.is_cost() => errs.push((
                        "cost".into(),
                        v(
                            "invalid_cost",
                            format!("“{}”不是费用类申报事项", k.label_zh()),
                            "cost must be a cost declaration",
                        ),
                    )),
                    Some(_) => {}
                }
                match self.share_percent {
                    Some(p) if (1..=100).contains(&p) => {}
                    _ => errs.push((
                        "share_percent".into(),
                        v(
                            "invalid_share",
                            "补贴比例应为 1～100 的整数（百分比）",
                            "share_percent: 1-100",
                        ),
                    )),
                }
                positive(&mut errs, "cap", self.cap);
            }
            Pattern::OneOff => {
                positive(&mut errs, "amount", self.amount);
                match &self.event {
                    Some(t) if t.qualification.is_some() || t.declaration.is_some() => {}
                    _ => req(&mut errs, "event", "触发事项"),
                }
            }
        }
        for (i, e) in self.examples.iter().enumerate() {
            if e.name.trim().is_empty() {
                req(&mut errs, &format!("examples[{i}].name"), "算例名称");
            }
        }
        errs
    }

    /// The rule's answer for an enterprise with `facts` in `year`. `names` gives a region's name.
    pub fn evaluate(
        &self,
        year: i32,
        facts: &Facts,
        names: &dyn Fn(RegionCode) -> String,
    ) -> Outcome {
        let mut reasons = Vec::new();
        if !self.region.contains(facts.region) {
            reasons.push(format!(
                "本规则仅适用于{}，企业所在地区为{}",
                names(self.region),
                names(facts.region)
            ));
        }
        let (first, last) = year_bounds(year);
        if let Some(e) = parse_date(&self.effective_on) {
            if e > last {
                reasons.push(format!(
                    "本规则自{}起施行，不适用于{}年度",
                    format_date(e),
                    year
                ));
            }
        }
        if let Some(x) = self.expires_on.as_deref().and_then(parse_date) {
            if x < first {
                reasons.push(format!(
                    "本规则已于{}失效，不适用于{}年度",
                    format_date(x),
                    year
                ));
            }
        }
        if !reasons.is_empty() {
            return Outcome::NotEligible { reasons };
        }
        match self.pattern {
            Pattern::PerItem => self.per_item(year, facts),
            Pattern::HighestOnly => self.highest_only(year, facts),
            Pattern::CostShare => self.cost_share(year, facts),
            Pattern::OneOff => self.one_off(year, facts),
        }
    }

    fn per_item(&self, year: i32, facts: &Facts) -> Outcome {
        let (Some(item), Some(each)) = (self.item, self.amount) else {
            return incomplete();
        };
        let n = match item {
            Item::RegisteredProducts => facts.registered_products,
            Item::IdentifiedProducts => facts.identified_products,
        };
        if n == 0 {
            return Outcome::NotEligible {
                reasons: vec![format!("{year}年度没有{}", item.label_zh())],
            };
        }
        // In 128 bits: an absurd amount times a large count is refused with a reason, never
        // an overflow.
        let Some(full) = within(i128::from(each.fen()) * i128::from(n)) else {
            return beyond_range(year);
        };
        let mut explanation = format!(
            "{year}年度{}{n}件，每件不超过{}，合计{}",
            item.label_zh(),
            yuan(each),
            yuan(full)
        );
        let amount = match self.cap {
            Some(cap) if full > cap => {
                explanation.push_str(&format!("，单个企业年度不超过{}", yuan(cap)));
                cap
            }
            _ => full,
        };
        Outcome::Eligible {
            amount,
            explanation: format!("{explanation}；可获奖励不超过{}", yuan(amount)),
        }
    }

    fn tier_applies(&self, t: &Trigger, year: i32, facts: &Facts) -> bool {
        if let Some(k) = t.qualification {
            let since = parse_date(&self.effective_on);
            return facts.qualifications.iter().any(|q| {
                q.kind == k
                    && t.level.is_none_or(|l| l == q.level)
                    && q.conferred_in(year)
                    && q.in_force_during(year)
                    && since.is_none_or(|s| q.from().is_some_and(|f| f.year() >= s.year()))
            });
        }
        if let Some(d) = t.declaration {
            return facts.declarations.iter().any(|x| x.kind == d);
        }
        false
    }

    /// The highest tier conferred in an earlier year under this rule (on or after the year the
    /// rule took effect); declarations are of the year only, so they never look back.
    fn earlier_highest(&self, year: i32, facts: &Facts) -> Option<&Tier> {
        let since = parse_date(&self.effective_on).map(|d| d.year());
        self.tiers
            .iter()
            .filter(|t| {
                t.qualification.is_some_and(|k| {
                    facts.qualifications.iter().any(|q| {
                        q.kind == k
                            && t.level.is_none_or(|l| l == q.level)
                            && q.from().is_some_and(|f| {
                                f.year() < year && since.is_none_or(|s| f.year() >= s)
                            })
                            && q.to().is_none_or(|to| q.from().is_none_or(|f| to >= f))
                    })
                })
            })
            .max_by_key(|t| t.amount)
    }

    fn highest_only(&self, year: i32, facts: &Facts) -> Outcome {
        let applying: Vec<&Tier> = self
            .tiers
            .iter()
            .filter(|t| self.tier_applies(&t.trigger(), year, facts))
            .collect();
        let Some(top) = applying.iter().max_by_key(|t| t.amount) else {
            let expired: Vec<String> = facts
                .qualifications
                .iter()
                .filter(|q| {
                    self.tiers.iter().any(|t| {
                        t.qualification == Some(q.kind) && t.level.is_none_or(|l| l == q.level)
                    }) && q.conferred_in(year)
                        && !q.in_force_during(year)
                })
                .map(|q| format!("{}{}已失效，不计入", q.level.label_zh(), q.kind.label_zh()))
                .collect();
            let triggers: Vec<Trigger> = self.tiers.iter().map(Tier::trigger).collect();
            let pending = self.pending(triggers.iter(), year, facts);
            let mut reasons = vec![format!(
                "{year}年度未新获得本条所列荣誉（{}）",
                self.tiers
                    .iter()
                    .map(|t| t.trigger().label())
                    .collect::<Vec<_>>()
                    .join("、")
            )];
            reasons.extend(expired);
            reasons.extend(pending);
            return Outcome::NotEligible { reasons };
        };
        let mut explanation = format!(
            "{year}年度获{}，奖励不超过{}",
            top.trigger().label(),
            yuan(top.amount)
        );
        if applying.len() > 1 {
            explanation.push_str(&format!(
                "（同时获{}，按所获最高奖项奖励，不重复奖励）",
                applying
                    .iter()
                    .filter(|t| !std::ptr::eq(**t, *top))
                    .map(|t| t.trigger().label())
                    .collect::<Vec<_>>()
                    .join("、")
            ));
        }
        let amount = match self.earlier_highest(year, facts) {
            Some(prev) if prev.amount >= top.amount => {
                return Outcome::NotEligible {
                    reasons: vec![format!(
                        "此前年度已获{}（不超过{}），不低于本年度所获荣誉，不重复奖励",
                        prev.trigger().label(),
                        yuan(prev.amount)
                    )],
                };
            }
            Some(prev) => {
                let diff = top.amount - prev.amount;
                explanation.push_str(&format!(
                    "；此前年度已获{}（不超过{}），补足差额{}",
                    prev.trigger().label(),
                    yuan(prev.amount),
                    yuan(diff)
                ));
                diff
            }
            None => top.amount,
        };
        Outcome::Eligible {
            amount,
            explanation,
        }
    }

    /// Reasons the qualification and patent conditions are not met.
    fn conditions(&self, year: i32, facts: &Facts) -> Vec<String> {
        let mut reasons = Vec::new();
        if let Some(t) = &self.requires {
            if let Some(k) = t.qualification {
                let matching: Vec<&HeldQualification> = facts
                    .qualifications
                    .iter()
                    .filter(|q| q.kind == k && t.level.is_none_or(|l| l == q.level))
                    .collect();
                if !matching.iter().any(|q| q.in_force_during(year)) {
                    let mut r = format!("需持有{}（{year}年度有效）", t.label());
                    if let Some(p) = self.pending(std::iter::once(t), year, facts).first() {
                        r.push_str(&format!("；{p}"));
                    } else if let Some(q) = matching.iter().filter_map(|q| q.to()).max() {
                        r.push_str(&format!("；现有证书已于{}失效", format_date(q)));
                    } else {
                        r.push_str("；平台未登记经审核确认的该项资质");
                    }
                    reasons.push(r);
                }
            }
        }
        if let Some(c) = &self.condition {
            let met = c.any_of.iter().any(|r| {
                let have = match r.measure {
                    Measure::ValidPatents => facts.valid_patents,
                    Measure::InventionPatents => facts.invention_patents,
                };
                have >= r.at_least
            });
            if !met && !c.any_of.is_empty() {
                let need = c
                    .any_of
                    .iter()
                    .map(|r| format!("{}{}件以上", r.measure.label_zh(), r.at_least))
                    .collect::<Vec<_>>()
                    .join("或");
                let have = c
                    .any_of
                    .iter()
                    .map(|r| {
                        let n = match r.measure {
                            Measure::ValidPatents => facts.valid_patents,
                            Measure::InventionPatents => facts.invention_patents,
                        };
                        format!("{}{n}件", r.measure.label_zh())
                    })
                    .collect::<Vec<_>>()
                    .join("、");
                reasons.push(format!("需拥有{need}；目前{have}"));
            }
        }
        reasons
    }

    fn cost_share(&self, year: i32, facts: &Facts) -> Outcome {
        let (Some(kind), Some(share), Some(cap)) = (self.cost, self.share_percent, self.cap) else {
            return incomplete();
        };
        let mut reasons = self.conditions(year, facts);
        let declared: Vec<&Declared> = facts
            .declarations
            .iter()
            .filter(|d| d.kind == kind && d.amount.is_some())
            .collect();
        let costs: Vec<i128> = declared
            .iter()
            .filter_map(|d| d.amount)
            .map(|m| i128::from(m.fen()))
            .collect();
        let cost: Option<Money> = if costs.is_empty() {
            None
        } else {
            match within(costs.iter().sum()) {
                Some(m) => Some(m),
                None => return beyond_range(year),
            }
        };
        if cost.is_none() {
            reasons.push(format!("{year}年度没有经审核确认的{}申报", kind.label_zh()));
        }
        let Some(cost) = cost.filter(|_| reasons.is_empty()) else {
            return Outcome::NotEligible { reasons };
        };
        // Rounded down to the fen: a ceiling is never exceeded.
        let Some(shared) = within(i128::from(cost.fen()) * i128::from(share) / 100) else {
            return beyond_range(year);
        };
        let mut explanation = format!(
            "{year}年度经确认的{}{}{}，按{share}%计{}",
            kind.label_zh(),
            yuan(cost),
            traced(declared.into_iter()),
            yuan(shared)
        );
        let amount = if shared > cap {
            explanation.push_str(&format!("，最高不超过{}", yuan(cap)));
            cap
        } else {
            shared
        };
        explanation.push_str(&format!("；可获补贴不超过{}", yuan(amount)));
        Outcome::Eligible {
            amount,
            explanation,
        }
    }

    fn one_off(&self, year: i32, facts: &Facts) -> Outcome {
        let (Some(event), Some(amount)) = (&self.event, self.amount) else {
            return incomplete();
        };
        let mut reasons = self.conditions(year, facts);
        if !self.tier_applies(event, year, facts) {
            reasons.insert(0, format!("{year}年度没有经审核确认的{}", event.label()));
            reasons.extend(self.pending(std::iter::once(event), year, facts));
        }
        if !reasons.is_empty() {
            return Outcome::NotEligible { reasons };
        }
        let source = event.declaration.map_or_else(String::new, |k| {
            traced(facts.declarations.iter().filter(|d| d.kind == k))
        });
        Outcome::Eligible {
            amount,
            explanation: format!(
                "{year}年度{}{source}，一次性奖励不超过{}",
                event.label(),
                yuan(amount)
            ),
        }
    }

    /// Reasons naming the qualifications the enterprise entered that would meet one of
    /// `triggers` in `year` but wait for a reviewer's confirmation (资质待审核).
    fn pending<'a>(
        &self,
        triggers: impl Iterator<Item = &'a Trigger>,
        year: i32,
        facts: &Facts,
    ) -> Vec<String> {
        let triggers: Vec<&Trigger> = triggers.collect();
        facts
            .pending_qualifications
            .iter()
            .filter(|q| {
                q.in_force_during(year)
                    && triggers.iter().any(|t| {
                        t.qualification == Some(q.kind) && t.level.is_none_or(|l| l == q.level)
                    })
            })
            .map(|q| {
                format!(
                    "{}{}资质待审核：须经企业所在地区审核人员确认后计入",
                    q.level.label_zh(),
                    q.kind.label_zh()
                )
            })
            .collect()
    }
}

fn incomplete() -> Outcome {
    Outcome::NotEligible {
        reasons: vec!["规则填写不完整，无法计算".into()],
    }
}

/// The name the examples use for a region: its code (examples run without the database).
pub fn code_name(r: RegionCode) -> String {
    r.to_string()
}

/// Runs a rule's worked examples with the same code that computes entitlements; the ones that do
/// not hold.
pub fn run_examples(rule: &AwardRule) -> Vec<ExampleFailure> {
    rule.examples
        .iter()
        .enumerate()
        .filter_map(|(index, e)| {
            let out = rule.evaluate(e.year, &e.facts, &code_name);
            let got = out.amount();
            let mut problems = Vec::new();
            if got != e.amount {
                let show = |m: Option<Money>| match m {
                    Some(m) => format!("不超过{}", yuan(m)),
                    None => "不符合条件".into(),
                };
                problems.push(format!("预期{}，实际{}", show(e.amount), show(got)));
            }
            if let Some(w) = &e.reason_contains {
                if !out.text().contains(w.as_str()) {
                    problems.push(format!("说明中应含“{w}”"));
                }
            }
            (!problems.is_empty()).then(|| ExampleFailure {
                index,
                name: e.name.clone(),
                message_zh: format!(
                    "算例“{}”未通过：{}（说明：{}）",
                    e.name,
                    problems.join("；"),
                    out.text()
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }
    fn fuzhou() -> RegionCode {
        RegionCode::parse("361000").unwrap()
    }
    fn linchuan() -> RegionCode {
        RegionCode::parse("361002").unwrap()
    }
    fn facts() -> Facts {
        Facts {
            region: linchuan(),
            registered_products: 0,
            identified_products: 0,
            valid_patents: 0,
            invention_patents: 0,
            qualifications: vec![],
            declarations: vec![],
            pending_qualifications: vec![],
        }
    }
    fn base(pattern: Pattern) -> AwardRule {
        AwardRule {
            name: "测试".into(),
            policy: 1,
            clause: "第八条（三）".into(),
            clause_inferred: true,
            region: fuzhou(),
            effective_on: "2023-11-10".into(),
            expires_on: None,
            decided_on: Some("2023-11-10".into()),
            pattern,
            item: None,
            amount: None,
            cap: None,
            tiers: vec![],
            cost: None,
            share_percent: None,
            requires: None,
            condition: None,
            event: None,
            examples: vec![],
        }
    }
    fn identified() -> AwardRule {
        AwardRule {
            item: Some(Item::IdentifiedProducts),
            amount: Some(m("10000")),
            cap: Some(m("30000")),
            ..base(Pattern::PerItem)
        }
    }
    fn honours() -> AwardRule {
        let t = |k, l, a: &str| Tier {
            qualification: Some(k),
            level: Some(l),
            declaration: None,
            amount: m(a),
        };
        use QualificationKind::*;
        use QualificationLevel::*;
        AwardRule {
            tiers: vec![
                t(IpDemonstration, National, "30000"),
                t(IpAdvantage, National, "20000"),
                t(IpDemonstration, Provincial, "20000"),
                t(IpAdvantage, Provincial, "10000"),
                t(IpDemonstration, City, "10000"),
                t(IpAdvantage, City, "5000"),
            ],
            ..base(Pattern::HighestOnly)
        }
    }
    fn q(
        kind: QualificationKind,
        level: QualificationLevel,
        from: &str,
        to: &str,
    ) -> HeldQualification {
        HeldQualification {
            kind,
            level,
            valid_from: Some(from.into()),
            valid_to: Some(to.into()),
        }
    }
    fn certification() -> AwardRule {
        AwardRule {
            cost: Some(DeclarationKind::CertificationFee),
            share_percent: Some(100),
            cap: Some(m("20000")),
            requires: Some(Trigger {
                qualification: Some(QualificationKind::IpManagementStandard),
                level: None,
                declaration: None,
            }),
            condition: Some(Condition {
                any_of: vec![
                    Requirement {
                        measure: Measure::ValidPatents,
                        at_least: 3,
                    },
                    Requirement {
                        measure: Measure::InventionPatents,
                        at_least: 1,
                    },
                ],
            }),
            ..base(Pattern::CostShare)
        }
    }

    #[test]
    fn an_absurd_amount_times_a_large_count_is_a_reason_not_an_overflow() {
        // Found by an attacker: the largest accepted amount times a u32 count overflowed i64
        // and the request panicked (500) after the rule was stored.
        let r = AwardRule {
            item: Some(Item::RegisteredProducts),
            amount: Some(m("10000000000000")),
            ..base(Pattern::PerItem)
        };
        let mut f = facts();
        f.registered_products = u32::MAX;
        let out = r.evaluate(2025, &f, &code_name);
        assert_eq!(out.amount(), None);
        assert!(
            out.text().contains("超出平台可计算的范围"),
            "{}",
            out.text()
        );

        let r = AwardRule {
            share_percent: Some(100),
            cap: Some(m("10000000000000")),
            requires: None,
            condition: None,
            ..certification()
        };
        let mut f = facts();
        f.declarations = (0..10_000)
            .map(|_| Declared {
                kind: DeclarationKind::CertificationFee,
                amount: Some(m("10000000000000")),
                id: None,
            })
            .collect();
        let out = r.evaluate(2025, &f, &code_name);
        assert_eq!(out.amount(), None);
        assert!(
            out.text().contains("超出平台可计算的范围"),
            "{}",
            out.text()
        );
        // Totals never panic either.
        let total: Money = std::iter::repeat_n(m("10000000000000"), 10_000).sum();
        assert!(total > m("10000000000000"));
    }

    #[test]
    fn a_rule_is_bounded_in_its_text_and_its_examples() {
        let mut r = identified();
        r.name = "名".repeat(MAX_NAME_CHARS + 1);
        r.clause = "条".repeat(MAX_CLAUSE_CHARS + 1);
        r.examples = (0..=MAX_EXAMPLES)
            .map(|i| Example {
                name: format!("e{i}"),
                year: 2025,
                facts: facts(),
                amount: None,
                reason_contains: None,
            })
            .collect();
        let fields: Vec<String> = r.check().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["name", "clause", "examples"]);
    }

    #[test]
    fn per_item_pays_each_item_up_to_the_yearly_cap() {
        let r = identified();
        assert!(r.check().is_empty());
        let mut f = facts();
        f.identified_products = 2;
        assert_eq!(r.evaluate(2025, &f, &code_name).amount(), Some(m("20000")));
        f.identified_products = 5;
        let out = r.evaluate(2025, &f, &code_name);
        assert_eq!(out.amount(), Some(m("30000")));
        assert!(
            out.text().contains("单个企业年度不超过30,000.00元"),
            "{}",
            out.text()
        );
        f.identified_products = 0;
        assert_eq!(r.evaluate(2025, &f, &code_name).amount(), None);
    }

    #[test]
    fn outside_the_region_or_the_dates_nothing_with_the_reason() {
        let r = identified();
        let mut f = facts();
        f.identified_products = 1;
        f.region = RegionCode::parse("360102").unwrap();
        let out = r.evaluate(2025, &f, &code_name);
        assert_eq!(out.amount(), None);
        assert!(out.text().contains("仅适用于361000"), "{}", out.text());
        f.region = linchuan();
        assert!(r.evaluate(2022, &f, &code_name).text().contains("起施行"));
        let expired = AwardRule {
            expires_on: Some("2024-12-31".into()),
            ..identified()
        };
        assert!(expired
            .evaluate(2025, &f, &code_name)
            .text()
            .contains("已于2024-12-31失效"));
        assert_eq!(
            expired.evaluate(2024, &f, &code_name).amount(),
            Some(m("10000"))
        );
    }

    #[test]
    fn several_honours_at_once_pay_the_highest_once() {
        use QualificationKind::*;
        use QualificationLevel::*;
        let r = honours();
        let mut f = facts();
        f.qualifications = vec![
            q(IpAdvantage, City, "2025-03-01", "2028-02-28"),
            q(IpDemonstration, Provincial, "2025-06-01", "2028-05-31"),
            q(IpAdvantage, National, "2025-09-01", "2030-08-31"),
        ];
        let out = r.evaluate(2025, &f, &code_name);
        assert_eq!(out.amount(), Some(m("20000")));
        assert!(out.text().contains("不重复奖励"), "{}", out.text());
        // The year after, the same honours pay nothing.
        assert_eq!(r.evaluate(2026, &f, &code_name).amount(), None);
    }

    #[test]
    fn a_later_higher_honour_pays_the_difference_and_a_lower_one_nothing() {
        use QualificationKind::*;
        use QualificationLevel::*;
        let r = honours();
        let mut f = facts();
        f.qualifications = vec![
            q(IpAdvantage, City, "2024-03-01", "2027-02-28"),
            q(IpDemonstration, National, "2026-05-01", "2031-04-30"),
        ];
        assert_eq!(r.evaluate(2024, &f, &code_name).amount(), Some(m("5000")));
        let out = r.evaluate(2026, &f, &code_name);
        assert_eq!(out.amount(), Some(m("25000")), "{}", out.text());
        assert!(out.text().contains("补足差额"));
        f.qualifications
            .push(q(IpDemonstration, City, "2027-05-01", "2030-04-30"));
        let out = r.evaluate(2027, &f, &code_name);
        assert_eq!(out.amount(), None);
        assert!(out.text().contains("不重复奖励"), "{}", out.text());
    }

    #[test]
    fn the_cost_share_condition_and_cap_explain_themselves() {
        use QualificationKind::*;
        let r = certification();
        assert!(r.check().is_empty(), "{:?}", r.check());
        let mut f = facts();
        f.valid_patents = 2;
        f.qualifications = vec![q(
            IpManagementStandard,
            QualificationLevel::National,
            "2025-04-01",
            "2028-03-31",
        )];
        f.declarations = vec![Declared {
            kind: DeclarationKind::CertificationFee,
            amount: Some(m("26000")),
            id: None,
        }];
        let out = r.evaluate(2025, &f, &code_name);
        assert_eq!(out.amount(), None);
        assert!(
            out.text()
                .contains("需拥有有效专利3件以上或发明专利1件以上；目前有效专利2件、发明专利0件"),
            "{}",
            out.text()
        );
        f.invention_patents = 1;
        let out = r.evaluate(2025, &f, &code_name);
        assert_eq!(out.amount(), Some(m("20000")), "{}", out.text());
        f.declarations[0].amount = Some(m("12345.67"));
        assert_eq!(
            r.evaluate(2025, &f, &code_name).amount(),
            Some(m("12345.67"))
        );
        let insurance = AwardRule {
            cost: Some(DeclarationKind::InsurancePremium),
            share_percent: Some(60),
            cap: Some(m("10000")),
            requires: None,
            condition: None,
            ..certification()
        };
        f.declarations = vec![Declared {
            kind: DeclarationKind::InsurancePremium,
            amount: Some(m("1000.05")),
            id: None,
        }];
        assert_eq!(
            insurance.evaluate(2025, &f, &code_name).amount(),
            Some(m("600.03"))
        );
    }

    #[test]
    fn an_expired_qualification_does_not_count() {
        use QualificationKind::*;
        let r = certification();
        let mut f = facts();
        f.invention_patents = 1;
        f.qualifications = vec![q(
            IpManagementStandard,
            QualificationLevel::National,
            "2021-01-01",
            "2024-06-30",
        )];
        f.declarations = vec![Declared {
            kind: DeclarationKind::CertificationFee,
            amount: Some(m("8000")),
            id: None,
        }];
        let out = r.evaluate(2025, &f, &code_name);
        assert_eq!(out.amount(), None);
        assert!(out.text().contains("已于2024-06-30失效"), "{}", out.text());
    }

    #[test]
    fn examples_run_through_the_same_code_and_a_wrong_one_fails() {
        let mut r = identified();
        let mut f = facts();
        f.identified_products = 4;
        r.examples = vec![
            Example {
                name: "四件封顶".into(),
                year: 2025,
                facts: f.clone(),
                amount: Some(m("30000")),
                reason_contains: Some("年度不超过".into()),
            },
            Example {
                name: "错的".into(),
                year: 2025,
                facts: f,
                amount: Some(m("40000")),
                reason_contains: None,
            },
        ];
        let fails = run_examples(&r);
        assert_eq!(fails.len(), 1);
        assert_eq!(fails[0].index, 1);
        assert!(
            fails[0].message_zh.contains("预期不超过40,000.00元"),
            "{}",
            fails[0].message_zh
        );
    }

    #[test]
    fn a_rule_names_its_missing_fields() {
        let r = base(Pattern::CostShare);
        let fields: Vec<String> = r.check().into_iter().map(|(f, _)| f).collect();
        assert!(fields.contains(&"cost".to_string()));
        assert!(fields.contains(&"share_percent".to_string()));
        assert!(fields.contains(&"cap".to_string()));
        let json = serde_json::to_string(&identified()).unwrap();
        assert!(json.contains("\"amount\":\"10000.00\""), "{json}");
        let back: AwardRule = serde_json::from_str(&json).unwrap();
        assert_eq!(back, identified());
    }

    #[test]
    fn a_pending_qualification_never_counts_and_says_so_and_amounts_name_their_declarations() {
        use QualificationKind::*;
        let r = certification();
        let mut f = facts();
        f.invention_patents = 1;
        f.pending_qualifications = vec![q(
            IpManagementStandard,
            QualificationLevel::National,
            "2025-04-01",
            "2028-03-31",
        )];
        f.declarations = vec![
            Declared {
                kind: DeclarationKind::CertificationFee,
                amount: Some(m("6000")),
                id: Some(41),
            },
            Declared {
                kind: DeclarationKind::CertificationFee,
                amount: Some(m("2000")),
                id: Some(43),
            },
        ];
        let out = r.evaluate(2025, &f, &code_name);
        assert_eq!(out.amount(), None);
        assert!(out.text().contains("资质待审核"), "{}", out.text());
        // Confirmed, it counts; the explanation names the declarations it adds up.
        f.qualifications = std::mem::take(&mut f.pending_qualifications);
        let out = r.evaluate(2025, &f, &code_name);
        assert_eq!(out.amount(), Some(m("8000")), "{}", out.text());
        assert!(
            out.text().contains("8,000.00元（申报编号 41、43）"),
            "{}",
            out.text()
        );
        // An honour waiting for review is named too, and pays nothing.
        let mut g = facts();
        g.pending_qualifications = vec![q(
            IpDemonstration,
            QualificationLevel::City,
            "2025-05-01",
            "2028-04-30",
        )];
        let honours = AwardRule {
            pattern: Pattern::HighestOnly,
            tiers: vec![Tier {
                qualification: Some(IpDemonstration),
                level: Some(QualificationLevel::City),
                declaration: None,
                amount: m("10000"),
            }],
            cost: None,
            share_percent: None,
            cap: None,
            requires: None,
            condition: None,
            ..certification()
        };
        let out = honours.evaluate(2025, &g, &code_name);
        assert_eq!(out.amount(), None);
        assert!(
            out.text().contains("市级知识产权示范企业资质待审核"),
            "{}",
            out.text()
        );
    }
}
