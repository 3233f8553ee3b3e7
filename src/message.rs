//! `Message`: the typed body of a `send_group_msg` request.
//!
//! Field order is the order of SPEC 5, and every optional field is skipped when unset,
//! so `serde_json` writes the exact body. Deserializing refuses unknown fields: a
//! misspelled `GroupAt_account` in a hand-written `.json` is an error, not a silent
//! drop.

use serde::{Deserialize, Serialize};

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
    /// The de-duplication number: a repeat within 5 minutes is dropped.
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

/// A `MsgBody` item: `{"MsgType": ..., "MsgContent": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "MsgType", content = "MsgContent")]
#[allow(clippy::enum_variant_names)]
pub enum Element {
    /// Text, mentions included.
    TIMTextElem(TextElem),
    /// A built-in emoji.
    TIMFaceElem(FaceElem),
    /// A place on the map.
    TIMLocationElem(LocationElem),
    /// App-defined data.
    TIMCustomElem(CustomElem),
    /// A picture.
    TIMImageElem(ImageElem),
    /// A voice clip.
    TIMSoundElem(SoundElem),
    /// A file.
    TIMFileElem(FileElem),
    /// A video with its thumbnail.
    TIMVideoFileElem(VideoElem),
}

impl Element {
    /// The `MsgType` string.
    pub fn msg_type(&self) -> &'static str {
        match self {
            Element::TIMTextElem(_) => "TIMTextElem",
            Element::TIMFaceElem(_) => "TIMFaceElem",
            Element::TIMLocationElem(_) => "TIMLocationElem",
            Element::TIMCustomElem(_) => "TIMCustomElem",
            Element::TIMImageElem(_) => "TIMImageElem",
            Element::TIMSoundElem(_) => "TIMSoundElem",
            Element::TIMFileElem(_) => "TIMFileElem",
            Element::TIMVideoFileElem(_) => "TIMVideoFileElem",
        }
    }
}

/// `TIMTextElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextElem {
    /// The text, `@id` mentions as written.
    #[serde(rename = "Text")]
    pub text: String,
}

/// `TIMFaceElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceElem {
    /// The emoji's index.
    #[serde(rename = "Index")]
    pub index: u32,
    /// Extra data; `""` when not given.
    #[serde(rename = "Data", default)]
    pub data: String,
}

/// `TIMLocationElem` content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationElem {
    /// What the place is.
    #[serde(rename = "Desc")]
    pub desc: String,
    /// Degrees north.
    #[serde(rename = "Latitude")]
    pub latitude: Coordinate,
    /// Degrees east.
    #[serde(rename = "Longitude")]
    pub longitude: Coordinate,
}

/// A latitude or longitude, written as an integer when it is whole (`39` stays
/// `39`, as written, instead of becoming `39.0`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Coordinate(pub f64);

impl Serialize for Coordinate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() <= 180.0 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

/// `TIMCustomElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomElem {
    /// The app's payload.
    #[serde(rename = "Data")]
    pub data: String,
    /// Push text for this element.
    #[serde(rename = "Desc", default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    /// Extra data.
    #[serde(rename = "Ext", default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<String>,
    /// Push sound.
    #[serde(rename = "Sound", default, skip_serializing_if = "Option::is_none")]
    pub sound: Option<String>,
}

/// `TIMImageElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageElem {
    /// A unique ID for the picture.
    #[serde(rename = "UUID")]
    pub uuid: String,
    /// 1 JPG, 2 GIF, 3 PNG, 4 BMP, 255 other.
    #[serde(
        rename = "ImageFormat",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub format: Option<u32>,
    /// The original (Type 1) and optional large (2) and thumbnail (3) sizes.
    #[serde(rename = "ImageInfoArray")]
    pub info: Vec<ImageInfo>,
}

/// One size of a picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageInfo {
    /// 1 original, 2 large, 3 thumbnail.
    #[serde(rename = "Type")]
    pub kind: u32,
    /// Bytes.
    #[serde(rename = "Size", default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Pixels.
    #[serde(rename = "Width", default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u64>,
    /// Pixels.
    #[serde(rename = "Height", default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// Where to download it.
    #[serde(rename = "URL")]
    pub url: String,
}

/// `TIMSoundElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoundElem {
    /// Where to download it.
    #[serde(rename = "Url")]
    pub url: String,
    /// A unique ID.
    #[serde(rename = "UUID")]
    pub uuid: String,
    /// Bytes.
    #[serde(rename = "Size", default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Length in seconds.
    #[serde(rename = "Second", default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
    /// 2: download from `Url`.
    #[serde(rename = "Download_Flag")]
    pub download_flag: u32,
}

