//! Patent-intensive product identification (专利密集型产品认定): the measures the platform
//! computes for a product's reference year, field benchmarks, and the identification method as
//! data an official edits and versions.
//!
//! Every computed value is an exact decimal ([`Decimal`]) rounded to [`SCALE`] places, half away
//! from zero (四舍五入), and always written with exactly [`SCALE`] decimals, so that the same
//! inputs give the same bytes on every engine. A measure is a [`Measured::Value`], or
//! [`Measured::Missing`] (the product lacks the figures: it leaves that measure's population), or
//! [`Measured::NotComputable`] (growth over a missing or zero prior year, a ratio over zero
//! revenue: the answer says so, never 0 or infinity).
//!
//! Quantile benchmarks are computed like PostgreSQL's `percentile_cont`: the values are sorted and
//! the quantile `q` lies at position `q × (n − 1)`, linearly interpolated between the two closest
//! ranks; it is computed here, in Rust, so that SQLite and PostgreSQL give the same result.

use crate::decimals::{self, DecimalText};
use crate::money::Money;
use crate::validation::{nullable, trimmed, Violation};
use crate::{IndustryCode, IndustryLevel};
pub use rust_decimal::Decimal;
use rust_decimal::RoundingStrategy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Decimal places of every computed value, benchmark and score.
pub const SCALE: u32 = 4;

/// `d` rounded to [`SCALE`] places (half away from zero) and written with exactly that many.
pub fn fixed(d: Decimal) -> Decimal {
    let mut r = d.round_dp_with_strategy(SCALE, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(SCALE);
    r
}

code_enum!(
    /// What the platform computes for a product and its reference year.
    Measure, "measure", written as codes, {
        ValidPatents = "valid_patents" / "有效专利数",
        InventionPatents = "invention_patents" / "有效发明专利数",
        InventionShare = "invention_share" / "发明专利占比",
        CorePatents = "core_patents" / "核心专利数",
        SalesRevenue = "sales_revenue" / "销售收入",
        RevenueGrowth = "revenue_growth" / "销售收入增长率",
        PatentsPer100mRevenue = "patents_per_100m_revenue" / "每亿元销售收入有效专利数",
        IpInvestmentShare = "ip_investment_share" / "知识产权投入占销售收入比重",
        ExportShare = "export_share" / "出口额占销售收入比重",
    }
);

impl Measure {
    /// The unit a value of this measure is stated in.
    pub fn unit_zh(self) -> &'static str {
        match self {
            Measure::ValidPatents | Measure::InventionPatents | Measure::CorePatents => "件",
            Measure::SalesRevenue => "万元",
            Measure::PatentsPer100mRevenue => "件/亿元",
            Measure::InventionShare
            | Measure::RevenueGrowth
            | Measure::IpInvestmentShare
            | Measure::ExportShare => "%",
        }
    }

    /// How the measure is computed, for the method page.
    pub fn definition_zh(self) -> &'static str {
        match self {
            Measure::ValidPatents => "关联本产品、认定年度 12 月 31 日有效的专利件数",
            Measure::InventionPatents => "其中发明专利的件数",
            Measure::InventionShare => "有效发明专利数 ÷ 有效专利数 × 100；无有效专利时不可计算",
            Measure::CorePatents => "企业标注为核心专利的有效专利件数；未标注时缺数据",
            Measure::SalesRevenue => "认定年度的销售收入（万元）",
            Measure::RevenueGrowth => {
                "（本年销售收入 − 上年销售收入）÷ 上年销售收入 × 100；上年缺数据或为零时不可计算"
            }
            Measure::PatentsPer100mRevenue => {
                "有效专利数 ÷ 销售收入（亿元）；销售收入为零时不可计算"
            }
            Measure::IpInvestmentShare => "知识产权投入 ÷ 销售收入 × 100；销售收入为零时不可计算",
            Measure::ExportShare => "出口额 ÷ 销售收入 × 100；销售收入为零时不可计算",
        }
    }
}

/// A product's figures for the reference year, as the measures read them. Patent counts are
/// those of the linked patents in force on 31 December of the year; money is in yuan (a string
/// with at most two decimals; `""` or `null` when there is none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ExampleFigures)]
pub struct Figures {
    pub valid_patents: u32,
    pub invention_patents: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_patents: Option<u32>,
    #[serde(
        default,
        with = "crate::money::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "20000000.00")]
    pub sales_revenue: Option<Money>,
    #[serde(
        default,
        with = "crate::money::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub prior_sales_revenue: Option<Money>,
    #[serde(
        default,
        with = "crate::money::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub ip_investment: Option<Money>,
    #[serde(
        default,
        with = "crate::money::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub export_value: Option<Money>,
}

/// A measure's value for one product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Measured {
    /// The value, at [`SCALE`].
    Value(Decimal),
    /// The product lacks the figures: it is not part of this measure's population.
    Missing,
    /// The figures are there but the measure has no value (why, in Chinese).
    NotComputable(&'static str),
}

impl Measured {
    pub fn value(&self) -> Option<Decimal> {
        match self {
            Measured::Value(v) => Some(*v),
            _ => None,
        }
    }

    /// The value, or what stands in its place, in plain Chinese.
    pub fn describe_zh(&self, measure: Measure) -> String {
        match self {
            Measured::Value(v) => format!("{} {}", plain(*v), measure.unit_zh()),
            Measured::Missing => "缺少数据".to_string(),
            Measured::NotComputable(why) => format!("不可计算（{why}）"),
        }
    }
}

