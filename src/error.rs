//! One application error. It renders as JSON `{"code","message","field"}` by default; the web
//! router turns the same error into a Chinese HTML page (see [`crate::ui::render_web_errors`]).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use serde::Serialize;

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Malformed input (bad JSON, missing parameter): 400.
    #[error("{message}")]
    BadRequest { message: String, field: Option<String> },
    /// A well-formed request whose values break a rule: 422, naming the field.
    #[error("{message}")]
    Validation { message: String, field: Option<String> },
    /// Not logged in or the session has ended: 401.
    #[error("请先登录")]
    Unauthenticated,
    /// Wrong user or password: one generic message, so no account can be enumerated.
    #[error("用户名或密码错误")]
    BadCredentials,
    /// The account is locked until the given time (UTC).
    #[error("账号已锁定")]
    Locked { until: NaiveDateTime },
    /// Too many attempts from one address.
    #[error("{0}")]
    TooManyRequests(String),
    /// Several fields are wrong at once (a whole form or an import row): 422.
    #[error("{}", .0.first().map(|(_, m)| m.as_str()).unwrap_or("输入有误"))]
    Fields(Vec<(String, String)>),
    /// Logged in, but this role may not do this at all: 403.
    #[error("{0}")]
    Forbidden(String),
    /// The request lacked a valid CSRF token: 403.
    #[error("页面已过期或请求来源不可信，请刷新页面后重试")]
    Csrf,
    /// The user must change the initial password before anything else.
    #[error("首次登录或密码已被重置，请先修改密码")]
    PasswordChangeRequired,
    /// Unknown id — or an id outside the caller's scope, which must look exactly the same.
    #[error("记录不存在或无权访问")]
    NotFound,
    /// A uniqueness or state conflict: 409.
    #[error("{message}")]
    Conflict { message: String, field: Option<String> },
    /// An upload beyond the configured limits (size, unpacked size, rows, columns): 413.
    #[error("{message}")]
    TooLarge { message: String, field: Option<String> },
    /// Another import is running on this instance: 503, to be tried again shortly.
    #[error("{0}")]
    Busy(String),
    /// Anything unexpected; the cause is logged, the user sees a generic message.
    #[error("系统内部错误")]
    Internal(#[from] anyhow::Error),
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(description = "错误：`code` 为错误代码（bad_request、validation、unauthenticated、bad_credentials、locked、\
    too_many_requests、forbidden、csrf、password_change_required、not_found、conflict、too_large、busy、method_not_allowed、internal），`message` 为中文说明，\
        `field` 指明出错的字段，`errors` 在一次有多处错误时逐项列出")]
pub struct ErrorBody {
    #[schema(value_type = String, example = "validation")]
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field error, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Marker put on error responses so that the web layer can re-render them as HTML.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation { message: message.into(), field: Some(field.to_owned()) }
    }

    pub fn bad_request(field: Option<&str>, message: impl Into<String>) -> Self {
        Self::BadRequest { message: message.into(), field: field.map(str::to_owned) }
    }

    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        Self::Conflict { message: message.into(), field: Some(field.to_owned()) }
    }

    pub fn too_large(field: &str, message: impl Into<String>) -> Self {
        Self::TooLarge { message: message.into(), field: Some(field.to_owned()) }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Validation { .. } | Self::Fields(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthenticated | Self::BadCredentials => StatusCode::UNAUTHORIZED,
            Self::Locked { .. } => StatusCode::LOCKED,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Forbidden(_) | Self::Csrf | Self::PasswordChangeRequired => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { .. } => "bad_request",
            Self::Validation { .. } | Self::Fields(_) => "validation",
            Self::Unauthenticated => "unauthenticated",
            Self::BadCredentials => "bad_credentials",
            Self::Locked { .. } => "locked",
            Self::TooManyRequests(_) => "too_many_requests",
            Self::Forbidden(_) => "forbidden",
            Self::Csrf => "csrf",
            Self::PasswordChangeRequired => "password_change_required",
            Self::NotFound => "not_found",
            Self::Conflict { .. } => "conflict",
            Self::TooLarge { .. } => "too_large",
            Self::Busy(_) => "busy",
            Self::Internal(_) => "internal",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Self::BadRequest { field, .. }
            | Self::Validation { field, .. }
            | Self::Conflict { field, .. }
            | Self::TooLarge { field, .. } => field.as_deref(),
            Self::Fields(list) => list.first().map(|(f, _)| f.as_str()),
            _ => None,
        }
    }

    /// The Chinese message shown to the user.
    pub fn message(&self) -> String {
        match self {
            Self::Locked { until } => format!(
                "登录失败次数过多，账号已锁定，请于 {} 后再试或联系安全保密管理员解锁",
                crate::clock::display_local(*until)
            ),
            other => other.to_string(),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        // Two people submitting the same new record at once: the unique index decides.
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) = err.sql_err() {
            return Self::Conflict {
                message: "同样的记录刚刚已被提交，请刷新后核对".into(), field: None
            };
        }
        Self::Internal(anyhow::Error::new(err))
    }
}

impl<E: std::fmt::Display + std::fmt::Debug + Send + Sync + 'static> From<sea_orm::TransactionError<E>> for AppError
where
    AppError: From<E>,
{
    fn from(err: sea_orm::TransactionError<E>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(e) => e.into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = ?cause, "internal error");
        }
        let info = ErrorInfo {
            status: self.status(),
            code: self.code(),
            message: self.message(),
            field: self.field().map(str::to_owned),
        };
        let errors = match &self {
            Self::Fields(list) => {
                list.iter().map(|(f, m)| FieldError { field: f.clone(), message: m.clone() }).collect()
            }
            _ => Vec::new(),
        };
        let body = ErrorBody { code: info.code, message: info.message.clone(), field: info.field.clone(), errors };
        let mut response = (info.status, Json(body)).into_response();
        response.extensions_mut().insert(info);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes() {
        assert_eq!(AppError::NotFound.status(), StatusCode::NOT_FOUND);
        assert_eq!(AppError::Csrf.status(), StatusCode::FORBIDDEN);
        let v = AppError::validation("name", "名称不能为空");
        assert_eq!(v.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v.field(), Some("name"));
        assert_eq!(AppError::BadCredentials.message(), "用户名或密码错误");
    }
}
