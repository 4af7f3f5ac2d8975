//! Form bodies and multipart uploads, and the rejections of axum's own extractors, answered in
//! the application's format: a Chinese `{code, message, field}` (which the web router turns into
//! the Chinese error page) instead of axum's English plain text.
//!
//! Two layers of defence. Handlers take [`Form`] and [`Multipart`] (like [`super::json::ApiJson`]
//! and [`super::params::Params`]), whose rejections become an [`AppError`] naming the field where
//! one can be named. Whatever still answers in axum's plain text — an extractor used directly, a
//! method the route does not have — is rewritten by [`answer_rejections`], which both routers wear.

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{BytesRejection, FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::{AppError, ErrorBody, ErrorInfo};

/// Like `axum::Form`, with errors in the application's format.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(req, state).await.map(|axum::Form(v)| Form(v)).map_err(AppError::from)
    }
}

/// Like `axum::extract::Multipart`, with errors in the application's format.
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(req, state).await.map(Multipart).map_err(AppError::from)
    }
}

const FORM_TYPE: &str = "请求体须为表单（Content-Type: application/x-www-form-urlencoded）";
const JSON_TYPE: &str = "请求体须为 JSON（Content-Type: application/json）";
const MULTIPART: &str = "上传须为 multipart/form-data 表单（Content-Type 中须有 boundary），请通过页面上的表单上传文件";
const TOO_LARGE: &str = "请求体过大，超过了服务器允许的大小";

/// The field and the reason of a failed deserialization, found in the rejection's sources
/// (axum keeps serde's error, with the path to the field, inside its own).
fn failed_field(err: &(dyn std::error::Error + 'static)) -> Option<(Option<String>, String)> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(e) = e.downcast_ref::<serde_path_to_error::Error<serde::de::value::Error>>() {
            return Some(field_and_reason(&e.path().to_string(), &e.inner().to_string()));
        }
        if let Some(e) = e.downcast_ref::<serde_path_to_error::Error<serde_json::Error>>() {
            return Some(field_and_reason(&e.path().to_string(), &e.inner().to_string()));
        }
        next = e.source();
    }
    None
}

fn field_and_reason(path: &str, reason: &str) -> (Option<String>, String) {
    let missing = reason.strip_prefix("missing field `").and_then(|r| r.split('`').next());
    let field = match (path, missing) {
        (".", Some(name)) => Some(name.to_owned()),
        (".", None) => None,
        (path, Some(name)) => Some(format!("{path}.{name}")),
        (path, None) => Some(path.to_owned()),
    };
    // The application's own deserializers explain in Chinese; serde's English is not shown.
    let own_words = !reason.is_ascii();
    let text = match (&field, missing.is_some(), own_words) {
        (Some(f), true, _) => format!("缺少必填字段 {f}"),
        (Some(f), false, true) => format!("字段 {f} 的值不正确：{reason}"),
        (Some(f), false, false) => format!("字段 {f} 的值类型或格式不正确"),
        (None, _, true) => format!("请求内容不正确：{reason}"),
        (None, _, false) => "请求内容的格式不正确".to_owned(),
    };
    (field, text)
}

fn deserialize_error(err: &(dyn std::error::Error + 'static), what: &str) -> AppError {
    match failed_field(err) {
        Some((field, reason)) => AppError::BadRequest { message: format!("{what}有误：{reason}"), field },
        None => AppError::bad_request(None, format!("{what}的格式不正确")),
    }
}

impl From<BytesRejection> for AppError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge { message: TOO_LARGE.into(), field: None }
        } else {
            AppError::bad_request(None, "请求体无法读取，请重新提交")
        }
    }
}

