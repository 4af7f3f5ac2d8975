//! The one permission check every module uses before it returns or changes a record: declare
//! the permission, the record's organization and how sensitive it is. Out of scope answers 404
//! (as if it did not exist) and is audited; a sensitive read is audited when it is allowed.

use crate::audit::{self, Event};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// How much a record tells about a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sensitivity {
    /// Organization data, names, posts: no audit entry on read.
    Normal,
    /// Family, health, debts, risk flags, discipline, exit cases: every read is audited.
    Sensitive,
}

/// The record being touched: its kind, id and organization path.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub kind: &'static str,
    pub id: i64,
    pub org_path: &'a str,
}

/// Checks `perm` on `target` for `actor`. Without the permission at all: 403. Outside the
/// actor's scope: an `access.denied` audit entry and 404. A permitted sensitive read is
/// recorded as `sensitive.read`.
pub async fn check(
    state: &AppState,
    actor: &Actor,
    perm: Permission,
    sensitivity: Sensitivity,
    target: Target<'_>,
) -> AppResult<()> {
    match actor.authorize(perm, target.org_path) {
        Ok(()) => {
            if sensitivity == Sensitivity::Sensitive {
                let event = Event::by(actor, "sensitive.read").object(target.kind, target.id).org(target.org_path);
                audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
            }
            Ok(())
        }
        Err(AppError::NotFound) => {
            let event = Event::by(actor, "access.denied").object(target.kind, target.id).org(target.org_path);
            audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
            Err(AppError::NotFound)
        }
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sea_orm::{EntityTrait, QueryOrder};

    use super::*;
    use crate::auth::{ActiveGrant, AuthMethod, Role};
    use crate::config::{Config, DatabaseUrl};

    async fn state() -> AppState {
        let mut config = Config::default();
        config.database.url = DatabaseUrl("sqlite::memory:".into());
        config.database.max_connections = 1;
        let db = crate::db::connect(&config.database).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        AppState::new(db, config, Arc::new(crate::clock::SystemClock))
    }

    fn actor(role: Role, path: &str) -> Actor {
        Actor {
            user_id: 7,
            username: "t".into(),
            display_name: "t".into(),
            person_id: None,
            must_change_password: false,
            grants: vec![ActiveGrant { id: 1, role, org_id: 4, org_path: path.into(), org_name: String::new() }],
            method: AuthMethod::Token { token_id: 1 },
            ip: "10.0.0.1".into(),
        }
    }

    async fn last_action(state: &AppState) -> Option<String> {
        crate::audit::entity::log::Entity::find()
            .order_by_desc(crate::audit::entity::log::Column::Seq)
            .one(&state.db)
            .await
            .unwrap()
            .map(|r| r.action)
    }

    #[tokio::test]
    async fn sensitive_reads_and_refusals_are_audited() {
        let state = state().await;
        let secretary = actor(Role::Secretary, "/1/4/");
        let inside = Target { kind: "person", id: 5, org_path: "/1/4/9/" };
        let outside = Target { kind: "person", id: 6, org_path: "/1/5/" };

        check(&state, &secretary, Permission::PersonRead, Sensitivity::Normal, inside).await.unwrap();
        assert_eq!(last_action(&state).await, None, "normal reads leave no trace");
        check(&state, &secretary, Permission::IdentityRead, Sensitivity::Sensitive, inside).await.unwrap();
        assert_eq!(last_action(&state).await.as_deref(), Some("sensitive.read"));
        let refused = check(&state, &secretary, Permission::IdentityRead, Sensitivity::Sensitive, outside).await;
        assert!(matches!(refused, Err(AppError::NotFound)));
        assert_eq!(last_action(&state).await.as_deref(), Some("access.denied"));

        let leader = actor(Role::Leader, "/1/");
        let refused = check(&state, &leader, Permission::IdentityRead, Sensitivity::Sensitive, inside).await;
        assert!(matches!(refused, Err(AppError::Forbidden(_))), "leaders see aggregates, not sensitive details");
        assert!(crate::audit::verify(&state.db).await.unwrap().problems.is_empty());
    }
}
