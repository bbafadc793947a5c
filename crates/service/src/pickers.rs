//! What a picker needs from the reference data: a region or industry typed as a code, a name
//! ("计算机制造", "临川区", "抚州市临川区") or the label a picker shows ("临川区（361002）"),
//! resolved to its code; an unknown or ambiguous name refused with up to five suggestions by name.
//! Names of regions are looked for only inside the subtree the person may act on.

use crate::reference::Reference;
use crate::ServiceResult;
use zhichan_domain::validation::echo;
use zhichan_domain::{IndustryCode, RegionCode, RegionLevel, Violation};
use zhichan_store::industries::{self, Industry};
use zhichan_store::regions::{self, Region};

/// How many suggestions a refused name lists.
pub const SUGGESTIONS: usize = 5;

/// A typed value resolved: `Ok(None)` when nothing was typed, `Err` with a field message when
/// the text names nothing (or several things) the person may choose.
pub type Resolution<T> = Result<Option<T>, Violation>;

/// Region names that stand for no place of their own in a full name ("北京市市辖区东城区" is
/// written "北京市东城区").
const PLACEHOLDERS: [&str; 4] = [
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// `("临川区", Some("361002"))` from "临川区（361002）", "临川区(361002)" or "361002 临川区".
fn split_label(text: &str) -> (String, Option<String>) {
    let t = text.trim();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(body) = t.strip_suffix(close) {
            if let Some(at) = body.rfind(open) {
                let code = body[at + open.len_utf8()..].trim();
                if !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return (body[..at].trim().to_string(), Some(code.to_string()));
                }
            }
        }
    }
    if let Some((first, rest)) = t.split_once(char::is_whitespace) {
        if first.chars().all(|c| c.is_ascii_alphanumeric())
            && !rest.trim().chars().any(|c| c.is_ascii_alphanumeric())
        {
            return (rest.trim().to_string(), Some(first.to_string()));
        }
    }
    (t.to_string(), None)
}

fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A name written in traditional characters (a 繁體 page shows "臨川區（361002）") folded to the
/// simplified names the classifications hold, when the text as written found nothing: tried
/// second, so that a simplified name the folding would change (乾县) is still found as written.
fn traditional_folded<T>(text: &str, found: &Resolution<T>) -> Option<String> {
    if matches!(found, Ok(Some(_))) {
        return None;
    }
    let folded = crate::search::fold(text);
    (folded != text.to_lowercase()).then_some(folded)
}

/// A fragment typed in traditional characters, folded to simplified (None when folding changes
/// nothing but case).
fn folded_fragment(fragment: &str) -> Option<String> {
    let f = fragment.trim();
    let folded = crate::search::fold(f);
    (folded != f.to_lowercase()).then_some(folded)
}

/// `name（code）`: how a picker shows a choice, and a text it resolves.
pub fn label(name: &str, code: &str) -> String {
    format!("{name}（{code}）")
}

