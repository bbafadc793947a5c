//! Identification batches (认定批次), as stories on both databases: the national administrator
//! opens a batch under a published method; enterprises opt their registered, updated products
//! in (each refusal with its code); reviewers of the products' regions run the formal check;
//! computing freezes the inputs and gives each field's benchmarks over every registered
//! product (checked here against an independent computation) and each candidate's patent
//! evaluation, explained in Chinese; changing a product afterwards changes nothing; another
//! method version is compared on the frozen inputs (what-if); outside one's scope is 404.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use support::{add_user, assert_problem, call, spawn_services, TestApp};
use zhichan_domain::access::Actor;
use zhichan_domain::Timestamp;
use zhichan_service::annual::UpdateInput;
use zhichan_service::clock::ManualClock;
use zhichan_service::enterprises::EnterpriseInput;
use zhichan_service::patents::PatentInput;
use zhichan_service::products::{FiguresInput, LinkInput, ProductInput};
use zhichan_service::{Ctx, Services};
use zhichan_store::{Exec, Sql};
use zhichan_testkit::{on_both_backends, Fresh};

/// Registered in 抚州市临川区 (361002).
const LINCHUAN: &str = "91361002MA35F6XK04";
/// Registered in 福州市 (350100).
const FUZHOU_FJ: &str = "91350100M000100Y43";
const BATCHES: &str = "/api/v1/identification/batches";

fn ctx() -> Ctx {
    Ctx {
        ip: "10.0.0.8".into(),
        user_agent: "test".into(),
    }
}

fn number(serial: u32) -> String {
    let first12 = format!("20212{serial:07}");
    format!(
        "ZL{first12}.{}",
        zhichan_domain::patent_number::check_char12(&first12).unwrap()
    )
}

/// An account created as `zhichan user add` does (today, by the real clock: its password is
/// not due for a change when the story's clock moves on), logged in on the story's services.
async fn actor(
    s: &Services,
    fresh: &Fresh,
    name: &str,
    role: &str,
    region: Option<&str>,
    firm: Option<&str>,
) -> Actor {
    add_user(fresh, name, role, region, firm).await;
    s.login(&ctx(), name, support::PASSWORD, None, None)
        .await
        .unwrap()
        .auth
        .actor
}

async fn enterprise(s: &Services, owner: &Actor, code: &str, name: &str, region: &str) {
    s.create_enterprise(
        owner,
        &ctx(),
        EnterpriseInput {
            credit_code: code.into(),
            name: name.into(),
            region: region.into(),
            scale: "small".into(),
            ownership: "private".into(),
            industry: "C39".into(),
            contact_name: "王芳".into(),
            contact_phone: "13900000000".into(),
            contact_email: "wangfang@example.cn".into(),
            ..EnterpriseInput::default()
        },
    )
    .await
    .unwrap();
}

/// A product of `firm` in `field` linked to patents `serials`, with 2025 sales (yuan):
/// created and submitted; approved by `reviewer` when given.
async fn product(
    s: &Services,
    firm: &Actor,
    reviewer: Option<&Actor>,
    name: &str,
    field: &str,
    serials: std::ops::RangeInclusive<u32>,
    sales_2025: &str,
) -> i64 {
    let input = ProductInput {
        enterprise: firm.enterprise.clone().unwrap(),
        name: name.into(),
        model: "M-1".into(),
        field: field.into(),
        description: "用于测试的产品".into(),
        first_sold_on: Some("2022-05-01".into()),
        figures: vec![FiguresInput {
            year: 2025,
            sales_revenue: sales_2025.into(),
            output_value: sales_2025.into(),
            ..FiguresInput::default()
        }],
        patents: serials
            .map(|n| LinkInput {
                patent: PatentInput {
                    number: number(n),
                    title: format!("一种装置（{n}）"),
                    patentees: vec!["专利权人".into()],
                    grant_date: Some("2021-03-02".into()),
                    legal_status: "valid".into(),
                    right: "own".into(),
                    licence_record: String::new(),
                },
                core: n % 2 == 1,
                embodiment: "核心部件".into(),
            })
            .collect(),
    };
    let v = s.create_product(firm, &ctx(), input).await.unwrap();
    let v = s
        .submit_product(firm, &ctx(), v.product.id, v.product.version)
        .await
        .unwrap();
    match reviewer {
        Some(r) => {
            s.review_product(r, &ctx(), v.product.id, v.product.version, true, None)
                .await
                .unwrap()
                .product
                .id
        }
        None => v.product.id,
    }
}

/// Files the 2026 update with these sales and has `reviewer` approve it.
async fn updated(s: &Services, firm: &Actor, reviewer: &Actor, id: i64, sales: &str) {
    let u = s
        .file_annual_update(
            firm,
            &ctx(),
            id,
            UpdateInput {
                year: 2026,
                sales_revenue: sales.into(),
                output_value: sales.into(),
                export_value: Some("0".into()),
                profit: Some("0".into()),
                ip_investment: Some("10000.00".into()),
                still_sold: true,
            },
        )
        .await
        .unwrap();
    s.review_annual_update(reviewer, &ctx(), u.id, u.version, true, None)
        .await
        .unwrap();
}

fn method_body() -> Value {
    json!({
        "name": "批次试行方法",
        "source": {"document": "本平台试行，非国家标准", "clause": "—"},
        "field_level": "division",
        "min_field_size": 3,
        "indicators": [
            {"measure": "valid_patents", "benchmark": {"quantile": "0.5"}, "direction": "at_least"},
            {"measure": "revenue_growth", "benchmark": {"value": "0"}, "direction": "at_least"}
        ],
        "combine": "all",
        "industry": {
            "items": [{"name": "技术先进性", "max_score": "100"}],
            "min_experts": 3, "aggregate": "mean", "pass_score": "60"
        },
        "final_rule": "both_pass",
        "examples": [{
            "name": "专利达到中位数且销售增长",
            "product": {"valid_patents": 3, "invention_patents": 1,
                        "sales_revenue": "1200000.00", "prior_sales_revenue": "1000000.00"},
            "field": [{"valid_patents": 3, "invention_patents": 1},
                      {"valid_patents": 5, "invention_patents": 2}],
            "passed": true
        }]
    })
}

/// The products of the story, by name.
struct World {
    app: TestApp,
    fresh_db: zhichan_store::Db,
    clock: Arc<ManualClock>,
    ids: BTreeMap<&'static str, i64>,
    nation: String,
    firm_a: String,
    firm_b: String,
    rev_a: String,
    rev_b: String,
    city: String,
    method: i64,
}

