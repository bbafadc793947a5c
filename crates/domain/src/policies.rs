//! Policies (政策) as they are found in the wild: a portal listing holding many items, a document
//! that starts with its 文号, one without a title line, traditional text with a pinyin reading
//! after many characters, the English rendering of a notice.
//!
//! [`extract`] turns such text into the fields of a policy. It never invents a value: what the
//! text does not hold stays empty and a warning says so, for the official who previews the
//! import to fill in.
//!
//! Rules, in the order they apply:
//! - A parenthesis holding one toned pinyin syllable ("國(guó)家") is a reading and goes; every
//!   other parenthesis stays ("(一)", "(2021—2035年)").
//! - A listing is text with two or more "来源:issuer date" lines. Each item is the title line
//!   followed by the body line(s) before its 来源 line; the 来源 line gives the portal's `source`
//!   and the posting date `posted_on`, never the issuer or the document's own date. What precedes
//!   the first title (the portal's header) and follows the last 来源 line (its pager) is chrome.
//! - A document's own 文号 comes only from its header: a 文号 standing by itself (on its own line,
//!   or between spaces) before the salutation ends with its colon. A 文号 cited in running text,
//!   such as 《…》(X〔2022〕20号), is never the document's own.
//! - The issuer(s) and `published_on` come from the signature: body names standing by themselves
//!   just before a date that stands by itself. Without a named signature, a title that starts
//!   with a body's name ("X关于…") names the issuer, and a warning says where it came from.
//! - Dates of force come from the sentence saying so: "自2023年10月10日施行", "自公布之日起施行"
//!   (the published date), "有效期至2025年12月31日", "有效期5年" (to the day before the fifth
//!   anniversary).
//! - Page chrome goes: what follows the signature (but a parenthesised contact line right after
//!   it), and lines such as disclaimers, customer-service lines, company footers and ICP numbers.

use regex::Regex;
use std::sync::LazyLock;
use time::{Date, Month};

/// What the text says about one policy. `None` and empty lists mean the text does not say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtractedPolicy {
    pub title: Option<String>,
    /// The document's own 文号, normalised (〔〕 brackets, no spaces); an English rendering's
    /// number as written.
    pub doc_number: Option<String>,
    /// The issuing bodies, in the order the signature names them.
    pub issuers: Vec<String>,
    pub published_on: Option<Date>,
    pub effective_on: Option<Date>,
    pub expires_on: Option<Date>,
    /// Where a portal posted it (the 来源 line of a listing).
    pub source: Option<String>,
    pub posted_on: Option<Date>,
    pub body: String,
    pub warnings: Vec<ImportWarning>,
}

/// A field the text did not give, or gave indirectly: shown beside the field in the preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportWarning {
    pub field: &'static str,
    /// `not_in_text`, `issuer_from_title`, `control_characters`, or (set by the import, which
    /// knows the regions) `region_from_source`, `region_not_inferred`.
    pub code: &'static str,
    pub message: String,
}

impl ExtractedPolicy {
    pub fn warning(&self, field: &str) -> Option<&ImportWarning> {
        self.warnings.iter().find(|w| w.field == field)
    }
}

/// Whether a policy is in force on `today`: from its effective date (or, without one, its
/// published date) through its expiry date, both inclusive. A policy with neither start date
/// is taken as in force until it expires.
pub fn in_force(
    published_on: Option<Date>,
    effective_on: Option<Date>,
    expires_on: Option<Date>,
    today: Date,
) -> bool {
    let started = effective_on.or(published_on).is_none_or(|d| d <= today);
    let not_ended = expires_on.is_none_or(|d| today <= d);
    started && not_ended
}

/// A 文号 normalised for comparison and search: 〔〕 around the year, no spaces, whatever
/// bracket the text used (〔〕[]()【】（）).
pub fn normalise_doc_number(input: &str) -> String {
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(c) = DOC_NUMBER.captures(&compact) {
        if c.get(0).map(|m| m.as_str().len()) == Some(compact.len()) {
            return format!("{}〔{}〕{}{}", &c[1], &c[2], &c[3], &c[4]);
        }
    }
    compact
}

