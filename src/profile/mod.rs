//! 一人一档: a person's profile assembled from every domain's part (see
//! [`crate::module::ProfilePart`]). Opening a profile reads nothing sensitive and writes nothing;
//! sensitive fields are shown masked and revealed only on an explicit request, which checks the
//! field's class permission and scope and writes one audit entry naming the fields.

pub mod api;
pub mod web;

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, SensitiveClass};
use crate::error::{AppError, AppResult};
use crate::module::Module;
use crate::people::service::Heading;
use crate::state::AppState;
use crate::ui::blocks::{Section, SensitiveField, Subject};

/// Most fields one reveal may name: every field there is, never a list built to flood the log.
const MAX_FIELDS: usize = 50;

pub fn module() -> Module {
    Module { web: web::routes, api: api::routes, ..Module::empty("profile") }
}

/// A profile as the viewer may see it.
pub struct Profile {
    pub heading: Heading,
    pub sections: Vec<Section>,
    /// The sensitive fields of the sections the viewer may reveal.
    pub revealable: Vec<SensitiveField>,
}

/// Whether the viewer may reveal a class of this person's data: the class permission in scope,
/// or the person's own record where the class allows it.
pub fn may_reveal(actor: &Actor, subject: &Subject, class: SensitiveClass) -> bool {
    (subject.own && class.own_record_readable()) || actor.scope(class.permission()).contains(&subject.org_path)
}

/// Opens person `id`'s profile: 404 (audited) outside the read scope, as for any record.
pub async fn open(state: &AppState, actor: &Actor, id: i32) -> AppResult<Profile> {
    let heading = crate::people::service::heading(state, actor, id).await?;
    let mut sections = Vec::new();
    let mut revealable = Vec::new();
    for module in crate::app::modules() {
        let Some(part) = &module.profile else { continue };
        let started = std::time::Instant::now();
        sections.extend((part.sections)(state, actor, &heading.subject).await?);
        // Which module makes a profile slow, visible with RUST_LOG=dangjian::profile=debug.
        tracing::debug!(module = module.name, took_ms = started.elapsed().as_secs_f64() * 1000.0, "sections");
        revealable.extend(part.fields.iter().filter(|f| may_reveal(actor, &heading.subject, f.class)).copied());
    }
    Ok(Profile { heading, sections, revealable })
}

/// One revealed value.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "查看到的一个敏感字段的完整值")]
pub struct Revealed {
    #[schema(value_type = String, example = "id_number")]
    pub field: &'static str,
    #[schema(value_type = String, example = "身份证号")]
    pub label: &'static str,
    pub class: SensitiveClass,
    pub value: String,
}

/// Every sensitive field a profile can show, with the index of the module that shows it.
fn known_fields(modules: &[Module]) -> Vec<(SensitiveField, usize)> {
    modules
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.profile.as_ref().map(|p| (i, p.fields)))
        .flat_map(|(i, fields)| fields.iter().map(move |f| (*f, i)))
        .collect()
}

/// Reveals `fields` of person `id`. Out of scope: 404 and an `access.denied` entry; without a
/// class permission: 403 naming it; an unknown field: 422. Allowed: one `sensitive.read` entry
/// naming the fields, then the values.
pub async fn reveal(state: &AppState, actor: &Actor, id: i32, fields: &[String]) -> AppResult<Vec<Revealed>> {
    if fields.len() > MAX_FIELDS {
        return Err(AppError::validation("fields", format!("一次最多查看 {MAX_FIELDS} 个字段")));
    }
    let modules = crate::app::modules();
    let known = known_fields(&modules);
    let mut wanted: Vec<(SensitiveField, usize)> = Vec::new();
    let mut seen = BTreeSet::new();
    for code in fields.iter().map(|f| f.trim()).filter(|f| !f.is_empty()) {
        let Some(found) = known.iter().find(|(f, _)| f.code == code) else {
            let list: Vec<String> = known.iter().map(|(f, _)| format!("{}（{}）", f.code, f.label)).collect();
            // Echo only what a field code can hold, never the caller's raw text.
            let shown: String = code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(40).collect();
            return Err(AppError::validation(
                "fields",
                format!("没有可查看的字段“{shown}”。可查看的字段：{}", list.join("、")),
            ));
        };
        if seen.insert(code.to_owned()) {
            wanted.push(*found);
        }
    }
    if wanted.is_empty() {
        return Err(AppError::validation("fields", "请指明要查看的字段"));
    }
    let heading = crate::people::service::heading(state, actor, id).await?;
    let subject = &heading.subject;
    let target = Target { kind: "person", id: i64::from(subject.id), org_path: &subject.org_path };
    let mut classes: Vec<SensitiveClass> = Vec::new();
    for (f, _) in &wanted {
        if !classes.contains(&f.class) {
            classes.push(f.class);
        }
    }
    for class in classes {
        if subject.own && class.own_record_readable() {
            continue;
        }
        guard::check(state, actor, class.permission(), Sensitivity::Normal, target).await?;
    }
    let codes: Vec<&'static str> = wanted.iter().map(|(f, _)| f.code).collect();
    let mut summary = json!({ "fields": codes });
    if subject.own {
        summary["self"] = json!(true);
    }
    let event = Event::by(actor, "sensitive.read").object("person", subject.id).org(subject.org_path.clone());
    audit::record_alone(&state.db, state.clock.as_ref(), event.summary(summary)).await?;

    let mut values = Vec::new();
    for (i, module) in modules.iter().enumerate() {
        let Some(part) = &module.profile else { continue };
        let mine: Vec<&'static str> = wanted.iter().filter(|(_, m)| *m == i).map(|(f, _)| f.code).collect();
        if !mine.is_empty() {
            values.extend((part.reveal)(state, subject, &mine).await?);
        }
    }
    Ok(wanted
        .iter()
        .map(|(f, _)| Revealed {
            field: f.code,
            label: f.label,
            class: f.class,
            value: values.iter().find(|(code, _)| *code == f.code).map(|(_, v)| v.clone()).unwrap_or_default(),
        })
        .collect())
}
