//! Expert panels (专家评审组): experts with their unit and fields, items to score assigned to
//! them, score sheets kept as data, and the experts' scores combined by a stated rule. A
//! component: identification's industry evaluation (产业性评价) uses it, and so will the
//! programmes' expert reviews.

use crate::identification::{fixed, industry_score, plain, Aggregate, IndustryEvaluation};
use crate::identification::{Decimal, ScoreItem, SCALE};
use crate::validation::{max_chars, Violation};
use crate::{CreditCode, IndustryCode};
use serde::{Deserialize, Serialize};

/// The longest an expert's opinion (评审意见) may be, in characters.
pub const OPINION_CHARS: usize = 2_000;
/// The longest an expert's unit name may be, in characters.
pub const UNIT_NAME_CHARS: usize = 100;
/// How many fields an expert may list.
pub const MAX_FIELDS: usize = 20;

code_enum!(
    /// What a panel scores: the subject it belongs to.
    PanelKind, "panel_kind", {
        Identification = "identification" / "专利密集型产品认定",
        Programme = "programme" / "项目申报评审",
    }
);

/// An expert's unit (工作单位) and fields (熟悉领域), so that conflicts can be decided and
/// experts suggested for an item's field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpertProfile {
    pub unit_credit_code: CreditCode,
    pub unit_name: String,
    /// GB/T 4754-2017 codes, any level, without repeats, in the order given.
    pub fields: Vec<IndustryCode>,
}

impl ExpertProfile {
    /// Checks every field of a profile as typed; the problems by field path.
    pub fn parse(
        unit_credit_code: &str,
        unit_name: &str,
        fields: &[String],
    ) -> Result<Self, Vec<(String, Violation)>> {
        let mut errors = Vec::new();
        let code = CreditCode::parse(unit_credit_code)
            .map_err(|v| errors.push(("unit_credit_code".to_string(), v)))
            .ok();
        let name = unit_name.trim();
        if name.is_empty() {
            errors.push((
                "unit_name".into(),
                Violation::new("required", "请填写工作单位名称", "unit name required"),
            ));
        } else if let Err(v) = max_chars(name, UNIT_NAME_CHARS) {
            errors.push(("unit_name".into(), v));
        }
        let mut parsed: Vec<IndustryCode> = Vec::new();
        let typed: Vec<&String> = fields.iter().filter(|f| !f.trim().is_empty()).collect();
        if typed.is_empty() {
            errors.push((
                "fields".into(),
                Violation::new(
                    "required",
                    "请至少选择一个熟悉领域",
                    "at least one field required",
                ),
            ));
        }
        if typed.len() > MAX_FIELDS {
            errors.push((
                "fields".into(),
                Violation::new(
                    "too_many",
                    format!("熟悉领域最多 {MAX_FIELDS} 个"),
                    format!("at most {MAX_FIELDS} fields"),
                ),
            ));
        }
        for (i, f) in fields.iter().enumerate() {
            if f.trim().is_empty() {
                continue;
            }
            match IndustryCode::parse(f) {
                Ok(c) if parsed.contains(&c) => errors.push((
                    format!("fields[{i}]"),
                    Violation::new("duplicate", "该领域已列出", "field listed twice"),
                )),
                Ok(c) => parsed.push(c),
                Err(v) => errors.push((format!("fields[{i}]"), v)),
            }
        }
        match (code, errors.is_empty()) {
            (Some(unit_credit_code), true) => Ok(ExpertProfile {
                unit_credit_code,
                unit_name: name.to_string(),
                fields: parsed,
            }),
            _ => Err(errors),
        }
    }

    /// Whether one of the expert's fields is `field` or above it (an expert of 39 covers 3911).
    pub fn covers(&self, field: &IndustryCode) -> bool {
        self.fields.iter().any(|f| f.contains(field))
    }

