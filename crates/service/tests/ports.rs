//! A province applies to open its management port and the nation approves it; the province
//! opens its cities; until then an office's administrators see nothing.

mod common;

use common::*;
use zhichan_domain::access::Actor;
use zhichan_domain::RegionCode;
use zhichan_service::accounts::NewAccount;
use zhichan_service::ports::Application;
use zhichan_service::{ServiceError, Services};
use zhichan_testkit::{on_both_backends, Fresh};

/// An administrator created the way `zhichan user add` does, with no port opened for it.
async fn office(s: &Services, name: &str, region: &str) -> Actor {
    s.create_user_by_operator(NewAccount {
        username: name.into(),
        role: "admin".into(),
        region: Some(region.into()),
        password: Some(PASSWORD.into()),
        ..NewAccount::default()
    })
    .await
    .unwrap();
    s.login(&ctx(), name, PASSWORD, None, None)
        .await
        .unwrap()
        .auth
        .actor
}

fn application(unit: &str) -> Application {
    Application {
        unit: unit.into(),
        contact_name: "李明".into(),
        contact_phone: "0791-88888888".into(),
        contact_email: "ipo@example.cn".into(),
        purpose: "全省专利产品备案管理".into(),
    }
}

fn r(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

async fn a_province_applies_the_nation_approves_and_the_province_opens_its_cities(fresh: Fresh) {
    let s = services(&fresh);
    s.prepare_demo().await.unwrap();
    let nation = office(&s, "adm.nation", "100000").await;
    let jiangxi = office(&s, "adm.jx", "360000").await;
    let fuzhou = office(&s, "adm.fz", "361000").await;
    let nanchang = office(&s, "adm.nc", "360100").await;
    // Demo offices opened 江西 already: close it to start from nothing.
    let p = s.ports(&nation).await.unwrap();
    let jx = p.iter().find(|p| p.region == r("360000")).unwrap();
    s.close_port(&nation, &ctx(), r("360000"), jx.version, "重新申请")
        .await
        .unwrap();

    assert!(matches!(
        s.stats_summary(&jiangxi, None).await,
        Err(ServiceError::PortClosed)
    ));
    assert!(matches!(
        s.directories(&fuzhou).await,
        Err(ServiceError::PortClosed)
    ));

    // The application is checked field by field; a city cannot apply to the nation.
    let mut bad = application("");
    bad.contact_email = "none".into();
    let e = s.apply_port(&jiangxi, &ctx(), bad).await.unwrap_err();
    assert!(matches!(e, ServiceError::Invalid(ref v) if v.len() == 2));
    assert!(matches!(
        s.apply_port(&fuzhou, &ctx(), application("抚州市")).await,
        Err(ServiceError::Invalid(_))
    ));
    let applied = s
        .apply_port(&jiangxi, &ctx(), application("江西省知识产权局"))
        .await
        .unwrap();
    assert_eq!(applied.status, "applied");
    assert!(matches!(
        s.apply_port(&jiangxi, &ctx(), application("江西省知识产权局"))
            .await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        s.stats_summary(&jiangxi, None).await,
        Err(ServiceError::PortClosed)
    ));

    // Only the nation decides; a rejection needs a reason.
    assert!(matches!(
        s.decide_port(&jiangxi, &ctx(), r("360000"), applied.version, true, None)
            .await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        s.decide_port(&nation, &ctx(), r("360000"), applied.version, false, None)
            .await,
        Err(ServiceError::Invalid(_))
    ));
    let open = s
        .decide_port(&nation, &ctx(), r("360000"), applied.version, true, None)
        .await
        .unwrap();
    assert_eq!(open.status, "open");
    assert!(s.stats_summary(&jiangxi, None).await.is_ok());

    // 抚州 had its port opened before (by the demo's operator): it works again with its
    // province. 南昌 never had one until the province opens it (its own cities only).
    assert!(s.stats_summary(&fuzhou, None).await.is_ok());
    assert!(matches!(
        s.stats_summary(&nanchang, None).await,
        Err(ServiceError::PortClosed)
    ));
    assert!(matches!(
        s.open_child_port(&jiangxi, &ctx(), r("350100"), application("福州市"))
            .await,
        Err(ServiceError::NotFound)
    ));
    s.open_child_port(
        &jiangxi,
        &ctx(),
        r("360100"),
        application("南昌市市场监督管理局（知识产权局）"),
    )
    .await
    .unwrap();
    assert!(s.stats_summary(&nanchang, None).await.is_ok());
    // Closing the province closes everything under it.
    let p = s.ports(&nation).await.unwrap();
    let jx = p.iter().find(|p| p.region == r("360000")).unwrap();
    s.close_port(&nation, &ctx(), r("360000"), jx.version, "停用")
        .await
        .unwrap();
    assert!(matches!(
        s.stats_summary(&nanchang, None).await,
        Err(ServiceError::PortClosed)
    ));
    assert!(matches!(
        s.stats_summary(&fuzhou, None).await,
        Err(ServiceError::PortClosed)
    ));
    // Reviewers and enterprises never needed a port.
    let firm = s
        .login(
            &ctx(),
            "qiye",
            zhichan_service::demo::DEMO_PASSWORD,
            None,
            None,
        )
        .await
        .unwrap()
        .auth
        .actor;
    assert!(s.port_gate(&firm).await.is_ok());
}

on_both_backends!(a_province_applies_the_nation_approves_and_the_province_opens_its_cities);

async fn a_city_office_that_closes_a_county_port_can_reopen_it(fresh: Fresh) {
    let s = services(&fresh);
    let jiangxi = office(&s, "adm.jx", "360000").await;
    let fuzhou = office(&s, "adm.fz", "361000").await;
    let linchuan = office(&s, "adm.lc", "361002").await;
    let auditor = actor(&s, "shenji", "auditor", None, None).await;
    s.open_port_by_operator(r("361000"), "抚州市市场监督管理局（知识产权局）")
        .await
        .unwrap();
    s.open_child_port(&jiangxi, &ctx(), r("361002"), application("临川区"))
        .await
        .unwrap();
    assert!(s.port_gate(&linchuan).await.is_ok());
    let version = |ports: Vec<zhichan_store::ports::Port>, code: &str| {
        ports.iter().find(|p| p.region == r(code)).unwrap().version
    };

    // 抚州 closes its county's port with a reason, and 临川 is shut out…
    let v = version(s.ports(&fuzhou).await.unwrap(), "361002");
    s.close_port(&fuzhou, &ctx(), r("361002"), v, "信息整改")
        .await
        .unwrap();
    assert!(matches!(
        s.port_gate(&linchuan).await,
        Err(ServiceError::PortClosed)
    ));
    // …until the same city reopens it, with the details on file…
    let v = version(s.ports(&fuzhou).await.unwrap(), "361002");
    let p = s
        .reopen_port(&fuzhou, &ctx(), r("361002"), v)
        .await
        .unwrap();
    assert_eq!(p.status, "open");
    assert_eq!(p.decided_by.as_deref(), Some("adm.fz"));
    assert_eq!(p.reason, None, "the closing reason no longer stands");
    assert!(s.port_gate(&linchuan).await.is_ok());
    assert!(matches!(
        s.reopen_port(&fuzhou, &ctx(), r("361002"), p.version).await,
        Err(ServiceError::Invalid(_))
    ));
    // …or with new ones, as its province would.
    s.close_port(&fuzhou, &ctx(), r("361002"), p.version, "更换联系人")
        .await
        .unwrap();
    let p = s
        .open_child_port(
            &fuzhou,
            &ctx(),
            r("361002"),
            application("临川区知识产权局"),
        )
        .await
        .unwrap();
    assert_eq!(
        (p.status.as_str(), p.unit.as_str()),
        ("open", "临川区知识产权局")
    );

    // Another city's county, its own port and its parent's are not the city's to manage:
    // they do not exist for it, and every attempt is on record with where it came from.
    s.open_port_by_operator(r("360102"), "东湖区")
        .await
        .unwrap();
    let v = version(s.ports(&jiangxi).await.unwrap(), "360102");
    let probes = [
        s.close_port(&fuzhou, &ctx(), r("360102"), v, "越权").await,
        s.open_child_port(&fuzhou, &ctx(), r("360102"), application("东湖区"))
            .await,
        s.reopen_port(&fuzhou, &ctx(), r("360102"), v).await,
        s.close_port(&fuzhou, &ctx(), r("361000"), 1, "关闭本级")
            .await,
        s.close_port(&linchuan, &ctx(), r("361000"), 1, "关闭上级")
            .await,
    ];
    assert!(
        probes
            .iter()
            .all(|p| matches!(p, Err(ServiceError::NotFound))),
        "{probes:?}"
    );
    let origin = ctx();
    let from_afar = ctx().serving(s.close_port(&fuzhou, &origin, r("360102"), v, "越权"));
    assert!(matches!(from_afar.await, Err(ServiceError::NotFound)));
    let filter = zhichan_store::audit::Filter {
        action: Some("access.out_of_scope".into()),
        ..Default::default()
    };
    let (refused, _) = s.audit_search(&auditor, &filter, 50, 0).await.unwrap();
    let seen: Vec<(&str, &str)> = refused
        .iter()
        .map(|e| (e.username.as_str(), e.object.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("adm.fz", "port:360102"),
            ("adm.lc", "port:361000"),
            ("adm.fz", "port:361000"),
            ("adm.fz", "port:360102"),
            ("adm.fz", "port:360102"),
            ("adm.fz", "port:360102"),
        ]
    );
    assert_eq!(
        refused[0].ip,
        ctx().ip,
        "the address of the request it refused"
    );
    assert_eq!(refused[0].outcome, "denied");
    // The port itself is untouched.
    let v2 = version(s.ports(&jiangxi).await.unwrap(), "360102");
    assert_eq!(v, v2);
}

on_both_backends!(a_city_office_that_closes_a_county_port_can_reopen_it);
