//! Accounts as their users live them, with a clock the tests move instead of sleeping.

use std::sync::Arc;
use time::Duration;
use zhichan_domain::Timestamp;
use zhichan_service::accounts::{totp_code, NewAccount, Restriction};
use zhichan_service::clock::ManualClock;
use zhichan_service::{Ctx, ServiceError, Services};
use zhichan_store::{Exec, Sql};
use zhichan_testkit::{on_both_backends, Backend, Fresh};

const PASSWORD: &str = "Lanting-Xu-2026";

/// The owner's phone: whatever reaches it, and nobody else.
#[derive(Default)]
struct Phone(std::sync::Mutex<Vec<(String, String)>>);

impl zhichan_service::notifications::Channel for Phone {
    fn name(&self) -> &'static str {
        "sms"
    }
    async fn send(&self, item: &zhichan_store::notifications::OutboxItem) -> Result<(), String> {
        self.0
            .lock()
            .unwrap()
            .push((item.address.clone(), item.body.clone()));
        Ok(())
    }
}

impl Phone {
    /// The setup code in the newest message to `number`.
    async fn code_for(&self, s: &Services, number: &str) -> String {
        s.drain_account_outbox(self, 10).await.unwrap();
        let messages = self.0.lock().unwrap();
        let (_, body) = messages
            .iter()
            .rev()
            .find(|(to, _)| to == number)
            .expect("a message to the owner");
        body.split("设置码：")
            .nth(1)
            .and_then(|rest| rest.split('（').next())
            .expect("a code in the message")
            .to_string()
    }
}

fn services(fresh: &Fresh) -> (Services, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::at(
        Timestamp::parse("2026-03-02T01:00:00.000Z").unwrap(),
    ));
    (Services::with_clock(fresh.db.clone(), clock.clone()), clock)
}

fn ctx() -> Ctx {
    Ctx {
        ip: "10.1.2.3".into(),
        user_agent: "test".into(),
    }
}

async fn add(s: &Services, username: &str, role: &str, region: Option<&str>) {
    s.create_user_by_operator(NewAccount {
        username: username.into(),
        role: role.into(),
        region: region.map(Into::into),
        enterprise: (role == "enterprise").then(|| "91350100M000100Y43".to_string()),
        password: Some(PASSWORD.into()),
        ..NewAccount::default()
    })
    .await
    .unwrap();
}

async fn five_wrong_passwords_lock_the_account_for_fifteen_minutes(fresh: Fresh) {
    let (s, clock) = services(&fresh);
    add(&s, "wang.fang", "enterprise", None).await;
    for _ in 0..4 {
        let e = s
            .login(&ctx(), "wang.fang", "wrong-Password-1", None, None)
            .await
            .unwrap_err();
        assert!(matches!(e, ServiceError::BadCredentials), "{e:?}");
    }
    let e = s
        .login(&ctx(), "wang.fang", "wrong-Password-1", None, None)
        .await
        .unwrap_err();
    let ServiceError::Locked(until) = e else {
        panic!("locked: {e:?}")
    };
    assert_eq!(until, s.now().plus(Duration::minutes(15)));

    // The right password does not open a locked account, and says until when.
    let e = s
        .login(&ctx(), "wang.fang", PASSWORD, None, None)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Locked(u) if u == until));

    clock.advance(Duration::minutes(15));
    let ok = s
        .login(&ctx(), "wang.fang", PASSWORD, None, None)
        .await
        .unwrap();
    assert_eq!(ok.auth.user.username, "wang.fang");

    // Every step was audited, the lock included, and the chain holds.
    let n: i64 = fresh
        .db
        .fetch_one(Sql::new(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('session.login', 'user.lock')",
        ))
        .await
        .unwrap();
    assert_eq!(
        n,
        5 + 1 + 1 + 1,
        "5 failures, the lock, the refused attempt, the login"
    );
    assert!(s.audit_verify().await.unwrap().broken.is_none());
}
on_both_backends!(five_wrong_passwords_lock_the_account_for_fifteen_minutes);