/// 2026: 临川 (A) registers A1–A7 in division 39, 福州 (B) registers B1 in 39 and B2 in 27;
/// A6 is never approved, A7 is withdrawn. February 2027: the 2026 updates of all but A5 (and
/// A6, A7) are approved. Valid patents on 31 December 2026: A1 1, A2 2, A3 3 (one of its
/// three lapsed only in 2027), A4 3 (one of four lapsed in May 2026), A5 1, B1 5, B2 1.
async fn world(fresh: &Fresh) -> World {
    let clock = Arc::new(ManualClock::at(
        Timestamp::parse("2026-03-02T01:00:00.000Z").unwrap(),
    ));
    let s = Services::with_clock(fresh.db.clone(), clock.clone());
    let a = actor(
        &s,
        fresh,
        "linchuan.tech",
        "enterprise",
        None,
        Some(LINCHUAN),
    )
    .await;
    let b = actor(&s, fresh, "fj.firm", "enterprise", None, Some(FUZHOU_FJ)).await;
    enterprise(&s, &a, LINCHUAN, "抚州市临川区示例科技有限公司", "361002").await;
    enterprise(&s, &b, FUZHOU_FJ, "福州示例电子有限公司", "350102").await;
    let rev_a = actor(&s, fresh, "rev.fuzhou", "reviewer", Some("361000"), None).await;
    let rev_b = actor(&s, fresh, "rev.fujian", "reviewer", Some("350000"), None).await;
    let mut ids = BTreeMap::new();
    let ra = Some(&rev_a);
    ids.insert(
        "A1",
        product(&s, &a, ra, "A1 采集终端", "39", 1..=1, "1000000.00").await,
    );
    ids.insert(
        "A2",
        product(&s, &a, ra, "A2 网关", "39", 2..=3, "1000000.00").await,
    );
    ids.insert(
        "A3",
        product(&s, &a, ra, "A3 控制器", "3911", 4..=6, "1000000.00").await,
    );
    ids.insert(
        "A4",
        product(&s, &a, ra, "A4 传感器", "39", 7..=10, "1000000.00").await,
    );
    ids.insert(
        "A5",
        product(&s, &a, ra, "A5 模块", "39", 11..=11, "1000000.00").await,
    );
    ids.insert(
        "A6",
        product(&s, &a, None, "A6 未审产品", "39", 12..=12, "1000000.00").await,
    );
    ids.insert(
        "A7",
        product(&s, &a, ra, "A7 撤回产品", "39", 13..=14, "1000000.00").await,
    );
    let rb = Some(&rev_b);
    ids.insert(
        "B1",
        product(&s, &b, rb, "B1 主板", "39", 21..=25, "1000000.00").await,
    );
    ids.insert(
        "B2",
        product(&s, &b, rb, "B2 制剂", "27", 26..=26, "1000000.00").await,
    );
    let a7 = s.product(&a, ids["A7"]).await.unwrap();
    s.withdraw_product(&a, &ctx(), ids["A7"], a7.product.version, "停产")
        .await
        .unwrap();
    // The patent register: one of A4's patents lapsed in May 2026, one of A3's in January 2027.
    for (serial, since) in [(7, "2026-05-01"), (4, "2027-01-15")] {
        fresh
            .db
            .execute(
                Sql::new(
                    "UPDATE patents SET legal_status = 'lapsed', status_since = $1 \
                     WHERE number = $2",
                )
                .bind(since)
                .bind(number(serial)),
            )
            .await
            .unwrap();
    }
    // 10 February 2027: the window for 2026's figures.
    clock.advance(time::Duration::days(345));
    for (p, sales) in [
        ("A1", "1200000.00"),
        ("A2", "900000.00"),
        ("A3", "1100000.00"),
        ("A4", "1500000.00"),
    ] {
        updated(&s, &a, &rev_a, ids[p], sales).await;
    }
    for (p, sales) in [("B1", "2000000.00"), ("B2", "1050000.00")] {
        updated(&s, &b, &rev_b, ids[p], sales).await;
    }
    add_user(fresh, "adm.fuzhou", "admin", Some("361000"), None).await;
    let app = spawn_services(s, zhichan_server::Settings::default()).await;
    add_user(fresh, "admin.nation", "admin", Some("100000"), None).await;
    support::enrolled(fresh, "admin.nation").await;
    let nation = app.long_token(fresh, "admin.nation").await;
    let (status, m) = call(
        &app,
        Method::POST,
        "/api/v1/identification/methods",
        &nation,
        Some(method_body()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    let method = m["current"]["id"].as_i64().unwrap();
    let (status, m) = call(
        &app,
        Method::POST,
        &format!("/api/v1/identification/methods/{method}/publish"),
        &nation,
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    // Every password was set "today" by the real clock; the story's clock reaches April 2027:
    // the passwords are taken as changed in March, not yet due for a change then.
    fresh
        .db
        .execute(Sql::new(
            "UPDATE users SET password_changed_at = '2027-03-15T00:00:00.000Z'",
        ))
        .await
        .unwrap();
    World {
        firm_a: app.long_token(fresh, "linchuan.tech").await,
        firm_b: app.long_token(fresh, "fj.firm").await,
        rev_a: app.long_token(fresh, "rev.fuzhou").await,
        rev_b: app.long_token(fresh, "rev.fujian").await,
        city: app.long_token(fresh, "adm.fuzhou").await,
        app,
        fresh_db: fresh.db.clone(),
        clock,
        ids,
        nation,
        method,
    }
}

impl World {
    async fn call(
        &self,
        m: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        call(&self.app, m, path, token, body).await
    }

    async fn opt_in(&self, token: &str, product: &str, batch: i64) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            &format!("/api/v1/products/{}/identification", self.ids[product]),
            token,
            Some(json!({"batch": batch})),
        )
        .await
    }

    async fn new_batch(&self) -> i64 {
        let (status, b) = self
            .call(
                Method::POST,
                BATCHES,
                &self.nation,
                Some(json!({"year": 2026, "method": self.method, "opt_in_until": "2027-03-31"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{b}");
        b["id"].as_i64().unwrap()
    }

    /// Every candidate opted in and checked: A1–A4, B1, B2; A4 returned.
    async fn checked_batch(&self) -> i64 {
        let batch = self.new_batch().await;
        for p in ["A1", "A2", "A3", "A4"] {
            let (status, c) = self.opt_in(&self.firm_a, p, batch).await;
            assert_eq!(status, StatusCode::CREATED, "{c}");
        }
        for p in ["B1", "B2"] {
            let (status, c) = self.opt_in(&self.firm_b, p, batch).await;
            assert_eq!(status, StatusCode::CREATED, "{c}");
        }
        for (token, approve, ret) in [
            (&self.rev_a, vec!["A1", "A2", "A3"], vec!["A4"]),
            (&self.rev_b, vec!["B1", "B2"], vec![]),
        ] {
            let (status, queue) = self
                .call(
                    Method::GET,
                    &format!("{BATCHES}/{batch}/candidates?check=pending"),
                    token,
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{queue}");
            let version_of = |p: &str| {
                queue["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["product"] == self.ids[p])
                    .map(|c| c["version"].clone())
                    .unwrap()
            };
            let items: Vec<Value> = approve
                .iter()
                .map(|p| json!({"product": self.ids[p], "version": version_of(p)}))
                .collect();
            let (status, out) = self
                .call(
                    Method::POST,
                    &format!("{BATCHES}/{batch}/check"),
                    token,
                    Some(json!({"decision": "approve", "items": items})),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{out}");
            assert!(
                out.as_array().unwrap().iter().all(|o| o["ok"] == true),
                "{out}"
            );
            for p in ret {
                let (_, out) = self
                    .call(
                        Method::POST,
                        &format!("{BATCHES}/{batch}/check"),
                        token,
                        Some(json!({"decision": "return", "reason": "证明材料与产品不符",
                                    "items": [{"product": self.ids[p], "version": version_of(p)}]})),
                    )
                    .await;
                assert_eq!(out[0]["candidate"]["check"], "returned", "{out}");
            }
        }
        batch
    }
}

/// The `q` quantile as PostgreSQL's percentile_cont, written again here over integers:
/// position q·(n−1), linear interpolation; as a string with four decimals.
fn independent_quantile(mut v: Vec<i64>, q: f64) -> String {
    v.sort();
    let pos = q * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    let x = v[lo] as f64 + (pos - lo as f64) * (v[hi] - v[lo]) as f64;
    format!("{x:.4}")
}

async fn a_batch_from_creation_to_computed_results(fresh: Fresh) {
    let w = world(&fresh).await;
    // Only the national administrator opens a batch; a published version is required.
    let (status, body) = w
        .call(
            Method::POST,
            BATCHES,
            &w.city,
            Some(json!({"year": 2026, "method": w.method, "opt_in_until": "2027-03-31"})),
        )
        .await;
    assert_problem(status, &body, 404);
    let (status, _) = w
        .call(
            Method::POST,
            BATCHES,
            &w.rev_a,
            Some(json!({"year": 2026, "method": w.method, "opt_in_until": "2027-03-31"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = w
        .call(
            Method::POST,
            BATCHES,
            &w.nation,
            Some(json!({"year": 2027, "method": w.method + 99, "opt_in_until": "2027-02-01"})),
        )
        .await;
    let mut errors = assert_problem(status, &body, 422);
    errors.sort();
    assert_eq!(
        errors,
        [
            ("method".to_string(), "method_not_published".to_string()),
            ("opt_in_until".to_string(), "invalid_date".to_string()),
            ("year".to_string(), "invalid_year".to_string()),
        ]
    );

    let batch = w.checked_batch().await;
    let (_, b) = w
        .call(Method::GET, &format!("{BATCHES}/{batch}"), &w.firm_a, None)
        .await;
    assert_eq!(b["status"], "open");
    assert_eq!(b["days_left"], 49, "10 February to 31 March");
    // Wednesday 10 February to Wednesday 31 March 2027 (no holiday listed for 2027): 2 days of
    // this week, six full weeks, and 3 days of the last.
    assert_eq!(b["working_days_left"], 35);
    assert_eq!(b["inputs_digest"], Value::Null);
    assert_eq!(b["method_name"], "批次试行方法");
    // Computing is refused while opt-in is open.
    let (status, body) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/compute"),
            &w.nation,
            None,
        )
        .await;
    assert_problem(status, &body, 409);

    // 1 April 2027: closed. The national administrator computes.
    w.clock.advance(time::Duration::days(50));
    let (status, b) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/compute"),
            &w.nation,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "computed");
    // The population: every product registered on 31 December 2026 — A1–A5, B1, B2 (A6 never
    // approved, A7 withdrawn), opted in or not.
    assert_eq!(b["inputs_count"], 7);
    let digest = b["inputs_digest"].as_str().unwrap().to_string();
    assert_eq!(digest.len(), 64);
    // The digest the computation took from the lines the database joined is the one the frozen
    // inputs give rendered one by one in Rust — absent figures too (A5 has no 2026 figures).
    let (count, own) = zhichan_service::batches::digest_inputs(&w.fresh_db, batch, 2026)
        .await
        .unwrap();
    assert_eq!((count, own.as_str()), (7, digest.as_str()));
    let frozen = zhichan_store::identification_batches::inputs_page(&w.fresh_db, batch, 0, 100)
        .await
        .unwrap();
    // Read in pages of 3 (3, 3, 1) or of 7 (one whole page, then none), the lines are those of
    // one page of them all.
    let whole =
        zhichan_store::identification_batches::canonical_inputs_page(&w.fresh_db, batch, 0, 100)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(whole.rows, 7);
    for size in [3, 7] {
        let (mut joined, mut after, mut pages) = (String::new(), 0, 0);
        while let Some(p) = zhichan_store::identification_batches::canonical_inputs_page(
            &w.fresh_db,
            batch,
            after,
            size,
        )
        .await
        .unwrap()
        {
            after = p.last;
            joined.push_str(&p.lines);
            pages += 1;
        }
        assert_eq!(
            (joined.as_str(), pages),
            (whole.lines.as_str(), 7usize.div_ceil(size as usize))
        );
    }
    let a5 = frozen.iter().find(|i| i.product_id == w.ids["A5"]).unwrap();
    assert_eq!((a5.sales_revenue, a5.export_value), (None, None));

    // Benchmarks, checked against an independent computation over the same products.
    let (_, bench) = w
        .call(
            Method::GET,
            &format!("{BATCHES}/{batch}/benchmarks"),
            &w.firm_b,
            None,
        )
        .await;
    let of = |field: &str| {
        bench["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["field"] == field && b["measure"] == "valid_patents")
            .cloned()
            .unwrap_or(Value::Null)
    };
    let division_39 = vec![1, 2, 3, 3, 1, 5];
    assert_eq!(
        of("39")["value"],
        independent_quantile(division_39.clone(), 0.5)
    );
    assert_eq!(of("39")["value"], "2.5000");
    assert_eq!(of("39")["population"], 6);
    let mut section_c = division_39.clone();
    section_c.push(1);
    assert_eq!(of("C")["value"], independent_quantile(section_c, 0.5));
    assert_eq!(of("27")["population"], 1);
    // On PostgreSQL, its own percentile_cont over the frozen inputs agrees.
    if w.fresh_db.backend() == zhichan_store::Backend::Postgres {
        let pg: String = w
            .fresh_db
            .fetch_one(
                Sql::new(
                    "SELECT to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY valid_patents), \
                     'FM999990.0000') FROM identification_inputs WHERE batch_id = $1 \
                     AND industry NOT LIKE '27%'",
                )
                .bind(batch),
            )
            .await
            .unwrap();
        assert_eq!(of("39")["value"], pg);
    }

    // Results: every candidate not returned, with values, benchmarks and reasons in Chinese.
    let (_, all) = w
        .call(
            Method::GET,
            &format!("{BATCHES}/{batch}/results"),
            &w.nation,
            None,
        )
        .await;
    let items = all["items"].as_array().unwrap();
    let by = |p: &str| {
        items
            .iter()
            .find(|i| i["product"] == w.ids[p])
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(items.len(), 5, "A4 was returned in the formal check: {all}");
    assert_eq!(by("A4"), Value::Null);
    let passed: Vec<bool> = ["A1", "A2", "A3", "B1", "B2"]
        .iter()
        .map(|p| by(p)["passed"].as_bool().unwrap())
        .collect();
    assert_eq!(passed, [false, false, true, true, false]);
    let a1 = by("A1");
    assert_eq!(a1["field"], "39");
    assert_eq!(
        a1["indicators"][0],
        json!({"measure": "valid_patents", "value": "1.0000", "benchmark": "2.5000", "passed": false})
    );
    assert_eq!(a1["indicators"][1]["value"], "20.0000");
    assert_eq!(
        a1["outcome"],
        Value::Null,
        "experts and review are later stages"
    );
    let reasons = a1["reasons"].to_string();
    assert!(
        reasons.contains("有效专利数 1 件，低于本领域基准 2.5 件"),
        "{reasons}"
    );
    // A3 is coded 3911 and judged in its division 39.
    assert_eq!(by("A3")["field"], "39");
    // B2's field 27 has one product: the benchmark falls back to section C, and says so.
    let b2 = by("B2");
    assert_eq!(b2["indicators"][0]["benchmark"], "2.0000");
    let reasons = b2["reasons"].to_string();
    assert!(reasons.contains("上级领域 C"), "{reasons}");
    // Filters.
    let (_, yes) = w
        .call(
            Method::GET,
            &format!("{BATCHES}/{batch}/results?passed=true"),
            &w.nation,
            None,
        )
        .await;
    let yes: Vec<i64> = yes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["product"].as_i64().unwrap())
        .collect();
    assert_eq!(yes, [w.ids["A3"], w.ids["B1"]]);
    let (_, f27) = w
        .call(
            Method::GET,
            &format!("{BATCHES}/{batch}/results?field=27"),
            &w.nation,
            None,
        )
        .await;
    assert_eq!(f27["items"].as_array().unwrap().len(), 1);
    let (status, body) = w
        .call(
            Method::GET,
            &format!("{BATCHES}/{batch}/results?passed=maybe"),
            &w.nation,
            None,
        )
        .await;
    assert_problem(status, &body, 422);

    // The product's own answer.
    let (status, mine) = w
        .call(
            Method::GET,
            &format!("/api/v1/products/{}/identification", w.ids["A3"]),
            &w.firm_a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["batch"]["id"], batch);
    assert_eq!(mine["candidate"]["check"], "approved");
    assert_eq!(mine["result"]["passed"], true);
    let (_, returned) = w
        .call(
            Method::GET,
            &format!("/api/v1/products/{}/identification", w.ids["A4"]),
            &w.firm_a,
            None,
        )
        .await;
    assert_eq!(returned["candidate"]["check"], "returned");
    assert_eq!(returned["candidate"]["check_reason"], "证明材料与产品不符");
    assert_eq!(returned["result"], Value::Null);
    let (_, never) = w
        .call(
            Method::GET,
            &format!("/api/v1/products/{}/identification", w.ids["A5"]),
            &w.firm_a,
            None,
        )
        .await;
    assert_eq!(
        never,
        json!({"batch": null, "candidate": null, "result": null})
    );
    w.app.stop().await;
}

on_both_backends!(a_batch_from_creation_to_computed_results);

async fn each_opt_in_refusal_has_its_code_and_reason(fresh: Fresh) {
    let w = world(&fresh).await;
    let batch = w.new_batch().await;
    let refused = |body: &Value| {
        (
            body["errors"][0]["code"].as_str().unwrap_or("").to_string(),
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        )
    };
    // Never approved, and withdrawn: not registered.
    for p in ["A6", "A7"] {
        let (status, body) = w.opt_in(&w.firm_a, p, batch).await;
        assert_problem(status, &body, 422);
        let (code, message) = refused(&body);
        assert_eq!(code, "not_registered", "{p}");
        assert!(message.contains("备案"), "{message}");
    }
    // Registered, but no approved 2026 update.
    let (status, body) = w.opt_in(&w.firm_a, "A5", batch).await;
    assert_problem(status, &body, 422);
    let (code, message) = refused(&body);
    assert_eq!(code, "annual_update_missing");
    assert!(message.contains("2026 年度的信息更新"), "{message}");
    // Opting in twice answers the candidacy there is.
    let (status, _) = w.opt_in(&w.firm_a, "A1", batch).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, again) = w.opt_in(&w.firm_a, "A1", batch).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["check"], "pending");
    // Another enterprise's product does not exist for this one; a reviewer may not opt in.
    let (status, body) = w.opt_in(&w.firm_b, "A2", batch).await;
    assert_problem(status, &body, 404);
    let (status, _) = w.opt_in(&w.rev_a, "A2", batch).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // After the date (the injected clock): closed.
    w.clock.advance(time::Duration::days(50));
    let (status, body) = w.opt_in(&w.firm_a, "A2", batch).await;
    assert_problem(status, &body, 422);
    let (code, message) = refused(&body);
    assert_eq!(code, "batch_closed");
    assert!(message.contains("2027-03-31"), "{message}");
    let (_, b) = w
        .call(Method::GET, &format!("{BATCHES}/{batch}"), &w.firm_a, None)
        .await;
    assert_eq!(b["status"], "closed");
    w.app.stop().await;
}

on_both_backends!(each_opt_in_refusal_has_its_code_and_reason);

/// A firm with many products opts them in at once: through the API, a list of up to 100 (each
/// product opted in or refused as on its own, with the same codes; another firm's product or
/// one that does not exist is "not found"; named twice, tried once); on the batch page, one
/// button for every product it may still opt in, which then says how many went in.
async fn an_enterprise_opts_in_many_products_at_once(fresh: Fresh) {
    let w = world(&fresh).await;
    let batch = w.new_batch().await;
    let many = format!("{BATCHES}/{batch}/opt-ins");
    let ids = |ps: &[&str]| -> Vec<Value> { ps.iter().map(|p| json!(w.ids[*p])).collect() };
    let mut list = ids(&["A1", "A2", "A5", "A6", "B1", "A1"]);
    list.push(json!(987_654_321));
    let (status, out) = w
        .call(
            Method::POST,
            &many,
            &w.firm_a,
            Some(json!({ "products": list })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let out = out.as_array().unwrap().clone();
    assert_eq!(out.len(), 6, "A1 named twice is tried once: {out:?}");
    let of = |id: i64| out.iter().find(|o| o["product"] == id).unwrap().clone();
    for p in ["A1", "A2"] {
        let o = of(w.ids[p]);
        assert_eq!(
            (o["ok"].clone(), o["created"].clone()),
            (json!(true), json!(true)),
            "{o}"
        );
        assert_eq!(o["candidate"]["check"], "pending", "{o}");
        assert!(o["problem"].is_null(), "{o}");
    }
    let code = |o: &Value| {
        o["problem"]["errors"][0]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(code(&of(w.ids["A5"])), "annual_update_missing");
    assert_eq!(code(&of(w.ids["A6"])), "not_registered");
    // Another firm's product and one that does not exist: the same answer, word for word.
    let (foreign, none) = (of(w.ids["B1"]), of(987_654_321));
    assert_eq!(foreign["ok"], false, "{foreign}");
    assert_eq!(foreign["problem"]["status"], 404, "{foreign}");
    assert_eq!(
        foreign["problem"]["type"], "/problems/not-found",
        "{foreign}"
    );
    assert!(foreign["candidate"].is_null(), "{foreign}");
    assert_eq!(foreign["problem"], none["problem"]);
    // Neither leaves a row of its own (an out-of-scope read would, and take time to): one row
    // for the request says two of its products were not found.
    let rows: Vec<String> = w
        .fresh_db
        .fetch_all(Sql::new(
            "SELECT detail FROM audit_log WHERE action IN \
             ('identification.opt_in_many', 'access.out_of_scope')",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("\"not_found\":2"), "{rows:?}");
    // Again: in already, not created; the candidacy is the one there was.
    let (status, again) = w
        .call(
            Method::POST,
            &many,
            &w.firm_a,
            Some(json!({"products": ids(&["A1"])})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (again[0]["ok"].clone(), again[0]["created"].clone()),
        (json!(true), json!(false))
    );
    // The list holds 1 to 100 products; only a firm opts in; the batch must exist.
    // More than 100 is refused as it is read, duplicates or not (a body of millions of ids
    // costs no more than 101 of them).
    for bad in [
        json!([]),
        json!((1..=101).collect::<Vec<i64>>()),
        json!(vec![w.ids["A3"]; 101]),
        json!(vec![w.ids["A3"]; 1_000_000]),
    ] {
        let (status, body) = w
            .call(
                Method::POST,
                &many,
                &w.firm_a,
                Some(json!({ "products": bad })),
            )
            .await;
        assert_problem(status, &body, 422);
        assert_eq!(body["errors"][0]["field"], "products", "{body}");
        assert_eq!(body["errors"][0]["code"], "invalid_products", "{body}");
    }
    let (status, _) = w
        .call(
            Method::POST,
            &many,
            &w.rev_a,
            Some(json!({"products": ids(&["A3"])})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{}/opt-ins", batch + 1000),
            &w.firm_a,
            Some(json!({"products": ids(&["A3"])})),
        )
        .await;
    assert_problem(status, &body, 404);
    // Every opt-in is audited on its own, as a single one is.
    let audited: Vec<i64> = w
        .fresh_db
        .fetch_all(Sql::new(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'identification.opt_in'",
        ))
        .await
        .unwrap();
    assert_eq!(audited, vec![2]);

    // The page: A3 and A4 may still go in; one button says so and opts both in.
    let path = format!("/identification/batches/{batch}");
    let (status, html) = page(&w, &path, &w.firm_a).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("全部申报（2 件可申报）"), "{html}");
    let (status, location, _) = post_form(&w, &format!("{path}/opt-in-all"), &w.firm_a, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("?done=opted_in_all"), "{location}");
    let (_, html) = page(&w, location.as_str(), &w.firm_a).await;
    assert!(
        html.contains("可申报的产品已全部申报，等待形式审查"),
        "{html}"
    );
    assert!(
        !html.contains("全部申报（"),
        "nothing is left to opt in: {html}"
    );
    let (_, queue) = w
        .call(
            Method::GET,
            &format!("{BATCHES}/{batch}/candidates"),
            &w.firm_a,
            None,
        )
        .await;
    let mut mine: Vec<i64> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["product"].as_i64().unwrap())
        .collect();
    mine.sort();
    let mut want: Vec<i64> = ["A1", "A2", "A3", "A4"].iter().map(|p| w.ids[*p]).collect();
    want.sort();
    assert_eq!(mine, want);
    // After the date every product of a list is refused as closed; the page has no button.
    w.clock.advance(time::Duration::days(50));
    let (status, late) = w
        .call(
            Method::POST,
            &many,
            &w.firm_b,
            Some(json!({"products": ids(&["B1", "B2"])})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{late}");
    for o in late.as_array().unwrap() {
        assert_eq!(code(o), "batch_closed", "{o}");
    }
    let (_, html) = page(&w, &path, &w.firm_b).await;
    assert!(!html.contains("全部申报（"), "{html}");
    w.app.stop().await;
}

on_both_backends!(an_enterprise_opts_in_many_products_at_once);

/// The national administrator closes opt-in before its date (a round that cannot wait): the
/// reason is required (beside its box on the page, as typed), the batch is closed at once and
/// can be computed, the enterprises with a product in it are told, the act is audited; closing
/// again, or a computed batch, is 409; anyone else gets 404.
async fn the_national_administrator_closes_opt_in_early(fresh: Fresh) {
    let w = world(&fresh).await;
    let batch = w.checked_batch().await;
    let close = |reason: Value| {
        let path = format!("{BATCHES}/{batch}/close");
        let w = &w;
        async move { w.call(Method::POST, &path, &w.nation, Some(reason)).await }
    };
    // 10 February 2027, the date is 31 March: computing waits.
    let (status, body) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/compute"),
            &w.nation,
            None,
        )
        .await;
    assert_problem(status, &body, 409);
    // Only the national administrator closes: the city's administrator, a reviewer and an
    // enterprise are told the batch is not theirs.
    for token in [&w.city, &w.rev_a, &w.firm_a] {
        let (status, body) = w
            .call(
                Method::POST,
                &format!("{BATCHES}/{batch}/close"),
                token,
                Some(json!({"reason": "提前评审"})),
            )
            .await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{status} {body}"
        );
    }
    // A reason is required.
    let (status, body) = close(json!({"reason": "  "})).await;
    let errs = assert_problem(status, &body, 422);
    assert_eq!(errs, vec![("reason".to_string(), "required".to_string())]);
    let (_, b) = w
        .call(Method::GET, &format!("{BATCHES}/{batch}"), &w.nation, None)
        .await;
    assert_eq!(b["status"], "open", "nothing was stored: {b}");
    let (status, b) = close(json!({"reason": "年度评审会议提前至三月上旬"})).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "closed");
    assert_eq!(
        b["opt_in_until"], "2027-03-31",
        "the date stays as announced"
    );
    assert_eq!(b["opt_in_closed_reason"], "年度评审会议提前至三月上旬");
    assert!(b["opt_in_closed_at"].is_string(), "{b}");
    assert!(
        b["days_left"].is_null() && b["working_days_left"].is_null(),
        "{b}"
    );
    // Closing again: 409.
    let (status, body) = close(json!({"reason": "再次截止"})).await;
    assert_problem(status, &body, 409);
    // No more opt-ins, with the early close named.
    let (status, body) = w.opt_in(&w.firm_a, "A5", batch).await;
    let errs = assert_problem(status, &body, 422);
    assert!(
        errs.contains(&("batch".to_string(), "batch_closed".to_string())),
        "{body}"
    );
    let message = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "batch_closed")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("提前截止"), "{message}");
    // Both enterprises with a product in the batch are told, once each, with the reason.
    for token in [&w.firm_a, &w.firm_b] {
        let (_, notes) = w
            .call(Method::GET, "/api/v1/notifications", token, None)
            .await;
        let closed: Vec<&Value> = notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "batch_opt_in_closed")
            .collect();
        assert_eq!(closed.len(), 1, "{notes}");
        assert!(
            closed[0]["body"]
                .as_str()
                .unwrap()
                .contains("年度评审会议提前至三月上旬"),
            "{notes}"
        );
        assert_eq!(
            closed[0]["link"],
            format!("/identification/batches/{batch}")
        );
    }
    // Audited once, with the reason.
    let audited: Vec<String> = w
        .fresh_db
        .fetch_all(
            Sql::new(
                "SELECT detail FROM audit_log WHERE action = 'identification_batch.close_opt_in' \
                 AND object = $1",
            )
            .bind(format!("identification_batch:{batch}")),
        )
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
    assert!(
        audited[0].contains("年度评审会议提前至三月上旬"),
        "{audited:?}"
    );
    // Computed the same day; closing a computed batch is 409.
    let (status, b) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/compute"),
            &w.nation,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "computed");
    let (status, body) = close(json!({"reason": "已计算"})).await;
    assert_problem(status, &body, 409);

    // The page: an open batch offers the form; an empty reason comes back beside its box (422),
    // a reason typed and refused for its length is kept; a reason closes it.
    let other = w.new_batch().await;
    let path = format!("/identification/batches/{other}");
    let (status, body) = page(&w, &path, &w.nation).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("提前截止申报") && body.contains("id=\"cl-reason\""),
        "form offered"
    );
    let (status, _, body) = post_form(
        &w,
        &format!("{path}/close"),
        &w.nation,
        &[("reason", String::new())],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("id=\"cl-reason-error\""),
        "message beside the box"
    );
    assert!(body.contains("请填写提前截止申报的理由"));
    let long = "长".repeat(501);
    let (status, _, body) = post_form(
        &w,
        &format!("{path}/close"),
        &w.nation,
        &[("reason", long.clone())],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(&long), "what was typed is kept");
    let (status, location, _) = post_form(
        &w,
        &format!("{path}/close"),
        &w.nation,
        &[("reason", "提前评审".into())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("{path}?done=closed"));
    let (_, body) = page(&w, &format!("{path}?done=closed"), &w.nation).await;
    assert!(body.contains("申报已提前截止") && body.contains("提前评审"));
    assert!(!body.contains("id=\"cl-reason\""), "no form once closed");
    // An enterprise's page no longer offers the button.
    let (_, body) = page(&w, &path, &w.firm_a).await;
    assert!(body.contains("提前截止"), "{body}");
    w.app.stop().await;
}

on_both_backends!(the_national_administrator_closes_opt_in_early);

async fn the_formal_check_and_the_results_stay_in_scope(fresh: Fresh) {
    let w = world(&fresh).await;
    let batch = w.new_batch().await;
    for p in ["A1", "A2"] {
        w.opt_in(&w.firm_a, p, batch).await;
    }
    w.opt_in(&w.firm_b, "B1", batch).await;
    // Each reviewer's queue holds its region's candidates only; the enterprise sees its own.
    let queue = |token: String| {
        let w = &w;
        async move {
            let (_, q) = w
                .call(
                    Method::GET,
                    &format!("{BATCHES}/{batch}/candidates?check=pending"),
                    &token,
                    None,
                )
                .await;
            q["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["product"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(queue(w.rev_a.clone()).await, [w.ids["A1"], w.ids["A2"]]);
    assert_eq!(queue(w.rev_b.clone()).await, [w.ids["B1"]]);
    assert_eq!(queue(w.firm_b.clone()).await, [w.ids["B1"]]);
    assert_eq!(queue(w.city.clone()).await, [w.ids["A1"], w.ids["A2"]]);
    // A reviewer of another province: that candidate does not exist for it.
    let (_, out) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/check"),
            &w.rev_b,
            Some(json!({"decision": "approve", "items": [{"product": w.ids["A1"], "version": 1}]})),
        )
        .await;
    assert_eq!(out[0]["ok"], false);
    assert_eq!(out[0]["problem"]["status"], 404);
    // Returning needs a reason; a stale version is a conflict; an enterprise may not check.
    let (_, out) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/check"),
            &w.rev_a,
            Some(json!({"decision": "return", "items": [{"product": w.ids["A1"], "version": 1}]})),
        )
        .await;
    assert_eq!(out[0]["problem"]["errors"][0]["field"], "reason");
    let (_, out) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/check"),
            &w.rev_a,
            Some(json!({"decision": "approve", "items": [
                {"product": w.ids["A1"], "version": 1}, {"product": w.ids["A1"], "version": 1}]})),
        )
        .await;
    assert_eq!(
        (out[0]["ok"].as_bool(), out[1]["problem"]["status"].as_u64()),
        (Some(true), Some(409))
    );
    let (status, _) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/check"),
            &w.firm_a,
            Some(json!({"decision": "approve", "items": [{"product": w.ids["A2"], "version": 1}]})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Computing waits for the formal check of every candidate, and is the nation's.
    w.clock.advance(time::Duration::days(50));
    let (status, body) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/compute"),
            &w.nation,
            None,
        )
        .await;
    assert_problem(status, &body, 409);
    assert!(
        body["detail"].as_str().unwrap().contains("形式审查"),
        "{body}"
    );
    for (token, p) in [(&w.rev_a, "A2"), (&w.rev_b, "B1")] {
        w.call(
            Method::POST,
            &format!("{BATCHES}/{batch}/check"),
            token,
            Some(json!({"decision": "approve", "items": [{"product": w.ids[p], "version": 1}]})),
        )
        .await;
    }
    let (status, body) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/compute"),
            &w.city,
            None,
        )
        .await;
    assert_problem(status, &body, 404);
    let (status, _) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/compute"),
            &w.firm_a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/compute"),
            &w.nation,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Results in scope: each enterprise its own, the reviewer and the office their region.
    let results = |token: String| {
        let w = &w;
        async move {
            let (_, r) = w
                .call(
                    Method::GET,
                    &format!("{BATCHES}/{batch}/results"),
                    &token,
                    None,
                )
                .await;
            r["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["product"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(results(w.firm_a.clone()).await, [w.ids["A1"], w.ids["A2"]]);
    assert_eq!(results(w.firm_b.clone()).await, [w.ids["B1"]]);
    assert_eq!(results(w.rev_b.clone()).await, [w.ids["B1"]]);
    assert_eq!(results(w.city.clone()).await, [w.ids["A1"], w.ids["A2"]]);
    assert_eq!(results(w.nation.clone()).await.len(), 3);
    // Another enterprise's product answer, or a reviewer of another region's: 404.
    for token in [&w.firm_b, &w.rev_b] {
        let (status, body) = w
            .call(
                Method::GET,
                &format!("/api/v1/products/{}/identification", w.ids["A1"]),
                token,
                None,
            )
            .await;
        assert_problem(status, &body, 404);
    }
    // After computing, the formal check is closed.
    let (_, out) = w
        .call(
            Method::POST,
            &format!("{BATCHES}/{batch}/check"),
            &w.rev_a,
            Some(json!({"decision": "approve", "items": [{"product": w.ids["A2"], "version": 2}]})),
        )
        .await;
    assert_eq!(out[0]["problem"]["status"], 409);
    w.app.stop().await;
}

on_both_backends!(the_formal_check_and_the_results_stay_in_scope);

async fn results_column(w: &World, batch: i64) -> Vec<(i64, Option<String>)> {
    #[derive(Debug)]
    struct Row(i64, Option<String>);
    impl zhichan_store::FromDbRow for Row {
        fn from_row(row: &zhichan_store::DbRow) -> Result<Self, zhichan_store::StoreError> {
            Ok(Row(row.get("product_id")?, row.get("result")?))
        }
    }
    let rows: Vec<Row> = w
        .fresh_db
        .fetch_all(
            Sql::new(
                "SELECT product_id, result FROM identification_results WHERE batch_id = $1 \
                 ORDER BY product_id",
            )
            .bind(batch),
        )
        .await
        .unwrap();
    rows.into_iter().map(|r| (r.0, r.1)).collect()
}

async fn the_frozen_inputs_hold_and_another_version_is_compared_on_them(fresh: Fresh) {
    let w = world(&fresh).await;
    let batch = w.checked_batch().await;
    w.clock.advance(time::Duration::days(50));
    let compute_path = format!("{BATCHES}/{batch}/compute");
    let compute = || w.call(Method::POST, &compute_path, &w.nation, None);
    let (status, first) = compute().await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let read = |path: String| {
        let w = &w;
        async move { w.app.read_as(&path, &w.nation).await }
    };
    let bench = read(format!("{BATCHES}/{batch}/benchmarks")).await;
    let results = read(format!("{BATCHES}/{batch}/results")).await;
    let stored = results_column(&w, batch).await;

    // After the freeze the products change: A1 gains patents' worth of sales, B1's patents
    // lapse, a new product is registered in division 39.
    for sql in [
        "UPDATE product_figures SET sales_revenue = 999900000 WHERE year = 2026",
        "UPDATE patents SET legal_status = 'lapsed', status_since = '2026-01-01'",
        "UPDATE products SET withdrawn_on = '2026-06-01' WHERE name LIKE 'A2%'",
    ] {
        w.fresh_db.execute(Sql::new(sql)).await.unwrap();
    }
    let (status, again) = compute().await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["inputs_digest"], first["inputs_digest"]);
    assert_eq!(again["inputs_count"], first["inputs_count"]);
    assert_eq!(read(format!("{BATCHES}/{batch}/benchmarks")).await, bench);
    assert_eq!(read(format!("{BATCHES}/{batch}/results")).await, results);
    assert_eq!(
        results_column(&w, batch).await,
        stored,
        "byte-identical results"
    );

    // What-if: version 2 asks for at least one valid patent instead of the field's median.
    let mut v2 = method_body();
    v2["indicators"][0]["benchmark"] = json!({"value": "1"});
    v2["examples"][0]["field"] = json!([]);
    let (status, m) = w
        .call(
            Method::PATCH,
            &format!("/api/v1/identification/methods/{}", w.method),
            &w.nation,
            Some(json!({"version": 1, "method": v2})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["current"]["version"], 2);
    let path = format!("{BATCHES}/{batch}/what-if?method={}&version=2", w.method);
    let (status, body) = w.call(Method::GET, &path, &w.city, None).await;
    assert_problem(status, &body, 404);
    let (status, what) = w.call(Method::GET, &path, &w.nation, None).await;
    assert_eq!(status, StatusCode::OK, "{what}");
    assert_eq!(what["compared"], 5);
    // A1 (1 patent, +20 %) and B2 (1 patent, +5 %) would pass; A2 still fails its growth.
    let changed: Vec<(i64, bool, bool)> = what["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["product"].as_i64().unwrap(),
                c["passed_now"].as_bool().unwrap(),
                c["passed_then"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [(w.ids["A1"], false, true), (w.ids["B2"], false, true)]
    );
    assert!(what["changed"][0]["reasons_then"]
        .to_string()
        .contains("固定值"));
    // The same version compared with itself changes nothing; an unknown version is refused.
    let same = format!("{BATCHES}/{batch}/what-if?method={}&version=1", w.method);
    let (_, none) = w.call(Method::GET, &same, &w.nation, None).await;
    assert_eq!(none["changed"], json!([]));
    let bad = format!("{BATCHES}/{batch}/what-if?method={}&version=9", w.method);
    let (status, body) = w.call(Method::GET, &bad, &w.nation, None).await;
    assert_problem(status, &body, 422);
    // Nothing of the batch changed meanwhile.
    assert_eq!(results_column(&w, batch).await, stored);
    w.app.stop().await;
}

on_both_backends!(the_frozen_inputs_hold_and_another_version_is_compared_on_them);

/// A page, read with a bearer token: status and text.
async fn page(w: &World, path: &str, token: &str) -> (StatusCode, String) {
    let res = w
        .app
        .client
        .get(w.app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

/// A form posted with a bearer token: status, location and text.
async fn post_form(
    w: &World,
    path: &str,
    token: &str,
    form: &[(&str, String)],
) -> (StatusCode, String, String) {
    let res = w
        .app
        .client
        .post(w.app.url(path))
        .bearer_auth(token)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, location, res.text().await.unwrap())
}

async fn the_pages_of_a_batch_for_each_role(fresh: Fresh) {
    let w = world(&fresh).await;
    // The national administrator's create form: a mistyped year comes back as typed, with
    // its message beside it.
    let (status, _, body) = post_form(
        &w,
        "/identification/batches",
        &w.nation,
        &[
            ("year", "20x6".into()),
            ("method", w.method.to_string()),
            ("opt_in_until", "2027-03-31".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(r#"value="20x6""#), "{body}");
    assert!(body.contains(r#"id="nb-year-error""#) && body.contains("认定年度应为四位数字"));
    let (status, location, _) = post_form(
        &w,
        "/identification/batches",
        &w.nation,
        &[
            ("year", "2026".into()),
            ("method", w.method.to_string()),
            ("opt_in_until", "2027-03-31".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let batch_path = location.clone();
    let batch: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let (_, list) = page(&w, "/identification/batches", &w.firm_a).await;
    assert!(
        list.contains(&batch_path) && list.contains("申报中"),
        "{list}"
    );

    // The enterprise: its products, which may be opted in, and the days left.
    let (status, body) = page(&w, &batch_path, &w.firm_a).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("还剩 35 个工作日"), "{body}");
    assert!(body.contains("A5 模块") && body.contains("2026 年度的信息更新尚未审核通过"));
    assert!(
        !body.contains("A6 未审产品"),
        "only registered products are listed"
    );
    for p in ["A1", "A2"] {
        let (status, location, body) = post_form(
            &w,
            &format!("{batch_path}/opt-in"),
            &w.firm_a,
            &[("product", w.ids[p].to_string())],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert!(location.ends_with("done=opted_in"));
    }
    let (status, _, body) = post_form(
        &w,
        &format!("{batch_path}/opt-in"),
        &w.firm_a,
        &[("product", w.ids["A5"].to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("信息更新尚未审核通过"), "{body}");
    let (_, body) = page(&w, &batch_path, &w.firm_a).await;
    assert!(body.contains("已申报，形式审查：待审查"), "{body}");

    // The reviewer's formal-check queue: its region's candidates, approved in bulk.
    let (_, body) = page(&w, &batch_path, &w.rev_a).await;
    assert!(
        body.contains("A1 采集终端") && body.contains(r#"name="item""#),
        "{body}"
    );
    let (_, body_b) = page(&w, &batch_path, &w.rev_b).await;
    assert!(!body_b.contains("A1 采集终端"), "another province's queue");
    let (status, _, body) = post_form(
        &w,
        &format!("{batch_path}/check"),
        &w.rev_a,
        &[
            ("decision", "approve".into()),
            ("item", format!("{}:1", w.ids["A1"])),
            ("item", format!("{}:1", w.ids["A2"])),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // The national administrator computes after the date; results and benchmarks show.
    w.clock.advance(time::Duration::days(50));
    let (status, _, _) = post_form(&w, &format!("{batch_path}/compute"), &w.nation, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, body) = page(&w, &batch_path, &w.nation).await;
    assert!(
        body.contains("已计算") && body.contains("SHA-256"),
        "{body}"
    );
    assert!(
        body.contains("各领域基准值") && body.contains("2.5 件"),
        "{body}"
    );
    assert!(
        body.contains("有效专利数 1 件，低于本领域基准 2.5 件"),
        "{body}"
    );
    // What-if on the page: the same version changes nothing.
    let (status, body) = page(
        &w,
        &format!("{batch_path}?compare={}:1", w.method),
        &w.nation,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("结论会变化的有 0 件"), "{body}");
    // The enterprise reads its results with explanations.
    let (_, body) = page(&w, &format!("{batch_path}?passed=false"), &w.firm_a).await;
    assert!(
        body.contains("专利性评价未通过") && body.contains("A2 网关"),
        "{body}"
    );
    // The office exports its region's candidates and results.
    let res = w
        .app
        .client
        .get(
            w.app
                .url(&format!("/identification/batches/{batch}/export.xlsx")),
        )
        .bearer_auth(&w.city)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(support::content_type(&res).contains("spreadsheetml"));
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx (zip) workbook");
    w.app.stop().await;
}

on_both_backends!(the_pages_of_a_batch_for_each_role);

async fn post(w: &World, path: String, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    w.call(Method::POST, &path, token, body).await
}

async fn object(w: &World, batch: i64, token: &str, p: &str, reason: &str) -> (StatusCode, Value) {
    post(
        w,
        format!("{BATCHES}/{batch}/objections"),
        token,
        Some(json!({"product": w.ids[p], "reason": reason})),
    )
    .await
}

async fn answer(
    w: &World,
    id: &Value,
    token: &str,
    decision: &str,
    reason: &str,
) -> (StatusCode, Value) {
    post(
        w,
        format!("/api/v1/identification/objections/{id}/answer"),
        token,
        Some(json!({"decision": decision, "reason": reason})),
    )
    .await
}

/// The whole round on one batch: opt-in and the formal check (as above), two first computes at
/// once (the second is told, never a server error), the experts' industry evaluation by the
/// batch's panel (an expert of the product's own enterprise refused), the national review
/// (sent back once, then approved), the public notice, two objections (one upheld: that
/// product is not identified, with the answer as its reason; one dismissed), the
/// announcement, and the public list of identified products with their numbers.
async fn a_batch_from_opt_in_to_announcement(fresh: Fresh) {
    let w = world(&fresh).await;
    let batch = w.checked_batch().await;
    w.clock.advance(time::Duration::days(50)); // 1 April 2027: opt-in closed.
    let path = |tail: &str| format!("{BATCHES}/{batch}/{tail}");

    // Two first computations at once: one freezes and computes; the other either waits and is
    // told (409) or, having come after, computes again from the same frozen inputs.
    let compute = || post(&w, path("compute"), &w.nation, None);
    let ((s1, b1), (s2, b2)) = tokio::join!(compute(), compute());
    let statuses = [s1, s2];
    assert!(statuses.contains(&StatusCode::OK), "{b1} {b2}");
    for (s, b) in [(s1, &b1), (s2, &b2)] {
        assert!(s == StatusCode::OK || s == StatusCode::CONFLICT, "{s} {b}");
    }
    let (status, computed) = compute().await;
    assert_eq!(status, StatusCode::OK, "{computed}");
    assert_eq!(computed["status"], "computed");
    let digest = computed["inputs_digest"].clone();
    let ok = if s1 == StatusCode::OK { &b1 } else { &b2 };
    assert_eq!(ok["inputs_digest"], digest);

    // Stages in order: nothing is published or reviewed before the experts.
    let (status, body) = w
        .call(
            Method::POST,
            &path("publish"),
            &w.nation,
            Some(json!({"notice_days": 5})),
        )
        .await;
    assert_problem(status, &body, 409);
    let (status, body) = w
        .call(
            Method::POST,
            &path("review"),
            &w.nation,
            Some(json!({"decision": "approve"})),
        )
        .await;
    assert_problem(status, &body, 409);
    let (status, body) = w
        .call(Method::POST, &path("evaluate"), &w.city, Some(json!({})))
        .await;
    assert_problem(status, &body, 404);
    let (status, evaluating) = w
        .call(
            Method::POST,
            &path("evaluate"),
            &w.nation,
            Some(json!({"deadline_days": 10})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{evaluating}");
    assert_eq!(evaluating["status"], "evaluating");
    let panel = evaluating["panel"].as_i64().unwrap();
    let (status, again) = w
        .call(Method::POST, &path("evaluate"), &w.nation, Some(json!({})))
        .await;
    assert_problem(status, &again, 409);
    // Recomputing later keeps the stage and the bytes.
    let (status, recomputed) = compute().await;
    assert_eq!(status, StatusCode::OK, "{recomputed}");
    assert_eq!(recomputed["status"], "evaluating");
    assert_eq!(recomputed["inputs_digest"], digest);

    // The panel lists the candidates that passed the patent evaluation: A3 and B1.
    let p = w
        .app
        .read_as(&format!("/api/v1/panels/{panel}"), &w.nation)
        .await;
    let labels: Vec<&str> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["A3 控制器", "B1 主板"], "{p}");
    let item_of = |label: &str| {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["label"] == label)
            .unwrap()["item"]
            .as_i64()
            .unwrap()
    };
    add_user(&fresh, "xitong", "sysadmin", None, None).await;
    support::enrolled(&fresh, "xitong").await;
    let sys = w.app.long_token(&fresh, "xitong").await;
    // Accounts made now by the real clock: their passwords count as changed in March 2027.
    let changed_in_march = || async {
        w.fresh_db
            .execute(Sql::new(
                "UPDATE users SET password_changed_at = '2027-03-15T00:00:00.000Z'",
            ))
            .await
            .unwrap();
    };
    changed_in_march().await;
    let university = {
        let first17 = "12360000MB0000001";
        let c = zhichan_domain::credit_code::check_char(first17).unwrap();
        format!("{first17}{c}")
    };
    let (own, _) =
        support::expert_account(&w.app, &fresh, &sys, "zj.linchuan", LINCHUAN, &["39"]).await;
    let mut experts = Vec::new();
    for name in ["zj.a", "zj.b", "zj.c"] {
        experts
            .push(support::expert_account(&w.app, &fresh, &sys, name, &university, &["39"]).await);
    }
    let assign = |item: i64, expert: i64| {
        post(
            &w,
            format!("/api/v1/panels/{panel}/assignments"),
            &w.nation,
            Some(json!({"item": item, "expert": expert})),
        )
    };
    // An expert of A3's own enterprise is refused.
    let (status, body) = assign(item_of("A3 控制器"), own).await;
    let errs = assert_problem(status, &body, 422);
    assert_eq!(errs, [("expert".into(), "conflict_of_interest".into())]);
    changed_in_march().await;
    let mut assignments = Vec::new();
    for label in ["A3 控制器", "B1 主板"] {
        for (id, _) in &experts {
            let (status, a) = assign(item_of(label), *id).await;
            assert_eq!(status, StatusCode::CREATED, "{a}");
            assignments.push(a["id"].as_i64().unwrap());
        }
    }
    // Approving while the experts have not scored is refused, saying how many wait.
    let (status, body) = w
        .call(
            Method::POST,
            &path("review"),
            &w.nation,
            Some(json!({"decision": "approve"})),
        )
        .await;
    let errs = assert_problem(status, &body, 422);
    assert_eq!(errs, [("batch".into(), "evaluation_incomplete".into())]);
    assert!(body.to_string().contains("还有 2 件产品"), "{body}");
    // Scores: A3 80, 70, 90 (mean 80); B1 75, 65, 70 (mean 70); the pass mark is 60.
    let scores = ["80", "70", "90", "75", "65", "70"];
    for (k, a) in assignments.iter().enumerate() {
        let (status, body) = w
            .call(
                Method::POST,
                &format!("/api/v1/expert/assignments/{a}/scores"),
                &experts[k % 3].1,
                Some(json!({"scores": [scores[k]], "opinion": "技术先进，市场前景良好。"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let list = w.app.read_as(&path("review"), &w.nation).await;
    let row = |p: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["product"] == w.ids[p])
            .cloned()
            .unwrap()
    };
    assert_eq!(row("A3")["industry_score"], "80");
    assert_eq!(row("A3")["experts_scored"], 3);
    assert_eq!(row("A3")["proposed"], true);
    assert_eq!(row("B1")["industry_score"], "70");
    assert_eq!(row("A1")["proposed"], false);
    assert!(row("A1")["reason"]
        .as_str()
        .unwrap()
        .contains("专利性评价未通过"));
    assert!(row("A4")["reason"]
        .as_str()
        .unwrap()
        .contains("证明材料与产品不符"));

    // The review sends the list back once (a reason required), then approves it.
    let (status, body) = w
        .call(
            Method::POST,
            &path("review"),
            &w.nation,
            Some(json!({"decision": "return"})),
        )
        .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("reason".into(), "required".into())]
    );
    let (status, back) = w
        .call(
            Method::POST,
            &path("review"),
            &w.nation,
            Some(json!({"decision": "return", "reason": "请核对专家意见"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["status"], "evaluating");
    assert_eq!(back["review_reason"], "请核对专家意见");
    let (status, reviewed) = w
        .call(
            Method::POST,
            &path("review"),
            &w.nation,
            Some(json!({"decision": "approve"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reviewed}");
    assert_eq!(reviewed["status"], "reviewed");

    // Public notice for 5 working days: A3 and B1.
    let (status, published) = w
        .call(
            Method::POST,
            &path("publish"),
            &w.nation,
            Some(json!({"notice_days": 5})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["batch"]["status"], "published");
    let listed: Vec<i64> = published["notice"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [w.ids["A3"], w.ids["B1"]]);
    let (status, body) = w.app.get_json(&path("identified")).await;
    assert_problem(status, &body, 404);

    // Objections: 临川 against B1 (upheld), 福州 against A3 (dismissed); one not on the list.
    let (status, body) = object(&w, batch, &w.firm_a, "A1", "未列入").await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("item".into(), "not_listed".into())]
    );
    let (status, upheld) = object(
        &w,
        batch,
        &w.firm_a,
        "B1",
        "B1 主板的核心专利已许可他人独占实施",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{upheld}");
    let (status, dismissed) = object(&w, batch, &w.firm_b, "A3", "A3 控制器销售数据存疑").await;
    assert_eq!(status, StatusCode::CREATED, "{dismissed}");
    let (status, body) = answer(&w, &upheld["id"], &w.city, "upheld", "核实").await;
    assert_problem(status, &body, 404);
    let (status, body) = answer(
        &w,
        &upheld["id"],
        &w.nation,
        "upheld",
        "经核实，许可合同证明企业不具备实施权",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Not before the notice has ended.
    let (status, body) = w
        .call(Method::POST, &path("announce"), &w.nation, None)
        .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("notice".into(), "notice_open".into())]
    );
    let (status, body) = answer(
        &w,
        &dismissed["id"],
        &w.nation,
        "dismissed",
        "销售数据经年度更新审核",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A month later: announced. A3 is identified with its number; B1 is not, saying why.
    w.clock.advance(time::Duration::days(30));
    // Announced from the batch page's stage form.
    let stage = format!("/identification/batches/{batch}/stage");
    let (status, location, _) =
        post_form(&w, &stage, &w.nation, &[("action", "announce".into())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("?done=announced"), "{location}");
    let announced = w
        .app
        .read_as(&format!("{BATCHES}/{batch}"), &w.nation)
        .await;
    assert_eq!(announced["status"], "announced");
    assert_eq!(announced["announced_on"], "2027-05-01");
    let (status, body) = w
        .call(Method::POST, &path("announce"), &w.nation, None)
        .await;
    assert_problem(status, &body, 409);

    let (status, public) = w.app.get_json(&path("identified")).await;
    assert_eq!(status, StatusCode::OK, "{public}");
    assert_eq!(public["year"], 2026);
    let items = public["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{public}");
    assert_eq!(items[0]["product"], w.ids["A3"]);
    assert_eq!(items[0]["identification_number"], "RD20273610020001");
    assert_eq!(items[0]["enterprise_name"], "抚州市临川区示例科技有限公司");

    let results = w.app.read_as(&path("results"), &w.nation).await;
    let by = |p: &str| {
        results["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["product"] == w.ids[p])
            .cloned()
            .unwrap()
    };
    assert_eq!(by("A3")["outcome"], "identified");
    assert_eq!(by("A3")["identification_number"], "RD20273610020001");
    assert_eq!(by("A3")["outcome_reason"], Value::Null);
    assert_eq!(by("B1")["outcome"], "not_identified");
    assert!(by("B1")["outcome_reason"]
        .as_str()
        .unwrap()
        .contains("异议成立：经核实，许可合同证明企业不具备实施权"));
    assert_eq!(by("A1")["outcome"], "not_identified");
    assert_eq!(by("B2")["outcome"], "not_identified");
    // The enterprise sees its own product's outcome.
    let mine = w
        .app
        .read_as(
            &format!("/api/v1/products/{}/identification", w.ids["A3"]),
            &w.firm_a,
        )
        .await;
    assert_eq!(mine["result"]["outcome"], "identified");
    assert_eq!(mine["batch"]["status"], "announced");

    // Pages: the batch shows each outcome; the product carries the badge and its certificate
    // prints; a product not identified has no certificate.
    let (status, html) = page(&w, &format!("/identification/batches/{batch}"), &w.nation).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("已认定") && html.contains("RD20273610020001"));
    assert!(html.contains("公示期间异议成立"), "B1's reason is shown");
    let a3 = w.ids["A3"];
    let (status, html) = page(&w, &format!("/products/{a3}"), &w.firm_a).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("专利密集型产品") && html.contains("RD20273610020001"));
    let (status, html) = page(
        &w,
        &format!("/products/{a3}/identification-certificate"),
        &w.firm_a,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("专利密集型产品认定证明") && html.contains("2027-05-01"));
    let b1 = w.ids["B1"];
    let (status, _) = page(
        &w,
        &format!("/products/{b1}/identification-certificate"),
        &w.firm_b,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = page(
        &w,
        &format!("/products/{a3}/identification-certificate"),
        &w.firm_b,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another enterprise's product"
    );

    // The monthly report counts identified products by region and field.
    let report = w
        .app
        .read_as(
            "/api/v1/reports/monthly?region=361000&month=2027-05",
            &w.nation,
        )
        .await;
    assert_eq!(report["identified_in_month"], 1, "{report}");
    assert_eq!(report["identified_products"], 1);
    assert_eq!(
        report["identified_by_field"],
        json!([{"field": "39", "identified": 1}])
    );
    let report = w
        .app
        .read_as(
            "/api/v1/reports/monthly?region=350000&month=2027-05",
            &w.nation,
        )
        .await;
    assert_eq!(report["identified_products"], 0, "B1 was removed: {report}");

    // The dashboards count identified products by region and field from the identified rollup:
    // the nation sees 江西 (A3), not 福建 (B1 was removed); the city sees 临川区; by field, 39.
    let stats = w.app.read_as("/api/v1/stats/identified", &w.nation).await;
    assert_eq!(stats["identified"], 1, "{stats}");
    assert_eq!(stats["year"], Value::Null);
    let keys = |list: &Value| -> Vec<(String, i64)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["key"].as_str().unwrap().to_string(),
                    r["identified"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(keys(&stats["by_region"]), [("360000".to_string(), 1)]);
    assert_eq!(keys(&stats["by_field"]), [("39".to_string(), 1)]);
    assert!(!stats["by_field"][0]["name"].as_str().unwrap().is_empty());
    let city = w
        .app
        .read_as("/api/v1/stats/identified?year=2027", &w.city)
        .await;
    assert_eq!(city["region"], "361000");
    assert_eq!(keys(&city["by_region"]), [("361002".to_string(), 1)]);
    let before = w
        .app
        .read_as("/api/v1/stats/identified?region=361000&year=2026", &w.city)
        .await;
    assert_eq!(before["identified"], 0, "announced in 2027, not 2026");
    let (status, body) = w
        .call(
            Method::GET,
            "/api/v1/stats/identified?region=350000",
            &w.city,
            None,
        )
        .await;
    assert_problem(status, &body, 404);
    let (status, body) = w
        .call(
            Method::GET,
            "/api/v1/stats/identified?year=27",
            &w.city,
            None,
        )
        .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("year".into(), "invalid_year".into())]
    );
    // The rollup is what the identified candidates say (rebuilt from them, nothing changes).
    let tx = w.fresh_db.begin().await.unwrap();
    zhichan_store::identified_stats::rebuild(&tx).await.unwrap();
    tx.commit().await.unwrap();
    let rebuilt = w.app.read_as("/api/v1/stats/identified", &w.nation).await;
    assert_eq!(rebuilt, stats);
    let (status, html) = page(&w, "/stats", &w.city).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("已认定专利密集型产品") && html.contains("专利密集型产品认定"),
        "{html}"
    );
    // The year-end evaluation of 2027 counts it beside 临川区's score.
    let evaluation = w
        .app
        .read_as("/api/v1/evaluation?region=361000&year=2027", &w.city)
        .await;
    let linchuan = evaluation["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == "361002")
        .cloned()
        .unwrap();
    assert_eq!(linchuan["identified"], 1, "{evaluation}");
    let (status, html) = page(&w, "/evaluation?region=361000&year=2027", &w.city).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("认定产品"), "{html}");

    // Offices filter the results by outcome and export them, headings in their language.
    let wr = &w;
    let only = |outcome: &str| {
        let path = path(&format!("results?outcome={outcome}"));
        async move {
            let list = wr.app.read_as(&path, &wr.nation).await;
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["product"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(only("identified").await, [w.ids["A3"]]);
    let mut not = only("not_identified").await;
    not.sort();
    let mut want: Vec<i64> = ["A1", "A2", "B1", "B2"].iter().map(|p| w.ids[p]).collect();
    want.sort();
    assert_eq!(
        not, want,
        "A4 was returned in the formal check: not computed"
    );
    assert!(only("pending").await.is_empty());
    let (status, body) = w
        .call(Method::GET, &path("results?outcome=maybe"), &w.nation, None)
        .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("outcome".into(), "invalid_outcome".into())]
    );
    let (status, html) = page(
        &w,
        &format!("/identification/batches/{batch}?outcome=identified&field=39"),
        &w.city,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("专利性评价通过") && !html.contains("专利性评价未通过"),
        "only A3's result: {html}"
    );
    let export = |token: String, query: &'static str, lang: &'static str| {
        let url = w.app.url(&format!(
            "/identification/batches/{batch}/export.xlsx{query}"
        ));
        let client = w.app.client.clone();
        async move {
            let res = client
                .get(url)
                .bearer_auth(token)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            if lang == "en" {
                assert_eq!(res.headers()["content-language"], "en");
            }
            let bytes = res.bytes().await.unwrap().to_vec();
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
            use calamine::Reader;
            let sheet = book.sheet_names()[0].clone();
            let range = book.worksheet_range(&sheet).unwrap();
            range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        }
    };
    // The city (抚州) sees its own region's candidates only: A1–A4.
    let rows = export(w.city.clone(), "", "zh-CN").await;
    assert_eq!(rows[0][0], "产品编号");
    assert_eq!(rows[0][13], "认定结果");
    assert_eq!(rows.len(), 5, "a heading and A1–A4: {rows:?}");
    let a3_row = rows
        .iter()
        .find(|r| r[0] == w.ids["A3"].to_string())
        .unwrap();
    assert_eq!(a3_row[13], "已认定");
    assert_eq!(a3_row[14], "RD20273610020001");
    let rows = export(w.nation.clone(), "?outcome=identified", "en").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][0], "Product no.");
    assert_eq!(rows[0][13], "Outcome");
    assert_eq!(rows[1][13], "Identified");

    // The enterprise sees the objection it filed, with its answer, on the batch page.
    let (status, html) = page(&w, &format!("/identification/batches/{batch}"), &w.firm_a).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("我提出的异议")
            && html.contains("B1 主板的核心专利已许可他人独占实施")
            && html.contains("经核实，许可合同证明企业不具备实施权"),
        "{html}"
    );
    assert!(
        !html.contains("A3 控制器销售数据存疑"),
        "another enterprise's objection"
    );

    // The names another engineer's entitlement engine counts by: identified in 2027.
    let counted: i64 = w
        .fresh_db
        .fetch_one(Sql::new(
            "SELECT COUNT(*) FROM identification_candidates c \
             JOIN identification_batches b ON b.id = c.batch_id \
             WHERE c.outcome = 'identified' AND b.status = 'announced' \
             AND b.announced_on >= '2027-01-01' AND b.announced_on <= '2027-12-31'",
        ))
        .await
        .unwrap();
    assert_eq!(counted, 1);

    // The workbench tiles count the products identified this year in the office's region,
    // and in every year, from the rollup: the city office and the national administrator see
    // A3; the enterprise's dashboard lists its identified product with its number and its
    // certificate; the other enterprise (B1 removed on objection) has none.
    for token in [&w.city, &w.nation] {
        let (status, html) = page(&w, "/", token).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("<span class=\"n\">1</span>2027 年认定的专利密集型产品")
                && html.contains("<span class=\"n\">1</span>历年认定的专利密集型产品"),
            "{html}"
        );
    }
    let (_, html) = page(&w, "/", &w.firm_a).await;
    assert!(
        html.contains("已认定的专利密集型产品（1）")
            && html.contains("RD20273610020001")
            && html.contains(&format!("/products/{a3}/identification-certificate")),
        "{html}"
    );
    let (_, html) = page(&w, "/", &w.firm_b).await;
    assert!(
        html.contains("已认定的专利密集型产品（0）") && html.contains("本企业尚无已认定的产品"),
        "{html}"
    );
    // The tiles read the rollup, not the candidates: what the rollup holds is what they show.
    w.fresh_db
        .execute(Sql::new(
            "UPDATE stat_identified SET identified = identified + 4 \
             WHERE region = 361000 AND year = 2027",
        ))
        .await
        .unwrap();
    let (_, html) = page(&w, "/", &w.city).await;
    assert!(
        html.contains("<span class=\"n\">5</span>2027 年认定的专利密集型产品"),
        "{html}"
    );
    w.app.stop().await;
}

on_both_backends!(a_batch_from_opt_in_to_announcement);

/// What an attacker tried on the round, each refused: a zero deadline is a field error at any
/// stage; an expert whose unit becomes an item's enterprise after the assignment cannot score
/// it (and the panel page says so); once the list is reviewed the panel is closed — no new
/// assignment, no late score, and the review list keeps the values stored at approval — until
/// the list is sent back to the experts; the national administrator, who answers objections,
/// cannot file one; the panel page names its batch; the workbook names regions and fields and,
/// once announced, gives each outcome with its number.
async fn the_round_refuses_what_an_attacker_tried(fresh: Fresh) {
    use calamine::Reader;
    let w = world(&fresh).await;
    let batch = w.checked_batch().await;
    w.clock.advance(time::Duration::days(50));
    let path = |tail: &str| format!("{BATCHES}/{batch}/{tail}");

    // The deadline is checked before the stage: 422 on the field, not 409 (nor 200 later).
    for _ in 0..2 {
        let (status, body) = post(
            &w,
            path("evaluate"),
            &w.nation,
            Some(json!({"deadline_days": 0})),
        )
        .await;
        assert_eq!(
            assert_problem(status, &body, 422),
            [("deadline_days".into(), "invalid_deadline".into())]
        );
        let (status, body) = post(&w, path("compute"), &w.nation, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, evaluating) = post(
        &w,
        path("evaluate"),
        &w.nation,
        Some(json!({"deadline_days": 10})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{evaluating}");
    let panel = evaluating["panel"].as_i64().unwrap();
    let (status, body) = post(
        &w,
        path("evaluate"),
        &w.nation,
        Some(json!({"deadline_days": 251})),
    )
    .await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("deadline_days".into(), "invalid_deadline".into())]
    );

    add_user(&fresh, "xitong", "sysadmin", None, None).await;
    support::enrolled(&fresh, "xitong").await;
    let sys = w.app.long_token(&fresh, "xitong").await;
    let university = {
        let first17 = "12360000MB0000001";
        let c = zhichan_domain::credit_code::check_char(first17).unwrap();
        format!("{first17}{c}")
    };
    let changed_in_march = || async {
        w.fresh_db
            .execute(Sql::new(
                "UPDATE users SET password_changed_at = '2027-03-15T00:00:00.000Z'",
            ))
            .await
            .unwrap();
    };
    changed_in_march().await;
    let mut experts = Vec::new();
    for name in ["zj.a", "zj.b", "zj.c", "zj.d", "zj.e"] {
        experts
            .push(support::expert_account(&w.app, &fresh, &sys, name, &university, &["39"]).await);
    }
    changed_in_march().await;
    let p = w
        .app
        .read_as(&format!("/api/v1/panels/{panel}"), &w.nation)
        .await;
    let item_of = |label: &str| {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["label"] == label)
            .unwrap()["item"]
            .as_i64()
            .unwrap()
    };
    let (a3, b1) = (item_of("A3 控制器"), item_of("B1 主板"));
    let assign = |item: i64, expert: i64| {
        post(
            &w,
            format!("/api/v1/panels/{panel}/assignments"),
            &w.nation,
            Some(json!({"item": item, "expert": expert})),
        )
    };
    let wr = &w;
    let score = |assignment: i64, token: String, value: &'static str| async move {
        wr.call(
            Method::POST,
            &format!("/api/v1/expert/assignments/{assignment}/scores"),
            &token,
            Some(json!({"scores": [value], "opinion": "技术先进。"})),
        )
        .await
    };
    // Three experts score both items: A3 80, B1 70.
    for (k, (id, token)) in experts.iter().take(3).enumerate() {
        for (item, value) in [(a3, ["70", "80", "90"][k]), (b1, ["60", "70", "80"][k])] {
            let (status, a) = assign(item, *id).await;
            assert_eq!(status, StatusCode::CREATED, "{a}");
            let (status, body) = score(a["id"].as_i64().unwrap(), token.clone(), value).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    }
    // zj.d is assigned to A3; then the system administrator records a new unit for him: A3's
    // own enterprise. His score is refused, and the panel flags the assignment.
    let (d_id, d_token) = experts[3].clone();
    let (status, d_on_a3) = assign(a3, d_id).await;
    assert_eq!(status, StatusCode::CREATED, "{d_on_a3}");
    assert_eq!(d_on_a3["conflict"], false);
    let (status, body) = w
        .call(
            Method::PUT,
            &format!("/api/v1/users/{d_id}/expert"),
            &sys,
            Some(
                json!({"unit_credit_code": LINCHUAN, "unit_name": "抚州市临川区示例科技有限公司",
                        "fields": ["39"], "version": 1}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    changed_in_march().await;
    let d_assignment = d_on_a3["id"].as_i64().unwrap();
    let (status, body) = score(d_assignment, d_token.clone(), "100").await;
    let errs = assert_problem(status, &body, 422);
    assert_eq!(errs[0].1, "conflict_of_interest", "{body}");
    let p = w
        .app
        .read_as(&format!("/api/v1/panels/{panel}"), &w.nation)
        .await;
    let flagged: Vec<(i64, bool)> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["assignments"].as_array().unwrap().clone())
        .map(|a| (a["id"].as_i64().unwrap(), a["conflict"].as_bool().unwrap()))
        .filter(|(_, c)| *c)
        .collect();
    assert_eq!(flagged, [(d_assignment, true)], "{p}");
    assert_eq!(p["closed_at"], Value::Null);
    let (status, html) = page(&w, &format!("/panels/{panel}"), &w.nation).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("须回避"),
        "the conflicted assignment is flagged"
    );
    assert!(
        html.contains(&format!("href=\"/identification/batches/{batch}\""))
            && html.contains("2026 年度认定批次"),
        "the panel names its batch"
    );

    // zj.e is assigned to B1 but has not scored when the list is approved.
    let (e_id, e_token) = experts[4].clone();
    let (status, e_on_b1) = assign(b1, e_id).await;
    assert_eq!(status, StatusCode::CREATED, "{e_on_b1}");
    let e_assignment = e_on_b1["id"].as_i64().unwrap();
    let approve = || {
        post(
            &w,
            path("review"),
            &w.nation,
            Some(json!({"decision": "approve"})),
        )
    };
    let (status, reviewed) = approve().await;
    assert_eq!(status, StatusCode::OK, "{reviewed}");
    let review_of = |list: &Value, p: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["product"] == w.ids[p])
            .cloned()
            .unwrap()
    };
    let before = w.app.read_as(&path("review"), &w.nation).await;
    assert_eq!(review_of(&before, "B1")["industry_score"], "70");
    assert_eq!(review_of(&before, "B1")["proposed"], true);

    // The panel is closed: no new assignment, no late score (a 0 would have pulled B1 under
    // the pass mark); the review list is what was approved.
    let (status, body) = assign(b1, experts[3].0).await;
    assert_problem(status, &body, 409);
    let (status, body) = score(e_assignment, e_token.clone(), "0").await;
    assert_problem(status, &body, 409);
    let after = w.app.read_as(&path("review"), &w.nation).await;
    assert_eq!(review_of(&after, "B1")["industry_score"], "70", "{after}");
    assert_eq!(review_of(&after, "B1")["proposed"], true);
    let p = w
        .app
        .read_as(&format!("/api/v1/panels/{panel}"), &w.nation)
        .await;
    assert!(p["closed_at"].is_string(), "{p}");
    let (_, html) = page(&w, &format!("/panels/{panel}"), &w.nation).await;
    assert!(html.contains("评审已结束"));
    assert!(
        !html.contains(&format!("action=\"/panels/{panel}/assignments\"")),
        "no assignment form"
    );
    // zj.e's own page says the panel closed and offers no score sheet; his queue lists it as
    // closed, not waiting.
    let sheet = format!("/expert/assignments/{e_assignment}");
    let (status, html) = page(&w, &sheet, &e_token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("结束评分") && html.contains("您未对该对象提交评分"),
        "{html}"
    );
    assert!(
        !html.contains(&format!("action=\"{sheet}\"")),
        "no score form"
    );
    let (_, html) = page(&w, "/expert/assignments", &e_token).await;
    assert!(
        html.contains("已结束评分（1）") && html.contains("待评分（0）"),
        "{html}"
    );

    // Sent back to the experts, the panel opens again: zj.e scores, the list is approved anew.
    let (status, back) = post(
        &w,
        path("review"),
        &w.nation,
        Some(json!({"decision": "return", "reason": "请补充专家意见"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{back}");
    let (status, body) = score(e_assignment, e_token.clone(), "70").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, reviewed) = approve().await;
    assert_eq!(status, StatusCode::OK, "{reviewed}");
    let (status, body) = score(d_assignment, d_token, "100").await;
    assert_problem(status, &body, 409);
    // Closed again: zj.e's page shows the scores he stored, not the form.
    let (_, html) = page(&w, &sheet, &e_token).await;
    assert!(
        html.contains("结束评分") && html.contains("已提交的评分") && html.contains(">70<"),
        "{html}"
    );
    assert!(
        !html.contains(&format!("action=\"{sheet}\"")),
        "no score form"
    );

    // Published. The national administrator answers the objections: he cannot file one, even
    // with his real name verified.
    let (status, published) = post(
        &w,
        path("publish"),
        &w.nation,
        Some(json!({"notice_days": 5})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    w.fresh_db
        .execute(Sql::new(
            "UPDATE users SET verification = 'verified' WHERE username = 'admin.nation'",
        ))
        .await
        .unwrap();
    let (status, body) = object(&w, batch, &w.nation, "B1", "自己提出的异议").await;
    assert_eq!(
        assert_problem(status, &body, 422),
        [("account".into(), "notice_owner".into())]
    );

    // Announced; the workbook names regions and fields and gives each outcome.
    w.clock.advance(time::Duration::days(30));
    let (status, body) = post(&w, path("announce"), &w.nation, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let res = w
        .app
        .client
        .get(
            w.app
                .url(&format!("/identification/batches/{batch}/export.xlsx")),
        )
        .bearer_auth(&w.nation)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let a3_row = rows
        .iter()
        .find(|r| r[col("产品编号")] == w.ids["A3"].to_string())
        .unwrap();
    assert_eq!(a3_row[col("行政区划")], "江西省抚州市临川区");
    assert_eq!(a3_row[col("行政区划代码")], "361002");
    assert_ne!(a3_row[col("领域")], "39");
    assert!(!a3_row[col("领域")].is_empty(), "{a3_row:?}");
    assert_eq!(a3_row[col("认定结果")], "已认定");
    assert_eq!(a3_row[col("认定编号")], "RD20273610020001");
    w.app.stop().await;
}

on_both_backends!(the_round_refuses_what_an_attacker_tried);
