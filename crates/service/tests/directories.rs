//! A city office imports its key-enterprise directory from a spreadsheet and follows how many
//! listed enterprises registered a product by their deadline; a file with mistakes is refused
//! row by row and nothing of it is kept.

mod common;

use common::*;
use zhichan_domain::credit_code::check_char;
use zhichan_service::demo::DEMO_PASSWORD;
use zhichan_service::directories::Imported;
use zhichan_service::{ServiceError, Services};
use zhichan_testkit::{on_both_backends, Fresh};

fn code(first17: &str) -> String {
    format!("{first17}{}", check_char(first17).unwrap())
}

async fn firm_name(s: &Services, login: &str) -> (String, String) {
    let a = s
        .login(&ctx(), login, DEMO_PASSWORD, None, None)
        .await
        .unwrap()
        .auth
        .actor;
    let c = a.enterprise.clone().unwrap();
    let e = s.enterprise(&a, &c).await.unwrap();
    (c, e.name)
}

async fn a_city_follows_the_coverage_of_its_directory(fresh: Fresh) {
    let s = services(&fresh);
    s.prepare_demo().await.unwrap();
    let fuzhou = actor(&s, "adm.fuzhou", "admin", Some("361000"), None).await;
    let (qiye, qiye_name) = firm_name(&s, "qiye").await;
    let (dongxiang, dongxiang_name) = firm_name(&s, "dongxiang").await;
    let stranger = code("91361002MA35QXQX0");

    // A CSV saved by Excel on Chinese Windows: GBK, columns in another order, dates with dots.
    let csv = format!(
        "类别,统一社会信用代码,企业名称,截止日期\n\
         专精特新,{qiye},{qiye_name},2026.12.31\n\
         优势示范企业,{dongxiang},{dongxiang_name},2026-12-31\n\
         专精特新,{stranger},抚州市某新材料有限公司,2026/1/31\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    let imported = s
        .import_directory(&fuzhou, &ctx(), "2026 年重点企业", "", "名录.csv", &gbk)
        .await
        .unwrap();
    let Imported::Stored {
        directory,
        warnings,
    } = imported
    else {
        panic!("refused: {imported:?}")
    };
    assert_eq!(
        (directory.listed, directory.region.to_string().as_str()),
        (3, "361000")
    );
    let w: Vec<(u32, &str)> = warnings.iter().map(|w| (w.row, w.code.as_str())).collect();
    assert!(
        w.contains(&(4, "unknown_enterprise")) && w.contains(&(4, "past_deadline")),
        "{w:?}"
    );

    let c = s.directory_coverage(&fuzhou, directory.id).await.unwrap();
    assert_eq!((c.listed, c.overdue), (3, 1));
    // Demo products are approved today, before the deadline: both platform firms are covered
    // unless their only products were not approved.
    let covered: Vec<&str> = c
        .rows
        .iter()
        .filter(|r| r.covered_on.is_some())
        .map(|r| r.entry.credit_code.as_str())
        .collect();
    assert!(covered.contains(&qiye.as_str()));
    assert_eq!(c.covered, covered.len() as i64);
    let unc = c
        .rows
        .iter()
        .find(|r| r.entry.credit_code == stranger)
        .unwrap();
    assert!(unc.covered_on.is_none() && unc.enterprise_id.is_none() && c.is_overdue(unc));
    let cat: Vec<(&str, i64)> = c
        .categories
        .iter()
        .map(|(k, l, _)| (k.as_str(), *l))
        .collect();
    assert_eq!(cat, [("专精特新", 2), ("优势示范企业", 1)]);
    let counties: i64 = c.regions.iter().map(|r| r.2).sum();
    assert_eq!(counties, 3);
    assert!(c.regions.iter().any(|r| r.0 == "361002" && r.1 == "临川区"));

    // The province above sees it; the neighbour city does not know it exists.
    let jiangxi = actor(&s, "adm.jiangxi", "admin", Some("360000"), None).await;
    let nanchang = actor(&s, "adm.nanchang", "admin", Some("360100"), None).await;
    assert_eq!(s.directories(&jiangxi).await.unwrap().len(), 1);
    assert!(s.directories(&nanchang).await.unwrap().is_empty());
    assert!(matches!(
        s.directory_coverage(&nanchang, directory.id).await,
        Err(ServiceError::NotFound)
    ));
    let firm = s
        .login(&ctx(), "qiye", DEMO_PASSWORD, None, None)
        .await
        .unwrap()
        .auth
        .actor;
    assert!(matches!(
        s.directories(&firm).await,
        Err(ServiceError::Forbidden)
    ));
}

async fn a_directory_with_mistakes_is_refused_row_by_row(fresh: Fresh) {
    let s = services(&fresh);
    s.prepare_demo().await.unwrap();
    let linchuan = actor(&s, "adm.linchuan", "admin", Some("361002"), None).await;
    let (qiye, qiye_name) = firm_name(&s, "qiye").await;
    let (dongxiang, dongxiang_name) = firm_name(&s, "dongxiang").await;
    // An xlsx made by a spreadsheet program.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        ["企业名称", "统一社会信用代码", "类别", "截止日期"],
        [qiye_name.as_str(), qiye.as_str(), "专精特新", "2026-12-31"],
        ["某公司", "91361002MA35F6XK05", "专精特新", "2026-12-31"],
        [qiye_name.as_str(), qiye.as_str(), "专精特新", "2026-12-31"],
        ["错误的名字", dongxiang.as_str(), "专精特新", "2026-13-01"],
        [
            dongxiang_name.as_str(),
            dongxiang.as_str(),
            "",
            "2026-12-31",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    let file = wb.save_to_buffer().unwrap();
    let out = s
        .import_directory(&linchuan, &ctx(), "临川名录", "361002", "名录.xlsx", &file)
        .await
        .unwrap();
    let Imported::Refused { errors, .. } = out else {
        panic!("accepted a bad file")
    };
    let e: Vec<(u32, &str, &str)> = errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.code.as_str()))
        .collect();
    assert!(
        e.contains(&(3, "统一社会信用代码", "invalid_credit_code")),
        "{e:?}"
    );
    assert!(e.contains(&(4, "统一社会信用代码", "duplicate")), "{e:?}");
    assert!(e.contains(&(5, "截止日期", "invalid_date")), "{e:?}");
    // 东乡 lies outside 临川's county: the firm is taken as one not on the platform, and
    // neither its region nor its registered name is compared or told.
    assert!(
        !e.iter().any(|x| x.0 == 5 && x.1 != "截止日期"),
        "nothing told of a firm outside the office: {e:?}"
    );
    assert!(e.contains(&(6, "类别", "required")), "{e:?}");
    assert!(!e.iter().any(|x| x.0 == 2), "row 2 is right");
    assert!(
        s.directories(&linchuan).await.unwrap().is_empty(),
        "nothing half-imported"
    );
    // The province sees 东乡: importing for 临川 it is told the firm lies elsewhere and its
    // name differs.
    let jiangxi = actor(&s, "adm.jiangxi", "admin", Some("360000"), None).await;
    let csv = format!(
        "企业名称,统一社会信用代码,类别,截止日期\n错误的名字,{dongxiang},专精特新,2026-12-31\n"
    );
    let Imported::Refused { errors, .. } = s
        .import_directory(
            &jiangxi,
            &ctx(),
            "临川名录",
            "361002",
            "名录.csv",
            csv.as_bytes(),
        )
        .await
        .unwrap()
    else {
        panic!("accepted a firm of another county")
    };
    let e: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.column.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        e,
        [
            ("统一社会信用代码", "outside_region"),
            ("企业名称", "name_mismatch")
        ]
    );

    // Not a spreadsheet at all, or without the columns: a plain error.
    let code = |r: Result<Imported, ServiceError>| match r {
        Err(ServiceError::Invalid(v)) => v[0].violation.code.to_string(),
        other => format!("{other:?}"),
    };
    assert_eq!(
        code(
            s.import_directory(&linchuan, &ctx(), "x", "", "a.pdf", b"%PDF-1.7\n\0\0")
                .await
        ),
        "unsupported_file"
    );
    assert_eq!(
        code(
            s.import_directory(
                &linchuan,
                &ctx(),
                "x",
                "",
                "a.csv",
                "名称,代码\n甲,乙\n".as_bytes()
            )
            .await
        ),
        "wrong_columns"
    );
    assert!(
        matches!(
            s.import_directory(&linchuan, &ctx(), "x", "361000", "a.csv", b"a")
                .await,
            Err(ServiceError::NotFound)
        ),
        "a county cannot import for its city"
    );
}

on_both_backends!(a_city_follows_the_coverage_of_its_directory);
on_both_backends!(a_directory_with_mistakes_is_refused_row_by_row);
