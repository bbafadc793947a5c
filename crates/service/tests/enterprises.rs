//! An enterprise keeps its profile; officials see the profiles of their region only.

mod common;

use common::*;
use zhichan_service::enterprises::{EnterpriseInput, QualificationInput};
use zhichan_service::ServiceError;
use zhichan_testkit::{on_both_backends, Fresh};

fn profile(code: &str) -> EnterpriseInput {
    EnterpriseInput {
        credit_code: code.into(),
        name: "抚州市临川区示例科技有限公司".into(),
        region: String::new(),
        address: "抚州市临川区文昌大道 1 号".into(),
        scale: "small".into(),
        ownership: "private".into(),
        industry: "C39".into(),
        contact_name: "王芳".into(),
        contact_phone: "0794-8888888".into(),
        contact_email: "wang@example.cn".into(),
        qualifications: vec![QualificationInput {
            kind: "high_tech".into(),
            level: "national".into(),
            valid_from: Some("2024-01-01".into()),
            valid_to: Some("2026-12-31".into()),
            certificate: "GR202436000123".into(),
        }],
    }
}

async fn an_enterprise_keeps_its_profile_and_every_version_is_kept(fresh: Fresh) {
    let s = services(&fresh);
    let firm = actor(&s, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    let e = s
        .create_enterprise(&firm, &ctx(), profile(LINCHUAN))
        .await
        .unwrap();
    assert_eq!(
        e.region.to_string(),
        "361002",
        "the region comes from the credit code"
    );
    assert_eq!(e.industry.as_str(), "39");
    assert_eq!(e.qualifications.len(), 1);

    // Not for another credit code, and not twice.
    assert!(matches!(
        s.create_enterprise(&firm, &ctx(), profile(FUZHOU_FJ)).await,
        Err(ServiceError::NotFound)
    ));
    let reviewer = actor(&s, "rev.nation", "reviewer", Some("100000"), None).await;
    assert!(matches!(
        s.create_enterprise(&reviewer, &ctx(), profile(LINCHUAN))
            .await,
        Err(ServiceError::Taken(ref v)) if v.violation.code == "credit_code_taken"
    ));

    // Two people edit from version 1: the second is told, and loses nothing already stored.
    let v2 = s
        .update_enterprise(&firm, &ctx(), LINCHUAN, 1, |p| p.scale = "medium".into())
        .await
        .unwrap();
    assert_eq!((v2.version, v2.scale.as_str()), (2, "medium"));
    let stale = s
        .update_enterprise(&reviewer, &ctx(), LINCHUAN, 1, |p| {
            p.address = "别处".into()
        })
        .await;
    assert!(matches!(stale, Err(ServiceError::Conflict(_))));
    let now = s.enterprise(&firm, LINCHUAN).await.unwrap();
    assert_eq!(
        (now.version, now.address.as_str()),
        (2, "抚州市临川区文昌大道 1 号")
    );

    let history = s.enterprise_history(&firm, LINCHUAN).await.unwrap();
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        [2, 1]
    );
    assert!(
        history[1].snapshot.contains("\"small\"") && history[0].snapshot.contains("\"medium\"")
    );
    assert!(s.audit_verify().await.unwrap().broken.is_none());
}
on_both_backends!(an_enterprise_keeps_its_profile_and_every_version_is_kept);

async fn officials_see_only_their_subtree(fresh: Fresh) {
    let s = services(&fresh);
    let nation = actor(&s, "rev.nation", "reviewer", Some("100000"), None).await;
    s.create_enterprise(&nation, &ctx(), profile(LINCHUAN))
        .await
        .unwrap();
    let mut fj = profile(FUZHOU_FJ);
    fj.name = "福州示例电子有限公司".into();
    // Its code was issued in 福州市 itself, which names no county: 鼓楼区 is typed.
    fj.region = "350102".into();
    s.create_enterprise(&nation, &ctx(), fj).await.unwrap();

    for (name, region, sees_linchuan, sees_fujian) in [
        ("adm.jiangxi", "360000", true, false),
        ("adm.fuzhou", "361000", true, false),
        ("adm.linchuan", "361002", true, false),
        ("adm.nanchang", "360100", false, false),
        ("adm.fujian", "350000", false, true),
    ] {
        let a = actor(&s, name, "admin", Some(region), None).await;
        let (list, total) = s.enterprises(&a, None, 50, 0).await.unwrap();
        assert_eq!(total as usize, list.len());
        let codes: Vec<&str> = list.iter().map(|e| e.credit_code.as_str()).collect();
        assert_eq!(codes.contains(&LINCHUAN), sees_linchuan, "{name} list");
        assert_eq!(codes.contains(&FUZHOU_FJ), sees_fujian, "{name} list");
        let one = s.enterprise(&a, LINCHUAN).await;
        assert_eq!(one.is_ok(), sees_linchuan, "{name} detail");
        if !sees_linchuan {
            assert!(matches!(one, Err(ServiceError::NotFound)));
        }
        // Administrators read; they do not edit.
        assert!(matches!(
            s.update_enterprise(&a, &ctx(), LINCHUAN, 1, |p| p.name = "x公司".into())
                .await,
            Err(ServiceError::Forbidden)
        ));
    }
    // An enterprise sees itself only.
    let firm = actor(&s, "fj.firm", "enterprise", None, Some(FUZHOU_FJ)).await;
    let (list, _) = s.enterprises(&firm, None, 50, 0).await.unwrap();
    assert_eq!(
        list.iter()
            .map(|e| e.credit_code.as_str())
            .collect::<Vec<_>>(),
        [FUZHOU_FJ]
    );
    assert!(matches!(
        s.enterprise(&firm, LINCHUAN).await,
        Err(ServiceError::NotFound)
    ));
    let (found, _) = s.enterprises(&nation, Some("福州"), 50, 0).await.unwrap();
    assert_eq!(found.len(), 1);
}
on_both_backends!(officials_see_only_their_subtree);

