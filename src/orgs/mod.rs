//! Party organizations (党组织): the tree of 党委 / 党总支 / 党支部 / 联合支部 / 党小组 that
//! every scope check and every statistic hangs on, with the terms of office (`terms`) and
//! dissolving or merging (`dissolve`). The lowest domain: it imports no other. What the higher
//! ones hold in an organization (people, memberships, committees, transfers) they look after
//! through [`crate::module::TreeRules`] and [`crate::db::org_paths`]; the organization page
//! that shows it all is assembled in `orgpage`.

pub mod api;
pub mod dissolve;
pub mod entity;
pub mod module;
pub mod picker;
pub mod service;
pub mod store;
pub mod summary;
pub mod terms;
pub mod units;
pub mod web;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OrgKind {
    #[serde(rename = "党委")]
    Committee,
    #[serde(rename = "党总支")]
    GeneralBranch,
    #[serde(rename = "党支部")]
    Branch,
    #[serde(rename = "联合支部")]
    JointBranch,
    #[serde(rename = "党小组")]
    Group,
}

impl OrgKind {
    pub const ALL: [OrgKind; 5] =
        [OrgKind::Committee, OrgKind::GeneralBranch, OrgKind::Branch, OrgKind::JointBranch, OrgKind::Group];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Committee => "党委",
            OrgKind::GeneralBranch => "党总支",
            OrgKind::Branch => "党支部",
            OrgKind::JointBranch => "联合支部",
            OrgKind::Group => "党小组",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Which kind may sit under which (《中国共产党支部工作条例》: groups inside branches,
    /// branches under a general branch or committee, general branches under a committee).
    pub fn may_be_under(self, parent: Option<OrgKind>) -> bool {
        use OrgKind::*;
        matches!(
            (self, parent),
            (Committee, None | Some(Committee))
                | (GeneralBranch, Some(Committee))
                | (Branch | JointBranch, Some(Committee | GeneralBranch))
                | (Group, Some(Branch | JointBranch))
        )
    }
}

/// Whether `actor` holds `perm` over the whole bureau: a grant whose scope holds every live
/// top-level organization. Settings that apply to everyone (meeting rules, the 全员访 cycle) are
/// changed only by such a party administrator, not by a sub-bureau's.
pub async fn bureau_wide(
    state: &crate::state::AppState,
    actor: &crate::auth::Actor,
    perm: crate::auth::Permission,
) -> crate::error::AppResult<bool> {
    if !actor.can(perm) {
        return Ok(false);
    }
    let scope = actor.scope(perm);
    let tops = store::top_paths(&state.db).await?;
    Ok(!tops.is_empty() && tops.iter().all(|p| scope.contains(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy_rules() {
        use OrgKind::*;
        assert!(Committee.may_be_under(None));
        assert!(Branch.may_be_under(Some(GeneralBranch)));
        assert!(Group.may_be_under(Some(JointBranch)));
        assert!(!Group.may_be_under(Some(Committee)));
        assert!(!Branch.may_be_under(None));
        assert!(!Committee.may_be_under(Some(Branch)));
        assert_eq!(OrgKind::parse("党总支"), Some(GeneralBranch));
        assert_eq!(OrgKind::parse("支部"), None);
    }
}
