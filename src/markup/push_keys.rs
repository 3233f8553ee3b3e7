//! The push notification's header keys (`push`, `push.*`): `OfflinePushInfo` and its
//! Android, APNs and HarmonyOS parts, as a table like [`super::header`]'s.

use super::header::{android, apns, flag, on_off, push, set, word, HeaderKey, HeaderTarget};
use crate::message::{
    GooglePriority, HarmonyPush, Importance, InterruptionLevel, LanguageContent, NumberText,
};

macro_rules! key {
    ($name:literal, $path:literal, $apply:expr) => {
        HeaderKey {
            name: $name,
            path: $path,
            apply: $apply,
        }
    };
}

/// Every `push` key (docs/markup.md lists each in its header table).
pub(crate) static PUSH_KEYS: &[HeaderKey] = &[
    key!("push", "OfflinePushInfo.PushFlag", |t, v| {
        push(t).flag = u32::from(!on_off(&v.value)?);
        Ok(())
    }),
    key!("push.title", "OfflinePushInfo.Title", |t, v| set(
        &mut push(t).title,
        v.value.clone()
    )),
    key!("push.desc", "OfflinePushInfo.Desc", |t, v| set(
        &mut push(t).desc,
        v.value.clone()
    )),
    key!("push.ext", "OfflinePushInfo.Ext", |t, v| set(
        &mut push(t).ext,
        v.value.clone()
    )),
    key!(
        "push.android.sound",
        "OfflinePushInfo.AndroidInfo.Sound",
        |t, v| { set(&mut android(t).sound, v.value.clone()) }
    ),
    key!(
        "push.android.huawei-channel",
        "OfflinePushInfo.AndroidInfo.HuaWeiChannelID",
        |t, v| { set(&mut android(t).huawei_channel, v.value.clone()) }
    ),
    key!(
        "push.android.xiaomi-channel",
        "OfflinePushInfo.AndroidInfo.XiaoMiChannelID",
        |t, v| { set(&mut android(t).xiaomi_channel, v.value.clone()) }
    ),
    key!(
        "push.android.oppo-channel",
        "OfflinePushInfo.AndroidInfo.OPPOChannelID",
        |t, v| { set(&mut android(t).oppo_channel, v.value.clone()) }
    ),
    key!(
        "push.android.google-channel",
        "OfflinePushInfo.AndroidInfo.GoogleChannelID",
        |t, v| { set(&mut android(t).google_channel, v.value.clone()) }
    ),
    key!(
        "push.android.vivo-classification",
        "OfflinePushInfo.AndroidInfo.VIVOClassification",
        |t, v| {
            let value = word(&v.value, &[("marketing", 0), ("system", 1)])?;
            android(t).vivo_classification = Some(value);
            Ok(())
        }
    ),
    key!(
        "push.android.huawei-importance",
        "OfflinePushInfo.AndroidInfo.HuaWeiImportance",
        |t, v| {
            let words = [("low", Importance::Low), ("normal", Importance::Normal)];
            android(t).huawei_importance = Some(word(&v.value, &words)?);
            Ok(())
        }
    ),
    key!(
        "push.android.huawei-category",
        "OfflinePushInfo.AndroidInfo.HuaWeiCategory",
        |t, v| { set(&mut android(t).huawei_category, v.value.clone()) }
    ),
    key!(
        "push.android.ext-as-huawei-intent",
        "OfflinePushInfo.AndroidInfo.ExtAsHuaweiIntentParam",
        |t, v| {
            let value = flag(&v.value)?;
            let android = android(t);
            android.ext_as_huawei_intent = value;
            Ok(())
        }
    ),
    key!(
        "push.apns.sound",
        "OfflinePushInfo.ApnsInfo.Sound",
        |t, v| set(&mut apns(t).sound, v.value.clone())
    ),
    key!(
        "push.apns.title",
        "OfflinePushInfo.ApnsInfo.Title",
        |t, v| set(&mut apns(t).title, v.value.clone())
    ),
    key!(
        "push.apns.subtitle",
        "OfflinePushInfo.ApnsInfo.SubTitle",
        |t, v| { set(&mut apns(t).subtitle, v.value.clone()) }
    ),
    key!(
        "push.apns.image",
        "OfflinePushInfo.ApnsInfo.Image",
        |t, v| set(&mut apns(t).image, v.value.clone())
    ),
    key!(
        "push.apns.badge",
        "OfflinePushInfo.ApnsInfo.BadgeMode",
        |t, v| {
            let value = word(&v.value, &[("count", 0), ("none", 1)])?;
            apns(t).badge_mode = Some(value);
            Ok(())
        }
    ),
    key!(
        "push.apns.mutable",
        "OfflinePushInfo.ApnsInfo.MutableContent",
        |t, v| {
            let value = flag(&v.value)?;
            apns(t).mutable_content = value;
            Ok(())
        }
    ),
    key!(
        "push.languages",
        "OfflinePushInfo.MultiLanguageContent",
        |t, v| {
            let items: Vec<LanguageContent> = json(
                &v.value,
                "a JSON list of {\"Language\", \"Title\", \"Desc\"}",
            )?;
            push(t).languages = Some(items);
            Ok(())
        }
    ),
    key!("push.badge-add", "OfflinePushInfo.BadgeAddNum", |t, v| {
        push(t).badge_add = Some(number(&v.value, 1, 99)?);
        Ok(())
    }),
    key!("push.badge-set", "OfflinePushInfo.BadgeSetNum", |t, v| {
        push(t).badge_set = Some(number(&v.value, 0, 999)?);
        Ok(())
    }),
    key!(
        "push.template-id",
        "OfflinePushInfo.PushTemplateId",
        |t, v| { set(&mut push(t).template_id, v.value.clone()) }
    ),
    key!(
        "push.template-params",
        "OfflinePushInfo.PushTemplateParam",
        |t, v| {
            push(t).template_params = Some(json(&v.value, "a JSON object")?);
            Ok(())
        }
    ),
    key!(
        "push.android.style",
        "OfflinePushInfo.AndroidInfo.PushStyle",
        |t, v| {
            android(t).style = Some(word(&v.value, &[("default", 0), ("large-text", 1)])?);
            Ok(())
        }
    ),
    key!(
        "push.android.oppo-category",
        "OfflinePushInfo.AndroidInfo.OPPOCategory",
        |t, v| set(&mut android(t).oppo_category, v.value.clone())
    ),
    key!(
        "push.android.oppo-notify-level",
        "OfflinePushInfo.AndroidInfo.OPPONotifyLevel",
        |t, v| {
            let words = [("bar", 1), ("lock-screen", 2), ("banner", 16)];
            android(t).oppo_notify_level = Some(word(&v.value, &words)?);
            Ok(())
        }
    ),
    key!(
        "push.android.oppo-template",
        "OfflinePushInfo.AndroidInfo.OPPOPrivateMsgTemplateId",
        |t, v| set(&mut android(t).oppo_template, v.value.clone())
    ),
    key!(
        "push.android.oppo-title-params",
        "OfflinePushInfo.AndroidInfo.OPPOPrivateTitleParameters",
        |t, v| {
            android(t).oppo_title_params = Some(json(&v.value, "a JSON object")?);
            Ok(())
        }
    ),
    key!(
        "push.android.oppo-content-params",
        "OfflinePushInfo.AndroidInfo.OPPOPrivateContentParameters",
        |t, v| {
            android(t).oppo_content_params = Some(json(&v.value, "a JSON object")?);
            Ok(())
        }
    ),
    key!(
        "push.android.vivo-category",
        "OfflinePushInfo.AndroidInfo.VIVOCategory",
        |t, v| set(&mut android(t).vivo_category, v.value.clone())
    ),
    key!(
        "push.android.vivo-notify-type",
        "OfflinePushInfo.AndroidInfo.VIVONotifyType",
        |t, v| {
            let words = [
                ("none", "1"),
                ("sound", "2"),
                ("vibrate", "3"),
                ("sound-and-vibrate", "4"),
            ];
            let number = word(&v.value, &words)?.to_owned();
            android(t).vivo_notify_type = Some(NumberText::Text(number));
            Ok(())
        }
    ),
    key!(
        "push.android.huawei-image",
        "OfflinePushInfo.AndroidInfo.HuaWeiImage",
        |t, v| set(&mut android(t).huawei_image, v.value.clone())
    ),
    key!(
        "push.android.honor-image",
        "OfflinePushInfo.AndroidInfo.HonorImage",
        |t, v| set(&mut android(t).honor_image, v.value.clone())
    ),
    key!(
        "push.android.honor-importance",
        "OfflinePushInfo.AndroidInfo.HonorImportance",
        |t, v| {
            let words = [("low", Importance::Low), ("normal", Importance::Normal)];
            android(t).honor_importance = Some(word(&v.value, &words)?);
            Ok(())
        }
    ),
    key!(
        "push.android.google-image",
        "OfflinePushInfo.AndroidInfo.GoogleImage",
        |t, v| set(&mut android(t).google_image, v.value.clone())
    ),
    key!(
        "push.android.google-priority",
        "OfflinePushInfo.AndroidInfo.GooglePriority",
        |t, v| {
            let words = [
                ("normal", GooglePriority::Normal),
                ("high", GooglePriority::High),
            ];
            android(t).google_priority = Some(word(&v.value, &words)?);
            Ok(())
        }
    ),
    key!(
        "push.android.meizu-type",
        "OfflinePushInfo.AndroidInfo.MeiZuNoticeMsgType",
        |t, v| {
            android(t).meizu_type = Some(word(&v.value, &[("official", 0), ("private", 1)])?);
            Ok(())
        }
    ),
    key!(
        "push.apns.interruption-level",
        "OfflinePushInfo.ApnsInfo.InterruptionLevel",
        |t, v| {
            let words = [
                ("passive", InterruptionLevel::Passive),
                ("active", InterruptionLevel::Active),
                ("time-sensitive", InterruptionLevel::TimeSensitive),
                ("critical", InterruptionLevel::Critical),
            ];
            apns(t).interruption_level = Some(word(&v.value, &words)?);
            Ok(())
        }
    ),
    key!(
        "push.apns.content-available",
        "OfflinePushInfo.ApnsInfo.ContentAvailable",
        |t, v| {
            apns(t).content_available = flag(&v.value)?;
            Ok(())
        }
    ),
    key!(
        "push.apns.voip",
        "OfflinePushInfo.ApnsInfo.IsVoipPush",
        |t, v| {
            apns(t).voip = flag(&v.value)?;
            Ok(())
        }
    ),
    key!(
        "push.harmony.title",
        "OfflinePushInfo.HarmonyInfo.Title",
        |t, v| { set(&mut harmony(t).title, v.value.clone()) }
    ),
    key!(
        "push.harmony.category",
        "OfflinePushInfo.HarmonyInfo.Category",
        |t, v| set(&mut harmony(t).category, v.value.clone())
    ),
    key!(
        "push.harmony.image",
        "OfflinePushInfo.HarmonyInfo.Image",
        |t, v| { set(&mut harmony(t).image, v.value.clone()) }
    ),
    key!(
        "push.harmony.sound",
        "OfflinePushInfo.HarmonyInfo.Sound",
        |t, v| { set(&mut harmony(t).sound, v.value.clone()) }
    ),
    key!(
        "push.harmony.sound-seconds",
        "OfflinePushInfo.HarmonyInfo.SoundDuration",
        |t, v| {
            harmony(t).sound_duration = Some(number(&v.value, 1, 60)?);
            Ok(())
        }
    ),
];

fn harmony<'m>(target: &'m mut HeaderTarget<'_>) -> &'m mut HarmonyPush {
    push(target)
        .harmony
        .get_or_insert_with(HarmonyPush::default)
}

/// A whole number from `low` to `high`.
fn number(text: &str, low: u32, high: u32) -> Result<u32, String> {
    text.parse::<u32>()
        .ok()
        .filter(|n| (low..=high).contains(n))
        .ok_or_else(|| format!("expected a number from {low} to {high}, found `{text}`"))
}

/// A JSON value of the type the field takes (`what` says which, in the error).
fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|error| format!("expected {what}: {error}"))
}
