//! A secret (the key or a UserSig): kept out of every `Debug` and `Display`.

use std::fmt;

/// A secret (key or UserSig) that prints as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(text: impl Into<String>) -> Secret {
        Secret(text.into())
    }

    /// The secret itself, for signing and for the request only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send::redact::Redactor;

    #[test]
    fn secrets_never_print() {
        assert_eq!(format!("{:?}", Secret::new("abc")), "***");
        let redactor = Redactor::new(&["0123456789abcdef"]);
        assert!(!format!("{redactor:?}").contains("0123"));
    }
}
