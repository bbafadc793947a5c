//! Names for the codes a page shows: a region by its full name (江西省抚州市临川区), an
//! industry by its GB/T 4754 name, in 繁體 on a 繁體 page. One lookup per code per page.

use crate::error::AppResult;
use crate::AppState;
use std::collections::HashMap;
use zhichan_domain::{RegionCode, RegionLevel};

pub struct Names<'a> {
    state: &'a AppState,
    regions: HashMap<RegionCode, String>,
    industries: HashMap<String, String>,
    enterprises: HashMap<String, String>,
}

impl<'a> Names<'a> {
    pub fn new(state: &'a AppState) -> Self {
        Names {
            state,
            regions: HashMap::new(),
            industries: HashMap::new(),
            enterprises: HashMap::new(),
        }
    }

    /// A region's full name from its province down (the nation is 全国); an unknown code as it is.
    pub async fn region(&mut self, code: RegionCode) -> AppResult<String> {
        if let Some(n) = self.regions.get(&code) {
            return Ok(n.clone());
        }
        let path = match self.state.services.reference().region_path(code).await {
            Ok(p) => p,
            Err(zhichan_service::ServiceError::NotFound) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let below: String = path
            .iter()
            .filter(|r| r.level != RegionLevel::Nation)
            .map(|r| r.name.as_str())
            .collect();
        let name = crate::locale::reference_name(match (below.is_empty(), path.first()) {
            (false, _) => below,
            (true, Some(nation)) => nation.name.clone(),
            (true, None) => code.to_string(),
        });
        self.regions.insert(code, name.clone());
        Ok(name)
    }

    /// A region given as text (a stored column); text that is no region code stays as it is.
    pub async fn region_text(&mut self, code: &str) -> AppResult<String> {
        match RegionCode::parse(code) {
            Ok(c) => self.region(c).await,
            Err(_) => Ok(code.to_string()),
        }
    }

    /// An enterprise's name by its credit code, as the caller may read it (the code itself
    /// when the enterprise is outside the caller's reach).
    pub async fn enterprise(
        &mut self,
        actor: &zhichan_domain::access::Actor,
        credit_code: &str,
    ) -> AppResult<String> {
        if let Some(n) = self.enterprises.get(credit_code) {
            return Ok(n.clone());
        }
        let name = match self.state.services.enterprise(actor, credit_code).await {
            Ok(e) => e.name,
            Err(
                zhichan_service::ServiceError::NotFound
                | zhichan_service::ServiceError::Forbidden
                | zhichan_service::ServiceError::PortClosed,
            ) => credit_code.to_string(),
            Err(e) => return Err(e.into()),
        };
        self.enterprises
            .insert(credit_code.to_string(), name.clone());
        Ok(name)
    }

    /// An industry's name (its code when the classification does not list it).
    pub async fn industry(&mut self, code: &str) -> AppResult<String> {
        if let Some(n) = self.industries.get(code) {
            return Ok(n.clone());
        }
        let names = self
            .state
            .services
            .reference()
            .industry_names(&[code])
            .await?;
        let name = crate::locale::reference_name(
            names.get(code).cloned().unwrap_or_else(|| code.to_string()),
        );
        self.industries.insert(code.to_string(), name.clone());
        Ok(name)
    }
}

/// Names the industry codes of a version diff's 所属领域 row (通用设备制造业（34）).
pub async fn name_fields(
    names: &mut Names<'_>,
    changes: &mut [zhichan_service::products::Change],
) -> AppResult<()> {
    for c in changes.iter_mut().filter(|c| c.what == "所属领域") {
        for v in [&mut c.before, &mut c.after] {
            if !v.is_empty() {
                *v = format!("{}（{}）", names.industry(v).await?, v);
            }
        }
    }
    Ok(())
}
