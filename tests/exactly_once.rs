//! The invariants the sender promises, each pinned so that the test fails when the
//! invariant is broken, never because the machine is slow: the journal holds a
//! message's `sending` line before the server sees it, and a message whose earlier
//! request may have arrived is resent only inside the server's de-duplication
//! window (checked just inside and just outside it).

mod sending;
use sending::*;

use std::fs;
use std::time::Duration;

use timl::journal::DEDUP_WINDOW_MS;
use timl::testing::{FakeConfig, FakeIm};

/// A fake server that reads `journal` as each request arrives.
fn watching(journal: &std::path::Path) -> FakeIm {
    FakeIm::start(FakeConfig {
        sdkappid: SDKAPPID,
        identifier: "admin".into(),
        key: KEY.into(),
        latency: Duration::ZERO,
        connect_delay: Duration::ZERO,
        groups: None,
        journal: Some(journal.to_owned()),
    })
}

/// Whatever happens to a request (delivered at once, refused for a passing reason
/// and retried, cut off), its message's `sending` line is in the journal before the
/// server sees it: a run killed mid-request still knows the message may have arrived.
#[test]
fn the_journal_holds_sending_before_the_server_sees_a_request() {
    let dir = scratch("sending-first");
    let journal = dir.join("batch.journal");
    let fake = watching(&journal);
    let groups: Vec<String> = [
        "plain-a",
        "flaky-10002-2-b",
        "http500-1-c",
        "reset-1-d",
        "plain-e",
    ]
    .iter()
    .map(|g| g.to_string())
    .collect();
    batch(&dir, &groups);
    let args = JOURNALLED;
    let output = send(&dir, &fake.endpoint(), &args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let seen = fake.seen();
    assert_eq!(seen.stored.len(), 5);
    // 5 first requests and 4 retries, each found journalled on arrival.
    assert_eq!(seen.journaled.len(), 9, "{:?}", seen.requests);
    assert!(
        seen.journaled.iter().all(|&held| held),
        "{:?}",
        seen.journaled
    );
}

/// Sends `notice.timl` to one group, with a journal whose `sending` line for that
/// message is `age_ms` old (a run killed after the request left); whether the
/// message was sent again.
fn resent_after(test: &str, age_ms: u64) -> bool {
    let dir = scratch(test);
    let fake = watching(&dir.join("unused.journal"));
    batch(&dir, &["g1".to_owned()]);
    let key = keys(&dir).remove(0);
    let sent_at = timl::journal::now_ms() - age_ms;
    let line = format!("{{\"key\":\"{key}\",\"state\":\"sending\",\"time\":{sent_at}}}\n");
    fs::write(dir.join("batch.journal"), line).unwrap();
    let args = JOURNALLED;
    let output = send(&dir, &fake.endpoint(), &args);
    let resent = !fake.seen().requests.is_empty();
    let expected = if resent { 0 } else { 5 };
    assert_eq!(
        output.status.code(),
        Some(expected),
        "{}",
        text(&output.stderr)
    );
    resent
}

/// The window is 4 min 30 s (the server remembers a `Random` for five minutes; 30 s
/// are left for clocks and requests in flight): a request that may have arrived 10 s
/// inside it is resent with the same `Random`, one 10 s outside it is held back.
#[test]
fn an_uncertain_message_is_resent_just_inside_the_window_and_held_just_outside() {
    assert_eq!(DEDUP_WINDOW_MS, 270_000, "the README says 4.5 minutes");
    // Seconds pass between writing the journal and the check: 10 s of margin.
    assert!(resent_after("inside", DEDUP_WINDOW_MS - 10_000));
    assert!(!resent_after("outside", DEDUP_WINDOW_MS + 10_000));
}

/// Every message's last journal line says how it ended, in the words a re-run reads:
/// `delivered` with the server's `MsgSeq`; `refused` with the code and whether an
/// earlier attempt may have arrived. A refusal after a 10002 (which may have stored
/// the message) keeps it uncertain: past the window it is held back, not resent.
#[test]
fn the_journal_says_how_each_message_ended() {
    let dir = scratch("endings");
    let journal = dir.join("batch.journal");
    let fake = watching(&dir.join("unused.journal"));
    let groups = ["plain-a", "final-10007-b", "drop-c", "then-10002-10007-d"];
    batch(&dir, &groups.map(str::to_owned));
    let args = JOURNALLED;
    let output = send(&dir, &fake.endpoint(), &args);
    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
    let lines = journal_lines(&journal);
    let last = |group: &str| {
        lines
            .iter()
            .rev()
            .find(|line| line["group"] == group)
            .unwrap()
            .clone()
    };
    let a = last("plain-a");
    assert_eq!(
        (a["state"].as_str(), a["seq"].as_u64()),
        (Some("delivered"), Some(1))
    );
    let b = last("final-10007-b");
    assert_eq!(
        (
            b["state"].as_str(),
            b["code"].as_i64(),
            b["maybe"].as_bool()
        ),
        (Some("refused"), Some(10007), Some(false))
    );
    let c = last("drop-c");
    assert_eq!(
        (c["state"].as_str(), c["maybe"].as_bool()),
        (Some("refused"), Some(false))
    );
    let d = last("then-10002-10007-d");
    assert_eq!(
        (
            d["state"].as_str(),
            d["code"].as_i64(),
            d["maybe"].as_bool()
        ),
        (Some("refused"), Some(10007), Some(true))
    );

    // Ten minutes later, as far as the journal can tell: the refused ones are sent
    // again (they were not stored), the one that may have been is held back.
    let old = timl::journal::now_ms() - 600_000;
    let aged: String = lines
        .iter()
        .map(|line| {
            let mut line = line.clone();
            line["time"] = old.into();
            format!("{line}\n")
        })
        .collect();
    fs::write(&journal, aged).unwrap();
    let before = fake.seen().requests.len();
    let output = send(&dir, &fake.endpoint(), &args);
    assert_eq!(output.status.code(), Some(5), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("held back: message 4 to then-10002-10007-d"),
        "{stderr}"
    );
    let seen = fake.seen();
    let mut again: Vec<&str> = seen.requests[before..]
        .iter()
        .map(|(_, g, _)| g.as_str())
        .collect();
    // Sent at once, so in either order.
    again.sort_unstable();
    assert_eq!(again, ["drop-c", "final-10007-b"]);
}

/// A journal that cannot be written stops the run before the next request: every
/// request the server saw was journalled first, and the run fails (exit 3).
#[cfg(unix)]
#[test]
fn a_journal_that_cannot_be_written_stops_the_run() {
    let dir = scratch("journal-full");
    let journal = dir.join("batch.journal");
    let fake = watching(&journal);
    let groups: Vec<String> = (0..20).map(|n| format!("g{n:02}")).collect();
    batch(&dir, &groups);
    // Files may grow to 4 KiB (the compiled requests take 2), and earlier runs have
    // filled the journal to 3.5: a few lines fit, then writing fails (EFBIG; the
    // signal that would kill the process is ignored).
    let earlier: String = (0..50)
        .map(|n| format!("{{\"key\":\"{n:032x}\",\"state\":\"refused\",\"time\":1}}\n"))
        .collect();
    assert!((3400..3600).contains(&earlier.len()), "{}", earlier.len());
    fs::write(&journal, earlier).unwrap();
    let mut command = send_command(&dir, &fake.endpoint(), &[]);
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
    let envs: Vec<_> = command
        .get_envs()
        .map(|(k, v)| (k.to_owned(), v.map(|v| v.to_owned())))
        .collect();
    command = std::process::Command::new("bash");
    for (key, value) in envs {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    command
        .current_dir(&dir)
        .stdin(std::process::Stdio::null())
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 4; exec \"$@\"")
        .arg("bash")
        .arg(program)
        .args(args)
        .args([
            "notice.timl",
            "--data",
            "groups.csv",
            "--journal",
            "batch.journal",
        ]);
    let output = command.output().unwrap();
    assert_no_secrets(&output);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("batch.journal"),
        "{}",
        text(&output.stderr)
    );
    let seen = fake.seen();
    assert!(
        seen.stored.len() < 20,
        "the run went on: {}",
        seen.stored.len()
    );
    // Some lines fit before the limit: requests did leave, each journalled first.
    assert!(!seen.journaled.is_empty(), "nothing was sent at all");
    assert!(
        seen.journaled.iter().all(|&held| held),
        "{:?}",
        seen.journaled
    );
}

