//! Products and their registration (专利产品备案).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One year's figures. Money is a string with two decimals, in yuan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Figures {
    #[schema(example = 2025)]
    pub year: i64,
    #[schema(example = "12345678.90")]
    pub sales_revenue: String,
    #[schema(example = "13000000.00")]
    pub output_value: String,
}

/// A patent of the product. On input, a number already in the enterprise's list needs only
/// `number`, `core` and `embodiment`; a new one brings its details too.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProductPatent {
    #[schema(example = "ZL201910725275.4")]
    pub number: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub patentees: Vec<String>,
    #[serde(default)]
    pub grant_date: Option<String>,
    /// `valid`, `lapsed` or `transferred`.
    #[serde(default)]
    pub legal_status: String,
    /// `own`, `exclusive`, `sole` or `ordinary`.
    #[serde(default)]
    pub right: String,
    #[serde(default)]
    pub licence_record: String,
    /// Whether it is a core patent of the product.
    #[serde(default)]
    pub core: bool,
    /// How the patent is embodied in the product.
    #[serde(default)]
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
    pub first_sold_on: Option<String>,
    pub figures: Vec<Figures>,
    pub patents: Vec<ProductPatent>,
    /// `draft`, `submitted`, `returned`, `approved` or `withdrawn`.
    pub status: String,
    #[schema(example = "BA2026361002000001")]
    pub registration_number: Option<String>,
    pub submitted_at: Option<String>,
    pub reviewed_at: Option<String>,
    pub return_reason: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

/// `POST /api/v1/products`
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewProduct {
    pub enterprise: String,
    pub name: String,
    #[serde(default)]
    pub model: String,
    pub field: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub first_sold_on: Option<String>,
    #[serde(default)]
    pub figures: Vec<Figures>,
    #[serde(default)]
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
    pub field: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
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
    /// `approve` or `return`.
    pub decision: String,
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
    pub status: String,
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
