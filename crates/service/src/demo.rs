//! `serve --demo`: fills an empty database with a small, realistic data set and says what it
//! made. It grows with the platform: each business area adds its part here when its tables
//! exist.

use crate::accounts::NewAccount;
use crate::{ServiceResult, Services};
use std::fmt;
use zhichan_domain::credit_code::check_char;
use zhichan_store::{regions, users, Db};

/// The password of every demo account. It meets the password rules; the demo is for looking
/// around, never for production.
pub const DEMO_PASSWORD: &str = "Zhichan-Demo-2026";

/// A demo account: username, role, region, what it is for.
pub struct DemoLogin {
    pub username: &'static str,
    pub role: &'static str,
    pub region: Option<&'static str>,
    pub what: &'static str,
}

pub const DEMO_LOGINS: &[DemoLogin] = &[
    DemoLogin {
        username: "qiye",
        role: "enterprise",
        region: None,
        what: "企业用户（抚州市临川区）",
    },
    DemoLogin {
        username: "shenhe",
        role: "reviewer",
        region: Some("100000"),
        what: "平台审核员",
    },
    DemoLogin {
        username: "fuzhou",
        role: "admin",
        region: Some("361000"),
        what: "抚州市知识产权管理部门",
    },
    DemoLogin {
        username: "linchuan",
        role: "admin",
        region: Some("361002"),
        what: "临川区知识产权管理部门",
    },
    DemoLogin {
        username: "jiangxi",
        role: "admin",
        region: Some("360000"),
        what: "江西省知识产权管理部门（首次登录绑定动态验证码）",
    },
    DemoLogin {
        username: "xitong",
        role: "sysadmin",
        region: None,
        what: "系统管理员（首次登录绑定动态验证码）",
    },
    DemoLogin {
        username: "anquan",
        role: "secadmin",
        region: None,
        what: "安全管理员（首次登录绑定动态验证码）",
    },
    DemoLogin {
        username: "shenji",
        role: "auditor",
        region: None,
        what: "安全审计员（首次登录绑定动态验证码）",
    },
];

/// A valid 统一社会信用代码 registered in 抚州市临川区 (361002), for the demo enterprise.
pub fn demo_credit_code() -> String {
    let first17 = "91361002MA35F6XK0";
    format!(
        "{first17}{}",
        check_char(first17).expect("17 valid characters")
    )
}

/// What the demo preparation found or made, printed for the person who started the server.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub regions: i64,
    pub industries: i64,
    pub created_logins: bool,
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "演示数据已就绪：")?;
        writeln!(
            f,
            "  参考数据：行政区划 {} 个，国民经济行业分类 {} 个",
            self.regions, self.industries
        )?;
        if self.created_logins {
            writeln!(f, "  演示账号（密码均为 {DEMO_PASSWORD}）：")?;
        } else {
            writeln!(f, "  演示账号（已存在；初始密码 {DEMO_PASSWORD}）：")?;
        }
        for l in DEMO_LOGINS {
            writeln!(f, "    {:<10} {}", l.username, l.what)?;
        }
        write!(f, "  企业、产品等业务演示数据随相应功能一同提供")
    }
}

impl Services {
    /// Prepares the demo data set. Safe to run on every start: it adds only what is missing,
    /// and adds accounts only to a database that has none.
    pub async fn prepare_demo(&self) -> ServiceResult<DemoReport> {
        let db: &Db = self.db();
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
        let (_, existing) = users::list(db, None, None, 1, 0).await?;
        if existing == 0 {
            for l in DEMO_LOGINS {
                self.create_user_by_operator(NewAccount {
                    username: l.username.into(),
                    display_name: l.what.split('（').next().unwrap_or(l.what).to_string(),
                    role: l.role.into(),
                    region: l.region.map(Into::into),
                    enterprise: (l.role == "enterprise").then(demo_credit_code),
                    password: Some(DEMO_PASSWORD.into()),
                })
                .await?;
            }
        }
        Ok(DemoReport {
            regions,
            industries,
            created_logins: existing == 0,
        })
    }
}
