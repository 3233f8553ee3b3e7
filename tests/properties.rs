//! Property tests: escaping round-trips, and hostile input never panics.

use proptest::prelude::*;
use timl::Element;
use timl::{compile_file, compile_markup, InputKind, Options};

const HEADER: &str = "---\ngroup: @TGS#2C5SZEAEF\ntype: work\n---\n";

/// Text made mostly of the characters markup cares about.
fn markup_heavy() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("@".to_owned()),
        Just("@all".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("[face 6]".to_owned()),
        Just("\\".to_owned()),
        Just("\"".to_owned()),
        Just("---".to_owned()),
        Just("\n".to_owned()),
        Just(" ".to_owned()),
        Just("大家好".to_owned()),
        Just("a.b".to_owned()),
        "[a-z0-9_+.-]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(pieces, 0..24).prop_map(|parts| parts.concat())
}

/// A body's text is kept as written except leading blank lines and trailing white
/// space, so those are the texts an escaped body can reproduce exactly; the characters
/// timl reserves for template values are refused wherever they are.
fn representable(text: &str) -> bool {
    let first_line = text.split('\n').next().unwrap_or("");
    !text.contains(|c| ('\u{E000}'..='\u{E00B}').contains(&c))
        && !text.trim().is_empty()
        && text.trim_end() == text
        && !first_line.chars().all(char::is_whitespace)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn escaped_text_compiles_back_to_exactly_that_text(text in markup_heavy()) {
        prop_assume!(representable(&text));
        let source = format!("{HEADER}{}", timl::escape(&text));
        let compiled = compile_markup("p.timl", &source, &Options::default());
        let message = compiled.message.expect("escaped text always compiles");
        prop_assert!(message.group_at.is_empty(), "escaped text mentions nobody");
        prop_assert_eq!(message.body.len(), 1);
        match &message.body[0] {
            Element::TIMTextElem(elem) => prop_assert_eq!(&elem.text, &text),
            other => prop_assert!(false, "not text: {:?}", other),
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in markup_heavy()) {
        let compiled = compile_markup("p.timl", &text, &Options::default());
        check_consistent(&compiled);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        for kind in [InputKind::Markup, InputKind::Json, InputKind::JsonLines] {
            for compiled in compile_file("p", &bytes, kind, &Options::default()) {
                check_consistent(&compiled);
            }
        }
    }
}

/// Output exists exactly when there are no errors, and every diagnostic is located.
fn check_consistent(compiled: &timl::Compiled) {
    assert_eq!(compiled.message.is_some(), !compiled.has_errors());
    for diagnostic in &compiled.diagnostics {
        assert!(diagnostic.location.is_some());
        let _ = timl::render::human(diagnostic, timl::render::Colour(false));
        let _ = timl::render::json(diagnostic);
    }
}

/// A small deterministic generator, so the hostile corpus is the same on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn thousands_of_hostile_inputs_end_without_a_panic() {
    let fragments: &[&[u8]] = &[
        b"---\n",
        b"---",
        b"\n",
        b"\r\n",
        b"group: ",
        b"@TGS#_x",
        b"type: community\n",
        b"type: avchatroom\n",
        b"random: 99999999999999999999\n",
        b"priority: HIGH\n",
        b"to: a,,b\n",
        b"push.ext: {\n",
        b"online-only: on\n",
        b"control: no-unread, no-unread\n",
        b"key: \"unterminated\n",
        b"k: \"\\uD800\"\n",
        b"[face ",
        b"[face 99999999999999999999]",
        b"[location 91 181 x]",
        b"[at ",
        b"[image url=",
        b"[custom ",
        b"[video url=a thumb=b thumb-width=1 thumb-height=2]",
        b"]",
        b"[",
        b"\"",
        b"\\",
        b"\\u12",
        b"=",
        b"@",
        b"@all",
        b"@",
        b"a@b.c",
        b"\xff",
        b"\xe5\xa4",
        b"\x00",
        b"\x1b[31m",
        b"\t",
        b" ",
        "大家好".as_bytes(),
        b"[fcae 1]",
        b"{\"GroupId\": 1}",
        b"{\"MsgBody\": [{\"MsgType\": \"TIMFaceElem\"",
        b"9",
        b"-",
        b"x=\"y\"",
    ];
    let mut rng = XorShift(0x5EED_1234_ABCD_0001);
    for case in 0..5000 {
        let count = 1 + rng.next() % 30;
        let mut input = Vec::new();
        for _ in 0..count {
            input.extend_from_slice(rng.pick(fragments));
        }
        let kind = match case % 10 {
            0 => InputKind::Json,
            1 => InputKind::JsonLines,
            _ => InputKind::Markup,
        };
        for compiled in compile_file("hostile.timl", &input, kind, &Options::default()) {
            check_consistent(&compiled);
        }
    }
}

#[test]
fn huge_inputs_stay_linear() {
    // One long line of brackets, mentions and escapes: must finish quickly (the test
    // harness would time out on quadratic behaviour long before it failed).
    let line = "[ @ \\ [face 1] a@b ".repeat(20_000);
    let compiled = compile_markup(
        "big.timl",
        &format!("{HEADER}{line}"),
        &Options {
            max_bytes: usize::MAX,
            ..Options::default()
        },
    );
    check_consistent(&compiled);
    let spaces = format!("{HEADER}x{}", " ".repeat(1_000_000));
    check_consistent(&compile_markup("spaces.timl", &spaces, &Options::default()));
}
