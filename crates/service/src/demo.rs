//! `serve --demo`: fills an empty database with a small, realistic data set and says what it
//! made. It grows with the platform: each business area adds its part here when its tables
//! exist.

use crate::ServiceResult;
use std::fmt;
use zhichan_store::{regions, Db};

/// What the demo preparation found or made, printed for the person who started the server.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub regions: i64,
    pub industries: i64,
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "演示数据已就绪：")?;
        writeln!(
            f,
            "  参考数据：行政区划 {} 个，国民经济行业分类 {} 个",
            self.regions, self.industries
        )?;
        write!(
            f,
            "  尚无演示账号：账号、企业与产品的演示数据随相应功能一同提供"
        )
    }
}

/// Prepares the demo data set. Safe to run on every start: it only adds what is missing.
pub async fn prepare(db: &Db) -> ServiceResult<DemoReport> {
    let regions: i64 = regions::count_by_level(db)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    let industries = zhichan_store::reference::datasets(db)
        .await?
        .iter()
        .find(|d| d.name == "industries")
        .map_or(0, |d| d.rows);
    Ok(DemoReport {
        regions,
        industries,
    })
}