/// A stranger who guesses from one address locks that address out, never the owner at another;
/// an unknown name is locked exactly like a known one, so a lock tells nothing.
async fn a_lock_holds_for_one_address_and_an_unknown_name_locks_alike(fresh: Fresh) {
    let (s, clock) = services(&fresh);
    add(&s, "xitong", "sysadmin", None).await;
    let from = |ip: &str| Ctx {
        ip: ip.into(),
        user_agent: "test".into(),
    };
    let mut answers = Vec::new();
    for (name, ip) in [("xitong", "203.0.113.9"), ("no.such.admin", "203.0.113.10")] {
        let mut last = None;
        for _ in 0..10 {
            last = Some(
                s.login(&from(ip), name, "Guess-Word-2026", None, None)
                    .await
                    .unwrap_err(),
            );
        }
        answers.push(last.unwrap());
    }
    for e in &answers {
        assert!(matches!(e, ServiceError::Locked(_)), "{e:?}");
    }
    // The right password from the locked address is still refused...
    assert!(matches!(
        s.login(&from("203.0.113.9"), "xitong", PASSWORD, None, None)
            .await
            .unwrap_err(),
        ServiceError::Locked(_)
    ));
    // ...and the owner at another address logs in.
    s.login(&from("198.51.100.7"), "xitong", PASSWORD, None, None)
        .await
        .unwrap();

    // The counts of both names go once their locks have run out and a day has passed.
    assert_eq!(s.forget_stale_login_failures().await.unwrap(), 0);
    clock.advance(Duration::days(2));
    assert_eq!(s.forget_stale_login_failures().await.unwrap(), 2);
}
on_both_backends!(a_lock_holds_for_one_address_and_an_unknown_name_locks_alike);

async fn an_unknown_user_and_a_wrong_password_get_the_same_answer(fresh: Fresh) {
    let (s, _) = services(&fresh);
    add(&s, "li.ming", "expert", None).await;
    let a = s
        .login(&ctx(), "nobody-here", PASSWORD, None, None)
        .await
        .unwrap_err();
    let b = s
        .login(&ctx(), "li.ming", "Not-His-Password-1", None, None)
        .await
        .unwrap_err();
    assert_eq!(a.to_string(), b.to_string());
    assert!(matches!(a, ServiceError::BadCredentials));
}
on_both_backends!(an_unknown_user_and_a_wrong_password_get_the_same_answer);

async fn sessions_end_when_idle_and_at_their_absolute_end(fresh: Fresh) {
    let (s, clock) = services(&fresh);
    add(&s, "zhao.lei", "expert", None).await;
    let first = s
        .login(&ctx(), "zhao.lei", PASSWORD, None, None)
        .await
        .unwrap();
    clock.advance(Duration::minutes(29));
    s.authenticate_session(&first.token).await.unwrap();
    clock.advance(Duration::minutes(31));
    assert!(matches!(
        s.authenticate_session(&first.token).await.unwrap_err(),
        ServiceError::Unauthenticated
    ));

    // Active all day, it still ends twelve hours after login.
    let second = s
        .login(&ctx(), "zhao.lei", PASSWORD, None, None)
        .await
        .unwrap();
    for _ in 0..35 {
        clock.advance(Duration::minutes(20));
        s.authenticate_session(&second.token).await.unwrap();
    }
    clock.advance(Duration::minutes(20)); // 12 h in all
    assert!(s.authenticate_session(&second.token).await.is_err());
}
on_both_backends!(sessions_end_when_idle_and_at_their_absolute_end);

async fn a_login_never_keeps_the_old_session_id(fresh: Fresh) {
    let (s, _) = services(&fresh);
    add(&s, "sun.li", "expert", None).await;
    let before = s
        .login(&ctx(), "sun.li", PASSWORD, None, None)
        .await
        .unwrap();
    let after = s
        .login(&ctx(), "sun.li", PASSWORD, None, Some(&before.token))
        .await
        .unwrap();
    assert_ne!(before.token, after.token);
    assert!(s.authenticate_session(&before.token).await.is_err());
    s.authenticate_session(&after.token).await.unwrap();
    s.logout(&ctx(), &after.auth).await.unwrap();
    assert!(
        s.authenticate_session(&after.token).await.is_err(),
        "logout ends it on the server"
    );
}
on_both_backends!(a_login_never_keeps_the_old_session_id);

