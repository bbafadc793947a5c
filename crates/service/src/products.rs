//! Product registration (专利产品备案): an enterprise registers a product with its yearly
//! figures and at least one patent in force, submits it, and a reviewer of its region approves
//! it (a registration number is issued) or returns it with reasons. Every save is a version.

use crate::audit::record;
use crate::notifications::{notify, Kind, Notice};
use crate::patents::{parse as parse_patent, PatentInput};
use crate::{Ctx, FieldViolation, ServiceError, ServiceResult, Services};
use serde_json::json;
use zhichan_api::products::Product as ApiProduct;
use zhichan_domain::access::{authorize, Action, Actor, Placement, Scope};
use zhichan_domain::enterprises::{format_date, parse_date};
use zhichan_domain::patents::not_in_force;
use zhichan_domain::registration::{ProductStatus, RegistrationNumber, Step, VersionEvent};
use zhichan_domain::validation::{date_between, limits, max_chars};
use zhichan_domain::{CreditCode, IndustryCode, Money, PatentNumber, Violation};
use zhichan_store::enterprises::{self, Enterprise};
use zhichan_store::patents::{self, Patent};
pub use zhichan_store::products::Filter;
use zhichan_store::products::{self, Figures, Link, Product, Version, Within};
use zhichan_store::{industries, Tx};

/// One year's figures as typed.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FiguresInput {
    pub year: i64,
    pub sales_revenue: String,
    pub output_value: String,
    /// Filed with the annual update; empty when not given.
    pub export_value: Option<String>,
    pub profit: Option<String>,
    pub ip_investment: Option<String>,
}

impl FiguresInput {
    /// Stored figures as they would be typed (amounts in yuan with two decimals).
    pub fn from_stored(f: &Figures) -> FiguresInput {
        FiguresInput {
            year: f.year.into(),
            sales_revenue: f.sales_revenue.to_string(),
            output_value: f.output_value.to_string(),
            export_value: f.export_value.map(|m| m.to_string()),
            profit: f.profit.map(|m| m.to_string()),
            ip_investment: f.ip_investment.map(|m| m.to_string()),
        }
    }
}

/// A patent of the product as typed: a number already in the enterprise's list needs nothing
/// more; a new one brings its details and joins the list.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinkInput {
    pub patent: PatentInput,
    pub core: bool,
    pub embodiment: String,
}

#[derive(Clone, Debug, Default)]
pub struct ProductInput {
    /// The enterprise's credit code.
    pub enterprise: String,
    pub name: String,
    pub model: String,
    pub field: String,
    pub description: String,
    pub first_sold_on: Option<String>,
    pub figures: Vec<FiguresInput>,
    pub patents: Vec<LinkInput>,
}

/// One product as the API answers it.
// Made once per request and taken apart at once: boxing either variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum ProductAnswer {
    /// Its stored document, with what the fields of the day are judged on: its head and the
    /// status of its update of the cycle's year.
    Document {
        head: products::Head,
        document: String,
        update: Option<zhichan_domain::registration::UpdateStatus>,
    },
    /// Put together from its tables (no document written yet), with its update of the cycle.
    View(
        ProductView,
        Vec<zhichan_store::annual_updates::AnnualUpdate>,
    ),
}

/// A product with what a reader needs: its enterprise's code and its patents in full.
#[derive(Clone, Debug)]
pub struct ProductView {
    pub product: Product,
    pub enterprise: String,
    pub patents: Vec<(Patent, Link)>,
}

impl ProductView {
    /// A product's body without the per-request context (deadline, update state).
    pub fn body(&self) -> ApiProduct {
        let v = self;
        let p = &v.product;
        ApiProduct {
            id: p.id,
            enterprise: v.enterprise.clone(),
            name: p.name.clone(),
            model: p.model.clone(),
            field: p.field.to_string(),
            description: p.description.clone(),
            first_sold_on: p.first_sold_on.map(format_date),
            figures: p
                .figures
                .iter()
                .map(|f| zhichan_api::products::Figures {
                    year: f.year.into(),
                    sales_revenue: f.sales_revenue.to_string(),
                    output_value: f.output_value.to_string(),
                    export_value: f.export_value.map(|m| m.to_string()),
                    profit: f.profit.map(|m| m.to_string()),
                    ip_investment: f.ip_investment.map(|m| m.to_string()),
                })
                .collect(),
            patents: v
                .patents
                .iter()
                .map(|(pt, l)| zhichan_api::products::ProductPatent {
                    number: pt.number.to_string(),
                    title: pt.title.clone(),
                    patentees: pt.patentees.clone(),
                    grant_date: pt.grant_date.map(format_date),
                    legal_status: Some(pt.legal_status.into()),
                    right: Some(pt.right.into()),
                    licence_record: pt.licence_record.clone(),
                    core: l.core,
                    embodiment: l.embodiment.clone(),
                })
                .collect(),
            status: p.status.into(),
            registration_number: p.registration_number.clone(),
            submitted_at: p.submitted_at.map(|t| t.to_string()),
            reviewed_at: p.reviewed_at.map(|t| t.to_string()),
            return_reason: p.return_reason.clone(),
            registered_on: p.registered_on.map(format_date),
            withdrawn_on: p.withdrawn_on.map(format_date),
            lapsed_patent: v.has_lapsed_patent(),
            withdraw_prompt: v.should_withdraw(),
            amendment: p
                .amendment
                .as_ref()
                .map(|a| crate::amendments::body(a, p.version)),
            review_due: None,
            overdue_working_days: None,
            annual_update: None,
            version: p.version,
            updated_at: p.updated_at.to_string(),
        }
    }

    /// What is stored as the product's document: its body without the fields of the day.
    pub fn document(&self) -> String {
        self.body()
            .document()
            .expect("a body without the fields of the day")
    }

