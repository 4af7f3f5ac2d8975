//! CSRF protection. A cookie-authenticated request that changes state must echo the session's
//! token in the `X-CSRF-Token` header, a `_csrf` query parameter or a `_csrf` form field. Bearer
//! tokens carry no ambient authority, so they need none. The login form, which has no session
//! yet, uses a double-submit cookie instead.

use sha2::{Digest, Sha256};

pub const FORM_FIELD: &str = "_csrf";
pub const HEADER: &str = "x-csrf-token";
pub const LOGIN_COOKIE: &str = "dj_login_csrf";

/// Compares two tokens in time independent of where they differ.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    let a = Sha256::digest(expected.as_bytes());
    let b = Sha256::digest(given.as_bytes());
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0 && !given.is_empty()
}

/// Finds `_csrf` in a query string or an url-encoded form body.
pub fn token_in_urlencoded(data: &[u8]) -> Option<String> {
    serde_urlencoded_pairs(data).into_iter().find(|(k, _)| k == FORM_FIELD).map(|(_, v)| v)
}

fn serde_urlencoded_pairs(data: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(data).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("", ""));
        assert_eq!(token_in_urlencoded(b"a=1&_csrf=xyz&b=2").as_deref(), Some("xyz"));
        assert_eq!(token_in_urlencoded(b"a=1").as_deref(), None);
    }
}
