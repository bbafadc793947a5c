//! zhichan's three languages: 简体中文 (the source and the default), 繁體中文 and English.
//!
//! The message catalogue is keyed by the simplified-Chinese text itself (gettext style), so a
//! template stays readable: `{{ chrome.t("提交审核") }}`.
//!
//! - English comes from `locales/en.toml` (`"中文" = "English"`; an empty value is not yet
//!   translated and falls back to the Chinese). A key may hold numbered placeholders
//!   (`"有 {0} 个字段未通过校验" = "{0} fields failed validation"`) for messages formatted in Rust.
//! - 繁體 is converted from the simplified text by OpenCC (`s2twp`: Taiwan standard with its
//!   vocabulary), whose dictionaries are compiled into the binary; reviewed terms and whole
//!   messages kept by hand in `locales/zh-Hant-overrides.toml` win over the conversion.
//!
//! Both files are embedded at build time; nothing is read or downloaded at run time.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The English catalogue as shipped.
pub const EN_TOML: &str = include_str!("../../../locales/en.toml");
/// The reviewed 繁體 terms and messages as shipped.
pub const HANT_OVERRIDES_TOML: &str = include_str!("../../../locales/zh-Hant-overrides.toml");

/// A language the platform speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// 简体中文, the source text.
    #[default]
    ZhHans,
    /// 繁體中文 (Taiwan standard), converted by OpenCC plus reviewed terms.
    ZhHant,
    /// English, from the catalogue.
    En,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::ZhHans, Locale::ZhHant, Locale::En];

    /// The code kept in `users.locale`, the cookie and `/lang?to=`; also the `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhHans => "zh-Hans",
            Locale::ZhHant => "zh-Hant",
            Locale::En => "en",
        }
    }

    /// The page's `<html lang>`: the variants the texts are written in (繁體 follows Taiwan's
    /// usage, as OpenCC's s2twp writes it).
    pub fn html_lang(self) -> &'static str {
        match self {
            Locale::ZhHans => "zh-CN",
            Locale::ZhHant => "zh-TW",
            Locale::En => "en",
        }
    }

    /// The language's own name, as the switcher shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Locale::ZhHans => "简体中文",
            Locale::ZhHant => "繁體中文",
            Locale::En => "English",
        }
    }

    /// The language's name in one or two letters, as a crowded header shows it (the full name
    /// is read out and shown on hover).
    pub fn short(self) -> &'static str {
        match self {
            Locale::ZhHans => "简",
            Locale::ZhHant => "繁",
            Locale::En => "EN",
        }
    }

    /// Reads one of our codes, or a language tag that means one of them (`zh-CN`, `zh-TW`,
    /// `zh-HK`, `en-US`, …); case does not matter.
    pub fn parse(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        let mut parts = tag.split('-');
        match parts.next()? {
            "en" => Some(Locale::En),
            "zh" => {
                let rest: Vec<&str> = parts.collect();
                if rest
                    .iter()
                    .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"))
                {
                    Some(Locale::ZhHant)
                } else {
                    Some(Locale::ZhHans)
                }
            }
            _ => None,
        }
    }

    /// The best of our languages for an `Accept-Language` header (by its q-values, the first
    /// listed among equals); 简体中文 when it names none of them.
    pub fn from_accept_language(header: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for item in header.split(',') {
            let mut bits = item.split(';');
            let tag = bits.next().unwrap_or("").trim();
            let q = bits
                .filter_map(|b| b.trim().strip_prefix("q="))
                .filter_map(|v| v.trim().parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            if let Some(l) = Locale::parse(tag) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, l));
                }
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// Whether every bracket a value opens it also closes, and in order: a value filled into a
/// placeholder is a name or a number, never half of the sentence around it.
fn balanced(value: &str) -> bool {
    let mut open = Vec::new();
    for c in value.chars() {
        match c {
            '（' | '(' | '《' | '【' | '〔' | '[' => open.push(c),
            '）' | ')' | '》' | '】' | '〕' | ']' => {
                let want = match c {
                    '）' => '（',
                    ')' => '(',
                    '》' => '《',
                    '】' => '【',
                    '〕' => '〔',
                    _ => '[',
                };
                if open.pop() != Some(want) {
                    return false;
                }
            }
            _ => {}
        }
    }
    open.is_empty()
}