async fn bearer_tokens_expire_and_can_be_revoked(fresh: Fresh) {
    let (s, clock) = services(&fresh);
    add(&s, "api.client", "expert", None).await;
    add(&s, "someone.else", "expert", None).await;
    let token = s
        .issue_token("api.client", 1, "nightly sync")
        .await
        .unwrap();
    let auth = s.authenticate_bearer(&token).await.unwrap();
    assert_eq!(auth.user.username, "api.client");

    // Revoked by its owner, it stops working at once; nobody else can revoke it.
    let second = s.issue_token("api.client", 30, "reports").await.unwrap();
    let second_auth = s.authenticate_bearer(&second).await.unwrap();
    let mine = s.my_tokens(&second_auth).await.unwrap();
    assert_eq!(mine.len(), 2);
    let id = mine.iter().find(|t| t.label == "reports").unwrap().id;
    let other = s
        .login(&ctx(), "someone.else", PASSWORD, None, None)
        .await
        .unwrap()
        .auth;
    assert!(matches!(
        s.revoke_my_token(&ctx(), &other, id).await,
        Err(ServiceError::NotFound)
    ));
    s.revoke_my_token(&ctx(), &second_auth, id).await.unwrap();
    assert!(s.authenticate_bearer(&second).await.is_err());

    clock.advance(Duration::hours(24));
    assert!(s.authenticate_bearer(&token).await.is_err(), "expired");
    assert!(s.authenticate_bearer("not-a-token").await.is_err());
    assert!(matches!(
        s.issue_token("api.client", 0, "x").await.unwrap_err(),
        ServiceError::Invalid(_)
    ));
}
on_both_backends!(bearer_tokens_expire_and_can_be_revoked);

/// A token just used (and so remembered for a few seconds) stops working the moment its
/// account is disabled, and works again once it is enabled.
async fn a_disabled_account_loses_its_api_access_at_once(fresh: Fresh) {
    let (s, _) = services(&fresh);
    add(&s, "root.sys", "sysadmin", None).await;
    add(&s, "api.client", "expert", None).await;
    let sys = s
        .login(&ctx(), "root.sys", PASSWORD, None, None)
        .await
        .unwrap()
        .auth
        .actor;
    let token = s.issue_token("api.client", 30, "sync").await.unwrap();
    let user = s.authenticate_bearer(&token).await.unwrap().user;
    assert!(s.authenticate_bearer(&token).await.is_ok());
    let disabled = s
        .set_user_disabled(&sys, &ctx(), user.id, true, user.version)
        .await
        .unwrap();
    assert!(s.authenticate_bearer(&token).await.is_err());
    s.set_user_disabled(&sys, &ctx(), user.id, false, disabled.version)
        .await
        .unwrap();
    // Enabled again, the account needs a new token: the old one died with the disable.
    assert!(matches!(
        s.authenticate_bearer(&token).await,
        Err(ServiceError::Unauthenticated)
    ));
    let fresh_token = s.issue_token("api.client", 30, "sync").await.unwrap();
    assert!(s.authenticate_bearer(&fresh_token).await.is_ok());
}
on_both_backends!(a_disabled_account_loses_its_api_access_at_once);

