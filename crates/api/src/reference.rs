//! Reference data: GB/T 2260 regions and GB/T 4754-2017 industries.

use serde::Serialize;
use utoipa::ToSchema;

/// A region of the GB/T 2260 tree (the nation is `100000`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Region {
    #[schema(example = "361000")]
    pub code: String,
    #[schema(example = "抚州市")]
    pub name: String,
    /// `nation`, `province`, `city` or `county`.
    #[schema(example = "city")]
    pub level: String,
    #[schema(example = "360000")]
    pub parent: Option<String>,
    /// False when the current edition no longer lists the code.
    pub active: bool,
}

/// A region with its ancestors, from the nation down to its parent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionDetail {
    #[serde(flatten)]
    pub region: Region,
    pub ancestors: Vec<Region>,
}

/// A GB/T 4754-2017 industry code at any of its four levels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Industry {
    #[schema(example = "39")]
    pub code: String,
    #[schema(example = "计算机、通信和其他电子设备制造业")]
    pub name: String,
    /// `section` (门类), `division` (大类), `group` (中类) or `class` (小类).
    #[schema(example = "division")]
    pub level: String,
    #[schema(example = "C")]
    pub parent: Option<String>,
    /// The section letter.
    #[schema(example = "C")]
    pub section: String,
}
