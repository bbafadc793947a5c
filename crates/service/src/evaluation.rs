//! Year-end evaluation (年度评价) of each region's registration work: for every sub-region of
//! the caller's region, the share of directory enterprises covered, the products registered in
//! the year (relative to the best sibling), the share of due annual updates approved and the
//! share of reviews that did not return the registration, combined with the weights in force
//! (versioned data) into a score and a ranking. Each sub-region's products identified in the year
//! are counted beside it.

use crate::{ServiceResult, Services};
use zhichan_domain::access::Actor;
use zhichan_domain::enterprises::format_date;
use zhichan_domain::RegionCode;
use zhichan_store::{directories, evaluation, regions};

#[derive(Clone, Debug, PartialEq)]
pub struct RegionScore {
    pub region: RegionCode,
    pub name: String,
    pub listed: i64,
    pub covered: i64,
    pub products: i64,
    pub updates_due: i64,
    pub updates_done: i64,
    pub decisions: i64,
    pub returns: i64,
    /// Products identified (认定) in batches announced in the year (from the identified
    /// rollup); shown beside the score, not part of it (the weights are data).
    pub identified: i64,
    pub score: f64,
    pub rank: usize,
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl RegionScore {
    pub fn coverage(&self) -> Option<f64> {
        share(self.covered, self.listed)
    }
    pub fn update_rate(&self) -> Option<f64> {
        share(self.updates_done, self.updates_due)
    }
    pub fn return_rate(&self) -> Option<f64> {
        share(self.returns, self.decisions)
    }
}

impl Services {
    /// The evaluation of every sub-region of `region` (default: the caller's) for `year`, best
    /// first, with the weights' version.
    pub async fn evaluation(
        &self,
        actor: &Actor,
        region: Option<&str>,
        year: i32,
    ) -> ServiceResult<(RegionCode, i64, Vec<RegionScore>)> {
        let (region, _) = self.stats_summary(actor, region).await?;
        let weights = self.evaluation_weights().await?;
        let rules = self.registration_rules().await?.rules;
        let window = rules.window_in(year);
        let db = self.db();
        let mut rows = Vec::new();
        for child in regions::children(db, region).await? {
            let code = child.code;
            let (mut listed, mut covered) = (0, 0);
            for d in directories::within(db, code).await? {
                let cov = directories::coverage(db, d.id).await?;
                listed += cov.len() as i64;
                covered += cov.iter().filter(|r| r.covered_on.is_some()).count() as i64;
            }
            let products = evaluation::registered_in_year(db, code, year).await?;
            let (updates_due, updates_done) = match window {
                Some(w) => {
                    evaluation::updates(
                        db,
                        code,
                        w.year,
                        &format_date(w.opens),
                        &format_date(w.closes),
                    )
                    .await?
                }
                None => (0, 0),
            };
            let (decisions, returns) = evaluation::decisions(db, code, year).await?;
            let identified = zhichan_store::identified_stats::total(db, code, Some(year)).await?;
            rows.push(RegionScore {
                region: code,
                name: child.name,
                listed,
                covered,
                products,
                updates_due,
                updates_done,
                decisions,
                returns,
                identified,
                score: 0.0,
                rank: 0,
            });
        }
        let best = rows.iter().map(|r| r.products).max().unwrap_or(0);
        for r in &mut rows {
            r.score = weights.rules.score(
                r.coverage(),
                share(r.products, best),
                r.update_rate(),
                r.return_rate().map(|x| 1.0 - x),
            );
        }
        rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.region.cmp(&b.region)));
        for (i, r) in rows.iter_mut().enumerate() {
            r.rank = i + 1;
        }
        Ok((region, weights.version, rows))
    }
}
