//! Products and their registration (专利产品备案).

use crate::edge::{format, nullable};
use crate::enterprises::{LegalStatus, PatentRight};
use crate::Decision;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhichan_domain::registration::{
    ProductStatus as DomainProductStatus, UpdateStatus as DomainUpdateStatus,
};

edge_enum!(
    /// Where a product's registration stands.
    ProductStatus, "status", mirrors DomainProductStatus, {
        Draft = "draft",
        Submitted = "submitted",
        Returned = "returned",
        Approved = "approved",
        Withdrawn = "withdrawn",
        Revoked = "revoked",
    }
);

edge_enum!(
    /// Where the change (变更) of an approved product stands.
    AmendmentStatus, "status", {
        Draft = "draft", Submitted = "submitted", Returned = "returned",
    }
);

edge_enum!(
    /// Where an annual update (信息更新) stands.
    UpdateStatus, "status", mirrors DomainUpdateStatus, {
        Submitted = "submitted", Returned = "returned", Approved = "approved",
    }
);

edge_enum!(
    /// A registered product's place in the annual update cycle.
    AnnualUpdateState, "annual_update", {
        NotYetDue = "not_yet_due",
        Due = "due",
        Submitted = "submitted",
        Returned = "returned",
        Done = "done",
        NotUpdated = "not_updated",
    }
);

/// One year's figures. Money is a string with two decimals, in yuan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Figures {
    #[schema(example = 2025, minimum = 1990)]
    pub year: i64,
    #[schema(value_type = format::Amount)]
    pub sales_revenue: String,
    #[schema(value_type = format::Amount)]
    pub output_value: String,
    /// Filed with the annual update (optional at registration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<format::Amount>)]
    pub export_value: Option<String>,
    /// May be negative (a loss).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<format::Money>)]
    pub profit: Option<String>,
    /// 知识产权投入.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<format::Amount>)]
    pub ip_investment: Option<String>,
}

/// A patent of the product. On input, a number already in the enterprise's list needs only
/// `number`, `core` and `embodiment`; a new one brings its details too.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProductPatent {
    #[schema(example = "ZL201910725275.4")]
    pub number: String,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub title: String,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub patentees: Vec<String>,
    #[serde(default)]
    #[schema(format = Date)]
    pub grant_date: Option<String>,
    /// On input, needed only for a patent new to the enterprise's list; always in answers.
    #[serde(default)]
    pub legal_status: Option<LegalStatus>,
    /// On input, needed only for a patent new to the enterprise's list; always in answers.
    #[serde(default)]
    pub right: Option<PatentRight>,
    /// 许可备案号, for licences.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub licence_record: String,
    /// Whether it is a core patent of the product.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub core: bool,
    /// How the patent is embodied in the product.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub embodiment: String,
}

/// A product as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Product {
    pub id: i64,
    /// The enterprise's credit code.
    pub enterprise: String,
    pub name: String,
    pub model: String,
    /// GB/T 4754-2017 code of the product's field.
    pub field: String,
    pub description: String,
    #[schema(format = Date)]
    pub first_sold_on: Option<String>,
    pub figures: Vec<Figures>,
    pub patents: Vec<ProductPatent>,
    /// `withdrawn` is by the enterprise, `revoked` by a reviewer.
    pub status: ProductStatus,
    #[schema(example = "BA2026361002000001")]
    pub registration_number: Option<String>,
    pub submitted_at: Option<String>,
    pub reviewed_at: Option<String>,
    pub return_reason: Option<String>,
    /// The registration stands from this date (first approval) …
    pub registered_on: Option<String>,
    /// … until this one (withdrawal); the record stays.
    pub withdrawn_on: Option<String>,
    /// Some linked patent has lapsed or been transferred away.
    pub lapsed_patent: bool,
    /// Every linked patent has: the registration should be withdrawn.
    pub withdraw_prompt: bool,
    /// The change (变更) of an approved product in progress, `null` when there is none. The
    /// product above stays the registered version until the change is approved.
    pub amendment: Option<Amendment>,
    /// The version to send with every change, submission or decision — also those on the
    /// amendment (each change to the amendment is a new version of the product).
    pub version: i64,
    pub updated_at: String,
    // What follows depends on the day the product is asked about, not on the product alone;
    // it comes last so that a stored document can be finished with it (see `document`).
    /// While submitted: the review deadline (working days on the calendar in force).
    pub review_due: Option<String>,
    /// Working days past `review_due` (0 when not overdue).
    pub overdue_working_days: Option<u32>,
    /// The annual update state (null when not registered).
    pub annual_update: Option<AnnualUpdateState>,
}

