//! Identification method pages (评价方法): the list, one method with its versions and worked
//! examples, and the form in which the national administrator edits a draft (field by field,
//! with each error beside its field).

use super::{render, Chrome};
use crate::auth::{RequestCtx, Signed};
use crate::error::{AppError, AppResult};
use crate::web::account::csrf_of;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use std::collections::HashMap;
use zhichan_domain::decimals;
use zhichan_domain::identification::{
    plain, starter_method, Aggregate, BenchmarkRule, Combine, Decimal, Direction, Example,
    FieldLevel, Figures, FinalRule, Indicator, IndustryEvaluation, Measure, Method, ScoreItem,
    Source,
};
use zhichan_domain::{Money, Violation};
use zhichan_service::identification::{MethodHistory, MethodSummary};
use zhichan_service::{ServiceError, Services};

type Options = Vec<(&'static str, &'static str)>;

fn options<T: Copy>(all: &[T], code: fn(T) -> &'static str, zh: fn(T) -> &'static str) -> Options {
    all.iter().map(|t| (code(*t), zh(*t))).collect()
}

// ---- the list ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "identification_methods.html")]
struct ListPage {
    chrome: Chrome,
    methods: Vec<MethodSummary>,
    can_manage: bool,
}

pub async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    let mut methods = state
        .services
        .identification_methods(&signed.auth.actor)
        .await?;
    for m in &mut methods {
        m.name = super::names::shipped_words(&m.name);
    }
    Ok(render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::for_user(
                "认定评价方法",
                "/identification/methods",
                Some(&signed.auth),
            ),
            methods,
            can_manage: Services::can_manage_methods(&signed.auth.actor),
        },
    ))
}

// ---- one method ------------------------------------------------------------------------------------

/// An indicator as the page shows it.
struct IndicatorRow {
    measure: &'static str,
    unit: &'static str,
    definition: &'static str,
    benchmark: String,
    direction: &'static str,
    weight: String,
}

struct ExampleRow {
    name: String,
    inputs: String,
    expected: String,
    holds: bool,
    message: String,
}

#[derive(Template)]
#[template(path = "identification_method.html")]
struct ViewPage {
    chrome: Chrome,
    h: MethodHistory,
    /// The method's name, source document and clause as the page shows them.
    name: String,
    document: String,
    clause: String,
    field_level: &'static str,
    combine: &'static str,
    pass_score: String,
    indicators: Vec<IndicatorRow>,
    items: Vec<(String, String)>,
    max_total: String,
    aggregate: &'static str,
    industry_pass: String,
    final_rule: &'static str,
    examples: Vec<ExampleRow>,
    published_version: Option<i64>,
    is_newest: bool,
    can_manage: bool,
    csrf: String,
    errors: Vec<String>,
    notice: Option<String>,
}

/// An example's figures in the page's language.
fn figures_words(f: &zhichan_domain::identification::Figures) -> String {
    let t = crate::locale::t;
    let mut parts = vec![
        t(&format!("有效专利 {} 件", f.valid_patents)),
        t(&format!("发明专利 {} 件", f.invention_patents)),
    ];
    if let Some(n) = f.core_patents {
        parts.push(t(&format!("核心专利 {n} 件")));
    }
    let money = [
        (f.sales_revenue.map(|m| format!("销售收入 {m} 元"))),
        (f.prior_sales_revenue
            .map(|m| format!("上年销售收入 {m} 元"))),
        (f.ip_investment.map(|m| format!("知识产权投入 {m} 元"))),
        (f.export_value.map(|m| format!("出口额 {m} 元"))),
    ];
    parts.extend(money.into_iter().flatten().map(|p| t(&p)));
    parts.join(crate::locale::punctuation().comma)
}

