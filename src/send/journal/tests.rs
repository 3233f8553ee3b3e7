//! The journal's tests: re-runs, torn lines, foreign files, bindings.

use super::*;

fn line(key: &str, state: State, time: u64) -> Line {
    Line {
        key: key.into(),
        state,
        group: None,
        random: Some(1),
        code: None,
        seq: None,
        maybe: None,
        app: None,
        host: None,
        time,
    }
}

#[test]
fn a_journal_is_bound_to_its_app_and_host() {
    let dir = std::env::temp_dir().join(format!("timl-journal-bind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bound.journal");
    let _ = std::fs::remove_file(&path);
    let staging = Binding {
        sdkappid: 1400000001,
        host: "adminapisgp.im.qcloud.com".into(),
    };
    let mut journal = Journal::open(&path).unwrap();
    journal.bind(&staging).unwrap();
    journal.record(line("k", State::Delivered, 5)).unwrap();
    drop(journal);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with(
            r#"{"key":"","state":"bound","app":1400000001,"host":"adminapisgp.im.qcloud.com","#
        ),
        "{text}"
    );
    let mut journal = Journal::open(&path).unwrap();
    assert_eq!(journal.binding(), Some(&staging));
    assert_eq!(journal.prior("k"), Prior::Delivered);
    journal.bind(&staging).unwrap();
    for other in [
        Binding {
            sdkappid: 1400000002,
            host: staging.host.clone(),
        },
        Binding {
            sdkappid: staging.sdkappid,
            host: "console.tim.qq.com".into(),
        },
    ] {
        let error = journal.bind(&other).unwrap_err().to_string();
        assert!(
            error.contains("this journal is app 1400000001's at adminapisgp.im.qcloud.com"),
            "{error}"
        );
    }
    drop(journal);
    // A test server's port changes from run to run: loopback is one host.
    let local = dir.join("local.journal");
    let _ = std::fs::remove_file(&local);
    let mut journal = Journal::open(&local).unwrap();
    journal
        .bind(&Binding {
            sdkappid: 1,
            host: "127.0.0.1:4000".into(),
        })
        .unwrap();
    journal
        .bind(&Binding {
            sdkappid: 1,
            host: "127.0.0.1:5000".into(),
        })
        .unwrap();
    assert!(journal
        .bind(&Binding {
            sdkappid: 1,
            host: "example.com".into()
        })
        .is_err());
    drop(journal);
    // A journal from before bindings is read as it always was, and stays unbound.
    let old = dir.join("old.journal");
    std::fs::write(&old, "{\"key\":\"k\",\"state\":\"delivered\",\"time\":1}\n").unwrap();
    let mut journal = Journal::open(&old).unwrap();
    journal.bind(&staging).unwrap();
    assert_eq!(journal.binding(), None);
    assert_eq!(journal.prior("k"), Prior::Delivered);
}

