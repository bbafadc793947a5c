//! An enterprise registers a product with two patents; the reviewer returns it, it is fixed and
//! approved, and the city sees it.

mod common;

use common::*;
use zhichan_domain::access::Actor;
use zhichan_service::enterprises::EnterpriseInput;
use zhichan_service::patents::PatentInput;
use zhichan_service::products::{FiguresInput, LinkInput, ProductInput};
use zhichan_service::{ServiceError, Services};
use zhichan_testkit::{on_both_backends, Fresh};

fn patent(number: &str) -> PatentInput {
    PatentInput {
        number: number.into(),
        title: "一种数据采集装置".into(),
        patentees: vec!["抚州市临川区示例科技有限公司".into()],
        grant_date: Some("2021-03-02".into()),
        legal_status: "valid".into(),
        right: "own".into(),
        licence_record: String::new(),
    }
}

fn utility() -> String {
    let first12 = "202120123456";
    format!(
        "{first12}.{}",
        zhichan_domain::patent_number::check_char12(first12).unwrap()
    )
}

fn product(patents: Vec<PatentInput>) -> ProductInput {
    ProductInput {
        enterprise: LINCHUAN.into(),
        name: "智能数据采集终端".into(),
        model: "ZC-100".into(),
        field: "39".into(),
        description: "用于工业现场的数据采集".into(),
        first_sold_on: Some("2022-05-01".into()),
        figures: vec![FiguresInput {
            year: 2025,
            sales_revenue: "12345678.90".into(),
            output_value: "13000000".into(),
            ..FiguresInput::default()
        }],
        patents: patents
            .into_iter()
            .enumerate()
            .map(|(i, p)| LinkInput {
                patent: p,
                core: i == 0,
                embodiment: "采集模块".into(),
            })
            .collect(),
    }
}

async fn setup(s: &Services) -> Actor {
    let firm = actor(s, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
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
            contact_phone: "0794-8888888".into(),
            ..EnterpriseInput::default()
        },
    )
    .await
    .unwrap();
    firm
}

async fn a_product_is_returned_fixed_and_approved(fresh: Fresh) {
    let s = services(&fresh);
    let firm = setup(&s).await;
    s.add_patent(&firm, &ctx(), LINCHUAN, patent("201910725275.4"))
        .await
        .unwrap();
    // One patent already in the enterprise's list, one new with the product.
    let v = s
        .create_product(
            &firm,
            &ctx(),
            product(vec![patent("ZL201910725275.4"), patent(&utility())]),
        )
        .await
        .unwrap();
    let id = v.product.id;
    assert_eq!(v.product.status.as_str(), "draft");
    assert_eq!(v.patents.len(), 2);
    assert_eq!(
        v.product.figures[0].sales_revenue.to_string(),
        "12345678.90"
    );
    assert_eq!(
        s.patents(&firm, LINCHUAN).await.unwrap().len(),
        2,
        "the new patent joined the list"
    );

    let v = s.submit_product(&firm, &ctx(), id, 1).await.unwrap();
    assert_eq!(v.product.status.as_str(), "submitted");
    // A submitted product cannot be edited meanwhile.
    let e = s
        .update_product(&firm, &ctx(), id, 2, |p| p.model = "ZC-200".into())
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::Invalid(ref f) if f[0].violation.code == "invalid_transition")
    );

    let reviewer = actor(&s, "rev.fuzhou", "reviewer", Some("361000"), None).await;
    let other_reviewer = actor(&s, "rev.nanchang", "reviewer", Some("360100"), None).await;
    let (queue, _) = s
        .products(
            &reviewer,
            &zhichan_service::products::Filter {
                status: Some(zhichan_domain::registration::ProductStatus::Submitted),
                queue_order: true,
                ..Default::default()
            },
            20,
            0,
        )
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
    assert!(matches!(
        s.product(&other_reviewer, id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        s.review_product(&other_reviewer, &ctx(), id, 2, true, None)
            .await,
        Err(ServiceError::NotFound)
    ));
    assert!(
        matches!(
            s.review_product(&firm, &ctx(), id, 2, true, None).await,
            Err(ServiceError::Forbidden)
        ),
        "an enterprise does not approve itself"
    );

    let v = s
        .review_product(&reviewer, &ctx(), id, 2, false, Some("型号与说明书不一致"))
        .await
        .unwrap();
    assert_eq!(v.product.status.as_str(), "returned");
    assert_eq!(
        v.product.return_reason.as_deref(),
        Some("型号与说明书不一致")
    );

    let v = s
        .update_product(&firm, &ctx(), id, 3, |p| p.model = "ZC-100A".into())
        .await
        .unwrap();
    assert_eq!(
        (v.product.version, v.product.model.as_str()),
        (4, "ZC-100A")
    );
    // Someone working from version 3 is told, and loses nothing stored.
    assert!(matches!(
        s.update_product(&firm, &ctx(), id, 3, |p| p.name = "x".into())
            .await,
        Err(ServiceError::Conflict(_))
    ));
    s.submit_product(&firm, &ctx(), id, 4).await.unwrap();
    let v = s
        .review_product(&reviewer, &ctx(), id, 5, true, None)
        .await
        .unwrap();
    assert_eq!(v.product.status.as_str(), "approved");
    assert_eq!(
        v.product.registration_number.as_deref(),
        Some("BA2026361002000001")
    );

    let history = s.product_history(&firm, id).await.unwrap();
    let statuses: Vec<&str> = history.iter().rev().map(|h| h.status.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "draft",
            "submitted",
            "returned",
            "returned",
            "submitted",
            "approved"
        ]
    );

    let city = actor(&s, "adm.fuzhou", "admin", Some("361000"), None).await;
    assert_eq!(s.product(&city, id).await.unwrap().product.id, id);
    let neighbour = actor(&s, "adm.nanchang", "admin", Some("360100"), None).await;
    assert!(matches!(
        s.product(&neighbour, id).await,
        Err(ServiceError::NotFound)
    ));
    let (seen, total) = s
        .products(&neighbour, &Default::default(), 20, 0)
        .await
        .unwrap();
    assert_eq!((seen.len(), total), (0, 0));
    assert!(s.audit_verify().await.unwrap().broken.is_none());
}
on_both_backends!(a_product_is_returned_fixed_and_approved);

