//! Amendments (变更) of approved registrations. An approved product stays registered while a
//! change to it is drafted, submitted and reviewed: the change waits as the product's one
//! amendment (its proposed content as typed), and the product's row, figures and links — what
//! the certificate, `/verify`, statistics and exports read — stay the registered version until
//! a reviewer approves the amendment. Every change to an amendment bumps the product's version,
//! so clients always send the product's `version`.

use crate::notifications::{notify, Kind, Notice};
use crate::patents::PatentInput;
use crate::products::{FiguresInput, LinkInput, ProductInput, ProductView};
use crate::{Ctx, ServiceError, ServiceResult, Services};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhichan_domain::access::{Action, Actor};
use zhichan_domain::enterprises::format_date;
use zhichan_domain::registration::{AmendmentStatus, ProductStatus, Step, VersionEvent};
use zhichan_domain::{PatentNumber, Violation};
use zhichan_store::amendments::{self, Amendment};
use zhichan_store::enterprises::{self, Enterprise};
use zhichan_store::patents;
use zhichan_store::products::Product;

/// The proposed content of an amendment: the product as the enterprise typed it (checked when
/// saved, submitted and approved; its new patents join the enterprise's list only on approval,
/// so that nothing registered links to an unreviewed patent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub name: String,
    pub model: String,
    pub field: String,
    pub description: String,
    pub first_sold_on: Option<String>,
    pub figures: Vec<FiguresInput>,
    pub patents: Vec<LinkInput>,
}

impl Proposal {
    pub fn parse(text: &str) -> ServiceResult<Proposal> {
        serde_json::from_str(text).map_err(|e| {
            ServiceError::Store(zhichan_store::StoreError::Corrupt(format!(
                "amendment: {e}"
            )))
        })
    }

    fn of(input: &ProductInput) -> Proposal {
        Proposal {
            name: input.name.trim().to_string(),
            model: input.model.trim().to_string(),
            field: input.field.trim().to_ascii_uppercase(),
            description: input.description.trim().to_string(),
            first_sold_on: input.first_sold_on.clone().filter(|d| !d.trim().is_empty()),
            figures: input.figures.clone(),
            patents: input.patents.clone(),
        }
    }

    /// The product input it stands for, of the enterprise `enterprise`.
    pub fn input(&self, enterprise: &str) -> ProductInput {
        ProductInput {
            enterprise: enterprise.to_string(),
            name: self.name.clone(),
            model: self.model.clone(),
            field: self.field.clone(),
            description: self.description.clone(),
            first_sold_on: self.first_sold_on.clone(),
            figures: self.figures.clone(),
            patents: self.patents.clone(),
        }
    }

    /// The proposal as a version snapshot, to compare with the registered version's.
    pub fn snapshot(&self, registered: &ProductView) -> serde_json::Value {
        let mut s = registered.snapshot();
        s["name"] = json!(self.name);
        s["model"] = json!(self.model);
        s["field"] = json!(self.field);
        s["description"] = json!(self.description);
        s["first_sold_on"] = json!(self.first_sold_on);
        s["figures"] = self
            .figures
            .iter()
            .map(|f| {
                json!({"year": f.year, "sales_revenue": f.sales_revenue,
                "output_value": f.output_value, "export_value": f.export_value,
                "profit": f.profit, "ip_investment": f.ip_investment})
            })
            .collect();
        s["patents"] = self
            .patents
            .iter()
            .map(|l| {
                json!({"number": l.patent.number, "legal_status": l.patent.legal_status,
                "core": l.core, "embodiment": l.embodiment})
            })
            .collect();
        if let Some(o) = s.as_object_mut() {
            o.remove("amendment");
        }
        s
    }
}

