//! Reference data: GB/T 2260 regions and GB/T 4754-2017 industries.

use serde::Serialize;
use utoipa::ToSchema;
use zhichan_domain::{IndustryLevel as DomainIndustryLevel, RegionLevel as DomainRegionLevel};

edge_enum!(
    /// A region's level in the GB/T 2260 tree.
    RegionLevel, "level", mirrors DomainRegionLevel, {
        Nation = "nation", Province = "province", City = "city", County = "county",
    }
);

edge_enum!(
    /// A GB/T 4754-2017 level: 门类, 大类, 中类 or 小类.
    IndustryLevel, "level", mirrors DomainIndustryLevel, {
        Section = "section", Division = "division", Group = "group", Class = "class",
    }
);

/// A region of the GB/T 2260 tree (the nation is `100000`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Region {
    #[schema(example = "361000")]
    pub code: String,
    #[schema(example = "抚州市")]
    pub name: String,
    pub level: RegionLevel,
    #[schema(example = "360000")]
    pub parent: Option<String>,
    /// False when the current edition no longer lists the code.
    pub active: bool,
    /// The names from the province down (a search's answers carry it, to tell namesakes apart).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "江西省抚州市")]
    pub full_name: Option<String>,
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
    pub level: IndustryLevel,
    #[schema(example = "C")]
    pub parent: Option<String>,
    /// The section letter.
    #[schema(example = "C")]
    pub section: String,
}
