//! The fake server's group facts and recall: `get_group_info`, `get_role_in_group` and
//! `group_msg_recall`, answered from the groups the test gives it, with the API's
//! limits (50 groups, 10 messages a request) and per-group and per-message codes.

use serde_json::{json, Value};

use super::{error, Answer, FakeConfig, Seen};

/// A group the fake server knows (see [`FakeConfig::groups`]).
#[derive(Debug, Clone)]
pub struct FakeGroup {
    /// The type as the API names it: `Private`, `Public`, `ChatRoom`, `AVChatRoom`,
    /// `Community`.
    pub group_type: String,
    /// Its members (the first is the owner).
    pub members: Vec<String>,
}

/// One call of a group API the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// `get_group_info`, `get_role_in_group` or `group_msg_recall`.
    pub api: &'static str,
    /// The group (empty for `get_group_info`).
    pub group: String,
    /// How many groups, accounts or messages it asked about.
    pub items: usize,
}

fn answered(mut fields: Value) -> Answer {
    if let Value::Object(map) = &mut fields {
        map.insert("ActionStatus".into(), "OK".into());
        map.insert("ErrorCode".into(), 0.into());
        map.insert("ErrorInfo".into(), "".into());
    }
    Answer::Json(200, fields, std::time::Duration::ZERO)
}

/// `get_group_info`: one entry per group, 10010 for one it does not know.
pub(super) fn group_info(body: &Value, config: &FakeConfig, seen: &mut Seen) -> Answer {
    let ids: Vec<String> = body["GroupIdList"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|id| id.as_str().map(str::to_owned))
        .collect();
    seen.calls.push(Call {
        api: "get_group_info",
        group: String::new(),
        items: ids.len(),
    });
    if ids.len() > 50 {
        return error(10004, "GroupIdList holds more than 50 groups");
    }
    // Without groups given, every group exists, of no type the server names.
    let Some(groups) = &config.groups else {
        let info: Vec<Value> = ids
            .iter()
            .map(|id| json!({"GroupId": id, "ErrorCode": 0, "ErrorInfo": ""}))
            .collect();
        return answered(json!({"GroupInfo": info}));
    };
    let info: Vec<Value> = ids
        .iter()
        .map(|id| match groups.get(id) {
            Some(group) => {
                json!({"GroupId": id, "ErrorCode": 0, "ErrorInfo": "", "Type": group.group_type})
            }
            None => json!({"GroupId": id, "ErrorCode": 10010, "ErrorInfo": "group does not exist"}),
        })
        .collect();
    answered(json!({"GroupInfo": info}))
}

/// `get_role_in_group`: each account's role; 10007 for an AVChatRoom.
pub(super) fn role_in_group(body: &Value, config: &FakeConfig, seen: &mut Seen) -> Answer {
    let group_id = body["GroupId"].as_str().unwrap_or("").to_owned();
    let accounts: Vec<String> = body["User_Account"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect();
    seen.calls.push(Call {
        api: "get_role_in_group",
        group: group_id.clone(),
        items: accounts.len(),
    });
    let groups = config.groups.clone().unwrap_or_default();
    let Some(group) = groups.get(&group_id) else {
        return error(10010, "group does not exist");
    };
    if group.group_type == "AVChatRoom" {
        return error(10007, "not supported in AVChatRoom");
    }
    let roles: Vec<Value> = accounts
        .iter()
        .map(|account| {
            let role = match group.members.iter().position(|m| m == account) {
                Some(0) => "Owner",
                Some(_) => "Member",
                None => "NotMember",
            };
            json!({"Member_Account": account, "Role": role})
        })
        .collect();
    answered(json!({"UserIdList": roles}))
}

/// `group_msg_recall`: RetCode 0 for a stored message of the group not recalled yet,
/// 10030 for one recalled already, 10031 for one it does not know.
pub(super) fn recall(body: &Value, seen: &mut Seen) -> Answer {
    let group_id = body["GroupId"].as_str().unwrap_or("").to_owned();
    let seqs: Vec<u64> = body["MsgSeqList"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["MsgSeq"].as_u64())
        .collect();
    seen.calls.push(Call {
        api: "group_msg_recall",
        group: group_id.clone(),
        items: seqs.len(),
    });
    if seqs.len() > 10 {
        return error(10004, "MsgSeqList holds more than 10 messages");
    }
    let results: Vec<Value> = seqs
        .iter()
        .map(|&seq| {
            let stored = usize::try_from(seq)
                .ok()
                .and_then(|seq| seq.checked_sub(1))
                .and_then(|i| seen.stored.get(i))
                .is_some_and(|stored| stored.group == group_id);
            let code = if !stored {
                10031
            } else if seen.recalled.contains(&(group_id.clone(), seq)) {
                10030
            } else {
                seen.recalled.push((group_id.clone(), seq));
                0
            };
            json!({"MsgSeq": seq, "RetCode": code})
        })
        .collect();
    answered(json!({"RecallRetList": results}))
}