impl From<FormRejection> for AppError {
    fn from(rejection: FormRejection) -> Self {
        match rejection {
            FormRejection::InvalidFormContentType(_) => AppError::bad_request(None, FORM_TYPE),
            FormRejection::BytesRejection(r) => r.into(),
            other => deserialize_error(&other, "表单"),
        }
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => AppError::bad_request(None, JSON_TYPE),
            JsonRejection::JsonSyntaxError(_) => AppError::bad_request(None, "请求体不是有效的 JSON"),
            JsonRejection::BytesRejection(r) => r.into(),
            other => deserialize_error(&other, "请求体"),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        deserialize_error(&rejection, "查询参数")
    }
}

impl From<PathRejection> for AppError {
    /// An id in the path that does not parse cannot exist: 404, like any unknown id.
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(_) => AppError::NotFound,
            other => AppError::Internal(anyhow::anyhow!("path parameters: {}", other.body_text())),
        }
    }
}

impl From<MultipartRejection> for AppError {
    fn from(_: MultipartRejection) -> Self {
        AppError::bad_request(Some("file"), MULTIPART)
    }
}

/// The Chinese answer for a plain-text rejection, recognized by axum's (stable) wording.
fn rewrite(status: StatusCode, text: &str) -> Response {
    let bad = |m: &str| AppError::bad_request(None, m).into_response();
    match status {
        StatusCode::NOT_FOUND => AppError::NotFound.into_response(),
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge { message: TOO_LARGE.into(), field: None }.into_response(),
        StatusCode::METHOD_NOT_ALLOWED => plain_error(status, "method_not_allowed", "该地址不支持此请求方法"),
        StatusCode::REQUEST_TIMEOUT => plain_error(status, "timeout", "请求超时，请稍后重试"),
        _ if text.starts_with("Form requests must have") => bad(FORM_TYPE),
        _ if text.starts_with("Expected request with `Content-Type: application/json`") => bad(JSON_TYPE),
        _ if text.starts_with("Failed to parse the request body as JSON") => bad("请求体不是有效的 JSON"),
        _ if text.starts_with("Failed to deserialize the JSON body") => bad("请求体的字段类型或格式不正确"),
        _ if text.starts_with("Failed to deserialize form") => bad("表单的格式不正确"),
        _ if text.starts_with("Failed to deserialize query string") => bad("查询参数的格式不正确"),
        _ if text.contains("multipart/form-data") => AppError::bad_request(Some("file"), MULTIPART).into_response(),
        // A path parameter that does not parse names nothing that exists.
        _ if text.starts_with("Invalid URL") || text.starts_with("Wrong number of path arguments") => {
            AppError::NotFound.into_response()
        }
        _ if status == StatusCode::UNSUPPORTED_MEDIA_TYPE => bad("请求体的类型（Content-Type）不正确"),
        _ => bad("请求的格式不正确"),
    }
}

/// An error status no [`AppError`] stands for, in the same body and with the same marker.
fn plain_error(status: StatusCode, code: &'static str, message: &str) -> Response {
    let info = ErrorInfo { status, code, message: message.to_owned(), field: None };
    let body = ErrorBody { code, message: info.message.clone(), field: None, errors: Vec::new() };
    let mut response = (status, axum::Json(body)).into_response();
    response.extensions_mut().insert(info);
    response
}

/// Largest plain-text body read to recognize a rejection (axum's are a line or two).
const REJECTION_TEXT: usize = 16 * 1024;

