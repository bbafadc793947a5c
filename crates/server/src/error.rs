//! The one error type of every handler, and the problem+json answer it becomes.
//!
//! Internal errors are logged with their cause and answered plainly; the client never sees SQL
//! or a stack. Mapping happens here once, never by hand in a handler.

use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use zhichan_api::{FieldError, Problem};
use zhichan_service::{FieldViolation, ServiceError};
use zhichan_store::StoreError;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug)]
pub enum AppError {
    /// 400: the body is not JSON, or not the JSON this endpoint reads.
    Malformed(String),
    /// 401: no valid credentials.
    Unauthenticated,
    /// 401 for a login: the same answer for an unknown user and a wrong password.
    BadCredentials,
    /// 401 for a login that needs its TOTP code.
    SecondFactorRequired,
    /// 403: the role may never do this.
    Forbidden,
    /// The caller's management port is not open yet.
    PortClosed,
    /// 403: the account is disabled.
    Disabled,
    /// 404, also for what exists outside the caller's scope.
    NotFound,
    /// 423: locked until then.
    Locked(zhichan_domain::Timestamp),
    /// 429
    TooManyRequests,
    /// 409
    Conflict(String),
    /// 409 naming the field whose value is already taken.
    Taken(FieldError),
    /// 413
    TooLarge,
    /// 415
    UnsupportedMediaType,
    /// 422: one entry per bad field.
    Invalid(Vec<FieldError>),
    /// 500: logged, never shown.
    Internal(String),
    /// 503: the database does not answer.
    Unavailable,
}

/// The Chinese title for a status, used when a problem has nothing more specific to say.
pub fn title_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求格式有误",
        401 => "尚未登录",
        403 => "无权进行此操作",
        404 => "未找到",
        405 => "不支持该请求方法",
        408 => "请求超时",
        409 => "与现有数据冲突",
        413 => "请求内容过大",
        415 => "不支持的内容类型",
        422 => "请求内容未通过校验",
        423 => "账号已锁定",
        429 => "请求过于频繁",
        503 => "服务暂不可用",
        s if s >= 500 => "服务器内部错误",
        _ => "请求未能完成",
    }
}

/// The most characters of a detail, a field name or a message an answer carries: whatever a
/// message quotes, a 422 never sends megabytes of the input back.
const MESSAGE_CHARS: usize = 300;

fn capped(mut s: String) -> String {
    if let Some((end, _)) = s.char_indices().nth(MESSAGE_CHARS) {
        s.truncate(end);
        s.push('…');
    }
    s
}

fn capped_errors(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| FieldError {
            field: capped(e.field),
            code: e.code,
            message: capped(e.message),
        })
        .collect()
}

/// A problem in the language of the request (`Accept-Language` for the API): its title, detail
/// and field messages; its type, status, fields and codes never change.
pub fn translated(mut p: Problem) -> Problem {
    let t = crate::locale::t;
    p.title = t(&p.title);
    p.detail = t(&p.detail);
    for e in &mut p.errors {
        e.message = t(&e.message);
    }
    p
}

/// The `type` of a problem of `status`: the same on a response and on an item of a bulk answer.
fn problem_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "/problems/malformed",
        404 => "/problems/not-found",
        409 => "/problems/conflict",
        413 => "/problems/too-large",
        422 => "/problems/validation",
        _ => "about:blank",
    }
}

