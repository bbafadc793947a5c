//! The region and industry pickers every form shares (docs/pickers.md).
//!
//! Without JavaScript a picker is a plain text input that takes a code, an exact name
//! ("计算机制造", "临川区", "抚州市临川区") or the label the picker shows ("临川区（361002）");
//! the handler resolves what was typed with [`region`] or [`industry`] before it calls the
//! service, and an unknown or ambiguous name comes back beside the field with up to five
//! suggestions. With JavaScript (assets/picker.js) the input becomes an ARIA combobox that
//! searches `/api/v1/regions` or `/api/v1/industries` by name or code, cascades down the tree
//! (province → city → county; 门类 → 大类 → 中类 → 小类) and submits the code.
//!
//! A page holds a [`Picker`] per field and writes `{{ field_picker|safe }}` where the field goes.

use crate::error::AppResult;
use crate::AppState;
use askama::Template;
use zhichan_domain::{IndustryCode, RegionCode};
use zhichan_service::pickers::label;

/// One picker field, rendered by templates/_picker.html.
#[derive(Template, Clone, Default)]
#[template(path = "_picker.html")]
pub struct Picker {
    /// `region` or `industry`: what picker.js searches.
    pub kind: &'static str,
    pub id: String,
    /// The form field's name; what it submits is a code (or, without JavaScript, what was typed).
    pub name: String,
    pub label: String,
    pub hint: String,
    /// The text in the input: the label of the current code, or what the person typed.
    pub value: String,
    /// The subtree a region picker offers ("" for the nation).
    pub root: String,
    pub root_name: String,
    pub required: bool,
    pub error: Option<String>,
    /// Translates the picker's texts into the request's language (as a page's `chrome.t`).
    pub chrome: PickerText,
}

/// The picker's `chrome.t`: its label, hint and messages in the language of the request.
#[derive(Clone, Copy, Default)]
pub struct PickerText;

/// What picker.js says itself (levels, the search's status lines), keyed by the simplified text.
const SCRIPT_TEXTS: &[&str] = &[
    "全国",
    "省级",
    "市级",
    "县级",
    "门类",
    "大类",
    "中类",
    "小类",
    "全部门类",
    "按名称或代码查找",
    "没有找到",
    "没有找到，请换个名称或代码",
    "共 {0} 项，用上下方向键选择，回车确定",
    "已选择 {0}",
    "已选择 {0}，可继续选择下级，或按 Esc 确定",
];

impl PickerText {
    pub fn t<S: AsRef<str> + ?Sized>(&self, text: &S) -> String {
        crate::locale::t(text.as_ref())
    }

    /// picker.js's texts in the request's language, as JSON for its `data-texts`; empty in
    /// simplified Chinese (the script's own words).
    pub fn script_texts(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = SCRIPT_TEXTS
            .iter()
            .map(|k| (k.to_string(), crate::locale::t(k)))
            .filter(|(k, v)| k != v)
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        if map.is_empty() {
            String::new()
        } else {
            serde_json::Value::Object(map).to_string()
        }
    }
}

impl Picker {
    /// A region picker over the whole country.
    pub fn region(id: &str, name: &str, label: &str) -> Self {
        Picker {
            kind: "region",
            id: id.into(),
            name: name.into(),
            label: label.into(),
            hint: "输入地区名称或六位代码，如“临川区”“抚州市临川区”或 361002。".into(),
            ..Picker::default()
        }
    }

    /// An industry picker (GB/T 4754-2017, all four levels).
    pub fn industry(id: &str, name: &str, label: &str) -> Self {
        Picker {
            kind: "industry",
            id: id.into(),
            name: name.into(),
            label: label.into(),
            hint: "输入行业名称或代码，如“计算机制造”或 391。".into(),
            ..Picker::default()
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn error(mut self, error: Option<String>) -> Self {
        self.error = error;
        self
    }

    /// Offers only `root`'s subtree (an office's own), when it is not the nation.
    pub async fn within(mut self, state: &AppState, root: Option<RegionCode>) -> AppResult<Self> {
        if let Some(root) = root.filter(|r| *r != RegionCode::NATION) {
            self.root = root.to_string();
            self.root_name = state.services.reference().region_full_name(root).await?;
        }
        Ok(self)
    }

    /// Shows `text`: a known code as its label ("临川区（361002）"), anything else as typed.
    pub async fn value(mut self, state: &AppState, text: &str) -> AppResult<Self> {
        self.value = match self.kind {
            "region" => region_label(state, text).await?,
            _ => industry_label(state, text).await?,
        };
        Ok(self)
    }
}

/// "临川区（361002）" for a known region code; the text itself otherwise.
pub async fn region_label(state: &AppState, text: &str) -> AppResult<String> {
    let text = text.trim();
    if let Ok(code) = RegionCode::parse(text) {
        if let Some(r) = zhichan_store::regions::get(state.services.db(), code).await? {
            return Ok(label(
                &crate::locale::reference_name(r.name),
                &r.code.to_string(),
            ));
        }
    }
    Ok(text.to_string())
}

/// "计算机制造（391）" for a known industry code; the text itself otherwise.
pub async fn industry_label(state: &AppState, text: &str) -> AppResult<String> {
    let text = text.trim();
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric()) {
        if let Ok(code) = IndustryCode::parse(text) {
            if let Ok(i) = state.services.reference().industry(&code).await {
                return Ok(label(
                    &crate::locale::reference_name(i.name),
                    i.code.as_str(),
                ));
            }
        }
    }
    Ok(text.to_string())
}

/// The region typed into a picker, looked for within `root` (None: the nation): `Ok(None)` when
/// the field is empty, `Err(message)` for the field when it names no region or several.
pub async fn region(
    state: &AppState,
    text: &str,
    root: Option<RegionCode>,
) -> AppResult<Result<Option<RegionCode>, String>> {
    Ok(state
        .services
        .reference()
        .resolve_region(text, root.unwrap_or(RegionCode::NATION))
        .await?
        .map(|r| r.map(|r| r.code))
        .map_err(|v| v.message_zh))
}

/// The industry typed into a picker (see [`region`]).
pub async fn industry(
    state: &AppState,
    text: &str,
) -> AppResult<Result<Option<IndustryCode>, String>> {
    Ok(state
        .services
        .reference()
        .resolve_industry(text)
        .await?
        .map(|i| i.map(|i| i.code))
        .map_err(|v| v.message_zh))
}

/// A filter page's region parameter `key` resolved in place: the code replaces what was typed
/// (a name that names nothing or several is removed, so the page falls back to its default);
/// the picker comes back showing the region or the text, with the message beside it.
pub async fn region_param(
    state: &AppState,
    q: &mut std::collections::HashMap<String, String>,
    key: &str,
    root: Option<RegionCode>,
    picker: Picker,
) -> AppResult<Picker> {
    let typed = q.get(key).cloned().unwrap_or_default();
    let (shown, error) = match region(state, &typed, root).await? {
        Ok(Some(code)) => {
            q.insert(key.to_string(), code.to_string());
            (code.to_string(), None)
        }
        Ok(None) => {
            q.remove(key);
            (String::new(), None)
        }
        Err(m) => {
            q.remove(key);
            (typed, Some(m))
        }
    };
    picker
        .within(state, root)
        .await?
        .value(state, &shown)
        .await
        .map(|p| p.error(error))
}
