//! The web shell shared by every page: layout (navigation by permission, breadcrumb, flash),
//! pagination, embedded assets, security headers, and the HTML rendering of [`AppError`].

pub mod assets;
pub mod blocks;
pub mod flash;
pub mod form;
pub mod json;
pub mod params;

use askama::Template;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::{Actor, Role};
use crate::error::{AppError, ErrorInfo};
pub use flash::Flash;

/// One entry of the left navigation. Each domain lists its own in its [`crate::module::Module`];
/// an entry shows only to users who may use it.
pub struct NavEntry {
    pub group: &'static str,
    pub label: &'static str,
    pub href: &'static str,
    pub visible: fn(&Actor) -> bool,
}

/// The navigation's groups, top to bottom; entries of a group keep their modules' order.
pub const NAV_GROUPS: &[&str] = &["", "组织建设", "队伍管理", "系统管理", "安全审计", "个人"];

static NAV: std::sync::OnceLock<Vec<&'static NavEntry>> = std::sync::OnceLock::new();

/// Sets the navigation once, from the modules the application is built of (see
/// [`crate::app::MODULES`]); later calls (tests build many applications) keep the first.
pub fn install_nav(entries: impl IntoIterator<Item = &'static NavEntry>) {
    let mut all: Vec<&'static NavEntry> = entries.into_iter().collect();
    all.sort_by_key(|e| NAV_GROUPS.iter().position(|g| *g == e.group).unwrap_or(NAV_GROUPS.len()));
    let _ = NAV.set(all);
}

fn nav_entries() -> &'static [&'static NavEntry] {
    NAV.get().map_or(&[], Vec::as_slice)
}

#[derive(Debug, Clone)]
pub struct NavLink {
    pub group: &'static str,
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
    /// First entry of its group: the template prints the group heading above it.
    pub starts_group: bool,
}

#[derive(Debug, Clone)]
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

/// What the base template needs on every page.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub user_name: String,
    pub role_labels: String,
    pub nav: Vec<NavLink>,
    pub breadcrumb: Vec<Crumb>,
    pub csrf: String,
    pub flash: Option<Flash>,
}

impl Layout {
    /// `active` is the navigation href this page belongs to.
    pub fn new(actor: &Actor, title: impl Into<String>, active: &str, flash: Option<Flash>) -> Self {
        let mut nav = Vec::new();
        let mut last_group = None;
        for entry in nav_entries().iter().filter(|e| (e.visible)(actor)) {
            nav.push(NavLink {
                group: entry.group,
                label: entry.label,
                href: entry.href,
                active: entry.href == active,
                starts_group: last_group != Some(entry.group) && !entry.group.is_empty(),
            });
            last_group = Some(entry.group);
        }
        let mut roles: Vec<Role> = actor.roles();
        roles.dedup();
        let title = title.into();
        let home = Crumb { label: "工作台".into(), href: Some("/".into()) };
        let breadcrumb = if active == "/" { vec![Crumb { href: None, ..home }] } else { vec![home] };
        Self {
            title,
            user_name: actor.display_name.clone(),
            role_labels: roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、"),
            nav,
            breadcrumb,
            csrf: actor.csrf_token().unwrap_or_default().to_owned(),
            flash,
        }
    }

    pub fn crumb(mut self, label: impl Into<String>, href: Option<String>) -> Self {
        self.breadcrumb.push(Crumb { label: label.into(), href });
        self
    }
}

/// Field name → Chinese message, shown next to each form field.
pub type FieldErrors = std::collections::BTreeMap<String, String>;

/// Splits an error into field errors a form can show, or gives it back when it is not about a field.
pub fn field_errors(err: AppError) -> Result<FieldErrors, AppError> {
    match &err {
        AppError::Validation { field: Some(f), message } | AppError::Conflict { field: Some(f), message } => {
            let mut errors = FieldErrors::new();
            errors.insert(f.clone(), message.clone());
            Ok(errors)
        }
        AppError::Fields(list) => {
            let mut errors = FieldErrors::new();
            for (f, m) in list {
                errors.entry(f.clone()).or_insert_with(|| m.clone());
            }
            Ok(errors)
        }
        _ => Err(err),
    }
}

/// `page` and `page_size` of a list request, with sane bounds (0 means "default").
/// Documented as signed: a value below 1 is not an error, it falls back to the default.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    #[serde(deserialize_with = "params::page_num")]
    #[param(value_type = i64, example = 1)]
    pub page: u64,
    #[serde(deserialize_with = "params::page_num")]
    #[param(value_type = i64, example = 20)]
    pub page_size: u64,
}

/// A list request: the module's filter and the page, both from the query string.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListParams<F> {
    #[serde(flatten)]
    pub filter: F,
    #[serde(flatten)]
    pub page: PageParams,
}