/// A body's text reduced for deduplication: no whitespace, no pinyin readings.
pub fn normalised_text(body: &str) -> String {
    strip_readings(body)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The key two texts share when they are the same document: the SM3 digest (hex) of
/// [`normalised_text`].
pub fn text_key(body: &str) -> String {
    use sm3::{Digest, Sm3};
    Sm3::digest(normalised_text(body).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Removes every parenthesis that holds exactly one toned pinyin syllable.
pub fn strip_readings(text: &str) -> String {
    READING.replace_all(text, "").into_owned()
}

/// The policies a text holds: many for a portal listing, otherwise one (none for blank text).
pub fn extract(text: &str) -> Vec<ExtractedPolicy> {
    let (text, controls) = crate::validation::strip_controls(
        &text.replace('\u{feff}', "").replace("\r\n", "\n"),
        true,
    );
    let mut found = extract_clean(&strip_readings(&text));
    if controls > 0 {
        for p in &mut found {
            p.warnings.push(ImportWarning {
                field: "body",
                code: "control_characters",
                message: format!(
                    "原文含有 {controls} 个控制字符或文字方向控制符（如 NUL、ESC、U+202E），已删除，请核对"
                ),
            });
        }
    }
    found
}

fn extract_clean(text: &str) -> Vec<ExtractedPolicy> {
    let lines: Vec<&str> = text.lines().collect();
    let source_lines: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| SOURCE_LINE.is_match(l.trim()))
        .map(|(i, _)| i)
        .collect();
    if source_lines.len() >= 2 {
        return extract_listing(&lines, &source_lines);
    }
    extract_document(&lines).into_iter().collect()
}

fn extract_listing(lines: &[&str], source_lines: &[usize]) -> Vec<ExtractedPolicy> {
    let mut out = Vec::new();
    let mut start = 0;
    for &at in source_lines {
        let block: Vec<&str> = lines[start..at]
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        start = at + 1;
        let Some((body, before)) = block.split_last() else {
            continue;
        };
        let title = before.last().map(|t| clean_title(t));
        let caps = SOURCE_LINE
            .captures(lines[at].trim())
            .expect("matched above");
        let source = caps
            .get(1)
            .map(|m| m.as_str().trim().to_string())
            .filter(|s| !s.is_empty());
        let posted_on = caps.get(2).and_then(|m| iso_date(m.as_str()));
        out.push(analyse(
            title.filter(|t| !t.is_empty()),
            clean_body(&[body]),
            source,
            posted_on,
        ));
    }
    out
}

fn extract_document(lines: &[&str]) -> Option<ExtractedPolicy> {
    let kept: Vec<&str> = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !CHROME_LINE.is_match(l))
        .collect();
    if kept.is_empty() {
        return None;
    }
    let mut posted_on = None;
    let mut title = None;
    let mut body_start = 0;
    // A portal's "Release Time:" names the posting date; the line before it is the title and what
    // comes before that is the page's header.
    if let Some(at) = kept.iter().position(|l| RELEASE_LINE.is_match(l)) {
        let caps = RELEASE_LINE.captures(kept[at]).expect("matched above");
        let same_line = caps.get(1).map(|m| m.as_str().trim()).unwrap_or("");
        body_start = at + 1;
        posted_on = if same_line.is_empty() {
            let next = kept.get(at + 1).and_then(|l| iso_date(l));
            if next.is_some() {
                body_start = at + 2;
            }
            next
        } else {
            iso_date(same_line)
        };
        if at > 0 && looks_like_title(kept[at - 1]) {
            title = Some(clean_title(kept[at - 1]));
        }
    } else if looks_like_title(kept[0]) {
        title = Some(clean_title(kept[0]));
        body_start = 1;
    }
    let rest = &kept[body_start..];
    let end = signature_end(rest);
    Some(analyse(title, clean_body(&rest[..end]), None, posted_on))
}

/// How many of `lines` belong to the document: through the signature's date line and a
/// parenthesised contact line right after it; the rest is the page's footer.
fn signature_end(lines: &[&str]) -> usize {
    let english = is_english(&lines.join("\n"));
    let found = (0..lines.len()).rev().find(|&i| {
        let l = lines[i];
        if english {
            ENGLISH_DATE_LINE.is_match(l) && i > 0 && ENGLISH_BODY.is_match(lines[i - 1].trim_end())
        } else {
            ZH_DATE_LINE.is_match(l)
                && i > 0
                && lines[i - 1].split_whitespace().all(|t| ZH_BODY.is_match(t))
        }
    });
    match found {
        Some(i) => {
            let mut end = i + 1;
            while end < lines.len() && PARENTHESISED.is_match(lines[end]) {
                end += 1;
            }
            end
        }
        None => lines.len(),
    }
}

fn analyse(
    title: Option<String>,
    body: String,
    source: Option<String>,
    posted_on: Option<Date>,
) -> ExtractedPolicy {
    let english = is_english(&body);
    let doc_number = if english {
        english_doc_number(&body)
    } else {
        own_doc_number(&body)
    };
    let signature = if english {
        english_signature(&body)
    } else {
        chinese_signature(&body)
    };
    let (mut issuers, published_on) = signature.unwrap_or_default();
    let mut warnings = Vec::new();
    if issuers.is_empty() {
        if let Some(issuer) = title.as_deref().and_then(issuer_from_title) {
            issuers.push(issuer);
            warnings.push(ImportWarning {
                field: "issuer",
                code: "issuer_from_title",
                message: "原文没有署名，发文机关取自标题，请核对".to_string(),
            });
        }
    }
    let (effective_on, expires_on, validity_note) = validity(&body, published_on);
    let mut policy = ExtractedPolicy {
        title,
        doc_number,
        issuers,
        published_on,
        effective_on,
        expires_on,
        source,
        posted_on,
        body,
        warnings,
    };
    let missing: [(&'static str, bool, &str); 8] = [
        ("title", policy.title.is_none(), "标题"),
        ("doc_number", policy.doc_number.is_none(), "本文的文号"),
        ("issuer", policy.issuers.is_empty(), "发文机关"),
        ("published_on", policy.published_on.is_none(), "成文日期"),
        ("effective_on", policy.effective_on.is_none(), "施行日期"),
        ("expires_on", policy.expires_on.is_none(), "有效期"),
        ("source", policy.source.is_none(), "来源"),
        ("posted_on", policy.posted_on.is_none(), "发布（转载）日期"),
    ];
    for (field, absent, what) in missing {
        if absent {
            let message = if field == "expires_on" {
                validity_note
                    .clone()
                    .unwrap_or_else(|| format!("原文未载明{what}，留空"))
            } else {
                format!("原文未载明{what}，留空")
            };
            policy.warnings.push(ImportWarning {
                field,
                code: "not_in_text",
                message,
            });
        }
    }
    policy
}

/// The first 文号 standing by itself in the header, before the salutation's colon.
fn own_doc_number(body: &str) -> Option<String> {
    let header_end = body.find([':', '\u{ff1a}', '。']).unwrap_or(body.len());
    DOC_NUMBER
        .captures_iter(body)
        .filter(|c| {
            let m = c.get(0).expect("whole match");
            let before = body[..m.start()].chars().next_back();
            let after = body[m.end()..].chars().next();
            m.start() < header_end
                && before.is_none_or(char::is_whitespace)
                && after.is_none_or(char::is_whitespace)
        })
        .map(|c| format!("{}〔{}〕{}{}", &c[1], &c[2], &c[3], &c[4]))
        .next()
}

/// An English rendering's own number, as written, from a line that ends with it ("State
/// Intellectual Property Office Hanyun Zi [2022] No. 985" gives "Hanyun Zi [2022] No. 985").
fn english_doc_number(body: &str) -> Option<String> {
    body.lines().find_map(|line| {
        let c = ENGLISH_NUMBER_LINE.captures(line.trim())?;
        let words: Vec<&str> = c[1].split_whitespace().collect();
        let after_issuer = words
            .iter()
            .rposition(|w| ENGLISH_BODY_WORD.is_match(w))
            .map_or(0, |i| i + 1);
        let prefix = words[after_issuer..].join(" ");
        if prefix.is_empty() {
            return None;
        }
        Some(format!("{prefix} {}", c[2].trim()))
    })
}

/// The first signature: names of bodies standing by themselves right before a date standing by
/// itself, or such a date right after a sentence ends.
fn chinese_signature(body: &str) -> Option<(Vec<String>, Option<Date>)> {
    for c in ZH_DATE.captures_iter(body) {
        let m = c.get(0).expect("whole match");
        let after = body[m.end()..].chars().next();
        if !after.is_none_or(|ch| ch.is_whitespace() || ch == '(' || ch == '\u{ff08}') {
            continue;
        }
        let Some(date) = ymd(&c[1], &c[2], &c[3]) else {
            continue;
        };
        let mut rest = body[..m.start()].trim_end();
        let mut issuers = Vec::new();
        loop {
            let (head, token) = match rest.rfind(char::is_whitespace) {
                Some(i) => (&rest[..i], &rest[i..]),
                None => ("", rest),
            };
            let token = token.trim();
            if token.is_empty() || !ZH_BODY.is_match(token) {
                break;
            }
            issuers.push(token.to_string());
            rest = head.trim_end();
        }
        let after_sentence = rest.is_empty() || rest.ends_with(['。', '!', '\u{ff01}']);
        if !issuers.is_empty() || after_sentence {
            issuers.reverse();
            return Some((issuers, Some(date)));
        }
    }
    None
}

fn english_signature(body: &str) -> Option<(Vec<String>, Option<Date>)> {
    let lines: Vec<&str> = body.lines().map(str::trim).collect();
    (1..lines.len()).rev().find_map(|i| {
        let c = ENGLISH_DATE_LINE.captures(lines[i])?;
        if !ENGLISH_BODY.is_match(lines[i - 1]) {
            return None;
        }
        let month = english_month(&c[1])?;
        let date = Date::from_calendar_date(c[3].parse().ok()?, month, c[2].parse().ok()?).ok()?;
        Some((vec![lines[i - 1].to_string()], Some(date)))
    })
}

/// The issuer a title names at its start ("抚州市人民政府办公室关于印发…").
fn issuer_from_title(title: &str) -> Option<String> {
    let c = TITLE_ISSUER.captures(title)?;
    let name = c[1].trim();
    ZH_BODY.is_match(name).then(|| name.to_string())
}

/// Effective and expiry dates from the sentence that puts the document in force, and a note
/// when the text gives a period but no start to count it from.
fn validity(
    body: &str,
    published_on: Option<Date>,
) -> (Option<Date>, Option<Date>, Option<String>) {
    for sentence in body.split(['。', '\n']) {
        let Some(c) = IN_FORCE_FROM.captures(sentence) else {
            continue;
        };
        let effective_on = match c.get(1) {
            Some(_) => ymd(&c[1], &c[2], &c[3]),
            None => published_on,
        };
        if let Some(e) = EXPIRES_ON.captures(sentence) {
            return (effective_on, ymd(&e[1], &e[2], &e[3]), None);
        }
        if let Some(e) = VALID_YEARS.captures(sentence) {
            let Some(years) = chinese_count(&e[1]) else {
                return (effective_on, None, None);
            };
            return match effective_on.and_then(|d| add_years(d, years)) {
                Some(end) => (effective_on, end.previous_day(), None),
                None => (
                    effective_on,
                    None,
                    Some(format!("原文载明有效期{years}年，但未载明起算日期，留空")),
                ),
            };
        }
        return (effective_on, None, None);
    }
    (None, None, None)
}

fn add_years(d: Date, years: u32) -> Option<Date> {
    let year = d.year() + i32::try_from(years).ok()?;
    Date::from_calendar_date(year, d.month(), d.day())
        .or_else(|_| Date::from_calendar_date(year, d.month(), d.day() - 1))
        .ok()
}

fn chinese_count(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c);
    match s.chars().collect::<Vec<_>>().as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c).map(|n| n as u32),
        ['十', u] => digit(*u).map(|n| 10 + n as u32),
        [t, '十'] => digit(*t).map(|n| 10 * n as u32),
        [t, '十', u] => Some(10 * digit(*t)? as u32 + digit(*u)? as u32),
        _ => None,
    }
}

