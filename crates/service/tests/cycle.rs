//! The yearly cycle of a registration: a product approved in 2026 is updated in the first
//! quarter of 2027, reviewed, and its figures join the product; a product not updated is
//! marked so; a lapsed patent flags its products and prompts withdrawal; the rules, the
//! working-day calendar and the review deadline are data an official changes.

mod common;

use common::*;
use std::sync::Arc;
use time::Duration;
use zhichan_domain::access::Actor;
use zhichan_domain::calendar::{CalendarDay, DayKind};
use zhichan_domain::registration::UpdateStatus;
use zhichan_domain::rules::RegistrationRules;
use zhichan_service::annual::{UpdateInput, UpdateState};
use zhichan_service::clock::ManualClock;
use zhichan_service::enterprises::EnterpriseInput;
use zhichan_service::notifications::Channel;
use zhichan_service::patents::PatentInput;
use zhichan_service::products::{FiguresInput, LinkInput, ProductInput, ProductView};
use zhichan_service::{ServiceError, Services};
use zhichan_store::notifications::OutboxItem;
use zhichan_testkit::{on_both_backends, Fresh};

fn number(serial: u32) -> String {
    let first12 = format!("20212{serial:07}");
    format!(
        "{first12}.{}",
        zhichan_domain::patent_number::check_char12(&first12).unwrap()
    )
}

fn patent(serial: u32) -> PatentInput {
    PatentInput {
        number: number(serial),
        title: "一种数据采集装置".into(),
        patentees: vec!["抚州市临川区示例科技有限公司".into()],
        grant_date: Some("2021-03-02".into()),
        legal_status: "valid".into(),
        right: "own".into(),
        licence_record: String::new(),
    }
}

fn product(name: &str, patents: &[u32]) -> ProductInput {
    ProductInput {
        enterprise: LINCHUAN.into(),
        name: name.into(),
        model: "ZC-100".into(),
        field: "39".into(),
        description: "用于工业现场的数据采集".into(),
        first_sold_on: Some("2022-05-01".into()),
        figures: vec![FiguresInput {
            year: 2025,
            sales_revenue: "1000000.00".into(),
            output_value: "1200000.00".into(),
            ..FiguresInput::default()
        }],
        patents: patents
            .iter()
            .map(|n| LinkInput {
                patent: patent(*n),
                core: true,
                embodiment: "采集模块".into(),
            })
            .collect(),
    }
}

struct World {
    s: Services,
    clock: Arc<ManualClock>,
    firm: Actor,
    reviewer: Actor,
}