impl Reference<'_> {
    /// "江西省抚州市临川区": the names from the province down, without the nation and the
    /// placeholders; "全国" for the nation.
    pub async fn region_full_name(&self, code: RegionCode) -> ServiceResult<String> {
        if code == RegionCode::NATION {
            return Ok("全国".into());
        }
        let path = regions::path(self.db, code).await?;
        Ok(full_name(&path))
    }

    /// A picker's choices: regions of `root`'s subtree whose name contains `fragment` or whose
    /// code starts with it, each with its full name.
    pub async fn pick_regions(
        &self,
        fragment: &str,
        root: RegionCode,
        limit: i64,
    ) -> ServiceResult<Vec<(Region, String)>> {
        let mut rows = regions::search_within(self.db, fragment.trim(), root, limit).await?;
        if rows.is_empty() {
            // Typed in traditional characters (a 繁體 page): the names are kept simplified.
            if let Some(folded) = folded_fragment(fragment) {
                rows = regions::search_within(self.db, &folded, root, limit).await?;
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let full = self.region_full_name(r.code).await?;
            out.push((r, full));
        }
        Ok(out)
    }

    /// A picker's choices among the industries: name contains `fragment` or code starts with it.
    pub async fn pick_industries(
        &self,
        fragment: &str,
        limit: i64,
    ) -> ServiceResult<Vec<Industry>> {
        let f = fragment.trim();
        let f = IndustryCode::parse(f)
            .map(|c| c.as_str().to_string())
            .unwrap_or_else(|_| f.to_string());
        let found = industries::search(self.db, &f, limit).await?;
        match folded_fragment(&f) {
            Some(folded) if found.is_empty() => {
                Ok(industries::search(self.db, &folded, limit).await?)
            }
            _ => Ok(found),
        }
    }

    /// The region a person typed, within `root` (their own subtree, or the nation).
    pub async fn resolve_region(
        &self,
        text: &str,
        root: RegionCode,
    ) -> ServiceResult<Resolution<Region>> {
        let found = self.resolve_region_as_written(text, root).await?;
        match traditional_folded(text, &found) {
            Some(folded) => Ok(match self.resolve_region_as_written(&folded, root).await? {
                Ok(Some(r)) => Ok(Some(r)),
                _ => found,
            }),
            None => Ok(found),
        }
    }

    async fn resolve_region_as_written(
        &self,
        text: &str,
        root: RegionCode,
    ) -> ServiceResult<Resolution<Region>> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Ok(None));
        }
        let where_ = if root == RegionCode::NATION {
            String::new()
        } else {
            format!("在{}内", self.region_full_name(root).await?)
        };
        let (name, code) = split_label(text);
        let code = code.or_else(|| {
            (!name.is_empty() && name.chars().all(|c| c.is_ascii_digit())).then(|| name.clone())
        });
        if let Some(code) = code {
            let found = match RegionCode::parse(&code) {
                Ok(c) if root.contains(c) => regions::get(self.db, c).await?.filter(|r| r.active),
                _ => None,
            };
            if let Some(r) = found {
                let named = name.is_empty()
                    || name == code
                    || name == r.name
                    || self.region_full_name(r.code).await? == compact(&name);
                if named {
                    return Ok(Ok(Some(r)));
                }
            } else if name.is_empty() || name == code {
                return Ok(Err(Violation::new(
                    "invalid_region",
                    format!(
                        "{where_}没有行政区划代码“{}”，请输入地区名称或六位代码后从列表中选择",
                        echo(&code)
                    ),
                    format!("no region coded \"{}\" here", echo(&code)),
                )));
            }
        }
        let wanted = compact(&name);
        if wanted == "全国" && root == RegionCode::NATION {
            if let Some(r) = regions::get(self.db, RegionCode::NATION).await? {
                return Ok(Ok(Some(r)));
            }
        }
        let mut matches = Vec::new();
        for r in regions::named_at_end_of(self.db, &wanted, root).await? {
            let path = regions::path(self.db, r.code).await?;
            if written_as(&path).contains(&wanted) {
                matches.push((r, full_name(&path)));
            }
        }
        match matches.len() {
            1 => return Ok(Ok(matches.pop().map(|(r, _)| r))),
            0 => {}
            n => {
                let list: Vec<String> = matches
                    .iter()
                    .take(SUGGESTIONS)
                    .map(|(r, full)| label(full, &r.code.to_string()))
                    .collect();
                return Ok(Err(Violation::new(
                    "invalid_region",
                    format!(
                        "{where_}有 {n} 个名为“{}”的地区，请写明上级或从中选择：{}",
                        echo(&name),
                        list.join("、")
                    ),
                    format!("\"{}\" names {n} regions", echo(&name)),
                )));
            }
        }
        // Nothing of that name: suggest what its beginning finds.
        let chars: Vec<char> = wanted.chars().collect();
        let mut suggestions = Vec::new();
        for end in (1..=chars.len()).rev() {
            let fragment: String = chars[..end].iter().collect();
            if end < 2 && chars.len() >= 2 {
                break;
            }
            let found = self
                .pick_regions(&fragment, root, SUGGESTIONS as i64)
                .await?;
            if !found.is_empty() {
                suggestions = found;
                break;
            }
        }
        let zh = if suggestions.is_empty() {
            format!(
                "{where_}找不到名为“{}”的地区，请输入地区名称或六位代码后从列表中选择",
                echo(&name)
            )
        } else {
            let list: Vec<String> = suggestions
                .iter()
                .map(|(r, full)| label(full, &r.code.to_string()))
                .collect();
            format!(
                "{where_}找不到名为“{}”的地区，您要找的是不是：{}",
                echo(&name),
                list.join("、")
            )
        };
        Ok(Err(Violation::new(
            "invalid_region",
            zh,
            format!("no region named \"{}\"", echo(&name)),
        )))
    }

    /// The GB/T 4754-2017 code a person typed (code, name or label). Where a group and its only
    /// class share a name, the name means the class.
    pub async fn resolve_industry(&self, text: &str) -> ServiceResult<Resolution<Industry>> {
        let found = self.resolve_industry_as_written(text).await?;
        match traditional_folded(text, &found) {
            Some(folded) => Ok(match self.resolve_industry_as_written(&folded).await? {
                Ok(Some(i)) => Ok(Some(i)),
                _ => found,
            }),
            None => Ok(found),
        }
    }

    async fn resolve_industry_as_written(&self, text: &str) -> ServiceResult<Resolution<Industry>> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Ok(None));
        }
        let (name, code) = split_label(text);
        let code = code.or_else(|| {
            (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()))
                .then(|| name.clone())
        });
        if let Some(raw) = code {
            let found = match IndustryCode::parse(&raw) {
                Ok(c) => industries::get(self.db, &c).await?.filter(|i| i.active),
                Err(_) => None,
            };
            match found {
                Some(i) if name.is_empty() || name == raw || compact(&name) == compact(&i.name) => {
                    return Ok(Ok(Some(i)))
                }
                Some(_) => {}
                None if name.is_empty() || name == raw => {
                    return Ok(Err(Violation::new(
                        "invalid_industry",
                        format!(
                            "GB/T 4754-2017 中没有行业代码“{}”，请输入行业名称或代码后从列表中选择",
                            echo(&raw)
                        ),
                        format!("\"{}\" is not a GB/T 4754-2017 code", echo(&raw)),
                    )))
                }
                None => {}
            }
        }
        let mut named = industries::named(self.db, &name).await?;
        if named.is_empty() && compact(&name) != name {
            named = industries::named(self.db, &compact(&name)).await?;
        }
        // One chain (a group and its class of the same name): the deepest.
        named.sort_by_key(|i| i.code.as_str().len());
        let chain = named.windows(2).all(|w| w[0].code.contains(&w[1].code));
        match named.len() {
            0 => {}
            1 => return Ok(Ok(named.pop())),
            _ if chain => return Ok(Ok(named.pop())),
            n => {
                let list: Vec<String> = named
                    .iter()
                    .take(SUGGESTIONS)
                    .map(|i| label(&i.name, i.code.as_str()))
                    .collect();
                return Ok(Err(Violation::new(
                    "invalid_industry",
                    format!(
                        "有 {n} 个名为“{}”的行业，请从中选择：{}",
                        echo(&name),
                        list.join("、")
                    ),
                    format!("\"{}\" names {n} industries", echo(&name)),
                )));
            }
        }
        let chars: Vec<char> = compact(&name).chars().collect();
        let mut suggestions = Vec::new();
        for end in (2.min(chars.len())..=chars.len()).rev() {
            if end == 0 {
                break;
            }
            let fragment: String = chars[..end].iter().collect();
            let found = industries::search(self.db, &fragment, SUGGESTIONS as i64).await?;
            if !found.is_empty() {
                suggestions = found;
                break;
            }
        }
        let zh = if suggestions.is_empty() {
            format!(
                "GB/T 4754-2017 中找不到名为“{}”的行业，请输入行业名称或代码后从列表中选择",
                echo(&name)
            )
        } else {
            let list: Vec<String> = suggestions
                .iter()
                .map(|i| label(&i.name, i.code.as_str()))
                .collect();
            format!(
                "GB/T 4754-2017 中找不到名为“{}”的行业，您要找的是不是：{}",
                echo(&name),
                list.join("、")
            )
        };
        Ok(Err(Violation::new(
            "invalid_industry",
            zh,
            format!("no industry named \"{}\"", echo(&name)),
        )))
    }
}

