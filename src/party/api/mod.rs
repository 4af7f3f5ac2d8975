//! JSON API of the Party domain, one file per use case as in the domain: `membership`,
//! `transfers`, `transfer_in`, `dues`, `letter`, `committees`, `groups`.

pub mod committees;
pub mod dues;
pub mod groups;
pub mod incomplete;
pub mod lapse;
pub mod letter;
pub mod membership;
pub mod transfer_in;
pub mod transfers;
