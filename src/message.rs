//! `Message`: the typed body of a `send_group_msg` request.
//!
//! Field order is the order of SPEC 5, and every optional field is skipped when unset,
//! so `serde_json` writes the exact body. Deserializing refuses unknown fields at
//! every level (a misspelled `GroupAt_account` in a hand-written `.json` is an error,
//! not a silent drop), and [`Message::bad_values`] lists the numbers the types let
//! through but the API does not take (a flag of 7).

use std::fmt::Display;

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

/// A `MsgBody` item: `{"MsgType": ..., "MsgContent": {...}}`. Unknown keys beside
/// the two are refused too: serde ignores them in an adjacently tagged enum unless
/// told otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "MsgType", content = "MsgContent", deny_unknown_fields)]
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

/// A value of a request body that its type allows but the API does not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue {
    /// The JSON path of the value (`GroupAtInfo[0].GroupAtAllFlag`).
    pub path: String,
    /// What is wrong, in one sentence.
    pub problem: String,
    /// What the field takes.
    pub help: String,
}

/// A numeric field that takes only a few values.
struct Numbered {
    name: &'static str,
    allowed: &'static [u32],
    /// What the values mean, for the help line.
    meaning: &'static str,
}

const ONLINE_ONLY: Numbered = Numbered {
    name: "OnlineOnlyFlag",
    allowed: &[0, 1],
    meaning: "1 delivers to online members only, 0 to every member",
};
const READ_RECEIPT: Numbered = Numbered {
    name: "NeedReadReceipt",
    allowed: &[0, 1],
    meaning: "1 asks for read receipts, 0 does not",
};
const EXTENSION: Numbered = Numbered {
    name: "SupportMessageExtension",
    allowed: &[0, 1],
    meaning: "1 lets the message carry extensions, 0 does not",
};
const AT_ALL: Numbered = Numbered {
    name: "GroupAtAllFlag",
    allowed: &[0, 1],
    meaning: "1 mentions everyone, 0 the member named by `GroupAt_Account`",
};
const PUSH_FLAG: Numbered = Numbered {
    name: "PushFlag",
    allowed: &[0, 1],
    meaning: "0 pushes the message to offline members, 1 does not",
};
const VIVO_CLASSIFICATION: Numbered = Numbered {
    name: "VIVOClassification",
    allowed: &[0, 1],
    meaning: "0 marketing, 1 system",
};
const EXT_AS_HUAWEI_INTENT: Numbered = Numbered {
    name: "ExtAsHuaweiIntentParam",
    allowed: &[0, 1],
    meaning: "1 passes `Ext` as the Huawei intent parameter, 0 does not",
};
const BADGE_MODE: Numbered = Numbered {
    name: "BadgeMode",
    allowed: &[0, 1],
    meaning: "0 counts toward the badge, 1 does not",
};
const MUTABLE_CONTENT: Numbered = Numbered {
    name: "MutableContent",
    allowed: &[0, 1],
    meaning: "1 enables the notification service extension, 0 does not",
};
const IMAGE_FORMAT: Numbered = Numbered {
    name: "ImageFormat",
    allowed: &[1, 2, 3, 4, 255],
    meaning: "1 JPG, 2 GIF, 3 PNG, 4 BMP, 255 other",
};
const IMAGE_TYPE: Numbered = Numbered {
    name: "Type",
    allowed: &[1, 2, 3],
    meaning: "1 original, 2 large, 3 thumbnail",
};
const DOWNLOAD_FLAG: Numbered = Numbered {
    name: "Download_Flag",
    allowed: &[2],
    meaning: "2 downloads from `Url`, the only way the server takes",
};
const VIDEO_DOWNLOAD_FLAG: Numbered = Numbered {
    name: "VideoDownloadFlag",
    allowed: &[2],
    meaning: "2 downloads from `VideoUrl`, the only way the server takes",
};
const THUMB_DOWNLOAD_FLAG: Numbered = Numbered {
    name: "ThumbDownloadFlag",
    allowed: &[2],
    meaning: "2 downloads from `ThumbUrl`, the only way the server takes",
};

/// Collects [`BadValue`]s, the path of each built from a prefix and the field name.
struct BadValues(Vec<BadValue>);

impl BadValues {
    fn push(&mut self, path: String, problem: String, help: impl Into<String>) {
        self.0.push(BadValue {
            path,
            problem,
            help: help.into(),
        });
    }

