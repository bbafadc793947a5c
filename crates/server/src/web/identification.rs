//! Identification method pages (评价方法): the list, one method with its versions and worked
//! examples, and the form in which the national administrator edits a draft (field by field,
//! with each error beside its field).

use super::{render, Chrome};
use crate::api::identification::parse_method;
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
use zhichan_api::identification as api;
use zhichan_domain::identification::{
    plain, Aggregate, Combine, Direction, FieldLevel, FinalRule, Measure,
};
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
    let methods = state
        .services
        .identification_methods(&signed.auth.actor)
        .await?;
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

fn yes_no(b: bool) -> &'static str {
    if b {
        "通过"
    } else {
        "未通过"
    }
}

fn figures_zh(f: &zhichan_domain::identification::Figures) -> String {
    let mut parts = vec![
        format!("有效专利 {} 件", f.valid_patents),
        format!("发明专利 {} 件", f.invention_patents),
    ];
    if let Some(n) = f.core_patents {
        parts.push(format!("核心专利 {n} 件"));
    }
    for (label, m) in [
        ("销售收入", f.sales_revenue),
        ("上年销售收入", f.prior_sales_revenue),
        ("知识产权投入", f.ip_investment),
        ("出口额", f.export_value),
    ] {
        if let Some(m) = m {
            parts.push(format!("{label} {m} 元"));
        }
    }
    parts.join("，")
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
            benchmark: i.benchmark.describe_zh(i.measure),
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
            let mut inputs = format!("本产品：{}", figures_zh(&e.product));
            if !e.field.is_empty() {
                inputs.push_str(&format!(
                    "；同领域其他产品 {} 件：{}",
                    e.field.len(),
                    e.field
                        .iter()
                        .map(figures_zh)
                        .collect::<Vec<_>>()
                        .join("；")
                ));
            }
            if !e.expert_scores.is_empty() {
                inputs.push_str(&format!(
                    "；专家评分 {}",
                    e.expert_scores
                        .iter()
                        .map(|s| plain(*s))
                        .collect::<Vec<_>>()
                        .join("、")
                ));
            }
            let mut expected = format!("专利性评价{}", yes_no(e.passed));
            if let Some(o) = e.outcome {
                expected.push_str(&format!("，认定结论{}", yes_no(o)));
            }
            ExampleRow {
                name: e.name.clone(),
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
        field_level: m.field_level.label_zh(),
        combine: m.combine.label_zh(),
        pass_score: m.pass_score.map(plain).unwrap_or_default(),
        indicators,
        items: m
            .industry
            .items
            .iter()
            .map(|i| (i.name.clone(), plain(i.max_score)))
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
fn values_of(m: &api::Method) -> HashMap<String, String> {
    let mut v = HashMap::new();
    let mut put = |k: String, s: String| {
        v.insert(k, s);
    };
    put("name".into(), m.name.clone());
    put("source_document".into(), m.source.document.clone());
    put("source_clause".into(), m.source.clause.clone());
    put("field_level".into(), m.field_level.as_str().into());
    put("min_field_size".into(), m.min_field_size.to_string());
    put("combine".into(), m.combine.as_str().into());
    put(
        "pass_score".into(),
        m.pass_score.clone().unwrap_or_default(),
    );
    put("final_rule".into(), m.final_rule.as_str().into());
    put("min_experts".into(), m.industry.min_experts.to_string());
    put("aggregate".into(), m.industry.aggregate.as_str().into());
    put("industry_pass_score".into(), m.industry.pass_score.clone());
    for (i, ind) in m.indicators.iter().enumerate() {
        put(format!("ind{i}_measure"), ind.measure.as_str().into());
        let (kind, value) = match (&ind.benchmark.quantile, &ind.benchmark.value) {
            (Some(q), _) => ("quantile", q.clone()),
            (_, Some(x)) => ("value", x.clone()),
            _ => ("quantile", String::new()),
        };
        put(format!("ind{i}_kind"), kind.into());
        put(format!("ind{i}_benchmark"), value);
        put(format!("ind{i}_direction"), ind.direction.as_str().into());
        put(
            format!("ind{i}_weight"),
            ind.weight.clone().unwrap_or_default(),
        );
    }
    for (i, it) in m.industry.items.iter().enumerate() {
        put(format!("item{i}_name"), it.name.clone());
        put(format!("item{i}_max_score"), it.max_score.clone());
    }
    let figures_line = |f: &api::ExampleFigures| {
        [
            f.valid_patents.to_string(),
            f.invention_patents.to_string(),
            f.core_patents.map(|n| n.to_string()).unwrap_or_default(),
            f.sales_revenue.clone().unwrap_or_default(),
            f.prior_sales_revenue.clone().unwrap_or_default(),
            f.ip_investment.clone().unwrap_or_default(),
            f.export_value.clone().unwrap_or_default(),
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
        put(format!("ex{i}_scores"), ex.expert_scores.join(", "));
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

/// Reads the form into the API's method; errors of fields that do not even parse, keyed by
/// input name; and, for each list, the form row of each item kept.
struct Read {
    method: api::Method,
    errors: Vec<(String, String)>,
    ind_rows: Vec<usize>,
    item_rows: Vec<usize>,
    ex_rows: Vec<usize>,
}

fn read_form(v: &HashMap<String, String>) -> Read {
    let get = |k: &str| v.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut errors = Vec::new();
    let int = |k: &str, label: &str, errors: &mut Vec<(String, String)>| -> u32 {
        let s = get(k);
        match s.parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                errors.push((k.to_string(), format!("{label}应为非负整数")));
                0
            }
        }
    };
    let opt = |s: String| (!s.is_empty()).then_some(s);
    let mut indicators = Vec::new();
    let mut ind_rows = Vec::new();
    for i in 0..Measure::ALL.len() {
        let measure = get(&format!("ind{i}_measure"));
        if measure.is_empty() {
            continue;
        }
        let Ok(m) = api::Measure::parse(&measure) else {
            errors.push((format!("ind{i}_measure"), "请选择测度".into()));
            continue;
        };
        let value = get(&format!("ind{i}_benchmark"));
        let benchmark = if get(&format!("ind{i}_kind")) == "value" {
            api::Benchmark {
                quantile: None,
                value: Some(value),
            }
        } else {
            api::Benchmark {
                quantile: Some(value),
                value: None,
            }
        };
        indicators.push(api::Indicator {
            measure: m,
            benchmark,
            direction: api::Direction::parse(&get(&format!("ind{i}_direction")))
                .unwrap_or(api::Direction::AtLeast),
            weight: opt(get(&format!("ind{i}_weight"))),
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
        items.push(api::ScoreItem {
            name,
            max_score: max,
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
        let product = api::ExampleFigures {
            valid_patents: int(&format!("ex{i}_valid_patents"), "有效专利数", &mut errors),
            invention_patents: int(
                &format!("ex{i}_invention_patents"),
                "发明专利数",
                &mut errors,
            ),
            core_patents: {
                let k = format!("ex{i}_core_patents");
                (!get(&k).is_empty()).then(|| int(&k, "核心专利数", &mut errors))
            },
            sales_revenue: opt(get(&format!("ex{i}_sales_revenue"))),
            prior_sales_revenue: opt(get(&format!("ex{i}_prior_sales_revenue"))),
            ip_investment: opt(get(&format!("ex{i}_ip_investment"))),
            export_value: opt(get(&format!("ex{i}_export_value"))),
        };
        let mut field = Vec::new();
        for (n, line) in get(&format!("ex{i}_field")).lines().enumerate() {
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
                    format!("ex{i}_field"),
                    format!("第 {} 行：前两项应为有效专利数和发明专利数（整数）", n + 1),
                ));
                continue;
            };
            field.push(api::ExampleFigures {
                valid_patents: valid,
                invention_patents: inv,
                core_patents: c(2).parse().ok(),
                sales_revenue: opt(c(3)),
                prior_sales_revenue: opt(c(4)),
                ip_investment: opt(c(5)),
                export_value: opt(c(6)),
            });
        }
        examples.push(api::Example {
            name,
            product,
            field,
            expert_scores: get(&format!("ex{i}_scores"))
                .split([',', '，', '、', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            passed: get(&format!("ex{i}_passed")) == "yes",
            outcome: match get(&format!("ex{i}_outcome")).as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
        });
        ex_rows.push(i);
    }
    let min_field_size = int("min_field_size", "领域最少产品数", &mut errors);
    let min_experts = int("min_experts", "最少专家人数", &mut errors);
    let method = api::Method {
        name: get("name"),
        source: api::Source {
            document: get("source_document"),
            clause: get("source_clause"),
        },
        field_level: api::FieldLevel::parse(&get("field_level"))
            .unwrap_or(api::FieldLevel::Division),
        min_field_size,
        indicators,
        combine: api::Combine::parse(&get("combine")).unwrap_or(api::Combine::All),
        pass_score: opt(get("pass_score")),
        industry: api::IndustryEvaluation {
            items,
            min_experts,
            aggregate: api::Aggregate::parse(&get("aggregate")).unwrap_or(api::Aggregate::Mean),
            pass_score: get("industry_pass_score"),
        },
        final_rule: api::FinalRule::parse(&get("final_rule")).unwrap_or(api::FinalRule::BothPass),
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
        let field = if tail.is_empty() { "measure" } else { &tail };
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
        ServiceError::Invalid(v) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            v.into_iter()
                .map(|f| (input_of(&f.field, r), f.violation.message_zh))
                .collect(),
        )),
        ServiceError::Conflict(m) => Ok((StatusCode::CONFLICT, vec![("name".into(), m)])),
        other => Err(other.into()),
    }
}

pub async fn new_form(signed: Signed) -> AppResult<Response> {
    // A new method starts from the starter's shape, with its name and source left to fill.
    let mut m = api::Method::of(&zhichan_domain::identification::starter_method());
    m.name = String::new();
    m.source = api::Source::default();
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
        match parse_method(&r.method) {
            Ok(m) => {
                state
                    .services
                    .create_identification_method(&signed.auth.actor, &ctx, m)
                    .await
            }
            Err(e) => Err(e),
        }
    } else {
        Err(ServiceError::Invalid(vec![]))
    };
    match outcome {
        Ok(h) => Ok(Redirect::to(&format!(
            "/identification/methods/{}?done=saved",
            h.current.id
        ))
        .into_response()),
        Err(e) => {
            let (status, mut errors) = field_errors(e, &r)?;
            errors.splice(0..0, r.errors.clone());
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
    let m = api::Method::of(&h.current.rule);
    Ok(form_page(
        &signed,
        StatusCode::OK,
        Some(id),
        h.current.version,
        h.current.published,
        values_of(&m),
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
        match parse_method(&r.method) {
            Ok(m) => {
                state
                    .services
                    .edit_identification_method(&signed.auth.actor, &ctx, id, version, m)
                    .await
            }
            Err(e) => Err(e),
        }
    } else {
        Err(ServiceError::Invalid(vec![]))
    };
    match outcome {
        Ok(_) => {
            Ok(Redirect::to(&format!("/identification/methods/{id}?done=saved")).into_response())
        }
        Err(e) => {
            let (status, mut errors) = field_errors(e, &r)?;
            errors.splice(0..0, r.errors.clone());
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
