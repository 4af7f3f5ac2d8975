//! What the people domain plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, import_web, web};
use crate::auth::{Actor, Permission};
use crate::db::org_paths::ChangeKind;
use crate::error::AppResult;
use crate::module::{BoxFuture, Module, SchemaRule, TreeFacts, TreeRules};
use crate::state::AppState;
use crate::ui::NavEntry;
use crate::ui::blocks::Figure;

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[
            ("persons", "民辅警档案：查找、一人一档、建档、修改、删除、变更记录"),
            ("imports", "名册导入：上传 Excel 名册，先检查再导入"),
        ],
        nav: &[
            NavEntry {
                group: "组织建设",
                label: "民辅警档案",
                href: "/people",
                visible: |a| a.can(Permission::PersonRead),
            },
            NavEntry { group: "个人", label: "我的档案", href: "/people/me", visible: |a| a.person_id.is_some() },
        ],
        actions: &[
            ("person.create", "新建人员档案"),
            ("person.update", "修改人员档案"),
            ("person.delete", "删除人员档案"),
            ("person.import", "导入民辅警名册"),
            ("person.export", "导出民辅警名册"),
        ],
        permissions: &[Permission::PersonRead, Permission::PersonWrite, Permission::IdentityRead],
        figures: &[figures],
        org_path_columns: super::ORG_PATH_COLUMNS,
        org_hooks: &[super::on_org_change],
        profile: Some(super::profile::part()),
        tree: Some(TreeRules { check: Some(tree_check), react: None }),
        schema_rules: &[SchemaRule { schema: "PersonInput", all_of: person_rules }],
        ..Module::empty("people")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/people", get(web::list).post(web::create))
        .route("/people/new", get(web::new_form))
        .route("/people/me", get(web::me))
        .route("/people/export.xlsx", get(web::export))
        .route("/people/export/{id}", get(web::export_job))
        .route("/people/export/{id}/progress", get(web::export_progress))
        .route("/people/export/{id}/file", get(web::export_file))
        .route("/people/import", get(import_web::page).post(import_web::upload))
        .route("/people/import/template.xlsx", get(import_web::template))
        .route("/people/import/progress", get(import_web::progress))
        .route("/people/import/{id}/commit", post(import_web::confirm))
        .route("/people/{id}", post(web::update))
        .route("/people/{id}/edit", get(web::edit_form))
        .route("/people/{id}/delete", post(web::delete))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::update, api::delete))
        .routes(routes!(api::history))
        .routes(routes!(import_web::api))
}

/// What `people::validate` requires across fields: a 民警 has a police number; a person not
/// in service (在职) has the date the status changed; only a 辅警 can have had the contract
/// ended or been returned to the agency.
fn person_rules() -> serde_json::Value {
    serde_json::json!([
        {"anyOf": [
            {"properties": {"kind": {"enum": super::PersonKind::ALL.iter().filter(|k| **k != super::PersonKind::Police).map(|k| k.as_str()).collect::<Vec<_>>()}}},
            {"required": ["police_no"], "properties": {"police_no": {"pattern": "^[0-9]{4,12}$"}}}
        ]},
        {"anyOf": [
            {"properties": {"employment_status": {"const": super::EmploymentStatus::Serving.as_str()}}},
            {"required": ["status_since"], "properties": {"status_since": {"format": "date", "minLength": 10}}}
        ]},
        {"anyOf": [
            {"properties": {"employment_status": {"not": {"enum": [
                super::EmploymentStatus::ContractEnded.as_str(), super::EmploymentStatus::ReturnedToAgency.as_str()
            ]}}}},
            {"properties": {"kind": {"const": super::PersonKind::Auxiliary.as_str()}}}
        ]}
    ])
}

fn figures<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Figure>>> {
    Box::pin(async move {
        if !actor.can(Permission::PersonRead) {
            return Ok(Vec::new());
        }
        let people = super::count_in_scope(state, actor).await?;
        Ok(vec![Figure { label: "民辅警", value: people.to_string(), href: "/people".into() }])
    })
}

/// Before an organization is dissolved or merged: the people placed in it move with a merge
/// (`people_moved` for the audit entry); a plain dissolve is refused while it has any.
fn tree_check<'a>(state: &'a AppState, kind: &'a ChangeKind) -> BoxFuture<'a, AppResult<TreeFacts>> {
    Box::pin(async move {
        let (org, merged) = match kind {
            ChangeKind::Merged { from, .. } => (from, true),
            ChangeKind::Dissolved { org } => (org, false),
            ChangeKind::Moved { .. } => return Ok(Vec::new()),
        };
        let people = super::store::count_in_org(&state.db, org.id).await?;
        if !merged && people > 0 {
            return Err(crate::error::AppError::validation(
                "merge_into",
                format!("本组织还有 {people} 人，请选择合并到的党组织"),
            ));
        }
        Ok(vec![("people_moved", serde_json::json!(people))])
    })
}