    /// `conflict_of_interest` when the item's enterprise is the expert's own unit: nobody
    /// scores a product of their own enterprise or institution.
    pub fn conflict_with(&self, enterprise: &str, enterprise_name: &str) -> Option<Violation> {
        (self.unit_credit_code.as_str() == enterprise.trim().to_uppercase()).then(|| {
            Violation::new(
                "conflict_of_interest",
                format!(
                    "该专家的工作单位（{}）即被评对象所属企业“{}”，须回避，不能评审本单位的产品",
                    self.unit_name, enterprise_name
                ),
                "the expert's unit is the item's enterprise: the expert must stand aside",
            )
        })
    }
}

/// Every problem with a score sheet: each item needs a name and full marks above zero.
pub fn check_sheet(sheet: &[ScoreItem]) -> Vec<(String, Violation)> {
    let mut e = Vec::new();
    if sheet.is_empty() {
        e.push((
            "sheet".into(),
            Violation::new("required", "评分表至少需要一个评分项", "empty score sheet"),
        ));
    }
    for (i, it) in sheet.iter().enumerate() {
        if it.name.trim().is_empty() {
            e.push((
                format!("sheet[{i}].name"),
                Violation::new("required", "请填写评分项名称", "item name required"),
            ));
        }
        if it.max_score <= Decimal::ZERO {
            e.push((
                format!("sheet[{i}].max_score"),
                Violation::new(
                    "invalid_score",
                    "满分应大于 0",
                    "max score must be positive",
                ),
            ));
        }
    }
    e
}

/// One expert's scores on a sheet, checked: one per item, each a decimal of at most [`SCALE`]
/// places between 0 and the item's full marks; the opinion present and at most
/// [`OPINION_CHARS`] characters. The scores at the fixed scale, or the problems by field.
pub fn check_scores(
    sheet: &[ScoreItem],
    scores: &[String],
    opinion: &str,
) -> Result<Vec<Decimal>, Vec<(String, Violation)>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    if scores.len() != sheet.len() {
        errors.push((
            "scores".into(),
            Violation::new(
                "invalid_score",
                format!(
                    "评分表有 {} 个评分项，应逐项打分，实为 {} 项",
                    sheet.len(),
                    scores.len()
                ),
                "one score per item of the sheet",
            ),
        ));
    }
    for (i, (item, typed)) in sheet.iter().zip(scores).enumerate() {
        let field = format!("scores[{i}]");
        let t = typed.trim();
        if t.is_empty() {
            errors.push((
                field,
                Violation::new("required", format!("请为“{}”打分", item.name), "required"),
            ));
            continue;
        }
        let max = plain(item.max_score);
        let range = || {
            Violation::new(
                "invalid_score",
                format!("“{}”的得分应在 0 到 {max} 之间", item.name),
                format!("score out of 0..{max}"),
            )
        };
        match t.parse::<Decimal>() {
            Ok(d) if d.scale() > SCALE => errors.push((
                field,
                Violation::new(
                    "invalid_score",
                    format!("得分最多保留 {SCALE} 位小数"),
                    format!("at most {SCALE} decimal places"),
                ),
            )),
            Ok(d) if d < Decimal::ZERO || d > item.max_score => errors.push((field, range())),
            Ok(d) => out.push(fixed(d)),
            Err(_) => errors.push((
                field,
                Violation::new(
                    "invalid_score",
                    format!("“{}”不是有效的分数", crate::validation::echo(t)),
                    "not a number",
                ),
            )),
        }
    }
    let op = opinion.trim();
    if op.is_empty() {
        errors.push((
            "opinion".into(),
            Violation::new("required", "请填写评审意见", "opinion required"),
        ));
    } else if let Err(v) = max_chars(op, OPINION_CHARS) {
        errors.push(("opinion".into(), v));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// An expert's total: the sum of the item scores, at the fixed scale.
pub fn total(scores: &[Decimal]) -> Decimal {
    fixed(scores.iter().copied().sum())
}

/// What a panel's rule gives for one item: how many scored, and the aggregate once the
/// minimum number of experts has scored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregated {
    pub scored: u32,
    pub score: Option<Decimal>,
}

