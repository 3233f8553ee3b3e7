//! Whose a journal is: the app and the host its messages went to.

/// Whose messages a journal holds: an app at a server host. Written as the first
/// line of a new journal (`bound`), so that a journal of one app or host (staging)
/// is never taken for another's (production): its delivered messages would be
/// skipped there, and a recall would take back that app's messages of the same
/// `MsgSeq`, which cannot be undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The SDKAppID.
    pub sdkappid: u64,
    /// The endpoint's host (and port).
    pub host: String,
}

impl Binding {
    /// The binding of a run with `credentials`.
    pub fn of(credentials: &crate::send::credentials::Credentials) -> Binding {
        let host = credentials
            .endpoint
            .split_once("://")
            .map_or(credentials.endpoint.as_str(), |(_, rest)| rest);
        Binding {
            sdkappid: credentials.sdkappid,
            host: host.trim_end_matches('/').to_owned(),
        }
    }

    /// Whether a run bound as `other` may use this journal: the same app, at the
    /// same host; any loopback address counts as one (a test server's port changes
    /// from run to run).
    pub(super) fn admits(&self, other: &Binding) -> bool {
        let loopback = |host: &str| {
            let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
            name == "localhost" || name.starts_with("127.") || name == "[::1]"
        };
        self.sdkappid == other.sdkappid
            && (self.host == other.host || (loopback(&self.host) && loopback(&other.host)))
    }
}
