//! An enterprise signs itself up and is verified by the reviewer of its region.

use std::sync::Arc;
use zhichan_domain::Timestamp;
use zhichan_service::accounts::NewAccount;
use zhichan_service::clock::ManualClock;
use zhichan_service::verification::Application;
use zhichan_service::{Ctx, ServiceError, Services};
use zhichan_testkit::{on_both_backends, Fresh};

const PASSWORD: &str = "Lanting-Xu-2026";
/// Registered in 抚州市临川区 (361002).
const CREDIT_CODE: &str = "91361002MA35F6XK04";

fn services(fresh: &Fresh) -> Services {
    let clock = Arc::new(ManualClock::at(
        Timestamp::parse("2026-03-02T01:00:00.000Z").unwrap(),
    ));
    Services::with_clock(fresh.db.clone(), clock)
}

fn ctx() -> Ctx {
    Ctx {
        ip: "10.0.0.9".into(),
        user_agent: "test".into(),
    }
}

fn application() -> Application {
    Application {
        enterprise_name: "抚州市临川区示例科技有限公司".into(),
        credit_code: CREDIT_CODE.into(),
        region: String::new(),
        contact_name: "王芳".into(),
        contact_phone: "0794-8888888".into(),
        document_name: "营业执照.pdf".into(),
        document: b"%PDF-1.4 licence".to_vec(),
        pledge_accepted: true,
    }
}

async fn reviewer(s: &Services, name: &str, region: &str) -> zhichan_domain::access::Actor {
    s.create_user_by_operator(NewAccount {
        username: name.into(),
        role: "reviewer".into(),
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

async fn an_enterprise_signs_up_is_returned_resubmits_and_is_approved(fresh: Fresh) {
    let s = services(&fresh);
    let sent_to = s
        .sign_up(&ctx(), "linchuan.tech", "13800138000", application())
        .await
        .unwrap();
    assert_eq!(sent_to, "13*******00");
    // The applicant sets the password with the code sent to the contact.
    let body: String = {
        use zhichan_store::{Exec, Sql};
        fresh
            .db
            .fetch_one(
                Sql::new("SELECT body FROM account_outbox WHERE address = $1").bind("13800138000"),
            )
            .await
            .unwrap()
    };
    let code = body
        .split("设置码：")
        .nth(1)
        .and_then(|rest| rest.split('（').next())
        .unwrap();
    s.complete_password_setup(&ctx(), code, PASSWORD)
        .await
        .unwrap();

    // Until approved, the account can only see and complete its application.
    let me = s
        .login(&ctx(), "linchuan.tech", PASSWORD, None, None)
        .await
        .unwrap()
        .auth;
    assert!(!me.actor.verified);
    assert_eq!(
        me.actor.region.unwrap().to_string(),
        "361002",
        "the region comes from the code"
    );
    let mine = s.my_verification(&me.actor).await.unwrap().unwrap();
    assert_eq!(mine.status, "pending");

    // The city reviewer sees it; a reviewer of another city does not (404, not 403).
    let fuzhou = reviewer(&s, "rev.fuzhou", "361000").await;
    let nanchang = reviewer(&s, "rev.nanchang", "360100").await;
    let (queue, total) = s
        .verification_queue(&fuzhou, "pending", 20, 0)
        .await
        .unwrap();
    assert_eq!((queue.len(), total), (1, 1));
    let (other, _) = s
        .verification_queue(&nanchang, "pending", 20, 0)
        .await
        .unwrap();
    assert!(other.is_empty());
    assert!(matches!(
        s.verification(&nanchang, mine.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        s.verification_document(&nanchang, mine.id).await,
        Err(ServiceError::NotFound)
    ));
    let (_, kind, bytes) = s.verification_document(&fuzhou, mine.id).await.unwrap();
    assert_eq!((kind.as_str(), bytes.len()), ("application/pdf", 16));

    // Returning needs a reason.
    assert!(matches!(
        s.review_verification(&ctx(), &fuzhou, mine.id, false, None)
            .await,
        Err(ServiceError::Invalid(_))
    ));
    let returned = s
        .review_verification(
            &ctx(),
            &fuzhou,
            mine.id,
            false,
            Some("营业执照复印件不清晰"),
        )
        .await
        .unwrap();
    assert_eq!(returned.status, "returned");
    // A second decision on the same application is a conflict, not a silent overwrite.
    assert!(matches!(
        s.review_verification(&ctx(), &fuzhou, mine.id, true, None)
            .await,
        Err(ServiceError::Conflict(_))
    ));

    let me = s
        .login(&ctx(), "linchuan.tech", PASSWORD, None, None)
        .await
        .unwrap()
        .auth;
    let second = s
        .resubmit_verification(&ctx(), &me.actor, application())
        .await
        .unwrap();
    assert!(matches!(
        s.resubmit_verification(&ctx(), &me.actor, application())
            .await,
        Err(ServiceError::Conflict(_))
    ));
    s.review_verification(&ctx(), &fuzhou, second, true, None)
        .await
        .unwrap();
    let me = s
        .login(&ctx(), "linchuan.tech", PASSWORD, None, None)
        .await
        .unwrap()
        .auth;
    assert!(me.actor.verified);
    assert!(s.audit_verify().await.unwrap().broken.is_none());
}
on_both_backends!(an_enterprise_signs_up_is_returned_resubmits_and_is_approved);

async fn a_bad_sign_up_stores_nothing_and_names_every_field(fresh: Fresh) {
    let s = services(&fresh);
    let bad = Application {
        enterprise_name: String::new(),
        credit_code: "91361002MA35F6XK05".into(),
        contact_phone: "abc".into(),
        document: b"MZ not a pdf".to_vec(),
        pledge_accepted: false,
        ..application()
    };
    let e = s.sign_up(&ctx(), "x", "weak", bad).await.unwrap_err();
    let ServiceError::Invalid(v) = e else {
        panic!("{e:?}")
    };
    let fields: Vec<&str> = v.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "username",
            "contact",
            "enterprise_name",
            "credit_code",
            "contact_phone",
            "document",
            "pledge"
        ]
    );
    assert!(v.iter().any(|f| f.violation.code == "invalid_credit_code"));
    let users = zhichan_store::users::list(&fresh.db, None, None, 10, 0)
        .await
        .unwrap();
    assert_eq!(users.1, 0, "nothing stored");
}
on_both_backends!(a_bad_sign_up_stores_nothing_and_names_every_field);
