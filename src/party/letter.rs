//! 中国共产党党员组织关系介绍信 for a transfer out of the bureau, as a Word document. It
//! carries the member's ID number, so producing it is an audited sensitive read.

use std::io::Cursor;

use chrono::Datelike;
use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, SpecialIndentType};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::dues::entity::payment;
use super::entity::transfer;
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::{OrgKind, store};
use crate::state::AppState;

fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(text).size(size).fonts(RunFonts::new().east_asia("仿宋_GB2312").ascii("Times New Roman"))
}

fn line(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text, 32))
}

fn body(text: &str) -> Paragraph {
    Paragraph::new().indent(None, Some(SpecialIndentType::FirstLine(640)), None, None).add_run(run(text, 32))
}

/// The letter for an out-of-bureau transfer ([`TransferStatus::Out`](super::TransferStatus::Out),
/// with an external receiver).
pub async fn letter(state: &AppState, actor: &Actor, transfer_id: i32) -> AppResult<(String, Vec<u8>)> {
    let t = transfer::Entity::find_by_id(transfer_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let target = Target { kind: "transfer", id: i64::from(t.id), org_path: &t.from_path };
    // Scope first; the read of the ID number is audited only once a letter will be produced.
    guard::check(state, actor, Permission::IdentityRead, Sensitivity::Normal, target).await?;
    let Some(receiver) = t.to_external.clone() else {
        return Err(AppError::validation("transfer", "本局内部转接由接收党支部在系统中接收，无需介绍信"));
    };
    guard::check(state, actor, Permission::IdentityRead, Sensitivity::Sensitive, target).await?;
    let p = crate::people::store::find(&state.db, t.person_id).await?.ok_or(AppError::NotFound)?;
    let m = super::store::membership_of(&state.db, p.id).await?.ok_or(AppError::NotFound)?;
    let from = store::find(&state.db, t.from_org_id).await?.map(|o| o.name).unwrap_or_default();
    let ancestors = store::ancestors(&state.db, &t.from_path).await?;
    let issuer = ancestors
        .iter()
        .rev()
        .find(|o| OrgKind::parse(&o.kind) == Some(OrgKind::Committee))
        .map_or_else(|| from.clone(), |o| o.name.clone());
    let paid_to = payment::Entity::find()
        .filter(payment::Column::PersonId.eq(p.id))
        .order_by_desc(payment::Column::Month)
        .one(&state.db)
        .await?
        .map_or_else(|| "（未登记）".to_owned(), |pay| format!("{}年{}月", pay.month.year(), pay.month.month()));
    let today = state.clock.today();
    let age = today.year()
        - p.birth_date.year()
        - i32::from((today.month(), today.day()) < (p.birth_date.month(), p.birth_date.day()));
    let kind = if m.full_on.is_some() { "正式党员" } else { "预备党员" };
    let ethnicity = p.ethnicity.clone().unwrap_or_default();
    let doc = Docx::new()
        .add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(run("中国共产党党员组织关系介绍信", 44).bold()),
        )
        .add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(run(&format!("第 {} 号", t.id), 28)))
        .add_paragraph(line(&format!("{receiver}：")))
        .add_paragraph(body(&format!(
            "兹介绍{}同志（{}，{}岁，{}，{}，身份证号码 {}）的党员组织关系由{}转去{}，请接洽。",
            p.name, p.gender, age, ethnicity, kind, p.id_number, from, receiver
        )))
        .add_paragraph(body(&format!("该同志党费已交到{paid_to}。转接原因：{}。", t.reason)))
        .add_paragraph(body("（有效期 30 天）"))
        .add_paragraph(Paragraph::new())
        .add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(run(&format!("{issuer}（盖章）"), 32)))
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .add_run(run(&format!("{}年{}月{}日", today.year(), today.month(), today.day()), 32)),
        )
        .add_paragraph(Paragraph::new())
        .add_paragraph(line(&format!("党员联系电话：{}", p.phone.clone().unwrap_or_default())))
        .add_paragraph(line("党员原所在基层党委通讯地址：                联系电话：            邮编："));
    let mut out = Cursor::new(Vec::new());
    doc.pack(&mut out).map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    Ok((format!("组织关系介绍信-{}.docx", p.name), out.into_inner()))
}

/// A .docx download.
pub fn download(filename: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let encoded: String = form_urlencoded::byte_serialize(filename.as_bytes()).collect::<String>().replace('+', "%20");
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"letter.docx\"; filename*=UTF-8''{encoded}")),
        ],
        bytes,
    )
        .into_response()
}