async fn world(fresh: &Fresh) -> World {
    let (s, clock) = services_and_clock(fresh);
    let firm = actor(&s, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    s.create_enterprise(
        &firm,
        &ctx(),
        EnterpriseInput {
            credit_code: LINCHUAN.into(),
            name: "抚州市临川区示例科技有限公司".into(),
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
    let reviewer = actor(&s, "rev.fuzhou", "reviewer", Some("361000"), None).await;
    World {
        s,
        clock,
        firm,
        reviewer,
    }
}

/// Registers, submits and approves a product; answers it as approved.
async fn registered(w: &World, name: &str, patents: &[u32]) -> ProductView {
    let v =
        w.s.create_product(&w.firm, &ctx(), product(name, patents))
            .await
            .unwrap();
    let v =
        w.s.submit_product(&w.firm, &ctx(), v.product.id, v.product.version)
            .await
            .unwrap();
    w.s.review_product(
        &w.reviewer,
        &ctx(),
        v.product.id,
        v.product.version,
        true,
        None,
    )
    .await
    .unwrap()
}

fn figures(year: i64, sales: &str) -> UpdateInput {
    UpdateInput {
        year,
        sales_revenue: sales.into(),
        output_value: "2000000.00".into(),
        export_value: Some("300000.00".into()),
        profit: Some("-12000.50".into()),
        ip_investment: Some("80000".into()),
        still_sold: true,
    }
}

fn code(e: &ServiceError) -> String {
    match e {
        ServiceError::Invalid(v) => v[0].violation.code.to_string(),
        other => format!("{other:?}"),
    }
}

async fn a_registered_product_is_updated_in_the_first_quarter(fresh: Fresh) {
    let w = world(&fresh).await;
    // 2 March 2026: approved now, so the first update is due in the 2027 window.
    let v = registered(&w, "智能数据采集终端", &[1]).await;
    let id = v.product.id;
    assert_eq!(v.product.registered_on.unwrap().to_string(), "2026-03-02");
    let cycle = w.s.cycle().await.unwrap();
    assert_eq!(cycle.state(&v.product, &[]), UpdateState::NotYetDue);
    // Outside the window the update is refused, saying when the next one is.
    let e =
        w.s.file_annual_update(&w.firm, &ctx(), id, figures(2025, "1.00"))
            .await
            .unwrap_err();
    assert_eq!(code(&e), "not_due", "registered inside this year's window");

    // 10 February 2027: the window for 2026's figures is open.
    w.clock.advance(Duration::days(345));
    let cycle = w.s.cycle().await.unwrap();
    assert_eq!(cycle.open.unwrap().year, 2026);
    let v = w.s.product(&w.firm, id).await.unwrap();
    assert!(matches!(
        cycle.state(&v.product, &[]),
        UpdateState::Due { .. }
    ));
    assert_eq!(w.s.remind_annual_updates().await.unwrap(), 1);
    assert_eq!(
        w.s.remind_annual_updates().await.unwrap(),
        0,
        "one reminder per year"
    );

    // Wrong year, negative sales and a product no longer sold are refused, nothing stored.
    let e =
        w.s.file_annual_update(&w.firm, &ctx(), id, figures(2025, "1.00"))
            .await
            .unwrap_err();
    assert_eq!(code(&e), "invalid_year");
    let e =
        w.s.file_annual_update(&w.firm, &ctx(), id, figures(2026, "-5"))
            .await
            .unwrap_err();
    assert_eq!(code(&e), "invalid_money");
    let mut gone = figures(2026, "1.00");
    gone.still_sold = false;
    let e =
        w.s.file_annual_update(&w.firm, &ctx(), id, gone)
            .await
            .unwrap_err();
    assert_eq!(code(&e), "withdraw_instead");
    assert!(w.s.annual_updates(&w.firm, id).await.unwrap().is_empty());

    let u =
        w.s.file_annual_update(&w.firm, &ctx(), id, figures(2026, "2500000.00"))
            .await
            .unwrap();
    assert_eq!(u.status, UpdateStatus::Submitted);
    assert_eq!(
        u.profit.to_string(),
        "-12000.50",
        "a loss is a negative profit"
    );
    let e =
        w.s.file_annual_update(&w.firm, &ctx(), id, figures(2026, "1.00"))
            .await
            .unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "filed once");

    // Returned with a reason, filed again, approved: the figures join the product.
    let (queue, total) = w.s.update_queue(&w.reviewer, 20, 0).await.unwrap();
    assert_eq!((total, queue[0].0.id), (1, u.id));
    assert_eq!(queue[0].1.id, id, "each update comes with its product");
    // A reviewer of another province neither sees nor decides it; another enterprise cannot
    // file for this product.
    let other = actor(&w.s, "rev.fujian", "reviewer", Some("350000"), None).await;
    assert_eq!(w.s.update_queue(&other, 20, 0).await.unwrap().1, 0);
    assert!(matches!(
        w.s.review_annual_update(&other, &ctx(), u.id, u.version, true, None)
            .await,
        Err(ServiceError::NotFound)
    ));
    let stranger = actor(&w.s, "fj.firm", "enterprise", None, Some(FUZHOU_FJ)).await;
    assert!(matches!(
        w.s.file_annual_update(&stranger, &ctx(), id, figures(2026, "1.00"))
            .await,
        Err(ServiceError::NotFound)
    ));
    let e =
        w.s.review_annual_update(&w.reviewer, &ctx(), u.id, u.version, false, None)
            .await
            .unwrap_err();
    assert_eq!(code(&e), "required");
    let r =
        w.s.review_annual_update(
            &w.reviewer,
            &ctx(),
            u.id,
            u.version,
            false,
            Some("产值明显有误"),
        )
        .await
        .unwrap();
    assert_eq!(r.status, UpdateStatus::Returned);
    let u =
        w.s.file_annual_update(&w.firm, &ctx(), id, figures(2026, "2600000.00"))
            .await
            .unwrap();
    assert_eq!((u.status, u.version), (UpdateStatus::Submitted, 3));
    let stale =
        w.s.review_annual_update(&w.reviewer, &ctx(), u.id, 1, true, None)
            .await
            .unwrap_err();
    assert!(matches!(stale, ServiceError::Conflict(_)));
    w.s.review_annual_update(&w.reviewer, &ctx(), u.id, u.version, true, None)
        .await
        .unwrap();
    let v = w.s.product(&w.firm, id).await.unwrap();
    let f = v.product.figures.iter().find(|f| f.year == 2026).unwrap();
    assert_eq!(f.sales_revenue.to_string(), "2600000.00");
    assert_eq!(f.export_value.unwrap().to_string(), "300000.00");
    let history = w.s.product_history(&w.firm, id).await.unwrap();
    assert!(history[0].note.contains("2026 年度信息更新通过"));
    let updates = w.s.annual_updates(&w.firm, id).await.unwrap();
    assert_eq!(
        w.s.cycle().await.unwrap().state(&v.product, &updates),
        UpdateState::Done
    );

    // The enterprise was told at each step.
    let (notes, _, unread) = w.s.notifications(&w.firm, 20, 0).await.unwrap();
    let kinds: Vec<&str> = notes.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "update_approved",
            "update_returned",
            "update_due",
            "product_approved"
        ]
    );
    assert_eq!(unread, 4);
    w.s.mark_notification_read(&w.firm, notes[0].id)
        .await
        .unwrap();
    assert_eq!(w.s.notifications(&w.firm, 20, 0).await.unwrap().2, 3);
}

