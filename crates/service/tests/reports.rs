//! The monthly report (月度通报): live during the month, generated on the 1st for the month
//! before and kept with every version; its numbers match a direct count of the base tables.

mod common;

use calamine::{open_workbook_from_rs, Reader, Xlsx};
use common::*;
use std::io::Cursor;
use std::sync::Arc;
use zhichan_domain::Timestamp;
use zhichan_service::clock::ManualClock;
use zhichan_service::{ServiceError, Services};
use zhichan_store::Exec;
use zhichan_testkit::{on_both_backends, Fresh};

async fn a_city_reads_its_monthly_report(fresh: Fresh) {
    let clock = Arc::new(ManualClock::at(
        Timestamp::parse("2026-11-20T02:00:00.000Z").unwrap(),
    ));
    let s = Services::with_clock(fresh.db.clone(), clock.clone());
    s.prepare_demo().await.unwrap();
    let fuzhou = actor(&s, "adm.fuzhou", "admin", Some("361000"), None).await;
    let nanchang = actor(&s, "adm.nanchang", "admin", Some("360100"), None).await;

    // During November the report is live and provisional.
    let (live, v) = s.monthly_report(&fuzhou, None, "2026-11").await.unwrap();
    assert_eq!((v, live["provisional"].as_bool()), (0, Some(true)));
    let direct: i64 = s
        .db()
        .fetch_one(zhichan_store::Sql::new(
            "SELECT COUNT(*) FROM products WHERE registered_on LIKE '2026-11%' \
             AND region BETWEEN 361000 AND 361099",
        ))
        .await
        .unwrap();
    assert!(direct >= 3);
    assert_eq!(live["new_registrations"].as_i64(), Some(direct));
    assert_eq!(live["cumulative_products"].as_i64(), Some(direct));
    assert_eq!(
        live["rank"]["position"], 1,
        "the only city of 江西 with registrations"
    );
    assert_eq!(
        live["rank"]["of"], 11,
        "ranked among all eleven cities of 江西"
    );
    assert!(live["children"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "临川区"));

    // On 1 December the server generates November's reports for every region with data.
    clock.advance(time::Duration::days(11));
    let n = s.monthly_reports_due().await.unwrap();
    assert!(n >= 5, "nation, province, city and counties: {n}");
    assert_eq!(s.monthly_reports_due().await.unwrap(), 0, "once");
    let (stored, v) = s.monthly_report(&fuzhou, None, "2026-11").await.unwrap();
    assert_eq!(v, 1);
    assert!(stored["provisional"].is_null());
    assert_eq!(stored["new_registrations"].as_i64(), Some(direct));
    // Generated again (say after a correction): a new version, the old one kept.
    s.generate_monthly_reports("2026-11", "test").await.unwrap();
    assert_eq!(
        s.monthly_report(&fuzhou, None, "2026-11").await.unwrap().1,
        2
    );
    let versions = zhichan_store::reports::versions(
        s.db(),
        zhichan_domain::RegionCode::parse("361000").unwrap(),
        "2026-11",
    )
    .await
    .unwrap();
    assert_eq!(versions.len(), 2);

    // The workbook has the overview, the sub-regions and the directories.
    let bytes =
        zhichan_service::reports::report_xlsx(&stored, zhichan_service::export::Locale::ZhHans)
            .unwrap();
    let book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["概况", "下级地区", "名录覆盖"]);

    // A neighbour never sees it; a future month or a bad one is refused.
    assert!(matches!(
        s.monthly_report(&nanchang, Some("361000"), "2026-11").await,
        Err(ServiceError::NotFound)
    ));
    for bad in ["2027-01", "2026-13", "11/2026"] {
        assert!(
            matches!(
                s.monthly_report(&fuzhou, None, bad).await,
                Err(ServiceError::Invalid(_))
            ),
            "{bad}"
        );
    }
}

on_both_backends!(a_city_reads_its_monthly_report);
