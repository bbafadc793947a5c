//! The five real seeds in `../shared/seeds/`, read as they are, extracted field by field.

use time::macros::format_description;
use time::Date;
use zhichan_domain::policies::{extract, ExtractedPolicy};
use zhichan_domain::policy_placement::{Gazetteer, Placement};
use zhichan_domain::RegionCode;

/// The seeds directory: `ZHICHAN_SEEDS_DIR`, or `shared/seeds` beside the workspace or one of
/// its ancestors (a worktree may sit one level deeper than the main checkout).
fn seed(prefix: &str) -> String {
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
        .expect("the seeds directory is readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("seed {prefix}* not found in {}", dir.display()));
    std::fs::read_to_string(path).expect("a seed is UTF-8 text")
}

/// The region table the platform loads (`data/regions/gbt2260.csv`).
fn gazetteer() -> Gazetteer {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/regions/gbt2260.csv");
    let csv = std::fs::read_to_string(&path).expect("the region table is readable");
    Gazetteer::new(csv.lines().skip(1).filter_map(|l| {
        let mut cols = l.split(',');
        let code = RegionCode::parse(cols.next()?).ok()?;
        Some((code, cols.next()?.to_string()))
    }))
}

/// Where a seed's policy is placed, written as `issuer 361000`, `source 100000` or `-`.
fn assert_placed(p: &ExtractedPolicy, expected: &str) {
    let placed = match gazetteer().place(&p.issuers, p.source.as_deref()) {
        Placement::Issuer(r) => format!("issuer {r}"),
        Placement::Source(r) => format!("source {r}"),
        Placement::Unknown => "-".to_string(),
    };
    assert_eq!(
        placed, expected,
        "placement of {:?} ({:?})",
        p.title, p.issuers
    );
}

fn only(text: &str) -> ExtractedPolicy {
    let mut all = extract(text);
    assert_eq!(all.len(), 1, "one document");
    all.remove(0)
}

fn warned(p: &ExtractedPolicy) -> Vec<&str> {
    let mut fields: Vec<&str> = p.warnings.iter().map(|w| w.field).collect();
    fields.sort();
    fields
}

/// A document's fields as one row of a table, columns separated by `|`: title | 文号 | issuers
/// (separated by 、) | published | effective | expires | source | posted, dates as YYYY-MM-DD and
/// `-` for a field the text does not give. Each field is compared on its own, and a failure names
/// the field and the row.
fn assert_fields(p: &ExtractedPolicy, row: &str) {
    let cols: Vec<&str> = row.split('|').map(str::trim).collect();
    assert!(cols.len() >= 8, "a row has eight columns: {row}");
    let text = |i: usize| (cols[i] != "-").then_some(cols[i]);
    let day = |i: usize| {
        text(i).map(|d| {
            Date::parse(d, format_description!("[year]-[month]-[day]"))
                .unwrap_or_else(|e| panic!("{d} in {row}: {e}"))
        })
    };
    let issuers: Vec<&str> = text(2).map(|i| i.split('、').collect()).unwrap_or_default();
    assert_eq!(p.title.as_deref(), text(0), "title of {row}");
    assert_eq!(p.doc_number.as_deref(), text(1), "doc_number of {row}");
    assert_eq!(p.issuers, issuers, "issuers of {row}");
    assert_eq!(p.published_on, day(3), "published_on of {row}");
    assert_eq!(p.effective_on, day(4), "effective_on of {row}");
    assert_eq!(p.expires_on, day(5), "expires_on of {row}");
    assert_eq!(p.source.as_deref(), text(6), "source of {row}");
    assert_eq!(p.posted_on, day(7), "posted_on of {row}");
}

#[test]
fn seed_000_a_provincial_notice_without_a_title_line_cites_another_documents_number() {
    let p = only(&seed("000_"));
    // No title line; 985号 is cited, not its own number.
    assert_fields(
        &p,
        "- | - | 江苏省知识产权局办公室 | 2022-12-21 | - | - | - | -",
    );
    assert_placed(&p, "issuer 320000");
    assert!(p.body.starts_with("各设区市知识产权局,各有关单位:"));
    assert!(
        p.body.ends_with("江苏省知识产权局办公室\n2022年12月21日"),
        "{}",
        &p.body[p.body.len() - 200..]
    );
    for chrome in ["免责声明", "华夏泰科", "客服", "微信", "原文链接", "TOP"] {
        assert!(!p.body.contains(chrome), "{chrome} is page chrome");
    }
    assert_eq!(
        warned(&p),
        [
            "doc_number",
            "effective_on",
            "expires_on",
            "posted_on",
            "source",
            "title"
        ]
    );
}

/// The listing's fourteen items in order, with a ninth column: the warning on the issuer
/// (`issuer_from_title` when the title names it, `not_in_text` when nothing does).
const LISTING: &str = "
关于进一步优化知识产权领域营商环境的意见 | 国知发服字〔2025〕5号 | 国家知识产权局、教育部、科技部、市场监管总局、金融监管总局、国家版权局、中国科学院 | 2025-03-13 | - | - | 国家知识产权局 | 2025-04-01 | -
关于加快推进高校和科研机构存量专利推广转化工作有关事项的通知 | 国知办发运字〔2024〕33号 | 国家知识产权局办公室、教育部办公厅、科技部办公厅、工业和信息化部办公厅、农业农村部办公厅、国家卫生健康委办公厅、中国科学院办公厅 | 2024-08-30 | - | - | 国家知识产权局 | 2024-09-12 | -
国家知识产权局办公室关于推进知识产权公共服务标准化规范化便利化的意见 | 国知办发服字〔2024〕31号 | 国家知识产权局办公室 | 2024-09-02 | - | - | 国家知识产权局 | 2024-09-12 | -
关于印发《2024年知识产权强国建设推进计划》的通知 | 国知联办〔2024〕6号 | 国家知识产权强国建设工作部际联席会议办公室 | 2024-05-11 | - | - | 国家知识产权局 | 2024-05-21 | -
抚州市人民政府办公室关于印发抚州市国家知识产权强市建设试点城市工作方案的通知 | - | 抚州市人民政府办公室 | 2024-02-08 | - | - | 抚州市人民政府 | 2024-05-16 | issuer_from_title
关于印发《抚州市市级知识产权专项资金管理办法(试行)》的通知 | - | - | 2023-11-10 | - | - | 抚州市市场监督管理局 | 2024-04-16 | not_in_text
关于印发《抚州市知识产权强市建设行动方案(2023—2035年)》的通知 | - | - | - | - | - | - | 2024-04-12 | not_in_text
抚州市人民政府关于印发抚州市支持个体工商户和小微企业高质量发展的若干措施的通知 | - | 抚州市人民政府 | 2023-09-12 | 2023-10-10 | 2025-12-31 | 抚州市市场监督管理局 | 2024-04-01 | issuer_from_title
抚州市市场监管局关于印发《抚州市高价值专利培育项目管理办法》(试行)的通知 | - | 抚州市市场监管局 | 2023-09-22 | - | - | 抚州市市场监督管理局 | 2024-04-01 | issuer_from_title
关于加强知识产权强省建设的行动方案(2022—2035年) | - | - | - | - | - | 江西日报 | 2024-04-01 | not_in_text
国务院办公厅关于印发《专利转化运用专项行动方案(2023—2025年)》的通知 | - | 国务院办公厅 | 2023-10-17 | - | - | 中国政府网 | 2024-04-01 | -
关于印发《高校和科研机构存量专利盘活工作方案》的通知 | 国知发运字〔2024〕5号 | 国家知识产权局、教育部、科技部、工业和信息化部、农业农村部、国家卫生健康委、国务院国资委、中国科学院 | 2024-01-26 | - | - | 国家知识产权局 | 2024-04-01 | -
两部门关于印发《知识产权助力产业创新发展行动方案(2023─2027年)》的通知 | 工信厅联科〔2023〕48号 | 工业和信息化部办公厅、国家知识产权局办公室 | 2023-08-24 | - | - | 中华人民共和国工业和信息化部 | 2024-04-01 | -
知识产权公共服务普惠工程实施方案(2023—2025年) | - | - | - | - | - | 国家知识产权局 | 2024-04-01 | not_in_text
";

#[test]
fn seed_001_a_portal_listing_holds_fourteen_policies_each_with_its_source_line() {
    let found = extract(&seed("001_"));
    let rows: Vec<&str> = LISTING.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 14);
    assert_eq!(
        found.len(),
        14,
        "fourteen items on the listing's first page"
    );
    for (p, row) in found.iter().zip(&rows) {
        assert_fields(p, row);
        let issuer_warning = row.rsplit('|').next().map(str::trim).filter(|c| *c != "-");
        assert_eq!(
            p.warning("issuer").map(|w| w.code),
            issuer_warning,
            "issuer warning of {row}"
        );
        assert!(!p.body.is_empty() && !p.body.contains("来源:"), "{row}");
        assert!(
            !p.body.contains('\u{a0}'),
            "no-break spaces are folded: {row}"
        );
    }
    // Where each is placed: by its issuers; without one, by its 来源 (to be checked); the two
    // whose text names neither a body nor a region's 来源 are left for the official. Item 6 (the
    // 抚州 专项资金管理办法 the award rules cite) has no signature: its text says only, in a
    // sentence, which two bureaus made the 办法, so no issuer is read from it.
    let placed = [
        "issuer 100000",
        "issuer 100000",
        "issuer 100000",
        "issuer 100000",
        "issuer 361000",
        "source 361000",
        "-",
        "issuer 361000",
        "issuer 361000",
        "-",
        "issuer 100000",
        "issuer 100000",
        "issuer 100000",
        "source 100000",
    ];
    for (p, expected) in found.iter().zip(placed) {
        assert_placed(p, expected);
    }
    assert!(found[0].body.starts_with("国知发服字〔2025〕5号 各省"));
    assert!(!found[13].body.contains("共22条"), "the pager is chrome");
    assert_eq!(
        found[6].warning("source").map(|w| w.code),
        Some("not_in_text")
    );
}