fn looks_like_title(line: &str) -> bool {
    let chars = line.chars().count();
    !line.ends_with([':', '\u{ff1a}', '。', '.', ';', '\u{ff1b}', ',', '\u{ff0c}'])
        && chars <= 160
        && !ZH_DATE_LINE.is_match(line)
        && iso_date(line).is_none()
        && DOC_NUMBER
            .find(line)
            .is_none_or(|m| m.start() > 0 && m.end() < line.len())
}

/// A title with the stray spaces of a web page removed around Chinese text.
fn clean_title(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            let prev = out.chars().next_back();
            let next = w.chars().next();
            if !(prev.is_some_and(is_cjk) || next.is_some_and(is_cjk)) {
                out.push(' ');
            }
        }
        out.push_str(w);
    }
    out
}

/// Lines trimmed, runs of spaces (including no-break spaces) reduced to one.
fn clean_body(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303f | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xff00..=0xffef)
        || "《》“”‘’、".contains(c)
}

fn is_english(text: &str) -> bool {
    let han = text
        .chars()
        .filter(|c| matches!(*c as u32, 0x4e00..=0x9fff))
        .count();
    let latin = text.chars().filter(char::is_ascii_alphabetic).count();
    latin > 0 && han * 20 < latin
}

fn iso_date(s: &str) -> Option<Date> {
    let c = ISO_DATE.captures(s.trim())?;
    ymd(&c[1], &c[2], &c[3])
}