fn view_page(
    signed: &Signed,
    h: MethodHistory,
    status: StatusCode,
    errors: Vec<String>,
    notice: Option<String>,
) -> Response {
    let m = &h.current.rule;
    let indicators = m
        .indicators
        .iter()
        .map(|i| IndicatorRow {
            measure: i.measure.label_zh(),
            unit: i.measure.unit_zh(),
            definition: i.measure.definition_zh(),
            benchmark: crate::locale::t(&i.benchmark.describe_zh(i.measure)),
            direction: i.direction.label_zh(),
            weight: i.weight.map(plain).unwrap_or_default(),
        })
        .collect();
    let examples = m
        .examples
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let failure = h.current.failures.iter().find(|f| f.index == k);
            let t = crate::locale::t;
            let p = crate::locale::punctuation();
            let mut inputs = format!("{}{}{}", t("本产品"), p.colon, figures_words(&e.product));
            if !e.field.is_empty() {
                inputs.push_str(p.separator);
                inputs.push_str(&t(&format!("同领域其他产品 {} 件", e.field.len())));
                inputs.push_str(p.colon);
                inputs.push_str(
                    &e.field
                        .iter()
                        .map(figures_words)
                        .collect::<Vec<_>>()
                        .join(p.separator),
                );
            }
            if !e.expert_scores.is_empty() {
                inputs.push_str(p.separator);
                inputs.push_str(&t("专家评分"));
                inputs.push_str(p.colon);
                inputs.push_str(
                    &e.expert_scores
                        .iter()
                        .map(|s| plain(*s))
                        .collect::<Vec<_>>()
                        .join(p.list),
                );
            }
            let mut expected = t(if e.passed {
                "专利性评价通过"
            } else {
                "专利性评价未通过"
            });
            if let Some(o) = e.outcome {
                expected.push_str(p.comma);
                expected.push_str(&t(if o {
                    "认定结论通过"
                } else {
                    "认定结论未通过"
                }));
            }
            ExampleRow {
                name: super::names::shipped_words(&e.name),
                inputs,
                expected,
                holds: failure.is_none(),
                message: failure.map(|f| f.message_zh.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let max_total: zhichan_domain::identification::Decimal =
        m.industry.items.iter().map(|i| i.max_score).sum();
    let page = ViewPage {
        chrome: Chrome::for_user(
            format!("评价方法：{}", m.name),
            "/identification/methods",
            Some(&signed.auth),
        ),
        name: super::names::shipped_words(&m.name),
        document: super::names::shipped_words(&m.source.document),
        clause: super::names::shipped_words(&m.source.clause),
        field_level: m.field_level.label_zh(),
        combine: m.combine.label_zh(),
        pass_score: m.pass_score.map(plain).unwrap_or_default(),
        indicators,
        items: m
            .industry
            .items
            .iter()
            .map(|i| (super::names::shipped_words(&i.name), plain(i.max_score)))
            .collect(),
        max_total: plain(max_total),
        aggregate: m.industry.aggregate.label_zh(),
        industry_pass: plain(m.industry.pass_score),
        final_rule: m.final_rule.label_zh(),
        examples,
        published_version: h.published_version(),
        is_newest: h.versions.first().map(|v| v.version) == Some(h.current.version),
        can_manage: Services::can_manage_methods(&signed.auth.actor),
        csrf: csrf_of(signed),
        errors,
        notice,
        h,
    };
    render(status, &page)
}

pub async fn view(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let version = q.get("version").and_then(|v| v.trim().parse::<i64>().ok());
    let h = state
        .services
        .identification_method(&signed.auth.actor, id, version)
        .await?;
    let notice = match q.get("done").map(String::as_str) {
        Some("saved") => Some(format!("已保存为第 {} 版（草稿）", h.current.version)),
        Some("published") => Some(format!("第 {} 版已发布", h.current.version)),
        _ => None,
    };
    Ok(view_page(&signed, h, StatusCode::OK, vec![], notice))
}

#[derive(serde::Deserialize)]
pub struct PublishForm {
    version: i64,
}

pub async fn publish(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(f): Form<PublishForm>,
) -> AppResult<Response> {
    match state
        .services
        .publish_identification_method(&signed.auth.actor, &ctx, id, f.version)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/identification/methods/{id}?done=published")).into_response(),
        ),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let (status, errors) = match e {
                ServiceError::Invalid(v) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    v.into_iter().map(|f| f.violation.message_zh).collect(),
                ),
                ServiceError::Conflict(m) => (StatusCode::CONFLICT, vec![m]),
                _ => unreachable!(),
            };
            let h = state
                .services
                .identification_method(&signed.auth.actor, id, Some(f.version))
                .await?;
            Ok(view_page(&signed, h, status, errors, None))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- the form ----------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "identification_method_form.html")]
