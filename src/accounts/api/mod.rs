//! JSON API of account administration, one file per use case (as the services).

pub mod grants;
pub mod links;
pub mod resets;
pub mod tokens;
pub mod users;