async fn a_product_needs_a_patent_in_force(fresh: Fresh) {
    let s = services(&fresh);
    let firm = setup(&s).await;
    let e = s
        .create_product(&firm, &ctx(), product(vec![]))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::Invalid(ref f) if f[0].violation.code == "missing_patent" && f[0].field == "patents")
    );

    let mut lapsed = patent("201910725275.4");
    lapsed.legal_status = "lapsed".into();
    let e = s
        .create_product(&firm, &ctx(), product(vec![lapsed]))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::Invalid(ref f) if f[0].violation.code == "patent_not_in_force")
    );

    let mut bad = product(vec![patent("201910725275.5")]);
    bad.field = "98".into();
    bad.figures[0].sales_revenue = "12.345".into();
    let Err(ServiceError::Invalid(f)) = s.create_product(&firm, &ctx(), bad).await else {
        panic!()
    };
    let got: Vec<(&str, &str)> = f
        .iter()
        .map(|x| (x.field.as_str(), x.violation.code))
        .collect();
    assert_eq!(
        got,
        [
            ("field", "invalid_industry"),
            ("figures[0].sales_revenue", "invalid_money"),
            ("patents[0].number", "invalid_patent_number"),
        ]
    );

    // A patent that lapses after the draft was saved stops the submission.
    let v = s
        .create_product(&firm, &ctx(), product(vec![patent("201910725275.4")]))
        .await
        .unwrap();
    s.update_patent(&firm, &ctx(), LINCHUAN, "201910725275.4", 1, |p| {
        p.legal_status = "lapsed".into()
    })
    .await
    .unwrap();
    let e = s
        .submit_product(&firm, &ctx(), v.product.id, 1)
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::Invalid(ref f) if f[0].violation.code == "patent_not_in_force")
    );
}
on_both_backends!(a_product_needs_a_patent_in_force);

async fn an_approved_product_is_withdrawn_with_a_reason_and_kept(fresh: Fresh) {
    let s = services(&fresh);
    let firm = setup(&s).await;
    let reviewer = actor(&s, "rev.fuzhou", "reviewer", Some("361000"), None).await;
    let v = s
        .create_product(&firm, &ctx(), product(vec![patent("201910725275.4")]))
        .await
        .unwrap();
    let id = v.product.id;
    assert!(
        matches!(
            s.withdraw_product(&firm, &ctx(), id, 1, "退市").await,
            Err(ServiceError::Invalid(ref f)) if f[0].violation.code == "invalid_transition"
        ),
        "a draft is not withdrawn, it is simply not submitted"
    );
    s.submit_product(&firm, &ctx(), id, 1).await.unwrap();
    let v = s
        .review_product(&reviewer, &ctx(), id, 2, true, None)
        .await
        .unwrap();
    assert!(matches!(
        s.withdraw_product(&firm, &ctx(), id, 3, "  ").await,
        Err(ServiceError::Invalid(ref f)) if f[0].field == "reason"
    ));
    let w = s
        .withdraw_product(&firm, &ctx(), id, 3, "产品已于 2026 年停产退市")
        .await
        .unwrap();
    assert_eq!(w.product.status.as_str(), "withdrawn");
    assert_eq!(
        w.product.registration_number, v.product.registration_number,
        "the number stays"
    );
    assert_eq!(
        s.product(&firm, id).await.unwrap().product.status.as_str(),
        "withdrawn"
    );
    assert_eq!(s.product_history(&firm, id).await.unwrap().len(), 4);
}
on_both_backends!(an_approved_product_is_withdrawn_with_a_reason_and_kept);
