//! The rules that depend on the group type: what AVChatRoom, Community and the
//! other types do not support.

use crate::diag::{rules, Diagnostic};
use crate::message::group::GroupType;
use crate::message::Message;

fn article(group_type: GroupType) -> &'static str {
    if group_type == GroupType::AVChatRoom {
        "an"
    } else {
        "a"
    }
}

pub(super) fn check_group_type(
    message: &Message,
    group_type: GroupType,
    out: &mut Vec<Diagnostic>,
) {
    let group_id = message.group_id.as_deref().unwrap_or("");
    match group_type {
        GroupType::Community => {
            if !group_id.starts_with("@TGS#_") && !group_id.is_empty() {
                out.push(
                    Diagnostic::new(
                        &rules::COMMUNITY_GROUP_ID,
                        format!("`{group_id}` is not a Community group ID"),
                    )
                    .at_path("GroupId")
                    .help("Community group IDs start with `@TGS#_`"),
                );
            }
            let everyone = message
                .group_at
                .iter()
                .enumerate()
                .filter(|(_, at)| at.all == 1);
            for (i, _) in everyone {
                out.push(
                    Diagnostic::new(
                        &rules::COMMUNITY_AT_ALL,
                        "Community groups do not support @all",
                    )
                    .at_path(format!("GroupAtInfo[{i}]"))
                    .help("mention members one by one, or write `\\@all` for the plain text"),
                );
            }
        }
        GroupType::AVChatRoom => {
            if message.online_only.is_some_and(|flag| flag > 0) {
                out.push(
                    Diagnostic::new(
                        &rules::AVCHATROOM_ONLINE_ONLY,
                        "`online-only` is not allowed in an AVChatRoom",
                    )
                    .at_path("OnlineOnlyFlag")
                    .help("AVChatRoom messages are online-only already; remove the line"),
                );
            }
            if !message.send_control.is_empty() {
                out.push(
                    Diagnostic::new(&rules::AVCHATROOM_CONTROL, "`control` is not allowed in an AVChatRoom")
                        .at_path("SendMsgControl")
                        .help("AVChatRoom groups keep no unread counts or recent contacts; remove the line"),
                );
            }
        }
        GroupType::Work | GroupType::Public | GroupType::Meeting => {}
    }
    if matches!(group_type, GroupType::AVChatRoom | GroupType::Community) {
        check_unsupported_features(message, group_type, out);
    }
    if message.topic_id.is_some() && group_type != GroupType::Community {
        out.push(
            Diagnostic::new(
                &rules::TOPIC,
                format!(
                    "topics exist only in Community groups, and this is {} {group_type} group",
                    article(group_type)
                ),
            )
            .at_path("TopicId"),
        );
    }
    if !message.to_account.is_empty()
        && matches!(group_type, GroupType::AVChatRoom | GroupType::Community)
    {
        out.push(
            Diagnostic::new(
                &rules::TO_ACCOUNT,
                format!("targeted messages (`to`) are not supported in {group_type} groups"),
            )
            .at_path("To_Account")
            .help("`to` works in Work, Public and Meeting groups"),
        );
    }
}

/// Read receipts and message extensions: AVChatRoom and Community groups have
/// neither, so the server takes the flag and members never see the feature.
fn check_unsupported_features(message: &Message, group_type: GroupType, out: &mut Vec<Diagnostic>) {
    if message.need_read_receipt == Some(1) {
        out.push(
            Diagnostic::new(
                &rules::READ_RECEIPT,
                format!("{group_type} groups have no read receipts; members will never see them"),
            )
            .at_path("NeedReadReceipt")
            .help("read receipts work in Work, Public and Meeting groups; remove the line"),
        );
    }
    if message.support_extension == Some(1) {
        out.push(
            Diagnostic::new(
                &rules::EXTENSION,
                format!(
                    "{group_type} groups have no message extensions; members will never see them"
                ),
            )
            .at_path("SupportMessageExtension")
            .help("message extensions work in Work, Public and Meeting groups; remove the line"),
        );
    }
}
