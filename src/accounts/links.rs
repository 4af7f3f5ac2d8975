//! Linking an account to its person record ("我的档案"): by police number or ID number typed
//! in, never by browsing the roster.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::json;

use super::{refuse_officer_target, require_account_admin};
use crate::audit::{self, Event};
use crate::auth::entity::{api_token, user};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::people::entity as person;
use crate::state::AppState;
use crate::{orgs, people};

/// The one input "警号或身份证号" of the linking forms; every error of linking names it.
pub const PERSON_REF_FIELD: &str = "person_ref";

/// How the account administrator names the person an account belongs to: by a number typed
/// in, never by browsing the roster, which the system administrator may not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonRef {
    /// 警号: 4–12 digits.
    PoliceNo(String),
    /// 身份证号: 18 characters with a valid check character.
    IdNumber(String),
}

fn ref_error(message: impl Into<String>) -> AppError {
    AppError::validation(PERSON_REF_FIELD, message)
}

/// A number as people type it: full-width digits and spaces undone, a lower-case x raised.
fn clean_number(raw: &str) -> String {
    crate::io::cells::half_width(raw).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase()
}

impl PersonRef {
    /// Reads the one form field: 18 characters are an ID number, anything else a police number.
    pub fn parse(raw: &str) -> AppResult<PersonRef> {
        let text = clean_number(raw);
        if text.is_empty() {
            return Err(ref_error("请填写本人的警号或身份证号"));
        }
        if text.chars().count() == 18 {
            return Self::id_number(&text);
        }
        Self::police_no(&text).map_err(|_| ref_error("请填写 4–12 位数字的警号或 18 位身份证号"))
    }

    pub fn police_no(raw: &str) -> AppResult<PersonRef> {
        let no = clean_number(raw);
        if !(4..=12).contains(&no.len()) || !no.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ref_error("警号应为 4–12 位数字"));
        }
        Ok(PersonRef::PoliceNo(no))
    }

    pub fn id_number(raw: &str) -> AppResult<PersonRef> {
        let id = clean_number(raw);
        people::idcard::parse(&id).map_err(ref_error)?;
        Ok(PersonRef::IdNumber(id))
    }
}

/// All the account administrator learns of a linked person: who, and where in the bureau.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "账号关联的人员：编号、姓名和所在党组织；`deleted` 表示该档案已被删除")]
pub struct LinkedPerson {
    pub person_id: i32,
    pub name: String,
    /// The person's Party organization, or their work unit when they have none.
    pub org_name: String,
    /// The record was deleted after linking; "我的档案" no longer opens it.
    pub deleted: bool,
}

pub(super) async fn linked_of<C: ConnectionTrait>(db: &C, p: &person::Model) -> AppResult<LinkedPerson> {
    let org_name = match p.org_id {
        Some(id) => orgs::store::find(db, id).await?.map(|o| o.name),
        None => None,
    };
    Ok(LinkedPerson {
        person_id: p.id,
        name: p.name.clone(),
        org_name: org_name.or_else(|| p.unit.clone()).unwrap_or_default(),
        deleted: p.deleted_at.is_some(),
    })
}

/// The live person `r` names, refused when there is none or when another account than
/// `account_id` already has them (one person, one account: the link opens their profile).
pub(super) async fn person_to_link<C: ConnectionTrait>(
    db: &C,
    r: &PersonRef,
    account_id: Option<i32>,
) -> AppResult<person::Model> {
    let (mut found, what) = match r {
        PersonRef::PoliceNo(no) => (people::store::live_with_police_no(db, no, 2).await?, format!("警号 {no} ")),
        // Not echoed: messages reach logs and screenshots, and the form keeps what was typed.
        PersonRef::IdNumber(id) => (people::store::live_with_id_number(db, id, 2).await?, "该身份证号".to_owned()),
    };
    if found.len() > 1 {
        return Err(ref_error(format!("{what}对应多条人员档案，请改填身份证号")));
    }
    let p = found.pop().ok_or_else(|| ref_error(format!("没有找到{what}对应的在册人员档案")))?;
    let mut holders = user::Entity::find().filter(user::Column::PersonId.eq(p.id));
    if let Some(id) = account_id {
        holders = holders.filter(user::Column::Id.ne(id));
    }
    if let Some(other) = holders.one(db).await? {
        return Err(AppError::conflict(
            PERSON_REF_FIELD,
            format!("{}的档案已关联账号 {}；一人只能关联一个账号，请先解除该账号的关联", p.name, other.username),
        ));
    }
    Ok(p)
}

