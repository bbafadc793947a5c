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
        username: "zhuanjia1",
        role: "expert",
        region: None,
        what: "陈静（评审专家，江西示例大学，熟悉计算机、通信和其他电子设备制造业）",
    },
    DemoLogin {
        firm: None,
        username: "zhuanjia2",
        role: "expert",
        region: None,
        what: "刘洋（评审专家，江西示例机械研究院，熟悉通用设备制造业）",
    },
    DemoLogin {
        firm: None,
        username: "zhuanjia3",
        role: "expert",
        region: None,
        what: "周敏（评审专家，北京示例知识产权研究院，熟悉医药制造业）",
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

/// The demo experts' units and fields (专家的工作单位与熟悉领域): login, the first 17 characters
/// of the unit's credit code, the unit's name, the fields (GB/T 4754 codes). Enough experts, in
/// units other than the demo enterprises, for the starter method's three per product; each
/// knows division 39 so that every demo candidate of that field can be scored by all three.
pub const DEMO_EXPERTS: &[(&str, &str, &str, &[&str])] = &[
    (
        "zhuanjia1",
        "12360000MB0123456",
        "江西示例大学",
        &["39", "38"],
    ),
    (
        "zhuanjia2",
        "12360000MB0234561",
        "江西示例机械研究院",
        &["34", "39"],
    ),
    (
        "zhuanjia3",
        "12110000MB0345672",
        "北京示例知识产权研究院",
        &["27", "39"],
    ),
];

/// A demo product registered in the previous year: the firm's index, name, model, field, the
/// sales (yuan) of the year before it and of its own year, its patents (first 12 digits; the
/// fifth digit 1 is an invention patent, 2 a utility model).
type LastYearProduct = (
    usize,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

/// Registered in March of the previous year and updated (its figures for that year approved)
/// in February of this one, so that a batch of the previous year has candidates and every
/// field a population. Under the starter method, 电力数据采集模块 and 植物源杀虫剂 pass the
/// computed patent evaluation (at least the median valid patents and patents per 100 million
/// yuan of manufacturing, C, which stands in for the divisions with fewer than 5 products, and
/// 30 % invention patents); the others do not.
const LAST_YEAR_PRODUCTS: &[LastYearProduct] = &[
    (
        0,
        "电力数据采集模块",
        "DC-40",
        "39",
        "5200000.00",
        "6000000.00",
        &[
            "201910567810",
            "202010678920",
            "202110789030",
            "202120890140",
        ],
    ),
    (
        0,
        "智能电能表",
        "EM-3",
        "39",
        "18000000.00",
        "20000000.00",
        &["202120901250"],
    ),
    (
        1,
        "植物源杀虫剂",
        "LY-P2",
        "27",
        "8100000.00",
        "9000000.00",
        &["201910112360", "202020223470"],
    ),
    (
        2,
        "行星减速机",
        "JG-P90",
        "34",
        "11000000.00",
        "12000000.00",
        &["201910334580", "202120445690"],
    ),
    (
        2,
        "数控分度头",
        "JG-F16",
        "34",
        "3600000.00",
        "4000000.00",
        &["202020556700"],
    ),
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

/// A demo firm's own valid patents (the first its core one), each numbered from its first 12
/// digits, titled and granted as `title_and_grant(k)` says.
fn own_patents(
    first12s: &[&str],
    patentee: &str,
    title_and_grant: impl Fn(usize) -> (String, String),
) -> Vec<crate::products::LinkInput> {
    first12s
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let (title, grant) = title_and_grant(k);
            crate::products::LinkInput {
                patent: crate::patents::PatentInput {
                    number: patent_number(p),
                    title,
                    patentees: vec![patentee.to_string()],
                    grant_date: Some(grant),
                    legal_status: "valid".into(),
                    right: "own".into(),
                    licence_record: String::new(),
                },
                core: k == 0,
                embodiment: "核心部件".into(),
            }
        })
        .collect()
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
        use crate::products::{FiguresInput, ProductInput};
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
                    patents: own_patents(patents, name, |k| {
                        (
                            format!("一种{pname}的结构（{}）", k + 1),
                            "2022-06-01".into(),
                        )
                    }),
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

    /// The previous year's registrations and their annual updates, entered by the demo logins
    /// with the clock set back (the injected clock: 2 March of the previous year for the
    /// registrations, 10 February of this year, or today if earlier, for the updates), so that
    /// the registration statistics, the rollups and the products' histories hold the dates a
    /// real round would have. Then the demo experts' units and fields, kept by `xitong`.
    ///
    /// `serve --demo` runs it once, on the database whose demo logins it has just made (the
    /// stories that count the demo's products and accounts use [`Services::prepare_demo`]
    /// alone). Answers how many products were updated for the previous year.
    pub async fn prepare_demo_round(&self) -> ServiceResult<usize> {
        let mut logins = Vec::new();
        for l in DEMO_LOGINS {
            if let Some(u) = users::by_username(self.db(), l.username).await? {
                logins.push(u);
            }
        }
        // Once: the previous year's products are there already.
        if zhichan_store::experts::of_users(
            self.db(),
            &logins.iter().map(|u| u.id).collect::<Vec<_>>(),
        )
        .await?
        .iter()
        .any(|p| p.unit_name == DEMO_EXPERTS[0].2)
        {
            return Ok(0);
        }
        self.demo_last_year(&logins).await
    }

    async fn demo_last_year(&self, logins: &[zhichan_store::users::User]) -> ServiceResult<usize> {
        use crate::accounts::actor_of;
        use crate::annual::UpdateInput;
        use crate::clock::ManualClock;
        use crate::experts::ProfileInput;
        use crate::products::{FiguresInput, ProductInput};
        use zhichan_domain::Timestamp;
        let by_name = |n: &str| logins.iter().find(|u| u.username == n).map(actor_of);
        let ctx = crate::Ctx::cli();
        if let Some(admin) = by_name("xitong") {
            for (login, unit17, unit, fields) in DEMO_EXPERTS {
                let Some(u) = logins.iter().find(|u| u.username == *login) else {
                    continue;
                };
                self.set_expert_profile(
                    &admin,
                    &ctx,
                    u.id,
                    ProfileInput {
                        unit_credit_code: credit_code(unit17),
                        unit_name: unit.to_string(),
                        fields: fields.iter().map(|f| f.to_string()).collect(),
                    },
                    0,
                )
                .await?;
            }
        }
        let Some(reviewer) = by_name("shenhe") else {
            return Ok(0);
        };
        let today = self.now().beijing_date();
        let year = today.year() - 1;
        let at = |date: String| {
            Timestamp::parse(&format!("{date}T02:00:00.000Z")).expect("a demo timestamp")
        };
        let clock = std::sync::Arc::new(ManualClock::at(at(format!("{year}-03-02"))));
        let then = Services::with_clock(self.db().clone(), clock.clone());
        let mut made = Vec::new();
        for (firm, pname, model, field, prior, sales, patents) in LAST_YEAR_PRODUCTS {
            let (login, name, first17, _, _) = DEMO_FIRMS[*firm];
            let Some(owner) = by_name(login) else {
                continue;
            };
            let input = ProductInput {
                enterprise: credit_code(first17),
                name: pname.to_string(),
                model: model.to_string(),
                field: field.to_string(),
                description: format!("{pname}（演示数据，上一年度备案）"),
                first_sold_on: Some(format!("{}-03-01", year - 2)),
                figures: vec![FiguresInput {
                    year: i64::from(year - 1),
                    sales_revenue: prior.to_string(),
                    output_value: prior.to_string(),
                    ..FiguresInput::default()
                }],
                patents: own_patents(patents, name, |k| {
                    (
                        format!("一种{pname}的实现方法（{}）", k + 1),
                        format!("{}-09-15", &patents[k][..4]),
                    )
                }),
            };
            let v = then.create_product(&owner, &ctx, input).await?;
            let v = then
                .submit_product(&owner, &ctx, v.product.id, v.product.version)
                .await?;
            let v = then
                .review_product(&reviewer, &ctx, v.product.id, v.product.version, true, None)
                .await?;
            made.push((owner, v.product.id, *sales));
            clock.advance(time::Duration::minutes(10));
        }
        // The update of the year in this year's window (by default the first quarter): on 10
        // February, or today when that is still ahead (before the window opens there is none).
        let feb = time::Date::from_calendar_date(today.year(), time::Month::February, 10)
            .expect("a date");
        let update_day = feb.min(today);
        let update_clock = std::sync::Arc::new(ManualClock::at(at(
            zhichan_domain::enterprises::format_date(update_day),
        )));
        let then = Services::with_clock(self.db().clone(), update_clock);
        if then.cycle().await?.open.is_none() {
            tracing::info!("demo: this year's update window has not opened; no updates filed");
            return Ok(0);
        }
        let mut updated = 0;
        for (owner, id, sales) in &made {
            let u = then
                .file_annual_update(
                    owner,
                    &ctx,
                    *id,
                    UpdateInput {
                        year: i64::from(year),
                        sales_revenue: sales.to_string(),
                        output_value: sales.to_string(),
                        export_value: Some("0".into()),
                        profit: Some("0".into()),
                        ip_investment: Some("100000.00".into()),
                        still_sold: true,
                    },
                )
                .await?;
            then.review_annual_update(&reviewer, &ctx, u.id, u.version, true, None)
                .await?;
            updated += 1;
        }
        Ok(updated)
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
