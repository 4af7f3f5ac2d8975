//! HTML pages of account administration, one file per use case (as the services).

pub mod grants;
pub mod links;
pub mod policy;
pub mod resets;
pub mod tokens;
pub mod users;

use askama::Template;

use crate::ui::Layout;

#[derive(Template)]
#[template(path = "admin/secret.html")]
pub(crate) struct SecretPage {
    pub layout: Layout,
    pub heading: String,
    pub explanation: String,
    pub secret: String,
    pub back: String,
}