/// Only an HTTP 200 whose reply says `OK` counts as delivered. Any other 2xx, or a
/// 200 reply without its `ActionStatus`, may follow a stored message: uncertain
/// (exit 5, `maybe` in the journal), never delivered nor refused. A 4xx that is not a
/// reply is refused: the endpoint is not Tencent IM.
#[test]
fn only_a_200_ok_reply_counts_as_delivered() {
    for (group, code, state) in [
        ("bare-1", 5, "unreachable"),
        ("status-202-1", 5, "unreachable"),
        ("status-418-1", 4, "refused"),
        // Not OK, though no error code: not delivered.
        ("fail0-1", 4, "refused"),
    ] {
        let dir = scratch(group);
        let fake = watching(&dir.join("unused.journal"));
        batch(&dir, &[group.to_owned()]);
        let mut args = JOURNALLED.to_vec();
        args.extend(["--retries", "0"]);
        let output = send(&dir, &fake.endpoint(), &args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{group}: {stderr}");
        let lines = journal_lines(&dir.join("batch.journal"));
        let last = lines.last().unwrap();
        assert_eq!(last["state"], state, "{group}: {lines:?}");
        assert_eq!(last["maybe"], code == 5, "{group}: {lines:?}");
        if group == "status-418-1" {
            assert!(
                stderr.contains("did not answer like Tencent IM"),
                "{stderr}"
            );
        }
    }
}

/// A message one of whose attempts may have arrived stays uncertain however the
/// last attempt ended: a 10002 (which may have stored it), then HTTP 429 (which did
/// not) ends unreachable with `maybe` in the journal, and a later run holds it back
/// once the window has passed.
#[test]
fn an_attempt_that_may_have_arrived_keeps_the_message_uncertain() {
    let dir = scratch("late429");
    let fake = watching(&dir.join("unused.journal"));
    batch(&dir, &["late429-a".to_owned()]);
    let mut args = JOURNALLED.to_vec();
    args.extend(["--retries", "1", "--format", "json"]);
    let output = send(&dir, &fake.endpoint(), &args);
    assert_eq!(output.status.code(), Some(5), "{}", text(&output.stderr));
    // The report says so too.
    let report: serde_json::Value = serde_json::from_str(text(&output.stdout).trim()).unwrap();
    assert_eq!(report["maybe_arrived"], true, "{report}");
    let lines = journal_lines(&dir.join("batch.journal"));
    let last = lines.last().unwrap();
    assert_eq!(
        (last["state"].as_str(), last["maybe"].as_bool()),
        (Some("unreachable"), Some(true))
    );
}

/// `--retries N` means N more attempts, no more: a group whose first three answers
/// are HTTP 500 gets two requests with `--retries 1`, and the message ends
/// unreachable (it may have arrived).
#[test]
fn retries_are_counted() {
    let dir = scratch("retries");
    let fake = watching(&dir.join("unused.journal"));
    batch(&dir, &["http500-3-a".to_owned()]);
    let mut args = JOURNALLED.to_vec();
    args.extend(["--retries", "1"]);
    let output = send(&dir, &fake.endpoint(), &args);
    assert_eq!(output.status.code(), Some(5), "{}", text(&output.stderr));
    assert_eq!(fake.seen().requests.len(), 2);
    // One `sending` line, before the first request only.
    let lines = journal_lines(&dir.join("batch.journal"));
    let sending = lines
        .iter()
        .filter(|line| line["state"] == "sending")
        .count();
    assert_eq!(sending, 1, "{lines:?}");
}
