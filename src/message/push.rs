//! `OfflinePushInfo`: the offline push notification, with its Android and APNs parts.

use serde::{Deserialize, Serialize};

/// `OfflinePushInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// Title and text per system language.
    #[serde(
        rename = "MultiLanguageContent",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub languages: Option<Vec<LanguageContent>>,
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
    /// HarmonyOS settings.
    #[serde(
        rename = "HarmonyInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub harmony: Option<HarmonyPush>,
    /// Adds to the badge (APNs, Huawei, Honor, Harmony): 1 to 99.
    #[serde(
        rename = "BadgeAddNum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub badge_add: Option<u32>,
    /// Sets the badge: 0 to 999 (APNs), 0 to 99 (Huawei, Honor, Harmony).
    #[serde(
        rename = "BadgeSetNum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub badge_set: Option<u32>,
    /// A push template made in the console.
    #[serde(
        rename = "PushTemplateId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub template_id: Option<String>,
    /// Values for the template's own variables.
    #[serde(
        rename = "PushTemplateParam",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub template_params: Option<serde_json::Map<String, serde_json::Value>>,
}

/// An item of `MultiLanguageContent`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageContent {
    /// The language code (`en`, `zh-hant`, ...).
    #[serde(rename = "Language")]
    pub language: String,
    /// The title in that language.
    #[serde(rename = "Title", default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The text in that language.
    #[serde(rename = "Desc", default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
}

/// `OfflinePushInfo.HarmonyInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HarmonyPush {
    /// Title.
    #[serde(rename = "Title", default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Message category.
    #[serde(rename = "Category", default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Image URL (https).
    #[serde(rename = "Image", default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Sound file in `resources/rawfile`, with its suffix.
    #[serde(rename = "Sound", default, skip_serializing_if = "Option::is_none")]
    pub sound: Option<String>,
    /// Seconds of sound: 1 to 60.
    #[serde(
        rename = "SoundDuration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sound_duration: Option<u32>,
}

/// `OfflinePushInfo.AndroidInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    pub huawei_importance: Option<Importance>,
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
    /// 0 default, 1 large text (Huawei, Honor, OPPO).
    #[serde(rename = "PushStyle", default, skip_serializing_if = "Option::is_none")]
    pub style: Option<u32>,
    /// OPPO message category (`IM`, `MARKETING`, ...).
    #[serde(
        rename = "OPPOCategory",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oppo_category: Option<String>,
    /// OPPO private-message template.
    #[serde(
        rename = "OPPOPrivateMsgTemplateId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oppo_template: Option<String>,
    /// OPPO template title parameters.
    #[serde(
        rename = "OPPOPrivateTitleParameters",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oppo_title_params: Option<serde_json::Map<String, serde_json::Value>>,
    /// OPPO template content parameters.
    #[serde(
        rename = "OPPOPrivateContentParameters",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oppo_content_params: Option<serde_json::Map<String, serde_json::Value>>,
    /// OPPO: 1 bar, 2 bar and lock screen, 16 bar, lock screen, banner, vibration and sound.
    #[serde(
        rename = "OPPONotifyLevel",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oppo_notify_level: Option<u32>,
    /// vivo message category (`IM`, `MARKETING`, ...); replaces `VIVOClassification`.
    #[serde(
        rename = "VIVOCategory",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub vivo_category: Option<String>,
    /// vivo: 1 none, 2 sound, 3 vibration, 4 sound and vibration.
    #[serde(
        rename = "VIVONotifyType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub vivo_notify_type: Option<NumberText>,
    /// Huawei icon URL (https).
    #[serde(
        rename = "HuaWeiImage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub huawei_image: Option<String>,
    /// Honor icon URL (https).
    #[serde(
        rename = "HonorImage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub honor_image: Option<String>,
    /// Honor: `LOW` (marketing) or `NORMAL` (service).
    #[serde(
        rename = "HonorImportance",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub honor_importance: Option<Importance>,
    /// FCM image URL.
    #[serde(
        rename = "GoogleImage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub google_image: Option<String>,
    /// FCM priority.
    #[serde(
        rename = "GooglePriority",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub google_priority: Option<GooglePriority>,
    /// Meizu: 0 official, 1 private.
    #[serde(
        rename = "MeiZuNoticeMsgType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub meizu_type: Option<u32>,
}

/// A number the documentation types as a string (`VIVONotifyType`: `"4"`) and SDKs
/// send as a number (`4`). A `.json` input may give either and keeps its form; the
/// header key writes the documented string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumberText {
    /// As a JSON number.
    Number(u32),
    /// As a JSON string of digits.
    Text(String),
}

impl NumberText {
    /// The number, if the text is one.
    pub fn number(&self) -> Option<u32> {
        match self {
            NumberText::Number(number) => Some(*number),
            NumberText::Text(text) if text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
            NumberText::Text(_) => None,
        }
    }
}

/// FCM's `GooglePriority`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GooglePriority {
    /// Delivered when convenient.
    Normal,
    /// Wakes the device.
    High,
}

/// `HuaWeiImportance` and `HonorImportance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Importance {
    /// Silent.
    #[serde(rename = "LOW")]
    Low,
    /// Normal.
    #[serde(rename = "NORMAL")]
    Normal,
}

/// `OfflinePushInfo.ApnsInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// iOS 15 and later: how the notification interrupts.
    #[serde(
        rename = "InterruptionLevel",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub interruption_level: Option<InterruptionLevel>,
    /// 1: a silent (background) push.
    #[serde(
        rename = "ContentAvailable",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub content_available: Option<u32>,
    /// 1: a VoIP push.
    #[serde(
        rename = "IsVoipPush",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub voip: Option<u32>,
    /// A Live Activity update.
    #[serde(
        rename = "LiveActivity",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub live_activity: Option<LiveActivity>,
}

/// `ApnsInfo.LiveActivity`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveActivity {
    /// The activity (at most 64 bytes).
    #[serde(rename = "LaId")]
    pub id: String,
    /// `update` or `end`.
    #[serde(rename = "Event")]
    pub event: String,
    /// The app's own state, as the client defines it.
    #[serde(rename = "ContentState")]
    pub content_state: serde_json::Map<String, serde_json::Value>,
    /// When an ended activity leaves the lock screen (Unix seconds).
    #[serde(
        rename = "DismissalDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub dismissal_date: Option<u64>,
}

/// `ApnsInfo.InterruptionLevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InterruptionLevel {
    /// Silently into the notification centre.
    Passive,
    /// Sound and banner (the default).
    Active,
    /// Breaks through Focus.
    TimeSensitive,
    /// Breaks through mute (needs Apple's approval).
    Critical,
}
