//! Use cases of organizations, each checked against the actor's scope and audited.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{self as org, Column};
use super::{OrgKind, store};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission, Scope};
use crate::db::org_paths::{ChangeKind, OrgChange, OrgRef};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::PageParams;

/// What lists and the API show of an organization.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "党组织：`kind` 为党委、党总支、党支部、联合支部、党小组之一；`depth` 从 0（最高一级）算起；\
    `path` 是从根开始的编号链")]
pub struct OrgView {
    pub id: i32,
    pub parent_id: Option<i32>,
    pub name: String,
    pub kind: String,
    pub unit_name: Option<String>,
    pub depth: i32,
    pub path: String,
}

impl From<org::Model> for OrgView {
    fn from(o: org::Model) -> Self {
        Self {
            id: o.id,
            parent_id: o.parent_id,
            name: o.name,
            kind: o.kind,
            unit_name: o.unit_name,
            depth: o.depth,
            path: o.path,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct OrgFilter {
    /// Part of the name or of the served unit.
    pub q: String,
    pub kind: String,
    /// Only this organization and its subtree.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub under: Option<i32>,
}

/// Organizations are not personal data: reads are checked but not audited.
async fn authorize_org(state: &AppState, actor: &Actor, perm: Permission, o: &org::Model) -> AppResult<()> {
    let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
    guard::check(state, actor, perm, Sensitivity::Normal, target).await
}

/// The answer to a form's organization id that names no live organization: for an actor who
/// reads every tree, a mistake in `field`; for anyone else 404, as for an organization outside
/// the scope, so that the answer does not tell which ids exist beyond it.
pub async fn missing(state: &AppState, actor: &Actor, field: &'static str, message: &'static str) -> AppError {
    let scope = actor.scope(Permission::OrgRead);
    let sees_all = match &scope {
        Scope::All => true,
        Scope::Nothing => false,
        Scope::Subtrees(_) => {
            let roots = org::Entity::find().filter(Column::ParentId.is_null()).all(&state.db).await;
            roots.is_ok_and(|roots| roots.iter().all(|r| scope.contains(&r.path)))
        }
    };
    if sees_all { AppError::validation(field, message) } else { AppError::NotFound }
}

async fn find_live(state: &AppState, id: i32) -> AppResult<org::Model> {
    store::find(&state.db, id).await?.filter(|o| o.dissolved_at.is_none()).ok_or(AppError::NotFound)
}

fn filtered(
    state: &AppState,
    actor: &Actor,
    filter: &OrgFilter,
    under_path: Option<&str>,
) -> sea_orm::Select<org::Entity> {
    let mut q = org::Entity::find()
        .filter(store::in_scope(Column::Path, &actor.scope(Permission::OrgRead)))
        .filter(Column::DissolvedAt.is_null());
    if let Some(path) = under_path {
        q = q.filter(store::subtree(Column::Path, path));
    }
    let text = filter.q.trim();
    if !text.is_empty() {
        let backend = state.db.get_database_backend();
        q = q.filter(
            sea_orm::Condition::any().add(store::containing(backend, Column::Name, text)).add(store::containing(
                backend,
                Column::UnitName,
                text,
            )),
        );
    }
    if let Some(kind) = OrgKind::parse(&filter.kind) {
        q = q.filter(Column::Kind.eq(kind.as_str()));
    }
    q.order_by_asc(Column::Path)
}

async fn under_path(state: &AppState, actor: &Actor, filter: &OrgFilter) -> AppResult<Option<String>> {
    match filter.under {
        Some(id) => {
            let o = find_live(state, id).await?;
            authorize_org(state, actor, Permission::OrgRead, &o).await?;
            Ok(Some(o.path))
        }
        None => Ok(None),
    }
}

/// One page of the organizations in scope, in tree order.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &OrgFilter,
    page: PageParams,
) -> AppResult<(Vec<OrgView>, u64)> {
    actor.require(Permission::OrgRead)?;
    let page = page.normalized();
    let under = under_path(state, actor, filter).await?;
    let query = filtered(state, actor, filter, under.as_deref());
    let total = query.clone().count(&state.db).await?;
    let rows = query.offset(page.offset()).limit(page.page_size).all(&state.db).await?;
    Ok((rows.into_iter().map(OrgView::from).collect(), total))
}

/// Every organization matching the filter (for the Excel export of what the list shows).
pub async fn list_all(state: &AppState, actor: &Actor, filter: &OrgFilter) -> AppResult<Vec<OrgView>> {
    actor.require(Permission::OrgRead)?;
    let under = under_path(state, actor, filter).await?;
    let rows = filtered(state, actor, filter, under.as_deref()).all(&state.db).await?;
    Ok(rows.into_iter().map(OrgView::from).collect())
}

/// `(id, "indented name")` of every organization in the actor's read scope, for pickers.
pub async fn all_for_select(state: &AppState, actor: &Actor) -> AppResult<Vec<(i32, String)>> {
    let rows = filtered(state, actor, &OrgFilter::default(), None).all(&state.db).await?;
    Ok(rows.into_iter().map(|o| (o.id, format!("{}{}", "　".repeat(o.depth as usize), o.name))).collect())
}

/// Pickers for organizations where the actor holds `perm` (e.g. where people may be registered).
pub async fn options_for(state: &AppState, actor: &Actor, perm: Permission) -> AppResult<Vec<(i32, String)>> {
    let rows = org::Entity::find()
        .filter(store::in_scope(Column::Path, &actor.scope(perm)))
        .filter(Column::DissolvedAt.is_null())
        .order_by_asc(Column::Path)
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(|o| (o.id, format!("{}{}", "　".repeat(o.depth as usize), o.name))).collect())
}

/// A picker that shows one level of the tree at a time: the way down to `selected` and its
/// children, or the top of the actor's scope and its children. A city bureau has well over a
/// thousand organizations; one select holding them all is slow to send and to use.
pub async fn drill_options(
    state: &AppState,
    actor: &Actor,
    perm: Permission,
    selected: Option<i32>,
) -> AppResult<Vec<(i32, String)>> {
    let scope = actor.scope(perm);
    let current = match selected {
        Some(id) => store::find(&state.db, id).await?.filter(|o| scope.contains(&o.path)),
        None => None,
    };
    let mut shown: Vec<org::Model> = match (&current, &scope) {
        (Some(o), _) => {
            let on_path: Vec<i32> = o.path.split('/').filter_map(|s| s.parse().ok()).collect();
            org::Entity::find().filter(Column::Id.is_in(on_path)).all(&state.db).await?
        }
        (None, Scope::All) => org::Entity::find().filter(Column::ParentId.is_null()).all(&state.db).await?,
        (None, Scope::Subtrees(paths)) => {
            org::Entity::find().filter(Column::Path.is_in(paths.iter().cloned())).all(&state.db).await?
        }
        (None, Scope::Nothing) => Vec::new(),
    };
    shown.retain(|o| scope.contains(&o.path) && o.dissolved_at.is_none());
    let parents: Vec<i32> = match &current {
        Some(o) => vec![o.id],
        None => shown.iter().map(|o| o.id).collect(),
    };
    if !parents.is_empty() {
        let children = org::Entity::find()
            .filter(Column::ParentId.is_in(parents))
            .filter(Column::DissolvedAt.is_null())
            .all(&state.db)
            .await?;
        shown.extend(children);
    }
    shown.sort_by(|a, b| a.path.cmp(&b.path));
    shown.dedup_by_key(|o| o.id);
    let top = shown.iter().map(|o| o.depth).min().unwrap_or(0);
    Ok(shown.into_iter().map(|o| (o.id, format!("{}{}", "　".repeat((o.depth - top) as usize), o.name))).collect())
}

/// Organizations the actor may write in, as possible parents for `kind` (for create and move).
/// `exclude` drops a subtree (an organization cannot move under itself).
pub async fn parent_options(
    state: &AppState,
    actor: &Actor,
    kind: Option<OrgKind>,
    exclude: Option<&str>,
) -> AppResult<Vec<(i32, String)>> {
    let rows = org::Entity::find()
        .filter(store::in_scope(Column::Path, &actor.scope(Permission::OrgWrite)))
        .filter(Column::DissolvedAt.is_null())
        .order_by_asc(Column::Path)
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|o| kind.is_none_or(|k| k.may_be_under(OrgKind::parse(&o.kind))))
        .filter(|o| exclude.is_none_or(|ex| !o.path.starts_with(ex)))
        .map(|o| (o.id, format!("{}{}（{}）", "　".repeat(o.depth as usize), o.name, o.kind)))
        .collect())
}

