//! Tencent IM error codes: what each means in plain words, and whether a retry (with
//! the same body and `Random`) can help.

/// Whether to try a code again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// A passing failure: retry with backoff.
    Transient,
    /// Too many requests: retry, and slow every worker down.
    RateLimited,
    /// Retrying cannot help.
    Final,
}

/// The plain explanation of `code` and whether to retry it.
pub fn explain(code: i64) -> (&'static str, Retry) {
    use Retry::{Final, RateLimited, Transient};
    match code {
        10002 => ("internal server error; retrying", Transient),
        10004 => (
            "a parameter is invalid; check the request against the rules (`timl check`)",
            Final,
        ),
        10007 => (
            "no permission: the identifier is not allowed to do this",
            Final,
        ),
        10010 => ("the group does not exist, or was dismissed", Final),
        10015 => ("the group ID is invalid", Final),
        10016 => ("the app's before-send callback refused the message", Final),
        10017 => ("the sender is muted in this group", Final),
        10023 => ("messages are sent too often; slowing down", RateLimited),
        80001 => (
            "the text was refused by content security (sensitive words)",
            Final,
        ),
        80002 => ("the message is too long (over 8000 bytes)", Final),
        60002 => ("the HTTP request or URL is malformed", Final),
        60003 => ("the request body is not valid JSON", Final),
        60004 | 60005 => ("the account or the UserSig is wrong", Final),
        60006 => ("the SDKAppID is invalid", Final),
        60007 => (
            "the REST API rate limit was exceeded; slowing down",
            RateLimited,
        ),
        60008 => ("the server timed out; retrying", Transient),
        60010 => ("this call needs an App admin identifier", Final),
        60011 => (
            "the SDKAppID rate limit was exceeded; slowing down",
            RateLimited,
        ),
        60016 => ("the SDKAppID is disabled", Final),
        60018 | 60019 => ("requests are too frequent; retrying later", RateLimited),
        60020 => ("the plan has expired or the daily quota is used up", Final),
        60021 => (
            "this source IP address is not allowed to call the REST API",
            Final,
        ),
        70001 => ("the UserSig has expired; sign a new one", Final),
        70003 => ("the UserSig cannot be parsed", Final),
        70009 => (
            "the UserSig signature check failed: wrong secret key or SDKAppID",
            Final,
        ),
        70013 => (
            "the UserSig's identifier does not match the request's",
            Final,
        ),
        70014 => ("the UserSig's SDKAppID does not match the request's", Final),
        70016 | 70020 => ("the key or SDKAppID was not found (wrong region?)", Final),
        70050 => (
            "UserSig verification is rate limited; retry after a minute",
            Final,
        ),
        70107 => ("the account has not been imported", Final),
        _ => ("see Tencent Cloud IM's error code list", Final),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transient_code_of_the_facts_page_is_retried() {
        for code in [10002, 60008] {
            assert_eq!(explain(code).1, Retry::Transient);
        }
        for code in [60007, 60011, 10023, 60018, 60019] {
            assert_eq!(explain(code).1, Retry::RateLimited);
        }
        for code in [
            10004, 10007, 10010, 10015, 10016, 10017, 80001, 80002, 70001, 70009,
        ] {
            assert_eq!(explain(code).1, Retry::Final);
        }
    }
}
