//! JSON API of the Party domain, one file per use case as in the domain: `membership`,
//! `transfers`, `dues`, `letter`, `committees`, `groups`.

pub mod committees;
pub mod dues;
pub mod groups;
pub mod lapse;
pub mod letter;
pub mod membership;
pub mod transfers;
