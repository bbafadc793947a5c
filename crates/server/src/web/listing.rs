//! What every sortable list page shares: column headers that sort (links, so they work without
//! JavaScript, marked with `aria-sort`), a page size of 20, 50 or 100, and the pager; each keeps
//! the list's filters, its order and its page size in every link it makes, export links too.

use crate::api::paging::Paging;
use crate::api::sorting::SortSpec;
use crate::error::AppResult;
use std::collections::HashMap;
use zhichan_store::sorting::Order;

/// The page sizes a list page offers.
pub const PAGE_SIZES: [u32; 3] = [20, 50, 100];

/// A list page's order, page size and filters, and the links that keep them.
#[derive(Debug, Clone)]
pub struct Listing {
    path: &'static str,
    /// The filters as a query string (escaped for a URL, not yet for HTML).
    filters: String,
    /// The order asked for, if any (else the list's own, `own`).
    chosen: Option<Order>,
    own: Order,
    pub page: u32,
    pub pages: u32,
    pub per_page: u32,
    pub total: i64,
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

use super::escape_html as html;

impl Listing {
    /// Reads `sort`, `page` and `per_page` (422 `invalid_sort` for a key the list lacks) and
    /// keeps the page's filters (its declared parameters, `super::query::filters_of`) as they
    /// were typed. `own` is the list's order when none is asked for.
    pub fn read(
        path: &'static str,
        q: &HashMap<String, String>,
        spec: &SortSpec,
        own: Order,
    ) -> AppResult<(Listing, Paging)> {
        let paging = Paging::from_query(q)?;
        let chosen = spec.from_query(q)?;
        let filters = super::query::filters_of(path)
            .iter()
            .filter_map(|k| {
                q.get(*k)
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("{k}={}", urlencode(v)))
            })
            .collect::<Vec<_>>()
            .join("&");
        Ok((
            Listing {
                path,
                filters,
                chosen,
                own,
                page: paging.page,
                pages: 1,
                per_page: paging.per_page,
                total: 0,
            },
            paging,
        ))
    }

    /// The order asked for (for the query), `None` for the list's own.
    pub fn chosen(&self) -> Option<Order> {
        self.chosen
    }

    /// Records the list's total, for the pager.
    pub fn with_total(mut self, total: i64) -> Listing {
        self.total = total;
        self.pages = ((total.max(0) as u64).div_ceil(self.per_page as u64)).max(1) as u32;
        self
    }

    fn order(&self) -> Order {
        self.chosen.unwrap_or(self.own)
    }

    /// The query string of the filters, order and page size (for export links and forms),
    /// escaped for HTML.
    pub fn keep(&self) -> String {
        html(&self.query(self.chosen, self.per_page, None))
    }

    fn query(&self, order: Option<Order>, per_page: u32, page: Option<u32>) -> String {
        let mut parts = Vec::new();
        if !self.filters.is_empty() {
            parts.push(self.filters.clone());
        }
        if let Some(o) = order {
            parts.push(format!("sort={}{}", if o.desc { "-" } else { "" }, o.key));
        }
        if per_page != crate::api::paging::DEFAULT_PER_PAGE {
            parts.push(format!("per_page={per_page}"));
        }
        if let Some(p) = page.filter(|p| *p > 1) {
            parts.push(format!("page={p}"));
        }
        parts.join("&")
    }

    fn href(&self, order: Option<Order>, per_page: u32, page: Option<u32>) -> String {
        let q = self.query(order, per_page, page);
        html(&if q.is_empty() {
            self.path.to_string()
        } else {
            format!("{}?{q}", self.path)
        })
    }

    /// A sortable column header: a link to this list by `key` (the other way round when it is
    /// already so sorted; newest first for a time), marked `aria-sort` when it is the order.
    pub fn th(&self, key: &'static str, label: impl AsRef<str>) -> String {
        let label = label.as_ref();
        let now = self.order();
        let current = now.key == key;
        let next = if current {
            Order::new(key, !now.desc)
        } else {
            Order::new(key, key != "name")
        };
        let (aria, mark) = match (current, now.desc) {
            (true, false) => (" aria-sort=\"ascending\"", "▲"),
            (true, true) => (" aria-sort=\"descending\"", "▼"),
            _ => ("", "↕"),
        };
        format!(
            "<th scope=\"col\"{aria}><a class=\"sort\" href=\"{}\">{}<span class=\"sort-mark\" aria-hidden=\"true\">{mark}</span></a></th>",
            self.href(Some(next), self.per_page, None),
            html(label)
        )
    }

    /// Hidden inputs that keep the order and page size in a filter form.
    pub fn hidden(&self) -> String {
        let mut out = String::new();
        if let Some(o) = self.chosen {
            out.push_str(&format!(
                "<input type=\"hidden\" name=\"sort\" value=\"{}{}\">",
                if o.desc { "-" } else { "" },
                o.key
            ));
        }
        if self.per_page != crate::api::paging::DEFAULT_PER_PAGE {
            out.push_str(&format!(
                "<input type=\"hidden\" name=\"per_page\" value=\"{}\">",
                self.per_page
            ));
        }
        out
    }

    /// The link to another page of the same list.
    pub fn page_href(&self, page: u32) -> String {
        self.href(self.chosen, self.per_page, Some(page))
    }

    /// The page-size choices: (size, link, whether it is the current one).
    pub fn sizes(&self) -> Vec<(u32, String, bool)> {
        PAGE_SIZES
            .iter()
            .map(|n| (*n, self.href(self.chosen, *n, None), *n == self.per_page))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::sorting::EnterpriseSort;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn headers_and_pager_keep_the_filters_the_order_and_the_page_size() {
        let (l, _) = Listing::read(
            "/enterprises",
            &q(&[
                ("q", "光 电"),
                ("sort", "name"),
                ("per_page", "50"),
                ("page", "2"),
            ]),
            &EnterpriseSort::SPEC,
            EnterpriseSort::SPEC.default_order(),
        )
        .unwrap();
        let l = l.with_total(120);
        assert_eq!(l.pages, 3);
        let th = l.th("name", "企业名称");
        assert!(th.contains("aria-sort=\"ascending\""), "{th}");
        assert!(
            th.contains(
                "href=\"/enterprises?q=%E5%85%89%20%E7%94%B5&amp;sort=-name&amp;per_page=50\""
            ),
            "{th}"
        );
        let other = l.th("updated", "更新时间");
        assert!(!other.contains("aria-sort"));
        assert!(other.contains("sort=-updated"), "{other}");
        assert_eq!(
            l.page_href(3),
            "/enterprises?q=%E5%85%89%20%E7%94%B5&amp;sort=name&amp;per_page=50&amp;page=3"
        );
        assert_eq!(
            l.sizes()[0].1,
            "/enterprises?q=%E5%85%89%20%E7%94%B5&amp;sort=name"
        );
        assert!(l.sizes()[1].2);
    }
}
