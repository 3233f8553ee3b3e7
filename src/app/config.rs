//! Plain configuration for each command, built from the command line by `cli`. The
//! rest of timl sees these, never the clap structs.

use std::path::PathBuf;

pub use crate::template::data::Variables;

use crate::compile::Options;
use crate::send::credentials::CredentialFlags;
use crate::send::deliver::DeliverOptions;

/// Where an input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputPath {
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

/// How to print diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// rustc-style text.
    #[default]
    Human,
    /// One JSON object per line.
    Json,
}

/// `timl compile`.
#[derive(Debug, Clone)]
pub struct CompileConfig {
    /// The template (or `.json` request).
    pub input: InputPath,
    /// `-o`: write here instead of standard output.
    pub output: Option<PathBuf>,
    /// Template variables.
    pub variables: Variables,
    /// Settings for compiling.
    pub options: Options,
    /// `--faces FILE`: an app's face catalog (else `timl.toml`'s `faces`, else TUIKit's).
    pub faces: Option<PathBuf>,
}

/// `timl check`.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Files and folders to check.
    pub inputs: Vec<InputPath>,
    /// How to print diagnostics.
    pub format: Format,
    /// Warnings fail the run too.
    pub deny_warnings: bool,
    /// Template variables.
    pub variables: Variables,
    /// Settings for compiling.
    pub options: Options,
    /// `--faces FILE`: an app's face catalog (else `timl.toml`'s `faces`, else TUIKit's).
    pub faces: Option<PathBuf>,
    /// `--online`: ask the server about the groups too.
    pub online: Option<Online>,
}

/// How `check --online` asks the server.
#[derive(Debug, Clone)]
pub struct Online {
    /// Where the credentials come from.
    pub credentials: CredentialFlags,
    /// `--check-members`.
    pub check_members: bool,
}

/// `timl config`.
#[derive(Debug, Clone)]
pub struct ShowConfig {
    /// Where the credentials come from.
    pub credentials: CredentialFlags,
}

/// `timl explain`.
#[derive(Debug, Clone)]
pub struct ExplainConfig {
    /// The rule's name, as typed.
    pub rule: String,
}

/// `timl send`.
#[derive(Debug, Clone)]
pub struct SendConfig {
    /// Templates, compiled requests (`.json`, `.jsonl`).
    pub inputs: Vec<InputPath>,
    /// Template variables.
    pub variables: Variables,
    /// Settings for compiling.
    pub options: Options,
    /// `--faces FILE`: an app's face catalog (else `timl.toml`'s `faces`, else TUIKit's).
    pub faces: Option<PathBuf>,
    /// Where the credentials come from.
    pub credentials: CredentialFlags,
    /// Rate, concurrency, retries.
    pub deliver: DeliverOptions,
    /// `--journal FILE`: what happened to each message, for exactly-once re-runs.
    pub journal: Option<PathBuf>,
    /// Print the requests instead of sending them.
    pub dry_run: bool,
    /// How to print results.
    pub format: Format,
    /// Ask the server about the groups before sending (not `--no-preflight`).
    pub preflight: bool,
    /// `--check-members`: also ask which named accounts are members.
    pub check_members: bool,
}

/// `timl usersig`.
#[derive(Debug, Clone)]
pub struct UsersigConfig {
    /// Where the credentials come from.
    pub credentials: CredentialFlags,
    /// Validity in seconds.
    pub expire: u64,
}

/// `timl preview`.
#[derive(Debug, Clone)]
pub struct PreviewConfig {
    /// The template (or `.json`/`.jsonl` requests).
    pub input: InputPath,
    /// `-o`: write the page here instead of standard output.
    pub output: Option<PathBuf>,
    /// Template variables.
    pub variables: Variables,
    /// Settings for compiling.
    pub options: Options,
    /// `--faces FILE`: an app's face catalog (else `timl.toml`'s `faces`, else TUIKit's).
    pub faces: Option<PathBuf>,
    /// Load the messages' pictures (not `--no-remote`).
    pub remote: bool,
    /// `--serve`: serve the page on 127.0.0.1 and draw it again on changes.
    pub serve: bool,
}

/// `timl recall`.
#[derive(Debug, Clone)]
pub struct RecallConfig {
    /// The journal of the batch.
    pub journal: PathBuf,
    /// Only these groups (all when empty).
    pub groups: Vec<String>,
    /// No confirmation.
    pub yes: bool,
    /// Show the requests only.
    pub dry_run: bool,
    /// Requests per second.
    pub rate: f64,
    /// Retries of a passing failure.
    pub retries: u32,
    /// Where the credentials come from.
    pub credentials: CredentialFlags,
}

/// `timl faces`.
#[derive(Debug, Clone)]
pub struct FacesConfig {
    /// `--faces FILE`.
    pub faces: Option<PathBuf>,
    /// How to print the catalog.
    pub format: Format,
}

/// A command to run.
#[derive(Debug, Clone)]
pub enum Command {
    /// Compile one input to JSON.
    Compile(CompileConfig),
    /// Lint inputs.
    Check(CheckConfig),
    /// Send messages.
    Send(SendConfig),
    /// Print a UserSig.
    Usersig(UsersigConfig),
    /// Recall a journal's delivered messages.
    Recall(RecallConfig),
    /// Draw messages as an HTML page.
    Preview(PreviewConfig),
    /// Show the credential settings and where they came from.
    Config(ShowConfig),
    /// List the face catalog in use.
    Faces(FacesConfig),
    /// List the rules.
    Rules,
    /// Explain one rule.
    Explain(ExplainConfig),
    /// Print a shell's completion script.
    Completions(Shell),
    /// Print the man page: timl's, or a command's.
    Man(Option<String>),
}

impl Command {
    /// The compile settings and the `--faces` file of a command that compiles.
    pub fn compile_options(&mut self) -> Option<(&mut Options, Option<&std::path::Path>)> {
        match self {
            Command::Compile(c) => Some((&mut c.options, c.faces.as_deref())),
            Command::Check(c) => Some((&mut c.options, c.faces.as_deref())),
            Command::Send(c) => Some((&mut c.options, c.faces.as_deref())),
            Command::Preview(c) => Some((&mut c.options, c.faces.as_deref())),
            _ => None,
        }
    }

    /// The credential flags of a command that talks to the server.
    pub fn credential_flags(&mut self) -> Option<&mut CredentialFlags> {
        match self {
            Command::Send(config) => Some(&mut config.credentials),
            Command::Check(config) => config.online.as_mut().map(|online| &mut online.credentials),
            Command::Usersig(config) => Some(&mut config.credentials),
            Command::Recall(config) => Some(&mut config.credentials),
            Command::Config(config) => Some(&mut config.credentials),
            Command::Compile(_)
            | Command::Preview(_)
            | Command::Faces(_)
            | Command::Rules
            | Command::Explain(_)
            | Command::Completions(_)
            | Command::Man(_) => None,
        }
    }
}

/// A shell `timl completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// bash.
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
    /// PowerShell.
    Powershell,
}