/// `TIMFileElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileElem {
    /// Where to download it.
    #[serde(rename = "Url")]
    pub url: String,
    /// A unique ID.
    #[serde(rename = "UUID")]
    pub uuid: String,
    /// Bytes.
    #[serde(rename = "FileSize", default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The name shown.
    #[serde(rename = "FileName", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 2: download from `Url`.
    #[serde(rename = "Download_Flag")]
    pub download_flag: u32,
}

/// `TIMVideoFileElem` content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoElem {
    /// Where to download the video.
    #[serde(rename = "VideoUrl")]
    pub url: String,
    /// A unique ID for the video.
    #[serde(rename = "VideoUUID")]
    pub uuid: String,
    /// Bytes.
    #[serde(rename = "VideoSize", default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Length in seconds.
    #[serde(
        rename = "VideoSecond",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub seconds: Option<u64>,
    /// `mp4` and the like.
    #[serde(
        rename = "VideoFormat",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub format: Option<String>,
    /// 2: download from `VideoUrl`.
    #[serde(rename = "VideoDownloadFlag")]
    pub download_flag: u32,
    /// Where to download the thumbnail.
    #[serde(rename = "ThumbUrl")]
    pub thumb_url: String,
    /// A unique ID for the thumbnail.
    #[serde(rename = "ThumbUUID")]
    pub thumb_uuid: String,
    /// Thumbnail bytes.
    #[serde(rename = "ThumbSize", default, skip_serializing_if = "Option::is_none")]
    pub thumb_size: Option<u64>,
    /// Thumbnail pixels.
    #[serde(rename = "ThumbWidth")]
    pub thumb_width: u64,
    /// Thumbnail pixels.
    #[serde(rename = "ThumbHeight")]
    pub thumb_height: u64,
    /// Thumbnail format.
    #[serde(
        rename = "ThumbFormat",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub thumb_format: Option<String>,
    /// 2: download from `ThumbUrl`.
    #[serde(rename = "ThumbDownloadFlag")]
    pub thumb_download_flag: u32,
}

/// `OfflinePushInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfflinePush {
    /// 0 push, 1 do not push. Always written.
    #[serde(rename = "PushFlag", default)]
    pub flag: u32,
    /// Push title.
    #[serde(rename = "Title", default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Push text; overrides every element's.
    #[serde(rename = "Desc", default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    /// Pass-through data.
    #[serde(rename = "Ext", default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<String>,
    /// Android vendor settings.
    #[serde(
        rename = "AndroidInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub android: Option<AndroidPush>,
    /// APNs settings.
    #[serde(rename = "ApnsInfo", default, skip_serializing_if = "Option::is_none")]
    pub apns: Option<ApnsPush>,
}

/// `OfflinePushInfo.AndroidInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AndroidPush {
    /// Sound file.
    #[serde(rename = "Sound", default, skip_serializing_if = "Option::is_none")]
    pub sound: Option<String>,
    /// Huawei channel.
    #[serde(
        rename = "HuaWeiChannelID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub huawei_channel: Option<String>,
    /// Xiaomi channel.
    #[serde(
        rename = "XiaoMiChannelID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub xiaomi_channel: Option<String>,
    /// OPPO channel.
    #[serde(
        rename = "OPPOChannelID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oppo_channel: Option<String>,
    /// Google (FCM) channel.
    #[serde(
        rename = "GoogleChannelID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub google_channel: Option<String>,
    /// vivo: 0 marketing, 1 system.
    #[serde(
        rename = "VIVOClassification",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub vivo_classification: Option<u32>,
    /// Huawei: `LOW` or `NORMAL`.
    #[serde(
        rename = "HuaWeiImportance",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub huawei_importance: Option<HuaweiImportance>,
    /// Huawei category.
    #[serde(
        rename = "HuaWeiCategory",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub huawei_category: Option<String>,
    /// 1: pass `Ext` as the Huawei intent parameter.
    #[serde(
        rename = "ExtAsHuaweiIntentParam",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ext_as_huawei_intent: Option<u32>,
}

/// `HuaWeiImportance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HuaweiImportance {
    /// Silent.
    #[serde(rename = "LOW")]
    Low,
    /// Normal.
    #[serde(rename = "NORMAL")]
    Normal,
}

/// `OfflinePushInfo.ApnsInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApnsPush {
    /// Sound file.
    #[serde(rename = "Sound", default, skip_serializing_if = "Option::is_none")]
    pub sound: Option<String>,
    /// 0 counts toward the badge, 1 does not.
    #[serde(rename = "BadgeMode", default, skip_serializing_if = "Option::is_none")]
    pub badge_mode: Option<u32>,
    /// Title.
    #[serde(rename = "Title", default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Subtitle.
    #[serde(rename = "SubTitle", default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Image URL.
    #[serde(rename = "Image", default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// 1: enable the notification service extension.
    #[serde(
        rename = "MutableContent",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mutable_content: Option<u32>,
}