/// A decimal for people: trailing zeros after the point dropped (`3.0000` → `3`).
pub fn plain(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A decimal kept as text (a stored total, `"79.0000"`) as people write it (`79`, `79.5`); text
/// that is not a number is left as it is.
pub fn plain_text(v: &str) -> String {
    v.trim()
        .parse::<Decimal>()
        .map(plain)
        .unwrap_or_else(|_| v.to_string())
}

/// A ratio (0.5) as people write a percentage: at most one decimal, none when whole (`50%`,
/// `66.7%`, `100%`).
pub fn percent(ratio: f64) -> String {
    let s = format!("{:.1}", ratio * 100.0);
    let s = s.strip_suffix(".0").unwrap_or(&s);
    format!("{s}%")
}

fn yuan(m: Money) -> Decimal {
    Decimal::new(m.fen(), 2)
}

fn ratio(num: Decimal, den: Decimal, times: Decimal) -> Decimal {
    fixed(num * times / den)
}

/// The value of `measure` for a product with these figures.
pub fn measure(m: Measure, f: &Figures) -> Measured {
    let hundred = Decimal::ONE_HUNDRED;
    let revenue = f.sales_revenue.map(yuan);
    let over_revenue = |part: Option<Money>, times: Decimal| match (part, revenue) {
        (Some(_), Some(r)) if r.is_zero() => Measured::NotComputable("销售收入为零"),
        (Some(p), Some(r)) => Measured::Value(ratio(yuan(p), r, times)),
        _ => Measured::Missing,
    };
    match m {
        Measure::ValidPatents => Measured::Value(fixed(f.valid_patents.into())),
        Measure::InventionPatents => Measured::Value(fixed(f.invention_patents.into())),
        Measure::CorePatents => match f.core_patents {
            Some(n) => Measured::Value(fixed(n.into())),
            None => Measured::Missing,
        },
        Measure::InventionShare => {
            if f.valid_patents == 0 {
                Measured::NotComputable("无有效专利")
            } else {
                Measured::Value(ratio(
                    f.invention_patents.into(),
                    f.valid_patents.into(),
                    hundred,
                ))
            }
        }
        // 万元: fen ÷ 10⁶, exact.
        Measure::SalesRevenue => match f.sales_revenue {
            Some(m) => Measured::Value(fixed(Decimal::new(m.fen(), 6))),
            None => Measured::Missing,
        },
        Measure::RevenueGrowth => match (revenue, f.prior_sales_revenue.map(yuan)) {
            (None, _) => Measured::Missing,
            (Some(_), None) => Measured::NotComputable("缺少上年销售收入"),
            (Some(_), Some(p)) if p.is_zero() => Measured::NotComputable("上年销售收入为零"),
            (Some(r), Some(p)) => Measured::Value(ratio(r - p, p, hundred)),
        },
        Measure::PatentsPer100mRevenue => match revenue {
            None => Measured::Missing,
            Some(r) if r.is_zero() => Measured::NotComputable("销售收入为零"),
            Some(r) => Measured::Value(ratio(
                f.valid_patents.into(),
                r,
                Decimal::from(100_000_000u32),
            )),
        },
        Measure::IpInvestmentShare => over_revenue(f.ip_investment, hundred),
        Measure::ExportShare => over_revenue(f.export_value, hundred),
    }
}

/// The `q` quantile (0 ≤ q ≤ 1) of `values`, as PostgreSQL's `percentile_cont`: sorted, position
/// `q × (n − 1)`, linear interpolation between the closest ranks; at [`SCALE`]. `None` for no
/// values.
pub fn percentile_cont(values: &mut [Decimal], q: Decimal) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    let pos = q * Decimal::from(n as u64 - 1);
    let lo = pos.floor();
    let lo_i = usize::try_from(lo.mantissa() / 10i128.pow(lo.scale())).unwrap_or(0);
    let hi_i = (lo_i + 1).min(n - 1);
    let frac = pos - lo;
    let a = values[lo_i.min(n - 1)];
    let b = values[hi_i];
    Some(fixed(a + frac * (b - a)))
}

/// [`percentile_cont`] of the values of several sorted vectors of integers × 10⁴ taken
/// together: the same interpolation, the same decimal answer. A single vector is read in
/// place; several are merged into one temporary vector first.
fn percentile_of_sorted_parts(parts: &[&Vec<i64>], q: Decimal) -> Option<Decimal> {
    let merged;
    let values: &[i64] = match parts {
        [] => return None,
        [one] => one,
        many => {
            let mut all: Vec<i64> = Vec::with_capacity(many.iter().map(|v| v.len()).sum());
            for v in many {
                all.extend_from_slice(v);
            }
            all.sort_unstable();
            merged = all;
            &merged
        }
    };
    if values.is_empty() {
        return None;
    }
    let n = values.len();
    let pos = q * Decimal::from(n as u64 - 1);
    let lo = pos.floor();
    let lo_i = usize::try_from(lo.mantissa() / 10i128.pow(lo.scale())).unwrap_or(0);
    let hi_i = (lo_i + 1).min(n - 1);
    let frac = pos - lo;
    let a = Decimal::new(values[lo_i.min(n - 1)], SCALE);
    let b = Decimal::new(values[hi_i], SCALE);
    Some(fixed(a + frac * (b - a)))
}

code_enum!(
    /// The GB/T 4754-2017 level that defines a field (领域): 大类, 中类 or 小类.
    FieldLevel, "field_level", {
        Division = "division" / "大类",
        Group = "group" / "中类",
        Class = "class" / "小类",
    }
);

impl FieldLevel {
    fn industry_level(self) -> IndustryLevel {
        match self {
            FieldLevel::Division => IndustryLevel::Division,
            FieldLevel::Group => IndustryLevel::Group,
            FieldLevel::Class => IndustryLevel::Class,
        }
    }

    /// The field of a product coded `code`: its ancestor at this level, or the code itself when
    /// it is coded more coarsely.
    pub fn field_of(self, code: &IndustryCode) -> IndustryCode {
        let mut c = code.clone();
        while c.level() > self.industry_level() {
            match c.parent() {
                Some(p) => c = p,
                None => break,
            }
        }
        c
    }
}

code_enum!(
    /// Whether a product passes an indicator by reaching the benchmark (`at_least`) or by not
    /// exceeding it (`at_most`).
    Direction, "direction", {
        AtLeast = "at_least" / "不低于基准",
        AtMost = "at_most" / "不高于基准",
    }
);

code_enum!(
    /// How the indicators combine into the patent evaluation (专利性评价): `all` indicators must
    /// pass, or a `weighted` score must reach `pass_score`.
    Combine, "combine", {
        All = "all" / "全部指标均须达到基准",
        Weighted = "weighted" / "加权计分，达到及格分即通过",
    }
);

code_enum!(
    /// How the experts' scores combine.
    Aggregate, "aggregate", {
        Mean = "mean" / "算术平均",
        TrimmedMean = "trimmed_mean" / "去掉一个最高分和一个最低分后平均",
        Median = "median" / "中位数",
    }
);

code_enum!(
    /// How the patent evaluation and the industry evaluation make the final outcome.
    FinalRule, "final_rule", {
        BothPass = "both_pass" / "专利性评价和产业性评价均通过方可认定",
        PatentOnly = "patent_only" / "以专利性评价为准，产业性评价供参考",
    }
);

/// A benchmark: a quantile of the field's registered products, or a fixed value. Written
/// `{"quantile":"0.5"}` or `{"value":"3"}`; read from an object with exactly one of the two
/// (the other left out, `null` or `""`), or refused with `invalid_benchmark` on its own path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BenchmarkRule {
    Quantile(Decimal),
    Value(Decimal),
}

impl<'de> Deserialize<'de> for BenchmarkRule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, MapAccess, Visitor};
        struct Rule;
        impl<'de> Visitor<'de> for Rule {
            type Value = BenchmarkRule;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object with one of quantile and value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BenchmarkRule, A::Error> {
                const FIELDS: &[&str] = &["quantile", "value"];
                let (mut quantile, mut value) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    let slot = match key.as_str() {
                        "quantile" => &mut quantile,
                        "value" => &mut value,
                        other => return Err(A::Error::unknown_field(other, FIELDS)),
                    };
                    if slot.is_some() {
                        return Err(A::Error::custom(format!("duplicate field `{key}`")));
                    }
                    *slot = Some(map.next_value::<decimals::Maybe>()?.0);
                }
                match (quantile.flatten(), value.flatten()) {
                    (Some(q), None) => Ok(BenchmarkRule::Quantile(q)),
                    (None, Some(v)) => Ok(BenchmarkRule::Value(v)),
                    _ => Err(Violation::new(
                        "invalid_benchmark",
                        "基准应为分位数或固定值二者之一",
                        "benchmark needs exactly one of quantile and value",
                    )
                    .into_de_error()),
                }
            }
        }
        d.deserialize_map(Rule)
    }
}

