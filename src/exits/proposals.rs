//! Cases proposed by other domains' records. A proposal (status 拟议) is only a proposal: it
//! appears in the list and on the home page of `discipline` and `party_admin` in scope, who
//! either open it (立案) or decline it (不予立案, with the reason); nothing happens to the person.
//!
//! The rules (research/domain.md):
//! * A sanction proposes a case when it is a 党纪政务重处分 (the seed's words: 受党纪政务重处分、
//!   不适宜继续从事公安工作民辅警): the heavy kinds as discipline computes them from §5.5 —
//!   撤销党内职务, 留党察看, 开除党籍, 降级, 撤职, 开除, and for 辅警 降级 and 解除劳动合同. 记大过 and
//!   lighter are 轻处分 under §5.5 and propose nothing (a case can still be opened by hand).
//! * An appraisal proposes a case when it is unfit: a 民警's 不称职 (§6.2: 降低一个职务层次;
//!   连续两年不称职 is a statutory ground for 辞退, which the proposal says when the year before
//!   was unfit too) or a 辅警's 不合格 (§6.3: 年度考核不合格 is a ground for 解聘).
//! * A risk flag proposes a case when its category says so (risk's dictionary, editable; seeded
//!   from §6.1, the seed's triggers: 受党纪政务重处分 found by a 排查, and 躺平摆烂、不担当不作为):
//!   a screening finding (`排查发现`, source_ref the flag) or any flag of a 躺平摆烂 category
//!   (`躺平摆烂`), and again when such a flag is escalated (已升级). One flag never proposes two
//!   cases, whatever became of the first.
//! * One open case per person: a new record for someone whose case is open adds nothing.

use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter};

use super::entity::case;
use super::steps::{NewCase, insert, open_case_of};
use super::{SourceKind, Status};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::module::{AppraisalRecorded, BoxFuture, FlagGround, FlagRaised, SanctionRecorded};
use crate::people::PersonKind;
use crate::state::AppState;

/// Proposes a case for `person_id` unless one is open or the person is no 民警 or 辅警.
async fn propose(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    source: (SourceKind, i32),
    grounds: String,
) -> AppResult<Vec<String>> {
    let Some(p) = crate::people::store::find_live(txn, person_id).await? else {
        return Ok(Vec::new());
    };
    let kind = match PersonKind::parse(&p.kind) {
        Some(k @ (PersonKind::Police | PersonKind::Auxiliary)) => k,
        _ => return Ok(Vec::new()),
    };
    if p.org_id.is_none() || open_case_of(txn, person_id).await?.is_some() {
        return Ok(Vec::new());
    }
    let n = NewCase {
        person: &p,
        kind,
        status: Status::Proposed,
        source: (source.0, Some(source.1)),
        grounds,
        opened_on: state.clock.today(),
        responsible: None,
    };
    let saved = insert(txn, state, actor, n).await?;
    Ok(vec![format!("拟议出口案件 #{}（待研判）", saved.id)])
}

/// The sanction listener (`Module::sanction_listeners`).
pub fn on_sanction<'a>(
    txn: &'a DatabaseTransaction,
    state: &'a AppState,
    actor: &'a Actor,
    s: &'a SanctionRecorded,
) -> BoxFuture<'a, AppResult<Vec<String>>> {
    Box::pin(async move {
        if !s.heavy {
            return Ok(Vec::new());
        }
        let grounds = format!(
            "受{}（重处分，{} 生效）：属“受党纪政务重处分”的情形，由系统提出，是否立案须研判",
            s.kind, s.effective_on
        );
        propose(txn, state, actor, s.person_id, (SourceKind::Sanction, s.sanction_id), grounds).await
    })
}

/// The appraisal listener (`Module::appraisal_listeners`).
pub fn on_unfit_appraisal<'a>(
    txn: &'a DatabaseTransaction,
    state: &'a AppState,
    actor: &'a Actor,
    a: &'a AppraisalRecorded,
) -> BoxFuture<'a, AppResult<Vec<String>>> {
    Box::pin(async move {
        let earlier = crate::police::records::appraisals_of(txn, a.person_id).await?;
        let twice = earlier.iter().any(|e| e.year == a.year - 1 && e.grade == "不称职") && a.grade == "不称职";
        let grounds = if twice {
            format!(
                "{} 年、{} 年年度考核连续两年不称职：属公务员法规定的辞退情形，由系统提出，是否立案须研判",
                a.year - 1,
                a.year
            )
        } else {
            format!("{} 年年度考核{}：由系统提出，是否立案须研判", a.year, a.grade)
        };
        propose(txn, state, actor, a.person_id, (SourceKind::Appraisal, a.appraisal_id), grounds).await
    })
}

/// The risk-flag listener (`Module::flag_listeners`).
pub fn on_flag<'a>(
    txn: &'a DatabaseTransaction,
    state: &'a AppState,
    actor: &'a Actor,
    f: &'a FlagRaised,
) -> BoxFuture<'a, AppResult<Vec<String>>> {
    Box::pin(async move {
        let kind = match f.ground {
            FlagGround::Screening => SourceKind::Screening,
            FlagGround::Inaction => SourceKind::Inaction,
        };
        let earlier = case::Entity::find()
            .filter(case::Column::SourceKind.is_in([SourceKind::Screening, SourceKind::Inaction]))
            .filter(case::Column::SourceRef.eq(f.flag_id))
            .count(txn)
            .await?;
        if earlier > 0 {
            return Ok(Vec::new());
        }
        let how = if f.escalated { "已升级" } else { "登记" };
        let grounds = format!(
            "风险提示 #{}（{}，{}色）{how}：属“{}”的情形，由系统提出，是否立案须研判",
            f.flag_id,
            f.category,
            f.level,
            kind.label()
        );
        propose(txn, state, actor, f.person_id, (kind, f.flag_id), grounds).await
    })
}
