//! An enterprise registers many products from one Excel workbook: a file with mistakes is
//! refused as a whole with each mistake located by sheet, row and column (and marked in the
//! workbook it gets back); the corrected file registers every product as a draft at once.

mod common;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use common::*;
use rust_xlsxwriter::Workbook;
use std::io::Cursor;
use zhichan_domain::access::Actor;
use zhichan_service::bulk::{template, PATENT_SHEET, PRODUCT_SHEET};
use zhichan_service::enterprises::EnterpriseInput;
use zhichan_service::patents::PatentInput;
use zhichan_service::{ServiceError, Services};
use zhichan_testkit::{on_both_backends, Fresh};

fn number(serial: u32) -> String {
    let first12 = format!("20212{serial:07}");
    format!(
        "ZL{first12}.{}",
        zhichan_domain::patent_number::check_char12(&first12).unwrap()
    )
}

/// Fills the template's two sheets (below the header rows it already has) with the rows given.
fn workbook(products: &[[&str; 11]], patents: &[[&str; 7]]) -> Vec<u8> {
    // Read the template's headers, then write a new book with them and the rows: this is what
    // an office suite does when someone fills the template.
    let t = template().unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(t)).unwrap();
    let mut wb = Workbook::new();
    for (sheet, rows) in [
        (
            PRODUCT_SHEET,
            products.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
        ),
        (PATENT_SHEET, patents.iter().map(|r| r.to_vec()).collect()),
    ] {
        let range = book.worksheet_range(sheet).unwrap();
        let ws = wb.add_worksheet();
        ws.set_name(sheet).unwrap();
        for (c, h) in range.rows().next().unwrap().iter().enumerate() {
            ws.write_string(0, c as u16, h.to_string()).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                // Years and money as numbers, the way a spreadsheet stores them.
                match v.parse::<f64>() {
                    Ok(n) if (5..=7).contains(&c) && sheet == PRODUCT_SHEET => {
                        ws.write_number(r as u32 + 1, c as u16, n).unwrap()
                    }
                    _ => ws.write_string(r as u32 + 1, c as u16, *v).unwrap(),
                };
            }
        }
    }
    wb.save_to_buffer().unwrap()
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
    s.add_patent(
        &firm,
        &ctx(),
        LINCHUAN,
        PatentInput {
            number: number(1),
            title: "一种数据采集装置".into(),
            patentees: vec!["抚州市临川区示例科技有限公司".into()],
            grant_date: Some("2021-03-02".into()),
            legal_status: "valid".into(),
            right: "own".into(),
            licence_record: String::new(),
        },
    )
    .await
    .unwrap();
    firm
}