/// Whether English text that ends with `before` is in the middle of a sentence: after a word,
/// a number, a comma or semicolon or an opening bracket (not at the start, nor after a full
/// stop, a colon or a quotation mark, where a name keeps its capital).
fn mid_sentence(before: &str) -> bool {
    before
        .trim_end()
        .chars()
        .next_back()
        // `}`: another placeholder comes first, its value a word or a number.
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, ',' | ';' | '(' | '/' | '}'))
}

/// Proper names among the catalogue's English words: they keep their capital everywhere.
const PROPER: [&str; 9] = [
    "Beijing", "China", "Chinese", "English", "Excel", "Hong", "Jiangxi", "Zhichan", "GB",
];

/// A catalogue name as it reads inside a sentence: its first letter in lower case
/// ("Invention patents" → "invention patents"), unless it is a proper name (`Jiangxi`), an
/// abbreviation (`TOTP`, `SM3`) or a title whose every word is capitalised ("National
/// Intellectual Property Administration").
fn lowercased_name(english: &str) -> String {
    let first = english.split_whitespace().next().unwrap_or("");
    let mut chars = first.chars();
    let capitalised = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && first.chars().count() > 1
        && chars.all(|c| c.is_ascii_lowercase());
    if !capitalised || PROPER.iter().any(|p| first.starts_with(p)) {
        return english.to_string();
    }
    let words: Vec<&str> = english.split_whitespace().collect();
    let title = words.len() > 1
        && words
            .iter()
            .filter(|w| w.chars().count() > 3)
            .all(|w| w.starts_with(|c: char| c.is_ascii_uppercase()));
    if title {
        return english.to_string();
    }
    let mut out = String::with_capacity(english.len());
    let mut it = english.chars();
    if let Some(c) = it.next() {
        out.push(c.to_ascii_lowercase());
    }
    out.extend(it);
    out
}

/// One key of the catalogue with placeholders, split at them.
struct Pattern {
    /// The literal pieces around the placeholders (one more than the placeholders).
    pieces: Vec<String>,
    /// The placeholder number after each piece but the last.
    slots: Vec<usize>,
    english: String,
}

struct Catalogue {
    en: HashMap<String, String>,
    patterns: Vec<Pattern>,
    hant_messages: HashMap<String, String>,
    /// (simplified term, reviewed traditional term), longest first.
    hant_terms: Vec<(String, String)>,
    /// Every catalogue key already converted, so a page converts nothing.
    hant_cache: HashMap<String, String>,
    opencc: ferrous_opencc::OpenCC,
}

#[derive(serde::Deserialize, Default)]
struct Overrides {
    #[serde(default)]
    terms: HashMap<String, String>,
    #[serde(default)]
    messages: HashMap<String, String>,
}

/// Reads `locales/en.toml`: a flat table of strings.
pub fn parse_english(text: &str) -> Result<HashMap<String, String>, String> {
    toml::from_str::<HashMap<String, String>>(text).map_err(|e| e.to_string())
}

fn split_pattern(key: &str) -> Option<(Vec<String>, Vec<usize>)> {
    let mut pieces = vec![String::new()];
    let mut slots = Vec::new();
    let mut rest = key;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after.find('}')?;
        let n: usize = after[..end].parse().ok()?;
        pieces.last_mut()?.push_str(&rest[..start]);
        slots.push(n);
        pieces.push(String::new());
        rest = &after[end + 1..];
    }
    pieces.last_mut()?.push_str(rest);
    if slots.is_empty() {
        None
    } else {
        Some((pieces, slots))
    }
}