    /// `value` of `field`, at `prefix` + the field's name, must be one it allows.
    fn number(&mut self, prefix: impl Display, field: &Numbered, value: Option<u32>) {
        let Some(value) = value.filter(|v| !field.allowed.contains(v)) else {
            return;
        };
        let allowed: Vec<String> = field.allowed.iter().map(u32::to_string).collect();
        let allowed = match allowed.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        self.push(
            format!("{prefix}{}", field.name),
            format!("`{}` is {value}, but it takes only {allowed}", field.name),
            format!("`{}`: {}", field.name, field.meaning),
        );
    }

    /// A latitude or longitude must be within `limit` degrees of 0.
    fn degrees(&mut self, prefix: impl Display, name: &str, value: Coordinate, limit: f64) {
        if value.0.abs() > limit {
            self.push(
                format!("{prefix}{name}"),
                format!("`{name}` is {}, outside -{limit} to {limit}", value.0),
                format!("`{name}` is in degrees, from -{limit} to {limit}"),
            );
        }
    }
}

impl Message {
    /// The values that the types let through but the API does not take: a flag that is
    /// not 0 or 1, an image format, image type or download flag the API does not
    /// define, a coordinate off the globe, and a `GroupAtInfo` entry whose flag and
    /// account disagree. Markup never makes them; a hand-written `.json` can. In the
    /// order of the fields, which need not be the order of the file.
    pub fn bad_values(&self) -> Vec<BadValue> {
        let mut out = BadValues(Vec::new());
        out.number("", &ONLINE_ONLY, self.online_only);
        for (i, element) in self.body.iter().enumerate() {
            let prefix = format!("MsgBody[{i}].MsgContent.");
            match element {
                Element::TIMLocationElem(location) => {
                    out.degrees(&prefix, "Latitude", location.latitude, 90.0);
                    out.degrees(&prefix, "Longitude", location.longitude, 180.0);
                }
                Element::TIMImageElem(image) => {
                    out.number(&prefix, &IMAGE_FORMAT, image.format);
                    for (j, info) in image.info.iter().enumerate() {
                        let prefix = format!("{prefix}ImageInfoArray[{j}].");
                        out.number(prefix, &IMAGE_TYPE, Some(info.kind));
                    }
                }
                Element::TIMSoundElem(sound) => {
                    out.number(&prefix, &DOWNLOAD_FLAG, Some(sound.download_flag));
                }
                Element::TIMFileElem(file) => {
                    out.number(&prefix, &DOWNLOAD_FLAG, Some(file.download_flag));
                }
                Element::TIMVideoFileElem(video) => {
                    out.number(&prefix, &VIDEO_DOWNLOAD_FLAG, Some(video.download_flag));
                    let flag = Some(video.thumb_download_flag);
                    out.number(&prefix, &THUMB_DOWNLOAD_FLAG, flag);
                }
                Element::TIMTextElem(_) | Element::TIMFaceElem(_) | Element::TIMCustomElem(_) => {}
            }
        }
        for (i, at) in self.group_at.iter().enumerate() {
            let prefix = format!("GroupAtInfo[{i}].");
            out.number(&prefix, &AT_ALL, Some(at.all));
            match (at.all, &at.account) {
                (0, None) => out.push(
                    format!("{prefix}GroupAtAllFlag"),
                    "`GroupAtAllFlag` is 0 (one member), but there is no `GroupAt_Account`"
                        .to_owned(),
                    "name the member with `GroupAt_Account`, or make `GroupAtAllFlag` 1 to mention everyone",
                ),
                (1, Some(_)) => out.push(
                    format!("{prefix}GroupAt_Account"),
                    "`GroupAtAllFlag` is 1 (everyone), but the entry names a `GroupAt_Account`"
                        .to_owned(),
                    "leave out `GroupAt_Account` to mention everyone, or make `GroupAtAllFlag` 0 to mention that member",
                ),
                _ => {}
            }
        }
        if let Some(push) = &self.push {
            out.number("OfflinePushInfo.", &PUSH_FLAG, Some(push.flag));
            if let Some(android) = &push.android {
                let prefix = "OfflinePushInfo.AndroidInfo.";
                out.number(prefix, &VIVO_CLASSIFICATION, android.vivo_classification);
                out.number(prefix, &EXT_AS_HUAWEI_INTENT, android.ext_as_huawei_intent);
            }
            if let Some(apns) = &push.apns {
                let prefix = "OfflinePushInfo.ApnsInfo.";
                out.number(prefix, &BADGE_MODE, apns.badge_mode);
                out.number(prefix, &MUTABLE_CONTENT, apns.mutable_content);
            }
        }
        out.number("", &READ_RECEIPT, self.need_read_receipt);
        out.number("", &EXTENSION, self.support_extension);
        out.0
    }
}