impl PageParams {
    pub fn normalized(self) -> Self {
        let size = if self.page_size == 0 { 20 } else { self.page_size.min(200) };
        Self { page: self.page.max(1), page_size: size }
    }

    pub fn offset(self) -> u64 {
        (self.page.clamp(1, 1_000_000) - 1).saturating_mul(self.page_size)
    }
}

/// Pagination links for a list page; `query` is the current filter without `page`.
#[derive(Debug, Clone)]
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub query: String,
}

impl Pager {
    pub fn new(params: PageParams, total: u64, query: String) -> Self {
        let params = params.normalized();
        let pages = total.div_ceil(params.page_size).max(1);
        Self { page: params.page.min(pages), pages, total, query }
    }

    pub fn href(&self, page: &u64) -> String {
        if self.query.is_empty() { format!("?page={page}") } else { format!("?{}&page={page}", self.query) }
    }

    /// The page numbers to show: first, last and a window around the current one (0 = gap).
    pub fn window(&self) -> Vec<u64> {
        let mut out = Vec::new();
        for p in 1..=self.pages {
            if p == 1 || p == self.pages || p.abs_diff(self.page) <= 2 {
                out.push(p);
            } else if out.last() != Some(&0) {
                out.push(0);
            }
        }
        out
    }

    /// The window as ready-made links for the template.
    pub fn links(&self) -> Vec<PageLink> {
        self.window()
            .into_iter()
            .map(|n| PageLink { number: n, gap: n == 0, current: n == self.page, href: self.href(&n) })
            .collect()
    }

    pub fn prev_href(&self) -> Option<String> {
        (self.page > 1).then(|| self.href(&(self.page - 1)))
    }

    pub fn next_href(&self) -> Option<String> {
        (self.page < self.pages).then(|| self.href(&(self.page + 1)))
    }
}

#[derive(Debug, Clone)]
pub struct PageLink {
    pub number: u64,
    pub gap: bool,
    pub current: bool,
    pub href: String,
}

/// Encodes filter pairs as a query string, skipping empty values.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        ser.append_pair(k, v);
    }
    ser.finish()
}

/// Renders a template, turning a template failure into a 500.
pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => AppError::Internal(anyhow::Error::new(err)).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

/// Middleware for the web router: the JSON error from [`AppError`] becomes a Chinese page, a
/// missing login becomes a redirect to the login page, and a pending password change a
/// redirect to the password page.
pub async fn render_web_errors(req: Request, next: Next) -> Response {
    let target = req.uri().path_and_query().map(|pq| pq.as_str().to_owned()).unwrap_or_else(|| "/".into());
    let response = next.run(req).await;
    let Some(info) = response.extensions().get::<ErrorInfo>().cloned() else {
        return response;
    };
    match info.code {
        "unauthenticated" => {
            let next = form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>();
            Redirect::to(&format!("/login?next={next}")).into_response()
        }
        "password_change_required" => Redirect::to("/account/password").into_response(),
        _ => {
            let title = match info.status {
                StatusCode::NOT_FOUND => "未找到",
                StatusCode::FORBIDDEN => "无权访问",
                StatusCode::INTERNAL_SERVER_ERROR => "系统错误",
                _ => "请求有误",
            };
            let page = ErrorPage { status: info.status.as_u16(), title, message: &info.message };
            match page.render() {
                Ok(html) => (info.status, Html(html)).into_response(),
                Err(_) => (info.status, info.message).into_response(),
            }
        }
    }
}

/// Strict security headers on every response: no inline script or style, no framing, no
/// sniffing, no referrer leaks.
pub async fn security_headers(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        h.insert(name, axum::http::HeaderValue::from_static(value));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    set(h, "cross-origin-opener-policy", "same-origin");
    set(h, "permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    // Browsers honour HSTS only over https; sent whenever the public address is https.
    if state.config.server.https() {
        set(h, "strict-transport-security", "max-age=31536000; includeSubDomains");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_window() {
        let p = Pager::new(PageParams { page: 6, page_size: 10 }, 200, String::new());
        assert_eq!(p.pages, 20);
        assert_eq!(p.window(), vec![1, 0, 4, 5, 6, 7, 8, 0, 20]);
        assert_eq!(p.href(&3), "?page=3");
        let q = Pager::new(PageParams { page: 1, page_size: 10 }, 0, "q=a".into());
        assert_eq!(q.pages, 1);
        assert_eq!(q.href(&1), "?q=a&page=1");
    }

    #[test]
    fn query_string_skips_empty() {
        assert_eq!(query_string(&[("q", "张 三"), ("kind", "")]), "q=%E5%BC%A0+%E4%B8%89");
    }
}
