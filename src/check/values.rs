//! Values the types hold but the server or the apps cannot take: an address the apps
//! cannot load (empty, not `https://` or `http://`, with white space inside), and an
//! account or topic ID holding control, bidirectional or invisible characters, which
//! no account is named with and which make the ID read as another.

use crate::diag::render::{self, bidi};
use crate::diag::{rules, Diagnostic, Rule};
use crate::message::{Element, Message};

/// Runs the value checks over `message`.
pub fn check_values(message: &Message, out: &mut Vec<Diagnostic>) {
    for (path, url) in addresses(message) {
        if let Some((rule, problem)) = url_problem(url) {
            out.push(
                Diagnostic::new(rule, format!("`{}`: {problem}", field(&path)))
                    .at_path(path)
                    .help("the apps download a file or picture from an `https://` address (`https://cdn.example.com/a.png`)"),
            );
        }
    }
    check_android_sound(message, out);
    let mut ids: Vec<(String, &str, &'static Rule)> = Vec::new();
    if let Some(topic) = &message.topic_id {
        ids.push(("TopicId".to_owned(), topic, &rules::TOPIC));
    }
    if let Some(from) = &message.from_account {
        ids.push(("From_Account".to_owned(), from, &rules::ACCOUNT_ID));
    }
    for (i, id) in message.to_account.iter().enumerate() {
        ids.push((format!("To_Account[{i}]"), id, &rules::ACCOUNT_ID));
    }
    for (i, at) in message.group_at.iter().enumerate() {
        if let Some(id) = &at.account {
            ids.push((
                format!("GroupAtInfo[{i}].GroupAt_Account"),
                id,
                &rules::ACCOUNT_ID,
            ));
        }
    }
    for (path, id, rule) in ids {
        if let Some(c) = id.chars().find(|&c| unseen(c)) {
            out.push(
                Diagnostic::new(
                    rule,
                    format!(
                        "`{}` holds {}, which no ID is named with",
                        field(&path),
                        describe(c)
                    ),
                )
                .at_path(path)
                .help("IDs are printable text; retype the ID (copied text can carry invisible characters)"),
            );
        }
    }
}

/// Android plays `res/raw/NAME.*`: a sound given with its suffix (`shake.mp3`) names
/// no file, and members hear the default sound.
fn check_android_sound(message: &Message, out: &mut Vec<Diagnostic>) {
    let sound = message
        .push
        .as_ref()
        .and_then(|push| push.android.as_ref())
        .and_then(|android| android.sound.as_deref());
    let Some(sound) = sound else {
        return;
    };
    let Some((stem, suffix)) = sound.rsplit_once('.') else {
        return;
    };
    const SOUNDS: &[&str] = &[
        "mp3", "wav", "ogg", "m4a", "aac", "caf", "flac", "amr", "mid", "aiff",
    ];
    if !stem.is_empty() && SOUNDS.contains(&suffix.to_ascii_lowercase().as_str()) {
        out.push(
            Diagnostic::new(
                &rules::PUSH_ANDROID_SOUND,
                format!("`push.android.sound` is `{sound}`: Android looks the sound up without its suffix"),
            )
            .at_path("OfflinePushInfo.AndroidInfo.Sound")
            .help(format!("write `push.android.sound: {stem}` (it plays `res/raw/{stem}.{suffix}`); `push.apns.sound` is the one with its suffix")),
        );
    }
}

/// The last field name of a JSON path (`URL` of `MsgBody[0].MsgContent.ImageInfoArray[1].URL`).
fn field(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

/// Every address of `message` the apps load, with its JSON path.
fn addresses(message: &Message) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    for (i, element) in message.body.iter().enumerate() {
        let at = |field: &str| format!("MsgBody[{i}].MsgContent.{field}");
        match element {
            Element::TIMImageElem(image) => {
                for (j, info) in image.info.iter().enumerate() {
                    out.push((at(&format!("ImageInfoArray[{j}].URL")), info.url.as_str()));
                }
            }
            Element::TIMSoundElem(sound) => out.push((at("Url"), sound.url.as_str())),
            Element::TIMFileElem(file) => out.push((at("Url"), file.url.as_str())),
            Element::TIMVideoFileElem(video) => {
                out.push((at("VideoUrl"), video.url.as_str()));
                out.push((at("ThumbUrl"), video.thumb_url.as_str()));
            }
            _ => {}
        }
    }
    if let Some(push) = &message.push {
        let mut images = Vec::new();
        if let Some(apns) = &push.apns {
            images.push(("ApnsInfo.Image", &apns.image));
        }
        if let Some(android) = &push.android {
            images.push(("AndroidInfo.HuaWeiImage", &android.huawei_image));
            images.push(("AndroidInfo.HonorImage", &android.honor_image));
            images.push(("AndroidInfo.GoogleImage", &android.google_image));
        }
        if let Some(harmony) = &push.harmony {
            images.push(("HarmonyInfo.Image", &harmony.image));
        }
        for (path, url) in images {
            if let Some(url) = url {
                out.push((format!("OfflinePushInfo.{path}"), url.as_str()));
            }
        }
    }
    out
}

/// Why the apps cannot load `url` (`url`), or may not (`url-form`).
fn url_problem(url: &str) -> Option<(&'static Rule, String)> {
    let cannot = |problem: String| Some((&rules::URL, problem));
    let may_not = |problem: String| Some((&rules::URL_FORM, problem));
    if url.trim().is_empty() {
        return cannot("the address is empty".to_owned());
    }
    if let Some(c) = url.chars().find(|&c| unseen(c)) {
        return cannot(format!("the address holds {}", describe(c)));
    }
    let scheme = url
        .split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase())
        .filter(|s| {
            s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
    match scheme.as_deref() {
        Some("https" | "http") => {
            let host = url.split_once("://").map_or("", |(_, rest)| rest);
            let host = host.split(['/', '?', '#']).next().unwrap_or("");
            if host.is_empty() {
                cannot("the address names no host".to_owned())
            } else if let Some(c) = url.chars().find(|c| c.is_whitespace()) {
                may_not(format!(
                    "the address holds {}; write it as `%20`",
                    describe(c)
                ))
            } else {
                None
            }
        }
        Some(scheme) => cannot(format!(
            "the apps do not load `{scheme}:` addresses (`https://` only)"
        )),
        None => may_not(format!(
            "`{}` has no `https://`: the apps may not load it",
            abbreviate(url)
        )),
    }
}

/// Control, bidirectional, zero-width and other invisible characters: those the
/// terminal output shows as stand-ins, and the zero-width joiners, which no ID needs.
fn unseen(c: char) -> bool {
    render::unseen(c) || matches!(c, '\u{200c}' | '\u{200d}')
}

fn describe(c: char) -> String {
    let what = if c.is_control() {
        "the control character"
    } else if bidi(c) {
        "the bidirectional control"
    } else if c.is_whitespace() {
        "the white space"
    } else {
        "the invisible character"
    };
    format!("{what} U+{:04X}", u32::from(c))
}

fn abbreviate(text: &str) -> String {
    if text.chars().count() <= 40 {
        text.to_owned()
    } else {
        format!("{}...", text.chars().take(37).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_the_apps_load() {
        let rule = |url: &str| url_problem(url).map(|(rule, _)| rule.name);
        for good in [
            "https://cdn.example.com/a.png",
            "http://x/a.png",
            "HTTPS://X/a",
        ] {
            assert_eq!(rule(good), None, "{good}");
        }
        for bad in [
            "",
            " ",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "file:///etc/passwd",
            "intent://scan/#Intent;scheme=zxing;end",
            "data:image/png;base64,AAAA",
            "https://",
            "https:///a.png",
            "https://x/\u{202E}gnp.exe",
            "https://x/\ta.png",
        ] {
            assert_eq!(rule(bad), Some("url"), "{bad:?}");
        }
        for doubtful in ["a.png", "www.image.com", "https://x/a b.png", "/a.png"] {
            assert_eq!(rule(doubtful), Some("url-form"), "{doubtful:?}");
        }
    }

    #[test]
    fn invisible_characters() {
        for c in [
            '\0',
            '\u{7}',
            '\u{202E}',
            '\u{200B}',
            '\u{FEFF}',
            '\u{2066}',
            '\u{E0041}',
        ] {
            assert!(unseen(c), "{c:?}");
        }
        for c in ['a', '陈', ' ', '-', '😀'] {
            assert!(!unseen(c), "{c:?}");
        }
    }
}