/// Middleware for both routers: a 4xx that is not the application's own answer (no
/// [`ErrorInfo`], plain text or no body) is an axum rejection, and is answered again in Chinese.
/// On the web router it sits inside `render_web_errors`, which turns the answer into a page.
pub async fn answer_rejections(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    if !status.is_client_error() || response.extensions().get::<ErrorInfo>().is_some() {
        return response;
    }
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("text/plain"));
    if !plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, REJECTION_TEXT).await.unwrap_or_default();
    tracing::debug!(status = %status, rejection = %String::from_utf8_lossy(&text), "rejection answered in Chinese");
    let mut answer = rewrite(status, &String::from_utf8_lossy(&text));
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        answer.headers_mut().insert(header::ALLOW, allow.clone());
    }
    answer
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        #[serde(deserialize_with = "crate::ui::params::opt_i32", default)]
        org_id: Option<i32>,
        count: u32,
    }

    fn form_request(content_type: Option<&str>, body: &'static str) -> Request {
        let mut builder = Request::builder().method("POST").uri("/x");
        if let Some(ct) = content_type {
            builder = builder.header(header::CONTENT_TYPE, ct);
        }
        builder.body(Body::from(body)).unwrap()
    }

    async fn form(content_type: Option<&str>, body: &'static str) -> Result<Input, AppError> {
        Form::<Input>::from_request(form_request(content_type, body), &()).await.map(|Form(v)| v)
    }

    const URLENCODED: Option<&str> = Some("application/x-www-form-urlencoded");

    #[tokio::test]
    async fn form_errors_name_the_field_in_chinese() {
        assert_eq!(form(URLENCODED, "name=a&count=3").await.unwrap().count, 3);

        let err = form(URLENCODED, "name=a&count=3&org_id=abc").await.unwrap_err();
        assert_eq!((err.status(), err.field()), (StatusCode::BAD_REQUEST, Some("org_id")));
        assert!(err.message().contains("“abc”不是整数"), "{}", err.message());

        let err = form(URLENCODED, "name=a&count=many").await.unwrap_err();
        assert_eq!(err.field(), Some("count"));
        assert!(err.message().starts_with("表单有误"), "{}", err.message());
        assert!(!err.message().contains("invalid digit"), "serde's English is not shown: {}", err.message());

        let err = form(URLENCODED, "count=1").await.unwrap_err();
        assert_eq!(err.field(), Some("name"));
        assert!(err.message().contains("缺少必填字段 name"));

        let err = form(Some("application/json"), "{}").await.unwrap_err();
        assert_eq!((err.status(), err.message()), (StatusCode::BAD_REQUEST, FORM_TYPE.to_owned()));
        let err = form(None, "name=a").await.unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn multipart_without_boundary_is_a_chinese_400() {
        let req = form_request(Some("multipart/form-data"), "x");
        let err = Multipart::from_request(req, &()).await.err().unwrap();
        assert_eq!((err.status(), err.field()), (StatusCode::BAD_REQUEST, Some("file")));
        assert!(err.message().contains("multipart/form-data"));
    }

    async fn rewritten(response: Response) -> Response {
        let status = response.status();
        let text = axum::body::to_bytes(response.into_body(), REJECTION_TEXT).await.unwrap();
        rewrite(status, &String::from_utf8_lossy(&text))
    }

    #[tokio::test]
    async fn plain_rejections_are_recognized() {
        let answer = |status: StatusCode, text: &'static str| async move {
            let r = rewritten((status, text).into_response()).await;
            let info = r.extensions().get::<ErrorInfo>().cloned().unwrap();
            (r.status(), info.code, info.message)
        };
        let (status, code, message) =
            answer(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Expected request with `Content-Type: application/json`").await;
        assert_eq!((status, code, message.as_str()), (StatusCode::BAD_REQUEST, "bad_request", JSON_TYPE));
        let (status, code, _) = answer(StatusCode::METHOD_NOT_ALLOWED, "").await;
        assert_eq!((status, code), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
        let (status, code, _) =
            answer(StatusCode::PAYLOAD_TOO_LARGE, "Failed to buffer the request body: length limit exceeded").await;
        assert_eq!((status, code), (StatusCode::PAYLOAD_TOO_LARGE, "too_large"));
        let (status, _, message) =
            answer(StatusCode::BAD_REQUEST, "Invalid `boundary` for `multipart/form-data` request").await;
        assert_eq!((status, message.as_str()), (StatusCode::BAD_REQUEST, MULTIPART));
        let (status, _, _) = answer(StatusCode::BAD_REQUEST, "Invalid URL: Cannot parse `x` to a `i32`").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
