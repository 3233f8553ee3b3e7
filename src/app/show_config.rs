//! `timl config`: each credential setting as timl resolves it, and where it came from
//! (a flag, the environment, which config file). The secret key or UserSig is shown
//! only as "set". A setting that is given but cannot be used (a key file that cannot
//! be read) is marked on its line, every other setting still shown, and the command
//! then fails as a send would (exit 3 for a file that cannot be read, 2 for a
//! malformed value or config file).

use std::fmt::Write as _;

use super::config::ShowConfig;
use super::input::write_stdout;
use super::outcome::Outcome;
use super::send::environment;
use crate::diag::render::printable;
use crate::error::Error;
use crate::send::config_file::config_paths;
use crate::send::credentials::{self, Auth, Found, Problem};

/// `timl config`.
pub(super) fn show_config(config: ShowConfig) -> Result<Outcome, Error> {
    let paths = config_paths();
    let (found, problems) = credentials::survey(&config.credentials, &environment, &paths);
    let mut out = describe(&found, &problems);
    let _ = writeln!(out, "\nconfig files, first wins:");
    if paths.is_empty() {
        let _ = writeln!(
            out,
            "  (none: no timl.toml here or above, and no user config folder)"
        );
    }
    for path in &paths {
        let state = if path.is_file() { "" } else { " (not found)" };
        let _ = writeln!(out, "  {}{state}", path.display());
    }
    for problem in problems.iter().filter(|p| p.setting == "config") {
        let _ = writeln!(out, "  error: {}", problem.error);
    }
    // File names and values come from the user's files: shown, never obeyed.
    let shown: String = out.lines().map(|line| printable(line) + "\n").collect();
    write_stdout(shown.as_bytes())?;
    // Shown in full above; the first problem is also the error, and sets the exit code.
    match problems.into_iter().next() {
        Some(problem) => Err(problem.error),
        None => Ok(Outcome::Success),
    }
}

/// One line per setting: its name, its value (the secret only as "set"), where from;
/// or, for a setting that cannot be used, what is wrong and where it came from.
fn describe(found: &Found, problems: &[Problem]) -> String {
    let sources = &found.sources;
    let secret = found.auth.as_ref().map(|auth| match auth {
        Auth::SecretKey(_) => "set (a secret key; timl signs UserSigs)".to_owned(),
        Auth::UserSig(_) => "set (a ready UserSig)".to_owned(),
    });
    let rows = [
        (
            "sdkappid",
            found.sdkappid.map(|id| id.to_string()),
            sources.sdkappid.as_ref(),
            "--sdkappid, TIM_SDKAPPID or `sdkappid`",
        ),
        (
            "identifier",
            found.identifier.clone(),
            sources.identifier.as_ref(),
            "--identifier, TIM_IDENTIFIER or `identifier`",
        ),
        (
            "secret",
            secret,
            sources.auth.as_ref(),
            "--secret-key-file, TIM_SECRET_KEY or `secret_key_file` (or a UserSig)",
        ),
        (
            "endpoint",
            Some(found.endpoint.clone()),
            Some(&sources.endpoint),
            "--region, TIM_REGION or `region`",
        ),
    ];
    let mut out = String::new();
    for (name, value, source, how) in rows {
        let problem = problems.iter().find(|p| p.setting == name);
        match (problem, value, source) {
            (Some(problem), _, _) => {
                let from = problem.source.as_ref().map(|s| format!("  (from {s})"));
                let from = from.unwrap_or_default();
                let _ = writeln!(out, "{name:<11} error: {}{from}", problem.error);
            }
            (None, Some(value), Some(source)) => {
                let _ = writeln!(out, "{name:<11} {value}  (from {source})");
            }
            _ => {
                let _ = writeln!(out, "{name:<11} not set: give it with {how}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send::credentials::CredentialFlags;

    #[test]
    fn the_secret_is_only_said_to_be_set() {
        let env = |name: &str| match name {
            "TIM_SECRET_KEY" => Some("0123456789abcdef".to_owned()),
            "TIM_SDKAPPID" => Some("1400000000".to_owned()),
            _ => None,
        };
        let found = credentials::find(&CredentialFlags::default(), &env, &[]).unwrap();
        let shown = describe(&found, &[]);
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(shown.contains("secret      set (a secret key"), "{shown}");
        assert!(
            shown.contains("from the environment variable TIM_SECRET_KEY"),
            "{shown}"
        );
        assert!(shown.contains("sdkappid    1400000000"), "{shown}");
        assert!(shown.contains("identifier  not set"), "{shown}");
        assert!(shown.contains("from the default"), "{shown}");
    }
}
