//! `Message`: the typed body of a `send_group_msg` request.
//!
//! Field order is the order of the API page's field table, and every optional field is skipped when unset,
//! so `serde_json` writes the exact body. Deserializing refuses unknown fields at
//! every level (a misspelled `GroupAt_account` in a hand-written `.json` is an error,
//! not a silent drop), and [`Message::bad_values`] lists the numbers the types let
//! through but the API does not take (a flag of 7).

mod bad_value;
mod element;
pub mod encode;
pub mod faces;
pub mod group;
mod push;
pub mod random;

use serde::{Deserialize, Serialize};

pub use bad_value::BadValue;
pub use element::*;
pub use push::*;

/// The request body of `v4/group_open_http_svc/send_group_msg`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// The target group.
    #[serde(rename = "GroupId", default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// A Community topic.
    #[serde(rename = "TopicId", default, skip_serializing_if = "Option::is_none")]
    pub topic_id: Option<String>,
    /// The account shown as the sender.
    #[serde(
        rename = "From_Account",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub from_account: Option<String>,
    /// The de-duplication number: the server drops a repeat of (`GroupId`, `Random`).
    #[serde(rename = "Random", default, skip_serializing_if = "Option::is_none")]
    pub random: Option<u32>,
    /// `High`, `Normal` or `Low`.
    #[serde(
        rename = "MsgPriority",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub priority: Option<Priority>,
    /// Which message callbacks to skip.
    #[serde(
        rename = "ForbidCallbackControl",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub forbid_callback: Vec<ForbidCallback>,
    /// 1: deliver to online members only.
    #[serde(
        rename = "OnlineOnlyFlag",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub online_only: Option<u32>,
    /// `NoLastMsg`, `NoUnread`.
    #[serde(
        rename = "SendMsgControl",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub send_control: Vec<SendControl>,
    /// The elements of the message.
    #[serde(rename = "MsgBody", default)]
    pub body: Vec<Element>,
    /// One entry per mention in the text, in order.
    #[serde(rename = "GroupAtInfo", default, skip_serializing_if = "Vec::is_empty")]
    pub group_at: Vec<GroupAt>,
    /// Custom data stored with the message.
    #[serde(
        rename = "CloudCustomData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cloud_custom_data: Option<String>,
    /// Offline push settings.
    #[serde(
        rename = "OfflinePushInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub push: Option<OfflinePush>,
    /// The members who see a targeted message.
    #[serde(rename = "To_Account", default, skip_serializing_if = "Vec::is_empty")]
    pub to_account: Vec<String>,
    /// 1: ask for read receipts.
    #[serde(
        rename = "NeedReadReceipt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub need_read_receipt: Option<u32>,
    /// 1: the message can carry extensions.
    #[serde(
        rename = "SupportMessageExtension",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub support_extension: Option<u32>,
}

impl Message {
    /// The body as pretty JSON: two-space indent and a final newline.
    pub fn to_pretty_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a Message always serializes");
        json.push('\n');
        json
    }

    /// The body as one line of compact JSON.
    pub fn to_compact_json(&self) -> String {
        serde_json::to_string(self).expect("a Message always serializes")
    }

    /// The size the server checks: compact JSON of `MsgBody`, in UTF-8 bytes.
    pub fn body_bytes(&self) -> usize {
        serde_json::to_vec(&self.body).map(|v| v.len()).unwrap_or(0)
    }
}

/// `MsgPriority`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Priority {
    /// Kept when the server sheds load.
    High,
    /// The default.
    Normal,
    /// Dropped first.
    Low,
}

/// An item of `ForbidCallbackControl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForbidCallback {
    /// Skip the before-send callback.
    ForbidBeforeSendMsgCallback,
    /// Skip the after-send callback.
    ForbidAfterSendMsgCallback,
}

/// An item of `SendMsgControl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SendControl {
    /// Do not update the recent-contacts list.
    NoLastMsg,
    /// Do not count as unread.
    NoUnread,
}

/// One `GroupAtInfo` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupAt {
    /// 1 for @all, 0 for one member.
    #[serde(rename = "GroupAtAllFlag")]
    pub all: u32,
    /// The member, when `all` is 0.
    #[serde(
        rename = "GroupAt_Account",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub account: Option<String>,
}

impl GroupAt {
    /// `{"GroupAtAllFlag": 1}`.
    pub fn everyone() -> GroupAt {
        GroupAt {
            all: 1,
            account: None,
        }
    }

    /// `{"GroupAtAllFlag": 0, "GroupAt_Account": id}`.
    pub fn member(id: impl Into<String>) -> GroupAt {
        GroupAt {
            all: 0,
            account: Some(id.into()),
        }
    }
}