// Written out: an object with two optional decimals, of which a benchmark has exactly one.
impl utoipa::PartialSchema for BenchmarkRule {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AdditionalProperties, ObjectBuilder, OneOfBuilder, Ref, Type,
        };
        let decimal = |description: &str| {
            OneOfBuilder::new()
                .item(ObjectBuilder::new().schema_type(Type::Null))
                .item(Ref::from_schema_name(<DecimalText as ToSchema>::name()))
                .description(Some(description))
        };
        ObjectBuilder::new()
            .description(Some(
                "A benchmark: `{\"quantile\":\"0.5\"}` (of the field's registered products, 0 to 1) \
                 or `{\"value\":\"3\"}` (a fixed value in the measure's unit); exactly one of \
                 the two (`invalid_benchmark` otherwise).",
            ))
            .property(
                "quantile",
                decimal("A quantile of the field's registered products, 0 to 1 (0.5: the median)."),
            )
            .property("value", decimal("A fixed value, in the measure's unit."))
            .additional_properties(Some(AdditionalProperties::<
                utoipa::openapi::schema::Schema,
            >::FreeForm(false)))
            .into()
    }
}

impl ToSchema for BenchmarkRule {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Benchmark")
    }
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push((DecimalText::name().into(), DecimalText::schema()));
    }
}

impl BenchmarkRule {
    pub fn describe_zh(&self, m: Measure) -> String {
        match self {
            BenchmarkRule::Quantile(q) => {
                format!(
                    "本领域已备案产品的 {} 分位数",
                    plain(*q * Decimal::ONE_HUNDRED)
                )
            }
            BenchmarkRule::Value(v) => format!("固定值 {} {}", plain(*v), m.unit_zh()),
        }
    }
}

/// One indicator of a method.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub measure: Measure,
    pub benchmark: BenchmarkRule,
    pub direction: Direction,
    /// The points this indicator gives when passed (weighted combination only).
    #[serde(
        default,
        with = "decimals::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<DecimalText>)]
    pub weight: Option<Decimal>,
}

/// Where a method comes from: the document and clause, stated honestly.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The document (e.g. a standard or a notice), or a plain statement that there is none.
    #[serde(deserialize_with = "trimmed")]
    pub document: String,
    /// The clause of it.
    #[serde(default, deserialize_with = "trimmed")]
    pub clause: String,
}

/// One item of the experts' score sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreItem {
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    #[serde(with = "decimals::required")]
    #[schema(value_type = DecimalText)]
    pub max_score: Decimal,
}

/// The industry evaluation (产业性评价) by experts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndustryEvaluation {
    pub items: Vec<ScoreItem>,
    pub min_experts: u32,
    pub aggregate: Aggregate,
    #[serde(with = "decimals::required")]
    #[schema(value_type = DecimalText)]
    pub pass_score: Decimal,
}

/// A worked example: a product's figures and its field's other registered products, the
/// experts' total scores, and the outcome the method must give.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    pub product: Figures,
    /// The other registered products of the product's field (the benchmark population is these
    /// and the product).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<Figures>>)]
    pub field: Vec<Figures>,
    /// Each expert's total score; none when the example checks the patent evaluation only.
    #[serde(default, with = "decimals::list")]
    #[schema(value_type = Option<Vec<DecimalText>>)]
    pub expert_scores: Vec<Decimal>,
    /// The expected patent evaluation.
    pub passed: bool,
    /// The expected final outcome (needs expert scores when the final rule reads them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<bool>,
}

/// An identification method (评价方法): the API's request and answer and the stored document
/// are this one shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Method {
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    pub source: Source,
    pub field_level: FieldLevel,
    /// A field with fewer products having a measure uses its parent field's benchmark.
    pub min_field_size: u32,
    pub indicators: Vec<Indicator>,
    pub combine: Combine,
    /// The weighted score needed to pass (weighted combination only).
    #[serde(
        default,
        with = "decimals::optional",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<DecimalText>)]
    pub pass_score: Option<Decimal>,
    pub industry: IndustryEvaluation,
    pub final_rule: FinalRule,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<Example>>)]
    pub examples: Vec<Example>,
}

fn v(code: &'static str, zh: impl Into<String>, en: &str) -> Violation {
    Violation::new(code, zh, en.to_string())
}