async fn a_product_not_updated_by_the_deadline_is_marked(fresh: Fresh) {
    let w = world(&fresh).await;
    let v = registered(&w, "未更新的产品", &[2]).await;
    // 1 April 2027: the window closed without an update.
    w.clock.advance(Duration::days(395));
    let cycle = w.s.cycle().await.unwrap();
    assert!(cycle.open.is_none());
    let v = w.s.product(&w.firm, v.product.id).await.unwrap();
    assert_eq!(
        cycle.state(&v.product, &[]),
        UpdateState::NotUpdated { year: 2026 }
    );
    let d = w.s.enterprise_dashboard(&w.firm).await.unwrap();
    assert_eq!((d.update_due, d.update_done), (1, 0));
    assert!(d.attention[0]
        .reasons
        .iter()
        .any(|r| r.contains("2026 年度未更新")));
    let e =
        w.s.file_annual_update(&w.firm, &ctx(), v.product.id, figures(2026, "1.00"))
            .await
            .unwrap_err();
    assert_eq!(code(&e), "window_closed");
}

async fn a_lapsed_patent_flags_its_products_and_prompts_withdrawal(fresh: Fresh) {
    let w = world(&fresh).await;
    let both = registered(&w, "两件专利的产品", &[3, 4]).await;
    let one = registered(&w, "一件专利的产品", &[3]).await;
    let p = w.s.patents(&w.firm, LINCHUAN).await.unwrap();
    let lapsing = p
        .iter()
        .find(|x| x.number.to_string() == format!("ZL{}", number(3)))
        .unwrap();
    w.s.update_patent(
        &w.firm,
        &ctx(),
        LINCHUAN,
        &lapsing.number.to_string(),
        lapsing.version,
        |i| i.legal_status = "lapsed".into(),
    )
    .await
    .unwrap();
    let both = w.s.product(&w.firm, both.product.id).await.unwrap();
    let one = w.s.product(&w.firm, one.product.id).await.unwrap();
    assert!(both.has_lapsed_patent() && !both.should_withdraw());
    assert!(one.has_lapsed_patent() && one.should_withdraw());
    let (notes, _, _) = w.s.notifications(&w.firm, 20, 0).await.unwrap();
    let kinds: Vec<&str> = notes.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "patent_lapsed").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "withdraw_prompt").count(), 1);
    let d = w.s.enterprise_dashboard(&w.firm).await.unwrap();
    let prompt = d
        .attention
        .iter()
        .find(|a| a.view.product.id == one.product.id)
        .unwrap();
    assert!(prompt.reasons.iter().any(|r| r.contains("请撤销备案")));
    // Withdrawn, it leaves the statistics from today and asks nothing more.
    let gone =
        w.s.withdraw_product(
            &w.firm,
            &ctx(),
            one.product.id,
            one.product.version,
            "专利已失效",
        )
        .await
        .unwrap();
    assert_eq!(gone.product.withdrawn_on.unwrap().to_string(), "2026-03-02");
    assert!(!gone.should_withdraw());
}

