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
    /// For an enterprise login, the index of its firm in the demo's enterprises.
    pub firm: Option<usize>,
    pub username: &'static str,
    pub role: &'static str,
    pub region: Option<&'static str>,
    pub what: &'static str,
}

pub const DEMO_LOGINS: &[DemoLogin] = &[
    DemoLogin {
        firm: Some(0),
        username: "qiye",
        role: "enterprise",
        region: None,
        what: "企业用户（抚州市临川区）",
    },
    DemoLogin {
        firm: Some(1),
        username: "dongxiang",
        role: "enterprise",
        region: None,
        what: "企业用户（抚州市东乡区）",
    },
    DemoLogin {
        firm: Some(2),
        username: "nancheng",
        role: "enterprise",
        region: None,
        what: "企业用户（南城县）",
    },
    DemoLogin {
        firm: None,
        username: "shenhe",
        role: "reviewer",
        region: Some("100000"),
        what: "平台审核员",
    },
    DemoLogin {
        firm: None,
        username: "fuzhou",
        role: "admin",
        region: Some("361000"),
        what: "抚州市知识产权管理部门",
    },
    DemoLogin {
        firm: None,
        username: "linchuan",
        role: "admin",
        region: Some("361002"),
        what: "临川区知识产权管理部门",
    },
    DemoLogin {
        firm: None,
        username: "jiangxi",
        role: "admin",
        region: Some("360000"),
        what: "江西省知识产权管理部门（首次登录绑定动态验证码）",
    },
    DemoLogin {
        firm: None,
        username: "guojia",
        role: "admin",
        region: Some("100000"),
        what: "全国管理员（维护认定评价方法、业务规则；首次登录绑定动态验证码）",
    },
    DemoLogin {
        firm: None,
        username: "xitong",
        role: "sysadmin",
        region: None,
        what: "系统管理员（首次登录绑定动态验证码）",
    },
    DemoLogin {
        firm: None,
        username: "anquan",
        role: "secadmin",
        region: None,
        what: "安全管理员（首次登录绑定动态验证码）",
    },
    DemoLogin {
        firm: None,
        username: "shenji",
        role: "auditor",
        region: None,
        what: "安全审计员（首次登录绑定动态验证码）",
    },
];

/// A valid 统一社会信用代码 registered in 抚州市临川区 (361002), for the demo enterprise.
pub fn demo_credit_code() -> String {
    credit_code(DEMO_FIRMS[0].2)
}

/// The credit code of demo firm `i` (the index `DemoLogin::firm` names).
pub fn demo_firm_credit_code(i: usize) -> String {
    credit_code(DEMO_FIRMS[i].2)
}

fn credit_code(first17: &str) -> String {
    format!(
        "{first17}{}",
        check_char(first17).expect("17 valid characters")
    )
}

fn patent_number(first12: &str) -> String {
    format!(
        "ZL{first12}.{}",
        zhichan_domain::patent_number::check_char12(first12).expect("12 digits")
    )
}

/// A demo product: name, model, field, yearly sales in yuan, its patents (first 12 digits),
/// and whether the reviewer approves it.
type DemoProduct = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
);

/// The demo enterprises: login, name, first 17 characters of the credit code, industry, products.
const DEMO_FIRMS: &[(&str, &str, &str, &str, &[DemoProduct])] = &[
    (
        "qiye",
        "抚州市临川区示例科技有限公司",
        "91361002MA35F6XK0",
        "C39",
        &[
            (
                "智能数据采集终端",
                "ZC-100",
                "39",
                "12345678.90",
                &["202010123450", "202120654320"],
                true,
            ),
            (
                "工业网关",
                "GW-8",
                "39",
                "3560000.00",
                &["202110234560"],
                false,
            ),
        ],
    ),
    (
        "dongxiang",
        "抚州市东乡区绿源生物科技有限公司",
        "91361003MA38K2LP7",
        "C27",
        &[(
            "植物提取物制剂",
            "LY-A1",
            "27",
            "8800000.00",
            &["201810345670"],
            true,
        )],
    ),
    (
        "nancheng",
        "南城县精工机械制造有限公司",
        "91361021MA39T4QW1",
        "C34",
        &[(
            "精密减速器",
            "JG-R40",
            "34",
            "5120000.00",
            &["201910456780"],
            true,
        )],
    ),
];

/// What the demo preparation found or made, printed for the person who started the server.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub regions: i64,
    pub industries: i64,
    pub created_logins: bool,
    pub enterprises: usize,
    pub products: usize,
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
        if self.enterprises > 0 {
            writeln!(
                f,
                "  演示企业 {} 家（抚州市），备案产品 {} 项（含已备案与待审核）",
                self.enterprises, self.products
            )?;
        }
        write!(f, "  请用浏览器打开下方地址登录")
    }
}