fn ymd(y: &str, m: &str, d: &str) -> Option<Date> {
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

fn english_month(name: &str) -> Option<Month> {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let i = NAMES.iter().position(|n| *n == name)?;
    Month::try_from(i as u8 + 1).ok()
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid pattern")
}

const DATE_PATTERN: &str = r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日";
const MONTHS: &str =
    "January|February|March|April|May|June|July|August|September|October|November|December";

static READING: LazyLock<Regex> =
    LazyLock::new(|| re(r"[(（]\s*[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\s*[)）]"));
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(\p{Han}{1,15})\s*[〔\[【(（]\s*((?:19|20)\d{2})\s*[〕\]】)）]\s*(\d{1,5})\s*([号號])")
});
static SOURCE_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:来源|來源)\s*[:：]\s*(.*?)\s*(\d{4}-\d{1,2}-\d{1,2})?$"));
static RELEASE_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:Release Time|发布时间|發布時間)\s*[:：]\s*(.*)$"));
static ISO_DATE: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"));
static ZH_DATE: LazyLock<Regex> = LazyLock::new(|| re(DATE_PATTERN));
static ZH_DATE_LINE: LazyLock<Regex> = LazyLock::new(|| re(&format!("^{DATE_PATTERN}$")));
static ENGLISH_DATE_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"^({MONTHS}) (\d{{1,2}}), (\d{{4}})$")));
/// The name of a government body: Chinese characters (and parentheses) ending as bodies do.
static ZH_BODY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^[\p{Han}()（）]{1,30}(?:局|部|厅|廳|院|委|会|會|办|辦|室|政府|中心|署|小组|小組|处|處)$")
});
static ENGLISH_BODY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:Office|Administration|Bureau|Ministry|Department|Commission|Council|Government|Committee)$",
    )
});
static ENGLISH_BODY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^[A-Z][A-Za-z ,'-]{0,120}(?:Office|Administration|Bureau|Ministry|Department|Commission|Council|Government|Committee)$",
    )
});
static ENGLISH_NUMBER_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^((?:[A-Z][A-Za-z]* )+)(\[(?:19|20)\d{2}\] No\. ?\d{1,5})$"));
static TITLE_ISSUER: LazyLock<Regex> = LazyLock::new(|| re(r"^(.{2,40}?)(?:关于|關於|關于)"));
static IN_FORCE_FROM: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"自\s*(?:{DATE_PATTERN}|(?:公布|印发|发布|印發|發布|公佈|颁布|頒布)之日)\s*起?\s*(?:施行|实施|實施|执行|執行)"
    ))
});
static EXPIRES_ON: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"有效期\s*(?:至|到)\s*{DATE_PATTERN}")));
static VALID_YEARS: LazyLock<Regex> =
    LazyLock::new(|| re(r"有效期\s*为?\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*年"));
