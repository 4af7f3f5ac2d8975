//! One-shot messages carried across a redirect in a short-lived cookie.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

const COOKIE: &str = "dj_flash";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    /// `ok`, `warn` or `error`; also the CSS modifier.
    pub kind: &'static str,
    pub message: String,
}

impl Flash {
    pub fn ok(message: impl Into<String>) -> Self {
        Self { kind: "ok", message: message.into() }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self { kind: "error", message: message.into() }
    }

    /// Done, with something to check (incomplete data is a warning, not an error).
    pub fn warn(message: impl Into<String>) -> Self {
        Self { kind: "warn", message: message.into() }
    }

    /// A redirect to `to` that shows this message on arrival.
    pub fn redirect(self, to: &str) -> Response {
        let value: String =
            form_urlencoded::Serializer::new(String::new()).append_pair(self.kind, &self.message).finish();
        let cookie = format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
        let mut response = Redirect::to(to).into_response();
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
        response
    }

    /// A refusal shown on the page the form came from: the reasons of a validation or conflict
    /// error as one message, redirecting to `back`; any other error passes on.
    pub fn refused(err: crate::error::AppError, back: &str) -> Result<Response, crate::error::AppError> {
        let errors = super::field_errors(err)?;
        let text: Vec<String> = errors.into_values().collect();
        Ok(Self::error(text.join("；")).redirect(back))
    }

    fn parse(raw: &str) -> Option<Self> {
        let (kind, message) = form_urlencoded::parse(raw.as_bytes()).next()?;
        let kind = match kind.as_ref() {
            "ok" => "ok",
            "error" => "error",
            "warn" => "warn",
            _ => return None,
        };
        Some(Self { kind, message: message.into_owned() })
    }
}

/// Reads the flash cookie into the request and clears it on the way out.
pub async fn middleware(mut req: Request, next: Next) -> Response {
    let found = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(&format!("{COOKIE}=")).map(str::to_owned));
    let Some(raw) = found else {
        return next.run(req).await;
    };
    if let Some(flash) = Flash::parse(&raw) {
        req.extensions_mut().insert(flash);
    }
    let mut response = next.run(req).await;
    // Keep a flash that a redirect just set; otherwise it has been shown.
    let setting_new =
        response.headers().get_all(header::SET_COOKIE).iter().any(|v| v.to_str().is_ok_and(|s| s.starts_with(COOKIE)));
    if !setting_new {
        let clear = HeaderValue::from_static("dj_flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    response
}

/// Extractor for the pending flash message, if any.
pub struct TakeFlash(pub Option<Flash>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for TakeFlash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(TakeFlash(parts.extensions.get::<Flash>().cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let raw = form_urlencoded::Serializer::new(String::new()).append_pair("ok", "已保存：党支部").finish();
        assert_eq!(Flash::parse(&raw), Some(Flash::ok("已保存：党支部")));
        assert_eq!(Flash::parse("evil=x"), None);
    }
}
