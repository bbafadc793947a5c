//! Statistics for the IP offices: a region subtree's totals and its breakdowns by sub-region,
//! field, enterprise qualification and month, read from the rollups (never the product table).

use crate::{ServiceError, ServiceResult, Services};
use zhichan_domain::access::{authorize, Action, Actor, Placement, Scope};
use zhichan_domain::enterprises::QualificationKind;
use zhichan_domain::{RegionCode, Violation};
use zhichan_store::regions;
use zhichan_store::stats::{self, Row, Summary};

/// What a breakdown groups by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Region,
    Field,
    Qualification,
    Month,
}

impl By {
    pub fn parse(s: &str) -> Result<By, Violation> {
        match s.trim() {
            "region" => Ok(By::Region),
            "field" => Ok(By::Field),
            "qualification" => Ok(By::Qualification),
            "month" => Ok(By::Month),
            other => Err(Violation::new(
                "invalid_by",
                format!("“{other}”不是有效的分组，可选：region、field、qualification、month"),
                "one of region, field, qualification, month",
            )),
        }
    }
}

/// A breakdown row with the name of what it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub key: String,
    pub name: String,
    pub row: Row,
}

impl Services {
    /// The region a caller asks about, checked against its scope (outside it: 404); absent,
    /// the caller's own region.
    async fn stats_region(&self, actor: &Actor, region: Option<&str>) -> ServiceResult<RegionCode> {
        let scope = authorize(actor, Action::ReadStats)?;
        self.port_gate(actor).await?;
        let region = match region.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => RegionCode::parse(r).map_err(|v| ServiceError::invalid("region", v))?,
            None => match scope {
                Scope::Region(r) => r,
                _ => RegionCode::NATION,
            },
        };
        if region != RegionCode::NATION && regions::get(self.db(), region).await?.is_none() {
            return Err(ServiceError::invalid(
                "region",
                Violation::new("invalid_region", "没有这个行政区划代码", "unknown region"),
            ));
        }
        self.scoped(
            actor,
            Action::ReadStats,
            &Placement {
                region: Some(region),
                ..Placement::default()
            },
            &format!("stats:{region}"),
        )
        .await?;
        Ok(region)
    }

    /// The totals of a region subtree: enterprises with registered products, registered
    /// products, distinct linked patents, and the products' latest yearly sales revenue.
    pub async fn stats_summary(
        &self,
        actor: &Actor,
        region: Option<&str>,
    ) -> ServiceResult<(RegionCode, Summary)> {
        let region = self.stats_region(actor, region).await?;
        Ok((region, stats::summary(self.db(), region).await?))
    }

    /// One breakdown of a region subtree, each row named.
    pub async fn stats_breakdown(
        &self,
        actor: &Actor,
        region: Option<&str>,
        by: By,
    ) -> ServiceResult<(RegionCode, Vec<Named>)> {
        let region = self.stats_region(actor, region).await?;
        let rows = match by {
            By::Region => stats::by_region(self.db(), region).await?,
            By::Field => stats::by_field(self.db(), region).await?,
            By::Qualification => stats::by_qualification(self.db(), region).await?,
            By::Month => stats::by_month(self.db(), region).await?,
        };
        let mut names = std::collections::HashMap::new();
        match by {
            By::Region => {
                for r in regions::children(self.db(), region).await? {
                    names.insert(r.code.to_string(), r.name);
                }
                // Rollup rows keyed by a code the reference data nests differently.
                for row in &rows {
                    if !names.contains_key(&row.key) {
                        if let Ok(code) = RegionCode::parse(&row.key) {
                            if let Some(r) = regions::get(self.db(), code).await? {
                                names.insert(row.key.clone(), r.name);
                            }
                        }
                    }
                }
            }
            By::Field => {
                let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
                names = self.reference().industry_names(&keys).await?;
            }
            By::Qualification => {
                for row in &rows {
                    if let Ok(k) = QualificationKind::parse(&row.key) {
                        names.insert(row.key.clone(), k.label_zh().to_string());
                    }
                }
            }
            By::Month => {}
        }
        Ok((
            region,
            rows.into_iter()
                .map(|row| Named {
                    key: row.key.clone(),
                    name: names
                        .get(&row.key)
                        .cloned()
                        .unwrap_or_else(|| row.key.clone()),
                    row,
                })
                .collect(),
        ))
    }
}

/// A named count of identified products.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedCount {
    pub key: String,
    pub name: String,
    pub identified: i64,
}

/// Products identified (认定) in a region's subtree, from the identified rollup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentifiedStats {
    pub region: RegionCode,
    /// The year of announcement counted; `None`: every year.
    pub year: Option<i32>,
    pub identified: i64,
    /// By the next level down, most first (sub-regions with none left out).
    pub by_region: Vec<NamedCount>,
    /// By field (division), most first.
    pub by_field: Vec<NamedCount>,
}

impl Services {
    /// Identified products in a region subtree (the caller's by default), announced in `year` or
    /// in every year, by sub-region and by field: read from the identified rollup.
    pub async fn identified_stats(
        &self,
        actor: &Actor,
        region: Option<&str>,
        year: Option<i32>,
    ) -> ServiceResult<IdentifiedStats> {
        use zhichan_store::identified_stats as rollup;
        let region = self.stats_region(actor, region).await?;
        let db = self.db();
        let identified = rollup::total(db, region, year).await?;
        let mut by_region = Vec::new();
        for c in rollup::by_region(db, region, year).await? {
            let name = match RegionCode::parse(&c.key) {
                Ok(code) => regions::get(db, code).await?.map(|r| r.name),
                Err(_) => None,
            };
            by_region.push(NamedCount {
                name: name.unwrap_or_else(|| c.key.clone()),
                key: c.key,
                identified: c.n,
            });
        }
        let fields = rollup::by_field(db, region, year).await?;
        let keys: Vec<&str> = fields.iter().map(|c| c.key.as_str()).collect();
        let names = self.reference().industry_names(&keys).await?;
        let by_field = fields
            .iter()
            .map(|c| NamedCount {
                key: c.key.clone(),
                name: names.get(&c.key).cloned().unwrap_or_else(|| c.key.clone()),
                identified: c.n,
            })
            .collect();
        Ok(IdentifiedStats {
            region,
            year,
            identified,
            by_region,
            by_field,
        })
    }
}