/// What the tree knows of an organization the actor may read: itself, its ancestors (those
/// outside the read scope with id 0), its live children and whether the actor may change it.
/// The organization page (`orgpage`) adds what the other domains know.
pub struct Overview {
    pub model: org::Model,
    pub org: OrgView,
    pub ancestors: Vec<OrgView>,
    pub children: Vec<OrgView>,
    pub can_write: bool,
}

pub async fn overview(state: &AppState, actor: &Actor, id: i32) -> AppResult<Overview> {
    actor.require(Permission::OrgRead)?;
    let o = find_live(state, id).await?;
    authorize_org(state, actor, Permission::OrgRead, &o).await?;
    let ancestors = store::ancestors(&state.db, &o.path).await?;
    let read_scope = actor.scope(Permission::OrgRead);
    let children = store::children(&state.db, o.id).await?;
    let can_write = actor.scope(Permission::OrgWrite).contains(&o.path);
    Ok(Overview {
        // Ancestors outside the scope are shown by name only in the breadcrumb: still no ids.
        ancestors: ancestors
            .into_iter()
            .map(|a| {
                let visible = read_scope.contains(&a.path);
                let mut view = OrgView::from(a);
                if !visible {
                    view.id = 0;
                }
                view
            })
            .collect(),
        children: children.into_iter().map(OrgView::from).collect(),
        org: OrgView::from(o.clone()),
        model: o,
        can_write,
    })
}

