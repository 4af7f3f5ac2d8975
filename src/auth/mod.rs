//! The core every domain uses: roles, permissions, the acting [`Actor`] and its scope, the
//! request's caller (`extract`, `lookup`, `session`), the record-level check (`guard`), and the
//! sessions use case (`sessions`: login, logout, own password, one-time codes). Every service
//! function takes the acting [`Actor`] and asks it, through [`Actor::authorize`] or
//! [`Actor::scope`], before it touches data. It imports no domain; account administration is
//! `crate::accounts`.

pub mod api;
pub mod codes;
pub mod csrf;
pub mod entity;
pub mod extract;
pub mod guard;
pub mod lockout;
pub mod lookup;
pub mod module;
pub mod password;
pub mod policy;
pub mod session;
pub mod sessions;
pub mod web;

use serde::Serialize;

use crate::error::{AppError, AppResult};

/// The roles of DESIGN.md §2. The first three are the separated system officers (三员分立).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(
    description = "角色代码：sysadmin 系统管理员、secadmin 安全保密管理员、auditor 安全审计员、party_admin 党务管理员、\
        discipline 纪检监察、secretary 书记/支委、leader 领导、member 党员/民辅警"
)]
pub enum Role {
    Sysadmin,
    Secadmin,
    Auditor,
    PartyAdmin,
    Discipline,
    Secretary,
    Leader,
    Member,
}

/// What a role may do. Modules declare the permission an operation needs; sensitive personal
/// data is read under one of the three class permissions ([`SensitiveClass`]), shown masked by
/// default and revealed, with an audit entry, only on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Create and maintain accounts and API tokens (sysadmin).
    UserManage,
    /// Give and take grants (secadmin).
    GrantManage,
    /// Password, lock-out and session policy (secadmin).
    PolicyManage,
    /// Read the audit log (auditor only).
    AuditRead,
    OrgRead,
    OrgWrite,
    PersonRead,
    PersonWrite,
    /// Identity and contact: ID number, full birth date, phone, address.
    IdentityRead,
    /// Family and care: family members, 五知, health, hardship.
    FamilyCareRead,
    /// Discipline and risk: sanctions, risk flags, exit cases.
    DisciplineRiskRead,
    /// Aggregate figures and dashboards.
    DashboardRead,
    /// Record and change sanctions and commitments (discipline domain: discipline, party_admin).
    DisciplineWrite,
    /// Maintain the bureau's dictionaries that hold no personal data, such as the 十必访
    /// situations (sysadmin, DESIGN.md §2).
    DictionaryManage,
}

impl Permission {
    /// Permissions that read sensitive personal data, one per [`SensitiveClass`]. An account
    /// holding any of them is a "sensitive account" (see [`has_sensitive_access`]).
    pub const SENSITIVE: [Permission; 3] =
        [Permission::IdentityRead, Permission::FamilyCareRead, Permission::DisciplineRiskRead];

    pub fn is_sensitive(self) -> bool {
        Self::SENSITIVE.contains(&self)
    }

    /// The Chinese name, as a refusal names what is missing.
    pub fn label(self) -> &'static str {
        match self {
            Permission::UserManage => "账号管理",
            Permission::GrantManage => "授权管理",
            Permission::PolicyManage => "安全策略管理",
            Permission::AuditRead => "审计日志查阅",
            Permission::OrgRead => "党组织查阅",
            Permission::OrgWrite => "党组织维护",
            Permission::PersonRead => "人员档案查阅",
            Permission::PersonWrite => "人员档案维护",
            Permission::IdentityRead => "身份与联系方式查阅",
            Permission::FamilyCareRead => "家庭与关爱信息查阅",
            Permission::DisciplineRiskRead => "纪律与风险信息查阅",
            Permission::DashboardRead => "统计与看板查阅",
            Permission::DisciplineWrite => "执纪问责记录维护",
            Permission::DictionaryManage => "字典维护",
        }
    }
}

/// The classes of sensitive personal data (DESIGN.md §5). Each is read under its own
/// permission, so that a role gets exactly the classes its work needs: a discipline inspector
/// the sanctions, not the family's health; a leader none without an explicit grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(description = "敏感信息类别：identity 身份与联系方式、family_care 家庭与关爱、discipline_risk 纪律与风险")]
pub enum SensitiveClass {
    Identity,
    FamilyCare,
    DisciplineRisk,
}

impl SensitiveClass {
    pub const ALL: [SensitiveClass; 3] =
        [SensitiveClass::Identity, SensitiveClass::FamilyCare, SensitiveClass::DisciplineRisk];

