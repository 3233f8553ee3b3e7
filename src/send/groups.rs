//! What the server knows of groups, and recalling messages: `get_group_info` (at most
//! 50 groups a request, only their type asked for), `get_role_in_group` (accounts of
//! one group) and `group_msg_recall` (at most 10 messages of one group a request).

use serde_json::{json, Value};

use super::api::CallError;
use super::rate::Schedule;
use super::sender::Sender;
use crate::message::group::GroupType;

/// The REST path of `get_group_info`.
pub const GROUP_INFO: &str = "/v4/group_open_http_svc/get_group_info";
/// The REST path of `get_role_in_group`.
pub const ROLE_IN_GROUP: &str = "/v4/group_open_http_svc/get_role_in_group";
/// The REST path of `group_msg_recall`.
pub const RECALL: &str = "/v4/group_open_http_svc/group_msg_recall";

/// Groups per `get_group_info` request (the API's limit).
pub const GROUPS_PER_REQUEST: usize = 50;
/// Accounts per `get_role_in_group` request.
pub const ACCOUNTS_PER_REQUEST: usize = 100;
/// Messages per `group_msg_recall` request (the API's limit).
pub const RECALLS_PER_REQUEST: usize = 10;

/// The schedule lane of calls about many groups.
const LANE: &str = "get_group_info";

/// What the server says of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInfo {
    /// `GroupId`.
    pub group: String,
    /// The group's own `ErrorCode`: 0, or 10010 (no such group), 10015 (invalid ID).
    pub code: i64,
    /// Its `ErrorInfo`, redacted.
    pub info: String,
    /// Its type, when it exists and the server named a type timl knows.
    pub group_type: Option<GroupType>,
}

/// `get_group_info` for every group of `groups`, [`GROUPS_PER_REQUEST`] at a time.
pub fn group_info(
    sender: &Sender,
    schedule: &Schedule,
    groups: &[String],
    retries: u32,
) -> Result<Vec<GroupInfo>, CallError> {
    let mut out = Vec::with_capacity(groups.len());
    for chunk in groups.chunks(GROUPS_PER_REQUEST) {
        let body = json!({
            "GroupIdList": chunk,
            "ResponseFilter": {"GroupBaseInfoFilter": ["Type"]},
        });
        let answer = sender.call(GROUP_INFO, &body, schedule, LANE, retries)?;
        for entry in answer["GroupInfo"].as_array().into_iter().flatten() {
            out.push(GroupInfo {
                group: text(entry, "GroupId"),
                code: entry["ErrorCode"].as_i64().unwrap_or(0),
                info: sender.redact(&text(entry, "ErrorInfo")),
                group_type: entry["Type"].as_str().and_then(|t| t.parse().ok()),
            });
        }
    }
    Ok(out)
}

/// Whether each of `accounts` is a member of `group` (`get_role_in_group`).
pub fn members(
    sender: &Sender,
    schedule: &Schedule,
    group: &str,
    accounts: &[String],
    retries: u32,
) -> Result<Vec<(String, bool)>, CallError> {
    let mut out = Vec::with_capacity(accounts.len());
    for chunk in accounts.chunks(ACCOUNTS_PER_REQUEST) {
        let body = json!({"GroupId": group, "User_Account": chunk});
        let answer = sender.call(ROLE_IN_GROUP, &body, schedule, group, retries)?;
        for entry in answer["UserIdList"].as_array().into_iter().flatten() {
            let role = text(entry, "Role");
            out.push((text(entry, "Member_Account"), role != "NotMember"));
        }
    }
    Ok(out)
}

/// One message's recall: its `MsgSeq` and `RetCode` (0: recalled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recall {
    /// The message's `MsgSeq`.
    pub seq: u64,
    /// 0 recalled; anything else not (already recalled, too old, ...).
    pub code: i64,
}

/// `group_msg_recall` for at most [`RECALLS_PER_REQUEST`] messages of `group`.
pub fn recall(
    sender: &Sender,
    schedule: &Schedule,
    group: &str,
    seqs: &[u64],
    retries: u32,
) -> Result<Vec<Recall>, CallError> {
    debug_assert!(seqs.len() <= RECALLS_PER_REQUEST);
    let list: Vec<Value> = seqs.iter().map(|seq| json!({"MsgSeq": seq})).collect();
    let body = json!({"GroupId": group, "MsgSeqList": list});
    let answer = sender.call(RECALL, &body, schedule, group, retries)?;
    Ok(answer["RecallRetList"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| Recall {
            seq: entry["MsgSeq"].as_u64().unwrap_or(0),
            code: entry["RetCode"].as_i64().unwrap_or(-1),
        })
        .collect())
}

fn text(entry: &Value, key: &str) -> String {
    entry[key].as_str().unwrap_or("").to_owned()
}
