//! Secrets: the session token and logon credentials. Their `Debug` and `Display` never show the
//! secret, so they can be logged safely; [`SessionToken::expose`] and
//! [`Credentials::basic_authorization`] are the only ways to the secret.

use std::fmt;

use base64::Engine as _;

/// The header that carries the session token.
pub const SESSION_HEADER: &str = "X-RestSvcSessionId";

/// The value of the `X-RestSvcSessionId` header that authenticates requests after logon.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// Wraps a token (e.g. one read from a cache).
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The secret itself, to put in a header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

impl fmt::Display for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// User name and password for logon (HTTP Basic authentication).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    user: String,
    password: String,
}

impl Credentials {
    /// `user` may include a domain (`DOMAIN\user` or `user@domain`).
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            password: password.into(),
        }
    }

    /// The user name (not secret).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password itself (for a server that checks it, such as the simulator).
    pub fn expose_password(&self) -> &str {
        &self.password
    }

    /// The `Authorization` header value: `Basic base64(user:password)`.
    pub fn basic_authorization(&self) -> String {
        let raw = format!("{}:{}", self.user, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_not_shown() {
        let token = SessionToken::new("NDRjZmJkYmUtNWE5NS00MTU2");
        assert!(!format!("{token:?} {token}").contains("NDRj"));
        let creds = Credentials::new("CORP\\admin", "hunter2");
        assert!(!format!("{creds:?}").contains("hunter2"));
        assert_eq!(
            creds.basic_authorization(),
            "Basic Q09SUFxhZG1pbjpodW50ZXIy"
        );
    }
}
