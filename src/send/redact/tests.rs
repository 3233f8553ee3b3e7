use super::*;

use crate::send::usersig::Claims;

const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

/// A UserSig signed with `KEY`, and its fields.
fn signed() -> (String, Claims) {
    let usersig = usersig::sign(KEY, 1400000000, "admin", 1_700_000_000, 86400);
    let claims = usersig::decode(&usersig).unwrap();
    (usersig, claims)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_encoding_of_a_secret_is_redacted() {
    let secret = "eJw1+a/b=c*d-e_f";
    let redactor = Redactor::new(&[secret]);
    for shown in [
        "eJw1+a/b=c*d-e_f",
        "eJw1%2Ba%2Fb%3Dc*d-e_f",
        "eJw1%2ba%2fb%3dc*d-e_f",
        "%65%4A%77%31%2B%61%2F%62%3D%63%2A%64%2D%65%5F%66",
        "eJw1%252Ba%252Fb%253Dc*d-e_f",
        "eJw1\\u002ba\\/b\\u003Dc*d-e_f",
        "\\u0065Jw1+a\\/b=c*d-e_f",
        "eJw1&#43;a&sol;b&#x3d;c&ast;d-e&lowbar;f",
        "eJw1&amp;#43;a%26%2347%3Bb=c*d-e_f",
        "eJw1\\x2ba/b=c*d-e_f",
        &STANDARD.encode(secret),
        &STANDARD.encode(secret).replace('=', ""),
        &STANDARD.encode(secret).replace('+', "-").replace('/', "_"),
        &STANDARD
            .encode(secret)
            .replace('+', "%2B")
            .replace('/', "%2F"),
        &hex(secret.as_bytes()),
        &hex(secret.as_bytes()).to_uppercase(),
    ] {
        let text = format!("ErrorInfo: usersig={shown}&random=1");
        let redacted = redactor.redact(&text);
        assert_eq!(redacted, "ErrorInfo: usersig=***&random=1", "{shown}");
        assert!(!redactor.finds(&redacted), "{shown}: {redacted}");
    }
    // A secret with a space: `+` and `%20` both spell it.
    let spaced = Redactor::new(&["my secret key"]);
    for shown in [
        "my+secret+key",
        "my%20secret%20key",
        "my secret key",
        "my\\u0020secret key",
    ] {
        assert_eq!(spaced.redact(&format!("[{shown}]")), "[***]", "{shown}");
    }
    // Filler inside a secret is filler however it is written: a character escaped
    // byte by byte too.
    let filler = Redactor::new(&["se\u{a0}cr\u{fffd}et"]);
    for shown in ["se%C2%A0cr%EF%BF%BDet", "secret", "se\\xc2\\xa0cr\\u00a0et"] {
        assert_eq!(filler.redact(&format!("[{shown}]")), "[***]", "{shown}");
    }
    // A secret ending in `\`, JSON-escaped: the longest reading is taken, so no `u005C`
    // is left behind.
    let backslash = Redactor::new(&["ab/cd\\"]);
    assert_eq!(backslash.redact("<ab\\/cd\\u005C>"), "<***>");
    assert_eq!(backslash.redact("<ab/cd\\\\>"), "<***>");
    // A secret holding what looks like an escape is found as itself too.
    let percent = Redactor::new(&["a%41b%", "x&#43;y&amp;"]);
    assert_eq!(percent.redact("<a%41b%41>"), "<***41>");
    assert_eq!(percent.redact("<a%2541b%25>"), "<***>");
    assert_eq!(percent.redact("<x&#43;y&amp;>"), "<***>");
    assert_eq!(percent.redact("<x&amp;#43;y&amp;amp;>"), "<***>");
    // Non-ASCII characters, raw, percent-encoded, JSON-escaped (a surrogate pair too)
    // or HTML references.
    let unicode = Redactor::new(&["clé-🔑-secrète"]);
    for shown in [
        "clé-🔑-secrète",
        "cl%C3%A9-%F0%9F%94%91-secr%C3%A8te",
        "cl\\u00e9-\\ud83d\\udd11-secr\\u00E8te",
        "cl&#233;-&#x1F511;-secr&#232;te",
    ] {
        assert_eq!(unicode.redact(&format!("<{shown}>")), "<***>", "{shown}");
    }
}

#[test]
fn filler_between_the_characters_of_a_secret_hides_nothing() {
    let redactor = Redactor::new(&[KEY]);
    let base64 = STANDARD.encode(KEY);
    let utf16 = |filler: &str| -> String { KEY.chars().map(|c| format!("{c}{filler}")).collect() };
    let wrapped = |width: usize, newline: &str| -> String {
        let lines: Vec<&str> = base64
            .as_bytes()
            .chunks(width)
            .map(|line| std::str::from_utf8(line).unwrap())
            .collect();
        lines.join(newline)
    };
    for shown in [
        // MIME's base64, 76 characters a line, and narrower; as timl would show it.
        wrapped(76, "\r\n"),
        wrapped(76, "␍␊"),
        wrapped(8, "\n"),
        wrapped(1, " "),
        wrapped(76, "\\r\\n"),
        wrapped(76, "%0D%0A"),
        wrapped(76, "&#13;&#10;"),
        // UTF-16, little- and big-endian, as it is and as timl would show it.
        utf16("\0"),
        utf16("␀"),
        utf16("\\u0000"),
        utf16("%00"),
        utf16("\\x00"),
        // Anything between the characters.
        utf16("\t "),
        utf16("    "),
        utf16("\u{200b}"),
        utf16("\u{feff}"),
        utf16("&nbsp;"),
        utf16("+"),
        // HTML references, decimal and hex.
        KEY.bytes().map(|b| format!("&#{b};")).collect(),
        KEY.bytes().map(|b| format!("&#x{b:X};")).collect(),
        KEY.bytes().map(|b| format!("&#x{b:x}\n")).collect(),
        KEY.bytes().map(|b| format!("&amp;#{b};")).collect(),
    ] {
        let shown =
            shown.trim_end_matches(['\0', '␀', ' ', '\n', '\t', '\u{200b}', '\u{feff}', '+']);
        let shown = shown.trim_end_matches("&nbsp;").trim_end_matches("\\u0000");
        let shown = shown.trim_end_matches("%00").trim_end_matches("\\x00");
        let redacted = redactor.redact(&format!("key: {shown}."));
        assert_eq!(redacted, "key: ***.", "{shown:?}");
    }
}

#[test]
fn a_usersig_echoed_decoded_shows_no_signature() {
    let (usersig, claims) = signed();
    let json = serde_json::to_string(&claims).unwrap();
    assert!(json.contains(&format!("\"TLS.sig\":\"{}\"", claims.sig)));
    let mac = STANDARD.decode(&claims.sig).unwrap();
    // Given the UserSig alone (`--usersig-file`), or the key and the UserSig it signed.
    let given = Redactor::new(&[&usersig]);
    let signed = Redactor::new(&[KEY, &usersig]);
    let pretty = serde_json::to_string_pretty(&claims).unwrap();
    for redactor in [given, signed] {
        // The JSON as it is: only the signature goes.
        let redacted = redactor.redact(&format!("bad usersig {json}"));
        assert_eq!(
            redacted,
            format!("bad usersig {}", json.replace(&claims.sig, "***"))
        );
        for shown in [
            pretty.clone(),
            serde_json::to_string(&json).unwrap(),
            json.replace('/', "\\/"),
            json.replace('+', "%2B").replace('/', "%2F"),
            json.replace('"', "&quot;").replace('+', "&#43;"),
            claims.sig.chars().map(|c| format!("{c}\0")).collect(),
            STANDARD.encode(&json),
            STANDARD.encode(format!("xx{json}")),
            hex(json.as_bytes()),
            hex(&mac),
            STANDARD.encode(&mac),
            // The UserSig in the standard alphabet, and its bytes.
            STANDARD.encode(usersig::compressed(&usersig).unwrap()),
            hex(&usersig::compressed(&usersig).unwrap()),
        ] {
            let redacted = redactor.redact(&format!("bad usersig {shown}"));
            assert!(redacted.contains("***"), "{shown}: {redacted}");
            assert!(!redacted.contains(&claims.sig), "{shown}: {redacted}");
            let sig_alone = Redactor::new(&[&claims.sig]);
            assert!(!sig_alone.finds(&redacted), "{shown}: {redacted}");
        }
    }
    // A text that only looks like a UserSig adds no signature: nothing to decode.
    assert_eq!(
        Redactor::new(&["eJyrVkrOL8pMjs+vS/Q0MDA0MzO2"])
            .patterns
            .len(),
        Redactor::new(&["eJyrVkrOL8pMjs+vS/Q0MDA0MzO3"])
            .patterns
            .len()
    );
}

#[test]
fn ordinary_text_is_left_alone() {
    let (usersig, _) = signed();
    let redactor = Redactor::new(&[
        "0123456789abcdef",
        "eJw1+a/b=c*d-e_f",
        "short",
        KEY,
        &usersig,
    ]);
    let base64 = STANDARD.encode("an unrelated text of some length, base64-encoded");
    for text in [
        "",
        "the group does not exist %2B \\u002b \\/ +",
        "0123456789abcde",
        "0 1 2 3 4 5 6 7 8 9 a b c d e",
        "ab%",
        "\\u12",
        "%ZZ",
        "short",
        "s h o r t",
        "clé 🔑",
        "&amp; &lt;b&gt; &#43; &#x2B; &nbsp; & #; &#; &",
        "Fail to Parse json data of body, Please check it",
        "{\"ActionStatus\":\"FAIL\",\"ErrorInfo\":\"Err_Group_Not_Found\",\"ErrorCode\":10010}",
        "<html><body><p>502 Bad Gateway</p>\r\n\0\t</body></html>",
        "https://console.tim.qq.com/v4/group_open_http_svc/send_group_msg?sdkappid=1400000000",
        "␛[31mred␛[0m ␊ ␀ �",
        "5bd2850f ff3ecb11 d7c80525 1c51ee46",
        "eJyr + eJw1 + a/b",
        &base64,
    ] {
        assert_eq!(redactor.redact(text), text, "{text}");
        assert!(!redactor.finds(text), "{text}");
    }
    assert_eq!(Redactor::default().redact("anything"), "anything");
}

#[test]
fn finds_next_to_each_other_are_cut_once_and_the_rest_is_kept() {
    let redactor = Redactor::new(&["0123456789abcdef", "secret-token"]);
    assert_eq!(
        redactor.redact("a 0123456789abcdefsecret-token b secret-token"),
        "a *** b ***"
    );
    // Filler before and after a secret is not part of it.
    assert_eq!(redactor.redact("[\n secret-token \0]"), "[\n *** \0]");
}

/// A server's answer is at most 10 MB (ureq's limit on a body read whole). This one is
/// built to make a matcher that backtracks, or walks a run of filler once for every
/// place it could have begun, take a very long time: near misses of every form spread
/// over long filler runs, runs of escapes that begin but never end, escapes nested
/// deeper than read, and a secret made of one repeated character.
#[test]
fn a_large_hostile_text_is_redacted_exactly() {
    let (usersig, claims) = signed();
    let periodic = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";
    let redactor = Redactor::new(&[KEY, &usersig, periodic]);
    let near_misses = [
        &KEY[..KEY.len() - 1],
        // Its compressed bytes' base64 is all of it but the padding.
        &usersig[..usersig.len() - 6],
        // The signature's first 42 characters are its bytes' base64 (all but 4 bits).
        &claims.sig[..41],
        &periodic[..periodic.len() - 1],
    ];
    let mut text = String::new();
    let mut round = 0;
    while text.len() < 3_000_000 {
        let miss = near_misses[round % near_misses.len()];
        let filler = ["\0", " ", "␊", "%00", "\\u0000", "&#10;", "+", "\r\n"][round % 8];
        let run = filler.repeat(1 + round % 200);
        for c in miss.chars() {
            text.push(c);
            text.push_str(&run);
        }
        text.push('!');
        text.push_str(
            ["%", "+", "\\u", "&#", "%25", "&amp;", "a", "\\"][round % 8]
                .repeat(2000)
                .as_str(),
        );
        text.push_str(&"&#0000000000".repeat(50));
        text.push_str("%252525252541 &amp;amp;amp;#43; ");
        round += 1;
    }
    let secret: String = claims
        .sig
        .chars()
        .map(|c| format!("&#{};\n", c as u32))
        .collect();
    let secret = secret.trim_end();
    let redacted = redactor.redact(&format!("{text}<{secret}>"));
    // Not `assert_eq!`: a failure would print megabytes.
    let kept = redacted.len().min(text.len());
    let same = text
        .bytes()
        .zip(redacted.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    assert_eq!(
        same,
        kept,
        "changed at {same}: {:?}",
        &redacted[same.saturating_sub(80)..][..160]
    );
    assert_eq!(&redacted[text.len()..], "<***>");
}