#[test]
fn a_rerun_sees_what_may_have_arrived_and_skips_torn_lines() {
    let path = std::env::temp_dir().join(format!("timl-journal-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let maybe = |key: &str, time, maybe| Line {
        maybe: Some(maybe),
        ..line(key, State::Unreachable, time)
    };
    {
        let mut journal = Journal::open(&path).unwrap();
        journal.record(line("a", State::Sending, 1)).unwrap();
        journal.record(line("a", State::Delivered, 2)).unwrap();
        // b: a run killed after sending.
        journal.record(line("b", State::Sending, 3)).unwrap();
        // c: the server certainly never got it.
        journal.record(line("c", State::Sending, 4)).unwrap();
        journal.record(maybe("c", 5, false)).unwrap();
        // d: timed out (may have arrived), then resent later: the window stays at
        // the first sending.
        journal.record(line("d", State::Sending, 6)).unwrap();
        journal.record(maybe("d", 7, true)).unwrap();
        journal.record(line("d", State::Sending, 8)).unwrap();
        journal.record(line("d", State::Refused, 9)).unwrap();
        // e: refused: not stored, safe to send again.
        journal.record(line("e", State::Sending, 10)).unwrap();
        journal.record(line("e", State::Refused, 11)).unwrap();
    }
    // A run killed in the middle of a line.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(b"{\"key\":\"f\",\"sta")
        .unwrap();
    let mut journal = Journal::open(&path).unwrap();
    assert_eq!(journal.prior("a"), Prior::Delivered);
    assert_eq!(journal.prior("b"), Prior::Uncertain(3));
    assert_eq!(journal.prior("c"), Prior::New);
    assert_eq!(journal.prior("d"), Prior::Uncertain(6));
    assert_eq!(journal.prior("e"), Prior::New);
    assert_eq!(journal.prior("f"), Prior::New);
    // g: a timeout, then a refusal in the same run: the timed-out request may
    // have been stored, so the refusal does not close the window.
    journal.record(line("g", State::Sending, 20)).unwrap();
    journal
        .record(Line {
            maybe: Some(true),
            ..line("g", State::Refused, 21)
        })
        .unwrap();
    assert_eq!(journal.prior("g"), Prior::Uncertain(20));
    journal.record(line("f", State::Delivered, 12)).unwrap();
    drop(journal);
    // The torn line is now in the middle, between two runs' lines: still a journal.
    let journal = Journal::open(&path).unwrap();
    assert_eq!(journal.prior("f"), Prior::Delivered);
    assert_eq!(journal.prior("a"), Prior::Delivered);
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("timl-journal-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("journal")
}

#[test]
fn only_a_send_creates_a_journal() {
    let path = scratch("existing");
    let error = Journal::open_existing(&path).unwrap_err();
    assert!(matches!(error, Error::Read { .. }), "{error}");
    assert!(error.to_string().contains("timl send --journal"), "{error}");
    assert!(!path.exists(), "no empty journal is left behind");
    drop(Journal::open(&path).unwrap());
    assert!(path.exists());
    assert!(Journal::open_existing(&path).is_ok());
}

#[test]
fn a_journal_in_use_is_refused_until_it_is_free() {
    let path = scratch("locked");
    let first = Journal::open(&path).unwrap();
    let error = Journal::open(&path).unwrap_err();
    assert!(matches!(error, Error::Write { .. }), "{error}");
    assert!(error.to_string().contains("locked"), "{error}");
    drop(first);
    assert!(Journal::open(&path).is_ok());
}

#[test]
fn a_file_that_is_not_a_journal_is_refused_and_left_alone() {
    let path = scratch("foreign");
    let mut binary: Vec<u8> = (0..=255u8).collect();
    binary.extend_from_slice(b"\n{\"key\":\"");
    let foreign: [&[u8]; 8] = [
        b"---\ngroup: g\n---\nHello @all\n",
        b"group,name\ng1,Tommy\n",
        &binary,
        b"{\"GroupId\":\"g\",\"Random\":1}\n",
        b"{\"key\":\"a\",\"state\":\"sending\",\"time\":1}\nnot json\n",
        b"{\"key\":\"a\",\"state\":\"bogus\",\"time\":1}\n",
        b"[1, 2",
        b"x",
    ];
    for bytes in foreign {
        std::fs::write(&path, bytes).unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert!(error.to_string().contains("not a timl journal"), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "left as it was");
    }
    // Empty, blank, torn: all journals.
    for bytes in [
        &b""[..],
        b"\n\n",
        b"{\"ke",
        b"{\"key\":\"a\",\"state\":\"sen",
    ] {
        std::fs::write(&path, bytes).unwrap();
        assert!(
            Journal::open(&path).is_ok(),
            "{}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn a_huge_file_is_refused_after_its_first_line_and_left_alone() {
    let path = scratch("huge");
    // 2 GB of one line of NUL bytes (sparse: no disk, and never read whole).
    let file = File::create(&path).unwrap();
    file.set_len(2 << 30).unwrap();
    let error = Journal::open(&path).unwrap_err().to_string();
    assert!(
        error.contains("not a timl journal (line 1 is over 4096 bytes"),
        "{error}"
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        2 << 30,
        "left as it was"
    );
    // Journal lines first, then a line too long to be one.
    let good = "{\"key\":\"a\",\"state\":\"sending\",\"time\":1}\n";
    let long = format!("{good}\n{good}{}\n{good}", " ".repeat(MAX_LINE + 1));
    std::fs::write(&path, &long).unwrap();
    let error = Journal::open(&path).unwrap_err().to_string();
    assert!(error.contains("(line 4 is over 4096 bytes"), "{error}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), long);
    // The longest line allowed is read.
    let padded = format!(
        "{{\"key\":\"{}\",\"state\":\"sending\",\"time\":1}}",
        "k".repeat(4000)
    );
    let padded = format!("{padded}{}\n", " ".repeat(MAX_LINE - padded.len()));
    std::fs::write(&path, &padded).unwrap();
    let journal = Journal::open(&path).unwrap();
    assert_eq!(journal.prior(&"k".repeat(4000)), Prior::Uncertain(1));
}

#[test]
fn delivered_messages_are_listed_until_recalled() {
    let dir = std::env::temp_dir().join(format!("timl-journal-recall-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("j");
    let _ = std::fs::remove_file(&path);
    let mut journal = Journal::open(&path).unwrap();
    let delivered = |key: &str, seq| Line {
        group: Some("g".into()),
        seq: Some(seq),
        ..line(key, State::Delivered, 1)
    };
    journal.record(delivered("a", 7)).unwrap();
    journal.record(delivered("b", 3)).unwrap();
    journal.record(line("c", State::Refused, 1)).unwrap();
    let keys: Vec<_> = journal
        .delivered()
        .into_iter()
        .map(|d| (d.key, d.seq))
        .collect();
    assert_eq!(keys, [("b".to_owned(), 3), ("a".to_owned(), 7)]);
    journal
        .record(Line {
            seq: Some(3),
            ..line("b", State::Recalled, 2)
        })
        .unwrap();
    drop(journal);
    let journal = Journal::open(&path).unwrap();
    assert_eq!(journal.delivered().len(), 1);
    assert_eq!(journal.prior("b"), Prior::Delivered);
}
