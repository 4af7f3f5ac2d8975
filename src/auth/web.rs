//! HTML pages of the sessions use case: login, logout and one's own password.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::extract::{ClientIp, MaybeActor, PendingActor};
use super::{Actor, csrf, session, sessions};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::params::Params;
use crate::ui::{FieldErrors, Flash, Layout, field_errors, render};

/// A url-encoded form whose malformed body (wrong content type, bad encoding) is a Chinese 400
/// page like any other error, not axum's English text.
pub struct WebForm<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for WebForm<T> {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        Form::<T>::from_request(req, state)
            .await
            .map(|Form(value)| WebForm(value))
            .map_err(|_| AppError::bad_request(None, "表单内容的格式不正确（请求体须为表单），请刷新页面后重试"))
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    flash: Option<Flash>,
    demo: bool,
}

#[derive(Deserialize, Default)]
pub struct NextParam {
    #[serde(default)]
    next: String,
}

/// Where to go after logging in: a path on this site, else `/`. Browsers drop tabs and line
/// breaks inside URLs and read `\\` as `/`, so `/\t/host`, `//host` and `/\\host` would all leave
/// the site: only printable ASCII without spaces or backslashes is kept, starting with exactly
/// one `/`. Never fails, whatever it is given.
pub fn safe_next(raw: &str) -> String {
    let same_site = raw.len() <= 2000
        && raw.starts_with('/')
        && !raw[1..].starts_with('/')
        && raw.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if same_site { raw.to_owned() } else { "/".to_owned() }
}

fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((session::COOKIE_NAME, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.server.cookies_secure())
        .build()
}

fn login_csrf_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((csrf::LOGIN_COOKIE, value))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.server.cookies_secure())
        .build()
}

fn login_page(state: &AppState, jar: CookieJar, status: StatusCode, page: LoginPage) -> Response {
    let jar = jar.add(login_csrf_cookie(state, page.csrf.clone()));
    (status, jar, render(&page)).into_response()
}

pub async fn login_form(
    State(state): State<AppState>,
    MaybeActor(actor): MaybeActor,
    TakeFlash(flash): TakeFlash,
    Params(q): Params<NextParam>,
    jar: CookieJar,
) -> Response {
    if actor.is_some() {
        return Redirect::to(&safe_next(&q.next)).into_response();
    }
    let page = LoginPage {
        csrf: session::random_token(),
        next: safe_next(&q.next),
        username: String::new(),
        error: None,
        flash,
        demo: state.demo,
    };
    login_page(&state, jar, StatusCode::OK, page)
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => Ok(form),
        Err(_) => Err(LoginForm::default()),
    };
    let malformed = form.is_err();
    let form = form.unwrap_or_else(|empty| empty);
    let next = safe_next(&form.next);
    let expected = jar.get(csrf::LOGIN_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    let retry = |error: String, status: StatusCode, jar: CookieJar| {
        let page = LoginPage {
            csrf: session::random_token(),
            next: next.clone(),
            username: form.username.clone(),
            error: Some(error),
            flash: None,
            demo: state.demo,
        };
        login_page(&state, jar, status, page)
    };
    if malformed {
        return retry("登录请求的格式不正确（请求体须为表单），请刷新页面后重试".into(), StatusCode::BAD_REQUEST, jar);
    }
    if !csrf::tokens_match(&expected, &form.csrf) {
        return retry(AppError::Csrf.message(), StatusCode::FORBIDDEN, jar);
    }
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    match sessions::login(&state, &form.username, &form.password, &ip, ua).await {
        Ok(outcome) => {
            let jar = jar.add(session_cookie(&state, outcome.cookie)).remove(Cookie::from(csrf::LOGIN_COOKIE));
            let to = if outcome.must_change_password { "/account/password" } else { next.as_str() };
            // The password page shows the notice itself; elsewhere it comes as a message.
            match outcome.reset_notice.filter(|_| !outcome.must_change_password) {
                Some(notice) => (jar, Flash::error(notice).redirect(to)).into_response(),
                None => (jar, Redirect::to(to)).into_response(),
            }
        }
        Err(AppError::Internal(e)) => AppError::Internal(e).into_response(),
        Err(AppError::BadCredentials) => retry(sessions::LOGIN_REFUSED.into(), StatusCode::UNAUTHORIZED, jar),
        Err(err) => retry(err.message(), err.status(), jar),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    PendingActor(actor): PendingActor,
    jar: CookieJar,
) -> AppResult<Response> {
    sessions::logout(&state, &actor).await?;
    let jar = jar.remove(Cookie::build(session::COOKIE_NAME).path("/").build());
    Ok((jar, Flash::ok("您已安全退出").redirect("/login")).into_response())
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    layout: Layout,
    forced: bool,
    /// Opened with a one-time code: no current password to give.
    reset_only: bool,
    /// When and by whom the password was last reset by someone else (shown while forced).
    notice: Option<String>,
    min_len: i64,
    errors: FieldErrors,
}

async fn password_page(
    state: &AppState,
    actor: &Actor,
    flash: Option<Flash>,
    errors: FieldErrors,
) -> AppResult<PasswordPage> {
    let policy = state.policy().await?;
    let notice = if actor.must_change_password {
        sessions::own_reset(state, actor).await?.map(|(at, by)| sessions::reset_notice(at, &by))
    } else {
        None
    };
    Ok(PasswordPage {
        layout: Layout::new(actor, "修改密码", "/account/password", flash).crumb("修改密码", None),
        forced: actor.must_change_password,
        reset_only: actor.reset_only(),
        notice,
        min_len: policy.password_min_length,
        errors,
    })
}

pub async fn password_form(
    State(state): State<AppState>,
    PendingActor(actor): PendingActor,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    Ok(render(&password_page(&state, &actor, flash, FieldErrors::new()).await?))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    PendingActor(actor): PendingActor,
    WebForm(form): WebForm<PasswordForm>,
) -> AppResult<Response> {
    let result = if form.new_password != form.confirm_password {
        Err(AppError::validation("confirm_password", "两次输入的新密码不一致"))
    } else {
        sessions::change_password(&state, &actor, &form.current_password, &form.new_password).await
    };
    match result {
        Ok(()) => Ok(Flash::ok("密码已修改").redirect("/")),
        Err(err) => {
            let errors = field_errors(err)?;
            let page = password_page(&state, &actor, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_keeps_same_site_paths() {
        for kept in ["/", "/people?q=%E5%BC%A0&page=2", "/orgs/13#section-party", "/admin/users/4", "/a/./b"] {
            assert_eq!(safe_next(kept), kept);
        }
    }

    #[test]
    fn next_refuses_everything_else() {
        let hostile = [
            "",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "/\\\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/ /evil.example",
            "/%0d%0aSet-Cookie: x=1",
            "/ok\r\nSet-Cookie: x=1",
            "/ok\u{0}",
            "/ok\u{7f}",
            "/\u{3000}/evil.example",
            "/党组织",
            "https://evil.example/",
            "http:/evil.example",
            "javascript:alert(1)",
            "evil.example",
            ".//evil.example",
        ];
        for raw in hostile {
            assert_eq!(safe_next(raw), "/", "{raw:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(5000))), "/", "very long");
        // Percent-encoded characters stay a path on this site and a valid Location header.
        for kept in ["/%0d%0aSet-Cookie:x=1", "/%2F%2Fevil.example", "/%5Cevil.example", "/%09/evil.example"] {
            assert_eq!(safe_next(kept), kept);
            assert!(axum::http::HeaderValue::from_str(&safe_next(kept)).is_ok());
        }
    }
}