/// A problem+json response for a status with no field errors.
pub fn problem(status: StatusCode, detail: impl Into<String>, errors: Vec<FieldError>) -> Response {
    let body = translated(Problem {
        type_: problem_type(status).to_string(),
        title: title_for(status).to_string(),
        status: status.as_u16(),
        detail: capped(detail.into()),
        errors: capped_errors(errors),
    });
    let mut res = (status, Json(body)).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    res
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Malformed(detail) => problem(StatusCode::BAD_REQUEST, detail, vec![]),
            AppError::Unauthenticated => problem(StatusCode::UNAUTHORIZED, "请先登录", vec![]),
            AppError::BadCredentials => {
                problem(StatusCode::UNAUTHORIZED, "用户名或密码不正确", vec![])
            }
            AppError::SecondFactorRequired => problem(
                StatusCode::UNAUTHORIZED,
                "此账号已启用双因素认证，请输入动态验证码",
                vec![FieldError {
                    field: "totp".into(),
                    code: "required".into(),
                    message: "请输入动态验证码".into(),
                }],
            ),
            AppError::Forbidden => problem(StatusCode::FORBIDDEN, "您的角色无权进行此操作", vec![]),
            AppError::Disabled => problem(StatusCode::FORBIDDEN, "该账号已停用", vec![]),
            AppError::PortClosed => problem(StatusCode::FORBIDDEN, PORT_CLOSED, vec![]),
            AppError::NotFound => problem(StatusCode::NOT_FOUND, "请求的对象不存在", vec![]),
            AppError::Locked(until) => {
                let mut res = problem(
                    StatusCode::LOCKED,
                    format!(
                        "连续登录失败次数过多，账号已锁定至 {}（北京时间）",
                        until.beijing_minutes()
                    ),
                    vec![],
                );
                let secs = (until.unix_seconds() - time_now_secs()).max(1);
                if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
                res
            }
            AppError::TooManyRequests => {
                let mut res = problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "尝试过于频繁，请一分钟后再试",
                    vec![],
                );
                // Attempts are counted per minute: the next window opens within a minute.
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
                res
            }
            AppError::Conflict(detail) => problem(StatusCode::CONFLICT, detail, vec![]),
            AppError::Taken(e) => problem(StatusCode::CONFLICT, e.message.clone(), vec![e]),
            AppError::TooLarge => problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "请求内容超过了服务器允许的大小",
                vec![],
            ),
            AppError::UnsupportedMediaType => problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "请求内容应为 JSON（Content-Type: application/json）",
                vec![],
            ),
            AppError::Invalid(errors) => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("有 {} 个字段未通过校验", errors.len()),
                errors,
            ),
            AppError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "服务器处理请求时出错，已记录，请稍后再试",
                    vec![],
                )
            }
            AppError::Unavailable => problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "数据库暂时无法访问，请稍后再试",
                vec![],
            ),
        }
    }
}

/// What an administrator of a region without an open management port is told.
pub const PORT_CLOSED: &str = "本地区的管理端口尚未开通：省级管理部门在“管理端口”页面提出申请，\
    经国家知识产权局审核开通；市、县由上级（所在省，县也可由所在市）开通。";

impl AppError {
    /// The problem document of this error, for answers that carry several (a bulk request).
    pub fn to_problem(self) -> Problem {
        let (status, detail, errors) = match self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "请求的对象不存在".to_string(),
                vec![],
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "您的角色无权进行此操作".to_string(),
                vec![],
            ),
            AppError::Conflict(d) => (StatusCode::CONFLICT, d, vec![]),
            AppError::Taken(e) => (StatusCode::CONFLICT, e.message.clone(), vec![e]),
            AppError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("有 {} 个字段未通过校验", errors.len()),
                errors,
            ),
            other => {
                tracing::error!(error = ?other, "bulk item failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "服务器处理请求时出错，已记录，请稍后再试".to_string(),
                    vec![],
                )
            }
        };
        translated(Problem {
            type_: problem_type(status).into(),
            title: title_for(status).to_string(),
            status: status.as_u16(),
            detail: capped(detail),
            errors: capped_errors(errors),
        })
    }
}

fn field_error(v: FieldViolation) -> FieldError {
    FieldError {
        field: v.field,
        code: v.violation.code.to_string(),
        message: message_of(v.violation),
    }
}