impl Services {
    /// Profiles, patents and products for the demo enterprises, each entered by its own demo
    /// login; the reviewer `shenhe` approves some registrations.
    async fn demo_business(
        &self,
        logins: &[zhichan_store::users::User],
    ) -> ServiceResult<(usize, usize)> {
        use crate::accounts::actor_of;
        use crate::enterprises::EnterpriseInput;
        use crate::patents::PatentInput;
        use crate::products::{FiguresInput, LinkInput, ProductInput};
        let by_name = |n: &str| logins.iter().find(|u| u.username == n).map(actor_of);
        let Some(reviewer) = by_name("shenhe") else {
            return Ok((0, 0));
        };
        let ctx = crate::Ctx::cli();
        let mut products = 0;
        for (i, (login, name, first17, industry, items)) in DEMO_FIRMS.iter().enumerate() {
            let Some(owner) = by_name(login) else {
                continue;
            };
            let code = credit_code(first17);
            let enterprise = EnterpriseInput {
                credit_code: code.clone(),
                name: name.to_string(),
                address: format!("{name}厂区 {} 号", i + 1),
                scale: ["small", "medium", "micro"][i % 3].into(),
                ownership: "private".into(),
                industry: industry.to_string(),
                contact_name: ["王芳", "李明", "张伟"][i % 3].into(),
                contact_phone: format!("0794-88{:05}", 12345 + i),
                ..EnterpriseInput::default()
            };
            self.create_enterprise(&owner, &ctx, enterprise).await?;
            for (pname, model, field, sales, patents, approve) in items.iter() {
                let input = ProductInput {
                    enterprise: code.clone(),
                    name: pname.to_string(),
                    model: model.to_string(),
                    field: field.to_string(),
                    description: format!("{pname}（演示数据）"),
                    first_sold_on: Some("2023-04-01".into()),
                    figures: vec![FiguresInput {
                        year: 2025,
                        sales_revenue: sales.to_string(),
                        output_value: sales.to_string(),
                        ..FiguresInput::default()
                    }],
                    patents: patents
                        .iter()
                        .enumerate()
                        .map(|(k, p)| LinkInput {
                            patent: PatentInput {
                                number: patent_number(p),
                                title: format!("一种{pname}的结构（{}）", k + 1),
                                patentees: vec![name.to_string()],
                                grant_date: Some("2022-06-01".into()),
                                legal_status: "valid".into(),
                                right: "own".into(),
                                licence_record: String::new(),
                            },
                            core: k == 0,
                            embodiment: "核心部件".into(),
                        })
                        .collect(),
                };
                let v = self.create_product(&owner, &ctx, input).await?;
                let v = self
                    .submit_product(&owner, &ctx, v.product.id, v.product.version)
                    .await?;
                if *approve {
                    self.review_product(
                        &reviewer,
                        &ctx,
                        v.product.id,
                        v.product.version,
                        true,
                        None,
                    )
                    .await?;
                }
                products += 1;
            }
        }
        Ok((DEMO_FIRMS.len(), products))
    }

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
        let mut business = (0, 0);
        if existing == 0 {
            let mut created = Vec::new();
            for l in DEMO_LOGINS {
                let user = self
                    .create_user_by_operator(NewAccount {
                        username: l.username.into(),
                        display_name: l.what.split('（').next().unwrap_or(l.what).to_string(),
                        role: l.role.into(),
                        region: l.region.map(Into::into),
                        enterprise: l.firm.map(|i| credit_code(DEMO_FIRMS[i].2)),
                        password: Some(DEMO_PASSWORD.into()),
                        ..NewAccount::default()
                    })
                    .await?;
                created.push(user);
                // The demo's offices have their management ports open already.
                if l.role == "admin" {
                    if let Some(code) = l
                        .region
                        .and_then(|r| zhichan_domain::RegionCode::parse(r).ok())
                    {
                        self.open_port_by_operator(
                            code,
                            l.what.split('（').next().unwrap_or(l.what),
                        )
                        .await?;
                    }
                }
            }
            business = self.demo_business(&created).await?;
        }
        // The starter identification method (示例方法，非国家标准), once.
        self.load_starter_method(&crate::Ctx::cli()).await?;
        Ok(DemoReport {
            regions,
            industries,
            created_logins: existing == 0,
            enterprises: business.0,
            products: business.1,
        })
    }
}