impl Method {
    /// Every field-level problem of the method, with the field's path.
    pub fn check(&self) -> Vec<(String, Violation)> {
        let mut e = Vec::new();
        let mut push = |f: String, code, zh: &str, en: &str| e.push((f, v(code, zh, en)));
        if self.name.trim().is_empty() {
            push("name".into(), "required", "请填写方法名称", "name required");
        }
        if self.source.document.trim().is_empty() {
            push(
                "source.document".into(),
                "required",
                "请写明方法依据的文件；没有正式文件的，请如实写明",
                "source document required",
            );
        }
        if self.min_field_size == 0 {
            push(
                "min_field_size".into(),
                "invalid_min_field_size",
                "领域最少产品数应为正整数",
                "min_field_size must be positive",
            );
        }
        if self.indicators.is_empty() {
            push(
                "indicators".into(),
                "required",
                "至少需要一项指标",
                "at least one indicator",
            );
        }
        let zero = Decimal::ZERO;
        let mut weights = zero;
        for (i, ind) in self.indicators.iter().enumerate() {
            if self.indicators[..i]
                .iter()
                .any(|o| o.measure == ind.measure)
            {
                push(
                    format!("indicators[{i}].measure"),
                    "duplicate_measure",
                    "同一测度只能作为一项指标",
                    "measure listed twice",
                );
            }
            if let BenchmarkRule::Quantile(q) = ind.benchmark {
                if q < zero || q > Decimal::ONE {
                    push(
                        format!("indicators[{i}].benchmark"),
                        "invalid_quantile",
                        "分位数应在 0 到 1 之间，如 0.5 表示中位数",
                        "quantile must be within 0..1",
                    );
                }
            }
            match (self.combine, ind.weight) {
                (Combine::Weighted, None) => push(
                    format!("indicators[{i}].weight"),
                    "required",
                    "加权计分时每项指标都须有分值",
                    "weight required",
                ),
                (Combine::Weighted, Some(w)) if w <= zero => push(
                    format!("indicators[{i}].weight"),
                    "invalid_weight",
                    "分值应大于 0",
                    "weight must be positive",
                ),
                (Combine::Weighted, Some(w)) => weights += w,
                (Combine::All, Some(_)) => push(
                    format!("indicators[{i}].weight"),
                    "weight_not_used",
                    "“全部指标均须达到基准”时不使用分值，请留空",
                    "weight is not used with combine=all",
                ),
                (Combine::All, None) => {}
            }
        }
        match (self.combine, self.pass_score) {
            (Combine::Weighted, None) => push(
                "pass_score".into(),
                "required",
                "加权计分时须写明及格分",
                "pass_score required",
            ),
            (Combine::Weighted, Some(p)) if p <= zero || p > weights => push(
                "pass_score".into(),
                "invalid_pass_score",
                &format!("及格分应大于 0 且不超过各指标分值之和 {}", plain(weights)),
                "pass_score must be within the weights' sum",
            ),
            (Combine::All, Some(_)) => push(
                "pass_score".into(),
                "weight_not_used",
                "“全部指标均须达到基准”时不使用及格分，请留空",
                "pass_score is not used with combine=all",
            ),
            _ => {}
        }
        let ind = &self.industry;
        if ind.items.is_empty() {
            push(
                "industry.items".into(),
                "required",
                "评分表至少需要一项",
                "score sheet needs an item",
            );
        }
        let mut max = zero;
        for (i, it) in ind.items.iter().enumerate() {
            if it.name.trim().is_empty() {
                push(
                    format!("industry.items[{i}].name"),
                    "required",
                    "请填写评分项名称",
                    "item name required",
                );
            }
            if it.max_score <= zero {
                push(
                    format!("industry.items[{i}].max_score"),
                    "invalid_score",
                    "满分应大于 0",
                    "max score must be positive",
                );
            }
            max += it.max_score;
        }
        if ind.min_experts == 0 || (ind.aggregate == Aggregate::TrimmedMean && ind.min_experts < 3)
        {
            push(
                "industry.min_experts".into(),
                "invalid_min_experts",
                "专家人数至少 1 人；去掉最高分和最低分时至少 3 人",
                "min_experts too small",
            );
        }
        if ind.pass_score <= zero || (!ind.items.is_empty() && ind.pass_score > max) {
            push(
                "industry.pass_score".into(),
                "invalid_pass_score",
                &format!("及格分应大于 0 且不超过评分表满分 {}", plain(max)),
                "industry pass score out of range",
            );
        }
        for (i, ex) in self.examples.iter().enumerate() {
            if ex.name.trim().is_empty() {
                push(
                    format!("examples[{i}].name"),
                    "required",
                    "请填写算例名称",
                    "example name required",
                );
            }
            if ex.product.invention_patents > ex.product.valid_patents {
                push(
                    format!("examples[{i}].product.invention_patents"),
                    "invalid_figures",
                    "发明专利数不能多于有效专利数",
                    "invention patents exceed valid patents",
                );
            }
            if ex.outcome.is_some()
                && self.final_rule == FinalRule::BothPass
                && (ex.expert_scores.len() as u32) < ind.min_experts
            {
                push(
                    format!("examples[{i}].expert_scores"),
                    "invalid_min_experts",
                    &format!(
                        "要核对认定结论，须给出至少 {} 位专家的评分",
                        ind.min_experts
                    ),
                    "not enough expert scores",
                );
            }
            for (k, s) in ex.expert_scores.iter().enumerate() {
                if *s < zero || (!ind.items.is_empty() && *s > max) {
                    push(
                        format!("examples[{i}].expert_scores[{k}]"),
                        "invalid_score",
                        &format!("专家评分应在 0 到满分 {} 之间", plain(max)),
                        "score out of range",
                    );
                }
            }
        }
        e
    }
}

/// A field's benchmark for one measure, as used for a product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Benchmark {
    pub value: Decimal,
    /// The field whose products made it (the product's own, or a parent's).
    pub field: IndustryCode,
    /// How many products' values it was computed from.
    pub population: u32,
    /// Set when the product's own field had too few products: its field and their number.
    pub fallback_from: Option<(IndustryCode, u32)>,
}

impl Benchmark {
    /// Where the benchmark comes from, in plain Chinese.
    pub fn explain_zh(&self, min_field_size: u32) -> String {
        match &self.fallback_from {
            None => format!("本领域 {} 的 {} 件产品", self.field, self.population),
            Some((own, n)) => format!(
                "本领域 {own} 仅 {n} 件产品有该项数据，少于 {min_field_size} 件，\
                 采用上级领域 {} 的 {} 件产品",
                self.field, self.population
            ),
        }
    }
}

/// Every field's values of every quantile measure, then their benchmarks: built from the
/// registered products of the reference year (all of them, opted in or not).
///
/// Kept small enough to stream a nation's products through: each value once, under the
/// product's own field only (a coarser field's quantile is taken at [`BenchmarkBook::finish`]
/// from its own and its descendants' values, one field at a time), and as an integer scaled by
/// 10⁴ (every measured value is [`fixed`] to four places) — eight bytes a value instead of a
/// decimal's sixteen, and four levels of fields no longer copy it four times. A value too
/// large for that (beyond about 9 × 10¹⁴) is kept as a decimal beside them.
#[derive(Clone, Debug, Default)]
pub struct BenchmarkBook {
    /// (the product's field at the method's level, measure) → its products' values × 10⁴.
    values: BTreeMap<(String, Measure), Vec<i64>>,
    /// The same for the rare value that does not fit an `i64` once scaled.
    wide: BTreeMap<(String, Measure), Vec<Decimal>>,
    computed: BTreeMap<(String, Measure), (Decimal, u32)>,
}

/// A fixed value (four places) as an integer × 10⁴, when it fits.
fn scaled(x: Decimal) -> Option<i64> {
    let mut x = x;
    x.rescale(SCALE);
    (x.scale() == SCALE)
        .then(|| i64::try_from(x.mantissa()).ok())
        .flatten()
}

impl BenchmarkBook {
    /// Adds one registered product, coded `industry`, with its figures. Its values count in its
    /// field at the method's level and, at [`BenchmarkBook::finish`], in every coarser field
    /// above it (for the fallback).
    pub fn add(&mut self, method: &Method, industry: &IndustryCode, figures: &Figures) {
        let own = method.field_level.field_of(industry);
        for ind in &method.indicators {
            if !matches!(ind.benchmark, BenchmarkRule::Quantile(_)) {
                continue;
            }
            let Measured::Value(x) = measure(ind.measure, figures) else {
                continue;
            };
            let key = (own.as_str().to_string(), ind.measure);
            match scaled(x) {
                Some(v) => self.values.entry(key).or_default().push(v),
                None => self.wide.entry(key).or_default().push(x),
            }
        }
    }

    /// Computes every benchmark (call after the last [`BenchmarkBook::add`]): for each field
    /// that has values, and each field above one, the quantile of all the values at or below it.
    pub fn finish(&mut self, method: &Method) {
        for v in self.values.values_mut() {
            v.sort_unstable();
        }
        // Each field, at any level up to the section → the own-field keys at or below it.
        let mut below: BTreeMap<(String, Measure), Vec<&(String, Measure)>> = BTreeMap::new();
        for key in self.values.keys().chain(self.wide.keys()) {
            let Ok(code) = IndustryCode::parse(&key.0) else {
                continue;
            };
            let mut f = Some(code);
            while let Some(c) = f {
                let parts = below.entry((c.as_str().to_string(), key.1)).or_default();
                if !parts.contains(&key) {
                    parts.push(key);
                }
                f = c.parent();
            }
        }
        let mut computed = BTreeMap::new();
        for ((field, m), parts) in below {
            let Some(q) = method.indicators.iter().find_map(|i| match i.benchmark {
                BenchmarkRule::Quantile(q) if i.measure == m => Some(q),
                _ => None,
            }) else {
                continue;
            };
            let ints: Vec<&Vec<i64>> = parts.iter().filter_map(|k| self.values.get(*k)).collect();
            let wide: Vec<&Vec<Decimal>> = parts.iter().filter_map(|k| self.wide.get(*k)).collect();
            let n = ints.iter().map(|v| v.len()).sum::<usize>()
                + wide.iter().map(|v| v.len()).sum::<usize>();
            let b = if wide.is_empty() {
                percentile_of_sorted_parts(&ints, q)
            } else {
                let mut all: Vec<Decimal> = ints
                    .iter()
                    .flat_map(|v| v.iter().map(|x| Decimal::new(*x, SCALE)))
                    .chain(wide.iter().flat_map(|v| v.iter().copied()))
                    .collect();
                percentile_cont(&mut all, q)
            };
            if let Some(b) = b {
                computed.insert((field, m), (b, n as u32));
            }
        }
        self.computed = computed;
    }