    pub fn as_str(self) -> &'static str {
        match self {
            SensitiveClass::Identity => "identity",
            SensitiveClass::FamilyCare => "family_care",
            SensitiveClass::DisciplineRisk => "discipline_risk",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            SensitiveClass::Identity => "身份与联系方式",
            SensitiveClass::FamilyCare => "家庭与关爱",
            SensitiveClass::DisciplineRisk => "纪律与风险",
        }
    }

    /// The permission that reads this class.
    pub fn permission(self) -> Permission {
        match self {
            SensitiveClass::Identity => Permission::IdentityRead,
            SensitiveClass::FamilyCare => Permission::FamilyCareRead,
            SensitiveClass::DisciplineRisk => Permission::DisciplineRiskRead,
        }
    }

    /// Whether a person may reveal this class of their own record: their identity and their
    /// family, yes; what discipline and risk screening hold about them, no (DESIGN.md §2: a
    /// member sees the non-sensitive parts of what is about them).
    pub fn own_record_readable(self) -> bool {
        !matches!(self, SensitiveClass::DisciplineRisk)
    }
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Sysadmin,
        Role::Secadmin,
        Role::Auditor,
        Role::PartyAdmin,
        Role::Discipline,
        Role::Secretary,
        Role::Leader,
        Role::Member,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Sysadmin => "sysadmin",
            Role::Secadmin => "secadmin",
            Role::Auditor => "auditor",
            Role::PartyAdmin => "party_admin",
            Role::Discipline => "discipline",
            Role::Secretary => "secretary",
            Role::Leader => "leader",
            Role::Member => "member",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Sysadmin => "系统管理员",
            Role::Secadmin => "安全保密管理员",
            Role::Auditor => "安全审计员",
            Role::PartyAdmin => "党务管理员",
            Role::Discipline => "纪检监察",
            Role::Secretary => "书记/支委",
            Role::Leader => "领导",
            Role::Member => "党员/民辅警",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The three system officers: their grants are bureau-wide and mutually exclusive.
    pub fn is_system_officer(self) -> bool {
        matches!(self, Role::Sysadmin | Role::Secadmin | Role::Auditor)
    }

    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Sysadmin => &[UserManage, OrgRead, DictionaryManage],
            Role::Secadmin => &[GrantManage, PolicyManage, OrgRead],
            Role::Auditor => &[AuditRead],
            Role::PartyAdmin => &[
                OrgRead,
                OrgWrite,
                PersonRead,
                PersonWrite,
                IdentityRead,
                FamilyCareRead,
                DisciplineRiskRead,
                DashboardRead,
                DisciplineWrite,
            ],
            // Sanctions, risk screening and exit cases, and who the person is; family and
            // health only through a party-admin or secretary grant.
            Role::Discipline => {
                &[OrgRead, PersonRead, IdentityRead, DisciplineRiskRead, DashboardRead, DisciplineWrite]
            }
            Role::Secretary => {
                &[OrgRead, PersonRead, PersonWrite, IdentityRead, FamilyCareRead, DisciplineRiskRead, DashboardRead]
            }
            Role::Leader => &[OrgRead, PersonRead, DashboardRead],
            Role::Member => &[],
        }
    }

    pub fn has(self, perm: Permission) -> bool {
        self.permissions().contains(&perm)
    }

    /// Whether the role carries any permission that reads sensitive personal data.
    pub fn reads_sensitive(self) -> bool {
        self.permissions().iter().any(|p| p.is_sensitive())
    }
}

/// Whether an account with these roles, linked to a person record or not, can read sensitive
/// personal data: through a grant, or through its own profile ("我的档案" shows the full ID and
/// phone numbers). Such an account is never opened by a password that anyone but its owner set
/// (see `sessions::login`), is reset only through the security administrator (`accounts::resets`), and gets
/// no API tokens. The one definition: a new sensitive permission is covered everywhere at once.
pub fn has_sensitive_access(roles: impl IntoIterator<Item = Role>, linked_to_person: bool) -> bool {
    linked_to_person || roles.into_iter().any(Role::reads_sensitive)
}

/// Checks the three-officer separation for a user who holds `existing` roles and is to get `new`:
/// no account may both run the system and hide its traces, and the system officers, who manage
/// accounts, grants and the log, read no sensitive personal data themselves.
pub fn check_separation(existing: &[Role], new: Role) -> AppResult<()> {
    for &held in existing {
        if held == new {
            continue;
        }
        let clash = (held.is_system_officer() && new.is_system_officer())
            || held == Role::Auditor
            || new == Role::Auditor
            || (held.is_system_officer() && new.reads_sensitive())
            || (new.is_system_officer() && held.reads_sensitive());
        if clash {
            return Err(AppError::validation(
                "role",
                format!("三员分立：已持有“{}”角色的账号不能再被授予“{}”角色", held.label(), new.label()),
            ));
        }
    }
    Ok(())
}