async fn a_provincial_administrator_sets_the_first_password_and_enrols_totp(fresh: Fresh) {
    let (s, clock) = services(&fresh);
    add(&s, "root.sys", "sysadmin", None).await;
    add(&s, "root.sec", "secadmin", None).await;
    let sys = s
        .login(&ctx(), "root.sys", PASSWORD, None, None)
        .await
        .unwrap()
        .auth;
    assert_eq!(sys.restriction, Some(Restriction::EnrolSecondFactor));

    let created = s
        .create_user(
            &sys.actor,
            &ctx(),
            NewAccount {
                username: "jx.admin".into(),
                role: "admin".into(),
                region: Some("360000".into()),
                contact: Some("13907910001".into()),
                ..NewAccount::default()
            },
        )
        .await
        .unwrap();
    assert!(created.user.must_change_password && !created.user.granted);
    assert_eq!(created.sent_to, "13*******01");
    let sec = s
        .login(&ctx(), "root.sec", PASSWORD, None, None)
        .await
        .unwrap()
        .auth
        .actor;
    s.grant_user(
        &sec,
        &ctx(),
        created.user.id,
        "admin",
        Some("360000"),
        None,
        created.user.version,
    )
    .await
    .unwrap();

    // The code reaches the owner's phone; a weak password is refused and the code still serves.
    let phone = Phone::default();
    let code = phone.code_for(&s, "13907910001").await;
    let weak = s
        .complete_password_setup(&ctx(), &code, "password123")
        .await
        .unwrap_err();
    assert!(matches!(weak, ServiceError::Invalid(ref v) if v[0].field == "new_password"));
    s.complete_password_setup(&ctx(), &code, "Ganpo-River-88")
        .await
        .unwrap();
    let again = s
        .complete_password_setup(&ctx(), &code, "Ganpo-River-99")
        .await
        .unwrap_err();
    assert!(matches!(again, ServiceError::Invalid(ref v) if v[0].violation.code == "invalid_code"));

    let second = s
        .login(&ctx(), "jx.admin", "Ganpo-River-88", None, None)
        .await
        .unwrap();
    assert_eq!(
        second.auth.restriction,
        Some(Restriction::EnrolSecondFactor)
    );
    let enrol = s.start_totp(&second.auth, None).await.unwrap();
    assert!(enrol.otpauth_url.starts_with("otpauth://totp/"));
    assert!(enrol.qr_svg.contains("<svg"));
    let code = totp_code(&enrol.secret, s.now()).unwrap();
    s.confirm_totp(&ctx(), &second.auth, &code).await.unwrap();

    // From now on the password alone is not enough, and a used code cannot be replayed.
    clock.advance(Duration::seconds(31));
    let e = s
        .login(&ctx(), "jx.admin", "Ganpo-River-88", None, None)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::SecondFactorRequired));
    let code = totp_code(&enrol.secret, s.now()).unwrap();
    let third = s
        .login(&ctx(), "jx.admin", "Ganpo-River-88", Some(&code), None)
        .await
        .unwrap();
    assert_eq!(third.auth.restriction, None);
    let replay = s
        .login(&ctx(), "jx.admin", "Ganpo-River-88", Some(&code), None)
        .await
        .unwrap_err();
    assert!(matches!(replay, ServiceError::BadCredentials));

    // Ninety days on, the administrator's password has expired.
    clock.advance(Duration::days(90));
    let code = totp_code(&enrol.secret, s.now()).unwrap();
    let later = s
        .login(&ctx(), "jx.admin", "Ganpo-River-88", Some(&code), None)
        .await
        .unwrap();
    assert_eq!(later.auth.restriction, Some(Restriction::ChangePassword));
}
on_both_backends!(a_provincial_administrator_sets_the_first_password_and_enrols_totp);