/// The change (变更) in progress of an approved product: the proposed content, which becomes
/// the registered version when a reviewer approves it (`PATCH` edits it, `submit` submits it,
/// `review` decides it, `DELETE …/amendment` discards it).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Amendment {
    pub status: AmendmentStatus,
    /// The product's version (the same as the product's).
    pub version: i64,
    pub name: String,
    pub model: String,
    pub field: String,
    pub description: String,
    pub first_sold_on: Option<String>,
    pub figures: Vec<Figures>,
    pub patents: Vec<ProductPatent>,
    pub submitted_at: Option<String>,
    pub reviewed_at: Option<String>,
    /// Why a reviewer returned it.
    pub return_reason: Option<String>,
}

/// `POST /api/v1/products/{id}/revoke`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Revoke {
    pub version: i64,
    /// Why the registration is revoked (e.g. false information found).
    pub reason: String,
}

/// `DELETE /api/v1/products/{id}/amendment`: the product's version.
#[derive(Debug, Clone, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Discard {
    pub version: i64,
}

/// The end of a [`Product`]'s JSON when the fields that depend on the day are empty.
const EMPTY_CONTEXT: &str =
    r#","review_due":null,"overdue_working_days":null,"annual_update":null}"#;

impl Product {
    /// The product's JSON without the fields that depend on the day and without its closing
    /// brace: what is stored with the product and finished by [`Product::finish_document`]
    /// when it is asked for. `None` if those fields are not empty.
    pub fn document(&self) -> Option<String> {
        if self.review_due.is_some()
            || self.overdue_working_days.is_some()
            || self.annual_update.is_some()
        {
            return None;
        }
        let mut text = serde_json::to_string(self).ok()?;
        if !text.ends_with(EMPTY_CONTEXT) {
            return None;
        }
        text.truncate(text.len() - EMPTY_CONTEXT.len());
        Some(text)
    }

    /// A stored document finished with the fields of the day: the same JSON as the product
    /// with those fields would be.
    pub fn finish_document(
        document: &str,
        review_due: Option<&str>,
        overdue_working_days: Option<u32>,
        annual_update: Option<&str>,
        out: &mut Vec<u8>,
    ) {
        out.extend_from_slice(document.as_bytes());
        // Writing into a Vec cannot fail.
        out.extend_from_slice(br#","review_due":"#);
        let _ = serde_json::to_writer(&mut *out, &review_due);
        out.extend_from_slice(br#","overdue_working_days":"#);
        let _ = serde_json::to_writer(&mut *out, &overdue_working_days);
        out.extend_from_slice(br#","annual_update":"#);
        let _ = serde_json::to_writer(&mut *out, &annual_update);
        out.push(b'}');
    }
}

/// `GET /api/v1/products`: one page of products, newest change first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductPage {
    pub items: Vec<Product>,
    /// How many products match in all pages, counted up to 1,000: past that it is 1,000 and
    /// `total_capped` is true (page on with `page` until a page comes back short).
    pub total: i64,
    /// Whether `total` stopped at the cap of 1,000 instead of counting every match.
    pub total_capped: bool,
    /// Where the next page starts: pass it back as `cursor` to read the page after this one
    /// without the database counting the pages before (keyset paging). Given when this page
    /// is full and the list is ordered by change (the default) or by name; `null` otherwise
    /// (the last page, the review queues, the order by submission: page on with `page`).
    pub next_cursor: Option<String>,
    /// 1-based page number.
    pub page: u32,
    pub per_page: u32,
}

/// `POST /api/v1/products`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewProduct {
    /// The enterprise's credit code.
    #[schema(value_type = format::CreditCode)]
    pub enterprise: String,
    pub name: String,
    /// 型号规格.
    pub model: String,
    /// GB/T 4754-2017 code at any level.
    #[schema(value_type = format::IndustryCode)]
    pub field: String,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub description: String,
    #[serde(default)]
    #[schema(format = Date)]
    pub first_sold_on: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub figures: Vec<Figures>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub patents: Vec<ProductPatent>,
}

/// `PATCH /api/v1/products/{id}`: the fields to change and the version they are based on.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ProductPatch {
    pub version: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<format::IndustryCode>)]
    pub field: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    #[schema(format = Date)]
    pub first_sold_on: Option<String>,
    #[serde(default)]
    pub figures: Option<Vec<Figures>>,
    #[serde(default)]
    pub patents: Option<Vec<ProductPatent>>,
}

/// `POST /api/v1/products/{id}/submit`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Submit {
    pub version: i64,
}

/// `POST /api/v1/products/{id}/review`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Review {
    pub decision: Decision,
    /// Required when returning.
    #[serde(default)]
    pub reason: Option<String>,
    /// The version reviewed.
    pub version: i64,
}