impl Pattern {
    /// The English of `text` when it is this key with its placeholders filled.
    fn apply(&self, text: &str) -> Option<String> {
        let rest = text.strip_prefix(self.pieces[0].as_str())?;
        let mut values = Vec::with_capacity(self.slots.len());
        if !self.fill(rest, 0, &mut values) {
            return None;
        }
        let mut out = self.english.clone();
        for (n, value) in values {
            let slot = format!("{{{n}}}");
            let english = translate(Locale::En, value);
            // A name the catalogue gave (a class, a status) keeps its capital only where a
            // sentence or a label begins: "… or 1 or more invention patents", not "… Invention
            // patents". Data filled in as written (a name typed in Latin letters) is left alone.
            let english =
                if english != value && out.find(&slot).is_some_and(|at| mid_sentence(&out[..at])) {
                    lowercased_name(&english)
                } else {
                    english.into_owned()
                };
            out = out.replace(&slot, &english);
        }
        Some(out)
    }

    /// Fills placeholder `i` and those after it from `rest`. A value may itself hold the piece
    /// that follows it (a qualification named "…（GB/T 29490）认证" before "（2026年度有效）"), so
    /// every place the piece occurs is tried, the earliest first, until the rest fits.
    fn fill<'t>(&self, rest: &'t str, i: usize, values: &mut Vec<(usize, &'t str)>) -> bool {
        let piece = self.pieces[i + 1].as_str();
        let last = i + 2 == self.pieces.len();
        let candidates: Vec<(usize, usize)> = if last {
            if piece.is_empty() {
                vec![(rest.len(), rest.len())]
            } else {
                match rest.strip_suffix(piece) {
                    Some(v) => vec![(v.len(), rest.len())],
                    None => Vec::new(),
                }
            }
        } else if piece.is_empty() {
            // Two placeholders side by side ("{1}{2}件": a name and its count): the first
            // ends where a number begins.
            rest.char_indices()
                .skip(1)
                .find(|&(_, c)| c.is_ascii_digit())
                .map(|(at, _)| vec![(at, at)])
                .unwrap_or_default()
        } else {
            rest.match_indices(piece)
                .map(|(at, _)| (at, at + piece.len()))
                .collect()
        };
        // The number after a name it was split from is a number only.
        let after_name = i > 0 && self.pieces[i].is_empty();
        for (end, next) in candidates {
            let value = &rest[..end];
            if value.is_empty()
                || !balanced(value)
                || (after_name
                    && !value
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == ',' || c == '.'))
            {
                continue;
            }
            values.push((self.slots[i], value));
            if last || self.fill(&rest[next..], i + 1, values) {
                return true;
            }
            values.pop();
        }
        false
    }
}

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let en = parse_english(EN_TOML).expect("locales/en.toml is a table of strings");
        let overrides: Overrides =
            toml::from_str(HANT_OVERRIDES_TOML).expect("locales/zh-Hant-overrides.toml parses");
        let opencc =
            ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::S2twp)
                .expect("the embedded s2twp dictionaries load");
        // Only the terms OpenCC would get wrong need protecting.
        let mut hant_terms: Vec<(String, String)> = overrides
            .terms
            .iter()
            .filter(|(s, t)| opencc.convert(s) != **t)
            .map(|(s, t)| (s.clone(), t.clone()))
            .collect();
        hant_terms.sort_by_key(|(s, _)| (std::cmp::Reverse(s.chars().count()), s.clone()));
        let mut patterns: Vec<Pattern> = en
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, v)| {
                split_pattern(k).map(|(pieces, slots)| Pattern {
                    pieces,
                    slots,
                    english: v.clone(),
                })
            })
            .collect();
        // The most specific key first (the most literal text), then by the key itself, so
        // that a message matching several keys always gets the same English.
        patterns.sort_by(|a, b| {
            let len = |p: &Pattern| p.pieces.iter().map(|x| x.chars().count()).sum::<usize>();
            len(b).cmp(&len(a)).then_with(|| a.pieces.cmp(&b.pieces))
        });
        let mut c = Catalogue {
            en: en.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
            patterns,
            hant_messages: overrides.messages,
            hant_terms,
            hant_cache: HashMap::new(),
            opencc,
        };
        let keys: Vec<String> = parse_english(EN_TOML)
            .unwrap_or_default()
            .into_keys()
            .collect();
        for k in keys {
            let v = c.to_hant(&k);
            c.hant_cache.insert(k, v);
        }
        c
    })
}