/// The experts' totals combined by `rule` (the method's `industry_score`), only when at least
/// `min_experts` have scored.
pub fn aggregate(
    sheet: &[ScoreItem],
    min_experts: u32,
    rule: Aggregate,
    totals: &[Decimal],
) -> Aggregated {
    // The pass mark is the subject's business (a method's, a programme's), not the panel's:
    // the aggregate does not read it.
    let ind = IndustryEvaluation {
        items: sheet.to_vec(),
        min_experts,
        aggregate: rule,
        pass_score: Decimal::ZERO,
    };
    Aggregated {
        scored: totals.len() as u32,
        score: industry_score(&ind, totals),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet() -> Vec<ScoreItem> {
        vec![
            ScoreItem {
                name: "技术先进性".into(),
                max_score: "40".parse().unwrap(),
            },
            ScoreItem {
                name: "市场前景".into(),
                max_score: "60".parse().unwrap(),
            },
        ]
    }

    #[test]
    fn an_expert_covers_the_fields_below_their_own() {
        let p = ExpertProfile::parse(
            "91360000158304785U",
            "某大学",
            &["39".into(), "C3511".into()],
        );
        let p = match p {
            Ok(p) => p,
            Err(e) => panic!("{e:?}"),
        };
        assert!(p.covers(&IndustryCode::parse("3911").unwrap()));
        assert!(p.covers(&IndustryCode::parse("3511").unwrap()));
        assert!(!p.covers(&IndustryCode::parse("35").unwrap()));
        assert!(p
            .conflict_with("91360000158304785u", "某公司")
            .is_some_and(|v| v.code == "conflict_of_interest"));
        assert!(p.conflict_with("91350100M000100Y43", "某公司").is_none());
    }

    #[test]
    fn a_profile_names_each_bad_field() {
        let e =
            ExpertProfile::parse("123", " ", &["39".into(), "ZZ".into(), "39".into()]).unwrap_err();
        let fields: Vec<_> = e.iter().map(|(f, v)| (f.as_str(), v.code)).collect();
        assert_eq!(
            fields,
            [
                ("unit_credit_code", "invalid_credit_code"),
                ("unit_name", "required"),
                ("fields[1]", "invalid_industry"),
                ("fields[2]", "duplicate"),
            ]
        );
    }

    #[test]
    fn scores_stay_within_full_marks_at_the_fixed_scale() {
        let ok = check_scores(&sheet(), &["35.5".into(), "60".into()], "好").unwrap();
        assert_eq!(total(&ok).to_string(), "95.5000");
        let e = check_scores(&sheet(), &["41".into(), "1.23456".into()], " ").unwrap_err();
        let fields: Vec<_> = e.iter().map(|(f, v)| (f.as_str(), v.code)).collect();
        assert_eq!(
            fields,
            [
                ("scores[0]", "invalid_score"),
                ("scores[1]", "invalid_score"),
                ("opinion", "required"),
            ]
        );
        assert!(check_scores(&sheet(), &["1".into()], "好").is_err());
    }

    #[test]
    fn the_aggregate_waits_for_the_minimum_and_follows_the_rule() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let t = [d("90"), d("60"), d("70"), d("80")];
        let a = aggregate(&sheet(), 3, Aggregate::TrimmedMean, &t[..2]);
        assert_eq!((a.scored, a.score), (2, None));
        let a = aggregate(&sheet(), 3, Aggregate::TrimmedMean, &t);
        assert_eq!(a.score.unwrap().to_string(), "75.0000");
        let a = aggregate(&sheet(), 3, Aggregate::Mean, &t[..3]);
        assert_eq!(a.score.unwrap().to_string(), "73.3333");
    }
}
