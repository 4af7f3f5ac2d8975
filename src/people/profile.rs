//! 一人一档: a person's page is a list of sections, each contributed by a module and each
//! shown only when the viewer may see it. Later modules (membership, visits, risk, discipline)
//! add their section in [`sections`].

use chrono::NaiveDate;
use serde_json::json;

use super::entity as person;
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;

pub use crate::ui::blocks::{Row, Section};

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn text(t: &Option<String>) -> String {
    t.clone().unwrap_or_default()
}

/// May this viewer see the sensitive parts (full ID number, phone) of this person? The person
/// themself may; anyone else needs the permission in scope, and the read is audited.
pub async fn may_see_sensitive(state: &AppState, actor: &Actor, p: &person::Model) -> AppResult<bool> {
    let path = p.org_path.as_deref().unwrap_or("/");
    if actor.person_id == Some(p.id) {
        // Audited too: the link that opens the own record is made by someone else, and a link
        // to the wrong record must show up in the log.
        let event = Event::by(actor, "sensitive.read").object("person", p.id).org(path).summary(json!({"self": true}));
        audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
        return Ok(true);
    }
    if !actor.scope(Permission::PersonSensitiveRead).contains(path) {
        return Ok(false);
    }
    let target = Target { kind: "person", id: i64::from(p.id), org_path: path };
    guard::check(state, actor, Permission::PersonSensitiveRead, Sensitivity::Sensitive, target).await?;
    Ok(true)
}

/// The sections of a person's profile the viewer may see.
pub async fn sections(state: &AppState, actor: &Actor, p: &person::Model, org_name: &str) -> AppResult<Vec<Section>> {
    let sensitive = may_see_sensitive(state, actor, p).await?;
    let mut out = vec![Section {
        id: "basic",
        title: "基本信息",
        sensitive: false,
        rows: vec![
            Row { label: "姓名", value: p.name.clone() },
            Row { label: "人员类别", value: p.kind.clone() },
            Row { label: "警号", value: text(&p.police_no) },
            Row { label: "性别", value: p.gender.clone() },
            Row { label: "出生日期", value: super::birth_shown(p.birth_date, sensitive) },
            Row { label: "民族", value: text(&p.ethnicity) },
            Row { label: "学历", value: text(&p.education) },
            Row { label: "政治面貌", value: p.political_status.clone() },
        ],
    }];
    out.push(Section {
        id: "work",
        title: "工作情况",
        sensitive: false,
        rows: vec![
            Row { label: "所在党组织", value: org_name.to_owned() },
            Row { label: "工作单位", value: text(&p.unit) },
            Row { label: "职务", value: text(&p.position) },
            Row { label: "职级/警衔", value: text(&p.rank) },
            Row { label: "参加公安工作", value: date(p.joined_police_on) },
            Row { label: "在职状态", value: p.employment_status.clone() },
            Row { label: "状态变动日期", value: date(p.status_since) },
        ],
    });
    if let Some(party) = crate::party::service::profile_section(state, p).await? {
        out.push(party);
    }
    if sensitive {
        out.push(Section {
            id: "identity",
            title: "身份与联系方式",
            sensitive: true,
            rows: vec![
                Row { label: "身份证号", value: p.id_number.clone() },
                Row { label: "联系电话", value: text(&p.phone) },
            ],
        });
    } else {
        out.push(Section {
            id: "identity",
            title: "身份与联系方式",
            sensitive: false,
            rows: vec![Row { label: "身份证号", value: super::mask_id(&p.id_number) }],
        });
    }
    Ok(out)
}
