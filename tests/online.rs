//! Server-aware sending against the fake server on 127.0.0.1: the preflight (groups
//! that do not exist, types only the server knows, types that contradict it, members),
//! `check --online`, and `timl recall`.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use timl::testing::{FakeConfig, FakeGroup, FakeIm};

const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A fake server that knows `groups` (ID, API type, members).
fn server(groups: &[(&str, &str, &[&str])]) -> FakeIm {
    let groups: HashMap<String, FakeGroup> = groups
        .iter()
        .map(|(id, kind, members)| {
            let group = FakeGroup {
                group_type: (*kind).to_owned(),
                members: members.iter().map(|m| (*m).to_owned()).collect(),
            };
            ((*id).to_owned(), group)
        })
        .collect();
    FakeIm::start(FakeConfig {
        sdkappid: 1400000000,
        identifier: "admin".into(),
        key: KEY.into(),
        latency: Duration::ZERO,
        connect_delay: Duration::ZERO,
        groups: Some(groups),
        journal: None,
    })
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("timl-online-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("key"), KEY).unwrap();
    dir
}

/// `timl COMMAND ARGS` in `dir` against `fake`, credentials from flags and a key file.
fn timl(dir: &Path, fake: &FakeIm, command: &str, args: &[&str]) -> Output {
    timl_as(dir, fake, "1400000000", command, args)
}

fn all(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A template sending to the `group` column, with an optional extra header line.
fn batch(dir: &Path, header: &str, groups: &[String]) {
    let template = format!("---\ngroup: {{{{ group }}}}\n{header}---\nHello [face 6]\n");
    fs::write(dir.join("notice.timl"), template).unwrap();
    let csv: String = std::iter::once("group".to_owned())
        .chain(groups.iter().cloned())
        .map(|line| line + "\n")
        .collect();
    fs::write(dir.join("groups.csv"), csv).unwrap();
}

fn sends(fake: &FakeIm) -> usize {
    fake.seen().requests.len()
}

fn calls(fake: &FakeIm, api: &str) -> Vec<usize> {
    fake.seen()
        .calls
        .iter()
        .filter(|call| call.api == api)
        .map(|call| call.items)
        .collect()
}

#[test]
fn one_missing_group_among_many_stops_the_batch_before_anything_is_sent() {
    let names: Vec<String> = (0..120).map(|i| format!("g{i:03}")).collect();
    let known: Vec<(&str, &str, &[&str])> = names
        .iter()
        .filter(|name| *name != "g077")
        .map(|name| (name.as_str(), "Public", &[][..]))
        .collect();
    let fake = server(&known);
    let dir = scratch("missing");
    batch(&dir, "", &names);
    let output = timl(
        &dir,
        &fake,
        "send",
        &["notice.timl", "--data", "groups.csv"],
    );
    let text = all(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error[group-missing]"), "{text}");
    assert!(text.contains("g077"), "{text}");
    assert!(text.contains("row 78"), "{text}");
    assert_eq!(sends(&fake), 0, "nothing is sent");
    // One question per 50 groups, each with at most 50.
    assert_eq!(calls(&fake, "get_group_info"), [50, 50, 20]);
}

#[test]
fn a_type_only_the_server_knows_brings_its_rules() {
    let fake = server(&[
        ("@TGS#live", "AVChatRoom", &[]),
        ("@TGS#pub", "Public", &[]),
    ]);
    let dir = scratch("server-type");
    batch(
        &dir,
        "online-only: true\n",
        &["@TGS#pub".into(), "@TGS#live".into()],
    );
    let output = timl(
        &dir,
        &fake,
        "send",
        &["notice.timl", "--data", "groups.csv"],
    );
    let text = all(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error[avchatroom-online-only]"), "{text}");
    assert!(!text.contains("note[group-type]"), "{text}");
    assert_eq!(sends(&fake), 0);
}

#[test]
fn a_declared_type_that_contradicts_the_server_stops_the_batch() {
    let fake = server(&[("@TGS#work", "Private", &[])]);
    let dir = scratch("mismatch");
    batch(&dir, "type: Public\n", &["@TGS#work".into()]);
    let output = timl(
        &dir,
        &fake,
        "send",
        &["notice.timl", "--data", "groups.csv"],
    );
    let text = all(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error[group-type-mismatch]"), "{text}");
    assert!(text.contains("Work group"), "{text}");
    assert_eq!(sends(&fake), 0);
    // `Private` is Work by its old name: no mismatch.
    batch(&dir, "type: Work\n", &["@TGS#work".into()]);
    let output = timl(
        &dir,
        &fake,
        "send",
        &["notice.timl", "--data", "groups.csv"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", all(&output));
    assert_eq!(sends(&fake), 1);
}

#[test]
fn check_online_finds_the_same_and_sends_nothing() {
    let fake = server(&[
        ("@TGS#live", "AVChatRoom", &[]),
        ("@TGS#pub", "Public", &[]),
    ]);
    let dir = scratch("check-online");
    let groups = ["@TGS#pub".into(), "@TGS#live".into(), "@TGS#gone".into()];
    batch(&dir, "online-only: true\n", &groups);
    for format in ["human", "json"] {
        let output = timl(
            &dir,
            &fake,
            "check",
            &[
                "notice.timl",
                "--data",
                "groups.csv",
                "--online",
                "--format",
                format,
            ],
        );
        let text = all(&output);
        assert_eq!(output.status.code(), Some(1), "{text}");
        assert!(text.contains("avchatroom-online-only"), "{text}");
        assert!(text.contains("group-missing"), "{text}");
    }
    // Offline, the same check cannot know.
    let output = timl(
        &dir,
        &fake,
        "check",
        &["notice.timl", "--data", "groups.csv"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", all(&output));
    assert_eq!(sends(&fake), 0);
}

#[test]
fn a_clean_batch_is_delivered_and_no_preflight_asks_nothing() {
    let fake = server(&[("@TGS#a", "Public", &[]), ("@TGS#b", "Private", &[])]);
    let dir = scratch("clean");
    batch(&dir, "", &["@TGS#a".into(), "@TGS#b".into()]);
    let output = timl(
        &dir,
        &fake,
        "send",
        &["notice.timl", "--data", "groups.csv"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", all(&output));
    assert_eq!(fake.seen().stored.len(), 2);
    assert_eq!(calls(&fake, "get_group_info"), [2]);
    let output = timl(
        &dir,
        &fake,
        "send",
        &["notice.timl", "--data", "groups.csv", "--no-preflight"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", all(&output));
    assert_eq!(calls(&fake, "get_group_info"), [2], "not asked again");
    // A dry run asks nothing either.
    let output = timl(
        &dir,
        &fake,
        "send",
        &["notice.timl", "--data", "groups.csv", "--dry-run"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", all(&output));
    assert_eq!(calls(&fake, "get_group_info"), [2]);
}

#[test]
fn members_are_checked_on_request() {
    let fake = server(&[("@TGS#team", "Public", &["boss", "ann"])]);
    let dir = scratch("members");
    fs::write(
        dir.join("from.timl"),
        "---\ngroup: @TGS#team\nfrom: stranger\n---\nhi @ann @ghost\n",
    )
    .unwrap();
    fs::write(
        dir.join("ok.timl"),
        "---\ngroup: @TGS#team\nfrom: boss\n---\nhi @ann @ghost\n",
    )
    .unwrap();
    let output = timl(&dir, &fake, "send", &["from.timl", "--check-members"]);
    let text = all(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error[from-not-member]"), "{text}");
    assert_eq!(sends(&fake), 0);
    // A mention of a non-member is a warning: the message is sent.
    let output = timl(&dir, &fake, "send", &["ok.timl", "--check-members"]);
    let text = all(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("warning[mention-not-member]"), "{text}");
    assert!(text.contains("ghost"), "{text}");
    assert_eq!(sends(&fake), 1);
    // Without --check-members nobody is asked.
    let before = calls(&fake, "get_role_in_group").len();
    let output = timl(&dir, &fake, "send", &["from.timl", "--group", "@TGS#team"]);
    assert_eq!(output.status.code(), Some(0), "{}", all(&output));
    assert_eq!(calls(&fake, "get_role_in_group").len(), before);
}

#[test]
fn a_journal_is_recalled_in_requests_of_ten_and_only_once() {
    let fake = server(&[("@TGS#a", "Public", &[]), ("@TGS#b", "Public", &[])]);
    let dir = scratch("recall");
    // 23 messages to two groups.
    fs::write(
        dir.join("n.timl"),
        "---\ngroup: {{ group }}\n---\nnumber {{ n }}\n",
    )
    .unwrap();
    let rows: String = (0..23)
        .map(|n| {
            format!(
                "{{\"group\":\"@TGS#{}\",\"n\":{n}}}\n",
                if n < 15 { "a" } else { "b" }
            )
        })
        .collect();
    fs::write(dir.join("rows.jsonl"), rows).unwrap();
    let sent = timl(
        &dir,
        &fake,
        "send",
        &["n.timl", "--data", "rows.jsonl", "--journal", "j"],
    );
    assert_eq!(sent.status.code(), Some(0), "{}", all(&sent));
    // Without a terminal, recalling needs --yes.
    let refused = timl(&dir, &fake, "recall", &["--journal", "j"]);
    assert_eq!(refused.status.code(), Some(2), "{}", all(&refused));
    // A dry run shows the requests.
    let shown = timl(&dir, &fake, "recall", &["--journal", "j", "--dry-run"]);
    assert_eq!(shown.status.code(), Some(0), "{}", all(&shown));
    assert_eq!(
        String::from_utf8_lossy(&shown.stdout)
            .matches("POST")
            .count(),
        3
    );
    assert!(fake.seen().recalled.is_empty());
    let output = timl(&dir, &fake, "recall", &["--journal", "j", "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", all(&output));
    assert!(all(&output).contains("23 recalled"), "{}", all(&output));
    assert_eq!(fake.seen().recalled.len(), 23);
    assert_eq!(calls(&fake, "group_msg_recall"), [10, 5, 8]);
    // The journal remembers: a second run asks nothing.
    let again = timl(&dir, &fake, "recall", &["--journal", "j", "--yes"]);
    assert_eq!(again.status.code(), Some(0), "{}", all(&again));
    assert!(all(&again).contains("nothing to recall"), "{}", all(&again));
    assert_eq!(calls(&fake, "group_msg_recall").len(), 3);
    let journal = fs::read_to_string(dir.join("j")).unwrap();
    assert_eq!(journal.matches("\"recalled\"").count(), 23);
}

/// A journal that is not there (a typo) is a read error, with or without
/// `--dry-run`, and is not created: an empty one would say there is nothing to recall.
#[test]
fn a_missing_journal_is_not_recalled_nor_created() {
    let fake = server(&[("@TGS#a", "Public", &[])]);
    let dir = scratch("recall-missing");
    for extra in [&["--dry-run"][..], &["--yes"]] {
        let args = [&["--journal", "typo.journal"][..], extra].concat();
        let output = timl(&dir, &fake, "recall", &args);
        let text = all(&output);
        assert_eq!(output.status.code(), Some(3), "{extra:?}: {text}");
        assert!(text.contains("cannot read `typo.journal`"), "{text}");
        assert!(!text.contains("nothing to recall"), "{text}");
        assert!(!dir.join("typo.journal").exists(), "{extra:?}");
    }
    assert!(calls(&fake, "group_msg_recall").is_empty());
    // `send --journal NEW` still starts a new journal.
    fs::write(dir.join("n.timl"), "---\ngroup: @TGS#a\n---\nhello\n").unwrap();
    let sent = timl(&dir, &fake, "send", &["n.timl", "--journal", "new.journal"]);
    assert_eq!(sent.status.code(), Some(0), "{}", all(&sent));
    assert!(fs::read_to_string(dir.join("new.journal"))
        .unwrap()
        .contains("delivered"));
}

#[test]
fn a_recall_the_server_refuses_is_reported_with_exit_4() {
    let fake = server(&[("@TGS#a", "Public", &[])]);
    let dir = scratch("recall-refused");
    // Delivered by an earlier run against another server: this one knows none of it.
    let journal =
        "{\"key\":\"k1\",\"state\":\"delivered\",\"group\":\"@TGS#a\",\"seq\":41,\"time\":1}\n";
    fs::write(dir.join("j"), journal).unwrap();
    let output = timl(
        &dir,
        &fake,
        "recall",
        &["--journal", "j", "--yes", "--group", "@TGS#a"],
    );
    let text = all(&output);
    assert_eq!(output.status.code(), Some(4), "{text}");
    assert!(
        text.contains("not recalled") && text.contains("41"),
        "{text}"
    );
    // `--group` picks groups: another group has nothing to recall.
    let output = timl(
        &dir,
        &fake,
        "recall",
        &["--journal", "j", "--yes", "--group", "@TGS#b"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", all(&output));
}

/// `timl COMMAND ARGS` in `dir` against `fake` as the app `sdkappid`, the admin and
/// the key from flags.
fn timl_as(dir: &Path, fake: &FakeIm, sdkappid: &str, command: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_timl"))
        .current_dir(dir)
        .arg(command)
        .args(args)
        .args(["--endpoint", &fake.endpoint(), "--secret-key-file", "key"])
        .args(["--sdkappid", sdkappid, "--identifier", "admin"])
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A journal is its app's and host's: another app's run refuses it before sending or
/// recalling anything, and says whose it is.
#[test]
fn a_journal_of_another_app_is_refused() {
    let fake = server(&[("@TGS#a", "Public", &[])]);
    let dir = scratch("journal-binding");
    fs::write(
        dir.join("n.timl"),
        "---\ngroup: @TGS#a\n---\nnumber {{ n }}\n",
    )
    .unwrap();
    fs::write(dir.join("rows.jsonl"), "{\"n\":1}\n{\"n\":2}\n").unwrap();
    let sent = timl(
        &dir,
        &fake,
        "send",
        &["n.timl", "--data", "rows.jsonl", "--journal", "j"],
    );
    assert_eq!(sent.status.code(), Some(0), "{}", all(&sent));
    assert!(
        all(&sent).contains("sending as app 1400000000 to 127.0.0.1:"),
        "{}",
        all(&sent)
    );
    let journal = fs::read_to_string(dir.join("j")).unwrap();
    assert!(
        journal.starts_with(
            "{\"key\":\"\",\"state\":\"bound\",\"app\":1400000000,\"host\":\"127.0.0.1:"
        ),
        "{journal}"
    );
    let requests = sends(&fake);
    for command in [
        vec!["send", "n.timl", "--data", "rows.jsonl", "--journal", "j"],
        vec!["recall", "--journal", "j", "--yes"],
    ] {
        let output = timl_as(&dir, &fake, "1400000001", command[0], &command[1..]);
        assert_eq!(
            output.status.code(),
            Some(3),
            "{command:?}: {}",
            all(&output)
        );
        assert!(
            all(&output).contains("this journal is app 1400000000's at 127.0.0.1:"),
            "{}",
            all(&output)
        );
        assert!(
            all(&output).contains("this run is app 1400000001"),
            "{}",
            all(&output)
        );
    }
    assert_eq!(sends(&fake), requests, "nothing was sent");
    assert!(fake.seen().recalled.is_empty(), "nothing was recalled");
    assert_eq!(
        fs::read_to_string(dir.join("j")).unwrap(),
        journal,
        "the journal is as it was"
    );
    // Its own app recalls, naming the app, the host and the groups first.
    let output = timl(&dir, &fake, "recall", &["--journal", "j", "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", all(&output));
    assert!(
        all(&output).contains("recalling in app 1400000000 at 127.0.0.1:"),
        "{}",
        all(&output)
    );
    assert!(all(&output).contains("groups @TGS#a"), "{}", all(&output));
}

/// `recall` reads only what timl writes: a hand-written journal with a group that is
/// no ID, a MsgSeq of 0 or one twice recalls nothing.
#[test]
fn recall_refuses_a_journal_timl_did_not_write() {
    let fake = server(&[("@TGS#a", "Public", &[])]);
    let dir = scratch("journal-hand-written");
    let line = |group: &str, seq: u64, key: &str| {
        format!("{{\"key\":\"{key}\",\"state\":\"delivered\",\"group\":\"{group}\",\"seq\":{seq},\"time\":1}}\n")
    };
    for journal in [
        line("@TGS#a\\u0007", 5, "k1"),
        line("", 5, "k1"),
        line("@TGS#a", 0, "k1"),
        line("@TGS#a", 5, "k1") + &line("@TGS#a", 5, "k2"),
    ] {
        fs::write(dir.join("j"), &journal).unwrap();
        for args in [
            vec!["--journal", "j", "--dry-run"],
            vec!["--journal", "j", "--yes"],
        ] {
            let output = timl(&dir, &fake, "recall", &args);
            assert_eq!(output.status.code(), Some(3), "{journal}: {}", all(&output));
            assert!(
                all(&output).contains("not a journal timl wrote"),
                "{}",
                all(&output)
            );
        }
    }
    assert!(fake.seen().recalled.is_empty());
}