/// A violation's message in the request's language: the domain's own English when the
/// catalogue has none, else the catalogue's (繁體 converted from the simplified text).
fn message_of(v: zhichan_domain::Violation) -> String {
    let locale = crate::locale::current();
    if locale == crate::locale::Locale::En
        && !v.message_en.is_empty()
        && !zhichan_i18n::has_english(&v.message_zh)
    {
        let mut chars = v.message_en.chars();
        return match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
    }
    v.message_zh
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Forbidden => AppError::Forbidden,
            ServiceError::Unauthenticated => AppError::Unauthenticated,
            ServiceError::BadCredentials => AppError::BadCredentials,
            ServiceError::Locked(t) => AppError::Locked(t),
            ServiceError::SecondFactorRequired => AppError::SecondFactorRequired,
            ServiceError::Disabled => AppError::Disabled,
            ServiceError::PortClosed => AppError::PortClosed,
            ServiceError::TooManyRequests => AppError::TooManyRequests,
            ServiceError::Invalid(v) => AppError::Invalid(v.into_iter().map(field_error).collect()),
            ServiceError::Conflict(m) => AppError::Conflict(m),
            ServiceError::Taken(v) => AppError::Taken(field_error(v)),
            ServiceError::Store(s) => s.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Unique { constraint } => {
                AppError::Conflict(format!("与现有记录重复（{constraint}）"))
            }
            StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed) => {
                AppError::Unavailable
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<FieldViolation> for AppError {
    fn from(v: FieldViolation) -> Self {
        AppError::Invalid(vec![field_error(v)])
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// A reviewer's `decision` field: `approve` (true) or `return` (false).
pub fn decision(text: &str) -> AppResult<bool> {
    match text {
        "approve" => Ok(true),
        "return" => Ok(false),
        _ => Err(AppError::Invalid(vec![FieldError {
            field: "decision".into(),
            code: "invalid".into(),
            message: "decision 应为 approve 或 return".into(),
        }])),
    }
}

impl AppError {
    /// A 422 naming one field.
    pub fn field(field: &str, v: zhichan_domain::Violation) -> Self {
        AppError::Invalid(vec![FieldError {
            field: field.to_string(),
            code: v.code.to_string(),
            message: message_of(v),
        }])
    }
}

fn time_now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A JSON answer. Unlike `axum::Json` (which starts from 128 bytes and grows), it is written
/// into one buffer sized for a product's answer, and handed to the body without a copy.
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut buf = Vec::with_capacity(4096);
        match serde_json::to_writer(&mut buf, &self.0) {
            Ok(()) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                buf,
            )
                .into_response(),
            Err(e) => {
                tracing::error!(error = %e, "an answer could not be written as JSON");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

/// A JSON request body. Unlike `axum::Json`, a refusal is problem+json and a body of the wrong
/// shape names the field that is wrong.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge
                } else {
                    AppError::Malformed("无法读取请求内容".into())
                }
            })?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(v) => match de.end() {
                Ok(()) => Ok(ApiJson(v)),
                Err(_) => Err(AppError::Malformed(
                    "请求内容不是有效的 JSON：对象之后还有多余的内容".into(),
                )),
            },
            Err(e) => {
                let inner = e.inner();
                if inner.is_syntax() || inner.is_eof() {
                    return Err(AppError::Malformed(format!(
                        "请求内容不是有效的 JSON：第 {} 行第 {} 列",
                        inner.line(),
                        inner.column()
                    )));
                }
                let first =
                    refusal_of(e.path(), &inner.to_string()).map_err(AppError::Malformed)?;
                Err(AppError::Invalid(every_bad_field::<T>(&bytes, first)))
            }
        }
    }
}

/// The refusal of one field, from serde's error at `path`; `Err` when the body as a whole has
/// the wrong shape (not an object, or a field this endpoint does not read).
fn refusal_of(path: &serde_path_to_error::Path, text: &str) -> Result<FieldError, String> {
    let path = path.to_string();
    if let Some(name) = missing_field(text) {
        let field = if path == "." {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        return Ok(FieldError {
            field,
            code: "required".into(),
            message: "此字段为必填项".into(),
        });
    }
    // An unknown code of an enumerated field: its own code and Chinese message.
    if let Some((code, message)) = zhichan_api::edge::decode_refusal(text) {
        return Ok(FieldError {
            field: path,
            code,
            message,
        });
    }
    if path == "." {
        return Err("请求内容的结构不正确：应为一个 JSON 对象".into());
    }
    // serde's English stays out of the message: the field and the type it wants.
    Ok(FieldError {
        message: type_message(&path, text),
        field: path,
        code: "invalid".into(),
    })
}

/// Every bad field of a body, not only the first serde stops at (CONTRACT.md: "one entry per
/// bad field"). Each refused value is mended in a copy of the body with a stand-in of the type
/// the field wants (the first allowed code of an enumeration, a zero, an empty text, …), and
/// the copy is read again, until it reads or no stand-in gets past a field. What the body holds
/// besides is not judged here: the service checks a body that reads.
fn every_bad_field<T: DeserializeOwned>(bytes: &[u8], first: FieldError) -> Vec<FieldError> {
    let mut errors = vec![first];
    // Each bad field costs one more reading of the whole body: a body larger than any form
    // (a product with all its patents is a few kilobytes) is answered with its first refusal,
    // so that a large body full of bad fields cannot make one request cost hundreds of readings.
    if bytes.len() > EVERY_BAD_FIELD_UP_TO {
        return errors;
    }
    let Ok(mut body) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return errors;
    };
    if !body.is_object() {
        return errors;
    }
    let mut mended: Vec<Vec<Step>> = Vec::new();
    // A body has a bounded number of fields; the bound only guards against a stand-in that
    // does not move the reading on.
    for _ in 0..200 {
        let Err(e) = serde_path_to_error::deserialize::<_, T>(&body) else {
            break;
        };
        let text = e.inner().to_string();
        let mut at = steps(e.path());
        let refusal = refusal_of(e.path(), &text);
        if let Some(name) = missing_field(&text) {
            at.push(Step::Key(name.to_string()));
        }
        if mended.contains(&at) {
            break;
        }
        if let Ok(r) = refusal {
            if !errors.iter().any(|e| e.field == r.field) {
                errors.push(r);
            }
        }
        if !mend::<T>(&mut body, &at, &text) {
            break;
        }
        mended.push(at);
    }
    errors
}

