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

/// A row of a comparison of two versions of a product as a page shows it: the field and the
/// platform's words (a status, yes or no, added) in the reader's language, data as recorded, an
/// industry by its name.
pub struct ChangeRow {
    pub what: String,
    pub before: String,
    pub after: String,
}

/// The changes between two versions of a product as rows of a page.
pub async fn change_rows(
    names: &mut Names<'_>,
    changes: Vec<zhichan_service::products::Change>,
) -> AppResult<Vec<ChangeRow>> {
    let mut rows = Vec::with_capacity(changes.len());
    for c in changes {
        let field = c.what == "所属领域";
        let mut shown = Vec::with_capacity(2);
        for v in [c.before, c.after] {
            shown.push(if v.word {
                crate::locale::t(&v.text)
            } else if field && !v.is_empty() {
                let name = names.industry(&v.text).await?;
                crate::locale::with_code(name, &v.text)
            } else {
                v.text
            });
        }
        let after = shown.pop().unwrap_or_default();
        let before = shown.pop().unwrap_or_default();
        rows.push(ChangeRow {
            what: crate::locale::t(&c.what),
            before,
            after,
        });
    }
    Ok(rows)
}

/// What happened at a version of a product, in the reader's language: the event by its name,
/// with the reason given as it was typed or the year updated. A version saved before events
/// were recorded shows its note as it was written.
pub fn version_note(v: &zhichan_store::products::Version) -> String {
    use zhichan_domain::registration::VersionEvent;
    let Some(event) = v.event.as_deref().and_then(|e| VersionEvent::parse(e).ok()) else {
        return v.note.clone();
    };
    let name = crate::locale::t(event.label_zh());
    match (event, v.detail.as_deref()) {
        // "{0} 年度信息更新通过", a year filled in.
        (VersionEvent::AnnualUpdateApproved, Some(year)) => {
            crate::locale::t(&event.note_zh(Some(year)))
        }
        (_, Some(d)) if !d.is_empty() => format!("{name}{}{d}", crate::locale::punctuation().colon),
        _ => name,
    }
}

/// A text of the rules officials may change, as a page shows it: the platform's own words, as
/// it ships them until an official replaces them (the starter identification method's name,
/// source, score items and examples; the default registration rules' sources and return
/// reasons; the starting evaluation weights' source; the built-in calendar's holidays and the
/// notices that set them), in the reader's language; an official's own words as typed.
pub fn shipped_words(text: &str) -> String {
    use std::collections::HashSet;
    use std::sync::OnceLock;
    static SHIPPED: OnceLock<HashSet<String>> = OnceLock::new();
    let shipped = SHIPPED.get_or_init(|| {
        let m = zhichan_domain::identification::starter_method();
        let mut words = vec![m.name, m.source.document, m.source.clause];
        words.extend(m.industry.items.into_iter().map(|i| i.name));
        words.extend(m.examples.into_iter().map(|e| e.name));
        let r = zhichan_domain::rules::RegistrationRules::default();
        words.extend([r.review_source, r.update_source]);
        words.extend(r.return_reasons);
        words.push(zhichan_domain::rules::STARTING_WEIGHTS_SOURCE.to_string());
        for d in zhichan_service::rules::default_calendar() {
            words.extend([d.name, d.source]);
        }
        words.into_iter().collect()
    });
    if shipped.contains(text) {
        crate::locale::t(text)
    } else {
        text.to_string()
    }
}