impl Catalogue {
    fn to_hant(&self, text: &str) -> String {
        if let Some(m) = self.hant_messages.get(text) {
            return m.clone();
        }
        // A reviewed term is set aside before converting and put back after, so that it is
        // never converted, and never mistaken for what OpenCC makes of another word (s2twp turns
        // 批量 into 批次: replacing its output would have turned every real 批次 into 批量).
        let mut marked = text.to_string();
        let mut kept = Vec::new();
        for (i, (simplified, reviewed)) in self.hant_terms.iter().enumerate() {
            if marked.contains(simplified.as_str()) {
                let mark = char::from_u32(0xE000 + i as u32)
                    .expect("a private-use character")
                    .to_string();
                marked = marked.replace(simplified.as_str(), &mark);
                kept.push((mark, reviewed));
            }
        }
        let mut out = self.opencc.convert(&marked);
        for (mark, reviewed) in kept {
            out = out.replace(&mark, reviewed);
        }
        out
    }
}

/// Loads the catalogue and the converter now (at start), rather than on the first request.
pub fn warm_up() {
    catalogue();
}

/// `text` (simplified Chinese) in `locale`. English falls back to the Chinese when the
/// catalogue has no English for it; 繁體 converts any text, catalogued or not.
pub fn translate(locale: Locale, text: &str) -> Cow<'_, str> {
    if text.is_empty() {
        return Cow::Borrowed(text);
    }
    match locale {
        Locale::ZhHans => Cow::Borrowed(text),
        Locale::ZhHant => {
            if !text.chars().any(is_cjk) {
                return Cow::Borrowed(text);
            }
            let c = catalogue();
            match c.hant_cache.get(text) {
                Some(v) => Cow::Owned(v.clone()),
                None => Cow::Owned(c.to_hant(text)),
            }
        }
        Locale::En => {
            let c = catalogue();
            if let Some(v) = c.en.get(text) {
                return Cow::Owned(v.clone());
            }
            if text.chars().any(is_cjk) {
                for p in &c.patterns {
                    if let Some(v) = p.apply(text) {
                        return Cow::Owned(v);
                    }
                }
            }
            Cow::Borrowed(text)
        }
    }
}

/// Whether the catalogue has English for `text` (exactly, or by a key with placeholders).
pub fn has_english(text: &str) -> bool {
    let c = catalogue();
    // By a key with placeholders only when what fills them has its English too: "{0}；{1}"
    // alone must not pass a sentence of untranslated Chinese that happens to hold a "；".
    c.en.contains_key(text)
        || c.patterns
            .iter()
            .find_map(|p| p.apply(text))
            .is_some_and(|english| !english.chars().any(is_cjk))
}

/// Whether `text` is a catalogue message: a key itself, or a key with placeholders whose
/// literal pieces it holds (the values filled in may be data, such as a product's name). What a
/// notification, an e-mail or an export heading is made of must be catalogued, so that it can
/// be sent in the recipient's language.
pub fn catalogued(text: &str) -> bool {
    if !text.chars().any(is_cjk) {
        return true;
    }
    let c = catalogue();
    c.en.contains_key(text) || c.patterns.iter().any(|p| p.apply(text).is_some())
}

