//! A product as the API answers it, fields of the day included (review deadline, overdue
//! working days, annual update state): built here, so that the HTTP layer only serialises it.

use crate::annual::{Cycle, ReviewTerms, UpdateState};
use crate::products::{ProductAnswer, ProductView};
use crate::{ServiceResult, Services};
use zhichan_api::products::AnnualUpdateState;
use zhichan_api::products::Product as ApiProduct;
use zhichan_domain::access::Actor;
use zhichan_domain::calendar::Deadline;
use zhichan_domain::enterprises::format_date;
use zhichan_domain::registration::{ProductStatus, UpdateStatus};
use zhichan_domain::Timestamp;
use zhichan_store::annual_updates::AnnualUpdate;

/// What the product bodies of one answer are judged against: the review deadline terms, the
/// annual update cycle and the cycle's updates of these products (fetched once per answer).
pub struct Context {
    terms: ReviewTerms,
    cycle: Cycle,
    updates: Vec<AnnualUpdate>,
}

/// What is waiting for review, and since when: the registration while submitted, else its
/// amendment while submitted (an amendment is due in working days like a first registration).
fn waiting_since(
    status: ProductStatus,
    submitted_at: Option<Timestamp>,
    amendment_submitted_at: Option<Timestamp>,
) -> Option<Timestamp> {
    match status {
        ProductStatus::Submitted => submitted_at,
        ProductStatus::Approved => amendment_submitted_at,
        _ => None,
    }
}

fn update_code(u: UpdateState) -> Option<AnnualUpdateState> {
    use UpdateStatus as U;
    Some(match u {
        UpdateState::NotApplicable => return None,
        UpdateState::NotYetDue => AnnualUpdateState::NotYetDue,
        UpdateState::Due { .. } => AnnualUpdateState::Due,
        UpdateState::Filed(U::Submitted) => AnnualUpdateState::Submitted,
        UpdateState::Filed(U::Returned) => AnnualUpdateState::Returned,
        UpdateState::Filed(U::Approved) | UpdateState::Done => AnnualUpdateState::Done,
        UpdateState::NotUpdated { .. } => AnnualUpdateState::NotUpdated,
    })
}

impl Context {
    /// The update cycle the answer is judged in.
    pub fn cycle(&self) -> &Cycle {
        &self.cycle
    }

    pub fn update_state(&self, v: &ProductView) -> UpdateState {
        self.cycle.state(&v.product, &self.updates)
    }

    /// The review deadline of what waits for review: the registration or its amendment.
    pub fn deadline(&self, v: &ProductView) -> Option<Deadline> {
        let p = &v.product;
        let amended = p
            .amendment
            .as_ref()
            .filter(|a| a.status == zhichan_domain::registration::AmendmentStatus::Submitted)
            .and_then(|a| a.submitted_at);
        waiting_since(p.status, p.submitted_at, amended).map(|t| self.terms.deadline(t))
    }

    /// A product's body in this answer.
    pub fn body(&self, v: &ProductView) -> ApiProduct {
        let mut b = v.body();
        if let Some(d) = self.deadline(v) {
            b.review_due = Some(format_date(d.due));
            b.overdue_working_days = Some(d.overdue_by);
        }
        b.annual_update = update_code(self.update_state(v));
        b
    }
}

impl Services {
    async fn context_with(
        &self,
        cycle: Cycle,
        updates: Vec<AnnualUpdate>,
    ) -> ServiceResult<Context> {
        Ok(Context {
            terms: self.review_terms().await?,
            cycle,
            updates,
        })
    }

    /// The context of an answer about these products.
    pub async fn product_context(&self, views: &[ProductView]) -> ServiceResult<Context> {
        let cycle = self.cycle().await?;
        let ids: Vec<i64> = views.iter().map(|v| v.product.id).collect();
        let updates = self.cycle_updates(&cycle, &ids).await?;
        self.context_with(cycle, updates).await
    }

