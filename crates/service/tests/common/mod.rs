//! What the service stories share: a clock that stands still, a request origin, and accounts
//! logged in as the role a story needs.

#![allow(dead_code)]

use std::sync::Arc;
use zhichan_domain::access::Actor;
use zhichan_domain::Timestamp;
use zhichan_service::accounts::NewAccount;
use zhichan_service::clock::ManualClock;
use zhichan_service::{Ctx, Services};
use zhichan_testkit::Fresh;

pub const PASSWORD: &str = "Lanting-Xu-2026";
/// Registered in 抚州市临川区 (361002).
pub const LINCHUAN: &str = "91361002MA35F6XK04";
/// Registered in 福州市 (350100).
pub const FUZHOU_FJ: &str = "91350100M000100Y43";

pub fn services(fresh: &Fresh) -> Services {
    services_and_clock(fresh).0
}

pub fn services_and_clock(fresh: &Fresh) -> (Services, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::at(
        Timestamp::parse("2026-03-02T01:00:00.000Z").unwrap(),
    ));
    (Services::with_clock(fresh.db.clone(), clock.clone()), clock)
}

pub fn ctx() -> Ctx {
    Ctx {
        ip: "10.0.0.7".into(),
        user_agent: "test".into(),
    }
}

/// Creates an account as `zhichan user add` does, logs it in, and answers its actor.
pub async fn actor(
    s: &Services,
    name: &str,
    role: &str,
    region: Option<&str>,
    enterprise: Option<&str>,
) -> Actor {
    s.create_user_by_operator(NewAccount {
        username: name.into(),
        role: role.into(),
        region: region.map(Into::into),
        enterprise: enterprise.map(Into::into),
        password: Some(PASSWORD.into()),
        ..NewAccount::default()
    })
    .await
    .unwrap();
    // Offices in the stories work through an open management port (the ports story tests
    // the closed ones).
    if role == "admin" {
        if let Some(r) = region {
            s.open_port_by_operator(zhichan_domain::RegionCode::parse(r).unwrap(), "测试")
                .await
                .unwrap();
        }
    }
    s.login(&ctx(), name, PASSWORD, None, None)
        .await
        .unwrap()
        .auth
        .actor
}
