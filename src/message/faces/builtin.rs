//! TUIKit's default catalog: the 62 small emoji every current kit knows (the same
//! keys in the same order on Android, iOS, Web and Flutter) and the 51 stickers of
//! Tencent's three demo groups. Only names and addresses: the pictures are
//! Tencent's, loaded from its web kit's CDN, never copied into timl.

/// Where Tencent's web kit loads the small emoji from (`emoji_N@2x.png`).
pub const EMOJI_CDN: &str = "https://web.sdk.qcloud.com/im/assets/emoji-plugin/";
/// Where Tencent's web kit loads a sticker from: this, the sticker's name, `@2x.png`.
pub const STICKER_CDN: &str = "https://web.sdk.qcloud.com/im/assets/face-elem/";

/// One default emoji: the key sent in text, the web CDN file, and the names the
/// kits show (English, simplified and traditional Chinese).
pub struct BuiltinEmoji {
    pub key: &'static str,
    pub web_file: &'static str,
    pub english: &'static str,
    pub simplified: &'static str,
    pub traditional: &'static str,
}

const fn emoji(
    key: &'static str,
    web_file: &'static str,
    english: &'static str,
    simplified: &'static str,
    traditional: &'static str,
) -> BuiltinEmoji {
    BuiltinEmoji {
        key,
        web_file,
        english,
        simplified,
        traditional,
    }
}

