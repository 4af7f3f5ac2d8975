//! The visits' part of 一人一档: that visits happened and the care given (to every reader, the
//! person included), the 五知 and the visit notes masked until revealed (family-and-care class,
//! audited by the profile's reveal) and never shown to the person themself; and the panel with
//! the secretary's actions (record a visit, raise a 十必访 situation, the 五知 history).

use askama::Template;

use super::{store, tasks};
use crate::auth::{Actor, Permission, SensitiveClass};
use crate::error::AppResult;
use crate::module::{BoxFuture, PanelContext, ProfilePart};
use crate::state::AppState;
use crate::ui::FieldErrors;
use crate::ui::blocks::{Row, Section, SensitiveField, Subject};

pub const FIVE: SensitiveField =
    SensitiveField { code: "five_knowns", label: "五知", class: SensitiveClass::FamilyCare };
pub const NOTES: SensitiveField =
    SensitiveField { code: "visit_notes", label: "走访记录", class: SensitiveClass::FamilyCare };

/// What the person visited reads instead of the visitors' notes.
pub const NOT_TO_SELF: &str = "走访人的记录不向本人显示";

pub fn part() -> ProfilePart {
    ProfilePart { sections, fields: &[FIVE, NOTES], reveal, panel: Some(panel) }
}

fn sections<'a>(state: &'a AppState, actor: &'a Actor, s: &'a Subject) -> BoxFuture<'a, AppResult<Vec<Section>>> {
    Box::pin(async move {
        let visits = store::visits_of(&state.db, s.id).await?;
        let mut rows = Vec::new();
        rows.push(Row::new(
            "家访",
            match visits.first() {
                None => "尚无家访记录".to_owned(),
                Some(v) => format!("共 {} 次，最近一次 {}（{}，{}）", visits.len(), v.visited_on, v.kind, v.mode),
            },
        ));
        let care = super::care::of_person(state, s.id).await?;
        rows.push(Row::new(
            "关怀事项",
            if care.is_empty() {
                "无".to_owned()
            } else {
                care.iter().map(|c| format!("{}（{}）", c.kind, c.status)).collect::<Vec<_>>().join("、")
            },
        ));
        if s.own {
            rows.push(Row::new("五知与走访记录", NOT_TO_SELF));
        } else {
            if actor.scope(Permission::PersonRead).contains(&s.org_path) {
                let open = tasks::open_of(state, s.id).await?;
                if !open.is_empty() {
                    let list: Vec<String> =
                        open.iter().map(|t| format!("{}（期限 {}）", t.situation_label, t.due_on)).collect();
                    rows.push(Row::new("未完成的必访", list.join("、")));
                }
            }
            rows.push(Row::masked(
                &FIVE,
                match visits.first() {
                    None => "尚未记录".to_owned(),
                    Some(v) => format!("{} 个版本，最近 {}", visits.len(), v.visited_on),
                },
            ));
            rows.push(Row::masked(
                &NOTES,
                if visits.is_empty() { "无".to_owned() } else { format!("{} 次走访的记录", visits.len()) },
            ));
        }
        Ok(vec![Section { id: "visits", title: "家访与关怀", sensitive: true, rows }])
    })
}

/// The latest 五知 as text, one item a line.
pub fn five_text(v: &super::entity::visit::Model) -> String {
    let five = store::five_of(v);
    let mut lines = vec![format!("（{} {}）", v.visited_on, v.kind)];
    if let Some(f) = &v.family_snapshot {
        lines.push(format!("登记的家庭成员：{}", f.replace('\n', "；")));
    }
    for (_, label, value) in five.items() {
        lines.push(format!("{label}：{}", value.as_deref().unwrap_or("（未记录）")));
    }
    lines.join("\n")
}

fn reveal<'a>(
    state: &'a AppState,
    s: &'a Subject,
    fields: &'a [&'static str],
) -> BoxFuture<'a, AppResult<Vec<(&'static str, String)>>> {
    Box::pin(async move {
        let mut out = Vec::new();
        let visits = store::visits_of(&state.db, s.id).await?;
        for code in fields {
            let value = if s.own {
                NOT_TO_SELF.to_owned()
            } else if *code == FIVE.code {
                visits.first().map_or_else(|| "尚未记录".to_owned(), five_text)
            } else {
                let lines: Vec<String> = visits
                    .iter()
                    .take(20)
                    .map(|v| {
                        format!(
                            "{} {} {}：发现的问题：{}；提出的诉求：{}",
                            v.visited_on,
                            v.kind,
                            v.mode,
                            v.problems.as_deref().unwrap_or("无"),
                            v.help_asked.as_deref().unwrap_or("无")
                        )
                    })
                    .collect();
                if lines.is_empty() { "无".to_owned() } else { lines.join("\n") }
            };
            out.push((*code, value));
        }
        Ok(out)
    })
}

#[derive(Template)]
#[template(path = "visits/panel.html")]
struct Panel<'a> {
    person_id: i32,
    csrf: &'a str,
    situations: Vec<tasks::Situation>,
    errors: &'a FieldErrors,
    today: String,
}

fn panel<'a>(
    state: &'a AppState,
    actor: &'a Actor,
    s: &'a Subject,
    context: &'a PanelContext,
) -> BoxFuture<'a, AppResult<Option<String>>> {
    Box::pin(async move {
        if s.own || !super::record::may_record(actor, s) {
            return Ok(None);
        }
        let situations = tasks::situations(state).await?.into_iter().filter(|s| s.active).collect();
        let panel = Panel {
            person_id: s.id,
            csrf: &context.csrf,
            situations,
            errors: &context.errors,
            today: state.clock.today().to_string(),
        };
        Ok(Some(panel.render().map_err(|e| crate::error::AppError::Internal(e.into()))?))
    })
}