    /// The benchmarks of each field and measure: (field, measure, value, population).
    pub fn entries(&self) -> impl Iterator<Item = (&str, Measure, Decimal, u32)> {
        self.computed
            .iter()
            .map(|((f, m), (v, n))| (f.as_str(), *m, *v, *n))
    }

    fn population(&self, field: &IndustryCode, m: Measure) -> u32 {
        self.computed
            .get(&(field.as_str().to_string(), m))
            .map_or(0, |(_, n)| *n)
    }

    /// The benchmark for a product of `field` (at the method's level): its field's, or, when
    /// fewer than `min_field_size` products of the field have the measure, the nearest parent
    /// field's that has enough (the section's at the top, however few). `None` when no product
    /// of the section has the measure.
    pub fn benchmark(
        &self,
        method: &Method,
        field: &IndustryCode,
        m: Measure,
    ) -> Option<Benchmark> {
        let own_n = self.population(field, m);
        let mut f = field.clone();
        loop {
            let n = self.population(&f, m);
            let parent = f.parent();
            if n >= method.min_field_size || parent.is_none() {
                let (value, population) = *self.computed.get(&(f.as_str().to_string(), m))?;
                return Some(Benchmark {
                    value,
                    fallback_from: (f != *field).then(|| (field.clone(), own_n)),
                    field: f,
                    population,
                });
            }
            f = parent.expect("checked above");
        }
    }
}

/// One indicator judged for one product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    pub measure: Measure,
    pub value: Measured,
    /// The benchmark value, and where it comes from (`None` for a fixed value).
    pub benchmark: Option<Decimal>,
    pub from: Option<Benchmark>,
    pub passed: bool,
    pub reason: String,
}

/// The patent evaluation (专利性评价) of one product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatentEvaluation {
    pub indicators: Vec<Judged>,
    /// The weighted score (weighted combination only).
    pub score: Option<Decimal>,
    pub passed: bool,
    /// Why, in plain Chinese, one sentence per indicator and one for the combination.
    pub reasons: Vec<String>,
}

/// Judges a product of `field` with these figures against the book.
pub fn evaluate(
    method: &Method,
    book: &BenchmarkBook,
    field: &IndustryCode,
    figures: &Figures,
) -> PatentEvaluation {
    let mut indicators = Vec::new();
    let mut reasons = Vec::new();
    let mut score = Decimal::ZERO;
    let mut all = true;
    for ind in &method.indicators {
        let value = measure(ind.measure, figures);
        let (bench, from) = match ind.benchmark {
            BenchmarkRule::Value(x) => (Some(fixed(x)), None),
            BenchmarkRule::Quantile(_) => match book.benchmark(method, field, ind.measure) {
                Some(b) => (Some(b.value), Some(b)),
                None => (None, None),
            },
        };
        let name = ind.measure.label_zh();
        let unit = ind.measure.unit_zh();
        let (passed, reason) = match (&value, bench) {
            (Measured::Value(x), Some(b)) => {
                let ok = match ind.direction {
                    Direction::AtLeast => *x >= b,
                    Direction::AtMost => *x <= b,
                };
                let rel = if x == &b {
                    "等于"
                } else if *x > b {
                    "高于"
                } else {
                    "低于"
                };
                let whence = match &from {
                    Some(bm) => format!("（{}）", bm.explain_zh(method.min_field_size)),
                    None => "（固定值）".to_string(),
                };
                (
                    ok,
                    format!(
                        "{name} {} {unit}，{rel}本领域基准 {} {unit}{whence}，{}",
                        plain(*x),
                        plain(b),
                        if ok { "达到" } else { "未达到" }
                    ),
                )
            }
            (Measured::Value(x), None) => (
                false,
                format!("{name} {} {unit}，本领域无可用基准，未达到", plain(*x)),
            ),
            (Measured::Missing, _) => (false, format!("{name}缺少数据，未达到")),
            (Measured::NotComputable(why), _) => {
                (false, format!("{name}不可计算（{why}），未达到"))
            }
        };
        if passed {
            score += ind.weight.unwrap_or_default();
        } else {
            all = false;
        }
        reasons.push(reason.clone());
        indicators.push(Judged {
            measure: ind.measure,
            value,
            benchmark: bench,
            from,
            passed,
            reason,
        });
    }
    let (passed, score) = match method.combine {
        Combine::All => {
            reasons.push(if all {
                "全部指标均达到基准，专利性评价通过".to_string()
            } else {
                "有指标未达到基准，专利性评价未通过".to_string()
            });
            (all, None)
        }
        Combine::Weighted => {
            let pass = method.pass_score.unwrap_or_default();
            let ok = score >= pass;
            reasons.push(format!(
                "加权得分 {}，{}及格分 {}，专利性评价{}",
                plain(score),
                if ok { "达到" } else { "低于" },
                plain(pass),
                if ok { "通过" } else { "未通过" }
            ));
            (ok, Some(fixed(score)))
        }
    };
    PatentEvaluation {
        indicators,
        score,
        passed,
        reasons,
    }
}

/// The experts' scores combined by the method's aggregate; `None` with fewer than the minimum.
pub fn industry_score(ind: &IndustryEvaluation, scores: &[Decimal]) -> Option<Decimal> {
    if scores.is_empty() || (scores.len() as u32) < ind.min_experts {
        return None;
    }
    let mut s = scores.to_vec();
    s.sort_unstable();
    let mean = |v: &[Decimal]| v.iter().copied().sum::<Decimal>() / Decimal::from(v.len() as u64);
    Some(fixed(match ind.aggregate {
        Aggregate::Mean => mean(&s),
        Aggregate::TrimmedMean if s.len() >= 3 => mean(&s[1..s.len() - 1]),
        Aggregate::TrimmedMean => mean(&s),
        Aggregate::Median => percentile_cont(&mut s, Decimal::new(5, 1))?,
    }))
}

/// The final outcome from the patent evaluation and the experts' scores; `None` while the
/// final rule needs expert scores that are not (all) in.
pub fn final_outcome(method: &Method, patent_passed: bool, scores: &[Decimal]) -> Option<bool> {
    match method.final_rule {
        FinalRule::PatentOnly => Some(patent_passed),
        FinalRule::BothPass => {
            let s = industry_score(&method.industry, scores)?;
            Some(patent_passed && s >= method.industry.pass_score)
        }
    }
}