async fn the_three_administrators_cannot_do_each_others_work(fresh: Fresh) {
    let (s, _) = services(&fresh);
    add(&s, "sys.one", "sysadmin", None).await;
    add(&s, "sec.one", "secadmin", None).await;
    add(&s, "aud.one", "auditor", None).await;
    let login = |u: &'static str| {
        let s = s.clone();
        async move {
            s.login(&ctx(), u, PASSWORD, None, None)
                .await
                .unwrap()
                .auth
                .actor
        }
    };
    let (sys, sec, aud) = (
        login("sys.one").await,
        login("sec.one").await,
        login("aud.one").await,
    );
    let filter = zhichan_store::audit::Filter::default();
    assert!(matches!(
        s.audit_search(&sys, &filter, 10, 0).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        s.audit_search(&sec, &filter, 10, 0).await,
        Err(ServiceError::Forbidden)
    ));
    let (entries, total) = s.audit_search(&aud, &filter, 10, 0).await.unwrap();
    assert!(total >= 6 && !entries.is_empty());
    let new = || NewAccount {
        username: "someone".into(),
        role: "expert".into(),
        contact: Some("someone@example.cn".into()),
        ..NewAccount::default()
    };
    assert!(matches!(
        s.create_user(&aud, &ctx(), new()).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        s.create_user(&sec, &ctx(), new()).await,
        Err(ServiceError::Forbidden)
    ));
    s.create_user(&sys, &ctx(), new()).await.unwrap();
    // Nor may the system administrator make or change an auditor or a security administrator.
    for role in ["auditor", "secadmin", "sysadmin"] {
        let mut other = new();
        other.username = format!("x.{role}");
        other.role = role.into();
        assert!(matches!(
            s.create_user(&sys, &ctx(), other).await,
            Err(ServiceError::Forbidden)
        ));
    }
    assert!(matches!(
        s.reset_user_password(&sys, &ctx(), aud.user_id).await,
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        s.set_user_disabled(&sys, &ctx(), sec.user_id, true, 1)
            .await,
        Err(ServiceError::Forbidden)
    ));

    let current = s.security_settings().await.unwrap();
    let mut stricter = current.settings.clone();
    stricter.max_failed_logins = 3;
    assert!(matches!(
        s.update_security_settings(&sys, &ctx(), current.version, stricter.clone(), "tighten")
            .await,
        Err(ServiceError::Forbidden)
    ));
    let updated = s
        .update_security_settings(
            &sec,
            &ctx(),
            current.version,
            stricter.clone(),
            "等保测评整改",
        )
        .await
        .unwrap();
    assert_eq!(updated.version, current.version + 1);
    // A second official working from the old version loses nothing and is told.
    assert!(matches!(
        s.update_security_settings(&sec, &ctx(), current.version, stricter, "again")
            .await,
        Err(ServiceError::Conflict(_))
    ));
    let mut weak = updated.settings.clone();
    weak.audit_retention_days = 30;
    assert!(matches!(
        s.update_security_settings(&sec, &ctx(), updated.version, weak, "shorten").await,
        Err(ServiceError::Invalid(ref v)) if v[0].field == "audit_retention_days"
    ));
}
on_both_backends!(the_three_administrators_cannot_do_each_others_work);

async fn bad_account_input_is_refused_field_by_field(fresh: Fresh) {
    let (s, _) = services(&fresh);
    let e = s
        .create_user_by_operator(NewAccount {
            username: "x".into(),
            role: "emperor".into(),
            region: Some("999999".into()),
            enterprise: Some("91350100M000100Y44".into()),
            password: Some("short".into()),
            ..NewAccount::default()
        })
        .await
        .unwrap_err();
    let ServiceError::Invalid(v) = e else {
        panic!("{e:?}")
    };
    let fields: Vec<(&str, &str)> = v
        .iter()
        .map(|f| (f.field.as_str(), f.violation.code))
        .collect();
    assert_eq!(
        fields,
        [
            ("username", "invalid_username"),
            ("role", "invalid_role"),
            ("region", "invalid_region"),
            ("enterprise", "invalid_credit_code"),
            ("password", "weak_password"),
        ]
    );
    add(&s, "taken.name", "expert", None).await;
    let e = s
        .create_user_by_operator(NewAccount {
            username: "Taken.Name".into(),
            role: "expert".into(),
            password: Some(PASSWORD.into()),
            ..NewAccount::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Invalid(ref v) if v[0].violation.code == "taken"));
    let e = s
        .create_user_by_operator(NewAccount {
            username: "county.admin".into(),
            role: "admin".into(),
            password: Some(PASSWORD.into()),
            ..NewAccount::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Invalid(ref v) if v[0].field == "region"));
}
on_both_backends!(bad_account_input_is_refused_field_by_field);