/// A live organization the actor may read (`OrgRead` in scope): 403 without the permission,
/// 404 (audited) outside the scope. For other domains' reads of what they keep on an
/// organization (a group's members) that need not the whole [`overview`].
pub async fn readable(state: &AppState, actor: &Actor, id: i32) -> AppResult<org::Model> {
    actor.require(Permission::OrgRead)?;
    let o = find_live(state, id).await?;
    authorize_org(state, actor, Permission::OrgRead, &o).await?;
    Ok(o)
}

/// A live organization the actor may change (`OrgWrite` in scope): 403 without the permission,
/// 404 (audited) outside the scope. Other domains' changes on an organization (its committee)
/// check with it too.
pub async fn writable(state: &AppState, actor: &Actor, id: i32) -> AppResult<org::Model> {
    actor.require(Permission::OrgWrite)?;
    let o = find_live(state, id).await?;
    authorize_org(state, actor, Permission::OrgWrite, &o).await?;
    Ok(o)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "新建党组织：名称 1–100 字；类型须能设在上级之下（党委在党委之下或为最高一级，党总支在党委之下，\
        党支部、联合支部在党委或党总支之下，党小组在党支部或联合支部之下）；所在单位可省略，不超过 100 字"
)]
pub struct OrgInput {
    #[schema(required = true, schema_with = name_schema, example = "人民路派出所党总支")]
    pub name: String,
    #[schema(required = true, schema_with = kind_schema, example = "党总支")]
    pub kind: String,
    #[schema(required = true, value_type = i32, minimum = 1, example = 6)]
    pub parent_id: Option<i32>,
    #[schema(schema_with = unit_schema, example = "人民路派出所")]
    pub unit_name: String,
}

fn name_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::line(100, true)
}

fn unit_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::line(100, false)
}

fn kind_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    let kinds: Vec<&str> = crate::orgs::OrgKind::ALL.iter().map(|k| k.as_str()).collect();
    crate::openapi::schema::one_of(&kinds, false)
}

fn clean_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::validation("name", "请填写党组织名称"));
    }
    if name.chars().count() > 100 {
        return Err(AppError::validation("name", "党组织名称不能超过 100 个字"));
    }
    crate::text::line("name", "党组织名称", name)?;
    Ok(name.to_owned())
}

fn clean_unit(unit: &str) -> AppResult<Option<String>> {
    let unit = unit.trim();
    if unit.chars().count() > 100 {
        return Err(AppError::validation("unit_name", "所在单位名称不能超过 100 个字"));
    }
    crate::text::line("unit_name", "所在单位名称", unit)?;
    Ok((!unit.is_empty()).then(|| unit.to_owned()))
}