struct FormPage {
    chrome: Chrome,
    /// `None` for a new method.
    id: Option<i64>,
    /// The version the form is based on.
    version: i64,
    /// Whether saving makes a new version (the newest is published).
    new_version: bool,
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
    indicator_rows: usize,
    item_rows: usize,
    example_rows: usize,
    measures: Options,
    levels: Options,
    directions: Options,
    combines: Options,
    aggregates: Options,
    finals: Options,
    figures: [(&'static str, &'static str); 7],
    csrf: String,
}

impl FormPage {
    fn val(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }
    fn v(&self, prefix: &str, row: &usize, field: &str) -> &str {
        self.val(&format!("{prefix}{row}_{field}"))
    }
    fn err(&self, key: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, m)| m.as_str())
    }
    fn e(&self, prefix: &str, row: &usize, field: &str) -> Option<&str> {
        self.err(&format!("{prefix}{row}_{field}"))
    }
    fn is(&self, key: &str, value: &str) -> bool {
        self.val(key) == value
    }
    fn r_is(&self, prefix: &str, row: &usize, field: &str, value: &str) -> bool {
        self.v(prefix, row, field) == value
    }
    /// The errors with the Chinese name of their field, for the summary above the form.
    fn summary(&self) -> Vec<(String, String, &str)> {
        self.errors
            .iter()
            .map(|(k, m)| (k.clone(), label_of(k), m.as_str()))
            .collect()
    }
}

/// The Chinese name of a form input.
fn label_of(key: &str) -> String {
    let fixed = [
        ("name", "方法名称"),
        ("source_document", "依据文件"),
        ("source_clause", "依据条款"),
        ("field_level", "领域划分层级"),
        ("min_field_size", "领域最少产品数"),
        ("combine", "指标组合方式"),
        ("pass_score", "专利性评价及格分"),
        ("final_rule", "最终结论规则"),
        ("min_experts", "最少专家人数"),
        ("aggregate", "专家评分汇总方式"),
        ("industry_pass_score", "产业性评价及格分"),
    ];
    if let Some((_, l)) = fixed.iter().find(|(k, _)| *k == key) {
        return l.to_string();
    }
    let (head, field) = key.split_once('_').unwrap_or((key, ""));
    let split = head
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(head.len());
    let (kind, row) = head.split_at(split);
    let n = row.parse::<usize>().map_or(0, |r| r + 1);
    let part = match field {
        "measure" => "测度",
        "benchmark" | "kind" => "基准",
        "direction" => "方向",
        "weight" => "分值",
        "max_score" => "满分",
        "field" => "同领域其他产品",
        "scores" => "专家评分",
        "passed" => "预期专利性评价",
        "outcome" => "预期认定结论",
        "name" => "名称",
        f => FIGURE_FIELDS
            .iter()
            .find(|(k, _)| *k == f)
            .map_or("", |(_, l)| l),
    };
    match kind {
        "ind" => format!("指标 {n} 的{part}"),
        "item" => format!("评分项 {n} 的{part}"),
        "ex" => format!("算例 {n} 的{part}"),
        _ => key.to_string(),
    }
}

