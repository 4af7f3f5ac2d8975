//! The OpenAPI 3.1 document of `/api/v1`, served at `GET /api/openapi.json`.
//!
//! Paths and operations come from the `#[utoipa::path]` attributes of the handlers that
//! [`crate::app`] registers with `routes!`, so the document and the route table are one source.
//! This module adds what all operations share: the description, tags, security schemes and the
//! generic response shapes.

use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::auth::session;
use crate::error::{ErrorBody, FieldError};

/// Security scheme names used in the handlers' `security(...)` lists.
pub const SESSION: &str = "session";
pub const CSRF: &str = "csrf";
pub const TOKEN: &str = "token";

const DESCRIPTION: &str = "\
    公安机关党建与队伍管理平台的 JSON 接口。本文档由程序代码生成，路径、方法和数据结构与实际路由一致；\
    各接口的业务规则和示例见 `docs/API.md`。

- **认证**：`POST /api/v1/session` 登录后使用 Cookie `dj_session`；Cookie 会话的 POST、PUT、PATCH、DELETE \
    请求须带请求头 `X-CSRF-Token`（取自登录或 `GET /api/v1/me` 响应中的 `csrf_token`），否则 403 `csrf`。\
    系统对接使用接口令牌 `Authorization: Bearer djt_…`，不需要 CSRF 令牌。未登录、会话失效或令牌无效时 401。
- **首次登录**：须改密的账号只能调用 `GET /api/v1/me`、`POST /api/v1/me/password`、`DELETE /api/v1/session`，\
    其他接口 403 `password_change_required`。
- **范围**：每个账号只能访问其授权党组织及其下级的数据；范围外的编号与不存在的编号同样得到 404。
- **错误**：统一为 `ErrorBody`：`{\"code\", \"message\", \"field\"?, \"errors\"?}`。400 请求格式错误，401 未登录，\
    403 无权限，404 不存在或无权访问，409 冲突，413 上传文件超过上限，422 值不符合规则，429 尝试过多，\
    503 另一项导入正在进行（稍后重试），500 系统内部错误。登录失败一律 401，不区分账号是否存在、是否锁定。
- **请求体**：除名册导入外均为 JSON，须带 `Content-Type: application/json`，最大 4 MiB。
- **分页**：列表接口参数 `page`（从 1 开始）、`page_size`（默认 20，最大 200），返回 `{\"items\": [...], \"total\": N}`。
- **时间**：时刻为北京时间 `YYYY-MM-DD HH:MM:SS`，日期为 `YYYY-MM-DD`。";

/// Everything but the paths, which [`crate::app`] nests under `/api/v1`.
#[derive(OpenApi)]
#[openapi(
    // Cargo's license "Proprietary" is no SPDX identifier, so only its name is given.
    info(title = "公安机关党建与队伍管理平台 接口", description = DESCRIPTION, license(name = "Proprietary")),
    modifiers(&SecuritySchemes),
    components(schemas(ErrorBody, FieldError)),
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                session::COOKIE_NAME,
                "Cookie 会话：由 `POST /api/v1/session` 设置（HttpOnly、SameSite=Lax）",
            ))),
        );
        components.add_security_scheme(
            CSRF,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "Cookie 会话的写请求（除 GET 外）须带的 CSRF 令牌，即登录或 `GET /api/v1/me` 响应中的 `csrf_token`",
            ))),
        );
        components.add_security_scheme(
            TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("djt_ 加 64 位十六进制")
                    .description(Some(
                        "接口令牌：由系统管理员为接口专用账号创建，以该账号的身份和授权行事，不需要 CSRF 令牌",
                    ))
                    .build(),
            ),
        );
    }
}

/// A list answer: the items and how many match in all (more than `items` when paged).
#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "列表：`items` 为本页的记录，`total` 为符合条件的总数")]
pub struct List<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// A file as the whole request or response body (the import's spreadsheet, the letter).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary, description = "文件内容（二进制）")]
pub struct Binary(pub Vec<u8>);

/// The answer of a create whose caller needs only the new id.
#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "新建记录的编号")]
pub struct Created {
    pub id: i32,
}

/// Request-schema pieces that say exactly what the API's validation accepts, so that a
/// document-driven client (or tester) is not told a value is fine that the API then refuses.
pub mod schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    use utoipa::openapi::{Object, RefOr, Schema};

    /// Characters `crate::text::check_line` refuses: C0/C1 controls, DEL and the marks that
    /// change the direction of text. In an ECMA-262 character class.
    const FORBIDDEN: &str = r"\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069";

    /// One line of text as `text::check_line` accepts it (may be empty).
    pub fn line_pattern() -> String {
        format!("^[^{FORBIDDEN}]*$")
    }

    /// Free text as `text::check_multiline` accepts it: line breaks and tabs allowed.
    pub fn multiline_pattern(filled: bool) -> String {
        let forbidden =
            r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069";
        if filled { format!(r"^[^{forbidden}]*[^\s{forbidden}][^{forbidden}]*$") } else { format!("^[^{forbidden}]*$") }
    }

    /// Free text of several lines, at most `max` characters; `filled` when it must hold something.
    pub fn multiline(max: usize, filled: bool) -> RefOr<Schema> {
        done(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(filled.then_some(1))
                .max_length(Some(max))
                .pattern(Some(multiline_pattern(filled)))
                .build(),
        )
    }

    /// One line of text with at least one character that is not a space (what a required,
    /// trimmed field accepts).
    pub fn filled_line_pattern() -> String {
        format!(r"^[^{FORBIDDEN}]*[^\s{FORBIDDEN}][^{FORBIDDEN}]*$")
    }

    /// A text that must be one of `values`; an optional one may also be empty.
    pub fn one_of(values: &[&str], optional: bool) -> RefOr<Schema> {
        let all: Vec<&str> =
            if optional { std::iter::once("").chain(values.iter().copied()).collect() } else { values.to_vec() };
        Schema::Object(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(all)).build()).into()
    }

    fn done(o: Object) -> RefOr<Schema> {
        Schema::Object(o).into()
    }

    /// A `YYYY-MM-DD` date.
    pub fn date() -> RefOr<Schema> {
        done(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                .build(),
        )
    }

    /// Text matching `pattern` (an ECMA-262 regular expression).
    pub fn matching(pattern: &str) -> RefOr<Schema> {
        done(ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).build())
    }

    /// Text matching `pattern`, at most `max` characters.
    pub fn matching_max(pattern: &str, max: usize) -> RefOr<Schema> {
        done(ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).max_length(Some(max)).build())
    }

    /// One line of text, at most `max` characters; `filled` when it must hold something.
    pub fn line(max: usize, filled: bool) -> RefOr<Schema> {
        let pattern = if filled { filled_line_pattern() } else { line_pattern() };
        done(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(filled.then_some(1))
                .max_length(Some(max))
                .pattern(Some(pattern))
                .build(),
        )
    }
}