/// The 62 keys, in the kits' order (Android's `values`, `values-zh` and
/// `values-zh-rHK` names; the web file numbers differ from the native ones).
pub static EMOJI: [BuiltinEmoji; 62] = [
    emoji(
        "[TUIEmoji_Smile]",
        "emoji_6@2x.png",
        "Smile",
        "微笑",
        "微笑",
    ),
    emoji(
        "[TUIEmoji_Expect]",
        "emoji_0@2x.png",
        "Expect",
        "期待",
        "期待",
    ),
    emoji(
        "[TUIEmoji_Blink]",
        "emoji_1@2x.png",
        "Blink",
        "眨眼",
        "眨眼",
    ),
    emoji(
        "[TUIEmoji_Guffaw]",
        "emoji_2@2x.png",
        "Guffaw",
        "大笑",
        "大笑",
    ),
    emoji(
        "[TUIEmoji_KindSmile]",
        "emoji_3@2x.png",
        "Kind Smile",
        "姨母笑",
        "姨母笑",
    ),
    emoji(
        "[TUIEmoji_Haha]",
        "emoji_4@2x.png",
        "Haha",
        "哈哈哈",
        "哈哈哈",
    ),
    emoji(
        "[TUIEmoji_Cheerful]",
        "emoji_5@2x.png",
        "Cheerful",
        "愉快",
        "愉快",
    ),
    emoji(
        "[TUIEmoji_Speechless]",
        "emoji_8@2x.png",
        "Speechless",
        "无语",
        "無語",
    ),
    emoji(
        "[TUIEmoji_Amazed]",
        "emoji_9@2x.png",
        "Amazed",
        "惊讶",
        "驚訝",
    ),
    emoji(
        "[TUIEmoji_Sorrow]",
        "emoji_7@2x.png",
        "Sorrow",
        "悲伤",
        "悲傷",
    ),
    emoji(
        "[TUIEmoji_Complacent]",
        "emoji_10@2x.png",
        "Complacent",
        "得意",
        "得意",
    ),
    emoji(
        "[TUIEmoji_Silly]",
        "emoji_18@2x.png",
        "Silly",
        "傻了",
        "傻了",
    ),
    emoji(
        "[TUIEmoji_Lustful]",
        "emoji_11@2x.png",
        "Lustful",
        "色",
        "色",
    ),
    emoji(
        "[TUIEmoji_Giggle]",
        "emoji_13@2x.png",
        "Giggle",
        "憨笑",
        "憨笑",
    ),
    emoji("[TUIEmoji_Kiss]", "emoji_20@2x.png", "Kiss", "亲亲", "親親"),
    emoji("[TUIEmoji_Wail]", "emoji_19@2x.png", "Wail", "大哭", "大哭"),
    emoji(
        "[TUIEmoji_TearsLaugh]",
        "emoji_17@2x.png",
        "Tears Laugh",
        "哭笑",
        "哭笑",
    ),
    emoji(
        "[TUIEmoji_Trapped]",
        "emoji_21@2x.png",
        "Trapped",
        "困",
        "困",
    ),
    emoji("[TUIEmoji_Mask]", "emoji_32@2x.png", "Mask", "口罩", "口罩"),
    emoji("[TUIEmoji_Fear]", "emoji_22@2x.png", "Fear", "恐惧", "恐懼"),
    emoji(
        "[TUIEmoji_BareTeeth]",
        "emoji_23@2x.png",
        "Bare Teeth",
        "龇牙",
        "齜牙",
    ),
    emoji(
        "[TUIEmoji_FlareUp]",
        "emoji_24@2x.png",
        "Flare Up",
        "发怒",
        "發怒",
    ),
    emoji(
        "[TUIEmoji_Yawn]",
        "emoji_16@2x.png",
        "Yawn",
        "打哈欠",
        "打哈欠",
    ),
    emoji("[TUIEmoji_Tact]", "emoji_25@2x.png", "Tact", "机智", "機智"),
    emoji(
        "[TUIEmoji_Stareyes]",
        "emoji_12@2x.png",
        "Stareyes",
        "星星眼",
        "星星眼",
    ),
    emoji(
        "[TUIEmoji_ShutUp]",
        "emoji_27@2x.png",
        "Shut Up",
        "闭嘴",
        "閉嘴",
    ),
    emoji("[TUIEmoji_Sigh]", "emoji_28@2x.png", "Sigh", "叹气", "嘆氣"),
    emoji("[TUIEmoji_Hehe]", "emoji_29@2x.png", "Hehe", "呵呵", "呵呵"),
    emoji(
        "[TUIEmoji_Silent]",
        "emoji_30@2x.png",
        "Silent",
        "收声",
        "收聲",
    ),
    emoji(
        "[TUIEmoji_Surprised]",
        "emoji_44@2x.png",
        "Surprised",
        "惊喜",
        "驚喜",
    ),
    emoji(
        "[TUIEmoji_Askance]",
        "emoji_45@2x.png",
        "Askance",
        "白眼",
        "白眼",
    ),
    emoji("[TUIEmoji_Ok]", "emoji_49@2x.png", "OK", "OK", "OK"),
    emoji("[TUIEmoji_Shit]", "emoji_26@2x.png", "Shit", "便便", "便便"),
    emoji(
        "[TUIEmoji_Monster]",
        "emoji_46@2x.png",
        "Monster",
        "怪兽",
        "怪獸",
    ),
    emoji(
        "[TUIEmoji_Daemon]",
        "emoji_14@2x.png",
        "Daemon",
        "恶魔",
        "惡魔",
    ),
    emoji(
        "[TUIEmoji_Rage]",
        "emoji_15@2x.png",
        "Rage",
        "恶魔怒",
        "惡魔怒",
    ),
    emoji("[TUIEmoji_Fool]", "emoji_43@2x.png", "Fool", "衰", "衰"),
    emoji("[TUIEmoji_Pig]", "emoji_47@2x.png", "Pig", "猪", "豬"),
    emoji("[TUIEmoji_Cow]", "emoji_42@2x.png", "Cow", "牛", "牛"),
    emoji("[TUIEmoji_Ai]", "emoji_37@2x.png", "Ai", "AI", "AI"),
    emoji(
        "[TUIEmoji_Skull]",
        "emoji_31@2x.png",
        "Skull",
        "骷髅",
        "骷髏",
    ),
    emoji(
        "[TUIEmoji_Bombs]",
        "emoji_36@2x.png",
        "Bombs",
        "炸弹",
        "炸彈",
    ),
    emoji(
        "[TUIEmoji_Coffee]",
        "emoji_48@2x.png",
        "Coffee",
        "咖啡",
        "咖啡",
    ),
    emoji("[TUIEmoji_Cake]", "emoji_34@2x.png", "Cake", "蛋糕", "蛋糕"),
    emoji("[TUIEmoji_Beer]", "emoji_33@2x.png", "Beer", "啤酒", "啤酒"),
    emoji("[TUIEmoji_Flower]", "emoji_40@2x.png", "Flower", "花", "花"),
    emoji(
        "[TUIEmoji_Watermelon]",
        "emoji_41@2x.png",
        "Watermelon",
        "瓜",
        "瓜",
    ),
    emoji("[TUIEmoji_Rich]", "emoji_54@2x.png", "Rich", "壕", "壕"),
    emoji(
        "[TUIEmoji_Heart]",
        "emoji_50@2x.png",
        "Heart",
        "爱心",
        "愛心",
    ),
    emoji("[TUIEmoji_Moon]", "emoji_52@2x.png", "Moon", "月亮", "月亮"),
    emoji("[TUIEmoji_Sun]", "emoji_51@2x.png", "Sun", "太阳", "太陽"),
    emoji("[TUIEmoji_Star]", "emoji_53@2x.png", "Star", "星星", "星星"),
    emoji(
        "[TUIEmoji_RedPacket]",
        "emoji_35@2x.png",
        "Red Packet",
        "红包",
        "紅包",
    ),
    emoji(
        "[TUIEmoji_Celebrate]",
        "emoji_38@2x.png",
        "Celebrate",
        "庆祝",
        "慶祝",
    ),
    emoji("[TUIEmoji_Bless]", "emoji_39@2x.png", "Bless", "福", "福"),
    emoji(
        "[TUIEmoji_Fortune]",
        "emoji_55@2x.png",
        "Fortune",
        "发",
        "發",
    ),
    emoji(
        "[TUIEmoji_Convinced]",
        "emoji_59@2x.png",
        "Convinced",
        "服",
        "服",
    ),
    emoji(
        "[TUIEmoji_Prohibit]",
        "emoji_58@2x.png",
        "Prohibit",
        "禁",
        "禁",
    ),
    emoji("[TUIEmoji_666]", "emoji_57@2x.png", "666", "666", "666"),
    emoji("[TUIEmoji_857]", "emoji_56@2x.png", "857", "857", "857"),
    emoji("[TUIEmoji_Knife]", "emoji_60@2x.png", "Knife", "刀", "刀"),
    emoji("[TUIEmoji_Like]", "emoji_61@2x.png", "Like", "赞", "讚"),
];

/// The sticker groups: `Index`, the names' prefix, and how many (`yz00` to `yz17`).
pub static STICKER_GROUPS: [(u32, &str, usize); 3] = [(1, "yz", 18), (2, "ys", 16), (3, "gcs", 17)];