/// The form's values for a method.
fn values_of(m: &Method) -> HashMap<String, String> {
    let mut v = HashMap::new();
    let mut put = |k: String, s: String| {
        v.insert(k, s);
    };
    let text = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
    put("name".into(), m.name.clone());
    put("source_document".into(), m.source.document.clone());
    put("source_clause".into(), m.source.clause.clone());
    put("field_level".into(), m.field_level.as_str().into());
    put("min_field_size".into(), m.min_field_size.to_string());
    put("combine".into(), m.combine.as_str().into());
    put("pass_score".into(), text(m.pass_score));
    put("final_rule".into(), m.final_rule.as_str().into());
    put("min_experts".into(), m.industry.min_experts.to_string());
    put("aggregate".into(), m.industry.aggregate.as_str().into());
    put(
        "industry_pass_score".into(),
        m.industry.pass_score.to_string(),
    );
    for (i, ind) in m.indicators.iter().enumerate() {
        put(format!("ind{i}_measure"), ind.measure.as_str().into());
        let (kind, value) = match ind.benchmark {
            BenchmarkRule::Quantile(q) => ("quantile", q),
            BenchmarkRule::Value(x) => ("value", x),
        };
        put(format!("ind{i}_kind"), kind.into());
        put(format!("ind{i}_benchmark"), value.to_string());
        put(format!("ind{i}_direction"), ind.direction.as_str().into());
        put(format!("ind{i}_weight"), text(ind.weight));
    }
    for (i, it) in m.industry.items.iter().enumerate() {
        put(format!("item{i}_name"), it.name.clone());
        put(format!("item{i}_max_score"), it.max_score.to_string());
    }
    let figures_line = |f: &Figures| {
        let money = |m: Option<Money>| m.map(|m| m.to_string()).unwrap_or_default();
        [
            f.valid_patents.to_string(),
            f.invention_patents.to_string(),
            f.core_patents.map(|n| n.to_string()).unwrap_or_default(),
            money(f.sales_revenue),
            money(f.prior_sales_revenue),
            money(f.ip_investment),
            money(f.export_value),
        ]
    };
    for (i, ex) in m.examples.iter().enumerate() {
        put(format!("ex{i}_name"), ex.name.clone());
        let p = figures_line(&ex.product);
        for (k, f) in FIGURE_FIELDS.iter().enumerate() {
            put(format!("ex{i}_{}", f.0), p[k].clone());
        }
        put(
            format!("ex{i}_field"),
            ex.field
                .iter()
                .map(|f| figures_line(f).join(","))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        put(
            format!("ex{i}_scores"),
            ex.expert_scores
                .iter()
                .map(Decimal::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        );
        put(
            format!("ex{i}_passed"),
            if ex.passed { "yes" } else { "no" }.into(),
        );
        put(
            format!("ex{i}_outcome"),
            match ex.outcome {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }
            .into(),
        );
    }
    v
}

/// The figures of an example, in form order: (field name, label).
const FIGURE_FIELDS: [(&str, &str); 7] = [
    ("valid_patents", "有效专利数（件）"),
    ("invention_patents", "发明专利数（件）"),
    ("core_patents", "核心专利数（件，可空）"),
    ("sales_revenue", "销售收入（元，可空）"),
    ("prior_sales_revenue", "上年销售收入（元，可空）"),
    ("ip_investment", "知识产权投入（元，可空）"),
    ("export_value", "出口额（元，可空）"),
];

fn count(v: &HashMap<String, String>, prefix: &str, field: &str, at_least: usize) -> usize {
    let filled = (0..40)
        .filter(|i| {
            v.get(&format!("{prefix}{i}_{field}"))
                .is_some_and(|s| !s.trim().is_empty())
        })
        .max()
        .map_or(0, |i| i + 1);
    (filled + 1).max(at_least)
}

fn form_page(
    signed: &Signed,
    status: StatusCode,
    id: Option<i64>,
    version: i64,
    new_version: bool,
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
) -> Response {
    let title = match id {
        None => "新建评价方法".to_string(),
        Some(_) if new_version => format!("修改评价方法（将保存为第 {} 版草稿）", version + 1),
        Some(_) => format!("修改评价方法第 {version} 版（草稿）"),
    };
    let page = FormPage {
        chrome: Chrome::for_user(title, "/identification/methods", Some(&signed.auth)),
        id,
        version,
        new_version,
        indicator_rows: count(&values, "ind", "measure", 4).min(Measure::ALL.len()),
        item_rows: count(&values, "item", "name", 4),
        example_rows: count(&values, "ex", "name", 2),
        values,
        errors,
        measures: options(Measure::ALL, Measure::as_str, Measure::label_zh),
        levels: options(FieldLevel::ALL, FieldLevel::as_str, FieldLevel::label_zh),
        directions: options(Direction::ALL, Direction::as_str, Direction::label_zh),
        combines: options(Combine::ALL, Combine::as_str, Combine::label_zh),
        aggregates: options(Aggregate::ALL, Aggregate::as_str, Aggregate::label_zh),
        finals: options(FinalRule::ALL, FinalRule::as_str, FinalRule::label_zh),
        figures: FIGURE_FIELDS,
        csrf: csrf_of(signed),
    };
    render(status, &page)
}

/// The form read into the domain's method, as the API reads the same values: each value that
/// does not parse is refused with the API's code on the method's field path
/// (`indicators[1].benchmark.value`: `invalid_decimal`), all of them at once; the method's own
/// check follows once every value parses (in the service, as for the API). For each list, the
/// form row of each item kept, so that a path finds its input again.
struct Read {
    method: Method,
    errors: Vec<(String, Violation)>,
    ind_rows: Vec<usize>,
    item_rows: Vec<usize>,
    ex_rows: Vec<usize>,
}

fn read_form(v: &HashMap<String, String>) -> Read {
    let get = |k: &str| v.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut errors: Vec<(String, Violation)> = Vec::new();
    let int = |text: &str, at: String, label: &str, errors: &mut Vec<(String, Violation)>| {
        text.parse::<u32>().unwrap_or_else(|_| {
            errors.push((
                at,
                Violation::new(
                    "invalid",
                    format!("{label}应为非负整数"),
                    format!("{label} must be a whole number"),
                ),
            ));
            0
        })
    };
    let decimal = |text: &str, at: String, errors: &mut Vec<(String, Violation)>| {
        decimals::parse(text).unwrap_or_else(|v| {
            errors.push((at, v));
            Decimal::ZERO
        })
    };
    let optional = |text: &str, at: String, errors: &mut Vec<(String, Violation)>| {
        (!text.is_empty()).then(|| decimal(text, at, errors))
    };
    let money = |text: &str, at: String, errors: &mut Vec<(String, Violation)>| {
        if text.is_empty() {
            return None;
        }
        Money::parse(text).map_err(|v| errors.push((at, v))).ok()
    };

    let mut indicators = Vec::new();
    let mut ind_rows = Vec::new();
    for i in 0..Measure::ALL.len() {
        let measure = get(&format!("ind{i}_measure"));
        if measure.is_empty() {
            continue;
        }
        let at = format!("indicators[{}]", indicators.len());
        let measure = Measure::parse(&measure).unwrap_or_else(|v| {
            errors.push((format!("{at}.measure"), v));
            Measure::ValidPatents
        });
        let typed = get(&format!("ind{i}_benchmark"));
        let kind = if get(&format!("ind{i}_kind")) == "value" {
            "value"
        } else {
            "quantile"
        };
        let number = if typed.is_empty() {
            errors.push((
                format!("{at}.benchmark"),
                Violation::new(
                    "invalid_benchmark",
                    "请填写基准：分位数（如 0.5）或固定值",
                    "benchmark required: a quantile such as 0.5 or a fixed value",
                ),
            ));
            Decimal::ZERO
        } else {
            decimal(&typed, format!("{at}.benchmark.{kind}"), &mut errors)
        };
        indicators.push(Indicator {
            measure,
            benchmark: if kind == "value" {
                BenchmarkRule::Value(number)
            } else {
                BenchmarkRule::Quantile(number)
            },
            direction: Direction::parse(&get(&format!("ind{i}_direction")))
                .unwrap_or(Direction::AtLeast),
            weight: optional(
                &get(&format!("ind{i}_weight")),
                format!("{at}.weight"),
                &mut errors,
            ),
        });
        ind_rows.push(i);
    }
    let mut items = Vec::new();
    let mut item_rows = Vec::new();
    for i in 0..40 {
        let name = get(&format!("item{i}_name"));
        let max = get(&format!("item{i}_max_score"));
        if name.is_empty() && max.is_empty() {
            continue;
        }
        let at = format!("industry.items[{}].max_score", items.len());
        items.push(ScoreItem {
            name,
            max_score: decimal(&max, at, &mut errors),
        });
        item_rows.push(i);
    }
    let mut examples = Vec::new();
    let mut ex_rows = Vec::new();
    for i in 0..40 {
        let name = get(&format!("ex{i}_name"));
        if name.is_empty() && get(&format!("ex{i}_valid_patents")).is_empty() {
            continue;
        }
        let at = format!("examples[{}]", examples.len());
        let typed = |f: &str| get(&format!("ex{i}_{f}"));
        let product = Figures {
            valid_patents: int(
                &typed("valid_patents"),
                format!("{at}.product.valid_patents"),
                "有效专利数",
                &mut errors,
            ),
            invention_patents: int(
                &typed("invention_patents"),
                format!("{at}.product.invention_patents"),
                "发明专利数",
                &mut errors,
            ),
            core_patents: {
                let t = typed("core_patents");
                (!t.is_empty()).then(|| {
                    int(
                        &t,
                        format!("{at}.product.core_patents"),
                        "核心专利数",
                        &mut errors,
                    )
                })
            },
            sales_revenue: money(
                &typed("sales_revenue"),
                format!("{at}.product.sales_revenue"),
                &mut errors,
            ),
            prior_sales_revenue: money(
                &typed("prior_sales_revenue"),
                format!("{at}.product.prior_sales_revenue"),
                &mut errors,
            ),
            ip_investment: money(
                &typed("ip_investment"),
                format!("{at}.product.ip_investment"),
                &mut errors,
            ),
            export_value: money(
                &typed("export_value"),
                format!("{at}.product.export_value"),
                &mut errors,
            ),
        };
        let mut field = Vec::new();
        for (n, line) in typed("field").lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let c: Vec<String> = line
                .split([',', '，'])
                .map(|s| s.trim().to_string())
                .collect();
            let c = |k: usize| c.get(k).cloned().unwrap_or_default();
            let (Ok(valid), Ok(inv)) = (c(0).parse::<u32>(), c(1).parse::<u32>()) else {
                errors.push((
                    format!("{at}.field"),
                    Violation::new(
                        "invalid",
                        format!("第 {} 行：前两项应为有效专利数和发明专利数（整数）", n + 1),
                        format!(
                            "line {}: the first two values must be valid and invention patents",
                            n + 1
                        ),
                    ),
                ));
                continue;
            };
            let on = format!("{at}.field[{}]", field.len());
            field.push(Figures {
                valid_patents: valid,
                invention_patents: inv,
                core_patents: c(2).parse().ok(),
                sales_revenue: money(&c(3), format!("{on}.sales_revenue"), &mut errors),
                prior_sales_revenue: money(&c(4), format!("{on}.prior_sales_revenue"), &mut errors),
                ip_investment: money(&c(5), format!("{on}.ip_investment"), &mut errors),
                export_value: money(&c(6), format!("{on}.export_value"), &mut errors),
            });
        }
        let expert_scores = typed("scores")
            .split([',', '，', '、', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .enumerate()
            .map(|(k, s)| decimal(s, format!("{at}.expert_scores[{k}]"), &mut errors))
            .collect();
        examples.push(Example {
            name,
            product,
            field,
            expert_scores,
            passed: typed("passed") == "yes",
            outcome: match typed("outcome").as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
        });
        ex_rows.push(i);
    }
    let min_field_size = int(
        &get("min_field_size"),
        "min_field_size".into(),
        "领域最少产品数",
        &mut errors,
    );
    let min_experts = int(
        &get("min_experts"),
        "industry.min_experts".into(),
        "最少专家人数",
        &mut errors,
    );
    let pass_score = optional(&get("pass_score"), "pass_score".into(), &mut errors);
    let industry_pass_score = decimal(
        &get("industry_pass_score"),
        "industry.pass_score".into(),
        &mut errors,
    );
    let method = Method {
        name: get("name"),
        source: Source {
            document: get("source_document"),
            clause: get("source_clause"),
        },
        field_level: FieldLevel::parse(&get("field_level")).unwrap_or(FieldLevel::Division),
        min_field_size,
        indicators,
        combine: Combine::parse(&get("combine")).unwrap_or(Combine::All),
        pass_score,
        industry: IndustryEvaluation {
            items,
            min_experts,
            aggregate: Aggregate::parse(&get("aggregate")).unwrap_or(Aggregate::Mean),
            pass_score: industry_pass_score,
        },
        final_rule: FinalRule::parse(&get("final_rule")).unwrap_or(FinalRule::BothPass),
        examples,
    };
    Read {
        method,
        errors,
        ind_rows,
        item_rows,
        ex_rows,
    }
}

/// The input name a field path of the method stands for (`indicators[1].weight` → the weight
/// of the form row that indicator came from).
fn input_of(path: &str, r: &Read) -> String {
    let index = |rest: &str| -> Option<(usize, String)> {
        let (n, tail) = rest.split_once(']')?;
        Some((n.parse().ok()?, tail.trim_start_matches('.').to_string()))
    };
    if let Some((k, tail)) = path.strip_prefix("indicators[").and_then(index) {
        let row = r.ind_rows.get(k).copied().unwrap_or(k);
        let field = match tail.as_str() {
            "" => "measure",
            t if t.starts_with("benchmark") => "benchmark",
            t => t,
        };
        return format!("ind{row}_{field}");
    }
    if let Some((k, tail)) = path.strip_prefix("industry.items[").and_then(index) {
        let row = r.item_rows.get(k).copied().unwrap_or(k);
        return format!("item{row}_{}", if tail.is_empty() { "name" } else { &tail });
    }
    if let Some((k, tail)) = path.strip_prefix("examples[").and_then(index) {
        let row = r.ex_rows.get(k).copied().unwrap_or(k);
        let field = match tail.as_str() {
            "" => "name".to_string(),
            t if t.starts_with("product.") => t["product.".len()..].to_string(),
            t if t.starts_with("field") => "field".into(),
            t if t.starts_with("expert_scores") => "scores".into(),
            t => t.to_string(),
        };
        return format!("ex{row}_{field}");
    }
    match path {
        "source.document" => "source_document".into(),
        "source.clause" => "source_clause".into(),
        "industry.items" => "item0_name".into(),
        "industry.min_experts" => "min_experts".into(),
        "industry.pass_score" => "industry_pass_score".into(),
        "indicators" => "ind0_measure".into(),
        "examples" => "ex0_name".into(),
        other => other.to_string(),
    }
}

fn field_errors(
    e: ServiceError,
    r: &Read,
) -> Result<(StatusCode, Vec<(String, String)>), AppError> {
    match e {
        ServiceError::Invalid(v) => {
            let mut errors: Vec<(String, String)> = Vec::new();
            for f in v {
                let input = input_of(&f.field, r);
                if !errors.iter().any(|(k, _)| *k == input) {
                    errors.push((input, f.violation.message_zh));
                }
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, errors))
        }
        ServiceError::Conflict(m) => Ok((StatusCode::CONFLICT, vec![("name".into(), m)])),
        other => Err(other.into()),
    }
}

pub async fn new_form(signed: Signed) -> AppResult<Response> {
    // A new method starts from the starter's shape, with its name and source left to fill.
    let mut m = starter_method();
    m.name = String::new();
    m.source = Source::default();
    Ok(form_page(
        &signed,
        StatusCode::OK,
        None,
        0,
        false,
        values_of(&m),
        vec![],
    ))
}

pub async fn create(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let r = read_form(&form);
    let outcome = if r.errors.is_empty() {
        state
            .services
            .create_identification_method(&signed.auth.actor, &ctx, r.method.clone())
            .await
    } else {
        Err(ServiceError::invalid_fields(r.errors.clone()))
    };
    match outcome {
        Ok(h) => Ok(Redirect::to(&format!(
            "/identification/methods/{}?done=saved",
            h.current.id
        ))
        .into_response()),
        Err(e) => {
            let (status, errors) = field_errors(e, &r)?;
            Ok(form_page(&signed, status, None, 0, false, form, errors))
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let h = state
        .services
        .identification_method(&signed.auth.actor, id, None)
        .await?;
    if !Services::can_manage_methods(&signed.auth.actor) {
        return Err(AppError::NotFound);
    }
    Ok(form_page(
        &signed,
        StatusCode::OK,
        Some(id),
        h.current.version,
        h.current.published,
        values_of(&h.current.rule),
        vec![],
    ))
}

pub async fn save(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let version: i64 = form
        .get("version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let r = read_form(&form);
    let outcome = if r.errors.is_empty() {
        state
            .services
            .edit_identification_method(&signed.auth.actor, &ctx, id, version, r.method.clone())
            .await
    } else {
        Err(ServiceError::invalid_fields(r.errors.clone()))
    };
    match outcome {
        Ok(_) => {
            Ok(Redirect::to(&format!("/identification/methods/{id}?done=saved")).into_response())
        }
        Err(e) => {
            let (status, errors) = field_errors(e, &r)?;
            let h = state
                .services
                .identification_method(&signed.auth.actor, id, None)
                .await?;
            Ok(form_page(
                &signed,
                status,
                Some(id),
                version,
                h.current.published,
                form,
                errors,
            ))
        }
    }
}
