//! Group types, which decide which rules apply.

use std::fmt;
use std::str::FromStr;

/// The group types of Tencent Cloud IM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupType {
    /// Work group (old name Private).
    Work,
    /// Public group.
    Public,
    /// Meeting group (old name ChatRoom).
    Meeting,
    /// Live-streaming group: no history, no unread counts.
    AVChatRoom,
    /// Community with topics.
    Community,
}

impl GroupType {
    /// The accepted names, for messages.
    pub const NAMES: &'static str =
        "Work (Private), Public, Meeting (ChatRoom), AVChatRoom, Community";

    /// The type a group ID implies: `@TGS#_` starts Community IDs (but not topic IDs).
    pub fn implied_by(group_id: &str) -> Option<GroupType> {
        (group_id.starts_with("@TGS#_") && !group_id.contains("@TOPIC#"))
            .then_some(GroupType::Community)
    }
}

impl fmt::Display for GroupType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GroupType::Work => "Work",
            GroupType::Public => "Public",
            GroupType::Meeting => "Meeting",
            GroupType::AVChatRoom => "AVChatRoom",
            GroupType::Community => "Community",
        })
    }
}

impl FromStr for GroupType {
    type Err = String;

    /// Case-insensitive, old names included.
    fn from_str(name: &str) -> Result<GroupType, String> {
        match name.to_ascii_lowercase().as_str() {
            "work" | "private" => Ok(GroupType::Work),
            "public" => Ok(GroupType::Public),
            "meeting" | "chatroom" => Ok(GroupType::Meeting),
            "avchatroom" => Ok(GroupType::AVChatRoom),
            "community" => Ok(GroupType::Community),
            _ => {
                let names = [
                    "work",
                    "private",
                    "public",
                    "meeting",
                    "chatroom",
                    "avchatroom",
                    "community",
                ];
                let near = crate::diag::suggest::did_you_mean(name, names);
                Err(format!(
                    "unknown group type `{name}`; expected one of {}{near}",
                    GroupType::NAMES
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_implication() {
        assert_eq!("chatroom".parse(), Ok(GroupType::Meeting));
        assert_eq!("PRIVATE".parse(), Ok(GroupType::Work));
        assert!("BChatRoom".parse::<GroupType>().is_err());
        assert_eq!(
            GroupType::implied_by("@TGS#_abc"),
            Some(GroupType::Community)
        );
        assert_eq!(GroupType::implied_by("@TGS#_abc@TOPIC#_x"), None);
        assert_eq!(GroupType::implied_by("@TGS#2C5SZEAEF"), None);
    }
}