async fn audit_verify_names_a_changed_or_deleted_row(fresh: Fresh) {
    let (s, _) = services(&fresh);
    add(&s, "a.user", "expert", None).await;
    for _ in 0..3 {
        let _ = s
            .login(&ctx(), "a.user", "Wrong-Pass-123", None, None)
            .await;
    }
    s.login(&ctx(), "a.user", PASSWORD, None, None)
        .await
        .unwrap();
    let intact = s.audit_verify().await.unwrap();
    assert_eq!(intact.checked, 5);
    assert!(intact.broken.is_none());

    // The log refuses changes through SQL...
    assert!(fresh
        .db
        .execute(Sql::new(
            "UPDATE audit_log SET outcome = 'ok' WHERE seq = 2"
        ))
        .await
        .is_err());
    // ...so a tamperer must first remove the guard; the chain still tells.
    let unguard = match fresh.db.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
        Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
    };
    fresh.db.execute(Sql::new(unguard)).await.unwrap();
    fresh
        .db
        .execute(Sql::new(
            "UPDATE audit_log SET outcome = 'ok' WHERE seq = 3",
        ))
        .await
        .unwrap();
    let v = s.audit_verify().await.unwrap();
    assert_eq!(v.broken.as_ref().map(|b| b.0), Some(3), "{v:?}");

    fresh
        .db
        .execute(Sql::new(
            "UPDATE audit_log SET outcome = 'failed' WHERE seq = 3",
        ))
        .await
        .unwrap();
    assert!(s.audit_verify().await.unwrap().broken.is_none(), "restored");
    if fresh.db.backend() == Backend::Sqlite {
        fresh
            .db
            .execute(Sql::new("DROP TRIGGER audit_log_no_delete"))
            .await
            .unwrap();
    }
    fresh
        .db
        .execute(Sql::new("DELETE FROM audit_log WHERE seq = 2"))
        .await
        .unwrap();
    let v = s.audit_verify().await.unwrap();
    assert_eq!(v.broken.as_ref().map(|b| b.0), Some(2), "{v:?}");
}
on_both_backends!(audit_verify_names_a_changed_or_deleted_row);

async fn old_audit_entries_are_archived_not_dropped_and_the_chain_still_verifies(fresh: Fresh) {
    let (s, clock) = services(&fresh);
    add(&s, "old.timer", "expert", None).await;
    for _ in 0..3 {
        let _ = s
            .login(&ctx(), "old.timer", "Wrong-Pass-123", None, None)
            .await;
    }
    assert_eq!(
        s.archive_audit(&ctx()).await.unwrap().rows,
        0,
        "nothing is old yet"
    );
    clock.advance(Duration::days(181));
    s.login(&ctx(), "old.timer", PASSWORD, None, None)
        .await
        .unwrap();
    let archived = s.archive_audit(&ctx()).await.unwrap();
    assert_eq!(archived.rows, 4, "the user's creation and three failures");
    assert_eq!(archived.range, Some((1, 4)));
    let live: i64 = fresh
        .db
        .fetch_one(Sql::new("SELECT COUNT(*) FROM audit_log"))
        .await
        .unwrap();
    let kept: i64 = fresh
        .db
        .fetch_one(Sql::new("SELECT COUNT(*) FROM audit_archive"))
        .await
        .unwrap();
    assert_eq!(
        (live, kept),
        (2, 4),
        "the login and the archival record stay live"
    );
    let v = s.audit_verify().await.unwrap();
    assert_eq!((v.checked, v.broken), (6, None));

    // Neither table lets a row go any other way.
    assert!(fresh
        .db
        .execute(Sql::new("DELETE FROM audit_log WHERE seq = 5"))
        .await
        .is_err());
    assert!(fresh
        .db
        .execute(Sql::new("DELETE FROM audit_archive WHERE seq = 1"))
        .await
        .is_err());
    assert!(fresh
        .db
        .execute(Sql::new(
            "UPDATE audit_archive SET outcome = 'ok' WHERE seq = 2"
        ))
        .await
        .is_err());
}
on_both_backends!(old_audit_entries_are_archived_not_dropped_and_the_chain_still_verifies);
