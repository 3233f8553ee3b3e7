//! Values a request body's types let through but the API does not take.

use std::fmt::Display;

use super::*;

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
const PUSH_STYLE: Numbered = Numbered {
    name: "PushStyle",
    allowed: &[0, 1],
    meaning: "0 the default style, 1 large text (Huawei, Honor, OPPO)",
};
const OPPO_NOTIFY_LEVEL: Numbered = Numbered {
    name: "OPPONotifyLevel",
    allowed: &[1, 2, 16],
    meaning: "1 notification bar, 2 bar and lock screen, 16 bar, lock screen, banner, vibration and ringtone",
};
const VIVO_NOTIFY_TYPE: Numbered = Numbered {
    name: "VIVONotifyType",
    allowed: &[1, 2, 3, 4],
    meaning: "1 none, 2 ringtone, 3 vibration, 4 ringtone and vibration",
};
const MEIZU_TYPE: Numbered = Numbered {
    name: "MeiZuNoticeMsgType",
    allowed: &[0, 1],
    meaning: "0 an official message, 1 a private message",
};
const CONTENT_AVAILABLE: Numbered = Numbered {
    name: "ContentAvailable",
    allowed: &[0, 1],
    meaning: "1 a silent (background) push, 0 a notification",
};
const VOIP: Numbered = Numbered {
    name: "IsVoipPush",
    allowed: &[0, 1],
    meaning: "1 a VoIP push, 0 a notification",
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

    /// `value` of the field `name` must be from `low` to `high`.
    fn range(&mut self, prefix: impl Display, name: &str, value: Option<u32>, low: u32, high: u32) {
        if let Some(value) = value.filter(|v| !(low..=high).contains(v)) {
            self.push(
                format!("{prefix}{name}"),
                format!("`{name}` is {value}, outside {low} to {high}"),
                format!("`{name}` takes a whole number from {low} to {high}"),
            );
        }
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
            bad_push(push, &mut out);
        }
        out.number("", &READ_RECEIPT, self.need_read_receipt);
        out.number("", &EXTENSION, self.support_extension);
        self.bad_lists(&mut out);
        out.0
    }

    /// A word listed twice in `SendMsgControl` or `ForbidCallbackControl` (an error in
    /// the header too).
    fn bad_lists(&self, out: &mut BadValues) {
        let twice = |words: Vec<String>, field: &str, out: &mut BadValues| {
            for (i, word) in words.iter().enumerate() {
                if words[..i].contains(word) {
                    out.push(
                        format!("{field}[{i}]"),
                        format!("`{word}` is listed twice in `{field}`"),
                        "list each word once",
                    );
                }
            }
        };
        let words = |json: serde_json::Value| -> Vec<String> {
            json.as_array()
                .map(|items| items.iter().map(|item| item.to_string()).collect())
                .unwrap_or_default()
        };
        let control = serde_json::to_value(&self.send_control).unwrap_or_default();
        twice(words(control), "SendMsgControl", out);
        let callback = serde_json::to_value(&self.forbid_callback).unwrap_or_default();
        twice(words(callback), "ForbidCallbackControl", out);
    }
}

/// The values of `OfflinePushInfo` the API does not take.
fn bad_push(push: &OfflinePush, out: &mut BadValues) {
    let prefix = "OfflinePushInfo.";
    out.number(prefix, &PUSH_FLAG, Some(push.flag));
    out.range(prefix, "BadgeAddNum", push.badge_add, 1, 99);
    out.range(prefix, "BadgeSetNum", push.badge_set, 0, 999);
    for (i, language) in push.languages.iter().flatten().enumerate() {
        if language.language.trim().is_empty() {
            out.push(
                format!("{prefix}MultiLanguageContent[{i}].Language"),
                "`Language` is empty".to_owned(),
                "name the language with its code: `en`, `zh-hant`, ...",
            );
        }
    }
    if let Some(android) = &push.android {
        let prefix = "OfflinePushInfo.AndroidInfo.";
        out.number(prefix, &VIVO_CLASSIFICATION, android.vivo_classification);
        out.number(prefix, &EXT_AS_HUAWEI_INTENT, android.ext_as_huawei_intent);
        out.number(prefix, &PUSH_STYLE, android.style);
        out.number(prefix, &OPPO_NOTIFY_LEVEL, android.oppo_notify_level);
        if let Some(notify) = &android.vivo_notify_type {
            match notify.number() {
                Some(number) => out.number(prefix, &VIVO_NOTIFY_TYPE, Some(number)),
                None => out.push(
                    format!("{prefix}VIVONotifyType"),
                    "`VIVONotifyType` is not a number".to_owned(),
                    format!("`VIVONotifyType`: {}", VIVO_NOTIFY_TYPE.meaning),
                ),
            }
        }
        out.number(prefix, &MEIZU_TYPE, android.meizu_type);
    }
    if let Some(apns) = &push.apns {
        let prefix = "OfflinePushInfo.ApnsInfo.";
        out.number(prefix, &BADGE_MODE, apns.badge_mode);
        out.number(prefix, &MUTABLE_CONTENT, apns.mutable_content);
        out.number(prefix, &CONTENT_AVAILABLE, apns.content_available);
        out.number(prefix, &VOIP, apns.voip);
        if let Some(activity) = &apns.live_activity {
            bad_live_activity(activity, out);
        }
    }
    if let Some(harmony) = &push.harmony {
        let prefix = "OfflinePushInfo.HarmonyInfo.";
        out.range(prefix, "SoundDuration", harmony.sound_duration, 1, 60);
    }
}

/// `ApnsInfo.LiveActivity`: an ID of at most 64 bytes and an event of `update` or `end`.
fn bad_live_activity(activity: &LiveActivity, out: &mut BadValues) {
    let prefix = "OfflinePushInfo.ApnsInfo.LiveActivity.";
    if activity.id.is_empty() || activity.id.len() > MAX_LIVE_ACTIVITY_ID {
        out.push(
            format!("{prefix}LaId"),
            format!("`LaId` is {} bytes", activity.id.len()),
            format!("`LaId` names the activity in 1 to {MAX_LIVE_ACTIVITY_ID} bytes"),
        );
    }
    if !["update", "end"].contains(&activity.event.as_str()) {
        out.push(
            format!("{prefix}Event"),
            format!(
                "`Event` is `{}`, but it takes only `update` or `end`",
                activity.event
            ),
            "`Event`: `update` changes the activity, `end` ends it",
        );
    }
    if activity.dismissal_date.is_some() && activity.event != "end" {
        out.push(
            format!("{prefix}DismissalDate"),
            "`DismissalDate` is given, but `Event` is not `end`".to_owned(),
            "`DismissalDate` says when an ended activity leaves the lock screen; it goes with `\"Event\": \"end\"`",
        );
    }
}

/// `LiveActivity.LaId`'s limit, in bytes.
const MAX_LIVE_ACTIVITY_ID: usize = 64;