    /// Some linked patent has lapsed or been transferred away (the product is flagged).
    pub fn has_lapsed_patent(&self) -> bool {
        self.patents.iter().any(|(p, _)| !p.legal_status.in_force())
    }

    /// Every linked patent has lapsed or been transferred away: a registered product should be
    /// withdrawn, and the enterprise is prompted to.
    pub fn should_withdraw(&self) -> bool {
        self.product.registered_on.is_some()
            && self.product.withdrawn_on.is_none()
            && !self.patents.is_empty()
            && self.patents.iter().all(|(p, _)| !p.legal_status.in_force())
    }

    pub fn snapshot(&self) -> serde_json::Value {
        let p = &self.product;
        json!({
            "enterprise": self.enterprise, "name": p.name, "model": p.model,
            "field": p.field.to_string(), "description": p.description,
            "first_sold_on": p.first_sold_on.map(format_date), "status": p.status.as_str(),
            "registration_number": p.registration_number,
            "figures": p.figures.iter().map(|f| json!({"year": f.year,
                "sales_revenue": f.sales_revenue.to_string(),
                "output_value": f.output_value.to_string(),
                "export_value": f.export_value.map(|m| m.to_string()),
                "profit": f.profit.map(|m| m.to_string()),
                "ip_investment": f.ip_investment.map(|m| m.to_string())})).collect::<Vec<_>>(),
            "patents": self.patents.iter().map(|(pt, l)| json!({"number": pt.number.to_string(),
                "legal_status": pt.legal_status.as_str(), "core": l.core,
                "embodiment": l.embodiment})).collect::<Vec<_>>(),
            // The change in progress is part of the history too (nothing is lost).
            "amendment": p.amendment.as_ref().map(|a| json!({"status": a.status.as_str(),
                "content": serde_json::from_str::<serde_json::Value>(&a.content)
                    .unwrap_or_default(), "return_reason": a.return_reason})),
        })
    }
}

/// A product as it would be typed: what an edit starts from.
pub(crate) fn input_of(e: &Enterprise, v: &ProductView) -> ProductInput {
    let p = &v.product;
    ProductInput {
        enterprise: e.credit_code.clone(),
        name: p.name.clone(),
        model: p.model.clone(),
        field: p.field.to_string(),
        description: p.description.clone(),
        first_sold_on: p.first_sold_on.map(format_date),
        figures: p.figures.iter().map(FiguresInput::from_stored).collect(),
        patents: v
            .patents
            .iter()
            .map(|(pt, l)| LinkInput {
                patent: crate::patents::PatentInput::from_stored(pt),
                core: l.core,
                embodiment: l.embodiment.clone(),
            })
            .collect(),
    }
}

pub(crate) fn placement(region: zhichan_domain::RegionCode, credit_code: &str) -> Placement {
    Placement {
        region: Some(region),
        enterprise: Some(credit_code.to_string()),
        account: None,
    }
}

/// What the public certificate check shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub number: String,
    pub product: String,
    pub model: String,
    pub enterprise: String,
    pub registered_on: time::Date,
    pub withdrawn_on: Option<time::Date>,
    /// Ended by a reviewer (撤销备案), not withdrawn by the enterprise.
    pub revoked: bool,
}

/// The most items one bulk review takes.
pub const BULK_LIMIT: usize = 100;

fn invalid(field: impl Into<String>, code: &'static str, zh: &str) -> FieldViolation {
    FieldViolation::new(field, Violation::new(code, zh, code))
}

impl Services {
    pub(crate) async fn view(
        &self,
        ex: &impl zhichan_store::Exec,
        product: Product,
    ) -> ServiceResult<ProductView> {
        self.views(ex, vec![product])
            .await?
            .pop()
            .ok_or(ServiceError::NotFound)
    }

    /// Products with their patents: those read with the product are used as they are; the
    /// patents of products put together in memory are fetched, for a whole page in one query.
    pub(crate) async fn views(
        &self,
        ex: &impl zhichan_store::Exec,
        list: Vec<Product>,
    ) -> ServiceResult<Vec<ProductView>> {
        let missing: Vec<i64> = list
            .iter()
            .flat_map(|p| {
                p.links
                    .iter()
                    .filter(|l| !p.patents.iter().any(|pt| pt.id == l.patent_id))
                    .map(|l| l.patent_id)
            })
            .collect();
        let fetched = patents::by_ids(ex, &missing).await?;
        Ok(list
            .into_iter()
            .map(|mut product| {
                let read = std::mem::take(&mut product.patents);
                let patents = product
                    .links
                    .iter()
                    .filter_map(|l| {
                        read.iter()
                            .chain(fetched.iter())
                            .find(|p| p.id == l.patent_id)
                            .map(|p| (p.clone(), l.clone()))
                    })
                    .collect();
                ProductView {
                    enterprise: product.enterprise_code.clone(),
                    product,
                    patents,
                }
            })
            .collect())
    }

