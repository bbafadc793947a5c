//! What an attacker sends and what must hold: crafted workbooks and zip bombs refused before
//! they are read, exports complete behind gzip, directories that reveal nothing outside the
//! office's region, text and dates within bounds, echoes capped, request ids screened.

use crate::support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Read;
use std::time::Duration;
use support::{add_user, assert_problem, spawn_app, TestApp};
use zhichan_testkit::{on_both_backends, Fresh};

const LINCHUAN: &str = "91361002MA35F6XK04";
const MIB: usize = 1024 * 1024;

// ---- a zip written by hand, so that its headers can lie ----

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One part of a zip: its name, its stored bytes, the method (0 stored, 8 deflate), the CRC
/// and the uncompressed size its headers declare.
struct Part {
    name: String,
    data: Vec<u8>,
    method: u16,
    crc: u32,
    declared: u32,
}

fn stored(name: &str, text: &str) -> Part {
    Part {
        name: name.into(),
        data: text.as_bytes().to_vec(),
        method: 0,
        crc: crc32(text.as_bytes()),
        declared: text.len() as u32,
    }
}

fn zip(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for p in parts {
        let offset = out.len() as u32;
        le32(&mut out, 0x0403_4b50);
        le16(&mut out, 20);
        le16(&mut out, 0x0800); // UTF-8 names
        le16(&mut out, p.method);
        le16(&mut out, 0);
        le16(&mut out, 0x21);
        le32(&mut out, p.crc);
        le32(&mut out, p.data.len() as u32);
        le32(&mut out, p.declared);
        le16(&mut out, p.name.len() as u16);
        le16(&mut out, 0);
        out.extend_from_slice(p.name.as_bytes());
        out.extend_from_slice(&p.data);

        le32(&mut central, 0x0201_4b50);
        le16(&mut central, 20);
        le16(&mut central, 20);
        le16(&mut central, 0x0800);
        le16(&mut central, p.method);
        le16(&mut central, 0);
        le16(&mut central, 0x21);
        le32(&mut central, p.crc);
        le32(&mut central, p.data.len() as u32);
        le32(&mut central, p.declared);
        le16(&mut central, p.name.len() as u16);
        for _ in 0..4 {
            le16(&mut central, 0);
        }
        le32(&mut central, 0);
        le32(&mut central, offset);
        central.extend_from_slice(p.name.as_bytes());
    }
    let at = out.len() as u32;
    let size = central.len() as u32;
    out.extend_from_slice(&central);
    le32(&mut out, 0x0605_4b50);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, parts.len() as u16);
    le16(&mut out, parts.len() as u16);
    le32(&mut out, size);
    le32(&mut out, at);
    le16(&mut out, 0);
    out
}

/// A raw deflate stream that inflates to `bytes` zero bytes: one literal, then copies of 258
/// bytes at distance 1, in one fixed-Huffman block (about 13 bits per 258 bytes).
fn deflated_zeros(bytes: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u32,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u32, len: u32) {
            self.acc |= value << self.n;
            self.n += len;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes go most significant bit first.
        fn code(&mut self, code: u32, len: u32) {
            let reversed = (0..len).fold(0, |r, i| r | (((code >> i) & 1) << (len - 1 - i)));
            self.put(reversed, len);
        }
    }
    let mut b = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    b.put(1, 1); // final block
    b.put(1, 2); // fixed Huffman
    b.code(0x30, 8); // literal 0
    for _ in 0..(bytes - 1) / 258 {
        b.code(0xC5, 8); // length 258 (symbol 285)
        b.code(0, 5); // distance 1
    }
    b.code(0, 7); // end of block
    if b.n > 0 {
        b.out.push(b.acc as u8);
    }
    b.out
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/// A minimal xlsx with one sheet: its `<dimension>` (if any) and the rows of its sheetData.
fn workbook(sheet: &str, dimension: Option<&str>, rows: &str) -> Vec<u8> {
    zip(&workbook_parts(sheet, dimension, rows))
}

