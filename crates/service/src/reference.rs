//! Reading the reference data: regions and industries. Public knowledge, open to everyone.

use crate::{ServiceError, ServiceResult};
use zhichan_domain::{IndustryCode, RegionCode, Violation};
use zhichan_store::industries::{self, Industry};
use zhichan_store::regions::{self, Region};
use zhichan_store::Db;

pub struct Reference<'a> {
    pub(crate) db: &'a Db,
}

impl Reference<'_> {
    /// A region and its ancestors from the nation down (the region itself last).
    pub async fn region_path(&self, code: RegionCode) -> ServiceResult<Vec<Region>> {
        let path = regions::path(self.db, code).await?;
        if path.is_empty() {
            return Err(ServiceError::NotFound);
        }
        Ok(path)
    }

    /// The regions directly below `code` (404 if `code` itself is unknown).
    pub async fn region_children(&self, code: RegionCode) -> ServiceResult<Vec<Region>> {
        if regions::get(self.db, code).await?.is_none() {
            return Err(ServiceError::NotFound);
        }
        Ok(regions::children(self.db, code).await?)
    }

    pub async fn search_regions(&self, fragment: &str, limit: i64) -> ServiceResult<Vec<Region>> {
        Ok(regions::search(self.db, fragment, limit).await?)
    }

    /// Whether a code names a region the current edition lists: what every form that takes a
    /// region checks.
    pub async fn region_exists(&self, code: RegionCode) -> ServiceResult<bool> {
        Ok(regions::get(self.db, code).await?.is_some_and(|r| r.active))
    }

    /// Where an enterprise may be placed: a current region with no current region below it
    /// (a county, or a city without counties such as 东莞). `Ok(None)` when it is one; else the
    /// violation to report on the field: `invalid_region` for an unknown code,
    /// `region_not_county` for a province or a city that has counties.
    pub async fn enterprise_region(&self, code: RegionCode) -> ServiceResult<Option<Violation>> {
        let Some(region) = regions::get(self.db, code).await?.filter(|r| r.active) else {
            return Ok(Some(Violation::new(
                "invalid_region",
                format!("行政区划代码“{code}”不在现行 GB/T 2260 中"),
                format!("{code} is not a current GB/T 2260 region"),
            )));
        };
        if code != RegionCode::NATION && regions::children(self.db, code).await?.is_empty() {
            return Ok(None);
        }
        Ok(Some(not_county(code, &region.name)))
    }

    pub async fn industry(&self, code: &IndustryCode) -> ServiceResult<Industry> {
        industries::get(self.db, code)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Names of industry codes, for a page of rows (unknown codes are left out).
    pub async fn industry_names(
        &self,
        codes: &[&str],
    ) -> ServiceResult<std::collections::HashMap<String, String>> {
        let mut uniq: Vec<&str> = codes.to_vec();
        uniq.sort_unstable();
        uniq.dedup();
        Ok(industries::by_codes(self.db, &uniq)
            .await?
            .into_iter()
            .map(|i| (i.code.to_string(), i.name))
            .collect())
    }

    /// The sections (no parent) or the codes directly below `parent`.
    pub async fn industry_children(
        &self,
        parent: Option<&IndustryCode>,
    ) -> ServiceResult<Vec<Industry>> {
        if let Some(p) = parent {
            self.industry(p).await?;
        }
        Ok(industries::children(self.db, parent).await?)
    }
}

impl Reference<'_> {
    /// The reference datasets loaded, with their versions (for the about page).
    pub async fn datasets(&self) -> ServiceResult<Vec<zhichan_store::reference::Dataset>> {
        Ok(zhichan_store::reference::datasets(self.db).await?)
    }
}

/// The violation for a region that has regions below it, where an enterprise's county-level
/// region is wanted.
pub fn not_county(code: RegionCode, name: &str) -> Violation {
    Violation::new(
        "region_not_county",
        format!("“{name}”（{code}）下辖区县，企业所在地请选择到区县一级"),
        format!("{code} has regions below it; an enterprise's region is a county-level one"),
    )
}