/// One grant in force: a role over the subtree rooted at `org_path`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一项授权：角色及其党组织范围（该党组织及其下级）")]
pub struct ActiveGrant {
    pub id: i32,
    pub role: Role,
    pub org_id: i32,
    pub org_path: String,
    pub org_name: String,
}

#[derive(Debug, Clone)]
pub enum AuthMethod {
    /// Cookie session; state-changing requests must carry its CSRF token. A session opened
    /// with a one-time code (`reset_only`) can do nothing but set a new password.
    Session { session_id: String, csrf_token: String, reset_only: bool },
    /// Bearer API token; no cookie, so no CSRF exposure.
    Token { token_id: i32 },
}

/// Who is acting, with the grants loaded at the start of the request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i32,
    pub username: String,
    pub display_name: String,
    pub person_id: Option<i32>,
    pub must_change_password: bool,
    pub grants: Vec<ActiveGrant>,
    pub method: AuthMethod,
    pub ip: String,
}

/// Which organizations an operation may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// No restriction (the system officers, whose work is bureau-wide).
    All,
    /// The union of these subtrees (paths like `/1/4/`).
    Subtrees(Vec<String>),
    Nothing,
}

impl Scope {
    pub fn contains(&self, path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtrees(roots) => roots.iter().any(|r| path.starts_with(r.as_str())),
            Scope::Nothing => false,
        }
    }
}

impl Actor {
    /// The same actor with every grant that covers `path` re-rooted there and grants elsewhere
    /// dropped: what they would see if their scope were that organization. Used to drill down
    /// from a count per unit to its items; it never widens a scope.
    pub fn narrowed_to(&self, path: &str, org_id: i32, org_name: &str) -> Actor {
        let mut narrowed = self.clone();
        narrowed.grants = self
            .grants
            .iter()
            .filter_map(|g| {
                if g.role.is_system_officer() || g.org_path.starts_with(path) {
                    Some(g.clone())
                } else if path.starts_with(&g.org_path) {
                    Some(ActiveGrant { org_id, org_path: path.to_owned(), org_name: org_name.to_owned(), ..g.clone() })
                } else {
                    None
                }
            })
            .collect();
        narrowed
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        roles.sort();
        roles.dedup();
        roles
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn can(&self, perm: Permission) -> bool {
        self.grants.iter().any(|g| g.role.has(perm))
    }

    /// The organizations in which this actor holds `perm`. Nested grants collapse to their roots.
    pub fn scope(&self, perm: Permission) -> Scope {
        let mut roots: Vec<&str> = Vec::new();
        for g in self.grants.iter().filter(|g| g.role.has(perm)) {
            if g.role.is_system_officer() {
                return Scope::All;
            }
            roots.push(&g.org_path);
        }
        if roots.is_empty() {
            return Scope::Nothing;
        }
        roots.sort_unstable();
        let mut kept: Vec<String> = Vec::new();
        for r in roots {
            if !kept.iter().any(|k| r.starts_with(k.as_str())) {
                kept.push(r.to_owned());
            }
        }
        Scope::Subtrees(kept)
    }

    /// Refuses with 403, naming the permission, when no grant carries it at all.
    pub fn require(&self, perm: Permission) -> AppResult<()> {
        if self.can(perm) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!("您没有执行此操作的权限（缺少“{}”权限）", perm.label())))
        }
    }

    /// Checks the permission for a record in organization `path`. Outside the scope the answer
    /// is 404, exactly as for a record that does not exist; the caller audits the attempt.
    pub fn authorize(&self, perm: Permission, path: &str) -> AppResult<()> {
        self.require(perm)?;
        if self.scope(perm).contains(path) { Ok(()) } else { Err(AppError::NotFound) }
    }

    /// Whether this is a session opened with a one-time code, good only for setting a password.
    pub fn reset_only(&self) -> bool {
        matches!(self.method, AuthMethod::Session { reset_only: true, .. })
    }

    /// Whether the actor can read sensitive personal data (see [`has_sensitive_access`]).
    pub fn has_sensitive_access(&self) -> bool {
        has_sensitive_access(self.grants.iter().map(|g| g.role), self.person_id.is_some())
    }

    pub fn csrf_token(&self) -> Option<&str> {
        match &self.method {
            AuthMethod::Session { csrf_token, .. } => Some(csrf_token),
            AuthMethod::Token { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests;