async fn a_workbook_registers_all_its_products_or_none(fresh: Fresh) {
    let s = services(&fresh);
    let firm = setup(&s).await;
    let (p1, p2, p3) = (number(1), number(2), number(3));
    let shared = format!("{p2}；{p1}");
    let patents = [
        [
            p2.as_str(),
            "一种网关散热结构",
            "抚州市临川区示例科技有限公司",
            "2022-06-01",
            "有效",
            "自有",
            "",
        ],
        [
            p3.as_str(),
            "一种外壳",
            "抚州市临川区示例科技有限公司",
            "2022-06-01",
            "失效",
            "自有",
            "",
        ],
    ];
    let bad = [
        [
            "采集终端",
            "ZC-1",
            "39",
            "",
            "2023-01-05",
            "2025",
            "1200000.5",
            "1300000",
            p1.as_str(),
            "",
            "主控模块",
        ],
        [
            "工业网关",
            "GW-8",
            "99",
            "",
            "2023-02-01",
            "2025",
            "800000",
            "900000",
            shared.as_str(),
            "",
            "散热结构",
        ],
        [
            "外壳组件",
            "KS-2",
            "39",
            "",
            "",
            "2025",
            "-1",
            "10",
            p3.as_str(),
            "",
            "外壳",
        ],
        [
            "采集终端",
            "ZC-1",
            "39",
            "",
            "",
            "",
            "",
            "",
            "ZL202120000099.1",
            "",
            "",
        ],
    ];
    let file = workbook(&bad, &patents);
    let rejected = s
        .import_products(&firm, &ctx(), LINCHUAN, &file)
        .await
        .unwrap()
        .unwrap_err();
    let found: Vec<(&str, u32, &str, &str)> = rejected
        .errors
        .iter()
        .map(|e| (e.sheet, e.row, e.column.as_str(), e.code.as_str()))
        .collect();
    assert!(
        found.contains(&(PRODUCT_SHEET, 3, "所属领域代码", "invalid_industry")),
        "{found:?}"
    );
    assert!(
        found.contains(&(PRODUCT_SHEET, 4, "销售收入（元）", "invalid_money")),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            PRODUCT_SHEET,
            4,
            "专利号（多个用分号分隔）",
            "patent_not_in_force"
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(PRODUCT_SHEET, 5, "型号规格", "duplicate")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|e| e.1 == 5 && e.2.starts_with("专利号")),
        "{found:?}"
    );
    assert!(!found.iter().any(|e| e.1 == 2), "row 2 is right: {found:?}");
    // Nothing was stored: no product, no new patent.
    let (none, total) = s.products(&firm, &Default::default(), 50, 0).await.unwrap();
    assert_eq!((none.len(), total), (0, 0));
    assert_eq!(s.patents(&firm, LINCHUAN).await.unwrap().len(), 1);
    // The workbook comes back with the errors next to the rows they are about.
    let mut back: Xlsx<_> = open_workbook_from_rs(Cursor::new(rejected.annotated)).unwrap();
    let range = back.worksheet_range(PRODUCT_SHEET).unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    assert_eq!(rows[0][11], Data::String("错误说明".into()));
    assert!(matches!(&rows[2][11], Data::String(t) if t.contains("所属领域代码")));
    assert!(
        rows[1].get(11).is_none_or(|d| *d == Data::Empty),
        "row 2 has no error"
    );

    // Corrected: all three products at once, the new patent stored once for two products.
    let good = [
        [
            "采集终端",
            "ZC-1",
            "39",
            "",
            "2023-01-05",
            "2025",
            "1200000.5",
            "1300000",
            p1.as_str(),
            "",
            "主控模块",
        ],
        [
            "工业网关",
            "GW-8",
            "39",
            "",
            "2023-02-01",
            "2025",
            "800000",
            "900000",
            shared.as_str(),
            p2.as_str(),
            "散热结构",
        ],
        [
            "散热器",
            "SR-3",
            "39",
            "",
            "",
            "2025",
            "10",
            "10",
            p2.as_str(),
            "",
            "散热片",
        ],
    ];
    let ids = s
        .import_products(&firm, &ctx(), LINCHUAN, &workbook(&good, &patents[..1]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ids.len(), 3);
    let gateway = s.product(&firm, ids[1]).await.unwrap();
    assert_eq!(gateway.product.status.as_str(), "draft");
    assert_eq!(gateway.patents.len(), 2);
    let core: Vec<bool> = gateway
        .patents
        .iter()
        .map(|(p, l)| l.core && p.number.to_string() == p2)
        .collect();
    assert!(core.contains(&true), "the core patent named in the row");
    assert_eq!(
        s.patents(&firm, LINCHUAN).await.unwrap().len(),
        2,
        "the shared new patent once"
    );
    assert_eq!(
        s.product(&firm, ids[0]).await.unwrap().product.figures[0]
            .sales_revenue
            .to_string(),
        "1200000.50"
    );
}

async fn a_file_that_is_not_the_template_is_refused_plainly(fresh: Fresh) {
    let s = services(&fresh);
    let firm = setup(&s).await;
    let code = |r: Result<_, ServiceError>| match r {
        Err(ServiceError::Invalid(v)) => v[0].violation.code.to_string(),
        other => format!("{:?}", other.map(|_: Result<Vec<i64>, _>| ())),
    };
    assert_eq!(
        code(
            s.import_products(&firm, &ctx(), LINCHUAN, b"name,model\n")
                .await
        ),
        "not_xlsx"
    );
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("Sheet1").unwrap();
    let other = wb.save_to_buffer().unwrap();
    assert_eq!(
        code(s.import_products(&firm, &ctx(), LINCHUAN, &other).await),
        "wrong_template"
    );
    let empty = workbook(&[], &[]);
    assert_eq!(
        code(s.import_products(&firm, &ctx(), LINCHUAN, &empty).await),
        "empty"
    );
    // Another enterprise's code is "not found" for this enterprise.
    assert!(matches!(
        s.import_products(&firm, &ctx(), FUZHOU_FJ, &empty).await,
        Err(ServiceError::NotFound)
    ));
}

on_both_backends!(a_workbook_registers_all_its_products_or_none);
on_both_backends!(a_file_that_is_not_the_template_is_refused_plainly);
