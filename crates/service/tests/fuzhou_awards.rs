//! The 抚州 special fund as shipped (`data/awards/fuzhou.toml`, issue 17 point 5): loaded over
//! the policy imported from seed 001, every rule of the file is published citing that policy and
//! its clause (an inferred article marked so), the clauses left out come with their reasons, a
//! second load adds nothing; and the demo's 抚州 firms, told without asking, each see real
//! entitlements traced to their clauses, one of them confirmed.

mod common;

use common::{actor, ctx, services};
use zhichan_domain::RegionCode;
use zhichan_service::demo::{demo_firm_credit_code, DEMO_LOGINS};
use zhichan_store::{Exec, Sql};
use zhichan_testkit::{on_both_backends, Fresh};

const FUZHOU_AWARDS: &str = include_str!("../../../data/awards/fuzhou.toml");

/// Seed 001 (the 抚州 办法), from `ZHICHAN_SEEDS_DIR` or `shared/seeds` above the workspace.
fn seed_001() -> String {
    let dir = std::env::var_os("ZHICHAN_SEEDS_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .map(|a| a.join("shared/seeds"))
                .find(|p| p.is_dir())
        })
        .expect("the seeds are read from ../shared/seeds (or ZHICHAN_SEEDS_DIR): not found");
    let path = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("001"))
        })
        .expect("seed 001");
    std::fs::read_to_string(path).unwrap()
}

async fn the_fuzhou_rules_load_from_their_file_and_the_demo_firms_see_real_entitlements(
    fresh: Fresh,
) {
    let s = services(&fresh);
    s.prepare_demo().await.unwrap();
    // Before the policy is in the library the file is refused, naming what to import.
    let refused = s.load_award_rules(&ctx(), FUZHOU_AWARDS).await.unwrap_err();
    assert!(
        format!("{refused:?}").contains("policy import"),
        "{refused:?}"
    );
    s.import_policies_as_operator(&ctx(), &seed_001(), RegionCode::NATION)
        .await
        .unwrap();

    let file: toml::Table = toml::from_str(FUZHOU_AWARDS).unwrap();
    let rules = file["rules"].as_array().unwrap();
    let left_out = file["left_out"].as_array().unwrap();
    let report = s.load_award_rules(&ctx(), FUZHOU_AWARDS).await.unwrap();
    assert_eq!(report.loaded.len(), rules.len());
    assert!(report.present.is_empty());
    assert_eq!(report.left_out.len(), left_out.len());
    // The programmes and the clauses the seed's text lost are left out with a reason.
    for (clause, why) in [
        ("高价值专利培育", "不是按事实可得的奖补"),
        ("知识产权质押贷款贴息", "残缺"),
    ] {
        assert!(
            report
                .left_out
                .iter()
                .any(|(c, r)| c.contains(clause) && r.contains(why)),
            "{clause}: {:?}",
            report.left_out
        );
    }
    // Loading again adds nothing.
    let again = s.load_award_rules(&ctx(), FUZHOU_AWARDS).await.unwrap();
    assert!(again.loaded.is_empty());
    assert_eq!(again.present.len(), rules.len());

    // Every rule of the file is published in 抚州, citing the 办法 of seed 001 and its clause as
    // the file gives it, inferred where the file says so.
    let national = actor(&s, "national.reader", "admin", Some("100000"), None).await;
    for (id, name) in &report.loaded {
        let v = s.award_rule(&national, *id, None).await.unwrap().current;
        assert!(v.published, "{name}");
        assert_eq!(
            v.rule.region,
            RegionCode::parse("361000").unwrap(),
            "{name}"
        );
        let title = s.policy(v.rule.policy).await.unwrap().policy.fields.title;
        assert!(
            title
                .as_deref()
                .is_some_and(|t| t.contains("市级知识产权专项资金管理办法")),
            "{name}: {title:?}"
        );
        let in_file = rules
            .iter()
            .find(|r| r["name"].as_str() == Some(name.as_str()))
            .unwrap();
        assert_eq!(in_file["clause"].as_str(), Some(v.rule.clause.as_str()));
        assert_eq!(
            in_file
                .get("clause_inferred")
                .and_then(toml::Value::as_bool)
                .unwrap_or(false),
            v.rule.clause_inferred,
            "{name}"
        );
    }
    let year = s.today().year();
    let dongxiang = DEMO_LOGINS
        .iter()
        .find(|l| l.username == "dongxiang")
        .and_then(|l| l.firm)
        .map(demo_firm_credit_code)
        .unwrap();
    let said = s.demo_payouts(&dongxiang, "dongxiang").await.unwrap();
    assert!(said.contains("已确认"), "{said}");

    let mut cited = std::collections::BTreeSet::new();
    for l in DEMO_LOGINS.iter().filter(|l| l.role == "enterprise") {
        let code = demo_firm_credit_code(l.firm.unwrap());
        let e = s.entitlements(&national, &code, year).await.unwrap();
        // Each 抚州 demo firm is entitled to something this year, each amount with its basis.
        assert!(!e.items.is_empty(), "{} ({}): {e:?}", l.username, l.what);
        for item in &e.items {
            assert!(item.amount > zhichan_domain::Money::ZERO, "{item:?}");
            assert!(
                item.policy_title
                    .as_deref()
                    .is_some_and(|t| t.contains("专项资金管理办法")),
                "{item:?}"
            );
            assert!(
                item.clause.starts_with('第') && !item.explanation.is_empty(),
                "{item:?}"
            );
            let in_file = rules
                .iter()
                .find(|r| r["name"].as_str() == Some(item.name.as_str()))
                .unwrap_or_else(|| panic!("{} is a rule of the file", item.name));
            assert_eq!(in_file["clause"].as_str(), Some(item.clause.as_str()));
            assert_eq!(
                in_file
                    .get("clause_inferred")
                    .and_then(toml::Value::as_bool)
                    .unwrap_or(false),
                item.clause_inferred,
                "{}",
                item.name
            );
            cited.insert(item.name.clone());
        }
        // And was told so without asking, once per rule it qualifies for.
        let (told, _, _) = s
            .notifications(
                &actor(
                    &s,
                    &format!("{}.reader", l.username),
                    "enterprise",
                    None,
                    Some(&code),
                )
                .await,
                100,
                0,
            )
            .await
            .unwrap();
        let told = told.iter().filter(|n| n.kind == "entitlement").count();
        assert_eq!(told, e.items.len(), "{}", l.username);
    }
    // The one the demo confirmed is an application of the 东乡 firm.
    let confirmed: i64 = s
        .db()
        .fetch_one(Sql::new("SELECT COUNT(*) FROM award_applications"))
        .await
        .unwrap();
    assert_eq!(confirmed, 1);
    assert!(!cited.is_empty());
}
on_both_backends!(the_fuzhou_rules_load_from_their_file_and_the_demo_firms_see_real_entitlements);