fn workbook_parts(sheet: &str, dimension: Option<&str>, rows: &str) -> Vec<Part> {
    let dim = dimension.map_or(String::new(), |d| format!("<dimension ref=\"{d}\"/>"));
    vec![
        stored(
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
             <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
             </Types>",
        ),
        stored(
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
             </Relationships>",
        ),
        stored(
            "xl/workbook.xml",
            &format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{MAIN}\" \
                 xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
                 <sheets><sheet name=\"{sheet}\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        ),
        stored(
            "xl/_rels/workbook.xml.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
             </Relationships>",
        ),
        stored(
            "xl/worksheets/sheet1.xml",
            &format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{MAIN}\">{dim}\
                 <sheetData>{rows}</sheetData></worksheet>"
            ),
        ),
    ]
}

fn text_cell(at: &str, text: &str) -> String {
    format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
}

fn directory_rows(extra: &str) -> String {
    let head = ["企业名称", "统一社会信用代码", "类别", "截止日期"];
    let row = [
        "抚州市临川区示例科技有限公司",
        LINCHUAN,
        "专精特新",
        "2099-12-31",
    ];
    let cells = |r: u32, v: [&str; 4]| {
        v.iter()
            .enumerate()
            .map(|(i, t)| text_cell(&format!("{}{r}", (b'A' + i as u8) as char), t))
            .collect::<String>()
    };
    format!(
        "<row r=\"1\">{}</row><row r=\"2\">{}</row>{extra}",
        cells(1, head),
        cells(2, row)
    )
}

async fn upload_directory(
    app: &TestApp,
    token: &str,
    file: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .text("name", "重点企业")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(file.to_string()),
        );
    let res = app
        .client
        .post(app.url("/api/v1/directories"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

async fn upload_products(app: &TestApp, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .text("enterprise", LINCHUAN)
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("产品.xlsx"),
        );
    let res = app
        .client
        .post(app.url("/api/v1/products/import"))
        .bearer_auth(token)
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

/// The one field error of a refused upload, with its message.
fn file_error(status: StatusCode, body: &Value) -> (String, String) {
    let errors = assert_problem(status, body, 422);
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0].0, "file", "{body}");
    (
        errors[0].1.clone(),
        body["errors"][0]["message"].as_str().unwrap().to_string(),
    )
}

