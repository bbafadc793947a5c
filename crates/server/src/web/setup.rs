//! Setting one's password with the one-time code sent to one's own contact (a new account, or
//! after a reset): no login needed, and no administrator ever sees the code.

use super::{render, Chrome};
use crate::auth::RequestCtx;
use crate::error::AppResult;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use std::collections::HashMap;
use zhichan_service::accounts::SETUP_CODE_HOURS;
use zhichan_service::ServiceError;

#[derive(Template)]
#[template(path = "password_setup.html")]
struct SetupPage {
    chrome: Chrome,
    done: bool,
    hours: i64,
    code: String,
    errors: Vec<(String, String)>,
}

fn page(status: StatusCode, done: bool, code: String, errors: Vec<(String, String)>) -> Response {
    render(
        status,
        &SetupPage {
            chrome: Chrome::new("设置密码", "/password/setup"),
            done,
            hours: SETUP_CODE_HOURS,
            code,
            errors,
        },
    )
}

pub async fn setup_page(Query(q): Query<HashMap<String, String>>) -> Response {
    page(
        StatusCode::OK,
        false,
        q.get("code").cloned().unwrap_or_default(),
        vec![],
    )
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn set_password(
    State(state): State<AppState>,
    RequestCtx(ctx): RequestCtx,
    Form(form): Form<SetupForm>,
) -> AppResult<Response> {
    if form.new_password != form.confirm_password {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
            form.code,
            vec![("confirm_password".into(), "两次输入的新密码不一致".into())],
        ));
    }
    match state
        .services
        .complete_password_setup(&ctx, &form.code, &form.new_password)
        .await
    {
        Ok(()) => Ok(page(StatusCode::OK, true, String::new(), vec![])),
        Err(ServiceError::Invalid(v)) => Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
            form.code,
            v.into_iter()
                .map(|f| (f.field, f.violation.message_zh))
                .collect(),
        )),
        Err(e) => Err(e.into()),
    }
}
