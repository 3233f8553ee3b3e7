//! The command line as users of cargo, rustc and gh expect it: pipes, colour, shell
//! integration, the rule list and explanations, typed variables.

mod common;
use common::*;

const HEAD: &str = "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\nrandom: 1\n---\n";

/// `timl compile ... | head -1` ends quietly with success, as `cat` does.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    let dir = scratch("ux-pipe");
    let rows: String = (0..5000).map(|n| format!("{{\"n\": {n}}}\n")).collect();
    let data = write(&dir, "rows.jsonl", &rows);
    // No fixed `random:`: each row's message gets its own.
    let head = HEAD.replace("random: 1\n", "");
    let file = write(&dir, "t.timl", &format!("{head}Row {{{{ n }}}}\n"));
    let script =
        format!("\"$0\" compile {file} --data {data} | head -1; echo \"exit=${{PIPESTATUS[0]}}\"",);
    let output = std::process::Command::new("bash")
        .args(["-c", &script, env!("CARGO_BIN_EXE_timl")])
        .output()
        .unwrap();
    let shown = stdout(&output);
    assert!(shown.starts_with("{\"GroupId\""), "{shown}");
    assert!(shown.ends_with("exit=0\n"), "{shown}");
    assert_eq!(stderr(&output), "", "nothing on standard error");
}

/// `timl check DIR` with nothing to check says so and fails: a wrong path is never a pass.
#[test]
fn a_folder_with_nothing_to_check_is_an_error() {
    let dir = scratch("ux-empty");
    let empty = dir.join("drafts");
    std::fs::create_dir_all(&empty).unwrap();
    write(&empty, "notes.txt", "not a template");
    let output = timl(&["check", &empty.to_string_lossy()]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("holds nothing to check"),
        "{}",
        stderr(&output)
    );
    assert!(
        !stdout(&output).contains("no problems"),
        "{}",
        stdout(&output)
    );
    // Beside a file that is fine, the empty folder still fails the run.
    let file = write(&dir, "ok.timl", &format!("{HEAD}Hello\n"));
    let output = timl(&["check", &file, &empty.to_string_lossy()]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
}

/// Every subcommand's help, read off a terminal, keeps each example whole: no
/// example command and no `quoted` span is cut across lines, so a copied command
/// runs as shown. The environment variables a flag falls back to are named.
#[test]
fn help_examples_are_never_cut() {
    let commands = [
        "compile",
        "check",
        "send",
        "usersig",
        "recall",
        "preview",
        "config",
        "rules",
        "explain",
        "completions",
        "man",
    ];
    for command in commands {
        let output = timl(&[command, "--help"]);
        assert_eq!(code(&output), 0, "{command}");
        let help = stdout(&output);
        for line in help.lines() {
            assert!(
                line.matches('`').count() % 2 == 0,
                "{command}: a cut example: {line}"
            );
        }
        let examples = help
            .split("\nExamples:\n")
            .skip(1)
            .chain(help.split("\nExample:\n").skip(1));
        for examples in examples {
            for line in examples.lines().take_while(|l| l.starts_with("  ")) {
                assert!(
                    line.contains("timl"),
                    "{command}: a cut example line: {line:?}"
                );
            }
        }
    }
    let send = stdout(&timl(&["send", "--help"]));
    assert!(send.contains("[env: TIM_SDKAPPID]"), "{send}");
    assert!(send.contains("[env: TIM_REGION]"), "{send}");
    let check = stdout(&timl(&["check", "--help"]));
    let data = check.lines().find(|l| l.contains("--data")).unwrap();
    assert!(!data.to_lowercase().contains("output"), "{data}");
}

/// `timl rules` lists every rule; `timl explain` prints one, and an unknown name is
/// bad usage with the nearest name.
#[test]
fn rules_and_explanations_are_at_hand() {
    let listed = stdout(&timl(&["rules"]));
    for rule in timl::rules::ALL {
        assert!(
            listed
                .lines()
                .any(|line| line.starts_with(&format!("{} ", rule.name))),
            "{}",
            rule.name
        );
    }
    assert!(listed.contains("too-long") && listed.contains("80002"));
    let explained = timl(&["explain", "too-long"]);
    assert_eq!(code(&explained), 0);
    assert!(stdout(&explained)
        .starts_with("too-long (error; the server would answer with error 80002)"));
    assert!(stdout(&explained).contains("## The fix"));
    let unknown = timl(&["explain", "too-lng"]);
    assert_eq!(code(&unknown), 2);
    assert!(
        stderr(&unknown).contains("did you mean `too-long`?"),
        "{}",
        stderr(&unknown)
    );
}

/// Completion scripts for four shells (bash's parsed by bash) and a man page.
#[test]
fn completions_and_the_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = timl(&["completions", shell]);
        assert_eq!(code(&output), 0, "{shell}");
        assert!(stdout(&output).contains("timl"), "{shell}");
    }
    let script = stdout(&timl(&["completions", "bash"]));
    let dir = scratch("ux-completions");
    let file = write(&dir, "timl.bash", &script);
    if let Ok(parsed) = std::process::Command::new("bash")
        .args(["-n", &file])
        .output()
    {
        assert!(
            parsed.status.success(),
            "{}",
            String::from_utf8_lossy(&parsed.stderr)
        );
    }
    assert!(script.contains("explain") && script.contains("--journal"));
    let man = stdout(&timl(&["man"]));
    assert!(man.contains(".TH timl 1"), "{man}");
    assert!(man.contains("send"));
}

