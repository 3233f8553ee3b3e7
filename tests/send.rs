//! `timl send` against a fake Tencent IM server that the tests start on 127.0.0.1
//! (`timl::testing::FakeIm`): it verifies every query and UserSig, drops repeats as
//! the real server does, and injects failures chosen by group ID.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use timl::testing::{busiest_second, Elsewhere, FakeConfig, FakeIm};
use timl::Redactor;

mod sending;
use sending::*;

#[test]
fn a_plain_send_delivers_exactly_the_compiled_body() {
    let fake = server(0);
    let dir = scratch("plain");
    fs::write(
        dir.join("notice.timl"),
        "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\nRed packets for @all [face 6]\n",
    )
    .unwrap();
    let compiled = Command::new(env!("CARGO_BIN_EXE_timl"))
        .current_dir(&dir)
        .args(["compile", "notice.timl"])
        .output()
        .unwrap();
    let expected: serde_json::Value = serde_json::from_slice(&compiled.stdout).unwrap();
    let output = send(&dir, &fake.endpoint(), &["notice.timl"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("1 delivered"),
        "{}",
        text(&output.stderr)
    );
    let seen = fake.seen();
    assert_eq!(seen.stored.len(), 1);
    assert_eq!(
        seen.stored[0].body, expected,
        "the server got exactly the compiled body"
    );
    assert_eq!(seen.unauthorized, 0);
    assert_no_secrets(&output);
}

#[test]
fn transient_errors_are_retried_with_the_same_random() {
    let fake = server(0);
    let dir = scratch("retry");
    batch(
        &dir,
        &[
            "flaky-10002-2-a".into(),
            "http500-1-b".into(),
            "reset-1-c".into(),
        ],
    );
    let output = send(
        &dir,
        &fake.endpoint(),
        &["notice.timl", "--data", "groups.csv", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let seen = fake.seen();
    assert_eq!(seen.stored.len(), 3);
    for group in ["flaky-10002-2-a", "http500-1-b", "reset-1-c"] {
        let randoms: Vec<u32> = seen
            .requests
            .iter()
            .filter(|(_, g, _)| g == group)
            .map(|(_, _, r)| *r)
            .collect();
        assert!(randoms.len() >= 2, "{group} was retried: {randoms:?}");
        assert!(
            randoms.iter().all(|r| *r == randoms[0]),
            "{group} kept its Random: {randoms:?}"
        );
    }
    assert_eq!(
        seen.requests
            .iter()
            .filter(|(_, g, _)| g == "flaky-10002-2-a")
            .count(),
        3
    );
    let results: Vec<serde_json::Value> = text(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 3);
    assert!(
        results.iter().all(|r| r["status"] == "delivered"),
        "{results:?}"
    );
    assert_no_secrets(&output);
}

#[test]
fn final_errors_stop_at_once_with_exit_4_and_an_explanation() {
    let fake = server(0);
    let dir = scratch("final");
    batch(&dir, &["final-10017-muted".into(), "ok-group".into()]);
    let output = send(
        &dir,
        &fake.endpoint(),
        &["notice.timl", "--data", "groups.csv"],
    );
    assert_eq!(output.status.code(), Some(4));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error 10017") && stderr.contains("muted"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 delivered, 1 refused (10017 x1)"),
        "{stderr}"
    );
    let seen = fake.seen();
    assert_eq!(
        seen.requests
            .iter()
            .filter(|(_, g, _)| g == "final-10017-muted")
            .count(),
        1,
        "a final code is never retried"
    );
    assert_no_secrets(&output);
}

#[test]
fn a_dropped_message_is_not_delivered() {
    let fake = server(0);
    let dir = scratch("drop");
    batch(&dir, &["drop-me".into()]);
    let output = send(
        &dir,
        &fake.endpoint(),
        &["notice.timl", "--data", "groups.csv"],
    );
    assert_eq!(output.status.code(), Some(4));
    assert!(
        text(&output.stderr).contains("MsgFreqCtrl"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_dry_run_sends_nothing_and_hides_the_usersig() {
    let fake = server(0);
    let dir = scratch("dry");
    batch(&dir, &["g1".into(), "g2".into()]);
    let output = send(
        &dir,
        &fake.endpoint(),
        &["notice.timl", "--data", "groups.csv", "--dry-run"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert_eq!(
        stdout.matches("POST http://127.0.0.1:").count(),
        2,
        "{stdout}"
    );
    assert!(stdout.contains("/v4/group_open_http_svc/send_group_msg?sdkappid=1400000000&identifier=admin&usersig=***&random="), "{stdout}");
    assert!(
        stdout.contains("&contenttype=json\n{\"GroupId\":\"g1\""),
        "{stdout}"
    );
    assert!(fake.seen().requests.is_empty(), "nothing was sent");
    assert_no_secrets(&output);
}

#[test]
fn an_unreachable_server_exits_5_without_leaking_secrets() {
    let dir = scratch("unreachable");
    batch(&dir, &["g1".into()]);
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = send(
        &dir,
        &format!("http://127.0.0.1:{port}"),
        &["notice.timl", "--data", "groups.csv", "--retries", "1"],
    );
    assert_eq!(output.status.code(), Some(5), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("unreachable") && stderr.contains("could not reach"),
        "{stderr}"
    );
    assert!(!stderr.contains("usersig="), "{stderr}");
    assert_no_secrets(&output);
}

#[test]
fn plain_http_is_refused_except_to_loopback() {
    let dir = scratch("http");
    batch(&dir, &["g1".into()]);
    let output = send(
        &dir,
        "http://10.1.2.3:8080",
        &["notice.timl", "--data", "groups.csv"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("loopback"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn missing_credentials_say_where_to_put_them() {
    let dir = scratch("creds");
    batch(&dir, &["g1".into()]);
    let output = Command::new(env!("CARGO_BIN_EXE_timl"))
        .current_dir(&dir)
        .args(["send", "notice.timl", "--data", "groups.csv"])
        .env_remove("TIM_SDKAPPID")
        .env_remove("TIM_IDENTIFIER")
        .env_remove("TIM_SECRET_KEY")
        .env("HOME", &dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("--sdkappid")
            && stderr.contains("TIM_SDKAPPID")
            && stderr.contains("timl.toml"),
        "{stderr}"
    );
}

#[test]
fn input_errors_send_nothing() {
    let fake = server(0);
    let dir = scratch("input-errors");
    // The second group ID is over 48 bytes: the first message must not go either.
    batch(&dir, &["g1".into(), "x".repeat(49)]);
    let output = send(
        &dir,
        &fake.endpoint(),
        &["notice.timl", "--data", "groups.csv"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("error[group-id]"));
    assert!(text(&output.stderr).contains("nothing was sent"));
    assert!(fake.seen().requests.is_empty());
}

#[test]
fn a_batch_killed_part_way_and_run_again_delivers_each_message_exactly_once() {
    let fake = server(20);
    let dir = scratch("killed");
    let groups: Vec<String> = (0..60).map(|i| format!("group-{i:02}")).collect();
    batch(&dir, &groups);
    let args = [
        "notice.timl",
        "--data",
        "groups.csv",
        "--journal",
        "batch.journal",
        "--rate",
        "30",
        "--concurrency",
        "4",
    ];
    let mut child = send_command(&dir, &fake.endpoint(), &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed once some messages are stored (not after a fixed time: on a busy machine
    // the run may not have started sending by then).
    wait_for(|| fake.seen().stored.len() >= 3);
    child.kill().unwrap();
    let _ = child.wait();
    let first_run = fake.seen().stored.len();
    assert!(
        first_run > 0 && first_run < 60,
        "killed part-way: {first_run} delivered"
    );
    let output = send(&dir, &fake.endpoint(), &args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let seen = fake.seen();
    let mut delivered: Vec<&str> = seen.stored.iter().map(|s| s.group.as_str()).collect();
    delivered.sort();
    delivered.dedup();
    assert_eq!(delivered.len(), 60, "every group got its message");
    assert_eq!(seen.stored.len(), 60, "and none got it twice");
    // The re-run skipped what the journal showed as delivered.
    assert!(
        text(&output.stderr).contains("skipped (done in an earlier run)"),
        "{}",
        text(&output.stderr)
    );
    // Running it a third time sends nothing at all.
    drop(seen);
    let before = fake.seen().requests.len();
    let output = send(&dir, &fake.endpoint(), &args);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(fake.seen().requests.len(), before);
}

/// Only what must always hold is asserted: every message arrives exactly once and no
/// one-second window at the server holds more than the limit. How close to the limit
/// a run gets depends on the machine's load; that is measured by `cargo bench --bench
/// send`, never asserted here.
#[test]
fn the_rate_is_never_exceeded_and_each_message_arrives_once() {
    let fake = server(50);
    let dir = scratch("rate");
    let groups: Vec<String> = (0..400).map(|i| format!("g{i:03}")).collect();
    batch(&dir, &groups);
    let output = send(
        &dir,
        &fake.endpoint(),
        &["notice.timl", "--data", "groups.csv"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let seen = fake.seen();
    assert_eq!(seen.stored.len(), 400);
    assert_eq!(seen.requests.len(), 400, "no message was sent twice");
    assert_eq!(seen.duplicates, 0);
    let busiest = busiest_second(&seen.arrivals(None));
    assert!(busiest <= 200, "{busiest} requests in one second");
}

#[test]
fn slow_new_connections_do_not_bunch_requests_over_the_limit() {
    // 300 ms before each new connection's first request is read (a TLS handshake
    // from far away): requests that left on schedule arrive late, together with those
    // on warm connections. The window budget keeps every second under the limits.
    let fake = FakeIm::start(FakeConfig {
        sdkappid: SDKAPPID,
        identifier: "admin".into(),
        key: KEY.into(),
        latency: Duration::from_millis(20),
        connect_delay: Duration::from_millis(300),
        groups: None,
        journal: None,
    });
    let dir = scratch("cold");
    let groups: Vec<String> = (0..400).map(|i| format!("g{:03}", i % 8)).collect();
    fs::write(
        dir.join("notice.timl"),
        "---\ngroup: {{ group }}\ntype: Public\n---\nMessage {{ n }}\n",
    )
    .unwrap();
    let rows: String = groups
        .iter()
        .enumerate()
        .map(|(n, g)| format!("{{\"group\": \"{g}\", \"n\": {n}}}\n"))
        .collect();
    fs::write(dir.join("rows.jsonl"), rows).unwrap();
    let output = send(
        &dir,
        &fake.endpoint(),
        &["notice.timl", "--data", "rows.jsonl"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let seen = fake.seen();
    assert_eq!(seen.stored.len(), 400);
    let busiest = busiest_second(&seen.arrivals(None));
    assert!(busiest <= 200, "{busiest} requests in one second");
    for g in 0..8 {
        let group = format!("g{g:03}");
        let busiest = busiest_second(&seen.arrivals(Some(&group)));
        assert!(busiest <= 40, "{busiest} requests to {group} in one second");
    }
}

#[test]
fn one_group_gets_at_most_40_per_second() {
    let fake = server(0);
    let dir = scratch("group-rate");
    fs::write(
        dir.join("notice.timl"),
        "---\ngroup: one-group\ntype: Public\n---\nMessage {{ n }}\n",
    )
    .unwrap();
    let rows: String = (0..60).map(|n| format!("{{\"n\": {n}}}\n")).collect();
    fs::write(dir.join("rows.jsonl"), rows).unwrap();
    let output = send(
        &dir,
        &fake.endpoint(),
        &["notice.timl", "--data", "rows.jsonl"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let seen = fake.seen();
    assert_eq!(seen.stored.len(), 60);
    let busiest = busiest_second(&seen.arrivals(None));
    assert!(
        busiest <= 40,
        "{busiest} requests to one group in one second"
    );
}

#[test]
fn usersig_prints_a_signature_that_verifies() {
    let dir = scratch("usersig");
    let output = Command::new(env!("CARGO_BIN_EXE_timl"))
        .current_dir(&dir)
        .args([
            "usersig",
            "--sdkappid",
            "1400000000",
            "--identifier",
            "admin",
            "--secret-key-file",
            "key",
            "--expire",
            "3600",
        ])
        .env("HOME", &dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let usersig = text(&output.stdout).trim().to_owned();
    let claims = timl::usersig::verify(&usersig, KEY, timl::usersig::now()).unwrap();
    assert_eq!(
        (claims.sdkappid, claims.identifier.as_str(), claims.expire),
        (SDKAPPID, "admin", 3600)
    );
}

#[test]
fn uncertain_messages_are_resent_only_while_the_server_drops_repeats() {
    let fake = server(0);
    let dir = scratch("uncertain");
    batch(&dir, &["recent".into(), "old".into()]);
    let keys = keys(&dir);
    let now = timl::journal::now_ms();
    // A run that died after writing `sending`: one a minute ago, one an hour ago.
    let journal = format!(
        "{{\"key\":\"{}\",\"state\":\"sending\",\"time\":{}}}\n{{\"key\":\"{}\",\"state\":\"sending\",\"time\":{}}}\n",
        keys[0],
        now - 60_000,
        keys[1],
        now - 3_600_000
    );
    fs::write(dir.join("batch.journal"), journal).unwrap();
    let args = JOURNALLED;
    let output = send(&dir, &fake.endpoint(), &args);
    // The recent one is sent again (a repeat would be dropped by the server); the old
    // one is held back and listed, and the run says so with exit 5.
    assert_eq!(output.status.code(), Some(5), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("held back: message 2 to old"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(fake.seen().stored.len(), 1);
    assert_eq!(fake.seen().stored[0].group, "recent");
    let mut with_flag = args.to_vec();
    with_flag.push("--resend-uncertain");
    let output = send(&dir, &fake.endpoint(), &with_flag);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(fake.seen().stored.len(), 2);
}

#[test]
fn a_send_dated_in_the_future_is_held_back_never_resent() {
    // The clock was set back since, or the journal comes from another machine: how
    // long ago the request left is unknown, so it may be past the server's memory.
    let fake = server(0);
    let dir = scratch("future");
    batch(&dir, &["soon".into(), "later".into()]);
    let keys = keys(&dir);
    let now = timl::journal::now_ms();
    let journal = format!(
        "{{\"key\":\"{}\",\"state\":\"sending\",\"time\":{}}}\n{{\"key\":\"{}\",\"state\":\"sending\",\"time\":{}}}\n",
        keys[0],
        now + 60_000,
        keys[1],
        now + 400 * 24 * 3_600_000
    );
    fs::write(dir.join("batch.journal"), journal).unwrap();
    let args = JOURNALLED;
    let output = send(&dir, &fake.endpoint(), &args);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    for which in ["message 1 to soon", "message 2 to later"] {
        let line = stderr.lines().find(|line| line.contains(which));
        assert!(
            line.is_some_and(|line| line.starts_with("held back: ")
                && line.contains("the journal dates that send in the future")),
            "{which}: {stderr}"
        );
    }
    assert!(fake.seen().requests.is_empty(), "nothing was sent");
    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let output = send(&dir, &fake.endpoint(), &json);
    assert_eq!(output.status.code(), Some(5));
    let held = text(&output.stdout)
        .lines()
        .filter(|line| line.contains("\"status\":\"held\"") && line.contains("in the future"))
        .count();
    assert_eq!(held, 2, "{}", text(&output.stdout));
    assert!(fake.seen().requests.is_empty(), "nothing was sent");
    // Only when asked.
    let mut with_flag = args.to_vec();
    with_flag.push("--resend-uncertain");
    let output = send(&dir, &fake.endpoint(), &with_flag);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(fake.seen().stored.len(), 2);
}

#[test]
fn credentials_come_from_a_profile_in_the_config_file() {
    let fake = server(0);
    let dir = scratch("profile");
    batch(&dir, &["g1".into()]);
    fs::write(
        dir.join("timl.toml"),
        format!("[profile.staging]\nsdkappid = {SDKAPPID}\nidentifier = \"admin\"\nsecret_key_file = \"key\"\nendpoint = \"{}\"\n", fake.endpoint()),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_timl"))
        .current_dir(&dir)
        .args([
            "send",
            "notice.timl",
            "--data",
            "groups.csv",
            "--profile",
            "staging",
        ])
        .env_remove("TIM_SDKAPPID")
        .env_remove("TIM_IDENTIFIER")
        .env_remove("TIM_SECRET_KEY")
        .env_remove("TIM_ENDPOINT")
        .env("HOME", &dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(fake.seen().stored.len(), 1);
    assert_no_secrets(&output);
}

#[test]
fn the_secret_key_is_never_taken_from_the_command_line() {
    let output = Command::new(env!("CARGO_BIN_EXE_timl"))
        .args(["send", "x.timl", "--secret-key", "abc"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn refused_messages_are_sent_again_on_a_rerun() {
    let fake = server(0);
    let dir = scratch("refused-rerun");
    batch(&dir, &["final-70009-a".into()]);
    let args = JOURNALLED;
    assert_eq!(send(&dir, &fake.endpoint(), &args).status.code(), Some(4));
    // Refused means not stored: the next run (after fixing whatever was wrong) sends
    // it again, and says so with the exit code.
    let output = send(&dir, &fake.endpoint(), &args);
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(fake.seen().requests.len(), 2);
}

#[test]
fn settings_that_cannot_work_are_bad_usage() {
    let dir = scratch("bad-settings");
    batch(&dir, &["g1".into()]);
    for args in [
        vec!["notice.timl", "--rate", "0"],
        vec!["notice.timl", "--rate", "inf"],
        vec!["notice.timl", "--concurrency", "0"],
        vec!["notice.timl", "--concurrency", "100000"],
        vec!["notice.timl", "--journal", "j", "--fresh-random"],
    ] {
        let output = send(&dir, "http://127.0.0.1:9", &args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
    let output = send(&dir, "http://[::1]@0.0.0.0:9", &["notice.timl"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_slow_answer_is_waited_for_not_sent_twice() {
    let fake = server(0);
    let dir = scratch("slow");
    // The first answer takes 3.5 s: longer than the real server's own 3 s timeout, so
    // timl must wait longer than that rather than give up and send again.
    batch(&dir, &["slow-3500-1-s".into()]);
    let output = send(
        &dir,
        &fake.endpoint(),
        &["notice.timl", "--data", "groups.csv"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let seen = fake.seen();
    assert_eq!(seen.requests.len(), 1, "one request, waited for");
    assert_eq!(seen.stored.len(), 1);
}

#[test]
fn an_expired_usersig_is_signed_again_when_timl_has_the_key() {
    let fake = server(0);
    let dir = scratch("expired");
    // The first attempt is answered 70001 (UserSig expired), as after a long run.
    batch(&dir, &["flaky-70001-1-x".into()]);
    let output = send(
        &dir,
        &fake.endpoint(),
        &["notice.timl", "--data", "groups.csv"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(fake.seen().stored.len(), 1);
    assert_no_secrets(&output);
}

#[test]
fn an_endpoint_with_a_query_or_fragment_is_bad_usage() {
    let fake = server(0);
    let dir = scratch("endpoint-query");
    batch(&dir, &["g1".into()]);
    for suffix in ["?usersig=hidden", "/?x=hidden", "#hidden", "/#hidden", "?"] {
        let url = format!("{}{suffix}", fake.endpoint());
        let from_flag = send(&dir, &url, &["notice.timl", "--data", "groups.csv"]);
        let from_env = bare_command(&dir)
            .args(["send", "notice.timl", "--data", "groups.csv"])
            .args(["--sdkappid", "1400000000", "--identifier", "admin"])
            .args(["--secret-key-file", "key"])
            .env("TIM_ENDPOINT", &url)
            .output()
            .unwrap();
        fs::write(
            dir.join("timl.toml"),
            format!("[profile.default]\nsdkappid = {SDKAPPID}\nidentifier = \"admin\"\nsecret_key_file = \"key\"\nendpoint = \"{url}\"\n"),
        )
        .unwrap();
        let from_config = bare_command(&dir)
            .args(["send", "notice.timl", "--data", "groups.csv"])
            .output()
            .unwrap();
        fs::remove_file(dir.join("timl.toml")).unwrap();
        for output in [from_flag, from_env, from_config] {
            assert_no_secrets(&output);
            let stderr = text(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{url}: {stderr}");
            assert!(
                stderr.contains("query") || stderr.contains("fragment"),
                "{url}: {stderr}"
            );
            assert!(!stderr.contains("hidden"), "{stderr}");
        }
    }
    assert!(fake.seen().requests.is_empty(), "nothing was sent");
}

#[test]
fn a_message_that_holds_the_secret_key_is_never_sent_nor_shown() {
    let fake = server(0);
    let dir = scratch("secret-in-body");
    fs::write(
        dir.join("card.timl"),
        "---\ngroup: @TGS#2C5SZEAEF\n---\nYour card: {{ card }}\n",
    )
    .unwrap();
    // The key itself, and its base64 and percent forms, as a value a row could hold.
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(KEY);
    for card in [KEY.to_owned(), encoded, KEY.to_uppercase()] {
        for dry_run in [false, true] {
            let mut args = vec!["card.timl", "--var"];
            let var = format!("card={card}");
            args.push(&var);
            if dry_run {
                args.push("--dry-run");
            }
            let output = send(&dir, &fake.endpoint(), &args);
            let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
            assert_eq!(output.status.code(), Some(1), "{all}");
            assert!(all.contains("holds the secret key or the UserSig"), "{all}");
            assert!(text(&output.stdout).is_empty(), "{all}");
        }
    }
    assert!(fake.seen().requests.is_empty());
}

#[cfg(unix)]
#[test]
fn an_include_named_by_data_cannot_pull_in_the_config_file() {
    let fake = server(0);
    let dir = scratch("include-config");
    fs::write(
        dir.join("timl.toml"),
        format!("[profile.default]\nsecret_key = \"{KEY}\"\n"),
    )
    .unwrap();
    fs::write(
        dir.join("t.timl"),
        "---\ngroup: @TGS#2C5SZEAEF\n---\nYour card: {% include card %}\n",
    )
    .unwrap();
    fs::write(dir.join("rows.csv"), "card\ntiml.toml\n").unwrap();
    std::os::unix::fs::symlink("timl.toml", dir.join("config.timl")).unwrap();
    fs::write(dir.join("rows2.csv"), "card\nconfig.timl\n").unwrap();
    for rows in ["rows.csv", "rows2.csv"] {
        let output = send(&dir, &fake.endpoint(), &["t.timl", "--data", rows]);
        let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert_eq!(output.status.code(), Some(1), "{all}");
        assert!(all.contains("not a template"), "{all}");
    }
    assert!(fake.seen().requests.is_empty());
}

#[test]
fn a_redirect_that_carries_the_usersig_in_its_path_shows_none_of_it() {
    let fake = server(0);
    let elsewhere = Elsewhere::start();
    let dir = scratch("redirect-usersig-path");
    let group = format!("redirectsig-302-{}-x", elsewhere.port());
    batch(&dir, std::slice::from_ref(&group));
    for format in ["human", "json"] {
        // `send` asserts that no UserSig (nor any piece starting like one) is shown.
        let output = send(
            &dir,
            &fake.endpoint(),
            &["notice.timl", "--data", "groups.csv", "--format", format],
        );
        let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert_eq!(output.status.code(), Some(5), "{all}");
        assert!(all.contains("***"), "{all}");
    }
    assert_eq!(elsewhere.requests(), 0);
}

#[test]
fn a_redirect_is_never_followed_and_fails_as_unreachable() {
    let fake = server(0);
    let elsewhere = Elsewhere::start();
    for code in [301, 302, 303, 307, 308] {
        let dir = scratch(&format!("redirect-{code}"));
        let group = format!("redirect-{code}-{}-x", elsewhere.port());
        batch(&dir, std::slice::from_ref(&group));
        let before = fake.seen().requests.len();
        for format in ["human", "json"] {
            let _ = fs::remove_file(dir.join("batch.journal"));
            let output = send(
                &dir,
                &fake.endpoint(),
                &[
                    "notice.timl",
                    "--data",
                    "groups.csv",
                    "--journal",
                    "batch.journal",
                    "--format",
                    format,
                ],
            );
            let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
            assert_eq!(output.status.code(), Some(5), "{code}: {all}");
            // Where it pointed, without the query (the UserSig) or the fragment.
            let target = format!("http://127.0.0.1:{}/landing/page", elsewhere.port());
            assert!(all.contains(&target), "{code}: {all}");
            assert!(all.contains(&format!("HTTP {code}")), "{code}: {all}");
            assert!(
                !all.contains("/landing/page?")
                    && !all.contains("usersig=")
                    && !all.contains("sdkappid=")
                    && !all.contains("frag"),
                "{code}: {all}"
            );
            if format == "human" {
                assert!(all.contains("1 could not reach the server"), "{all}");
            } else {
                let result: serde_json::Value =
                    serde_json::from_str(text(&output.stdout).trim()).unwrap();
                assert_eq!(result["status"], "unreachable", "{result}");
                assert_eq!(result["maybe_arrived"], false, "{result}");
            }
            let journal = journal_lines(&dir.join("batch.journal"));
            assert!(
                journal.iter().all(|line| line["state"] != "delivered"),
                "{journal:?}"
            );
            let last = journal.last().unwrap();
            assert_eq!(
                (&last["state"], &last["maybe"]),
                (&"unreachable".into(), &false.into()),
                "{journal:?}"
            );
        }
        // Not retried: one request per run.
        assert_eq!(fake.seen().requests.len(), before + 2, "{code}");
        assert_eq!(elsewhere.requests(), 0, "{code}: the redirect was followed");
    }
    assert!(fake.seen().stored.is_empty());
}

/// A ready UserSig holding every character that percent-encoding changes.
const PLUS_SLASH_USERSIG: &str = "eJyrVkrOL8pMjs+vS/Q0MDA0MzO2+ab/cd==ef+/gh==";

/// Every output of a run, and the journal, if any.
fn everything(output: &Output, dir: &Path) -> String {
    format!(
        "{}{}{}",
        text(&output.stdout),
        text(&output.stderr),
        text(&fs::read(dir.join("batch.journal")).unwrap_or_default())
    )
}

#[test]
fn secrets_echoed_by_the_server_are_redacted_in_every_encoding() {
    let fake = server(0);
    let dir = scratch("echo");
    batch(&dir, &["echo-a".into(), "echodrop-b".into()]);
    fs::write(dir.join("usersig"), format!("{PLUS_SLASH_USERSIG}\n")).unwrap();
    for format in ["human", "json"] {
        // With a ready UserSig timl knows no key (the server's echo of its own key is
        // not timl's to hide); with the key, the UserSig is one timl signed.
        for (auth, secret) in [
            (["--usersig-file", "usersig"], PLUS_SLASH_USERSIG),
            (["--secret-key-file", "key"], KEY),
        ] {
            let _ = fs::remove_file(dir.join("batch.journal"));
            let output = bare_command(&dir)
                .args(["send", "notice.timl", "--data", "groups.csv"])
                .args(["--endpoint", &fake.endpoint(), "--format", format])
                .args(["--sdkappid", "1400000000", "--identifier", "admin"])
                .args(["--journal", "batch.journal"])
                // The echo answers sends; a ready UserSig of the test's own making
                // would not pass the preflight's question to a real server either.
                .arg("--no-preflight")
                .args(auth)
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
            let all = everything(&output, &dir);
            // The echo was shown, with the secrets cut out of it.
            assert!(all.contains("bad request"), "{all}");
            assert!(all.contains("***"), "{all}");
            let leaks: &[&str] = if secret == KEY {
                // The UserSig timl signed: its raw form starts `eJ`.
                &[
                    KEY,
                    "MDEyMzQ1Njc4OWFiY2RlZjAx",
                    "3031323334353637",
                    "eJ",
                    "ZUp",
                    "654a",
                ]
            } else {
                &[
                    PLUS_SLASH_USERSIG,
                    "eJyrVkrOL8pMjs%2Bv",
                    "eJyrVkrOL8pMjs%2bv",
                    "eJyrVkrOL8pMjs%252Bv",
                    "eJyrVkrOL8pMjs\\u002bv",
                    "S/Q0MDA0MzO2",
                    "S\\/Q0MDA0MzO2",
                    "ZUp5clZrck9MOHBNanMrdlMvUTBNREEwTXpPMitlYi",
                    "654a7972",
                ]
            };
            for leak in leaks {
                assert!(
                    !all.contains(leak),
                    "{leak} leaked ({format}, {auth:?}):\n{all}"
                );
            }
            assert!(
                !Redactor::new(&[secret]).finds(&all),
                "a secret leaked ({format}, {auth:?}):\n{all}"
            );
        }
    }
}

/// Every `TLS.sig` value in `all` (raw, or inside a JSON string) is `***`.
fn assert_signatures_cut(all: &str) {
    let mut seen = 0;
    for (at, _) in all.match_indices("TLS.sig") {
        let value = all[at + "TLS.sig".len()..].trim_start_matches(['\\', '"', ':']);
        assert!(value.starts_with("***"), "a TLS.sig leaked:\n{all}");
        seen += 1;
    }
    assert!(seen > 0, "no TLS.sig was echoed:\n{all}");
}

#[test]
fn the_signature_in_a_usersig_echoed_decoded_is_redacted() {
    let fake = server(0);
    let dir = scratch("echo-claims");
    batch(&dir, &["echo-a".into(), "echodrop-b".into()]);
    // A real UserSig, which timl decodes for its `TLS.sig` (with the key, timl signs
    // one itself and knows it).
    let usersig = timl::usersig::sign(KEY, SDKAPPID, "admin", timl::usersig::now(), 86400);
    let sig = timl::usersig::decode(&usersig).unwrap().sig;
    fs::write(dir.join("usersig"), format!("{usersig}\n")).unwrap();
    for format in ["human", "json"] {
        for auth in [["--usersig-file", "usersig"], ["--secret-key-file", "key"]] {
            let _ = fs::remove_file(dir.join("batch.journal"));
            let output = bare_command(&dir)
                .args(["send", "notice.timl", "--data", "groups.csv"])
                .args(["--endpoint", &fake.endpoint(), "--format", format])
                .args(["--sdkappid", "1400000000", "--identifier", "admin"])
                .args(["--journal", "batch.journal", "--no-preflight"])
                .args(auth)
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
            let all = everything(&output, &dir);
            // The public fields are shown; the signature, in any encoding, is not.
            assert!(all.contains("TLS.identifier"), "{all}");
            assert_signatures_cut(&all);
            if auth[0] == "--usersig-file" {
                assert!(!all.contains(&sig), "TLS.sig leaked ({format}):\n{all}");
                assert!(
                    !Redactor::new(&[&sig, &usersig]).finds(&all),
                    "a form of TLS.sig leaked ({format}):\n{all}"
                );
            } else {
                assert!(
                    !Redactor::new(&[KEY]).finds(&all),
                    "a form of the key leaked ({format}):\n{all}"
                );
            }
        }
    }
}

#[test]
fn a_malformed_secret_in_the_config_file_is_reported_by_place_never_shown() {
    let dir = scratch("config-secret");
    batch(&dir, &["g1".into()]);
    for (line, place) in [
        ("secret_key = 987654321098", "timl.toml:4:14"),
        ("usersig = 987654321098.5", "timl.toml:4:11"),
        ("secret_key = 9876543210ab", "timl.toml:4:"),
        ("secret_key = \"98765 4321098\"", "timl.toml:4:14"),
    ] {
        fs::write(
            dir.join("timl.toml"),
            format!("[profile.default]\nsdkappid = {SDKAPPID}\nidentifier = \"admin\"\n{line}\n"),
        )
        .unwrap();
        for dry_run in [false, true] {
            let mut command = bare_command(&dir);
            command.args(["send", "notice.timl", "--data", "groups.csv"]);
            if dry_run {
                command.arg("--dry-run");
            }
            let output = command.output().unwrap();
            let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
            assert_eq!(output.status.code(), Some(2), "{line}: {all}");
            assert!(all.contains(place), "{line}: {all}");
            assert!(
                !all.contains("98765") && !all.contains("4321098"),
                "{line}: {all}"
            );
        }
    }
}

/// No byte or character of `output` could drive a terminal: no ESC, BEL, CR, DEL or
/// other control but the line ends timl writes, no C1 control, no bidi override.
fn assert_inert(bytes: &[u8], what: &str) {
    let shown = String::from_utf8(bytes.to_vec()).expect("UTF-8 output");
    for c in shown.chars() {
        let bad = (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            !bad,
            "{what}: U+{:04X} reached the terminal:\n{shown}",
            u32::from(c)
        );
    }
}

#[test]
fn server_texts_reach_the_terminal_inert() {
    let fake = server(0);
    let dir = scratch("ansi");
    batch(&dir, &["ansi-a".into(), "ansidrop-b".into()]);
    for format in ["human", "json"] {
        let _ = fs::remove_file(dir.join("batch.journal"));
        let output = send(
            &dir,
            &fake.endpoint(),
            &[
                "notice.timl",
                "--data",
                "groups.csv",
                "--format",
                format,
                "--journal",
                "batch.journal",
            ],
        );
        assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
        assert_inert(&output.stdout, "stdout");
        assert_inert(&output.stderr, "stderr");
        assert_inert(&fs::read(dir.join("batch.journal")).unwrap(), "journal");
        if format == "human" {
            // Shown, as visible stand-ins.
            let stderr = text(&output.stderr);
            assert!(stderr.contains("␛[31mred"), "{stderr}");
            assert!(stderr.contains("title␇"), "{stderr}");
            assert!(stderr.contains("overwrite␍done"), "{stderr}");
            assert_eq!(
                stderr.matches("two␊lines").count(),
                2,
                "one line per report: {stderr}"
            );
        } else {
            // Valid JSON that still holds the server's exact text.
            let results: Vec<serde_json::Value> = text(&output.stdout)
                .lines()
                .map(|line| serde_json::from_str(line).unwrap())
                .collect();
            let texts: Vec<&str> = results
                .iter()
                .filter_map(|r| r["info"].as_str().or(r["reason"].as_str()))
                .collect();
            assert_eq!(texts, [timl::testing::TERMINAL_ESCAPES; 2], "{results:?}");
        }
    }
}

#[test]
fn a_dry_run_needs_no_credentials() {
    let dir = scratch("dry-bare");
    batch(&dir, &["g1".into(), "g2".into()]);
    fs::write(dir.join("x.timl"), "---\ngroup: @TGS#2C5SZEAEF\n---\nHi\n").unwrap();
    // The README's first example, on a machine with no credentials at all.
    let output = bare_command(&dir)
        .args(["send", "x.timl", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with("POST https://console.tim.qq.com/v4/group_open_http_svc/send_group_msg?sdkappid=<sdkappid>&identifier=<identifier>&usersig=***&random="),
        "{stdout}"
    );
    assert!(
        stdout.contains("&contenttype=json\n{\"GroupId\":\"@TGS#2C5SZEAEF\""),
        "{stdout}"
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("nothing sent") && stderr.contains("the SDKAppID"),
        "{stderr}"
    );
    // Whatever is present is shown; what is missing stays a placeholder.
    let output = bare_command(&dir)
        .args(["send", "notice.timl", "--data", "groups.csv", "--dry-run"])
        .env("TIM_SDKAPPID", "1400000000")
        .env("TIM_REGION", "singapore")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert_eq!(
        stdout
            .matches("POST https://adminapisgp.im.qcloud.com/v4/group_open_http_svc/send_group_msg?sdkappid=1400000000&identifier=<identifier>&usersig=***&random=")
            .count(),
        2,
        "{stdout}"
    );
    // A real send still says what is missing, and where to put it.
    let output = bare_command(&dir)
        .args(["send", "x.timl"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--sdkappid"));
    // A piece that is given but malformed is an error even in a dry run.
    let output = bare_command(&dir)
        .args(["send", "x.timl", "--dry-run", "--sdkappid", "abc"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_journal_in_use_by_another_run_stops_the_second_before_it_sends() {
    let fake = server(0);
    let dir = scratch("locked");
    // The first run's only message is answered when the test says so: until then the
    // first run is certainly still busy, whatever the machine's load.
    batch(&dir, &["hold-1-a".into()]);
    let args = JOURNALLED;
    let first = send_command(&dir, &fake.endpoint(), &args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(|| fake.seen().requests.len() == 1);
    let journal_before = fs::read(dir.join("batch.journal")).unwrap();
    let second = send(&dir, &fake.endpoint(), &args);
    let stderr = text(&second.stderr);
    assert_eq!(second.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("batch.journal") && stderr.contains("locked"),
        "{stderr}"
    );
    assert_eq!(fake.seen().requests.len(), 1, "the second run sent nothing");
    assert_eq!(
        fs::read(dir.join("batch.journal")).unwrap(),
        journal_before,
        "nor wrote to the journal"
    );
    fake.release();
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    // Once the first run is over, the journal is free again: nothing left to send.
    let third = send(&dir, &fake.endpoint(), &args);
    assert_eq!(third.status.code(), Some(0), "{}", text(&third.stderr));
    let seen = fake.seen();
    assert_eq!((seen.requests.len(), seen.stored.len()), (1, 1));
}

#[test]
fn two_runs_started_at_once_send_each_message_once() {
    let fake = server(10);
    let dir = scratch("two-at-once");
    let groups: Vec<String> = (0..30).map(|i| format!("group-{i:02}")).collect();
    batch(&dir, &groups);
    let args = [
        "notice.timl",
        "--data",
        "groups.csv",
        "--journal",
        "batch.journal",
        "--rate",
        "50",
    ];
    let runs: Vec<_> = (0..2)
        .map(|_| {
            send_command(&dir, &fake.endpoint(), &args)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let codes: Vec<Option<i32>> = runs
        .into_iter()
        .map(|run| run.wait_with_output().unwrap().status.code())
        .collect();
    // One sends; the other finds the journal locked (exit 3) or, if it started only
    // after the first had finished, everything already delivered (exit 0).
    assert!(codes.contains(&Some(0)), "{codes:?}");
    assert!(codes.iter().all(|c| matches!(c, Some(0 | 3))), "{codes:?}");
    let seen = fake.seen();
    assert_eq!(seen.requests.len(), 30, "each message was sent once");
    assert_eq!(seen.stored.len(), 30);
    assert_eq!(seen.duplicates, 0);
}

#[test]
fn a_file_that_is_not_a_journal_is_refused_before_sending_and_left_alone() {
    let fake = server(0);
    let dir = scratch("not-a-journal");
    batch(&dir, &["g1".into(), "g2".into()]);
    let mut binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    binary.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    fs::write(dir.join("picture.png"), &binary).unwrap();
    fs::write(
        dir.join("rows.jsonl"),
        "{\"group\": \"g1\"}\n{\"group\": \"g2\"}\n",
    )
    .unwrap();
    for journal in [
        "notice.timl",
        "groups.csv",
        "picture.png",
        "rows.jsonl",
        "key",
    ] {
        let before = fs::read(dir.join(journal)).unwrap();
        let output = send(
            &dir,
            &fake.endpoint(),
            &["notice.timl", "--data", "groups.csv", "--journal", journal],
        );
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{journal}: {stderr}");
        assert!(
            stderr.contains(journal) && stderr.contains("not a timl journal"),
            "{journal}: {stderr}"
        );
        assert_eq!(
            fs::read(dir.join(journal)).unwrap(),
            before,
            "{journal} was left byte for byte as it was"
        );
        assert_inert(&output.stderr, journal);
    }
    assert!(fake.seen().requests.is_empty(), "nothing was sent");
    // An earlier run's journal, cut off mid-line by a kill, is still a journal.
    let keys = keys(&dir);
    fs::write(
        dir.join("torn.journal"),
        format!(
            "{{\"key\":\"{}\",\"state\":\"sending\",\"time\":1}}\n{{\"key\":\"{}\",\"state\":\"delivered\",\"seq\":1,\"time\":2}}\n{{\"key\":\"{}\",\"sta",
            keys[0], keys[0], keys[1]
        ),
    )
    .unwrap();
    let output = send(
        &dir,
        &fake.endpoint(),
        &[
            "notice.timl",
            "--data",
            "groups.csv",
            "--journal",
            "torn.journal",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(fake.seen().stored.len(), 1, "g1 was delivered before");
}

/// A standard output or error that cannot be written (`/dev/full`) never makes `send`
/// panic: a delivered message stays delivered (exit 0, one POST), and a dry run whose
/// requests cannot be shown says so with exit 3.
#[cfg(target_os = "linux")]
#[test]
fn unwritable_output_is_an_exit_code_not_a_panic() {
    let full = || {
        Stdio::from(
            fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
    };
    let fake = server(0);
    let dir = scratch("dev-full");
    batch(&dir, &["g1".into()]);
    let args = ["notice.timl", "--data", "groups.csv"];
    let sent = send_command(&dir, &fake.endpoint(), &args)
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(sent.status.code(), Some(0));
    assert_eq!(fake.seen().stored.len(), 1);
    let dry = send_command(
        &dir,
        &fake.endpoint(),
        &[&args[..], &["--dry-run"]].concat(),
    )
    .stderr(full())
    .output()
    .unwrap();
    assert_eq!(dry.status.code(), Some(0));
    let dry = send_command(
        &dir,
        &fake.endpoint(),
        &[&args[..], &["--dry-run"]].concat(),
    )
    .stdout(full())
    .stderr(full())
    .output()
    .unwrap();
    assert_eq!(dry.status.code(), Some(3));
    assert_eq!(fake.seen().requests.len(), 1, "the dry runs sent nothing");
}

/// Messages the server would take for repeats (the same group and Random) are refused
/// before anything is sent: one file listed twice, a template without variables sent
/// once per row, and rows that share a fixed `random:`.
#[test]
fn repeats_in_one_run_are_refused_before_anything_is_sent() {
    let fake = server(0);
    let dir = scratch("repeats");
    batch(&dir, &["g1".into(), "g2".into()]);
    fs::write(
        dir.join("fixed.timl"),
        "---\ngroup: g1\ntype: Public\n---\nHello\n",
    )
    .unwrap();
    fs::write(
        dir.join("random.timl"),
        "---\ngroup: g9\ntype: Public\nrandom: 7\n---\nHello {{ group }}\n",
    )
    .unwrap();
    fs::write(
        dir.join("numbered.timl"),
        "---\ngroup: g1\ntype: Public\n---\nPart {{ n }}\n",
    )
    .unwrap();
    fs::write(dir.join("numbers.csv"), "n\n1\n2\n").unwrap();
    for args in [
        &["fixed.timl", "fixed.timl"][..],
        &["fixed.timl", "--data", "groups.csv"],
        &["random.timl", "--data", "groups.csv"],
        &["numbered.timl", "--data", "numbers.csv", "--random", "7"],
    ] {
        let output = send(&dir, &fake.endpoint(), args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        // Rows sharing a fixed Random are already a `same-random` error of the batch.
        assert!(
            stderr.contains("message 2 has the same group and Random as message 1")
                || stderr.contains("error[same-random]: this row's message has the same group and Random as row 1's"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("nothing was sent"), "{args:?}: {stderr}");
    }
    assert!(fake.seen().requests.is_empty());
}

/// A 2xx answer timl cannot read (a proxy's page) may follow a stored message: it is
/// uncertain (exit 5, `maybe` in the journal), never refused, so a later run holds it
/// back instead of sending it again as new.
#[test]
fn an_unreadable_success_is_uncertain_not_refused() {
    let fake = server(0);
    let dir = scratch("garbled");
    batch(&dir, &["garbled-1".into()]);
    let args = [
        "notice.timl",
        "--data",
        "groups.csv",
        "--journal",
        "j",
        "--retries",
        "0",
    ];
    let output = send(&dir, &fake.endpoint(), &args);
    assert_eq!(output.status.code(), Some(5), "{}", text(&output.stderr));
    let journal = fs::read_to_string(dir.join("j")).unwrap();
    assert!(journal.contains("\"maybe\":true"), "{journal}");
    assert!(!journal.contains("refused"), "{journal}");
    assert_eq!(fake.seen().stored.len(), 1);
}