/// A workbook of 1.5 KB that claims, or holds, the last cell Excel has (XFD1048576) is refused
/// by both imports before anything the size of the sheet is built; a cell beyond 50 columns
/// likewise. On the code before, the reader allocated the declared rectangle (gigabytes).
async fn crafted_workbooks_are_refused_before_they_are_read(fresh: Fresh) {
    zhichan_service::Services::new(fresh.db.clone())
        .prepare_demo()
        .await
        .unwrap();
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "qiye").await;
    let city = app.token(&fresh, "fuzhou").await;

    // The crafted file is well formed: without the far cell the directory is imported.
    let (status, body) = upload_directory(
        &app,
        &city,
        "名录.xlsx",
        workbook("名录", Some("A1:D2"), &directory_rows("")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let far = format!("<row r=\"1048576\">{}</row>", text_cell("XFD1048576", "x"));
    let declared = workbook("名录", Some("A1:XFD1048576"), &directory_rows(&far));
    let undeclared = workbook("名录", None, &directory_rows(&far));
    let wide = workbook(
        "名录",
        None,
        &directory_rows(&format!("<row r=\"3\">{}</row>", text_cell("AZ3", "x"))),
    );
    assert!(declared.len() < 4096, "{} bytes", declared.len());
    let products = |rows: &str, dim: Option<&str>| {
        let heads = [
            "产品名称",
            "型号规格",
            "所属领域代码",
            "产品说明",
            "首次销售日期",
            "年度",
            "销售收入（元）",
            "产值（元）",
            "专利号（多个用分号分隔）",
            "核心专利号（可空，默认第一件）",
            "专利在产品中的实施方式",
        ];
        let head: String = heads
            .iter()
            .enumerate()
            .map(|(i, h)| text_cell(&format!("{}1", (b'A' + i as u8) as char), h))
            .collect();
        workbook("产品", dim, &format!("<row r=\"1\">{head}</row>{rows}"))
    };
    let started = std::time::Instant::now();
    for (what, bytes, want) in [
        ("declared", declared.clone(), "too_many_rows"),
        ("present", undeclared.clone(), "too_many_rows"),
        ("wide", wide.clone(), "too_many_columns"),
    ] {
        let (status, body) = tokio::time::timeout(
            Duration::from_secs(20),
            upload_directory(&app, &city, "名录.xlsx", bytes),
        )
        .await
        .expect("answered at once");
        let (code, message) = file_error(status, &body);
        assert_eq!(code, want, "directory, {what}: {body}");
        let limit = if want == "too_many_rows" {
            "20000"
        } else {
            "50"
        };
        assert!(message.contains(limit), "the limit is named: {message}");
    }
    for (what, bytes, want) in [
        (
            "declared",
            products(&far, Some("A1:XFD1048576")),
            "too_many_rows",
        ),
        ("present", products(&far, None), "too_many_rows"),
        (
            "wide",
            products(
                &format!("<row r=\"2\">{}</row>", text_cell("BA2", "x")),
                None,
            ),
            "too_many_columns",
        ),
    ] {
        let (status, body) =
            tokio::time::timeout(Duration::from_secs(20), upload_products(&app, &firm, bytes))
                .await
                .expect("answered at once");
        let (code, _) = file_error(status, &body);
        assert_eq!(code, want, "products, {what}: {body}");
    }
    assert!(started.elapsed() < Duration::from_secs(30));
    app.stop().await;

    // The limits are the server's settings: with room for one row only, two are refused.
    let app = support::spawn_with(
        &fresh,
        zhichan_server::Settings {
            uploads: zhichan_service::uploads::UploadLimits {
                max_rows: 1,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let two = format!("<row r=\"3\">{}</row>", text_cell("A3", "某公司"));
    let (status, body) = upload_directory(
        &app,
        &city,
        "名录.xlsx",
        workbook("名录", None, &directory_rows(&two)),
    )
    .await;
    let (code, message) = file_error(status, &body);
    assert_eq!(code, "too_many_rows");
    assert!(message.contains("超过 1 行"), "{message}");
    app.stop().await;
}
on_both_backends!(crafted_workbooks_are_refused_before_they_are_read);

/// Zip bombs: a few hundred kilobytes inflating past 50 MiB, whether the headers say so or
/// lie (declaring a thousand bytes), refused with the limit named; so is a csv longer than the
/// row limit.
async fn zip_bombs_are_refused(fresh: Fresh) {
    zhichan_service::Services::new(fresh.db.clone())
        .prepare_demo()
        .await
        .unwrap();
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "qiye").await;
    let city = app.token(&fresh, "fuzhou").await;
    let bomb = deflated_zeros(60 * MIB);
    assert!(bomb.len() < MIB, "{} bytes", bomb.len());
    for (part, declared) in [
        ("xl/worksheets/sheet1.xml", 60 * MIB as u32),
        ("xl/worksheets/sheet1.xml", 1_000),
        ("xl/sharedStrings.xml", 1_000),
    ] {
        let mut parts = workbook_parts("名录", None, &directory_rows(""));
        parts.retain(|p| p.name != part);
        parts.push(Part {
            name: part.into(),
            data: bomb.clone(),
            method: 8,
            crc: 0,
            declared,
        });
        let file = zip(&parts);
        let (status, body) = upload_directory(&app, &city, "名录.xlsx", file.clone()).await;
        let (code, message) = file_error(status, &body);
        assert_eq!(
            code, "upload_too_large",
            "{part} declared {declared}: {body}"
        );
        assert!(message.contains("50 MiB"), "{message}");
        let (status, body) = upload_products(&app, &firm, file).await;
        assert_eq!(file_error(status, &body).0, "upload_too_large", "{body}");
    }
    let mut csv = String::from("企业名称,统一社会信用代码,类别,截止日期\n");
    for _ in 0..20_001 {
        csv.push_str("某公司,X,专精特新,2099-12-31\n");
    }
    let (status, body) = upload_directory(&app, &city, "名录.csv", csv.into_bytes()).await;
    assert_eq!(file_error(status, &body).0, "too_many_rows", "{body}");
    app.stop().await;
}
on_both_backends!(zip_bombs_are_refused);

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a complete gzip stream");
    out
}

/// Every streamed export arrives whole when the client accepts gzip, as every browser does:
/// the product and enterprise workbooks open with every row, the audit CSV ends with its last
/// line. Before, the stream was polled after its end behind the compression layer and the
/// download broke off.
async fn streamed_exports_arrive_whole_behind_gzip(fresh: Fresh) {
    use calamine::Reader;
    zhichan_service::Services::new(fresh.db.clone())
        .prepare_demo()
        .await
        .unwrap();
    add_user(&fresh, "m.auditor", "auditor", None, None).await;
    // The auditor's second factor is taken as enrolled.
    zhichan_store::Exec::execute(
        &fresh.db,
        zhichan_store::Sql::new(
            "UPDATE users SET totp_enabled = TRUE, totp_secret = 'JBSWY3DPEHPK3PXP' \
             WHERE username = 'm.auditor'",
        ),
    )
    .await
    .unwrap();
    let app = spawn_app(&fresh).await;
    let reviewer = app.token(&fresh, "shenhe").await;
    let auditor = app.token(&fresh, "m.auditor").await;
    let gzipped = |path: &str, token: &str| {
        let req = app
            .client
            .get(app.url(path))
            .bearer_auth(token)
            .header("accept-encoding", "gzip");
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(
                res.headers()
                    .get("content-encoding")
                    .map(|v| v.to_str().unwrap()),
                Some("gzip")
            );
            gunzip(&res.bytes().await.expect("the whole body"))
        }
    };
    let total = app.read_as("/api/v1/products?per_page=1", &reviewer).await["total"]
        .as_i64()
        .unwrap();
    assert!(total > 0);
    for (path, sheet, want) in [
        ("/api/v1/products?format=xlsx", "备案产品", total),
        ("/api/v1/enterprises?format=xlsx", "企业", 3),
    ] {
        for _ in 0..3 {
            let bytes = gzipped(path, &reviewer).await;
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
            let rows = book.worksheet_range(sheet).unwrap().rows().count() as i64 - 1;
            assert_eq!(rows, want, "{path}");
        }
    }
    let logged = app.read_as("/api/v1/audit?per_page=1", &auditor).await["total"]
        .as_i64()
        .unwrap();
    for _ in 0..3 {
        let csv = String::from_utf8(gzipped("/api/v1/audit/export", &auditor).await).unwrap();
        assert!(csv.ends_with("\r\n"));
        let rows = csv.lines().count() as i64 - 1;
        assert!(rows >= logged, "{rows} rows, {logged} logged");
    }
    app.stop().await;
}
on_both_backends!(streamed_exports_arrive_whole_behind_gzip);

/// 南昌's office imports a directory that lists a 抚州 firm: the answer, the coverage, its page
/// and its workbook treat it exactly as a code not on the platform — same warning, same
/// wording, no region, no registered name, no contact. Before, the import was refused with
/// the firm's region and registered name.
async fn a_directory_reveals_nothing_outside_the_office_region(fresh: Fresh) {
    use calamine::Reader;
    zhichan_service::Services::new(fresh.db.clone())
        .prepare_demo()
        .await
        .unwrap();
    add_user(&fresh, "adm.nanchang", "admin", Some("360100"), None).await;
    let app = spawn_app(&fresh).await;
    let nanchang = app.token(&fresh, "adm.nanchang").await;
    let first17 = "91360102MA35G7YK0";
    let unknown = format!(
        "{first17}{}",
        zhichan_domain::credit_code::check_char(first17).unwrap()
    );
    let csv = format!(
        "企业名称,统一社会信用代码,类别,截止日期\n\
         某甲公司,{LINCHUAN},专精特新,2020-12-31\n\
         某乙公司,{unknown},专精特新,2020-12-31\n"
    );
    let (status, body) = upload_directory(&app, &nanchang, "名录.csv", csv.into_bytes()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let warnings = body["warnings"].as_array().unwrap();
    let about = |row: i64| {
        let mut w: Vec<Value> = warnings
            .iter()
            .filter(|w| w["row"] == row && w["column"] == "统一社会信用代码")
            .cloned()
            .collect();
        for w in &mut w {
            w.as_object_mut().unwrap().remove("row");
        }
        w
    };
    assert_eq!(about(2), about(3), "{body}");
    assert_eq!(about(2)[0]["code"], "unknown_enterprise");
    let text = body.to_string();
    assert!(
        !text.contains("示例科技") && !text.contains("抚州"),
        "{text}"
    );

    let id = body["directory"]["id"].as_i64().unwrap();
    let cov = app
        .read_as(&format!("/api/v1/directories/{id}/coverage"), &nanchang)
        .await;
    let uncovered = cov["uncovered"].as_array().unwrap();
    assert_eq!(uncovered.len(), 2, "{cov}");
    let strip = |u: &Value| {
        let mut u = u.clone();
        for k in ["credit_code", "name"] {
            u.as_object_mut().unwrap().remove(k);
        }
        u
    };
    assert_eq!(strip(&uncovered[0]), strip(&uncovered[1]), "{cov}");
    assert_eq!(uncovered[0]["on_platform"], false);
    let text = cov.to_string();
    assert!(
        !text.contains("示例科技") && !text.contains("抚州"),
        "{text}"
    );

    let res = app
        .client
        .get(app.url(&format!("/api/v1/directories/{id}/coverage?format=xlsx")))
        .bearer_auth(&nanchang)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .skip(1)
        .map(|r| r.iter().skip(2).map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], rows[1], "{rows:?}");

    let browser = app.login("adm.nanchang").await;
    let page = browser
        .client
        .get(app.url(&format!("/directories/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("某甲公司"));
    assert!(
        !page.contains("抚州") && !page.contains("示例科技"),
        "the page shows nothing of 抚州"
    );
    app.stop().await;
}
on_both_backends!(a_directory_reveals_nothing_outside_the_office_region);

/// Text and dates within bounds: a 2 MB product or enterprise name is refused as `too_long`
/// with the limit named, a first sale on 0000-01-01 as `invalid_date`; an echo of a 19 MB
/// value is capped; a client's unsafe request id is replaced.
async fn inputs_are_bounded_and_echoes_capped(fresh: Fresh) {
    zhichan_service::Services::new(fresh.db.clone())
        .prepare_demo()
        .await
        .unwrap();
    let app = spawn_app(&fresh).await;
    let firm = app.token(&fresh, "qiye").await;
    let city = app.token(&fresh, "fuzhou").await;
    let post = |path: &str, token: &str, body: Value| {
        let req = app
            .client
            .post(app.url(path))
            .bearer_auth(token)
            .json(&body);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            let text = res.text().await.unwrap();
            (status, text)
        }
    };
    let product = |name: &str, first_sold_on: &str, field: &str| {
        json!({
            "enterprise": LINCHUAN, "name": name, "model": "ZC-1", "field": field,
            "first_sold_on": first_sold_on,
            "figures": [{"year": 2025, "sales_revenue": "1000", "output_value": "1000"}],
            "patents": [{"number": "201910725275.4", "title": "一种数据采集装置",
                         "patentees": ["抚州市临川区示例科技有限公司"], "grant_date": "2021-03-02",
                         "legal_status": "valid", "right": "own", "core": true,
                         "embodiment": "采集模块"}]
        })
    };
    let huge = "名".repeat(700_000); // 2.1 MB of UTF-8
    let (status, text) = post(
        "/api/v1/products",
        &firm,
        product(&huge, "2022-05-01", "39"),
    )
    .await;
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        assert_problem(status, &body, 422),
        [("name".to_string(), "too_long".to_string())]
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("100"));
    assert!(text.len() < 4096, "{} bytes", text.len());

    let (status, text) = post(
        "/api/v1/products",
        &firm,
        product("传感器", "0000-01-01", "39"),
    )
    .await;
    assert_eq!(
        assert_problem(status, &serde_json::from_str(&text).unwrap(), 422),
        [("first_sold_on".to_string(), "invalid_date".to_string())]
    );

    // A profile's name, by PATCH of the firm's own.
    let me = app
        .read_as(&format!("/api/v1/enterprises/{LINCHUAN}"), &firm)
        .await;
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/enterprises/{LINCHUAN}")))
        .bearer_auth(&firm)
        .json(&json!({"version": me["version"], "name": huge}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        assert_problem(status, &body, 422),
        [("name".to_string(), "too_long".to_string())]
    );

    // 19 MB typed where a code or a date belongs: the answer quotes at most a few dozen
    // characters of it.
    let cell = "9".repeat(19 * MIB);
    let (status, text) = post(
        "/api/v1/products",
        &firm,
        product("传感器", "2022-05-01", &cell),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.len() < 4096, "{} bytes", text.len());
    let csv = format!(
        "企业名称,统一社会信用代码,类别,截止日期\n抚州市临川区示例科技有限公司,{LINCHUAN},专精特新,{}\n",
        "9".repeat(19 * MIB)
    );
    let (status, body) = upload_directory(&app, &city, "名录.csv", csv.into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.to_string().len() < 4096,
        "{} bytes",
        body.to_string().len()
    );
    assert_eq!(body["errors"][0]["code"], "invalid_date");

    // A product workbook with a name of 40,000 characters (more than a cell of Excel holds):
    // refused as too long, and the marked workbook sent back holds a shortened cell. Before,
    // writing the cell back failed and the answer was a 500.
    let heads = [
        "产品名称",
        "型号规格",
        "所属领域代码",
        "产品说明",
        "首次销售日期",
        "年度",
        "销售收入（元）",
        "产值（元）",
        "专利号（多个用分号分隔）",
        "核心专利号（可空，默认第一件）",
        "专利在产品中的实施方式",
    ];
    let head: String = heads
        .iter()
        .enumerate()
        .map(|(i, h)| text_cell(&format!("{}1", (b'A' + i as u8) as char), h))
        .collect();
    let book = workbook(
        "产品",
        None,
        &format!(
            "<row r=\"1\">{head}</row><row r=\"2\">{}{}</row>",
            text_cell("A2", &"名".repeat(40_000)),
            text_cell("B2", "ZC-1")
        ),
    );
    let (status, body) = upload_products(&app, &firm, book.clone()).await;
    let errors = assert_problem(status, &body, 422);
    assert!(
        errors.contains(&("产品[2].产品名称".to_string(), "too_long".to_string())),
        "{errors:?}"
    );
    assert!(body.to_string().len() < 16_384);
    let form = reqwest::multipart::Form::new()
        .text("enterprise", LINCHUAN)
        .part(
            "file",
            reqwest::multipart::Part::bytes(book).file_name("产品.xlsx"),
        );
    let res = app
        .client
        .post(app.url("/api/v1/products/import"))
        .bearer_auth(&firm)
        .header(
            "accept",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let marked = res.bytes().await.unwrap().to_vec();
    let mut marked: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(marked)).unwrap();
    let name = calamine::Reader::worksheet_range(&mut marked, "产品")
        .unwrap()
        .get_value((1, 0))
        .unwrap()
        .to_string();
    assert!(
        name.chars().count() <= 2_001 && name.ends_with('…'),
        "{}",
        name.len()
    );

    // Request ids: a safe one is kept, anything else replaced by one of the server's.
    for (sent, kept) in [
        ("trace-abc.123_x", true),
        ("abc def", false),
        ("<script>alert(1)</script>", false),
        (&*"a".repeat(65), false),
        ("a\"} {\"forged\": 1", false),
    ] {
        let res = app
            .client
            .get(app.url("/api/v1/health"))
            .header("x-request-id", sent)
            .send()
            .await
            .unwrap();
        let got = res.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(got == sent, kept, "{sent} → {got}");
        assert!(
            got.len() <= 64
                && got
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
            "{got}"
        );
    }
    app.stop().await;
}
on_both_backends!(inputs_are_bounded_and_echoes_capped);
