//! `GET /api/v1/persons/{id}` (一人一档) and `POST /api/v1/persons/{id}/reveal`.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Revealed;
use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use crate::ui::blocks::{Section, SensitiveField};
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get)).routes(routes!(reveal))
}

/// A person's profile as the web page shows it.
#[derive(Serialize, ToSchema)]
#[schema(description = "一人一档：调用者能看到的各部分，敏感字段遮蔽显示；`revealable` 列出调用者可查看的敏感字段，\
    `can_edit` 表示调用者能否修改")]
pub struct PersonProfile {
    id: i32,
    name: String,
    kind: String,
    org_id: Option<i32>,
    org_name: String,
    employment_status: String,
    political_status: String,
    can_edit: bool,
    sections: Vec<Section>,
    revealable: Vec<SensitiveField>,
}

#[utoipa::path(
    get, path = "/persons/{id}", tag = "persons", operation_id = "get_person",
    summary = "一人一档",
    description = "各业务模块提供的各部分。敏感字段（身份证号、完整的出生日期、电话等）一律遮蔽显示，行中的 `field` 为字段代码；\
        完整的值用 `POST /persons/{id}/reveal` 查看。打开档案不读取敏感信息，也不写审计记录。\
        账号关联了本人的人员记录时，无论角色都能读取本人的档案。",
    params(("id" = i32, Path, description = "人员编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "档案", body = PersonProfile),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色不能查看名册，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已删除或不在范围内（范围外记审计）", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<PersonProfile>> {
    let p = super::open(&state, &actor, id).await?;
    let h = p.heading;
    Ok(Json(PersonProfile {
        id: h.subject.id,
        name: h.subject.name,
        kind: h.kind,
        org_id: h.subject.org_id,
        org_name: h.org_name,
        employment_status: h.employment_status,
        political_status: h.political_status,
        can_edit: h.subject.can_edit,
        sections: p.sections,
        revealable: p.revealable,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "要查看的敏感字段代码（见档案行中的 `field`），至少 1 个，至多 50 个")]
pub struct RevealRequest {
    #[schema(min_items = 1, max_items = 50, example = json!(["id_number", "phone"]))]
    fields: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(description = "查看到的完整值，顺序同请求")]
pub struct RevealResponse {
    person_id: i32,
    fields: Vec<Revealed>,
}

#[utoipa::path(
    post, path = "/persons/{id}/reveal", tag = "persons", operation_id = "reveal_person_fields",
    summary = "查看敏感字段",
    description = "返回所列敏感字段的完整值，并记一条 `sensitive.read` 审计（列出字段）。每个字段属于一个类别：\
        identity 身份与联系方式（id_number、birth_date、phone）、family_care 家庭与关爱、discipline_risk 纪律与风险；\
        调用者须在该人员所在党组织持有相应类别的查阅权限（书记/支委、党务管理员三类都有；纪检监察有身份、纪律与风险；\
        领导没有）。本人可以查看自己的身份与联系方式、家庭与关爱信息。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = RevealRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "完整的值", body = RevealResponse),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少该类别的查阅权限（信息中写明缺少的权限）、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已删除或不在范围内（范围外记审计）", body = ErrorBody),
        (status = 422, description = "没有指明字段、字段代码未知或超过 50 个", body = ErrorBody),
    )
)]
pub async fn reveal(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<RevealRequest>,
) -> AppResult<Json<RevealResponse>> {
    let fields = super::reveal(&state, &actor, id, &req.fields).await?;
    Ok(Json(RevealResponse { person_id: id, fields }))
}
