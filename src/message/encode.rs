//! Encode: a [`Message`] in, its compact JSON out, serialized once and kept in two
//! parts around `Random`. The derived `Random` (which hashes the body without it),
//! the size rule (which measures `MsgBody`) and the output all share that one pass.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::message::{ForbidCallback, GroupAt, Message, OfflinePush, Priority, SendControl};

/// A message's compact JSON, split where `Random` goes.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The fields before `Random`, as a JSON object.
    head: String,
    /// The fields after `Random`, as a JSON object (never empty: `MsgBody`).
    tail: String,
    /// The size of the compact JSON of `MsgBody`.
    body_bytes: usize,
}

/// The fields of [`Message`] before `Random`, in the API page's order.
#[derive(Serialize)]
struct Head<'a> {
    #[serde(rename = "GroupId", skip_serializing_if = "Option::is_none")]
    group_id: Option<&'a str>,
    #[serde(rename = "TopicId", skip_serializing_if = "Option::is_none")]
    topic_id: Option<&'a str>,
    #[serde(rename = "From_Account", skip_serializing_if = "Option::is_none")]
    from_account: Option<&'a str>,
}

/// The fields of [`Message`] after `Random`, in the API page's order.
#[derive(Serialize)]
struct Tail<'a> {
    #[serde(rename = "MsgPriority", skip_serializing_if = "Option::is_none")]
    priority: Option<Priority>,
    #[serde(
        rename = "ForbidCallbackControl",
        skip_serializing_if = "<[_]>::is_empty"
    )]
    forbid_callback: &'a [ForbidCallback],
    #[serde(rename = "OnlineOnlyFlag", skip_serializing_if = "Option::is_none")]
    online_only: Option<u32>,
    #[serde(rename = "SendMsgControl", skip_serializing_if = "<[_]>::is_empty")]
    send_control: &'a [SendControl],
    #[serde(rename = "MsgBody")]
    body: &'a RawValue,
    #[serde(rename = "GroupAtInfo", skip_serializing_if = "<[_]>::is_empty")]
    group_at: &'a [GroupAt],
    #[serde(rename = "CloudCustomData", skip_serializing_if = "Option::is_none")]
    cloud_custom_data: Option<&'a str>,
    #[serde(rename = "OfflinePushInfo", skip_serializing_if = "Option::is_none")]
    push: Option<&'a OfflinePush>,
    #[serde(rename = "To_Account", skip_serializing_if = "<[_]>::is_empty")]
    to_account: &'a [String],
    #[serde(rename = "NeedReadReceipt", skip_serializing_if = "Option::is_none")]
    need_read_receipt: Option<u32>,
    #[serde(
        rename = "SupportMessageExtension",
        skip_serializing_if = "Option::is_none"
    )]
    support_extension: Option<u32>,
}

impl Encoded {
    /// Serializes `message` (its own `Random` is left out).
    pub fn new(message: &Message) -> Encoded {
        let body = serde_json::to_string(&message.body).expect("a body always serializes");
        let body_bytes = body.len();
        let body = RawValue::from_string(body).expect("serde_json wrote valid JSON");
        let head = serde_json::to_string(&Head {
            group_id: message.group_id.as_deref(),
            topic_id: message.topic_id.as_deref(),
            from_account: message.from_account.as_deref(),
        })
        .expect("strings serialize");
        let tail = serde_json::to_string(&Tail {
            priority: message.priority,
            forbid_callback: &message.forbid_callback,
            online_only: message.online_only,
            send_control: &message.send_control,
            body: &body,
            group_at: &message.group_at,
            cloud_custom_data: message.cloud_custom_data.as_deref(),
            push: message.push.as_ref(),
            to_account: &message.to_account,
            need_read_receipt: message.need_read_receipt,
            support_extension: message.support_extension,
        })
        .expect("a message always serializes");
        Encoded {
            head,
            tail,
            body_bytes,
        }
    }

    /// The size the server checks: compact JSON of `MsgBody`, in UTF-8 bytes.
    pub fn body_bytes(&self) -> usize {
        self.body_bytes
    }

    /// The compact JSON without `Random` (what the derived `Random` hashes).
    pub fn without_random(&self) -> String {
        self.join(None)
    }

    /// The compact JSON with `Random` set to `random`.
    pub fn with_random(&self, random: u32) -> String {
        self.join(Some(random))
    }

    fn join(&self, random: Option<u32>) -> String {
        let head = &self.head[1..self.head.len() - 1];
        let tail = &self.tail[1..self.tail.len() - 1];
        let mut out = String::with_capacity(self.head.len() + self.tail.len() + 24);
        out.push('{');
        out.push_str(head);
        if let Some(random) = random {
            if !head.is_empty() {
                out.push(',');
            }
            out.push_str("\"Random\":");
            out.push_str(&random.to_string());
        }
        if !tail.is_empty() {
            if out.len() > 1 {
                out.push(',');
            }
            out.push_str(tail);
        }
        out.push('}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{AndroidPush, Element, TextElem};

    fn full() -> Message {
        Message {
            group_id: Some("@TGS#\"g".into()),
            topic_id: Some("t".into()),
            from_account: Some("f".into()),
            random: None,
            priority: Some(Priority::High),
            forbid_callback: vec![ForbidCallback::ForbidAfterSendMsgCallback],
            online_only: Some(1),
            send_control: vec![SendControl::NoUnread],
            body: vec![Element::TIMTextElem(TextElem {
                text: "大家好 @all \u{0}".into(),
            })],
            group_at: vec![GroupAt::everyone()],
            cloud_custom_data: Some("c".into()),
            push: Some(OfflinePush {
                android: Some(AndroidPush {
                    sound: Some("s".into()),
                    ..AndroidPush::default()
                }),
                ..OfflinePush::default()
            }),
            to_account: vec!["a".into()],
            need_read_receipt: Some(1),
            support_extension: Some(1),
        }
    }

    #[test]
    fn matches_serializing_the_whole_message() {
        for mut message in [
            full(),
            Message::default(),
            Message {
                group_id: Some("g".into()),
                ..Message::default()
            },
        ] {
            let encoded = Encoded::new(&message);
            assert_eq!(encoded.without_random(), message.to_compact_json());
            assert_eq!(encoded.body_bytes(), message.body_bytes());
            message.random = Some(4_294_967_295);
            assert_eq!(
                encoded.with_random(4_294_967_295),
                message.to_compact_json()
            );
        }
    }
}