/// One version of a product.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductVersion {
    pub version: i64,
    pub status: ProductStatus,
    pub changed_by: String,
    pub changed_at: String,
    pub note: String,
    #[schema(value_type = Object)]
    pub product: serde_json::Value,
}

/// `POST /api/v1/products/{id}/withdraw`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Withdraw {
    pub version: i64,
    /// Why: the product left the market, its patents lapsed or were transferred, …
    pub reason: String,
}

/// One item of a bulk review.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct BulkItem {
    pub id: i64,
    /// The version reviewed.
    pub version: i64,
}

/// `POST /api/v1/products/review`: one decision for many products (at most 100).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct BulkReview {
    pub items: Vec<BulkItem>,
    pub decision: Decision,
    #[serde(default)]
    pub reason: Option<String>,
}

/// What happened to one item of a bulk review.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkOutcome {
    pub id: i64,
    pub ok: bool,
    /// The product after the decision, when it succeeded.
    pub product: Option<Product>,
    /// Why it did not, as in a single request's problem document.
    pub problem: Option<crate::Problem>,
}

/// `POST /api/v1/products/{id}/annual-updates`: last year's figures, filed in the window.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewAnnualUpdate {
    #[schema(example = 2026)]
    pub year: i64,
    #[schema(value_type = format::Amount)]
    pub sales_revenue: String,
    #[schema(value_type = format::Amount)]
    pub output_value: String,
    #[serde(default)]
    #[schema(value_type = Option<format::Amount>)]
    pub export_value: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<format::Money>)]
    pub profit: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<format::Amount>)]
    pub ip_investment: Option<String>,
    /// The product is still made and sold (default true; false is refused: withdraw instead).
    #[serde(default = "yes", deserialize_with = "nullable_yes")]
    #[schema(nullable)]
    pub still_sold: bool,
}

fn yes() -> bool {
    true
}

/// `still_sold: null` is the default, true.
fn nullable_yes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or(true))
}

/// An annual update as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnualUpdate {
    pub id: i64,
    pub product: i64,
    pub year: i64,
    pub sales_revenue: String,
    pub output_value: String,
    pub export_value: String,
    pub profit: String,
    pub ip_investment: String,
    pub status: UpdateStatus,
    pub submitted_by: String,
    pub submitted_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub return_reason: Option<String>,
    pub version: i64,
}

/// `POST /api/v1/products/import` (multipart): `enterprise` (credit code) and `file` (xlsx).
#[derive(Debug, Clone, ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    #[schema(value_type = format::CreditCode)]
    pub enterprise: String,
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// The products an import registered (as drafts), all of them in one transaction.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Imported {
    pub created: usize,
    pub ids: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product() -> Product {
        Product {
            id: 7,
            enterprise: "91360100MA35K0XQ1B".into(),
            name: "高效\"节能\"电机".into(),
            model: "M-1".into(),
            field: "C3811".into(),
            description: "换行\n与引号".into(),
            first_sold_on: Some("2024-01-02".into()),
            figures: vec![Figures {
                year: 2025,
                sales_revenue: "1.00".into(),
                output_value: "2.00".into(),
                export_value: None,
                profit: Some("-3.50".into()),
                ip_investment: None,
            }],
            patents: Vec::new(),
            status: ProductStatus::Submitted,
            registration_number: None,
            submitted_at: Some("2026-11-30T08:00:00.000Z".into()),
            reviewed_at: None,
            return_reason: None,
            registered_on: None,
            withdrawn_on: None,
            lapsed_patent: false,
            withdraw_prompt: false,
            amendment: None,
            version: 3,
            updated_at: "2026-11-30T08:00:00.000Z".into(),
            review_due: None,
            overdue_working_days: None,
            annual_update: None,
        }
    }

    #[test]
    fn a_stored_document_finished_with_the_day_is_the_products_own_json() {
        let bare = product();
        let document = bare.document().expect("no fields of the day");
        for (due, overdue, update) in [
            (None, None, None),
            (Some("2026-12-14"), Some(0), None),
            (Some("2026-12-01"), Some(2), Some("not_updated")),
            (None, None, Some("due")),
        ] {
            let mut out = Vec::new();
            Product::finish_document(&document, due, overdue, update, &mut out);
            let whole = Product {
                review_due: due.map(Into::into),
                overdue_working_days: overdue,
                annual_update: update.and_then(AnnualUpdateState::parse),
                ..bare.clone()
            };
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&whole).unwrap()
            );
            assert_eq!(
                whole.document().is_none(),
                due.is_some() || update.is_some()
            );
        }
    }
}