/// Creates an organization under a parent in the actor's write scope. A root (no parent) is
/// created only from the command line or the demo generator.
pub async fn create(state: &AppState, actor: &Actor, input: OrgInput) -> AppResult<OrgView> {
    actor.require(Permission::OrgWrite)?;
    let name = clean_name(&input.name)?;
    let kind = OrgKind::parse(&input.kind).ok_or_else(|| AppError::validation("kind", "请选择党组织类型"))?;
    let unit_name = clean_unit(&input.unit_name)?;
    let parent = match input.parent_id {
        Some(id) => {
            let Some(p) = store::find(&state.db, id).await?.filter(|p| p.dissolved_at.is_none()) else {
                return Err(missing(state, actor, "parent_id", "上级党组织不存在").await);
            };
            if !actor.scope(Permission::OrgWrite).contains(&p.path) {
                authorize_org(state, actor, Permission::OrgRead, &p).await?;
                return Err(AppError::validation("parent_id", "您无权在该党组织下建立下级组织"));
            }
            Some(p)
        }
        // Only an actor whose write scope covers every tree may start a new one.
        None if actor.scope(Permission::OrgWrite).contains("/") => None,
        None => return Err(AppError::validation("parent_id", "请选择上级党组织")),
    };
    let parent_kind = parent.as_ref().and_then(|p| OrgKind::parse(&p.kind));
    if !kind.may_be_under(parent_kind) {
        let under = parent_kind.map_or("最高一级".to_owned(), |k| format!("{}之下", k.as_str()));
        return Err(AppError::validation("kind", format!("{}不能设在{}", kind.as_str(), under)));
    }
    let parent_id = parent.as_ref().map(|p| p.id);
    let txn = crate::db::begin_write(&state.db).await?;
    let created = create_in(&txn, state, parent.as_ref(), &name, kind, unit_name).await?;
    let event = Event::by(actor, "org.create")
        .object("org", created.id)
        .org(created.path.clone())
        .summary(json!({"name": created.name, "kind": created.kind, "parent_id": parent_id}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(OrgView::from(created))
}

/// Inserts an organization under `parent` (checked by the caller: scope, kind, clean name) in
/// `txn`, refusing a live sibling of the same name. Not audited: the caller's event says why.
pub async fn create_in(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    parent: Option<&org::Model>,
    name: &str,
    kind: OrgKind,
    unit_name: Option<String>,
) -> AppResult<org::Model> {
    let parent_id = parent.map(|p| p.id);
    if store::sibling_named(txn, parent_id, name, None).await? {
        return Err(AppError::conflict("name", "同一上级下已有同名党组织"));
    }
    let now = state.clock.now_db();
    let inserted = org::ActiveModel {
        parent_id: Set(parent_id),
        // Provisional path; the real one needs the new id.
        path: Set(format!("/tmp-{}/", crate::auth::session::random_token())),
        depth: Set(parent.map_or(0, |p| p.depth + 1)),
        name: Set(name.to_owned()),
        kind: Set(kind.as_str().to_owned()),
        unit_name: Set(unit_name),
        sort_order: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let path = format!("{}{}/", parent.map_or("/", |p| p.path.as_str()), inserted.id);
    let mut active: org::ActiveModel = inserted.into();
    active.path = Set(path);
    Ok(active.update(txn).await?)
}

/// Renames an organization or changes the unit it serves.
pub async fn rename(state: &AppState, actor: &Actor, id: i32, name: &str, unit_name: &str) -> AppResult<OrgView> {
    update(
        state,
        actor,
        id,
        OrgPatch { name: Some(name.to_owned()), unit_name: Some(unit_name.to_owned()), parent_id: None },
    )
    .await
}

/// Moves an organization with its whole subtree (and the people in it) under a new parent.
pub async fn move_to(state: &AppState, actor: &Actor, id: i32, new_parent_id: i32) -> AppResult<OrgView> {
    update(state, actor, id, OrgPatch { name: None, unit_name: None, parent_id: Some(new_parent_id) }).await
}

/// A change of name, unit or parent; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "更名、调整隶属：字段都可省略，只改给出的；`unit_name` 给空字符串表示清空；不认识的字段 400")]
pub struct OrgPatch {
    #[schema(schema_with = name_schema)]
    pub name: Option<String>,
    #[schema(schema_with = unit_schema)]
    pub unit_name: Option<String>,
    #[schema(minimum = 1)]
    pub parent_id: Option<i32>,
}

/// Applies a patch in one transaction: either everything changes or nothing does.
pub async fn update(state: &AppState, actor: &Actor, id: i32, patch: OrgPatch) -> AppResult<OrgView> {
    actor.require(Permission::OrgWrite)?;
    let o = find_live(state, id).await?;
    authorize_org(state, actor, Permission::OrgWrite, &o).await?;
    let new_parent = match patch.parent_id {
        Some(pid) => Some(check_new_parent(state, actor, &o, pid).await?),
        None => None,
    };
    let txn = crate::db::begin_write(&state.db).await?;
    if patch.name.is_some() || patch.unit_name.is_some() {
        let name = clean_name(patch.name.as_deref().unwrap_or(&o.name))?;
        let unit_name = match &patch.unit_name {
            Some(u) => clean_unit(u)?,
            None => o.unit_name.clone(),
        };
        rename_in(&txn, state, actor, &o, name, unit_name).await?;
    }
    if let Some(parent) = new_parent {
        // Moves are serialized and re-checked on fresh rows, so two crossing moves (A under B,
        // B under A) cannot both pass and make a cycle.
        crate::db::serialize_writes(&txn).await?;
        let current = store::find(&txn, id).await?.ok_or(AppError::NotFound)?;
        let parent = store::find(&txn, parent.id).await?.ok_or(AppError::NotFound)?;
        if parent.path.starts_with(&current.path) {
            return Err(AppError::validation("parent_id", "不能移到自身或自身的下级组织之下"));
        }
        move_in(&txn, state, actor, &current, &parent).await?;
    }
    txn.commit().await?;
    let updated = store::find(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok(OrgView::from(updated))
}

async fn rename_in(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    o: &org::Model,
    name: String,
    unit_name: Option<String>,
) -> AppResult<()> {
    if store::sibling_named(txn, o.parent_id, &name, Some(o.id)).await? {
        return Err(AppError::conflict("name", "同一上级下已有同名党组织"));
    }
    let before = json!({"name": o.name, "unit_name": o.unit_name});
    let mut active: org::ActiveModel = o.clone().into();
    active.name = Set(name);
    active.unit_name = Set(unit_name);
    active.updated_at = Set(state.clock.now_db());
    let updated = active.update(txn).await?;
    let event = Event::by(actor, "org.rename")
        .object("org", updated.id)
        .org(updated.path.clone())
        .summary(json!({"before": before, "after": {"name": updated.name, "unit_name": updated.unit_name}}));
    audit::record(txn, state.clock.as_ref(), event).await?;
    Ok(())
}

async fn check_new_parent(
    state: &AppState,
    actor: &Actor,
    o: &org::Model,
    new_parent_id: i32,
) -> AppResult<org::Model> {
    let Some(parent) = store::find(&state.db, new_parent_id).await?.filter(|p| p.dissolved_at.is_none()) else {
        return Err(missing(state, actor, "parent_id", "新的上级党组织不存在").await);
    };
    if !actor.scope(Permission::OrgWrite).contains(&parent.path) {
        authorize_org(state, actor, Permission::OrgRead, &parent).await?;
        return Err(AppError::validation("parent_id", "您无权把党组织移到该上级之下"));
    }
    if parent.path.starts_with(&o.path) {
        return Err(AppError::validation("parent_id", "不能移到自身或自身的下级组织之下"));
    }
    if o.parent_id == Some(parent.id) {
        return Err(AppError::validation("parent_id", "已经在该上级党组织之下"));
    }
    let kind =
        OrgKind::parse(&o.kind).ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown org kind {}", o.kind)))?;
    if !kind.may_be_under(OrgKind::parse(&parent.kind)) {
        return Err(AppError::validation("parent_id", format!("{}不能设在{}之下", kind.as_str(), parent.kind)));
    }
    Ok(parent)
}

async fn move_in(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    o: &org::Model,
    parent: &org::Model,
) -> AppResult<()> {
    let old_path = o.path.clone();
    let new_path = format!("{}{}/", parent.path, o.id);
    let depth_delta = parent.depth + 1 - o.depth;
    if store::sibling_named(txn, Some(parent.id), &o.name, Some(o.id)).await? {
        return Err(AppError::conflict("parent_id", "新的上级下已有同名党组织"));
    }
    let now = state.clock.now_db();
    let moved = store::move_subtree(txn, &old_path, &new_path, depth_delta).await?;
    org::Entity::update_many()
        .col_expr(Column::ParentId, Expr::value(parent.id))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(o.id))
        .exec(txn)
        .await?;
    // Every table that keeps a copy of the path (people, memberships, transfers, ...) follows,
    // one statement per column, whichever domain it belongs to.
    let change = OrgChange {
        kind: ChangeKind::Moved {
            org: OrgRef { id: o.id, path: old_path.clone(), name: o.name.clone() },
            new_path: new_path.clone(),
        },
        at: now,
        actor_id: (actor.user_id > 0).then_some(actor.user_id),
        actor_name: actor.username.clone(),
    };
    // Posts on committees above the old place that the new place is not under end now (the
    // moved organizations' own committees move along and stay): the domains that hold such
    // records react before their path columns are rewritten.
    let facts = super::dissolve::react(txn, state, actor, &change.kind).await?;
    crate::db::org_paths::apply(txn, &change).await?;
    let mut summary = json!({
        "from_parent": o.parent_id, "to_parent": parent.id,
        "old_path": old_path, "new_path": new_path, "orgs_moved": moved,
    });
    for (key, value) in facts {
        summary[key] = value;
    }
    let event = Event::by(actor, "org.move").object("org", o.id).org(new_path.clone()).summary(summary);
    audit::record(txn, state.clock.as_ref(), event).await?;
    Ok(())
}
