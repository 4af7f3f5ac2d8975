//! JSON request bodies with Chinese errors that name the offending field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Like `axum::Json`, but a malformed body is a 400 `{"code":"bad_request","field":...}`.
pub struct ApiJson<T>(pub T);

const MAX_BODY: usize = 4 * 1024 * 1024;

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Only JSON: a cross-site form cannot send this content type without a CORS preflight,
        // which is what protects the login endpoint from login CSRF.
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if !is_json {
            return Err(AppError::bad_request(None, "请求体须为 JSON（Content-Type: application/json）"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| AppError::bad_request(None, "请求体无法读取"))?;
        if bytes.len() > MAX_BODY {
            return Err(AppError::bad_request(None, "请求体过大"));
        }
        parse(&bytes).map(ApiJson)
    }
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.inner();
        let text = inner.to_string();
        if inner.is_syntax() || inner.is_eof() {
            return AppError::bad_request(
                None,
                format!("请求体不是有效的 JSON（第 {} 行第 {} 列）", inner.line(), inner.column()),
            );
        }
        if let Some(name) = text.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
            let field = if path == "." { name.to_owned() } else { format!("{path}.{name}") };
            return AppError::bad_request(Some(&field), format!("缺少必填字段 {field}"));
        }
        if let Some(name) = text.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
            return AppError::bad_request(Some(name), format!("不认识的字段 {name}"));
        }
        let field = if path == "." { None } else { Some(path.as_str()) };
        let shown = field.unwrap_or("请求体");
        AppError::bad_request(field, format!("字段 {shown} 的值类型或格式不正确"))
    })?;
    de.end().map_err(|_| AppError::bad_request(None, "请求体在 JSON 之后还有多余内容"))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Login {
        username: String,
        password: String,
        remember: Option<bool>,
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse::<Login>(br#"{"username":"a"}"#).unwrap_err();
        assert_eq!(e.field(), Some("password"));
        let e = parse::<Login>(br#"{"username":"a","password":"b","remember":"yes"}"#).unwrap_err();
        assert_eq!(e.field(), Some("remember"));
        let e = parse::<Login>(br#"{"username":"a""#).unwrap_err();
        assert_eq!(e.field(), None);
        assert_eq!(e.status(), axum::http::StatusCode::BAD_REQUEST);
        assert!(parse::<Login>(br#"{"username":"a","password":"b"}"#).is_ok());
    }
}
