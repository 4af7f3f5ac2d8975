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

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrText {
    Bool(bool),
    Text(String),
}

/// A yes/no of a JSON body (`true`/`false`) or a form (a checkbox: `true`, `on`, `1`, `yes`;
/// absent or empty is no).
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match Option::<BoolOrText>::deserialize(d)? {
        None => Ok(false),
        Some(BoolOrText::Bool(b)) => Ok(b),
        Some(BoolOrText::Text(t)) => match t.trim() {
            "true" | "on" | "1" | "yes" => Ok(true),
            "" | "false" | "off" | "0" | "no" => Ok(false),
            other => Err(serde::de::Error::custom(format!("“{other}”不是是/否"))),
        },
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

/// The id a picker's text names: a bare number (`123`, typed without the script) or the text a
/// suggestion puts in the box (`东港分局第一党支部（#123）`, also with ASCII brackets). The one
/// parser for every picker (organizations and people).
pub fn picked_id(text: &str) -> Option<i32> {
    let text = text.trim();
    if let Ok(id) = text.parse() {
        return Some(id);
    }
    let inner = text.strip_suffix('）').or_else(|| text.strip_suffix(')'))?;
    let start = inner.rfind("#")?;
    let before = &inner[..start];
    if !(before.ends_with('（') || before.ends_with('(')) {
        return None;
    }
    inner[start + 1..].trim().parse().ok()
}

/// A picker's field: empty is `None`; text naming no id becomes id 0, which no organization
/// has, so the form comes back with the service's own error next to the field.
fn picked_value(text: &str) -> Option<i32> {
    if text.trim().is_empty() { None } else { Some(picked_id(text).unwrap_or(0)) }
}

/// `deserialize_with` for a form field fed by a picker (see [`picked_id`]).
pub fn picked<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    Ok(match Option::<NumOrText>::deserialize(d)? {
        None => None,
        Some(NumOrText::Num(n)) => Some(i32::try_from(n).unwrap_or(0)),
        Some(NumOrText::Text(t)) => picked_value(&t),
    })
}

/// The form fields that pickers feed, in forms whose structs are shared with the API.
const PICKER_FIELDS: [&str; 5] = ["org_id", "parent_id", "merge_into", "to_org_id", "person_id"];

/// Like [`crate::ui::form::Form`], for forms with a picker: the picker fields' text
/// (`名称（#123）`) is read by [`picked_id`] before the form is deserialized.
pub struct PickerForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for PickerForm<T> {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        let req = axum::extract::Request::from_parts(parts.clone(), body);
        let crate::ui::form::Form(pairs) =
            crate::ui::form::Form::<Vec<(String, String)>>::from_request(req, state).await?;
        let body = pairs
            .into_iter()
            .map(|(k, v)| {
                let v = match PICKER_FIELDS.contains(&k.as_str()) {
                    true => picked_value(&v).map(|id| id.to_string()).unwrap_or_default(),
                    false => v,
                };
                format!("{}={}", encode(&k), encode(&v))
            })
            .collect::<Vec<_>>()
            .join("&");
        let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(body));
        crate::ui::form::Form::<T>::from_request(req, state).await.map(|crate::ui::form::Form(v)| PickerForm(v))
    }
}

/// Percent-encodes a form value (every byte but unreserved ASCII).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::picked_id;

    #[test]
    fn a_picker_names_an_id_by_number_or_by_suggestion_text() {
        assert_eq!(picked_id("123"), Some(123));
        assert_eq!(picked_id(" 123 "), Some(123));
        assert_eq!(picked_id("东港分局第一党支部（#123）"), Some(123));
        assert_eq!(picked_id("东港分局（机关）第一党支部(#7)"), Some(7));
        assert_eq!(picked_id("东港分局第一党支部"), None);
        assert_eq!(picked_id("第一党支部（123）"), None);
        assert_eq!(picked_id("（#x）"), None);
        assert_eq!(picked_id(""), None);
    }
}