    /// One product for its page, inside the caller's scope, with the context of the day.
    pub async fn product_in_context(
        &self,
        actor: &Actor,
        id: i64,
    ) -> ServiceResult<(ProductView, Context)> {
        let cycle = self.cycle().await?;
        let (view, updates) = self.product_page(actor, &cycle, id).await?;
        Ok((view, self.context_with(cycle, updates).await?))
    }

    /// The bodies of products as one answer gives them.
    pub async fn product_bodies(&self, views: &[ProductView]) -> ServiceResult<Vec<ApiProduct>> {
        let cx = self.product_context(views).await?;
        Ok(views.iter().map(|v| cx.body(v)).collect())
    }

    /// The body of one product as an answer gives it.
    pub async fn product_body(&self, view: &ProductView) -> ServiceResult<ApiProduct> {
        let mut list = self.product_bodies(std::slice::from_ref(view)).await?;
        Ok(list.pop().expect("one body per product"))
    }

    /// One product's answer as JSON, inside the caller's scope: its stored document finished
    /// with the fields of the day (one row read by its key), or, before its document is
    /// written, put together from its tables — the same JSON either way.
    pub async fn product_json(&self, actor: &Actor, id: i64) -> ServiceResult<Vec<u8>> {
        let cycle = self.cycle().await?;
        let (head, document, update) = match self.product_answer(actor, &cycle, id).await? {
            ProductAnswer::Document {
                head,
                document,
                update,
            } => (head, document, update),
            ProductAnswer::View(v, updates) => {
                let cx = self.context_with(cycle, updates).await?;
                return Ok(serde_json::to_vec(&cx.body(&v)).expect("a product serialises"));
            }
        };
        let terms = self.review_terms().await?;
        let mut out = Vec::with_capacity(document.len() + 96);
        finish(&terms, &cycle, &head, &document, update, &mut out);
        Ok(out)
    }

    /// A page of the products the caller may see that match `filter`, as the JSON items of the
    /// list answer (each exactly as [`Services::product_json`] gives it), and how many match
    /// (counted up to `LIST_TOTAL_CAP`), and the cursor of the next page (see
    /// [`Services::product_list_answers`]).
    pub async fn product_list_json(
        &self,
        actor: &Actor,
        filter: &zhichan_store::products::Filter,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(
        Vec<u8>,
        zhichan_store::products::Total,
        Option<zhichan_store::products::Cursor>,
    )> {
        let cycle = self.cycle().await?;
        let (answers, total, next) = self
            .product_list_answers(actor, &cycle, filter, limit, offset)
            .await?;
        let terms = self.review_terms().await?;
        let mut out = Vec::with_capacity(answers.len() * 2048 + 16);
        out.push(b'[');
        for (i, answer) in answers.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match answer {
                ProductAnswer::Document {
                    head,
                    document,
                    update,
                } => finish(&terms, &cycle, &head, &document, update, &mut out),
                ProductAnswer::View(v, updates) => {
                    let cx = self.context_with(cycle.clone(), updates).await?;
                    serde_json::to_writer(&mut out, &cx.body(&v)).expect("a product serialises");
                }
            }
        }
        out.push(b']');
        Ok((out, total, next))
    }
}

/// A stored document finished with the fields of the day: the same JSON as the body built
/// from the tables.
fn finish(
    terms: &ReviewTerms,
    cycle: &Cycle,
    head: &zhichan_store::products::Head,
    document: &str,
    update: Option<UpdateStatus>,
    out: &mut Vec<u8>,
) {
    let due = waiting_since(head.status, head.submitted_at, head.amendment_submitted_at)
        .map(|t| terms.deadline(t));
    let annual = update_code(cycle.state_with(head.registered_on, head.withdrawn_on, update));
    ApiProduct::finish_document(
        document,
        due.map(|d| format_date(d.due)).as_deref(),
        due.map(|d| d.overdue_by),
        annual.map(AnnualUpdateState::as_str),
        out,
    );
}