/// The amendment of a product as the API answers it.
pub fn body(a: &Amendment, version: i64) -> zhichan_api::products::Amendment {
    let p = Proposal::parse(&a.content).ok();
    let p = p.as_ref();
    zhichan_api::products::Amendment {
        status: zhichan_api::products::AmendmentStatus::parse(a.status.as_str())
            .unwrap_or(zhichan_api::products::AmendmentStatus::Draft),
        version,
        name: p.map(|p| p.name.clone()).unwrap_or_default(),
        model: p.map(|p| p.model.clone()).unwrap_or_default(),
        field: p.map(|p| p.field.clone()).unwrap_or_default(),
        description: p.map(|p| p.description.clone()).unwrap_or_default(),
        first_sold_on: p.and_then(|p| p.first_sold_on.clone()),
        figures: p
            .map(|p| {
                p.figures
                    .iter()
                    .map(|f| zhichan_api::products::Figures {
                        year: f.year,
                        sales_revenue: f.sales_revenue.clone(),
                        output_value: f.output_value.clone(),
                        export_value: f.export_value.clone(),
                        profit: f.profit.clone(),
                        ip_investment: f.ip_investment.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        patents: p
            .map(|p| {
                p.patents
                    .iter()
                    .map(|l| zhichan_api::products::ProductPatent {
                        number: l.patent.number.clone(),
                        title: l.patent.title.clone(),
                        patentees: l.patent.patentees.clone(),
                        grant_date: l.patent.grant_date.clone(),
                        legal_status: zhichan_api::enterprises::LegalStatus::parse(
                            &l.patent.legal_status,
                        ),
                        right: zhichan_api::enterprises::PatentRight::parse(&l.patent.right),
                        licence_record: l.patent.licence_record.clone(),
                        core: l.core,
                        embodiment: l.embodiment.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        submitted_at: a.submitted_at.map(|t| t.to_string()),
        reviewed_at: a.reviewed_at.map(|t| t.to_string()),
        return_reason: a.return_reason.clone(),
    }
}

fn refused(v: Violation) -> ServiceError {
    ServiceError::invalid("amendment", v)
}

impl Services {
    /// The registered version of a product (the one in force: certificate, `/verify`,
    /// statistics, identification and entitlements read it), inside the caller's scope; `None`
    /// unless the product is approved. A pending amendment is not part of it.
    pub async fn registered_version(
        &self,
        actor: &Actor,
        id: i64,
    ) -> ServiceResult<Option<ProductView>> {
        let p = self.load(actor, id, Action::ReadEnterprise).await?;
        if p.status != ProductStatus::Approved {
            return Ok(None);
        }
        Ok(Some(self.view(self.db(), p).await?))
    }

    /// What the edit form of a product starts from, and the version to send with it: a draft
    /// or returned product as it is; an approved one as its amendment (or, with none yet, its
    /// registered version).
    pub async fn product_edit_input(
        &self,
        actor: &Actor,
        id: i64,
    ) -> ServiceResult<(ProductInput, i64)> {
        let p = self.load(actor, id, Action::RegisterProducts).await?;
        let e = enterprises::by_id(self.db(), p.enterprise_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let version = p.version;
        if p.status == ProductStatus::Approved {
            return Ok((
                self.proposal_of(&e, &p).await?.input(&e.credit_code),
                version,
            ));
        }
        let view = self.view(self.db(), p).await?;
        Ok((crate::products::input_of(&e, &view), version))
    }

    /// The proposal an edit of an approved product starts from: its amendment, or else the
    /// registered version.
    pub(crate) async fn proposal_of(&self, e: &Enterprise, p: &Product) -> ServiceResult<Proposal> {
        if let Some(a) = &p.amendment {
            return Proposal::parse(&a.content);
        }
        let view = self.view(self.db(), p.clone()).await?;
        Ok(Proposal::of(&crate::products::input_of(e, &view)))
    }

    /// Writes the amendment of an approved product from an edit (a draft again after a return).
    pub(crate) async fn amend(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        e: &Enterprise,
        before: Product,
        version: i64,
        input: ProductInput,
    ) -> ServiceResult<ProductView> {
        let current = before.amendment.clone();
        let status = AmendmentStatus::after(current.as_ref().map(|a| a.status), Step::Edit)
            .map_err(refused)?
            .expect("an edit leaves a draft");
        let (checked, _) = self.check_product(e, &input).await?;
        // Kept as checked (trimmed, codes and amounts written out), so that it compares with the
        // registered version field by field.
        let mut proposal = Proposal {
            name: checked.name.clone(),
            model: checked.model.clone(),
            field: checked.field.to_string(),
            description: checked.description.clone(),
            first_sold_on: checked.first_sold_on.map(format_date),
            figures: checked
                .figures
                .iter()
                .map(FiguresInput::from_stored)
                .collect(),
            ..Proposal::of(&input)
        };
        // Patents already in the enterprise's list are shown as they stand there.
        for l in &mut proposal.patents {
            if let Ok(n) = PatentNumber::parse(&l.patent.number) {
                l.patent.number = n.to_string();
                if let Some(p) = patents::by_number(self.db(), e.id, &n).await? {
                    l.patent = PatentInput::from_stored(&p);
                }
            }
        }
        let now = self.now();
        let a = Amendment {
            product_id: before.id,
            status,
            content: serde_json::to_string(&proposal).map_err(|e| {
                ServiceError::Store(zhichan_store::StoreError::Corrupt(e.to_string()))
            })?,
            submitted_at: None,
            reviewed_at: current.as_ref().and_then(|a| a.reviewed_at),
            reviewed_by: current.as_ref().and_then(|a| a.reviewed_by.clone()),
            return_reason: current.as_ref().and_then(|a| a.return_reason.clone()),
            updated_at: now,
        };
        let tx = self.db().begin().await?;
        amendments::put(&tx, &a).await?;
        let view = self
            .save_product(
                &tx,
                actor,
                ctx,
                Some(&before),
                &before,
                version,
                "product.amendment.update",
                (VersionEvent::AmendmentDrafted, None),
            )
            .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Submits, approves or returns the amendment of an approved product.
    pub(crate) async fn amendment_step(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        before: Product,
        version: i64,
        step: Step,
        reason: Option<&str>,
    ) -> ServiceResult<ProductView> {
        let Some(mut a) = before.amendment.clone() else {
            return Err(refused(AmendmentStatus::after(None, step).unwrap_err()));
        };
        AmendmentStatus::after(Some(a.status), step).map_err(refused)?;
        let e = enterprises::by_id(self.db(), before.enterprise_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let proposal = Proposal::parse(&a.content)?;
        let now = self.now();
        let tx;
        let view;
        let mut notice = None;
        match step {
            Step::Submit => {
                // Its patents may have lapsed since the draft was saved.
                self.check_product(&e, &proposal.input(&e.credit_code))
                    .await?;
                a.status = AmendmentStatus::Submitted;
                a.submitted_at = Some(now);
                a.return_reason = None;
                a.updated_at = now;
                tx = self.db().begin().await?;
                amendments::put(&tx, &a).await?;
                view = self
                    .save_product(
                        &tx,
                        actor,
                        ctx,
                        Some(&before),
                        &before,
                        version,
                        "product.amendment.submit",
                        (VersionEvent::AmendmentSubmitted, None),
                    )
                    .await?;
            }
            Step::Return => {
                let reason = reason.unwrap_or_default();
                a.status = AmendmentStatus::Returned;
                a.reviewed_at = Some(now);
                a.reviewed_by = Some(actor.username.clone());
                a.return_reason = Some(reason.to_string());
                a.updated_at = now;
                tx = self.db().begin().await?;
                amendments::put(&tx, &a).await?;
                view = self
                    .save_product(
                        &tx,
                        actor,
                        ctx,
                        Some(&before),
                        &before,
                        version,
                        "product.amendment.return",
                        (VersionEvent::AmendmentReturned, Some(reason)),
                    )
                    .await?;
                notice = Some((
                    Kind::ProductReturned,
                    format!("“{}”的变更被退回", before.name),
                    format!(
                        "退回理由：{reason}。原备案继续有效；可修改变更后重新提交，或放弃变更。"
                    ),
                ));
            }
            Step::Approve => {
                let (checked, new) = self
                    .check_product(&e, &proposal.input(&e.credit_code))
                    .await?;
                let mut after = Product {
                    id: before.id,
                    status: ProductStatus::Approved,
                    registration_number: before.registration_number.clone(),
                    registered_on: before.registered_on,
                    withdrawn_on: before.withdrawn_on,
                    created_at: before.created_at,
                    submitted_at: a.submitted_at,
                    reviewed_at: Some(now),
                    reviewed_by: Some(actor.username.clone()),
                    return_reason: None,
                    ..checked
                };
                tx = self.db().begin().await?;
                self.add_new_patents(&tx, &mut after, new).await?;
                amendments::delete(&tx, before.id).await?;
                view = self
                    .save_product(
                        &tx,
                        actor,
                        ctx,
                        Some(&before),
                        &after,
                        version,
                        "product.amendment.approve",
                        (VersionEvent::AmendmentApproved, None),
                    )
                    .await?;
                notice = Some((
                    Kind::ProductApproved,
                    format!("“{}”的变更已通过", view.product.name),
                    format!(
                        "备案编号 {} 不变，备案信息已更新为变更后的内容。",
                        view.product.registration_number.as_deref().unwrap_or("")
                    ),
                ));
            }
            _ => return Err(refused(AmendmentStatus::after(None, step).unwrap_err())),
        }
        if let Some((kind, title, body)) = notice {
            let p = &view.product;
            notify(
                &tx,
                &Notice {
                    enterprise_id: p.enterprise_id,
                    kind,
                    title: &title,
                    body: &body,
                    link: &format!("/products/{}", p.id),
                    key: &format!("product:{}:v{}", p.id, p.version),
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(view)
    }

    /// Discards the amendment of an approved product (the enterprise); the registered version
    /// is untouched.
    pub async fn discard_amendment(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        id: i64,
        version: i64,
    ) -> ServiceResult<ProductView> {
        let before = self.load(actor, id, Action::RegisterProducts).await?;
        AmendmentStatus::after(before.amendment.as_ref().map(|a| a.status), Step::Discard)
            .map_err(refused)?;
        let tx = self.db().begin().await?;
        amendments::delete(&tx, before.id).await?;
        let view = self
            .save_product(
                &tx,
                actor,
                ctx,
                Some(&before),
                &before,
                version,
                "product.amendment.discard",
                (VersionEvent::AmendmentDiscarded, None),
            )
            .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// What an amendment changes, field by field, against the registered version.
    pub fn amendment_diff(&self, view: &ProductView) -> Vec<crate::products::Change> {
        let Some(a) = &view.product.amendment else {
            return Vec::new();
        };
        let Ok(p) = Proposal::parse(&a.content) else {
            return Vec::new();
        };
        crate::products::diff_snapshots(&view.snapshot(), &p.snapshot(view))
    }
}