fn full_name(path: &[Region]) -> String {
    path.iter()
        .filter(|r| r.level != RegionLevel::Nation && !PLACEHOLDERS.contains(&r.name.as_str()))
        .map(|r| r.name.as_str())
        .collect()
}

/// Every way the region at the end of `path` may be written: its name, then its name behind
/// each of its ancestors' ("抚州市临川区", "江西省抚州市临川区"), placeholders left out.
fn written_as(path: &[Region]) -> Vec<String> {
    let names: Vec<&str> = path
        .iter()
        .filter(|r| r.level != RegionLevel::Nation)
        .map(|r| r.name.as_str())
        .collect();
    let mut out = Vec::new();
    for start in 0..names.len() {
        let tail = &names[start..];
        out.push(tail.concat());
        let bare: String = tail
            .iter()
            .enumerate()
            .filter(|(i, n)| *i + 1 == tail.len() || !PLACEHOLDERS.contains(n))
            .map(|(_, n)| *n)
            .collect();
        out.push(bare);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::split_label;

    #[test]
    fn a_label_splits_into_name_and_code() {
        assert_eq!(
            split_label("临川区（361002）"),
            ("临川区".into(), Some("361002".into()))
        );
        assert_eq!(
            split_label("计算机制造(391)"),
            ("计算机制造".into(), Some("391".into()))
        );
        assert_eq!(
            split_label("391 计算机制造"),
            ("计算机制造".into(), Some("391".into()))
        );
        assert_eq!(split_label("抚州市临川区"), ("抚州市临川区".into(), None));
        assert_eq!(split_label("361002"), ("361002".into(), None));
    }
}
