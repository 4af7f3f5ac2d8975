//! JSON API of the letter of a transfer out of the bureau.

use axum::extract::State;
use axum::response::Response;

use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use crate::ui::params::IdPath;

/// The same letter as the web page's `letter.docx`.
#[utoipa::path(
    get, path = "/transfers/{id}/docx", tag = "membership", operation_id = "get_transfer_letter",
    summary = "组织关系介绍信",
    description = "局外转接（已转出）的《中国共产党党员组织关系介绍信》，Word 文件。要求能查阅敏感信息（党务管理员、纪检监察、\
        书记/支委），且转出党支部在调用者范围内。介绍信含完整身份证号和电话，每次生成都记审计。",
    params(("id" = i32, Path, description = "转接编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "介绍信（.docx）",
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            body = crate::openapi::Binary),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "不能查阅敏感信息，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 422, description = "本局内部转接没有介绍信", body = ErrorBody),
    )
)]
pub async fn letter(state: State<AppState>, actor: Actor, id: IdPath<i32>) -> AppResult<Response> {
    crate::party::web::letter::letter(state, actor, id).await
}