pub(super) fn link_event(
    actor: &Actor,
    action: &'static str,
    user_id: i32,
    summary: serde_json::Value,
    p: &person::Model,
) -> Event {
    let event = Event::by(actor, action).object("user", user_id).summary(summary);
    match &p.org_path {
        Some(path) => event.org(path.clone()),
        None => event,
    }
}

/// The person an account is linked to, for the account page.
pub async fn linked_person(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<Option<LinkedPerson>> {
    require_account_admin(actor)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let Some(person_id) = u.person_id else { return Ok(None) };
    match people::store::find(&state.db, person_id).await? {
        Some(p) => Ok(Some(linked_of(&state.db, &p).await?)),
        None => Ok(None),
    }
}

/// Links an account to its person record, which opens "我的档案" to it: the own profile with
/// the full ID and phone numbers. That is access to sensitive data, so it is the security
/// administrator's decision (`GrantManage`), not the system administrator's: the one who creates
/// accounts and knows their initial passwords must not also be able to point one at anybody's
/// record and read it. Officer accounts are linked from the command line only.
/// A link to another person is replaced. API tokens of the account are revoked, because tokens
/// are only for accounts that read no sensitive data (see [`super::tokens::create_token`]).
pub async fn link_person(state: &AppState, actor: &Actor, user_id: i32, person: &PersonRef) -> AppResult<LinkedPerson> {
    actor.require(Permission::GrantManage)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    refuse_officer_target(state, actor, user_id).await?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let p = person_to_link(&txn, person, Some(user_id)).await?;
    let linked = linked_of(&txn, &p).await?;
    if u.person_id == Some(p.id) {
        return Ok(linked);
    }
    let summary = json!({
        "username": u.username, "person_id": p.id, "name": p.name, "previous_person_id": u.person_id,
    });
    let mut active: user::ActiveModel = u.into();
    active.person_id = Set(Some(p.id));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let revoked = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    let mut summary = summary;
    if revoked > 0 {
        summary["tokens_revoked"] = json!(revoked);
    }
    audit::record(&txn, state.clock.as_ref(), link_event(actor, "user.link", user_id, summary, &p)).await?;
    txn.commit().await?;
    Ok(linked)
}

/// Ends the link of an account to its person record; "我的档案" closes at the next request.
pub async fn unlink_person(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<()> {
    actor.require(Permission::GrantManage)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    refuse_officer_target(state, actor, user_id).await?;
    let Some(person_id) = u.person_id else {
        return Err(ref_error(format!("账号 {} 没有关联人员档案", u.username)));
    };
    let p = people::store::find(&state.db, person_id).await?;
    let summary = json!({
        "username": u.username, "person_id": person_id, "name": p.as_ref().map(|p| p.name.clone()),
    });
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: user::ActiveModel = u.into();
    active.person_id = Set(None);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let event = match &p {
        Some(p) => link_event(actor, "user.unlink", user_id, summary, p),
        None => Event::by(actor, "user.unlink").object("user", user_id).summary(summary),
    };
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_field_takes_a_police_number_or_an_id_number() {
        assert_eq!(PersonRef::parse(" ０１２３４５ ").unwrap(), PersonRef::PoliceNo("012345".into()));
        assert_eq!(PersonRef::parse("11010519491231002x").unwrap(), PersonRef::IdNumber("11010519491231002X".into()));
        let field_of = |raw: &str| match PersonRef::parse(raw) {
            Err(AppError::Validation { field, message }) => (field.unwrap_or_default(), message),
            other => panic!("{raw}: {other:?}"),
        };
        assert_eq!(field_of(""), (PERSON_REF_FIELD.to_owned(), "请填写本人的警号或身份证号".to_owned()));
        assert!(field_of("110105194912310021").1.contains("校验位"));
        assert!(field_of("12a45").1.contains("4–12 位数字的警号或 18 位身份证号"));
        assert!(field_of("123").1.contains("警号"));
        assert!(PersonRef::police_no("11010519491231002X").is_err(), "the command line says which one it is");
        assert!(PersonRef::id_number("012345").is_err());
    }
}
