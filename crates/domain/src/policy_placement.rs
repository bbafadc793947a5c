//! Where an imported policy belongs (级别与区划), read from who issued it: the region whose
//! name its issuer's name starts with ("抚州市人民政府办公室" is 抚州市's), walking down the
//! tree as the name goes on ("吉林省长春市朝阳区…"), and the nation for the bodies of the
//! central government (国家…, 国务院…). Without an issuer, the 来源 is read the same way and a
//! warning says so; when neither names a region, nothing is guessed: the import says so and the
//! official places it.

use crate::RegionCode;

/// The names of the regions, for reading them off a body's name.
#[derive(Clone, Debug, Default)]
pub struct Gazetteer {
    /// Active regions (not the nation), longest name first.
    regions: Vec<(RegionCode, String)>,
}

/// Names that begin the names of the central government's bodies.
const NATIONAL: &[&str] = &[
    "国家",
    "國家",
    "国务院",
    "國務院",
    "中华人民共和国",
    "中華人民共和國",
    "中共中央",
    "全国",
    "全國",
    "中国政府网",
    "中國政府網",
    "State ",
    "National ",
    "China National ",
];

/// Names of units that are not places ("市辖区" stands for a city's districts as a whole).
const NOT_PLACES: &[&str] = &[
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// Where a policy was placed from, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// From the issuers' names.
    Issuer(RegionCode),
    /// From the 来源 (the text names no issuer): to be checked.
    Source(RegionCode),
    /// Neither names a region.
    Unknown,
}

impl Placement {
    pub fn region(&self) -> Option<RegionCode> {
        match self {
            Placement::Issuer(r) | Placement::Source(r) => Some(*r),
            Placement::Unknown => None,
        }
    }
}

impl Gazetteer {
    /// From the (code, name) rows of the region table.
    pub fn new(rows: impl IntoIterator<Item = (RegionCode, String)>) -> Self {
        let mut regions: Vec<(RegionCode, String)> = rows
            .into_iter()
            .filter(|(c, n)| {
                *c != RegionCode::NATION && !n.is_empty() && !NOT_PLACES.contains(&n.as_str())
            })
            .collect();
        regions.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        Gazetteer { regions }
    }

    /// The name of a region in the table.
    pub fn name(&self, code: RegionCode) -> Option<&str> {
        if code == RegionCode::NATION {
            return Some("全国");
        }
        self.regions
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, n)| n.as_str())
    }

    /// The region a body's name places it in: the nation for the central government's bodies,
    /// else the deepest region its name starts with; `None` when it names none, or a name that
    /// several regions share with nothing above it to tell them apart.
    pub fn region_of(&self, body: &str) -> Option<RegionCode> {
        let body = body.trim();
        let lower = body.to_lowercase();
        if NATIONAL
            .iter()
            .any(|p| lower.starts_with(&p.to_lowercase()))
        {
            return Some(RegionCode::NATION);
        }
        let mut root = RegionCode::NATION;
        let mut rest = body;
        loop {
            // Longest name first: the first match is the longest; another of the same name
            // inside the same subtree makes it ambiguous.
            let mut found = self
                .regions
                .iter()
                .filter(|(c, n)| root.contains(*c) && *c != root && rest.starts_with(n.as_str()));
            let Some((code, name)) = found.next() else {
                break;
            };
            if found.any(|(_, n)| n == name) {
                break;
            }
            root = *code;
            rest = &rest[name.len()..];
        }
        (root != RegionCode::NATION).then_some(root)
    }

    /// Where the issuers place a policy (the region holding all those that name one: a joint
    /// document of a ministry and a province is national), else where its 来源 does.
    pub fn place(&self, issuers: &[String], source: Option<&str>) -> Placement {
        let named: Vec<RegionCode> = issuers.iter().filter_map(|i| self.region_of(i)).collect();
        if let Some(first) = named.first() {
            let common = first
                .self_and_ancestors()
                .find(|a| named.iter().all(|r| a.contains(*r)))
                .unwrap_or(RegionCode::NATION);
            return Placement::Issuer(common);
        }
        match source.and_then(|s| self.region_of(s)) {
            Some(r) if issuers.is_empty() => Placement::Source(r),
            _ => Placement::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn gazetteer() -> Gazetteer {
        Gazetteer::new(
            [
                ("220000", "吉林省"),
                ("220100", "长春市"),
                ("220104", "朝阳区"),
                ("220200", "吉林市"),
                ("110000", "北京市"),
                ("110100", "市辖区"),
                ("110105", "朝阳区"),
                ("360000", "江西省"),
                ("361000", "抚州市"),
            ]
            .map(|(c, n)| (code(c), n.to_string())),
        )
    }

    #[test]
    fn a_body_is_placed_by_the_region_its_name_starts_with() {
        let g = gazetteer();
        assert_eq!(g.region_of("抚州市人民政府办公室"), Some(code("361000")));
        assert_eq!(g.region_of("江西省抚州市市场监管局"), Some(code("361000")));
        assert_eq!(g.region_of("吉林市知识产权局"), Some(code("220200")));
        assert_eq!(
            g.region_of("吉林省长春市朝阳区市场监管局"),
            Some(code("220104"))
        );
        assert_eq!(g.region_of("北京市朝阳区人民政府"), Some(code("110105")));
        assert_eq!(
            g.region_of("國家知識產權局辦公室"),
            Some(RegionCode::NATION)
        );
        assert_eq!(g.region_of("国务院办公厅"), Some(RegionCode::NATION));
        assert_eq!(
            g.region_of("state intellectual property office"),
            Some(RegionCode::NATION)
        );
        // Two 朝阳区 and nothing above to choose: not guessed.
        assert_eq!(g.region_of("朝阳区人民政府"), None);
        assert_eq!(g.region_of("江西日报"), None);
    }

    #[test]
    fn joint_issuers_take_the_region_holding_them_all_and_the_source_is_the_last_resort() {
        let g = gazetteer();
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            g.place(&names(&["教育部", "国家知识产权局"]), None),
            Placement::Issuer(RegionCode::NATION)
        );
        assert_eq!(
            g.place(&names(&["吉林市财政局", "长春市财政局"]), None),
            Placement::Issuer(code("220000"))
        );
        assert_eq!(
            g.place(&[], Some("抚州市市场监督管理局")),
            Placement::Source(code("361000"))
        );
        assert_eq!(g.place(&[], Some("江西日报")), Placement::Unknown);
        // An issuer that names no region is not overridden by the portal that posted it.
        assert_eq!(
            g.place(&names(&["某某局"]), Some("抚州市人民政府")),
            Placement::Unknown
        );
    }
}