struct Recorder(std::sync::Mutex<Vec<String>>, bool);

impl Channel for Recorder {
    fn name(&self) -> &'static str {
        "sms"
    }
    async fn send(&self, item: &OutboxItem) -> Result<(), String> {
        self.0
            .lock()
            .unwrap()
            .push(format!("{} {}", item.address, item.title));
        if self.1 {
            Ok(())
        } else {
            Err("网关无响应".into())
        }
    }
}

async fn notifications_wait_in_the_outbox_until_a_channel_sends_them(fresh: Fresh) {
    let w = world(&fresh).await;
    registered(&w, "短信通知的产品", &[5]).await;
    let failing = Recorder(Default::default(), false);
    assert_eq!(w.s.drain_outbox(&failing, 10).await.unwrap(), (0, 1));
    // Retried after a back-off, not before.
    assert_eq!(w.s.drain_outbox(&failing, 10).await.unwrap(), (0, 0));
    w.clock.advance(Duration::minutes(2));
    let ok = Recorder(Default::default(), true);
    assert_eq!(w.s.drain_outbox(&ok, 10).await.unwrap(), (1, 0));
    assert_eq!(
        ok.0.lock().unwrap().as_slice(),
        ["13900000000 “短信通知的产品”备案通过"]
    );
    assert_eq!(
        w.s.drain_outbox(&ok, 10).await.unwrap(),
        (0, 0),
        "sent once"
    );
}