async fn a_bad_profile_names_every_bad_field_and_stores_nothing(fresh: Fresh) {
    let s = services(&fresh);
    let reviewer = actor(&s, "rev.nation", "reviewer", Some("100000"), None).await;
    let bad = EnterpriseInput {
        credit_code: "91361002MA35F6XK05".into(),
        name: "x".into(),
        region: "369999".into(),
        scale: "huge".into(),
        ownership: "mixed".into(),
        industry: "C98".into(),
        contact_phone: "call me".into(),
        qualifications: vec![QualificationInput {
            kind: "famous".into(),
            level: "national".into(),
            valid_from: Some("2024-02-30".into()),
            ..QualificationInput::default()
        }],
        ..profile(LINCHUAN)
    };
    let Err(ServiceError::Invalid(v)) = s.create_enterprise(&reviewer, &ctx(), bad).await else {
        panic!("invalid")
    };
    let got: Vec<(&str, &str)> = v
        .iter()
        .map(|f| (f.field.as_str(), f.violation.code))
        .collect();
    assert_eq!(
        got,
        [
            ("credit_code", "invalid_credit_code"),
            ("name", "required"),
            ("region", "invalid_region"),
            ("scale", "invalid_scale"),
            ("ownership", "invalid_ownership"),
            ("industry", "invalid_industry"),
            ("qualifications[0].kind", "invalid_qualification"),
            ("qualifications[0].valid_from", "invalid_date"),
            ("contact.phone", "invalid_phone"),
        ]
    );
    let (list, _) = s.enterprises(&reviewer, None, 10, 0).await.unwrap();
    assert!(list.is_empty());
}
on_both_backends!(a_bad_profile_names_every_bad_field_and_stores_nothing);

fn patent(number: &str) -> zhichan_service::patents::PatentInput {
    zhichan_service::patents::PatentInput {
        number: number.into(),
        title: "一种数据采集装置".into(),
        patentees: vec!["抚州市临川区示例科技有限公司".into()],
        grant_date: Some("2021-03-02".into()),
        legal_status: "valid".into(),
        right: "own".into(),
        licence_record: String::new(),
    }
}

async fn an_enterprise_lists_its_patents_and_marks_one_lapsed(fresh: Fresh) {
    let s = services(&fresh);
    let firm = actor(&s, "linchuan.tech", "enterprise", None, Some(LINCHUAN)).await;
    s.create_enterprise(&firm, &ctx(), profile(LINCHUAN))
        .await
        .unwrap();

    let p = s
        .add_patent(&firm, &ctx(), LINCHUAN, patent("201910725275.4"))
        .await
        .unwrap();
    assert_eq!(p.number.to_string(), "ZL201910725275.4");
    assert!(
        matches!(
            s.add_patent(&firm, &ctx(), LINCHUAN, patent("ZL 2019 1 0725275.4"))
                .await,
            Err(ServiceError::Conflict(_))
        ),
        "the same number in another spelling"
    );

    let mut licensed = patent("201910725275.4");
    licensed.number = "2020100012348".into();
    licensed.right = "exclusive".into();
    let Err(ServiceError::Invalid(v)) = s
        .add_patent(&firm, &ctx(), LINCHUAN, licensed.clone())
        .await
    else {
        panic!("a licence needs its record number");
    };
    assert_eq!(
        v.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
        ["number", "licence_record"]
    );

    let mut bad = patent("201910725275.5");
    bad.grant_date = Some("2018-01-01".into());
    bad.legal_status = "expired".into();
    let Err(ServiceError::Invalid(v)) = s.add_patent(&firm, &ctx(), LINCHUAN, bad).await else {
        panic!("invalid");
    };
    let codes: Vec<&str> = v.iter().map(|f| f.violation.code).collect();
    assert_eq!(codes, ["invalid_patent_number", "invalid_legal_status"]);

    let lapsed = s
        .update_patent(&firm, &ctx(), LINCHUAN, "ZL201910725275.4", 1, |p| {
            p.legal_status = "lapsed".into()
        })
        .await
        .unwrap();
    assert!(!lapsed.legal_status.in_force());
    assert!(lapsed.status_since > p.status_since || lapsed.status_since == s.now());
    assert!(matches!(
        s.update_patent(&firm, &ctx(), LINCHUAN, "ZL201910725275.4", 1, |p| p
            .title =
            "x".into())
            .await,
        Err(ServiceError::Conflict(_))
    ));

    // Other enterprises and other regions see nothing of it.
    let other = actor(&s, "fj.firm", "enterprise", None, Some(FUZHOU_FJ)).await;
    assert!(matches!(
        s.patents(&other, LINCHUAN).await,
        Err(ServiceError::NotFound)
    ));
    let nanchang = actor(&s, "adm.nanchang", "admin", Some("360100"), None).await;
    assert!(matches!(
        s.patents(&nanchang, LINCHUAN).await,
        Err(ServiceError::NotFound)
    ));
    let fuzhou = actor(&s, "adm.fuzhou", "admin", Some("361000"), None).await;
    assert_eq!(s.patents(&fuzhou, LINCHUAN).await.unwrap().len(), 1);
    assert!(matches!(
        s.add_patent(&fuzhou, &ctx(), LINCHUAN, patent("2020100012348"))
            .await,
        Err(ServiceError::Forbidden)
    ));
}
on_both_backends!(an_enterprise_lists_its_patents_and_marks_one_lapsed);
