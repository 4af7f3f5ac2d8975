//! Uploaded files kept between an import's preview and its confirmation.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::parts::{self, Owner};

use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "import_uploads")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub kind: String,
        pub filename: String,
        pub created_by: i32,
        pub created_at: DateTime,
        pub committed_at: Option<DateTime>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An upload ready to be imported.
pub struct Upload {
    pub filename: String,
    pub content: Vec<u8>,
}

pub async fn save(state: &AppState, actor: &Actor, kind: &str, filename: &str, content: &[u8]) -> AppResult<i32> {
    purge_stale(state).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let row = entity::ActiveModel {
        kind: Set(kind.to_owned()),
        filename: Set(filename.chars().take(255).collect()),
        created_by: Set(actor.user_id),
        created_at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    parts::store(&txn, Owner::Upload, row.id, content).await?;
    txn.commit().await?;
    Ok(row.id)
}

/// An upload of `kind` that this actor made and has not committed yet.
pub async fn load(state: &AppState, actor: &Actor, kind: &str, id: i32) -> AppResult<Upload> {
    let row = entity::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    if row.created_by != actor.user_id || row.kind != kind {
        let event = crate::audit::Event::by(actor, "access.denied").object("upload", id);
        crate::audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
        return Err(AppError::NotFound);
    }
    if row.created_at < state.clock.now_db() - chrono::Duration::days(1) {
        return Err(AppError::conflict("file", "上传已超过一天，请重新上传并预览"));
    }
    if row.committed_at.is_some() {
        return Err(AppError::conflict("file", "该文件已经导入过，请勿重复提交"));
    }
    let content = parts::read(&state.db, Owner::Upload, id).await?;
    Ok(Upload { filename: row.filename, content })
}

/// Marks an upload as imported inside the import's transaction and drops its content (it holds
/// ID and phone numbers). Exactly one confirmation wins; a second one is a conflict.
pub async fn mark_committed<C: sea_orm::ConnectionTrait>(db: &C, id: i32, at: chrono::NaiveDateTime) -> AppResult<()> {
    use sea_orm::sea_query::Expr;
    let result = entity::Entity::update_many()
        .col_expr(entity::Column::CommittedAt, Expr::value(at))
        .filter(entity::Column::Id.eq(id))
        .filter(entity::Column::CommittedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Err(AppError::conflict("file", "该文件已经导入过，请勿重复提交"));
    }
    parts::remove(db, Owner::Upload, vec![id]).await?;
    Ok(())
}

/// Uploads never confirmed are dropped after a day: they hold personal data.
pub async fn purge_stale(state: &AppState) -> AppResult<()> {
    let cutoff = state.clock.now_db() - chrono::Duration::days(1);
    let stale = entity::Entity::find()
        .filter(entity::Column::CreatedAt.lt(cutoff))
        .filter(entity::Column::CommittedAt.is_null());
    parts::drop_owners(&state.db, Owner::Upload, stale, entity::Column::Id).await?;
    Ok(())
}