pub use crate::rule_versions::ExampleFailure;

/// The example's product judged by the method: its field is the example's own population.
pub fn run_example(method: &Method, ex: &Example) -> (PatentEvaluation, Option<bool>) {
    // The example's field: one class code (any will do; it only names the population). Its
    // population is all the example gives, so the fallback never applies.
    let field = IndustryCode::parse("C3911").expect("a valid code");
    let single = Method {
        min_field_size: 1,
        field_level: FieldLevel::Class,
        ..method.clone()
    };
    let mut book = BenchmarkBook::default();
    book.add(&single, &field, &ex.product);
    for f in &ex.field {
        book.add(&single, &field, f);
    }
    book.finish(&single);
    let eval = evaluate(&single, &book, &field, &ex.product);
    let outcome = final_outcome(method, eval.passed, &ex.expert_scores);
    (eval, outcome)
}

/// Runs every worked example; the failures, each with what came out.
pub fn run_examples(method: &Method) -> Vec<ExampleFailure> {
    let yes_no = |b: bool| if b { "通过" } else { "未通过" };
    let mut out = Vec::new();
    for (index, ex) in method.examples.iter().enumerate() {
        let (eval, outcome) = run_example(method, ex);
        let mut wrong = Vec::new();
        if eval.passed != ex.passed {
            wrong.push(format!(
                "专利性评价应为{}，实际为{}（{}）",
                yes_no(ex.passed),
                yes_no(eval.passed),
                eval.reasons.join("；")
            ));
        }
        if let Some(want) = ex.outcome {
            match outcome {
                Some(got) if got == want => {}
                Some(got) => wrong.push(format!(
                    "认定结论应为{}，实际为{}",
                    yes_no(want),
                    yes_no(got)
                )),
                None => wrong.push("专家评分不足，无法得出认定结论".to_string()),
            }
        }
        if !wrong.is_empty() {
            out.push(ExampleFailure {
                index,
                name: ex.name.clone(),
                message_zh: format!("算例“{}”未通过：{}", ex.name, wrong.join("；")),
            });
        }
    }
    out
}

