//! What the server says about the target groups (asked by `send`'s preflight and
//! `check --online`, before anything is sent): whether each group exists, its type,
//! and, when asked, which accounts are members. The checks turn those facts into
//! diagnostics at the message's own fields, exactly as the offline rules do.

use std::collections::HashMap;

use crate::diag::{rules, Diagnostic};
use crate::message::group::GroupType;
use crate::message::Message;

/// The server's facts about groups, by group ID.
#[derive(Debug, Clone, Default)]
pub struct GroupFacts {
    groups: HashMap<String, GroupFact>,
}

/// What the server says of one group.
#[derive(Debug, Clone)]
pub enum GroupFact {
    /// The group does not exist (10010) or its ID is invalid (10015).
    Missing {
        /// The server's per-group error code.
        code: i64,
        /// The server's text, redacted and made printable by the caller.
        info: String,
    },
    /// The group exists.
    Found {
        /// Its type, when the server named a known one.
        group_type: Option<GroupType>,
        /// Members and non-members among the accounts asked about.
        members: HashMap<String, bool>,
    },
}

impl GroupFacts {
    /// Records that `group` does not exist.
    pub fn missing(&mut self, group: &str, code: i64, info: String) {
        self.groups
            .insert(group.to_owned(), GroupFact::Missing { code, info });
    }

    /// Records that `group` exists, with its type.
    pub fn found(&mut self, group: &str, group_type: Option<GroupType>) {
        self.groups.insert(
            group.to_owned(),
            GroupFact::Found {
                group_type,
                members: HashMap::new(),
            },
        );
    }

    /// Records whether `account` is a member of `group` (which exists).
    pub fn member(&mut self, group: &str, account: &str, is_member: bool) {
        if let Some(GroupFact::Found { members, .. }) = self.groups.get_mut(group) {
            members.insert(account.to_owned(), is_member);
        }
    }

    /// What the server says of `group`, if it was asked.
    pub fn get(&self, group: &str) -> Option<&GroupFact> {
        self.groups.get(group)
    }
}

/// The diagnostics the facts give `message` (whose type, if given, is `declared`), and
/// the type the server names for its group.
pub fn check_facts(
    message: &Message,
    declared: Option<GroupType>,
    facts: &GroupFacts,
) -> (Vec<Diagnostic>, Option<GroupType>) {
    let mut out = Vec::new();
    let group = message.group_id.as_deref().unwrap_or("");
    let (server_type, members) = match facts.get(group) {
        None => return (out, None),
        Some(GroupFact::Missing { code, info }) => {
            out.push(
                Diagnostic::new(
                    &rules::GROUP_MISSING,
                    format!("the server knows no group `{group}` (error {code}: {info})"),
                )
                .at_path("GroupId")
                .help("check the group ID: every message to it would be refused"),
            );
            return (out, None);
        }
        Some(GroupFact::Found {
            group_type,
            members,
        }) => (*group_type, members),
    };
    if let (Some(declared), Some(server)) = (declared, server_type) {
        if declared != server {
            out.push(
                Diagnostic::new(
                    &rules::GROUP_TYPE_MISMATCH,
                    format!("the message is written for a {declared} group, but `{group}` is a {server} group"),
                )
                .at_path("GroupId")
                .help("fix `type:` (or `--group-type`), or the group ID"),
            );
        }
    }
    check_members(message, members, &mut out);
    (out, server_type)
}

/// The sender must be a member; a mentioned account or a `To_Account` that is not
/// would see nothing.
fn check_members(message: &Message, members: &HashMap<String, bool>, out: &mut Vec<Diagnostic>) {
    let not_member = |account: &str| members.get(account) == Some(&false);
    if let Some(from) = message.from_account.as_deref().filter(|a| not_member(a)) {
        out.push(
            Diagnostic::new(
                &rules::FROM_NOT_MEMBER,
                format!("`{from}` is not a member of the group, so it cannot send to it"),
            )
            .at_path("From_Account")
            .help("send as a member, or leave `from` out to send as the app admin"),
        );
    }
    let mentioned = message
        .group_at
        .iter()
        .enumerate()
        .filter_map(|(i, at)| Some((format!("GroupAtInfo[{i}]"), at.account.as_deref()?)))
        .map(|(path, account)| (path, account, "the mention notifies nobody"));
    let targeted = message.to_account.iter().enumerate().map(|(i, account)| {
        (
            format!("To_Account[{i}]"),
            account.as_str(),
            "the message reaches nobody there",
        )
    });
    for (path, account, effect) in mentioned.chain(targeted) {
        if not_member(account) {
            out.push(
                Diagnostic::new(
                    &rules::MENTION_NOT_MEMBER,
                    format!("`{account}` is not a member of the group: {effect}"),
                )
                .at_path(path)
                .help("check the account ID, or leave it out"),
            );
        }
    }
}
