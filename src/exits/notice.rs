//! The decision notice (处理决定书) of a decided case as .docx, built with the shared document
//! pieces (`io::docx`). Only a case with an outcome has one; reading it is a sensitive read and
//! producing it is audited (`exit_case.notice`).

use docx_rs::Docx;
use serde_json::json;

use super::service::{self, ExitCase};
use crate::audit::{self, Event};
use crate::auth::Actor;
use crate::auth::guard::Sensitivity;
use crate::error::{AppError, AppResult};
use crate::io::docx::{body, pack, right, title};
use crate::state::AppState;

/// The notice's paragraphs.
pub fn document(c: &ExitCase) -> Docx {
    let outcome = c.outcome.map_or("", |o| o.as_str());
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y年%-m月%-d日").to_string()).unwrap_or_default();
    let remedy = if c.person_kind == "辅警" {
        "如对本决定有异议，可自收到本决定之日起依法申请劳动争议调解、仲裁。"
    } else {
        "如对本决定不服，可自知道本决定之日起三十日内向原处理机关申请复核，或依法提出申诉。"
    };
    let mut doc = Docx::new()
        .add_paragraph(title(&format!("关于对{}作出{}处理的决定", c.person_name, outcome)))
        .add_paragraph(body(&format!("{}，{}，{}。", c.person_name, c.person_kind, c.org_name)))
        .add_paragraph(body(&format!(
            "经调查核实，{}",
            c.findings.as_deref().unwrap_or("").trim_end_matches('。').to_owned() + "。"
        )))
        .add_paragraph(body(&format!(
            "{}，已将拟作出处理的事实、理由和依据告知本人，并告知其依法享有陈述、申辩的权利。{}，本人陈述申辩如下：{}",
            date(c.notified_on),
            date(c.statement_on),
            c.statement.as_deref().unwrap_or("").trim_end_matches('。').to_owned() + "。"
        )))
        .add_paragraph(body(&format!(
            "{}，{}党委集体研究（参加人员：{}），意见如下：{}",
            date(c.committee_on),
            c.decided_by.as_deref().unwrap_or(""),
            c.committee_attendees.as_deref().unwrap_or(""),
            c.committee_decision.as_deref().unwrap_or("").trim_end_matches('。').to_owned() + "。"
        )))
        .add_paragraph(body(&format!("决定：对{}作出{}处理。", c.person_name, outcome)));
    if let Some(due) = c.handover_due {
        doc = doc.add_paragraph(body(&format!("请于{}前办理工作交接及相关手续。", due.format("%Y年%-m月%-d日"))));
    }
    doc.add_paragraph(body(remedy))
        .add_paragraph(right(c.decided_by.as_deref().unwrap_or("")))
        .add_paragraph(right(&date(c.decided_on)))
        .add_paragraph(right(&c.doc_no.clone().unwrap_or_default()))
}

/// The notice of case `id` as .docx bytes and a file name: 409 before the decision.
pub async fn docx(state: &AppState, actor: &Actor, id: i32) -> AppResult<(String, Vec<u8>)> {
    let c = service::reachable(state, actor, id, Sensitivity::Sensitive).await?;
    let c = service::present(state, c).await?;
    if c.outcome.is_none() {
        return Err(AppError::Conflict {
            message: "党委集体研究作出决定后才有处理决定书".into(), field: None
        });
    }
    let bytes = pack(document(&c))?;
    let event = Event::by(actor, "exit_case.notice").object("exit_case", id).summary(json!({"person": c.person_id}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    Ok((format!("{}处理决定书（案件{}）.docx", c.person_name, c.id), bytes))
}