/// The largest body whose bad fields are all named (64 KiB); a larger one gets its first refusal.
const EVERY_BAD_FIELD_UP_TO: usize = 64 * 1024;

/// One step of a path into a JSON value.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

fn steps(path: &serde_path_to_error::Path) -> Vec<Step> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(Step::Index(*index)),
            Segment::Map { key } => Some(Step::Key(key.clone())),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

/// The value at `at` (its parent must exist; a missing key is added as `null`).
fn slot<'v>(body: &'v mut serde_json::Value, at: &[Step]) -> Option<&'v mut serde_json::Value> {
    let mut v = body;
    for step in at {
        v = match step {
            Step::Key(k) => v
                .as_object_mut()?
                .entry(k.clone())
                .or_insert(serde_json::Value::Null),
            Step::Index(i) => v.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(v)
}

/// Puts at `at` the first stand-in that the type reads (the reading then stops somewhere else,
/// or nowhere), or takes away a field the type does not read. (A bad field is never simply
/// left out: a required one would only be missed at the end of its object, after the fields
/// that follow it were read.)
fn mend<T: DeserializeOwned>(body: &mut serde_json::Value, at: &[Step], text: &str) -> bool {
    use serde_json::Value;
    let Some((Step::Key(last), parent)) = at.split_last().map(|(l, p)| (l.clone(), p)) else {
        return mend_value::<T>(body, at, text);
    };
    if text.starts_with("unknown field") {
        return slot(body, parent)
            .and_then(Value::as_object_mut)
            .is_some_and(|o| o.remove(&last).is_some());
    }
    mend_value::<T>(body, at, text)
}

fn mend_value<T: DeserializeOwned>(body: &mut serde_json::Value, at: &[Step], text: &str) -> bool {
    use serde_json::{json, Value};
    let mut stand_ins: Vec<Value> = allowed_codes(text).into_iter().map(Value::String).collect();
    stand_ins.extend([
        json!("0"),
        json!(0),
        json!(""),
        json!(false),
        json!([]),
        json!({}),
        json!("2000-01-01"),
        json!("1"),
        json!(1),
        Value::Null,
    ]);
    let Some(old) = slot(body, at).cloned() else {
        return false;
    };
    let mut i = 0;
    while i < stand_ins.len() {
        if let Some(v) = slot(body, at) {
            *v = stand_ins[i].clone();
        }
        match moved_on::<T>(body, at) {
            Ok(()) => return true,
            // A field that was missing tells what it allows once it holds a wrong value.
            Err(text) => {
                for code in allowed_codes(&text).into_iter().rev() {
                    let code = Value::String(code);
                    if !stand_ins.contains(&code) {
                        stand_ins.insert(i + 1, code);
                    }
                }
            }
        }
        i += 1;
    }
    if let Some(v) = slot(body, at) {
        *v = old;
    }
    false
}

/// Whether the body now reads, or its reading stops somewhere other than at `at` or inside
/// the stand-in (an empty object in place of a required one would only name its fields); else
/// serde's complaint.
fn moved_on<T: DeserializeOwned>(body: &serde_json::Value, at: &[Step]) -> Result<(), String> {
    match serde_path_to_error::deserialize::<_, T>(body) {
        Ok(_) => Ok(()),
        Err(e) => {
            let text = e.inner().to_string();
            let mut now = steps(e.path());
            if let Some(name) = missing_field(&text) {
                now.push(Step::Key(name.to_string()));
            }
            if now.starts_with(at) {
                Err(text)
            } else {
                Ok(())
            }
        }
    }
}

/// The codes an enumerated field allows, as serde ("expected one of `a`, `b`") or our own
/// refusal ("可选：a、b") lists them.
fn allowed_codes(text: &str) -> Vec<String> {
    if let Some((_, message)) = zhichan_api::edge::decode_refusal(text) {
        if let Some((_, list)) = message.rsplit_once("可选：") {
            return list.split('、').map(|c| c.trim().to_string()).collect();
        }
    }
    text.split_once("expected ")
        .map(|(_, e)| {
            e.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A Chinese message for a value of the wrong type, from serde's "invalid type: null, expected
/// i64" (or "invalid value: …, expected …"): the field and what it should hold.
fn type_message(field: &str, serde_text: &str) -> String {
    let expected = serde_text
        .split_once("expected ")
        .map(|(_, e)| e.split(" at line ").next().unwrap_or(e))
        .unwrap_or("");
    let wanted = if expected.is_empty() {
        "正确类型和取值"
    } else if [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize", "integer",
    ]
    .iter()
    .any(|t| expected.contains(t))
    {
        "整数"
    } else if expected.contains("f32") || expected.contains("f64") || expected.contains("number") {
        "数字"
    } else if expected.contains("bool") {
        "true 或 false"
    } else if expected.contains("sequence") || expected.contains("array") {
        "数组"
    } else if expected.contains("struct") || expected.contains("map") || expected.contains("object")
    {
        "对象"
    } else if expected.contains("string") || expected.contains("char") {
        "文字（字符串）"
    } else if expected.contains("date") {
        "日期（YYYY-MM-DD）"
    } else {
        "正确类型和取值"
    };
    let got = serde_text
        .strip_prefix("invalid type: ")
        .and_then(|t| t.split(',').next())
        .map(|g| match g.split_whitespace().next().unwrap_or("") {
            "null" => "，不能为 null",
            "string" => "，收到的是文字",
            "integer" | "floating" => "，收到的是数字",
            "boolean" => "，收到的是 true/false",
            "sequence" => "，收到的是数组",
            "map" => "，收到的是对象",
            _ => "",
        })
        .unwrap_or("");
    format!("字段 {field} 应为{wanted}{got}")
}

/// The field name in serde's "missing field `name`" message.
fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields_of<T: DeserializeOwned>(body: &str) -> Vec<(String, String)> {
        let mut de = serde_json::Deserializer::from_str(body);
        let e = serde_path_to_error::deserialize::<_, T>(&mut de)
            .err()
            .expect("a refusal");
        let first = refusal_of(e.path(), &e.inner().to_string()).expect("a field");
        every_bad_field::<T>(body.as_bytes(), first)
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn every_bad_field_of_a_body_is_named_not_only_the_first() {
        use zhichan_api::declarations::QualificationsReview;
        assert_eq!(
            fields_of::<QualificationsReview>(r#"{"decision": "maybe", "reason": ["a"]}"#),
            [
                ("decision".to_string(), "invalid_decision".to_string()),
                ("reason".to_string(), "invalid".to_string()),
                ("version".to_string(), "required".to_string()),
            ]
        );
    }

    #[test]
    fn a_body_larger_than_any_form_is_answered_with_its_first_refusal_only() {
        use zhichan_api::declarations::QualificationsReview;
        // The same three mistakes, padded past the bound with a field the endpoint ignores or
        // refuses last: only the first refusal is named, without reading the body again.
        let pad = "x".repeat(EVERY_BAD_FIELD_UP_TO);
        let body = format!(r#"{{"decision": "maybe", "reason": ["a"], "pad": "{pad}"}}"#);
        let named = fields_of::<QualificationsReview>(&body);
        assert_eq!(named.len(), 1, "{named:?}");
        assert_eq!(named[0].0, "decision");
    }

    #[test]
    fn a_wrong_type_is_named_in_chinese_without_serdes_english() {
        assert_eq!(
            super::type_message(
                "figures[0].year",
                "invalid type: null, expected i64 at line 1 column 30"
            ),
            "字段 figures[0].year 应为整数，不能为 null"
        );
        assert_eq!(
            super::type_message("name", "invalid type: integer `3`, expected a string"),
            "字段 name 应为文字（字符串），收到的是数字"
        );
        assert!(
            !super::type_message("x", "invalid value: 3, expected something odd")
                .contains("expected")
        );
    }
}