/// A character of Chinese text or its punctuation: what the catalogue must cover wherever a
/// person sees it.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'   // CJK punctuation
        | '\u{3400}'..='\u{4DBF}' // extension A
        | '\u{4E00}'..='\u{9FFF}' // unified ideographs
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF01}'..='\u{FF60}' // full-width forms
        | '\u{2018}'..='\u{201D}' // “ ” ‘ ’
        | '\u{2026}'              // …
        | '\u{2014}'              // —
        | '\u{00B7}'              // ·
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_that_prefers_taiwanese_chinese_gets_traditional_characters() {
        assert_eq!(
            Locale::from_accept_language("zh-TW,zh;q=0.9,en;q=0.8"),
            Locale::ZhHant
        );
        assert_eq!(
            Locale::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Locale::En
        );
        assert_eq!(Locale::from_accept_language("fr-FR, de"), Locale::ZhHans);
        assert_eq!(
            Locale::from_accept_language("fr;q=1, en;q=0.5, zh-Hant;q=0.7"),
            Locale::ZhHant
        );
        assert_eq!(Locale::from_accept_language(""), Locale::ZhHans);
    }

    #[test]
    fn traditional_text_uses_the_reviewed_terms_over_the_conversion() {
        // OpenCC's s2twp gives 賬號; Taiwan writes 帳號 (kept in the overrides).
        assert_eq!(translate(Locale::ZhHant, "我的账号"), "我的帳號");
        assert_eq!(translate(Locale::ZhHant, "信息更新审核"), "資訊更新審核");
        // s2twp reads 代码 as program code (程式碼); a region's code is 代碼.
        assert_eq!(translate(Locale::ZhHant, "地区代码"), "地區代碼");
        assert_eq!(
            translate(Locale::ZhHant, "统一社会信用代码"),
            "統一社會信用代碼"
        );
        assert_eq!(translate(Locale::ZhHans, "我的账号"), "我的账号");
    }

    #[test]
    fn a_message_filled_with_data_is_still_catalogued() {
        assert!(catalogued("有 3 个字段未通过校验"));
        assert!(!catalogued("没有这条消息 xyz"));
        assert!(catalogued("plain ASCII"));
    }

    #[test]
    fn an_english_key_with_placeholders_translates_a_formatted_message() {
        assert_eq!(
            translate(Locale::En, "有 3 个字段未通过校验"),
            "Fields that failed validation: 3"
        );
        assert_eq!(
            translate(Locale::En, "没有这条消息 xyz"),
            "没有这条消息 xyz"
        );
    }

    #[test]
    fn a_batch_stays_a_batch_and_bulk_stays_bulk_in_traditional() {
        assert_eq!(translate(Locale::ZhHant, "认定批次"), "認定批次");
        assert_eq!(translate(Locale::ZhHant, "批量审核"), "批量審核");
        assert_eq!(translate(Locale::ZhHant, "账号通过审核"), "帳號通過審核");
    }

    #[test]
    fn a_value_holding_the_piece_after_it_is_still_matched() {
        // The qualification's name holds "（", the piece that follows the placeholder.
        let text = "需持有通过《企业知识产权管理规范》（GB/T 29490）认证（2026年度有效）";
        let en = translate(Locale::En, text);
        assert!(!en.contains("年度有效"), "{en}");
        assert!(en.contains("(valid in 2026)"), "{en}");
        // And with the reason that follows it.
        let whole = format!("{text}；平台未登记经审核确认的该项资质");
        let en = translate(Locale::En, &whole);
        assert!(
            en.ends_with("no reviewed and confirmed qualification of this kind is on the platform"),
            "{en}"
        );
    }

    #[test]
    fn a_class_name_inside_an_english_sentence_loses_its_capital() {
        // At the start of a message or after a colon a name keeps its capital; inside the
        // sentence it reads as a common noun. A proper name and data typed in Latin letters
        // are left as they are.
        assert_eq!(translate(Locale::En, "发明专利"), "Invention patents");
        assert_eq!(
            translate(
                Locale::En,
                "2025年度备案专利产品3件，每件不超过1,000.00元，合计3,000.00元"
            ),
            "In 2025, 3 registered patent products, up to 1,000.00 yuan each, 3,000.00 yuan in all"
        );
        assert_eq!(lowercased_name("Invention patents"), "invention patents");
        assert_eq!(lowercased_name("Jiangxi office"), "Jiangxi office");
        assert_eq!(lowercased_name("TOTP"), "TOTP");
        assert_eq!(
            lowercased_name("National Intellectual Property Administration"),
            "National Intellectual Property Administration"
        );
        assert!(mid_sentence("Needs 3 or more"));
        assert!(!mid_sentence("Reason: "));
        assert!(!mid_sentence(""));
    }

    #[test]
    fn two_placeholders_side_by_side_split_where_the_number_begins() {
        assert_eq!(
            translate(Locale::En, "需拥有有效专利3件以上或发明专利1件以上；目前有效专利2件、发明专利0件"),
            "Needs 3 or more valid patents or 1 or more invention patents; has 2 valid patents, 0 invention patents"
        );
    }
}
