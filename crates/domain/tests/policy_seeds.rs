//! The five real seeds in `../shared/seeds/`, read as they are, extracted field by field.

use time::macros::date;
use time::Date;
use zhichan_domain::policies::{extract, ExtractedPolicy};

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

#[test]
fn seed_000_a_provincial_notice_without_a_title_line_cites_another_documents_number() {
    let p = only(&seed("000_"));
    assert_eq!(p.title, None, "the text has no title line");
    assert_eq!(p.doc_number, None, "985号 is cited, not its own");
    assert_eq!(p.issuers, vec!["江苏省知识产权局办公室"]);
    assert_eq!(p.published_on, Some(date!(2022 - 12 - 21)));
    assert_eq!((p.effective_on, p.expires_on), (None, None));
    assert_eq!((p.source.as_deref(), p.posted_on), (None, None));
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

struct Item {
    title: &'static str,
    doc_number: Option<&'static str>,
    issuers: &'static [&'static str],
    published_on: Option<Date>,
    effective_on: Option<Date>,
    expires_on: Option<Date>,
    source: Option<&'static str>,
    posted_on: Date,
    issuer_from_title: bool,
}

#[test]
fn seed_001_a_portal_listing_holds_fourteen_policies_each_with_its_source_line() {
    let nipa = Some("国家知识产权局");
    let fz_market = Some("抚州市市场监督管理局");
    let expected = [
        Item {
            title: "关于进一步优化知识产权领域营商环境的意见",
            doc_number: Some("国知发服字〔2025〕5号"),
            issuers: &[
                "国家知识产权局",
                "教育部",
                "科技部",
                "市场监管总局",
                "金融监管总局",
                "国家版权局",
                "中国科学院",
            ],
            published_on: Some(date!(2025 - 03 - 13)),
            effective_on: None,
            expires_on: None,
            source: nipa,
            posted_on: date!(2025 - 04 - 01),
            issuer_from_title: false,
        },
        Item {
            title: "关于加快推进高校和科研机构存量专利推广转化工作有关事项的通知",
            doc_number: Some("国知办发运字〔2024〕33号"),
            issuers: &[
                "国家知识产权局办公室",
                "教育部办公厅",
                "科技部办公厅",
                "工业和信息化部办公厅",
                "农业农村部办公厅",
                "国家卫生健康委办公厅",
                "中国科学院办公厅",
            ],
            published_on: Some(date!(2024 - 08 - 30)),
            effective_on: None,
            expires_on: None,
            source: nipa,
            posted_on: date!(2024 - 09 - 12),
            issuer_from_title: false,
        },
        Item {
            title: "国家知识产权局办公室关于推进知识产权公共服务标准化规范化便利化的意见",
            doc_number: Some("国知办发服字〔2024〕31号"),
            issuers: &["国家知识产权局办公室"],
            published_on: Some(date!(2024 - 09 - 02)),
            effective_on: None,
            expires_on: None,
            source: nipa,
            posted_on: date!(2024 - 09 - 12),
            issuer_from_title: false,
        },
        Item {
            title: "关于印发《2024年知识产权强国建设推进计划》的通知",
            doc_number: Some("国知联办〔2024〕6号"),
            issuers: &["国家知识产权强国建设工作部际联席会议办公室"],
            published_on: Some(date!(2024 - 05 - 11)),
            effective_on: None,
            expires_on: None,
            source: nipa,
            posted_on: date!(2024 - 05 - 21),
            issuer_from_title: false,
        },
        Item {
            title: "抚州市人民政府办公室关于印发抚州市国家知识产权强市建设试点城市工作方案的通知",
            doc_number: None,
            issuers: &["抚州市人民政府办公室"],
            published_on: Some(date!(2024 - 02 - 08)),
            effective_on: None,
            expires_on: None,
            source: Some("抚州市人民政府"),
            posted_on: date!(2024 - 05 - 16),
            issuer_from_title: true,
        },
        Item {
            title: "关于印发《抚州市市级知识产权专项资金管理办法(试行)》的通知",
            doc_number: None,
            issuers: &[],
            published_on: Some(date!(2023 - 11 - 10)),
            effective_on: None,
            expires_on: None,
            source: fz_market,
            posted_on: date!(2024 - 04 - 16),
            issuer_from_title: false,
        },
        Item {
            title: "关于印发《抚州市知识产权强市建设行动方案(2023—2035年)》的通知",
            doc_number: None,
            issuers: &[],
            published_on: None,
            effective_on: None,
            expires_on: None,
            source: None,
            posted_on: date!(2024 - 04 - 12),
            issuer_from_title: false,
        },
        Item {
            title: "抚州市人民政府关于印发抚州市支持个体工商户和小微企业高质量发展的若干措施的通知",
            doc_number: None,
            issuers: &["抚州市人民政府"],
            published_on: Some(date!(2023 - 09 - 12)),
            effective_on: Some(date!(2023 - 10 - 10)),
            expires_on: Some(date!(2025 - 12 - 31)),
            source: fz_market,
            posted_on: date!(2024 - 04 - 01),
            issuer_from_title: true,
        },
        Item {
            title: "抚州市市场监管局关于印发《抚州市高价值专利培育项目管理办法》(试行)的通知",
            doc_number: None,
            issuers: &["抚州市市场监管局"],
            published_on: Some(date!(2023 - 09 - 22)),
            effective_on: None,
            expires_on: None,
            source: fz_market,
            posted_on: date!(2024 - 04 - 01),
            issuer_from_title: true,
        },
        Item {
            title: "关于加强知识产权强省建设的行动方案(2022—2035年)",
            doc_number: None,
            issuers: &[],
            published_on: None,
            effective_on: None,
            expires_on: None,
            source: Some("江西日报"),
            posted_on: date!(2024 - 04 - 01),
            issuer_from_title: false,
        },
        Item {
            title: "国务院办公厅关于印发《专利转化运用专项行动方案(2023—2025年)》的通知",
            doc_number: None,
            issuers: &["国务院办公厅"],
            published_on: Some(date!(2023 - 10 - 17)),
            effective_on: None,
            expires_on: None,
            source: Some("中国政府网"),
            posted_on: date!(2024 - 04 - 01),
            issuer_from_title: false,
        },
        Item {
            title: "关于印发《高校和科研机构存量专利盘活工作方案》的通知",
            doc_number: Some("国知发运字〔2024〕5号"),
            issuers: &[
                "国家知识产权局",
                "教育部",
                "科技部",
                "工业和信息化部",
                "农业农村部",
                "国家卫生健康委",
                "国务院国资委",
                "中国科学院",
            ],
            published_on: Some(date!(2024 - 01 - 26)),
            effective_on: None,
            expires_on: None,
            source: nipa,
            posted_on: date!(2024 - 04 - 01),
            issuer_from_title: false,
        },
        Item {
            title: "两部门关于印发《知识产权助力产业创新发展行动方案(2023─2027年)》的通知",
            doc_number: Some("工信厅联科〔2023〕48号"),
            issuers: &["工业和信息化部办公厅", "国家知识产权局办公室"],
            published_on: Some(date!(2023 - 08 - 24)),
            effective_on: None,
            expires_on: None,
            source: Some("中华人民共和国工业和信息化部"),
            posted_on: date!(2024 - 04 - 01),
            issuer_from_title: false,
        },
        Item {
            title: "知识产权公共服务普惠工程实施方案(2023—2025年)",
            doc_number: None,
            issuers: &[],
            published_on: None,
            effective_on: None,
            expires_on: None,
            source: nipa,
            posted_on: date!(2024 - 04 - 01),
            issuer_from_title: false,
        },
    ];
    let found = extract(&seed("001_"));
    assert_eq!(
        found.len(),
        14,
        "fourteen items on the listing's first page"
    );
    for (i, (p, e)) in found.iter().zip(&expected).enumerate() {
        let n = i + 1;
        assert_eq!(p.title.as_deref(), Some(e.title), "item {n}");
        assert_eq!(
            p.doc_number.as_deref(),
            e.doc_number,
            "item {n}: {}",
            e.title
        );
        assert_eq!(p.issuers, e.issuers, "item {n}: {}", e.title);
        assert_eq!(p.published_on, e.published_on, "item {n}: {}", e.title);
        assert_eq!(p.effective_on, e.effective_on, "item {n}: {}", e.title);
        assert_eq!(p.expires_on, e.expires_on, "item {n}: {}", e.title);
        assert_eq!(p.source.as_deref(), e.source, "item {n}: {}", e.title);
        assert_eq!(p.posted_on, Some(e.posted_on), "item {n}: {}", e.title);
        assert_eq!(
            p.warning("issuer").map(|w| w.code),
            if e.issuer_from_title {
                Some("issuer_from_title")
            } else if e.issuers.is_empty() {
                Some("not_in_text")
            } else {
                None
            },
            "item {n}: {}",
            e.title
        );
        assert!(!p.body.is_empty() && !p.body.contains("来源:"), "item {n}");
        assert!(
            !p.body.contains('\u{a0}'),
            "item {n}: no-break spaces are folded"
        );
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
    assert_eq!(
        p.title.as_deref(),
        Some("Notice from the Office of the State Intellectual Property Office on organizing the registration work of patented products")
    );
    assert_eq!(p.doc_number.as_deref(), Some("Hanyun Zi [2022] No. 985"));
    assert_eq!(p.issuers, vec!["State Intellectual Property Office"]);
    assert_eq!(p.published_on, Some(date!(2022 - 11 - 15)));
    assert_eq!(
        p.posted_on,
        Some(date!(2022 - 11 - 23)),
        "the portal's release time"
    );
    assert_eq!(
        (p.effective_on, p.expires_on, p.source.as_deref()),
        (None, None, None)
    );
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
    assert_eq!(p.title, None, "the text has no title line");
    assert_eq!(p.doc_number.as_deref(), Some("成知发〔2024〕3号"));
    assert_eq!(p.issuers, vec!["成都市知识产权局"]);
    assert_eq!(p.published_on, Some(date!(2024 - 07 - 28)));
    assert_eq!(
        p.effective_on,
        Some(date!(2024 - 07 - 28)),
        "自公布之日起施行"
    );
    assert_eq!(p.expires_on, Some(date!(2029 - 07 - 27)), "有效期5年");
    assert!(
        p.body.starts_with("成知发 〔2024〕 3号\n"),
        "the body keeps the text as written"
    );
    assert_eq!(warned(&p), ["posted_on", "source", "title"]);
}

#[test]
fn seed_004_traditional_text_loses_its_pinyin_readings_only() {
    let p = only(&seed("004_"));
    assert_eq!(
        p.title.as_deref(),
        Some("國家知識產權局辦公室關于面向重點產業組織開展國家級專利導航服務基地建設工作的通知")
    );
    assert_eq!(p.doc_number.as_deref(), Some("國知辦發運字〔2022〕58號"));
    assert_eq!(p.issuers, vec!["國家知識產權局辦公室"]);
    assert_eq!(p.published_on, Some(date!(2022 - 11 - 11)));
    assert_eq!((p.effective_on, p.expires_on), (None, None));
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