/// The starter method the platform ships: an example to start from, **not** the national
/// standard (GB/T 46961-2025's indicators are not public here).
pub fn starter_method() -> Method {
    let d = |s: &str| s.parse::<Decimal>().expect("a decimal");
    let money = |s: &str| Some(Money::parse(s).expect("money"));
    let item = |name: &str, max: &str| ScoreItem {
        name: name.into(),
        max_score: d(max),
    };
    Method {
        name: "示例方法，非国家标准".into(),
        source: Source {
            document: "无：平台内置示例，供管理员参照修改；GB/T 46961-2025《专利密集型产品评价方法》的指标未在平台公开，本方法不代表该标准".into(),
            clause: "—".into(),
        },
        field_level: FieldLevel::Division,
        min_field_size: 5,
        indicators: vec![
            Indicator {
                measure: Measure::ValidPatents,
                benchmark: BenchmarkRule::Quantile(d("0.5")),
                direction: Direction::AtLeast,
                weight: None,
            },
            Indicator {
                measure: Measure::InventionShare,
                benchmark: BenchmarkRule::Value(d("30")),
                direction: Direction::AtLeast,
                weight: None,
            },
            Indicator {
                measure: Measure::PatentsPer100mRevenue,
                benchmark: BenchmarkRule::Quantile(d("0.5")),
                direction: Direction::AtLeast,
                weight: None,
            },
        ],
        combine: Combine::All,
        pass_score: None,
        industry: IndustryEvaluation {
            items: vec![
                item("技术先进性", "40"),
                item("市场前景", "30"),
                item("产业带动作用", "30"),
            ],
            min_experts: 3,
            aggregate: Aggregate::TrimmedMean,
            pass_score: d("60"),
        },
        final_rule: FinalRule::BothPass,
        examples: vec![
            Example {
                name: "专利多于同领域多数产品".into(),
                product: Figures {
                    valid_patents: 6,
                    invention_patents: 3,
                    core_patents: None,
                    sales_revenue: money("20000000.00"),
                    prior_sales_revenue: money("16000000.00"),
                    ip_investment: money("800000.00"),
                    export_value: None,
                },
                field: vec![
                    Figures {
                        valid_patents: 2,
                        invention_patents: 1,
                        sales_revenue: money("50000000.00"),
                        ..Figures::default()
                    },
                    Figures {
                        valid_patents: 4,
                        invention_patents: 1,
                        sales_revenue: money("40000000.00"),
                        ..Figures::default()
                    },
                ],
                expert_scores: vec![d("70"), d("75"), d("90")],
                passed: true,
                outcome: Some(true),
            },
            Example {
                name: "发明专利占比不足".into(),
                product: Figures {
                    valid_patents: 6,
                    invention_patents: 1,
                    sales_revenue: money("20000000.00"),
                    ..Figures::default()
                },
                field: vec![Figures {
                    valid_patents: 2,
                    invention_patents: 1,
                    sales_revenue: money("50000000.00"),
                    ..Figures::default()
                }],
                expert_scores: vec![],
                passed: false,
                outcome: None,
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn ds(v: &[&str]) -> Vec<Decimal> {
        v.iter().map(|s| d(s)).collect()
    }

    fn money(s: &str) -> Option<Money> {
        Some(Money::parse(s).unwrap())
    }

    #[test]
    fn a_measure_is_written_as_its_code_and_read_from_the_name_older_documents_hold() {
        let m = Measure::PatentsPer100mRevenue;
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            "\"patents_per_100m_revenue\""
        );
        for stored in [
            "\"patents_per_100m_revenue\"",
            "\"patents_per100m_revenue\"",
        ] {
            assert_eq!(serde_json::from_str::<Measure>(stored).unwrap(), m);
        }
        let bad = serde_json::from_str::<Measure>("\"patents\"").unwrap_err();
        assert!(bad.to_string().contains("invalid_measure"), "{bad}");
        // Other lists are still written as the snake case of their variant.
        assert_eq!(
            serde_json::to_string(&Aggregate::TrimmedMean).unwrap(),
            "\"trimmed_mean\""
        );
    }

    #[test]
    fn percentile_cont_interpolates_between_closest_ranks_like_postgresql() {
        // SELECT percentile_cont(q) WITHIN GROUP (ORDER BY x) FROM (VALUES (1),(2),(3),(4)) v(x)
        // gives 2.5 at 0.5, 1.75 at 0.25, 3.7 at 0.9, 1 at 0, 4 at 1.
        let v = ds(&["4", "1", "3", "2"]);
        let q = |q: &str| percentile_cont(&mut v.clone(), d(q)).unwrap().to_string();
        assert_eq!(q("0.5"), "2.5000");
        assert_eq!(q("0.25"), "1.7500");
        assert_eq!(q("0.9"), "3.7000");
        assert_eq!(q("0"), "1.0000");
        assert_eq!(q("1"), "4.0000");
        // Odd count: the median is the middle value.
        assert_eq!(
            percentile_cont(&mut ds(&["5", "1", "9"]), d("0.5")).map(|x| x.to_string()),
            Some("5.0000".into())
        );
    }

    #[test]
    fn percentile_cont_with_ties_and_a_single_value() {
        // 1, 2, 2, 2, 10 at 0.75: position 3 → 2; at 0.9: position 3.6 → 2 + 0.6 × 8 = 6.8.
        let v = ds(&["2", "10", "2", "1", "2"]);
        assert_eq!(
            percentile_cont(&mut v.clone(), d("0.75"))
                .unwrap()
                .to_string(),
            "2.0000"
        );
        assert_eq!(
            percentile_cont(&mut v.clone(), d("0.9"))
                .unwrap()
                .to_string(),
            "6.8000"
        );
        // n = 1: every quantile is the value itself.
        for q in ["0", "0.3", "1"] {
            assert_eq!(
                percentile_cont(&mut ds(&["7.25"]), d(q))
                    .unwrap()
                    .to_string(),
                "7.2500"
            );
        }
        assert_eq!(percentile_cont(&mut [], d("0.5")), None);
    }

    #[test]
    fn values_round_half_away_from_zero_at_four_places() {
        // 1, 2 at 1/3: 1 + (1/3) × 1 = 1.33333… → 1.3333; 2/3 share → 66.6667 %.
        assert_eq!(
            percentile_cont(&mut ds(&["1", "2"]), d("0.33333"))
                .unwrap()
                .to_string(),
            "1.3333"
        );
        let f = Figures {
            valid_patents: 3,
            invention_patents: 2,
            ..Figures::default()
        };
        assert_eq!(
            measure(Measure::InventionShare, &f),
            Measured::Value(d("66.6667"))
        );
        assert_eq!(fixed(d("0.00005")).to_string(), "0.0001");
        assert_eq!(fixed(d("-0.00005")).to_string(), "-0.0001");
    }

    #[test]
    fn growth_and_ratios_over_zero_are_not_computable_never_zero_or_infinite() {
        let f = Figures {
            valid_patents: 2,
            invention_patents: 1,
            sales_revenue: money("0.00"),
            prior_sales_revenue: None,
            ip_investment: money("10.00"),
            ..Figures::default()
        };
        assert!(matches!(
            measure(Measure::PatentsPer100mRevenue, &f),
            Measured::NotComputable(_)
        ));
        assert!(matches!(
            measure(Measure::IpInvestmentShare, &f),
            Measured::NotComputable(_)
        ));
        assert_eq!(
            measure(Measure::RevenueGrowth, &f),
            Measured::NotComputable("缺少上年销售收入")
        );
        let g = Figures {
            sales_revenue: money("100.00"),
            prior_sales_revenue: money("0"),
            ..f.clone()
        };
        assert_eq!(
            measure(Measure::RevenueGrowth, &g),
            Measured::NotComputable("上年销售收入为零")
        );
        assert!(measure(Measure::RevenueGrowth, &g)
            .describe_zh(Measure::RevenueGrowth)
            .contains("不可计算"));
        // No revenue at all: the product lacks the figures and leaves the population.
        let none = Figures::default();
        assert_eq!(measure(Measure::SalesRevenue, &none), Measured::Missing);
        assert_eq!(measure(Measure::ExportShare, &none), Measured::Missing);
        assert_eq!(measure(Measure::CorePatents, &none), Measured::Missing);
        // And the real values: 3 patents over 1.5 亿元 = 2 per 亿元; growth 150 → 120 = −20 %.
        let h = Figures {
            valid_patents: 3,
            sales_revenue: money("150000000.00"),
            prior_sales_revenue: money("187500000.00"),
            ..Figures::default()
        };
        assert_eq!(
            measure(Measure::PatentsPer100mRevenue, &h),
            Measured::Value(d("2.0000"))
        );
        assert_eq!(
            measure(Measure::RevenueGrowth, &h),
            Measured::Value(d("-20.0000"))
        );
        assert_eq!(
            measure(Measure::SalesRevenue, &h),
            Measured::Value(d("15000.0000"))
        );
    }

    fn patents(n: u32) -> Figures {
        Figures {
            valid_patents: n,
            invention_patents: 0,
            ..Figures::default()
        }
    }

    fn one_indicator(min: u32) -> Method {
        Method {
            min_field_size: min,
            field_level: FieldLevel::Class,
            indicators: vec![Indicator {
                measure: Measure::ValidPatents,
                benchmark: BenchmarkRule::Quantile(d("0.5")),
                direction: Direction::AtLeast,
                weight: None,
            }],
            examples: vec![],
            ..starter_method()
        }
    }

    #[test]
    fn a_small_field_uses_its_parents_benchmark_and_says_so() {
        let m = one_indicator(3);
        let mut book = BenchmarkBook::default();
        let small = IndustryCode::parse("3911").unwrap();
        let sibling = IndustryCode::parse("3912").unwrap();
        // 3911 has two products (1, 3); 3912 has three (5, 7, 9): group 391 has 1,3,5,7,9.
        for (c, n) in [
            (&small, 1),
            (&small, 3),
            (&sibling, 5),
            (&sibling, 7),
            (&sibling, 9),
        ] {
            book.add(&m, c, &patents(n));
        }
        book.finish(&m);
        let own = book.benchmark(&m, &sibling, Measure::ValidPatents).unwrap();
        assert_eq!(own.value.to_string(), "7.0000");
        assert_eq!(own.fallback_from, None);
        let b = book.benchmark(&m, &small, Measure::ValidPatents).unwrap();
        assert_eq!(b.field.as_str(), "391");
        assert_eq!(b.value.to_string(), "5.0000");
        assert_eq!(b.population, 5);
        assert_eq!(b.fallback_from, Some((small.clone(), 2)));
        let why = b.explain_zh(3);
        assert!(
            why.contains("仅 2 件") && why.contains("上级领域 391"),
            "{why}"
        );
        // A product coded at the group level belongs to the group's field.
        assert_eq!(
            FieldLevel::Class
                .field_of(&IndustryCode::parse("391").unwrap())
                .as_str(),
            "391"
        );
        assert_eq!(FieldLevel::Division.field_of(&small).as_str(), "39");
        // The evaluation explains the fallback.
        let e = evaluate(&m, &book, &small, &patents(4));
        assert!(!e.passed);
        assert!(
            e.reasons[0].contains("低于本领域基准 5 件"),
            "{:?}",
            e.reasons
        );
        assert!(e.reasons[0].contains("上级领域 391"), "{:?}", e.reasons);
    }

    #[test]
    fn a_product_without_the_figures_leaves_the_population() {
        let mut m = one_indicator(1);
        m.indicators[0].measure = Measure::SalesRevenue;
        let mut book = BenchmarkBook::default();
        let c = IndustryCode::parse("3911").unwrap();
        book.add(&m, &c, &patents(1));
        book.add(
            &m,
            &c,
            &Figures {
                sales_revenue: money("10000.00"),
                ..patents(1)
            },
        );
        book.finish(&m);
        let b = book.benchmark(&m, &c, Measure::SalesRevenue).unwrap();
        assert_eq!(b.population, 1);
        assert_eq!(b.value.to_string(), "1.0000");
    }

    #[test]
    fn weighted_combination_and_expert_aggregates() {
        let mut m = one_indicator(1);
        m.combine = Combine::Weighted;
        m.indicators[0].weight = Some(d("60"));
        m.indicators.push(Indicator {
            measure: Measure::InventionShare,
            benchmark: BenchmarkRule::Value(d("50")),
            direction: Direction::AtLeast,
            weight: Some(d("40")),
        });
        m.pass_score = Some(d("60"));
        assert!(m.check().is_empty(), "{:?}", m.check());
        let ex = Example {
            name: "x".into(),
            product: patents(5),
            field: vec![patents(1)],
            expert_scores: vec![d("50"), d("90"), d("62"), d("64")],
            passed: true,
            outcome: Some(true),
        };
        let (e, outcome) = run_example(&m, &ex);
        assert_eq!(e.score, Some(d("60.0000")));
        assert!(e.passed);
        // Trimmed mean of 50, 62, 64, 90 is 63 ≥ 60.
        assert_eq!(outcome, Some(true));
        assert_eq!(
            industry_score(&m.industry, &ex.expert_scores)
                .unwrap()
                .to_string(),
            "63.0000"
        );
        // Too few experts: no outcome yet.
        assert_eq!(final_outcome(&m, true, &[d("99")]), None);
    }

    #[test]
    fn the_starter_method_is_valid_and_its_examples_hold() {
        let m = starter_method();
        assert!(m.check().is_empty(), "{:?}", m.check());
        assert_eq!(run_examples(&m), vec![]);
        assert!(m.name.contains("非国家标准"));
        // A wrong expectation is caught and named.
        let mut bad = m.clone();
        bad.examples[1].passed = true;
        let f = run_examples(&bad);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].index, 1);
        assert!(
            f[0].message_zh.contains("发明专利占比不足"),
            "{}",
            f[0].message_zh
        );
    }

    #[test]
    fn the_method_round_trips_through_json_with_decimal_strings() {
        let m = starter_method();
        let j = serde_json::to_value(&m).unwrap();
        assert_eq!(
            j["indicators"][0]["benchmark"],
            serde_json::json!({"quantile": "0.5"})
        );
        assert_eq!(
            j["indicators"][1]["benchmark"],
            serde_json::json!({"value": "30"})
        );
        let back: Method = serde_json::from_value(j).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn a_stored_method_document_still_reads_and_is_written_as_before() {
        let m = starter_method();
        let figures = |valid: u32, invention: u32, revenue: &str| json!({"valid_patents": valid, "invention_patents": invention, "sales_revenue": revenue});
        // As the platform wrote the starter method before measures were written as codes.
        let mut stored = json!({
            "name": "示例方法，非国家标准",
            "source": {"document": m.source.document, "clause": "—"},
            "field_level": "division",
            "min_field_size": 5,
            "indicators": [
                {"measure": "valid_patents", "benchmark": {"quantile": "0.5"}, "direction": "at_least"},
                {"measure": "invention_share", "benchmark": {"value": "30"}, "direction": "at_least"},
                {"measure": "patents_per100m_revenue", "benchmark": {"quantile": "0.5"}, "direction": "at_least"}
            ],
            "combine": "all",
            "industry": {
                "items": [
                    {"name": "技术先进性", "max_score": "40"},
                    {"name": "市场前景", "max_score": "30"},
                    {"name": "产业带动作用", "max_score": "30"}
                ],
                "min_experts": 3, "aggregate": "trimmed_mean", "pass_score": "60"
            },
            "final_rule": "both_pass",
            "examples": [
                {
                    "name": "专利多于同领域多数产品",
                    "product": {"valid_patents": 6, "invention_patents": 3,
                                "sales_revenue": "20000000.00", "prior_sales_revenue": "16000000.00",
                                "ip_investment": "800000.00"},
                    "field": [figures(2, 1, "50000000.00"), figures(4, 1, "40000000.00")],
                    "expert_scores": ["70", "75", "90"],
                    "passed": true,
                    "outcome": true
                },
                {
                    "name": "发明专利占比不足",
                    "product": figures(6, 1, "20000000.00"),
                    "field": [figures(2, 1, "50000000.00")],
                    "expert_scores": [],
                    "passed": false
                }
            ]
        });
        assert_eq!(serde_json::from_value::<Method>(stored.clone()).unwrap(), m);
        // Written the same way, but for the measure's code.
        stored["indicators"][2]["measure"] = json!("patents_per_100m_revenue");
        assert_eq!(serde_json::to_value(&m).unwrap(), stored);
    }

    #[test]
    fn a_benchmark_is_one_of_a_quantile_and_a_fixed_value() {
        let read = |j: serde_json::Value| serde_json::from_value::<BenchmarkRule>(j);
        assert_eq!(
            read(json!({"quantile": " 0.75 ", "value": ""})).unwrap(),
            BenchmarkRule::Quantile(d("0.75"))
        );
        assert_eq!(
            read(json!({"quantile": null, "value": 3})).unwrap(),
            BenchmarkRule::Value(d("3"))
        );
        for both_or_neither in [
            json!({"quantile": "0.5", "value": "3"}),
            json!({}),
            json!({"value": ""}),
        ] {
            let err = read(both_or_neither.clone()).unwrap_err().to_string();
            let (code, message) = crate::validation::decode_refusal(&err).expect(&err);
            assert_eq!(code, "invalid_benchmark", "{both_or_neither}");
            assert_eq!(message, "基准应为分位数或固定值二者之一");
        }
        let err = read(json!({"value": "三"})).unwrap_err().to_string();
        assert_eq!(
            crate::validation::decode_refusal(&err).map(|(c, _)| c),
            Some("invalid_decimal".to_string())
        );
        assert!(read(json!({"median": "0.5"})).is_err());
        assert!(read(json!("0.5")).is_err());
    }

    #[test]
    fn names_are_kept_without_the_spaces_around_them() {
        let mut j = serde_json::to_value(starter_method()).unwrap();
        j["name"] = json!("  试行方法 ");
        j["source"]["clause"] = serde_json::Value::Null;
        j["industry"]["items"][0]["name"] = json!(" 技术先进性\t");
        j["examples"][0]["field"] = serde_json::Value::Null;
        j["indicators"][0]["weight"] = json!("");
        j["pass_score"] = serde_json::Value::Null;
        let m: Method = serde_json::from_value(j).unwrap();
        assert_eq!(m.name, "试行方法");
        assert_eq!(m.source.clause, "");
        assert_eq!(m.industry.items[0].name, "技术先进性");
        assert!(m.examples[0].field.is_empty());
        assert_eq!((m.indicators[0].weight, m.pass_score), (None, None));
    }

    #[test]
    fn a_method_with_bad_parts_names_each_field() {
        let mut m = starter_method();
        m.indicators[0].benchmark = BenchmarkRule::Quantile(d("1.5"));
        m.indicators[1].weight = Some(d("3"));
        m.source.document = " ".into();
        let fields: Vec<String> = m.check().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            vec![
                "source.document",
                "indicators[0].benchmark",
                "indicators[1].weight"
            ]
        );
    }
}