async fn the_review_deadline_counts_working_days_on_the_calendar_in_force(fresh: Fresh) {
    let w = world(&fresh).await;
    // Submitted on Monday 2 March 2026: due five working days later, Monday 9 March.
    let v =
        w.s.create_product(&w.firm, &ctx(), product("待审核的产品", &[6]))
            .await
            .unwrap();
    let v =
        w.s.submit_product(&w.firm, &ctx(), v.product.id, v.product.version)
            .await
            .unwrap();
    let at = v.product.submitted_at.unwrap();
    let terms = w.s.review_terms().await.unwrap();
    assert_eq!(terms.deadline(at).due.to_string(), "2026-03-09");
    assert!(!terms.deadline(at).overdue());

    // A national administrator declares 4–6 March a holiday (a test of the data, not of
    // history) with its source; the deadline moves to Thursday 12 March.
    let nation = actor(&w.s, "admin.nation", "admin", Some("100000"), None).await;
    let cal = w.s.calendar().await.unwrap();
    assert_eq!(cal.version, 0);
    let mut days = cal.days.clone();
    for d in ["2026-03-04", "2026-03-05", "2026-03-06"] {
        days.push(CalendarDay {
            date: d.into(),
            kind: DayKind::Holiday,
            name: "测试假期".into(),
            source: "测试通知第一条".into(),
        });
    }
    let city = actor(&w.s, "admin.fuzhou", "admin", Some("361000"), None).await;
    let e =
        w.s.update_calendar(&city, &ctx(), 0, days.clone(), "测试")
            .await
            .unwrap_err();
    assert!(
        matches!(e, ServiceError::NotFound),
        "a city cannot change the nation's rules"
    );
    let e =
        w.s.update_calendar(&w.reviewer, &ctx(), 0, days.clone(), "测试")
            .await
            .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden));
    let e =
        w.s.update_calendar(&nation, &ctx(), 0, days.clone(), " ")
            .await
            .unwrap_err();
    assert_eq!(code(&e), "required", "a change says why");
    let c =
        w.s.update_calendar(&nation, &ctx(), 0, days.clone(), "录入测试假期")
            .await
            .unwrap();
    assert_eq!(c.version, 1);
    let e =
        w.s.update_calendar(&nation, &ctx(), 0, days, "再次保存")
            .await
            .unwrap_err();
    assert!(
        matches!(e, ServiceError::Conflict(_)),
        "based on a stale version"
    );
    let terms = w.s.review_terms().await.unwrap();
    assert_eq!(terms.deadline(at).due.to_string(), "2026-03-12");

    // Eight days on (Tuesday 17 March) it is three working days overdue.
    w.clock.advance(Duration::days(15));
    let terms = w.s.review_terms().await.unwrap();
    assert_eq!(terms.deadline(at).overdue_by, 3);

    // The registration rules change the same way: three working days, new templates.
    let r = w.s.registration_rules().await.unwrap();
    let bad = RegistrationRules {
        update_closes: "13-45".into(),
        ..r.rules.clone()
    };
    let e =
        w.s.update_registration_rules(&nation, &ctx(), 0, bad, "测试")
            .await
            .unwrap_err();
    assert!(matches!(e, ServiceError::Invalid(ref v) if v[0].field == "update_closes"));
    let new = RegistrationRules {
        review_working_days: 3,
        return_reasons: vec!["  请补充许可合同备案号  ".into()],
        ..r.rules
    };
    let r =
        w.s.update_registration_rules(&nation, &ctx(), 0, new, "按省局要求缩短时限")
            .await
            .unwrap();
    assert_eq!((r.version, r.rules.review_working_days), (1, 3));
    assert_eq!(r.rules.return_reasons, ["请补充许可合同备案号"]);
    let history =
        w.s.rules_history(&w.reviewer, "registration")
            .await
            .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].reason, "按省局要求缩短时限");
}

async fn a_reviewer_approves_many_at_once_and_hears_about_each(fresh: Fresh) {
    let w = world(&fresh).await;
    let mut items = Vec::new();
    for (i, n) in [7u32, 8, 9].iter().enumerate() {
        let v =
            w.s.create_product(&w.firm, &ctx(), product(&format!("批量产品{i}"), &[*n]))
                .await
                .unwrap();
        let v =
            w.s.submit_product(&w.firm, &ctx(), v.product.id, v.product.version)
                .await
                .unwrap();
        items.push((v.product.id, v.product.version));
    }
    // The third was seen at an old version: it alone fails.
    items[2].1 -= 1;
    let results =
        w.s.review_products(&w.reviewer, &ctx(), &items, true, None)
            .await
            .unwrap();
    let ok: Vec<bool> = results.iter().map(|(_, r)| r.is_ok()).collect();
    assert_eq!(ok, [true, true, false]);
    assert!(matches!(results[2].1, Err(ServiceError::Conflict(_))));
    let numbers: Vec<String> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .map(|v| v.product.registration_number.clone().unwrap())
        .collect();
    assert_eq!(numbers, ["BA2026361002000001", "BA2026361002000002"]);
    // A reviewer of another province sees none of them: each is "not found".
    let other = actor(&w.s, "rev.fujian", "reviewer", Some("350000"), None).await;
    let results =
        w.s.review_products(&other, &ctx(), &[(items[2].0, items[2].1 + 1)], true, None)
            .await
            .unwrap();
    assert!(matches!(results[0].1, Err(ServiceError::NotFound)));
    let e =
        w.s.review_products(&w.firm, &ctx(), &items, true, None)
            .await
            .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden));
}