/// `timl config` shows where each setting came from, the secret only as "set"; the
/// project's timl.toml (found in a parent folder) and the user's are layered key by
/// key.
#[test]
fn config_shows_layered_settings_and_hides_the_secret() {
    let dir = scratch("ux-config");
    let project = dir.join("project");
    let nested = project.join("drafts/deep");
    std::fs::create_dir_all(&nested).unwrap();
    write(
        &project,
        "timl.toml",
        "[profile.default]\nregion = \"singapore\"\n",
    );
    let home = dir.join("home");
    let user = home.join(".config/timl");
    std::fs::create_dir_all(&user).unwrap();
    write(
        &user,
        "timl.toml",
        "[profile.default]\nsdkappid = 1400000000\nidentifier = \"admin\"\nsecret_key = \"0123456789abcdef0123456789abcdef\"\nregion = \"china\"\n",
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_timl"))
        .arg("config")
        .current_dir(&nested)
        .env("HOME", &home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("TIM_SDKAPPID")
        .env_remove("TIM_IDENTIFIER")
        .env_remove("TIM_SECRET_KEY")
        .env_remove("TIM_USERSIG")
        .env_remove("TIM_REGION")
        .env_remove("TIM_ENDPOINT")
        .output()
        .unwrap();
    let shown = stdout(&output);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(!shown.contains("0123456789abcdef"), "{shown}");
    assert!(shown.contains("secret      set (a secret key"), "{shown}");
    let project_file = project.join("timl.toml").display().to_string();
    let user_file = user.join("timl.toml").display().to_string();
    let line = |name: &str| {
        shown
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .to_owned()
    };
    assert!(
        line("endpoint").contains("adminapisgp") && line("endpoint").contains(&project_file),
        "{shown}"
    );
    assert!(
        line("sdkappid").contains("1400000000") && line("sdkappid").contains(&user_file),
        "{shown}"
    );
    assert!(line("identifier").contains(&user_file), "{shown}");
}

/// `timl config` with a setting that cannot be used (a key file that is not there, a
/// malformed key file, an endpoint refused) still shows every setting, marks the bad
/// one with what is wrong and where it came from, never shows a secret, and fails as
/// a send would: exit 3 for a file that cannot be read, 2 for a malformed value.
#[test]
fn config_marks_a_setting_that_cannot_be_used_and_shows_the_rest() {
    let dir = scratch("ux-config-broken");
    let toml = "[profile.default]\nsdkappid = 1400000000\nidentifier = \"admin\"\nsecret_key_file = \"key\"\nregion = \"singapore\"\n";
    write(&dir, "timl.toml", toml);
    let run = |env: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_timl"));
        command
            .arg("config")
            .current_dir(&dir)
            .env("HOME", &dir)
            .env("XDG_CONFIG_HOME", dir.join("none"));
        for name in [
            "TIM_SDKAPPID",
            "TIM_IDENTIFIER",
            "TIM_SECRET_KEY",
            "TIM_USERSIG",
        ] {
            command.env_remove(name);
        }
        for name in ["TIM_REGION", "TIM_ENDPOINT"] {
            command.env_remove(name);
        }
        command.envs(env.iter().copied()).output().unwrap()
    };
    let line = |shown: &str, name: &str| {
        let found = shown.lines().find(|l| l.starts_with(name));
        found
            .unwrap_or_else(|| panic!("no {name} line: {shown}"))
            .to_owned()
    };
    let toml_file = dir.join("timl.toml").display().to_string();
    // The key file is not there.
    let output = run(&[]);
    let shown = stdout(&output);
    assert_eq!(code(&output), 3, "{shown}{}", stderr(&output));
    let secret = line(&shown, "secret");
    assert!(secret.contains("error: cannot read `"), "{secret}");
    assert!(secret.contains("No such file"), "{secret}");
    assert!(
        secret.contains(&format!("(from [profile.default] in {toml_file})")),
        "{secret}"
    );
    assert!(line(&shown, "sdkappid").contains("1400000000"), "{shown}");
    assert!(line(&shown, "identifier").contains("admin"), "{shown}");
    assert!(line(&shown, "endpoint").contains("adminapisgp"), "{shown}");
    assert!(shown.contains("config files, first wins:"), "{shown}");
    assert!(
        stderr(&output).contains("error: cannot read `"),
        "{}",
        stderr(&output)
    );
    // A key file holding something that is no key: named, never shown.
    write(&dir, "key", "5ecret 5ecret\n");
    let output = run(&[]);
    let shown = format!("{}{}", stdout(&output), stderr(&output));
    assert_eq!(code(&output), 2, "{shown}");
    assert!(line(&shown, "secret").contains("white space"), "{shown}");
    assert!(!shown.contains("5ecret"), "{shown}");
    // A good key, a refused endpoint: the key is only "set".
    write(&dir, "key", "5ecret5ecret\n");
    let output = run(&[("TIM_ENDPOINT", "http://example.com")]);
    let shown = format!("{}{}", stdout(&output), stderr(&output));
    assert_eq!(code(&output), 2, "{shown}");
    assert!(
        line(&shown, "secret").contains("set (a secret key"),
        "{shown}"
    );
    assert!(
        line(&shown, "endpoint").contains("error: plain http://"),
        "{shown}"
    );
    assert!(line(&shown, "endpoint").contains("TIM_ENDPOINT"), "{shown}");
    assert!(!shown.contains("5ecret"), "{shown}");
    // All good: exit 0.
    let output = run(&[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

/// A timl.toml with a table or key timl does not read is refused at its place
/// (exit 2), by every command that reads it: `[default]` would otherwise be ignored
/// and its settings silently missing.
#[test]
fn a_config_file_with_what_timl_does_not_read_is_refused() {
    let dir = scratch("ux-config-unknown");
    let template = write(&dir, "n.timl", "---\ngroup: g1\n---\nHi\n");
    for (text, expected) in [
        (
            "[default]\nsdkappid = 1400000000\n",
            "timl.toml:1:2: not a valid timl config: unknown table `[default]`; a profile is `[profile.default]`",
        ),
        (
            "faces = \"cats.toml\"\n[profile.default]\nsdkappid = 1400000000\nsecretkey = \"k\"\n",
            "timl.toml:4:1: not a valid timl config: unknown key `secretkey` in `[profile.default]`; did you mean `secret_key`?",
        ),
    ] {
        write(&dir, "timl.toml", text);
        for args in [&["config"][..], &["send", &template, "--dry-run"]] {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_timl"))
                .args(args)
                .current_dir(&dir)
                .env("HOME", &dir)
                .env("XDG_CONFIG_HOME", dir.join("none"))
                .output()
                .unwrap();
            let err = stderr(&output);
            assert_eq!(code(&output), 2, "{args:?}: {err}");
            assert!(err.contains(expected), "{args:?}: {err}");
        }
    }
}

/// `--color always|never` on every command; `auto` honours NO_COLOR (set and not
/// empty), CLICOLOR=0 and CLICOLOR_FORCE, as cargo does.
#[test]
fn colour_follows_the_flag_and_the_environment() {
    let dir = scratch("ux-colour");
    let file = write(&dir, "n.timl", "---\ngroup: g1\n---\nHi\n");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_timl"));
        command.args(args);
        for name in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"] {
            command.env_remove(name);
        }
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().unwrap();
        let all = format!("{}{}", stdout(&output), stderr(&output));
        all.contains('\u{1b}')
    };
    let check = ["check", file.as_str()];
    let always = ["check", file.as_str(), "--color", "always"];
    let never = ["check", file.as_str(), "--color", "never"];
    assert!(!run(&check, &[]), "off a terminal: no colour");
    assert!(run(&always, &[]));
    assert!(run(&always, &[("NO_COLOR", "1")]), "the flag wins");
    assert!(!run(&never, &[("CLICOLOR_FORCE", "1")]), "the flag wins");
    assert!(run(&check, &[("CLICOLOR_FORCE", "1")]));
    assert!(!run(&check, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    assert!(
        run(&check, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")]),
        "an empty NO_COLOR is unset"
    );
    let compile = ["compile", file.as_str(), "--color", "always"];
    assert!(run(&compile, &[]), "compile's warnings too");
    assert_eq!(code(&timl(&["rules", "--color", "never"])), 0);
}

/// `--var K:=JSON` passes a typed value, as minijinja-cli does; `--var K=V` stays text.
#[test]
fn typed_variables_are_json() {
    let dir = scratch("ux-typed");
    let body =
        "{{ n + 1 }} {% if flag %}on{% else %}off{% endif %} {{ tags|join('+') }} {{ s ~ 1 }}\n";
    let file = write(&dir, "t.timl", &format!("{HEAD}{body}"));
    let output = timl(&[
        "compile",
        &file,
        "--var",
        "n:=5",
        "--var",
        "flag:=false",
        "--var",
        r#"tags:=["a","b"]"#,
        "--var",
        "s=5",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stdout(&output).contains(r#""Text": "6 off a+b 51""#),
        "{}",
        stdout(&output)
    );
    // Text stays text: `n=5` cannot be added to.
    let output = timl(&[
        "compile",
        &file,
        "--var",
        "n=5",
        "--var",
        "flag:=true",
        "--var",
        "tags:=[]",
        "--var",
        "s=x",
    ]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("unsupported types string and number"),
        "{}",
        stderr(&output)
    );
    // Not JSON: bad usage, saying how to pass text.
    let output = timl(&["compile", &file, "--var", "n:=five"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("write `n=TEXT` for text"),
        "{}",
        stderr(&output)
    );
}
