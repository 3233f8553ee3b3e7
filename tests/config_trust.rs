//! A `timl.toml` found by looking is trusted only as far as it is the user's: one
//! planted by another user, or writable by others, is not read; a project's file
//! names credential files only inside its own folder; and its endpoint never carries
//! credentials that come from elsewhere, unless it is a Tencent region's host.

mod common;
#[path = "sending/mod.rs"]
mod sending;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sending::KEY;

/// A home with the user's own config (app, admin, key) and a project folder with a
/// subfolder to run in.
fn layout(test: &str) -> (PathBuf, PathBuf) {
    let dir = common::scratch(test);
    let home = dir.join("home");
    fs::create_dir_all(home.join(".config/timl")).unwrap();
    fs::write(home.join("key"), format!("{KEY}\n")).unwrap();
    fs::write(
        home.join(".config/timl/timl.toml"),
        "[profile.default]\nsdkappid = 1400000000\nidentifier = \"admin\"\nsecret_key_file = \"../../key\"\n",
    )
    .unwrap();
    fs::create_dir_all(dir.join("project/drafts")).unwrap();
    (dir, home)
}

fn timl_in(dir: &Path, home: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_timl"));
    command
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .stdin(std::process::Stdio::null());
    for name in sending::TIM_VARIABLES {
        command.env_remove(name);
    }
    command.output().unwrap()
}

fn all(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn a_project_endpoint_never_carries_the_users_credentials() {
    let (dir, home) = layout("trust-endpoint");
    let fake = sending::server(0);
    let project = dir.join("project");
    fs::write(
        project.join("timl.toml"),
        format!("[profile.default]\nendpoint = \"{}\"\n", fake.endpoint()),
    )
    .unwrap();
    fs::write(
        project.join("drafts/n.timl"),
        "---\ngroup: @TGS#a\ntype: Public\n---\nhi\n",
    )
    .unwrap();
    let drafts = project.join("drafts");
    for args in [
        vec!["send", "n.timl", "--no-preflight"],
        vec!["check", "n.timl", "--online"],
    ] {
        let output = timl_in(&drafts, &home, &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", all(&output));
        assert!(
            all(&output)
                .contains("a project's timl.toml, and would carry credentials from elsewhere"),
            "{}",
            all(&output)
        );
    }
    assert!(
        fake.seen().requests.is_empty() && fake.seen().calls.is_empty(),
        "nothing went to the project's host"
    );
    // With its own credentials, a project's file may name its host.
    fs::write(
        project.join("timl.toml"),
        format!("[profile.default]\nendpoint = \"{}\"\nsdkappid = 1400000000\nidentifier = \"admin\"\nsecret_key_file = \"key\"\n", fake.endpoint()),
    )
    .unwrap();
    fs::write(project.join("key"), format!("{KEY}\n")).unwrap();
    let output = timl_in(&drafts, &home, &["send", "n.timl", "--no-preflight"]);
    assert_eq!(output.status.code(), Some(0), "{}", all(&output));
    // And a region is a Tencent host: always allowed.
    fs::write(
        project.join("timl.toml"),
        "[profile.default]\nregion = \"tokyo\"\n",
    )
    .unwrap();
    let output = timl_in(&drafts, &home, &["config"]);
    assert_eq!(output.status.code(), Some(0), "{}", all(&output));
    assert!(
        all(&output).contains("https://adminapijpn.im.qcloud.com"),
        "{}",
        all(&output)
    );
}

#[test]
fn a_project_file_names_credential_files_only_inside_its_folder() {
    let (dir, home) = layout("trust-credential-files");
    let project = dir.join("project");
    for path in [
        "../home/key",
        "~/.vault-token",
        "/etc/passwd",
        "drafts/../../home/key",
    ] {
        fs::write(
            project.join("timl.toml"),
            format!("[profile.default]\nsecret_key_file = \"{path}\"\n"),
        )
        .unwrap();
        let output = timl_in(&project.join("drafts"), &home, &["config"]);
        assert_ne!(output.status.code(), Some(0), "{path}: {}", all(&output));
        assert!(
            all(&output).contains("names a file outside the folder"),
            "{path}: {}",
            all(&output)
        );
    }
    #[cfg(unix)]
    {
        // A link inside that leads out counts as outside.
        std::os::unix::fs::symlink(home.join("key"), project.join("link")).unwrap();
        fs::write(
            project.join("timl.toml"),
            "[profile.default]\nsecret_key_file = \"link\"\n",
        )
        .unwrap();
        let output = timl_in(&project.join("drafts"), &home, &["config"]);
        assert!(
            all(&output).contains("names a file outside the folder"),
            "{}",
            all(&output)
        );
    }
    fs::write(project.join("key"), format!("{KEY}\n")).unwrap();
    fs::write(
        project.join("timl.toml"),
        "[profile.default]\nsecret_key_file = \"key\"\n",
    )
    .unwrap();
    let output = timl_in(&project.join("drafts"), &home, &["config"]);
    assert_eq!(output.status.code(), Some(0), "{}", all(&output));
}

#[cfg(unix)]
#[test]
fn a_config_file_that_is_not_the_users_own_is_not_read() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, home) = layout("trust-owner");
    let project = dir.join("project");
    let file = project.join("timl.toml");
    fs::write(&file, "[profile.default]\nregion = \"tokyo\"\n").unwrap();
    let read = |why: Option<&str>| {
        let output = timl_in(&project.join("drafts"), &home, &["config"]);
        let text = all(&output);
        match why {
            None => assert!(
                text.contains("adminapijpn") && !text.contains("is not read"),
                "{text}"
            ),
            Some(why) => {
                assert!(text.contains(&format!("is not read: {why}")), "{text}");
                assert!(
                    !text.contains("adminapijpn"),
                    "the planted region was used: {text}"
                );
            }
        }
    };
    read(None);
    for mode in [0o664, 0o646] {
        fs::set_permissions(&file, fs::Permissions::from_mode(mode)).unwrap();
        read(Some("others may write to it"));
    }
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    // Owned by another user: only root can make that happen here.
    let chowned = Command::new("chown")
        .arg("nobody")
        .arg(&file)
        .status()
        .is_ok_and(|s| s.success());
    if !chowned {
        println!("skipped: a file owned by another user needs root (chown)");
        return;
    }
    read(Some("another user owns it"));
}