async fn two_versions_are_compared_field_by_field(fresh: Fresh) {
    let w = world(&fresh).await;
    let v = registered(&w, "比较版本的产品", &[10]).await;
    // An amendment (变更), submitted and approved: the registered versions before and after
    // it compare field by field.
    let v =
        w.s.update_product(&w.firm, &ctx(), v.product.id, v.product.version, |p| {
            p.model = "ZC-300".into();
            p.figures[0].sales_revenue = "1100000.00".into();
        })
        .await
        .unwrap();
    let v =
        w.s.submit_product(&w.firm, &ctx(), v.product.id, v.product.version)
            .await
            .unwrap();
    let v =
        w.s.review_product(
            &w.reviewer,
            &ctx(),
            v.product.id,
            v.product.version,
            true,
            None,
        )
        .await
        .unwrap();
    let (a, b, changes) =
        w.s.product_diff(&w.firm, v.product.id, 3, v.product.version)
            .await
            .unwrap();
    assert_eq!((a.version, b.version), (3, 6));
    let what: Vec<&str> = changes.iter().map(|c| c.what.as_str()).collect();
    assert_eq!(what, ["型号规格", "年度数据 2025 销售收入"]);
    assert_eq!(changes[0].before, "ZC-100");
    // Another enterprise's product does not exist for the caller.
    let stranger = actor(&w.s, "fj.firm", "enterprise", None, Some(FUZHOU_FJ)).await;
    assert!(matches!(
        w.s.product_diff(&stranger, v.product.id, 1, 2).await,
        Err(ServiceError::NotFound)
    ));
}

/// The annual update of a product with an amendment in progress: the update's figures join the
/// registered version; the amendment waits, unchanged; the registered version is what
/// `registered_version` answers.
async fn an_amended_product_files_its_annual_update(fresh: Fresh) {
    let w = world(&fresh).await;
    let v = registered(&w, "变更中的产品", &[1]).await;
    let id = v.product.id;
    let v =
        w.s.update_product(&w.firm, &ctx(), id, v.product.version, |p| {
            p.name = "变更后的名称".into();
        })
        .await
        .unwrap();
    assert!(v.product.amendment.is_some());
    w.clock.advance(Duration::days(345));
    let u =
        w.s.file_annual_update(&w.firm, &ctx(), id, figures(2026, "2500000.00"))
            .await
            .unwrap();
    w.s.review_annual_update(&w.reviewer, &ctx(), u.id, u.version, true, None)
        .await
        .unwrap();
    let r =
        w.s.registered_version(&w.reviewer, id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(r.product.name, "变更中的产品");
    assert!(r.product.figures.iter().any(|f| f.year == 2026));
    let a = r.product.amendment.as_ref().expect("the amendment waits");
    assert!(a.content.contains("变更后的名称"));
    // A product that is not registered has no registered version.
    let draft =
        w.s.create_product(&w.firm, &ctx(), product("草稿产品", &[2]))
            .await
            .unwrap();
    assert!(w
        .s
        .registered_version(&w.firm, draft.product.id)
        .await
        .unwrap()
        .is_none());
}

on_both_backends!(a_registered_product_is_updated_in_the_first_quarter);
on_both_backends!(an_amended_product_files_its_annual_update);
on_both_backends!(a_product_not_updated_by_the_deadline_is_marked);
on_both_backends!(a_lapsed_patent_flags_its_products_and_prompts_withdrawal);
on_both_backends!(notifications_wait_in_the_outbox_until_a_channel_sends_them);
on_both_backends!(the_review_deadline_counts_working_days_on_the_calendar_in_force);
on_both_backends!(a_reviewer_approves_many_at_once_and_hears_about_each);
on_both_backends!(two_versions_are_compared_field_by_field);
