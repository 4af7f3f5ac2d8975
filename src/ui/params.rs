//! Query-string parameters: numbers arrive as text (also through `#[serde(flatten)]`, which
//! loses their type), empty fields mean "not given", and a bad value is a Chinese 400.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::error::AppError;

/// Like `axum::extract::Query`, with errors in the application's format.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(v)| Params(v)).map_err(|e| {
            tracing::debug!(error = %e.body_text(), "bad query string");
            AppError::bad_request(None, "查询参数格式不正确，请检查页码、编号和日期等参数")
        })
    }
}

/// Ids in the path. An id that does not parse cannot exist: 404, like any unknown id.
pub struct IdPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for IdPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| IdPath(v))
            .map_err(|_| AppError::NotFound)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrText {
    Num(i64),
    Text(String),
}

fn parse_opt(value: Option<NumOrText>) -> Result<Option<i64>, String> {
    match value {
        None => Ok(None),
        Some(NumOrText::Num(n)) => Ok(Some(n)),
        Some(NumOrText::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(NumOrText::Text(t)) => t.trim().parse().map(Some).map_err(|_| format!("“{t}”不是整数")),
    }
}

/// An optional id: absent or empty is `None`.
pub fn opt_i32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    let n = parse_opt(Option::<NumOrText>::deserialize(d)?).map_err(serde::de::Error::custom)?;
    n.map(|v| i32::try_from(v).map_err(|_| serde::de::Error::custom("编号超出范围"))).transpose()
}

/// A page number or size: absent, empty or not positive falls back to the default.
pub fn page_num<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = parse_opt(Option::<NumOrText>::deserialize(d)?).map_err(serde::de::Error::custom)?;
    Ok(n.and_then(|v| u64::try_from(v).ok()).unwrap_or(0))
}