#[test]
fn seed_002_the_english_rendering_keeps_its_own_number_as_written() {
    let p = only(&seed("002_"));
    // Posted on the portal's release time.
    assert_fields(
        &p,
        "Notice from the Office of the State Intellectual Property Office on organizing the registration work of patented products \
         | Hanyun Zi [2022] No. 985 | State Intellectual Property Office | 2022-11-15 | - | - | - | 2022-11-23",
    );
    assert_placed(&p, "issuer 100000");
    assert!(p.body.starts_with("In order to thoroughly implement"));
    assert!(
        p.body.ends_with("Email: zlcp@ppac.org.cn)"),
        "the contact line is the notice's own"
    );
    for chrome in [
        "ICP",
        "Copyright",
        "Shenkexin",
        "Head Office",
        "NEWS CENTER",
        "Release Time",
        "相关新闻",
    ] {
        assert!(!p.body.contains(chrome), "{chrome} is page chrome");
    }
    assert_eq!(warned(&p), ["effective_on", "expires_on", "source"]);
}

#[test]
fn seed_003_starts_with_its_number_and_says_how_long_it_is_in_force() {
    let p = only(&seed("003_"));
    // No title line; in force from publication (自公布之日起施行) for five years (有效期5年).
    assert_fields(
        &p,
        "- | 成知发〔2024〕3号 | 成都市知识产权局 | 2024-07-28 | 2024-07-28 | 2029-07-27 | - | -",
    );
    assert_placed(&p, "issuer 510100");
    assert!(
        p.body.starts_with("成知发 〔2024〕 3号\n"),
        "the body keeps the text as written"
    );
    assert_eq!(warned(&p), ["posted_on", "source", "title"]);
}

#[test]
fn seed_004_traditional_text_loses_its_pinyin_readings_only() {
    let p = only(&seed("004_"));
    assert_fields(
        &p,
        "國家知識產權局辦公室關于面向重點產業組織開展國家級專利導航服務基地建設工作的通知 \
         | 國知辦發運字〔2022〕58號 | 國家知識產權局辦公室 | 2022-11-11 | - | - | - | -",
    );
    assert_placed(&p, "issuer 100000");
    assert!(p.body.contains("《知識產權強國建設綱要(2021—2035年)》"));
    assert!(p.body.contains("(一)開展需求對接"));
    assert!(!p.body.contains("(guó)") && !p.body.contains("(shí)"));
    assert!(p.body.ends_with("chanyechu@cnipa.gov.cn)"));
    assert_eq!(
        warned(&p),
        ["effective_on", "expires_on", "posted_on", "source"]
    );
}

#[test]
fn importing_the_same_text_twice_gives_the_same_fields() {
    let text = seed("003_");
    assert_eq!(extract(&text), extract(&text));
}
