//! Password hashing (argon2id) and the password policy.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::{AppError, AppResult};

/// Longest password one may set: longer adds nothing but hashing time.
pub const MAX_LEN: usize = 128;

pub fn hash(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("argon2: {e}")))
}

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Hashing and checking run on the blocking pool, at most one per two cores at once (at least
/// one): argon2 takes tens of milliseconds of CPU and 19 MiB each, and a burst of logins must
/// neither hold the threads nor take the cores that answer everyone else's pages, nor all the
/// memory. The logins wait their turn instead (measured by `dangjian bench`).
fn hashing() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        tokio::sync::Semaphore::new((cores / 2).max(1))
    });
    &PERMITS
}

async fn off_the_request_threads<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let _permit = hashing().acquire().await.map_err(|e| AppError::Internal(anyhow::anyhow!("hashing: {e}")))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(anyhow::anyhow!("hashing: {e}")))
}

/// [`hash`], off the request threads.
pub async fn hash_off(password: &str) -> AppResult<String> {
    let password = password.to_owned();
    off_the_request_threads(move || hash(&password)).await?
}

/// [`verify`], off the request threads.
pub async fn verify_off(password: &str, stored: &str) -> AppResult<bool> {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    off_the_request_threads(move || verify(&password, &stored)).await
}

/// A hash that no password matches, checked against when the user does not exist so that a
/// wrong username takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("no such user, no such password").unwrap_or_default())
}

/// At least `min_len` characters and three of the four classes: lower case, upper case,
/// digits, other symbols.
pub fn check_policy(password: &str, min_len: usize, username: &str) -> AppResult<()> {
    if password.chars().count() < min_len {
        return Err(AppError::validation("new_password", format!("新密码至少需要 {min_len} 个字符")));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|present| **present).count() < 3 {
        return Err(AppError::validation("new_password", "新密码须包含大写字母、小写字母、数字、符号中的至少三类"));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(AppError::validation("new_password", "新密码不能包含用户名"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("Correct#Horse9").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Correct#Horse9", &h));
        assert!(!verify("correct#horse9", &h));
        assert!(!verify("anything", dummy_hash()));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn policy() {
        assert!(check_policy("Abcdefgh1!", 10, "zhang").is_ok());
        assert!(check_policy("Abcdefg1!", 10, "zhang").is_err(), "too short");
        assert!(check_policy("abcdefghij1", 10, "zhang").is_err(), "two classes");
        assert!(check_policy("abcdefghi1!", 10, "zhang").is_ok(), "three classes");
        assert!(check_policy("Zhang2024!x", 10, "zhang").is_err(), "contains username");
    }
}
