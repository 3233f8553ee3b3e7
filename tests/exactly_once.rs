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
    let args = [
        "notice.timl",
        "--data",
        "groups.csv",
        "--journal",
        "batch.journal",
    ];
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
    let args = [
        "notice.timl",
        "--data",
        "groups.csv",
        "--journal",
        "batch.journal",
    ];
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
