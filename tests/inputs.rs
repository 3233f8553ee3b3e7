//! Inputs the user names on the command line: how much of each is read (`--data`
//! rows, `--max-bytes` and the caps derived from it) and that `-o` never replaces one
//! of them. Runs the built binary.

use std::fs;

mod common;
use common::*;

const GOOD: &str =
    "---\ngroup: @TGS#2C5SZEAEF\ntype: public\nrandom: 8912345\n---\nred @all packet[face 6]\n";

// ---------------------------------------------------------------------------------
// --max-bytes
// ---------------------------------------------------------------------------------

#[test]
fn max_bytes_outside_its_range_is_bad_usage() {
    let dir = scratch("inputs-max-bytes");
    let file = write(&dir, "a.timl", GOOD);
    // 2^59 made the read cap overflow to nothing; 2^59 - 1 lifted it altogether.
    for value in [
        "0",
        "1048577",
        "576460752303423487",
        "576460752303423488",
        "18446744073709551615",
        "1e6",
    ] {
        let output = timl(&["compile", &file, "--max-bytes", value]);
        assert_eq!(code(&output), 2, "{value}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("from 1 to 1048576"),
            "{value}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{value}");
    }
    for value in ["1", "8000", "1048576"] {
        let output = timl(&["compile", &file, "--max-bytes", value]);
        let expected = if value == "1" { 1 } else { 0 };
        assert_eq!(code(&output), expected, "{value}: {}", stderr(&output));
    }
}

#[test]
fn the_largest_max_bytes_still_caps_what_is_read() {
    // 32 times 1 MiB: a bigger input is refused, never read whole.
    let big = format!("{GOOD}{}", "x".repeat((32 << 20) + 1));
    let output = timl_with_stdin(
        &["compile", "-", "--max-bytes", "1048576"],
        Some(big.as_bytes()),
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("error[too-long]: the file is over 33554432 bytes"),
        "{}",
        stderr(&output)
    );
    // And an input that fits is read, not taken for an empty one.
    let output = timl_with_stdin(
        &["compile", "-", "--max-bytes", "1048576"],
        Some(GOOD.as_bytes()),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).contains("red @all packet"));
}