static PARENTHESISED: LazyLock<Regex> = LazyLock::new(|| re(r"^[(（].*[)）]$"));
/// Lines of page chrome: navigation, disclaimers, customer service, company footers, ICP.
static CHROME_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?x)^(?:
        TOP | 客服 | 电话 | 電話 | 微信 | 相关新闻 | 相關新聞 | 返回顶部 | 打印本页 | 关闭窗口
      | (?:原文链接|免责声明|免責聲明)\s*[:：]?.*
      | 本站.*(?:来源|侵权|删除).*
      | .*版权所有.* | .*(?i:copyright).* | .*ICP备\d+号.*
      | News\ Updates | NEWS\ CENTER | Related\ News | There\ is\ currently\ no\ data\ available
      | Telephone\s*:.* | Head\ Office\s*:.* | Subsidiary\ Company\s*:.*
      | Service\ Number | Subscription\ Number | Related\ links\s*:.*
      | More\ .*(?:information|news).* | Pay\ attention\ to\ .*
    )$")
});

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn readings_go_and_other_parentheses_stay() {
        assert_eq!(
            strip_readings("國(guó)家(一)(2021—2035年)綱(gāng)要（lǜ）"),
            "國家(一)(2021—2035年)綱要"
        );
    }

    #[test]
    fn doc_numbers_are_normalised_whatever_their_brackets() {
        for written in [
            "成知发 〔2024〕 3号",
            "成知发[2024]3号",
            "成知发【2024】3号",
            "成知发（2024） 3 号",
        ] {
            assert_eq!(
                normalise_doc_number(written),
                "成知发〔2024〕3号",
                "{written}"
            );
        }
    }

    #[test]
    fn in_force_runs_from_the_effective_date_through_the_expiry_date() {
        let (p, e, x) = (
            Some(date!(2024 - 07 - 28)),
            None,
            Some(date!(2029 - 07 - 27)),
        );
        assert!(!in_force(p, e, x, date!(2024 - 07 - 27)));
        assert!(in_force(p, e, x, date!(2024 - 07 - 28)));
        assert!(in_force(p, e, x, date!(2029 - 07 - 27)));
        assert!(!in_force(p, e, x, date!(2029 - 07 - 28)));
        assert!(!in_force(
            p,
            Some(date!(2024 - 08 - 01)),
            x,
            date!(2024 - 07 - 30)
        ));
    }

    #[test]
    fn a_cited_number_is_never_the_documents_own() {
        let text = "各单位:\n根据《关于开展工作的通知》(国知办函运字〔2022〕985号)要求,现通知如下。\n某某局\n2022年12月21日";
        let p = &extract(text)[0];
        assert_eq!(p.doc_number, None);
        assert_eq!(p.issuers, vec!["某某局"]);
        assert_eq!(p.published_on, Some(date!(2022 - 12 - 21)));
    }

    #[test]
    fn control_characters_are_dropped_and_said() {
        let p = &extract(
            "关于\u{202e}某事\u{0}的通知\n各单位:\n通知\u{1b}如下。\n某某局\n2022年12月21日",
        )[0];
        assert_eq!(p.title.as_deref(), Some("关于某事的通知"));
        assert!(p.body.contains("通知如下。"));
        assert_eq!(
            p.warning("body").map(|w| w.code),
            Some("control_characters")
        );
        assert!(p.warning("body").unwrap().message.contains("3 个"));
        assert_eq!(extract("各单位:\n通知如下。")[0].warning("body"), None);
    }

    #[test]
    fn a_period_of_validity_without_a_start_is_left_empty_and_said() {
        let p = &extract("各单位:\n本办法自公布之日起施行,有效期五年。")[0];
        assert_eq!((p.effective_on, p.expires_on), (None, None));
        assert!(p.warning("expires_on").unwrap().message.contains("5年"));
    }
}
