//! Roles, permissions, scope and the three-officer separation.

use super::*;

fn actor(grants: &[(Role, &str)]) -> Actor {
    Actor {
        user_id: 1,
        username: "t".into(),
        display_name: "t".into(),
        person_id: None,
        must_change_password: false,
        grants: grants
            .iter()
            .enumerate()
            .map(|(i, (role, path))| ActiveGrant {
                id: i as i32,
                role: *role,
                org_id: 1,
                org_path: (*path).into(),
                org_name: String::new(),
            })
            .collect(),
        method: AuthMethod::Token { token_id: 1 },
        ip: "127.0.0.1".into(),
    }
}

#[test]
fn secretary_scope_is_own_subtree() {
    let a = actor(&[(Role::Secretary, "/1/4/9/")]);
    assert!(a.authorize(Permission::OrgRead, "/1/4/9/").is_ok());
    assert!(a.authorize(Permission::OrgRead, "/1/4/9/12/").is_ok());
    assert!(matches!(a.authorize(Permission::OrgRead, "/1/4/10/"), Err(AppError::NotFound)));
    assert!(matches!(a.authorize(Permission::OrgRead, "/1/4/"), Err(AppError::NotFound)));
    assert!(matches!(a.authorize(Permission::OrgWrite, "/1/4/9/"), Err(AppError::Forbidden(_))));
}

#[test]
fn grants_combine_and_nested_collapse() {
    let a = actor(&[(Role::Secretary, "/1/4/9/"), (Role::Leader, "/1/4/"), (Role::Secretary, "/1/7/")]);
    assert_eq!(a.scope(Permission::OrgRead), Scope::Subtrees(vec!["/1/4/".into(), "/1/7/".into()]));
    assert_eq!(a.scope(Permission::IdentityRead), Scope::Subtrees(vec!["/1/4/9/".into(), "/1/7/".into()]));
    assert_eq!(a.scope(Permission::AuditRead), Scope::Nothing);
}

#[test]
fn root_grant_and_officers_see_all() {
    assert_eq!(actor(&[(Role::PartyAdmin, "/1/")]).scope(Permission::OrgRead), Scope::Subtrees(vec!["/1/".into()]));
    assert_eq!(actor(&[(Role::Auditor, "/1/")]).scope(Permission::AuditRead), Scope::All);
}

#[test]
fn sysadmin_cannot_read_people_or_audit() {
    let a = actor(&[(Role::Sysadmin, "/1/")]);
    assert!(a.require(Permission::PersonRead).is_err());
    for class in SensitiveClass::ALL {
        assert!(a.require(class.permission()).is_err());
    }
    assert!(a.require(Permission::AuditRead).is_err());
    let auditor = actor(&[(Role::Auditor, "/1/")]);
    assert!(auditor.require(Permission::OrgRead).is_err());
    assert!(auditor.require(Permission::AuditRead).is_ok());
}

#[test]
fn sensitive_access_comes_from_grants_or_the_own_record() {
    assert!(SensitiveClass::ALL.iter().all(|c| c.permission().is_sensitive()));
    assert!(!Permission::PersonRead.is_sensitive());
    let sensitive: Vec<Role> = Role::ALL.into_iter().filter(|r| r.reads_sensitive()).collect();
    assert_eq!(sensitive, [Role::PartyAdmin, Role::Discipline, Role::Secretary]);
    assert!(!has_sensitive_access([Role::Sysadmin, Role::Leader], false));
    assert!(has_sensitive_access([Role::Leader, Role::Discipline], false));
    assert!(has_sensitive_access([], true), "the own profile shows the full ID number");
    assert!(actor(&[(Role::Secretary, "/1/4/9/")]).has_sensitive_access());
    assert!(!actor(&[(Role::Secadmin, "/1/")]).has_sensitive_access());
}

/// DESIGN.md §2: a secretary reads all three classes of their own members; a leader none
/// without an explicit grant; the system officers none; discipline what its work needs.
#[test]
fn sensitive_classes_follow_the_roles() {
    let classes = |role: Role| -> Vec<&str> {
        SensitiveClass::ALL.into_iter().filter(|c| role.has(c.permission())).map(SensitiveClass::as_str).collect()
    };
    assert_eq!(classes(Role::Secretary), ["identity", "family_care", "discipline_risk"]);
    assert_eq!(classes(Role::PartyAdmin), ["identity", "family_care", "discipline_risk"]);
    assert_eq!(classes(Role::Discipline), ["identity", "discipline_risk"]);
    for role in [Role::Leader, Role::Member, Role::Sysadmin, Role::Secadmin, Role::Auditor] {
        assert!(classes(role).is_empty(), "{role:?}");
    }
    assert_eq!(SensitiveClass::parse("family_care"), Some(SensitiveClass::FamilyCare));
    assert_eq!(SensitiveClass::parse("health"), None);
    let refused = actor(&[(Role::Leader, "/1/")]).require(Permission::IdentityRead).unwrap_err();
    assert!(
        refused.to_string().contains("身份与联系方式查阅") || format!("{refused:?}").contains("身份与联系方式查阅")
    );
}

#[test]
fn three_officer_separation() {
    assert!(check_separation(&[Role::Sysadmin], Role::Auditor).is_err());
    assert!(check_separation(&[Role::Sysadmin], Role::Secadmin).is_err());
    assert!(check_separation(&[Role::Secretary], Role::Auditor).is_err());
    assert!(check_separation(&[Role::Auditor], Role::Member).is_err());
    assert!(check_separation(&[Role::Secretary], Role::Leader).is_ok());
    assert!(check_separation(&[Role::Sysadmin], Role::Member).is_ok());
    // The officers read no sensitive personal data, whichever comes first.
    assert!(check_separation(&[Role::Sysadmin], Role::PartyAdmin).is_err());
    assert!(check_separation(&[Role::Secadmin], Role::Discipline).is_err());
    assert!(check_separation(&[Role::Secretary], Role::Sysadmin).is_err());
    assert!(check_separation(&[Role::Sysadmin], Role::Leader).is_ok());
}