    /// Checks the typed product against the enterprise's patents; the product to store and
    /// the new patents to add to the enterprise's list.
    pub(crate) async fn check_product(
        &self,
        e: &Enterprise,
        input: &ProductInput,
    ) -> ServiceResult<(Product, Vec<(usize, Patent)>)> {
        let mut errors = Vec::new();
        let now = self.now();
        let today = now.datetime().date();
        if input.name.trim().is_empty() {
            errors.push(invalid("name", "required", "请填写产品名称"));
        }
        if input.model.trim().is_empty() {
            errors.push(invalid("model", "required", "请填写型号规格"));
        }
        let field = match IndustryCode::parse(&input.field) {
            _ if input.field.trim().is_empty() => {
                errors.push(invalid("field", "required", "请填写所属领域（行业代码）"));
                None
            }
            Ok(code) => match industries::get(self.db(), &code).await? {
                Some(i) if i.active => Some(code),
                _ => {
                    errors.push(invalid(
                        "field",
                        "invalid_industry",
                        "产品所属领域应为 GB/T 4754-2017 中的行业代码",
                    ));
                    None
                }
            },
            Err(v) => {
                errors.push(FieldViolation::new("field", v));
                None
            }
        };
        for (field, value, limit) in [
            ("name", &input.name, limits::PRODUCT_NAME),
            ("model", &input.model, limits::MODEL),
            ("description", &input.description, limits::DESCRIPTION),
        ] {
            if let Err(v) = max_chars(value, limit) {
                errors.push(FieldViolation::new(field, v));
            }
        }
        let first_sold_on = match input.first_sold_on.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match parse_date(raw) {
                Some(d) if date_between(d, today, "首次销售日期").is_ok() => Some(d),
                _ => {
                    errors.push(invalid(
                        "first_sold_on",
                        "invalid_date",
                        "首次销售日期应为 1900-01-01 至今天之间的 YYYY-MM-DD 日期",
                    ));
                    None
                }
            },
        };
        let mut figures: Vec<Figures> = Vec::new();
        for (i, f) in input.figures.iter().enumerate() {
            let at = |k: &str| format!("figures[{i}].{k}");
            if f.year > i64::from(today.year()) && f.year <= 9999 {
                errors.push(invalid(
                    at("year"),
                    "future_year",
                    &format!("年度不能晚于今年（{}）", today.year()),
                ));
            } else if !(1990..=i64::from(today.year())).contains(&f.year) {
                errors.push(invalid(
                    at("year"),
                    "invalid_year",
                    "年度应为 1990 年至今年之间",
                ));
            } else if figures.iter().any(|x| i64::from(x.year) == f.year) {
                errors.push(invalid(at("year"), "duplicate", "同一年度只能填写一次"));
            }
            let mut money = |k: &str, raw: &str| match Money::parse(raw) {
                _ if raw.trim().is_empty() => {
                    errors.push(invalid(at(k), "required", "请填写金额"));
                    None
                }
                Ok(m) if !m.is_negative() => Some(m),
                Ok(_) => {
                    errors.push(invalid(at(k), "invalid_money", "金额不能为负数"));
                    None
                }
                Err(v) => {
                    errors.push(FieldViolation::new(at(k), v));
                    None
                }
            };
            let sales = money("sales_revenue", &f.sales_revenue);
            let output = money("output_value", &f.output_value);
            let mut optional = |k: &str, raw: &Option<String>, may_be_negative: bool| match raw
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
            {
                None => Some(None),
                Some(r) => match Money::parse(r) {
                    Ok(m) if may_be_negative || !m.is_negative() => Some(Some(m)),
                    Ok(_) => {
                        errors.push(invalid(at(k), "invalid_money", "金额不能为负数"));
                        None
                    }
                    Err(v) => {
                        errors.push(FieldViolation::new(at(k), v));
                        None
                    }
                },
            };
            let export = optional("export_value", &f.export_value, false);
            let profit = optional("profit", &f.profit, true);
            let ip = optional("ip_investment", &f.ip_investment, false);
            if let (Some(s), Some(o), Some(export_value), Some(profit), Some(ip_investment)) =
                (sales, output, export, profit, ip)
            {
                figures.push(Figures {
                    year: f.year as i32,
                    sales_revenue: s,
                    output_value: o,
                    export_value,
                    profit,
                    ip_investment,
                });
            }
        }
        figures.sort_by_key(|f| f.year);
        if input.patents.is_empty() {
            errors.push(FieldViolation::new(
                "patents",
                Violation::new(
                    "missing_patent",
                    "备案产品至少须关联一件有效专利",
                    "a product needs at least one patent",
                ),
            ));
        }
        let mut links = Vec::new();
        let mut new_patents = Vec::new();
        let mut seen: Vec<PatentNumber> = Vec::new();
        for (i, l) in input.patents.iter().enumerate() {
            let at = |k: &str| format!("patents[{i}].{k}");
            if let Err(v) = max_chars(&l.embodiment, limits::EMBODIMENT) {
                errors.push(FieldViolation::new(at("embodiment"), v));
            }
            let number = match PatentNumber::parse(&l.patent.number) {
                Ok(n) => n,
                Err(v) => {
                    errors.push(FieldViolation::new(at("number"), v));
                    continue;
                }
            };
            if seen.contains(&number) {
                errors.push(invalid(at("number"), "duplicate", "同一专利只能关联一次"));
                continue;
            }
            seen.push(number.clone());
            match patents::by_number(self.db(), e.id, &number).await? {
                Some(p) => {
                    if !p.legal_status.in_force() {
                        errors.push(FieldViolation::new(
                            at("number"),
                            not_in_force(&number.to_string(), p.legal_status),
                        ));
                    }
                    links.push(Link {
                        patent_id: p.id,
                        core: l.core,
                        embodiment: l.embodiment.trim().to_string(),
                    });
                }
                None => match parse_patent(&l.patent, e.id, today) {
                    Ok(p) if !p.legal_status.in_force() => {
                        errors.push(FieldViolation::new(
                            at("legal_status"),
                            not_in_force(&number.to_string(), p.legal_status),
                        ));
                    }
                    Ok(p) => {
                        new_patents.push((links.len(), p));
                        links.push(Link {
                            patent_id: 0,
                            core: l.core,
                            embodiment: l.embodiment.trim().to_string(),
                        });
                    }
                    Err(ServiceError::Invalid(v)) => {
                        for f in v {
                            errors.push(FieldViolation::new(
                                format!("patents[{i}].{}", f.field),
                                f.violation,
                            ));
                        }
                    }
                    Err(other) => return Err(other),
                },
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let product = Product {
            id: 0,
            enterprise_id: e.id,
            enterprise_code: e.credit_code.clone(),
            region: e.region,
            name: input.name.trim().to_string(),
            model: input.model.trim().to_string(),
            field: field.expect("checked"),
            description: input.description.trim().to_string(),
            first_sold_on,
            status: ProductStatus::Draft,
            registration_number: None,
            submitted_at: None,
            reviewed_at: None,
            reviewed_by: None,
            return_reason: None,
            registered_on: None,
            withdrawn_on: None,
            figures,
            links,
            patents: Vec::new(),
            amendment: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        Ok((product, new_patents))
    }

    /// Adds the new patents to the enterprise's list and points the links at them.
    pub(crate) async fn add_new_patents(
        &self,
        tx: &Tx,
        product: &mut Product,
        new: Vec<(usize, Patent)>,
    ) -> ServiceResult<()> {
        let now = self.now();
        for (slot, p) in new {
            let id = patents::insert(tx, &p, now).await?;
            product.links[slot].patent_id = id;
        }
        Ok(())
    }

    pub(crate) async fn record_version(
        &self,
        tx: &Tx,
        actor: &Actor,
        ctx: &Ctx,
        view: &ProductView,
        action: &str,
        (event, detail): (VersionEvent, Option<&str>),
    ) -> ServiceResult<()> {
        let now = self.now();
        let snap = view.snapshot();
        let note = event.note_zh(detail);
        products::insert_version(
            tx,
            view.product.id,
            &Version {
                version: view.product.version,
                status: view.product.status.as_str().into(),
                snapshot: snap.to_string(),
                changed_by: actor.username.clone(),
                changed_at: now,
                note: note.clone(),
                event: Some(event.as_str().to_string()),
                detail: detail.map(str::to_string),
            },
        )
        .await?;
        record(
            tx,
            ctx,
            Some(actor),
            action,
            &format!("product:{}", view.product.id),
            "ok",
            json!({"after": snap, "version": view.product.version, "note": note,
                "event": event.as_str(), "detail": detail}),
            now,
        )
        .await?;
        Ok(())
    }

    /// Registers a product as a draft of the enterprise's.
    pub async fn create_product(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        input: ProductInput,
    ) -> ServiceResult<ProductView> {
        authorize(actor, Action::RegisterProducts)?;
        let code = CreditCode::parse(&input.enterprise)
            .map_err(|v| ServiceError::invalid("enterprise", v))?;
        let e = enterprises::by_credit_code(self.db(), code.as_str())
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.scoped(
            actor,
            Action::RegisterProducts,
            &placement(e.region, &e.credit_code),
            &format!("enterprise:{}", e.credit_code),
        )
        .await?;
        let (mut product, new) = self.check_product(&e, &input).await?;
        let tx = self.db().begin().await?;
        self.add_new_patents(&tx, &mut product, new).await?;
        let view = self
            .save_product(
                &tx,
                actor,
                ctx,
                None,
                &product,
                0,
                "product.create",
                (VersionEvent::Created, None),
            )
            .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The one door for every write to a product: inserts it (`before` absent) or saves it if
    /// it is still at `version` (409 otherwise), with its figures and links; rewrites its
    /// stored document; moves the statistics rollups from `before` to what is now stored; and
    /// records the version in its history and the audit log. Answers the product as stored
    /// (with its amendment, which the caller writes first in the same transaction).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn save_product(
        &self,
        tx: &Tx,
        actor: &Actor,
        ctx: &Ctx,
        before: Option<&Product>,
        after: &Product,
        version: i64,
        action: &str,
        event: (VersionEvent, Option<&str>),
    ) -> ServiceResult<ProductView> {
        let now = self.now();
        let id = match before {
            None => products::insert(tx, after, now).await?,
            Some(_) => {
                if products::save(tx, after, version, now).await?.is_none() {
                    return Err(ServiceError::Conflict(
                        "产品信息已被他人修改，请刷新后重试".into(),
                    ));
                }
                after.id
            }
        };
        self.write_documents(tx, &[id]).await?;
        let saved = products::by_id(tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        zhichan_store::stats::apply(tx, before, &saved).await?;
        let view = self.view(tx, saved).await?;
        self.record_version(tx, actor, ctx, &view, action, event)
            .await?;
        Ok(view)
    }

    /// Writes the documents of these products from what the transaction now holds (after a
    /// change to them, their figures, their links or a linked patent; the store forgot the old
    /// ones with the change).
    pub(crate) async fn write_documents(
        &self,
        ex: &impl zhichan_store::Exec,
        ids: &[i64],
    ) -> ServiceResult<u64> {
        let mut written = 0;
        for page in ids.chunks(200) {
            let views = self.views(ex, products::by_ids(ex, page).await?).await?;
            let documents: Vec<(i64, i64, String)> = views
                .iter()
                .map(|v| (v.product.id, v.product.version, v.document()))
                .collect();
            written += products::put_documents(ex, &documents).await?;
        }
        Ok(written)
    }

    /// Writes up to `limit` documents that are missing (a database from before documents, or a
    /// change by another program), in one transaction; how many were written.
    pub async fn fill_documents(&self, limit: i64) -> ServiceResult<usize> {
        let tx = self.db().begin().await?;
        let ids = products::without_document(&tx, limit).await?;
        let written = self.write_documents(&tx, &ids).await?;
        tx.commit().await?;
        Ok(usize::try_from(written).unwrap_or(usize::MAX))
    }

    /// Writes every missing document, a few hundred per transaction so that other writers get
    /// their turn in between; how many were written (it stops when a round writes none).
    pub async fn fill_all_documents(&self) -> ServiceResult<usize> {
        let mut total = 0;
        loop {
            let n = self.fill_documents(500).await?;
            total += n;
            if n == 0 {
                return Ok(total);
            }
            tokio::task::yield_now().await;
        }
    }

    pub(crate) async fn load(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
    ) -> ServiceResult<Product> {
        let p = products::by_id(self.db(), id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.may(actor, &p, action).await?;
        Ok(p)
    }

    /// Outside the read scope a product does not exist; inside it, a role without the action
    /// is refused (403).
    async fn may(&self, actor: &Actor, p: &Product, action: Action) -> ServiceResult<()> {
        self.may_at(actor, p.id, p.region, &p.enterprise_code, action)
            .await
    }

    async fn may_at(
        &self,
        actor: &Actor,
        id: i64,
        region: zhichan_domain::RegionCode,
        enterprise_code: &str,
        action: Action,
    ) -> ServiceResult<()> {
        let place = placement(region, enterprise_code);
        let object = format!("product:{id}");
        self.scoped(actor, Action::ReadEnterprise, &place, &object)
            .await?;
        if action != Action::ReadEnterprise {
            self.scoped(actor, action, &place, &object).await?;
        }
        Ok(())
    }

    /// One product, inside the caller's scope.
    pub async fn product(&self, actor: &Actor, id: i64) -> ServiceResult<ProductView> {
        let p = self.load(actor, id, Action::ReadEnterprise).await?;
        self.view(self.db(), p).await
    }

    /// One product for its page, inside the caller's scope, with its update of the cycle in
    /// progress (when there is one): read in one statement.
    pub async fn product_page(
        &self,
        actor: &Actor,
        cycle: &crate::annual::Cycle,
        id: i64,
    ) -> ServiceResult<(
        ProductView,
        Vec<zhichan_store::annual_updates::AnnualUpdate>,
    )> {
        let (p, update) = products::with_update(self.db(), id, cycle.year())
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.may(actor, &p, Action::ReadEnterprise).await?;
        Ok((self.view(self.db(), p).await?, update.into_iter().collect()))
    }

    /// One product as the API answers it, inside the caller's scope: its stored document when
    /// it has one (one row read by its key), else put together from its tables.
    pub async fn product_answer(
        &self,
        actor: &Actor,
        cycle: &crate::annual::Cycle,
        id: i64,
    ) -> ServiceResult<ProductAnswer> {
        let d = products::documented(self.db(), id, cycle.year())
            .await?
            .ok_or(ServiceError::NotFound)?;
        let h = &d.head;
        self.may_at(
            actor,
            h.id,
            h.region,
            &h.enterprise_code,
            Action::ReadEnterprise,
        )
        .await?;
        if let Some(document) = d.document {
            return Ok(ProductAnswer::Document {
                head: d.head,
                document,
                update: d.update,
            });
        }
        let (view, updates) = self.product_page(actor, cycle, id).await?;
        Ok(ProductAnswer::View(view, updates))
    }

    /// The products the caller may see that match `filter`.
    pub async fn products(
        &self,
        actor: &Actor,
        filter: &Filter,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<ProductView>, i64)> {
        let within = match authorize(actor, Action::ReadEnterprise)? {
            Scope::All => Within::All,
            Scope::Region(r) => Within::Region(r),
            Scope::Enterprise(c) => match enterprises::by_credit_code(self.db(), &c).await? {
                Some(e) => Within::Enterprise(e.id),
                None => return Ok((Vec::new(), 0)),
            },
            Scope::Account(_) => return Err(ServiceError::Forbidden),
        };
        let (rows, total) = products::list(self.db(), &within, filter, limit, offset).await?;
        Ok((self.views(self.db(), rows).await?, total))
    }

    /// The products the caller may see that match `filter`, each as the API answers it (as
    /// [`Services::product_answer`] does one): its stored document where it has one, else put
    /// together from its tables; and how many match, counted up to
    /// [`products::LIST_TOTAL_CAP`]; and where the next page starts (keyset), when the page is
    /// full and the order has a cursor.
    pub async fn product_list_answers(
        &self,
        actor: &Actor,
        cycle: &crate::annual::Cycle,
        filter: &Filter,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(
        Vec<ProductAnswer>,
        products::Total,
        Option<products::Cursor>,
    )> {
        let within = match authorize(actor, Action::ReadEnterprise)? {
            Scope::All => Within::All,
            Scope::Region(r) => Within::Region(r),
            Scope::Enterprise(c) => match enterprises::by_credit_code(self.db(), &c).await? {
                Some(e) => Within::Enterprise(e.id),
                None => {
                    let none = products::Total {
                        total: 0,
                        capped: false,
                    };
                    return Ok((Vec::new(), none, None));
                }
            },
            Scope::Account(_) => return Err(ServiceError::Forbidden),
        };
        let (rows, total, next) =
            products::list_documented(self.db(), &within, filter, limit, offset, cycle.year())
                .await?;
        let mut answers = Vec::with_capacity(rows.len());
        for d in rows {
            answers.push(match d.document {
                Some(document) => ProductAnswer::Document {
                    head: d.head,
                    document,
                    update: d.update,
                },
                // Rare: written by the daily pass; the list does not wait for it.
                None => {
                    let (view, updates) = self.product_page(actor, cycle, d.head.id).await?;
                    ProductAnswer::View(view, updates)
                }
            });
        }
        Ok((answers, total, next))
    }

    /// Changes a product: a draft or returned one in place (a new version); an approved one
    /// through its amendment (变更), the registered version staying in force until the
    /// amendment is approved.
    pub async fn update_product(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        version: i64,
        change: impl FnOnce(&mut ProductInput),
    ) -> ServiceResult<ProductView> {
        let before = self.load(actor, id, Action::RegisterProducts).await?;
        let e = enterprises::by_id(self.db(), before.enterprise_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let status = before
            .status
            .after(Step::Edit)
            .map_err(|v| ServiceError::invalid("status", v))?;
        if before.status == ProductStatus::Approved {
            let mut input = self.proposal_of(&e, &before).await?.input(&e.credit_code);
            change(&mut input);
            input.enterprise = e.credit_code.clone();
            return self.amend(actor, ctx, &e, before, version, input).await;
        }
        let current = self.view(self.db(), before.clone()).await?;
        let mut input = input_of(&e, &current);
        change(&mut input);
        input.enterprise = e.credit_code.clone();
        let (checked, new) = self.check_product(&e, &input).await?;
        let mut after = Product {
            id: before.id,
            status,
            registration_number: before.registration_number.clone(),
            registered_on: before.registered_on,
            withdrawn_on: before.withdrawn_on,
            created_at: before.created_at,
            ..checked
        };
        let tx = self.db().begin().await?;
        self.add_new_patents(&tx, &mut after, new).await?;
        let view = self
            .save_product(
                &tx,
                actor,
                ctx,
                Some(&before),
                &after,
                version,
                "product.update",
                (VersionEvent::Edited, None),
            )
            .await?;
        tx.commit().await?;
        Ok(view)
    }

    async fn step(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        version: i64,
        step: Step,
        reason: Option<&str>,
    ) -> ServiceResult<ProductView> {
        let action = match step {
            Step::Approve | Step::Return | Step::Revoke => Action::ReviewRegistrations,
            _ => Action::RegisterProducts,
        };
        let mut p = self.load(actor, id, action).await?;
        let before = p.clone();
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reason {
            zhichan_domain::validation::max_chars(r, zhichan_domain::validation::limits::REASON)
                .map_err(|v| crate::ServiceError::invalid("reason", v))?;
        }
        if matches!(step, Step::Return | Step::Withdraw | Step::Revoke) && reason.is_none() {
            let zh = match step {
                Step::Return => "退回须说明理由",
                Step::Revoke => "撤销备案须说明理由（如发现虚假信息）",
                _ => "撤销须说明原因（如产品已退市、专利已失效或转让）",
            };
            return Err(ServiceError::invalid(
                "reason",
                Violation::new("required", zh, "a reason is required"),
            ));
        }
        if p.status == ProductStatus::Approved
            && matches!(step, Step::Submit | Step::Approve | Step::Return)
        {
            // An approved registration is reviewed again only through its amendment.
            return self
                .amendment_step(actor, ctx, p, version, step, reason)
                .await;
        }
        p.status = p
            .status
            .after(step)
            .map_err(|v| ServiceError::invalid("status", v))?;
        let now = self.now();
        if step == Step::Submit {
            // Patents may have lapsed since the draft was saved.
            let ids: Vec<i64> = p.links.iter().map(|l| l.patent_id).collect();
            let linked = patents::by_ids(self.db(), &ids).await?;
            let mut errors: Vec<FieldViolation> = linked
                .iter()
                .filter(|pt| !pt.legal_status.in_force())
                .map(|pt| {
                    FieldViolation::new(
                        "patents",
                        not_in_force(&pt.number.to_string(), pt.legal_status),
                    )
                })
                .collect();
            if linked.is_empty() {
                errors.push(FieldViolation::new(
                    "patents",
                    Violation::new(
                        "missing_patent",
                        "备案产品至少须关联一件有效专利",
                        "no patent",
                    ),
                ));
            }
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(errors));
            }
            p.submitted_at = Some(now);
            p.return_reason = None;
        }
        if matches!(step, Step::Approve | Step::Return) {
            p.reviewed_at = Some(now);
            p.reviewed_by = Some(actor.username.clone());
            p.return_reason = reason.map(str::to_string);
        }
        let today = now.beijing_date();
        if matches!(step, Step::Withdraw | Step::Revoke) {
            // The record stays, marked withdrawn or revoked, with why; the reason field carries
            // it. It leaves the statistics from today.
            p.return_reason = reason.map(str::to_string);
            p.withdrawn_on = Some(today);
        }
        if step == Step::Revoke {
            p.reviewed_at = Some(now);
            p.reviewed_by = Some(actor.username.clone());
        }
        if step == Step::Approve && p.registered_on.is_none() {
            p.registered_on = Some(today);
        }
        let tx = self.db().begin().await?;
        if step == Step::Approve && p.registration_number.is_none() {
            let year = now.datetime().year();
            let serial = products::next_serial(&tx, year, p.region).await?;
            let number =
                RegistrationNumber::new(year, p.region, u32::try_from(serial).unwrap_or(0))
                    .ok_or_else(|| ServiceError::Conflict("本年度本地区备案编号已用尽".into()))?;
            p.registration_number = Some(number.to_string());
        }
        if p.amendment.is_some() {
            // A registration that ends takes its pending change with it.
            zhichan_store::amendments::delete(&tx, p.id).await?;
        }
        // The reason as the note has always held it (empty when none was given).
        let given = Some(reason.unwrap_or_default());
        let (action, event) = match step {
            Step::Submit => ("product.submit", (VersionEvent::Submitted, None)),
            Step::Approve => ("product.approve", (VersionEvent::Approved, None)),
            Step::Return => ("product.return", (VersionEvent::Returned, given)),
            Step::Withdraw => ("product.withdraw", (VersionEvent::Withdrawn, given)),
            Step::Revoke => ("product.revoke", (VersionEvent::Revoked, given)),
            Step::Edit | Step::Discard => ("product.update", (VersionEvent::Edited, None)),
        };
        let view = self
            .save_product(&tx, actor, ctx, Some(&before), &p, version, action, event)
            .await?;
        let p = &view.product;
        let link = format!("/products/{}", p.id);
        let key = format!("product:{}:v{}", p.id, p.version);
        let notice = match step {
            Step::Approve => Some((
                Kind::ProductApproved,
                format!("“{}”备案通过", p.name),
                format!(
                    "备案编号 {}，可在产品页面打印备案证明。",
                    p.registration_number.as_deref().unwrap_or("")
                ),
            )),
            Step::Return => Some((
                Kind::ProductReturned,
                format!("“{}”备案被退回", p.name),
                format!(
                    "退回理由：{}。请修改后重新提交。",
                    reason.unwrap_or_default()
                ),
            )),
            Step::Revoke => Some((
                Kind::ProductRevoked,
                format!("“{}”的备案已被撤销", p.name),
                format!(
                    "备案编号 {} 已由审核机关撤销，理由：{}。",
                    p.registration_number.as_deref().unwrap_or(""),
                    reason.unwrap_or_default()
                ),
            )),
            _ => None,
        };
        if let Some((kind, title, body)) = notice {
            notify(
                &tx,
                &Notice {
                    enterprise_id: p.enterprise_id,
                    kind,
                    title: &title,
                    body: &body,
                    link: &link,
                    key: &key,
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(view)
    }

    pub async fn submit_product(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        version: i64,
    ) -> ServiceResult<ProductView> {
        self.step(actor, ctx, id, version, Step::Submit, None).await
    }

    /// The reviewer's decision: approve, or return with a reason.
    pub async fn review_product(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        version: i64,
        approve: bool,
        reason: Option<&str>,
    ) -> ServiceResult<ProductView> {
        let step = if approve { Step::Approve } else { Step::Return };
        self.step(actor, ctx, id, version, step, reason).await
    }

    /// The reviewer's decision on many products at once (批量审核). Each item is decided in
    /// its own transaction against the version the reviewer saw, so one stale or invalid item
    /// does not hold back the others; the answer says what happened to each.
    pub async fn review_products(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        items: &[(i64, i64)],
        approve: bool,
        reason: Option<&str>,
    ) -> ServiceResult<Vec<(i64, ServiceResult<ProductView>)>> {
        authorize(actor, Action::ReviewRegistrations)?;
        if items.is_empty() || items.len() > BULK_LIMIT {
            return Err(ServiceError::invalid(
                "items",
                Violation::new(
                    "invalid_count",
                    format!("一次可处理 1～{BULK_LIMIT} 项"),
                    "1 to 100 items",
                ),
            ));
        }
        let mut out = Vec::with_capacity(items.len());
        for (id, version) in items {
            let r = self
                .review_product(actor, ctx, *id, *version, approve, reason)
                .await;
            if let Err(ServiceError::Store(e)) = &r {
                tracing::error!(product = id, error = %e, "bulk review");
            }
            out.push((*id, r));
        }
        Ok(out)
    }

    /// Withdraws an approved product (撤销) with a reason; the record and its number stay.
    pub async fn withdraw_product(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        version: i64,
        reason: &str,
    ) -> ServiceResult<ProductView> {
        self.step(actor, ctx, id, version, Step::Withdraw, Some(reason))
            .await
    }

    /// Revokes a registration (撤销备案): a reviewer of the product's region ends it with a
    /// reason (e.g. false information found); the record and its number stay, the enterprise
    /// is notified, and it leaves the statistics in the same transaction.
    pub async fn revoke_product(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        version: i64,
        reason: &str,
    ) -> ServiceResult<ProductView> {
        self.step(actor, ctx, id, version, Step::Revoke, Some(reason))
            .await
    }

    /// The public check of a certificate (备案证明查验): anyone holding a registration number
    /// learns whether it stands, for which product of which enterprise, and nothing more.
    pub async fn verify_registration(&self, number: &str) -> ServiceResult<Option<Verified>> {
        let number = number.trim().to_ascii_uppercase();
        if number.len() != 18 || !number.starts_with("BA") {
            return Ok(None);
        }
        let Some(p) = products::by_registration_number(self.db(), &number).await? else {
            return Ok(None);
        };
        let Some(e) = enterprises::by_id(self.db(), p.enterprise_id).await? else {
            return Ok(None);
        };
        Ok(p.registered_on.map(|registered_on| Verified {
            number,
            product: p.name,
            model: p.model,
            enterprise: e.name,
            registered_on,
            withdrawn_on: p.withdrawn_on,
            revoked: p.status == ProductStatus::Revoked,
        }))
    }

    /// What changed between two versions of a product.
    pub async fn product_diff(
        &self,
        actor: &Actor,
        id: i64,
        from: i64,
        to: i64,
    ) -> ServiceResult<(Version, Version, Vec<Change>)> {
        let versions = self.product_history(actor, id).await?;
        let find = |v: i64| versions.iter().find(|x| x.version == v).cloned();
        let (Some(a), Some(b)) = (find(from), find(to)) else {
            return Err(ServiceError::NotFound);
        };
        let parse = |v: &Version| -> serde_json::Value {
            serde_json::from_str(&v.snapshot).unwrap_or_default()
        };
        let changes = diff_snapshots(&parse(&a), &parse(&b));
        Ok((a, b, changes))
    }

    /// Every version of a product, newest first.
    pub async fn product_history(&self, actor: &Actor, id: i64) -> ServiceResult<Vec<Version>> {
        self.load(actor, id, Action::ReadEnterprise).await?;
        Ok(products::versions(self.db(), id).await?)
    }
}

/// One difference between two versions: what, before, after (empty when absent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The field, in the platform's words (`年度数据 2024 销售收入`).
    pub what: String,
    pub before: Shown,
    pub after: Shown,
}

/// A value of a version as a comparison shows it: data as recorded (a name, a figure), or a
/// word of the platform's (a status's name, yes or no, added or removed), which a page shows
/// in its reader's language.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Shown {
    pub text: String,
    pub word: bool,
}

impl Shown {
    fn data(text: String) -> Self {
        Shown { text, word: false }
    }

    fn word(text: &str) -> Self {
        Shown {
            text: text.to_string(),
            word: true,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

impl PartialEq<&str> for Shown {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

fn text(v: Option<&serde_json::Value>) -> Shown {
    match v {
        None | Some(serde_json::Value::Null) => Shown::default(),
        Some(serde_json::Value::String(s)) => Shown::data(s.clone()),
        Some(serde_json::Value::Bool(b)) => Shown::word(if *b { "是" } else { "否" }),
        Some(other) => Shown::data(other.to_string()),
    }
}

/// A snapshot's value as a person reads it: statuses by their names.
fn named(key: &str, value: Shown) -> Shown {
    let name = match key {
        "status" => ProductStatus::parse(&value.text).ok().map(|s| s.label_zh()),
        "legal_status" => zhichan_domain::patents::LegalStatus::parse(&value.text)
            .ok()
            .map(|s| s.label_zh()),
        _ => None,
    };
    name.map_or(value, Shown::word)
}

/// Compares two version snapshots field by field: scalar fields, the figures by year, the
/// patents by number.
pub fn diff_snapshots(a: &serde_json::Value, b: &serde_json::Value) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |what: String, before: Shown, after: Shown| {
        if before != after {
            out.push(Change {
                what,
                before,
                after,
            });
        }
    };
    for (key, label) in [
        ("name", "产品名称"),
        ("model", "型号规格"),
        ("field", "所属领域"),
        ("description", "产品说明"),
        ("first_sold_on", "首次销售日期"),
        ("status", "状态"),
        ("registration_number", "备案编号"),
    ] {
        push(
            label.to_string(),
            named(key, text(a.get(key))),
            named(key, text(b.get(key))),
        );
    }
    let rows = |v: &serde_json::Value, key: &str, id: &str| -> Vec<(String, serde_json::Value)> {
        v.get(key)
            .and_then(|x| x.as_array())
            .map(|list| {
                list.iter()
                    .map(|item| (text(item.get(id)).text, item.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let figure_fields = [
        ("sales_revenue", "销售收入"),
        ("output_value", "产值"),
        ("export_value", "出口额"),
        ("profit", "利润"),
        ("ip_investment", "知识产权投入"),
    ];
    let patent_fields = [
        ("legal_status", "法律状态"),
        ("core", "核心专利"),
        ("embodiment", "实施方式"),
    ];
    for (key, id, label, fields) in [
        ("figures", "year", "年度数据", &figure_fields[..]),
        ("patents", "number", "关联专利", &patent_fields[..]),
    ] {
        let ra = rows(a, key, id);
        let rb = rows(b, key, id);
        let mut ids: Vec<&String> = ra.iter().chain(rb.iter()).map(|(k, _)| k).collect();
        ids.sort();
        ids.dedup();
        for k in ids {
            let x = ra.iter().find(|(i, _)| i == k).map(|(_, v)| v);
            let y = rb.iter().find(|(i, _)| i == k).map(|(_, v)| v);
            match (x, y) {
                // A row added or removed shows its values, so that a reviewer sees the figures
                // of a new year, not only that there is one.
                (Some(x), None) => {
                    for (f, fl) in fields {
                        let v = named(f, text(x.get(*f)));
                        if !v.is_empty() {
                            push(format!("{label} {k} {fl}"), v, Shown::word("（删除）"));
                        }
                    }
                }
                (None, Some(y)) => {
                    for (f, fl) in fields {
                        let v = named(f, text(y.get(*f)));
                        if !v.is_empty() {
                            push(format!("{label} {k} {fl}"), Shown::word("（新增）"), v);
                        }
                    }
                }
                (Some(x), Some(y)) => {
                    for (f, fl) in fields {
                        push(
                            format!("{label} {k} {fl}"),
                            named(f, text(x.get(*f))),
                            named(f, text(y.get(*f))),
                        );
                    }
                }
                (None, None) => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_diff_names_each_changed_field_figure_and_patent() {
        let a = json!({"name": "采集器", "model": "A1", "status": "approved",
            "figures": [{"year": 2024, "sales_revenue": "10.00", "output_value": "12.00"}],
            "patents": [{"number": "ZL1", "legal_status": "valid", "core": true, "embodiment": "x"}]});
        let b = json!({"name": "数据采集器", "model": "A1", "status": "draft",
            "figures": [{"year": 2024, "sales_revenue": "11.00", "output_value": "12.00"},
                        {"year": 2025, "sales_revenue": "1.00", "output_value": "1.00"}],
            "patents": [{"number": "ZL2", "legal_status": "valid", "core": false, "embodiment": ""}]});
        let what: Vec<String> = diff_snapshots(&a, &b).into_iter().map(|c| c.what).collect();
        assert_eq!(
            what,
            [
                "产品名称",
                "状态",
                "年度数据 2024 销售收入",
                "年度数据 2025 销售收入",
                "年度数据 2025 产值",
                "关联专利 ZL1 法律状态",
                "关联专利 ZL1 核心专利",
                "关联专利 ZL1 实施方式",
                "关联专利 ZL2 法律状态",
                "关联专利 ZL2 核心专利",
            ]
        );
        let added = diff_snapshots(&a, &b);
        let sales = added
            .iter()
            .find(|c| c.what == "年度数据 2025 销售收入")
            .unwrap();
        assert_eq!(
            (sales.before.as_str(), sales.after.as_str()),
            ("（新增）", "1.00")
        );
        // Statuses read as their names, not their codes.
        let status = added.iter().find(|c| c.what == "状态").unwrap();
        assert_eq!(
            (status.before.as_str(), status.after.as_str()),
            ("备案成功", "草稿")
        );
        assert!(diff_snapshots(&a, &a).is_empty());
    }
}
