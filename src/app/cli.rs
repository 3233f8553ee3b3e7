//! The command line: clap structs, turned into plain [`Command`] config at once.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app::config::{
    CheckConfig, Command, CompileConfig, ExplainConfig, FacesConfig, Format, InputPath, Online,
    PreviewConfig, RecallConfig, SendConfig, Shell, ShowConfig, UsersigConfig, Variables,
};
use crate::app::input::write_stdout;
use crate::app::outcome::Outcome;
use crate::check::{DEFAULT_MAX_BYTES, MAX_MAX_BYTES};
use crate::compile::Options;
use crate::error::Error;
use crate::message::group::GroupType;
use crate::message::random::RandomChoice;
use crate::send::credentials::CredentialFlags;
use crate::send::deliver::DeliverOptions;
use crate::send::deliver::MAX_CONCURRENCY;

/// Compile, check and send Tencent Cloud IM group messages written as timl files.
#[derive(Debug, Parser)]
#[command(name = "timl", version, about, propagate_version = true)]
#[command(
    after_help = "Examples:\n  timl compile templates/announcement.timl\n  timl check templates/announcement.timl templates/mentions.timl\n\nExit codes: 0 ok, 1 the input has errors, 2 bad usage, 3 a file could not be read or written,\n4 the server refused a message, 5 the server could not be reached (send)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: CliCommand,

    /// Colour: `auto` (on a terminal, unless NO_COLOR is set or CLICOLOR=0;
    /// CLICOLOR_FORCE forces it), `always` or `never`.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    color: ColorArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum CliCommand {
    /// Compile a template into the JSON body of send_group_msg.
    #[command(
        after_help = "Examples:\n  timl compile templates/announcement.timl\n  timl compile notice.timl --group @TGS#2C5SZEAEF --group-type public -o notice.json\n  timl compile templates/order-shipped.timl --data templates/order-shipped.csv -o requests.jsonl\n  echo 'Hello @all' | timl compile - --group @TGS#2C5SZEAEF"
    )]
    Compile(CompileArgs),
    /// Check templates or compiled .json requests against the rules (for CI).
    #[command(
        after_help = "Examples:\n  timl check templates/announcement.timl templates/media.timl\n  timl check templates/order-shipped.timl --data templates/order-shipped.csv\n  timl check notice.timl request.json --format json\n  timl check drafts/ --deny-warnings"
    )]
    Check(CheckArgs),
    /// Send messages to Tencent Cloud IM: each exactly once, at the rate limit.
    #[command(
        after_help = "Examples:\n  timl send notice.timl --dry-run\n  TIM_SDKAPPID=1400000000 timl send notice.timl --secret-key-file ~/.timl/key --region singapore\n  timl send templates/order-shipped.timl --data orders.csv --journal orders.journal\n\nExit codes: 0 all delivered, 1 the input has errors (nothing was sent), 2 bad usage,\n3 a file could not be read or written, 4 the server refused at least one message,\n5 the server could not be reached for at least one message."
    )]
    Send(SendArgs),
    /// Print a UserSig for the admin identifier, signed with the secret key.
    #[command(
        after_help = "Example:\n  timl usersig --sdkappid 1400000000 --identifier admin --secret-key-file ~/.timl/key --expire 3600"
    )]
    Usersig(UsersigArgs),
    /// Recall every message a journal shows as delivered (group_msg_recall).
    #[command(
        after_help = "Examples:\n  timl recall --journal orders.journal --dry-run\n  timl recall --journal orders.journal --group @TGS#2C5SZEAEF --yes\n\nExit codes: 0 all recalled, 2 bad usage (no terminal to confirm and no --yes),\n3 the journal could not be read or written, 4 the server refused a recall,\n5 the server could not be reached."
    )]
    Recall(RecallArgs),
    /// Draw messages as a chat app would, in one HTML page (or serve it, live).
    #[command(
        after_help = "Examples:\n  timl preview templates/announcement.timl -o preview.html\n  timl preview templates/order-shipped.timl --data templates/order-shipped.csv --no-remote -o orders.html\n  timl preview notice.timl --serve"
    )]
    Preview(PreviewArgs),
    /// Show each credential setting, its value and where it came from (flag,
    /// environment, which timl.toml); the secret only as "set".
    #[command(after_help = "Examples:\n  timl config\n  timl config --profile staging")]
    Config(ConfigArgs),
    /// List the emoji and stickers in use: TUIKit's, an app's (`--faces`), or both.
    #[command(
        after_help = "Examples:\n  timl faces\n  timl faces --faces faces.toml --format json"
    )]
    Faces(FacesArgs),
    /// List every rule: name, severity, the server error it prevents, what it checks.
    Rules,
    /// Explain a rule, with an example of the mistake and of the fix.
    #[command(after_help = "Example:\n  timl explain too-long")]
    Explain(ExplainArgs),
    /// Print a completion script for a shell (see the README for where to put it).
    #[command(
        after_help = "Examples:\n  timl completions bash > ~/.local/share/bash-completion/completions/timl\n  timl completions zsh > ~/.zfunc/_timl\n  timl completions fish > ~/.config/fish/completions/timl.fish"
    )]
    Completions(CompletionsArgs),
    /// Print the man page (roff) on standard output: timl's, or a command's (`timl man
    /// compile` is timl-compile(1)).
    #[command(
        after_help = "Examples:\n  timl man > ~/.local/share/man/man1/timl.1\n  timl man compile > ~/.local/share/man/man1/timl-compile.1"
    )]
    Man(ManArgs),
}

#[derive(Debug, Args)]
struct ConfigArgs {
    #[command(flatten)]
    credentials: CredentialArgs,
}

#[derive(Debug, Args)]
struct ExplainArgs {
    /// The rule's name, as diagnostics show it. Example: `too-long`.
    #[arg(value_name = "RULE")]
    rule: String,
}

#[derive(Debug, Args)]
struct ManArgs {
    /// A command, for its own page (`compile`, `check`, `send`, ...).
    #[arg(value_name = "COMMAND")]
    command: Option<String>,
}

#[derive(Debug, Args)]
struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: ShellArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Args)]
struct PreviewArgs {
    /// The template (.timl), or compiled requests (.json, .jsonl); `-` for standard input.
    #[arg(value_name = "FILE")]
    input: String,

    /// Write the page to OUT instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT.html")]
    output: Option<PathBuf>,

    /// Show placeholders instead of loading the messages' pictures.
    #[arg(long)]
    no_remote: bool,

    /// Serve the page on 127.0.0.1 (a free port, printed) and draw it again when the
    /// template, its includes or its data change; the open page reloads itself.
    #[arg(long, conflicts_with = "output")]
    serve: bool,

    #[command(flatten)]
    variables: VariableArgs,

    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
struct SendArgs {
    /// Templates (.timl), compiled requests (.json) or JSON Lines of them (.jsonl).
    #[arg(value_name = "FILE", required = true)]
    inputs: Vec<String>,

    /// Print the exact HTTP requests (UserSig shown as ***) and send nothing. Needs no
    /// credentials: what is missing is shown as <sdkappid> or <identifier>.
    #[arg(long)]
    dry_run: bool,

    /// At most this many requests per second overall (Tencent's limit is 200).
    /// Example: `--rate 100`.
    #[arg(long, value_name = "N", default_value_t = 200.0, value_parser = parse_rate)]
    rate: f64,

    /// Requests in flight at once; enough to reach the rate against a slow server.
    /// Example: `--concurrency 20`.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 64,
        value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_CONCURRENCY as u64)
    )]
    concurrency: usize,

    /// Retries of a passing failure (10002, 60008, rate limits, HTTP 5xx, network),
    /// always with the same body and Random. Example: `--retries 6`.
    #[arg(long, value_name = "N", default_value_t = 4)]
    retries: u32,

    /// Record each message's outcome in FILE as it happens; running the same
    /// command again skips what it shows as delivered. The file is locked while a run
    /// uses it, and a file that is not a journal is refused.
    /// Example: `--journal batch.journal`.
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,

    /// Also send messages whose earlier attempt may have arrived more than five
    /// minutes ago (the server would no longer drop a repeat).
    #[arg(long)]
    resend_uncertain: bool,

    /// `human` (a summary, problems as they happen) or `json` (one result object per
    /// message).
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,

    /// Do not ask the server about the groups before sending (the fast path for
    /// trusted inputs: a missing group or a type's rules are then found only by the
    /// server, message by message).
    #[arg(long)]
    no_preflight: bool,

    #[command(flatten)]
    members: MembersArg,

    #[command(flatten)]
    credentials: CredentialArgs,

    #[command(flatten)]
    variables: VariableArgs,

    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
struct MembersArg {
    /// Also ask whether `from`, `to` and the mentioned accounts are members of their
    /// groups (`get_role_in_group`; not for AVChatRoom groups).
    #[arg(long)]
    check_members: bool,
}

#[derive(Debug, Args)]
struct RecallArgs {
    /// The journal of the batch to recall: every message it shows as delivered.
    #[arg(long, value_name = "FILE", required = true)]
    journal: PathBuf,

    /// Recall only the messages sent to these groups (repeatable).
    /// Example: `--group @TGS#2C5SZEAEF`.
    #[arg(long = "group", value_name = "ID")]
    groups: Vec<String>,

    /// Do not ask for confirmation (needed when standard input is not a terminal).
    #[arg(long)]
    yes: bool,

    /// Print the recall requests and recall nothing. Needs no credentials.
    #[arg(long)]
    dry_run: bool,

    /// At most this many requests per second overall.
    #[arg(long, value_name = "N", default_value_t = 200.0, value_parser = parse_rate)]
    rate: f64,

    /// Retries of a passing failure.
    #[arg(long, value_name = "N", default_value_t = 4)]
    retries: u32,

    #[command(flatten)]
    credentials: CredentialArgs,
}

#[derive(Debug, Args)]
struct UsersigArgs {
    /// How long the UserSig is valid, in seconds, from 1 to 31536000 (a year).
    /// Example: `--expire 86400`.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 86_400,
        value_parser = RangedU64ValueParser::<u64>::new().range(1..=31_536_000)
    )]
    expire: u64,

    #[command(flatten)]
    credentials: CredentialArgs,
}

/// Where the credentials come from; each piece falls back to the environment
/// (TIM_SDKAPPID, TIM_IDENTIFIER, TIM_SECRET_KEY, TIM_USERSIG, TIM_REGION,
/// TIM_ENDPOINT), then to ./timl.toml and the user's config folder.
#[derive(Debug, Args)]
struct CredentialArgs {
    /// The app's SDKAppID. Example: `--sdkappid 1400000000`.
    #[arg(long, value_name = "ID", env = "TIM_SDKAPPID", hide_env_values = true)]
    sdkappid: Option<String>,

    /// The App admin account. Example: `--identifier administrator`.
    #[arg(
        long,
        value_name = "ACCOUNT",
        env = "TIM_IDENTIFIER",
        hide_env_values = true
    )]
    identifier: Option<String>,

    /// A file holding the secret key (never the key itself on the command line).
    /// Example: `--secret-key-file ~/.timl/key`.
    #[arg(long, value_name = "FILE", conflicts_with = "usersig_file")]
    secret_key_file: Option<PathBuf>,

    /// A file holding a ready UserSig. Example: `--usersig-file usersig.txt`.
    #[arg(long, value_name = "FILE")]
    usersig_file: Option<PathBuf>,

    /// china, singapore, seoul, tokyo, frankfurt, silicon-valley or jakarta.
    /// Example: `--region singapore`.
    #[arg(long, value_name = "R", env = "TIM_REGION", hide_env_values = true)]
    region: Option<String>,

    /// Another endpoint, as scheme://host[:port] (no query or fragment): https://, or
    /// http:// to a loopback address for testing.
    /// Example: `--endpoint http://127.0.0.1:8080`.
    #[arg(long, value_name = "URL", env = "TIM_ENDPOINT", hide_env_values = true)]
    endpoint: Option<String>,

    /// A `[profile.NAME]` of the config file. Example: `--profile staging`.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

impl CredentialArgs {
    fn into_flags(self) -> CredentialFlags {
        CredentialFlags {
            sdkappid: self.sdkappid,
            identifier: self.identifier,
            secret_key_file: self.secret_key_file,
            usersig_file: self.usersig_file,
            region: self.region,
            endpoint: self.endpoint,
            profile: self.profile,
        }
    }
}

#[derive(Debug, Args)]
struct CompileArgs {
    /// The template (.timl) or compiled request (.json) to compile; `-` reads standard input.
    #[arg(value_name = "FILE")]
    input: String,

    /// Write the JSON to OUT (whole or not at all) instead of standard output; with
    /// `--data`, JSON Lines, one request per row. Example: `-o notice.json`.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,

    #[command(flatten)]
    variables: VariableArgs,

    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Templates (.timl), compiled requests (.json), or folders holding them.
    #[arg(value_name = "FILE", required = true)]
    inputs: Vec<String>,

    /// `human` (rustc-style) or `json` (one object per diagnostic per line).
    /// Example: `--format json`.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,

    /// Fail (exit 1) on warnings too. Example: `timl check drafts/ --deny-warnings`.
    #[arg(long)]
    deny_warnings: bool,

    /// Also ask the server about the groups (exist? which type?), as `send` does
    /// before sending; sends nothing. Needs the credentials.
    #[arg(long)]
    online: bool,

    #[command(flatten)]
    members: MembersArg,

    #[command(flatten)]
    credentials: CredentialArgs,

    #[command(flatten)]
    variables: VariableArgs,

    #[command(flatten)]
    common: CommonArgs,
}

/// Template variables.
#[derive(Debug, Args)]
struct VariableArgs {
    /// Set a template variable (repeatable): `K=V` is text, `K:=JSON` a typed value;
    /// a data row's columns override it.
    /// Example: `--var name=Tommy --var count:=5 --var tags:='["a","b"]'`.
    #[arg(long = "var", value_name = "K=V", value_parser = crate::template::data::parse_var)]
    vars: Vec<(String, serde_json::Value)>,

    /// Read template variables from a JSON or TOML file (`--var` overrides them).
    /// Example: `--vars campaign.toml`.
    #[arg(long = "vars", value_name = "FILE")]
    vars_file: Option<PathBuf>,

    /// One message per row: JSON Lines, a JSON array of objects, or CSV with a header
    /// row, taken in row order. Example: `--data groups.csv`.
    #[arg(long = "data", value_name = "ROWS")]
    data: Option<PathBuf>,
}

impl VariableArgs {
    fn into_variables(self) -> Variables {
        Variables {
            vars: self.vars,
            vars_file: self.vars_file,
            data: self.data,
        }
    }
}

/// Options shared by every command that compiles.
#[derive(Debug, Args)]
struct CommonArgs {
    /// The group to send to; overrides the header's `group:`. Example: `--group @TGS#2C5SZEAEF`.
    #[arg(long, value_name = "ID")]
    group: Option<String>,

    /// The group's type, which decides the type rules; overrides the header's `type:`.
    /// One of work (private), public, meeting (chatroom), avchatroom, community.
    /// Example: `--group-type avchatroom`.
    #[arg(long, value_name = "T", value_parser = parse_group_type)]
    group_type: Option<GroupType>,

    /// Use this Random (0-4294967295) instead of the header's or the derived one.
    /// Example: `--random 8912345`.
    #[arg(long, value_name = "N", conflicts_with = "fresh_random")]
    random: Option<u32>,

    /// Draw a new Random instead of deriving it from the message (the derived one
    /// makes an accidental second send within 5 minutes a harmless duplicate).
    #[arg(long)]
    fresh_random: bool,

    /// The MsgBody size limit in bytes (compact JSON, UTF-8), from 1 to 1048576.
    /// Example: `--max-bytes 12000`.
    // Bounded, because the read caps are derived from it: a limit near `usize::MAX`
    // would overflow them, or lift them altogether.
    #[arg(
        long,
        value_name = "N",
        default_value_t = DEFAULT_MAX_BYTES,
        value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_MAX_BYTES as u64)
    )]
    max_bytes: usize,

    /// An app's own face catalog (TOML: its emoji and sticker groups), used with
    /// TUIKit's unless it says `builtin = false`; else `faces` in `timl.toml`.
    /// Example: `--faces faces.toml`.
    #[arg(long, value_name = "FILE")]
    faces: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct FacesArgs {
    /// An app's own face catalog to list with (or instead of) TUIKit's.
    #[arg(long, value_name = "FILE")]
    faces: Option<PathBuf>,

    /// `human` (aligned columns) or `json` (one object per line).
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
}

/// `--rate`: clap's range parsers take integers only.
fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 && rate <= 10_000.0 => Ok(rate),
        _ => Err(format!(
            "expected a number of requests per second above 0 and at most 10000, not `{text}`"
        )),
    }
}

fn parse_group_type(text: &str) -> Result<GroupType, String> {
    text.parse()
}

/// Ends the process on what clap found: help and the version as clap prints them;
/// an error (which quotes what was given: a `--var` value may hold terminal escape
/// sequences) with its control characters made visible, and exit code 2.
fn exit_on(error: clap::Error) -> ! {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        error.exit();
    }
    // Plain text: escape sequences (clap's styles, and any in the quoted value) are
    // taken out; every other control character is shown by `printable`.
    let text = error.render().to_string();
    let shown: Vec<String> = text
        .split('\n')
        .map(crate::diag::render::printable)
        .collect();
    let _ = std::io::Write::write_all(&mut std::io::stderr(), shown.join("\n").as_bytes());
    std::process::exit(2);
}

fn input_path(text: String) -> InputPath {
    if text == "-" {
        InputPath::Stdin
    } else {
        InputPath::File(PathBuf::from(text))
    }
}

impl CommonArgs {
    fn into_options(self) -> (Options, Option<PathBuf>) {
        let random = match (self.random, self.fresh_random) {
            (Some(n), _) => RandomChoice::Fixed(n),
            (None, true) => RandomChoice::Fresh,
            (None, false) => RandomChoice::Derived,
        };
        let options = Options {
            group: self.group,
            group_type: self.group_type,
            random,
            max_bytes: self.max_bytes,
            ..Options::default()
        };
        (options, self.faces)
    }
}

impl FormatArg {
    fn format(self) -> Format {
        match self {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
        }
    }
}

impl Cli {
    /// Parses the process's arguments into the command they ask for (clap exits with
    /// 2 on bad usage and 0 for `--help` and `--version`).
    ///
    /// clap reads `TIM_SDKAPPID` and the like only to show them in `--help`; a value
    /// that came from the environment is dropped here, so that the credentials stage
    /// reads it itself and says it came from the environment, not from a flag.
    pub fn parse_command() -> Command {
        use clap::parser::ValueSource;
        use clap::{CommandFactory, FromArgMatches};
        // Off a terminal, help keeps its source formatting: wrapped at 100 columns, an
        // example command would be cut in two, and a copied one run half.
        let width = if std::io::stdout().is_terminal() {
            None
        } else {
            Some(0)
        };
        let command = match width {
            Some(width) => Cli::command().term_width(width),
            None => Cli::command(),
        };
        let matches = command
            .try_get_matches()
            .unwrap_or_else(|error| exit_on(error));
        let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| exit_on(error));
        // anstream's global choice, which `diag::render::Colour` asks.
        match cli.color {
            ColorArg::Auto => {}
            ColorArg::Always => anstream::ColorChoice::Always.write_global(),
            ColorArg::Never => anstream::ColorChoice::Never.write_global(),
        }
        let mut command = cli.into_command();
        if let (Some((_, sub)), Some(flags)) = (matches.subcommand(), command.credential_flags()) {
            let from_env = |id: &str| {
                matches!(sub.try_get_raw(id), Ok(Some(_)))
                    && sub.value_source(id) == Some(ValueSource::EnvVariable)
            };
            for (id, field) in [
                ("sdkappid", &mut flags.sdkappid),
                ("identifier", &mut flags.identifier),
                ("region", &mut flags.region),
                ("endpoint", &mut flags.endpoint),
            ] {
                if from_env(id) {
                    *field = None;
                }
            }
            // Checked here, not by clap: `TIM_REGION` beside `TIM_ENDPOINT` is no
            // conflict (the endpoint wins, as on the command line it cannot be both).
            if flags.region.is_some() && flags.endpoint.is_some() {
                Cli::command()
                    .error(
                        clap::error::ErrorKind::ArgumentConflict,
                        "--region and --endpoint cannot be used together",
                    )
                    .exit();
            }
        }
        command
    }

    /// The command this command line asks for, as plain config.
    pub fn into_command(self) -> Command {
        match self.command {
            CliCommand::Send(args) => {
                let (options, faces) = args.common.into_options();
                Command::Send(SendConfig {
                    inputs: args.inputs.into_iter().map(input_path).collect(),
                    variables: args.variables.into_variables(),
                    options,
                    faces,
                    credentials: args.credentials.into_flags(),
                    deliver: DeliverOptions {
                        rate: args.rate,
                        concurrency: args.concurrency,
                        retries: args.retries,
                        resend_uncertain: args.resend_uncertain,
                    },
                    journal: args.journal,
                    dry_run: args.dry_run,
                    format: args.format.format(),
                    preflight: !args.no_preflight,
                    check_members: args.members.check_members,
                })
            }
            CliCommand::Preview(args) => {
                let (options, faces) = args.common.into_options();
                Command::Preview(PreviewConfig {
                    input: input_path(args.input),
                    output: args.output,
                    variables: args.variables.into_variables(),
                    options,
                    faces,
                    remote: !args.no_remote,
                    serve: args.serve,
                })
            }
            CliCommand::Recall(args) => Command::Recall(RecallConfig {
                journal: args.journal,
                groups: args.groups,
                yes: args.yes,
                dry_run: args.dry_run,
                rate: args.rate,
                retries: args.retries,
                credentials: args.credentials.into_flags(),
            }),
            CliCommand::Usersig(args) => Command::Usersig(UsersigConfig {
                credentials: args.credentials.into_flags(),
                expire: args.expire,
            }),
            CliCommand::Compile(args) => {
                let (options, faces) = args.common.into_options();
                Command::Compile(CompileConfig {
                    input: input_path(args.input),
                    output: args.output,
                    variables: args.variables.into_variables(),
                    options,
                    faces,
                })
            }
            CliCommand::Faces(args) => Command::Faces(FacesConfig {
                faces: args.faces,
                format: args.format.format(),
            }),
            CliCommand::Config(args) => Command::Config(ShowConfig {
                credentials: args.credentials.into_flags(),
            }),
            CliCommand::Rules => Command::Rules,
            CliCommand::Explain(args) => Command::Explain(ExplainConfig { rule: args.rule }),
            CliCommand::Completions(args) => Command::Completions(match args.shell {
                ShellArg::Bash => Shell::Bash,
                ShellArg::Zsh => Shell::Zsh,
                ShellArg::Fish => Shell::Fish,
                ShellArg::Powershell => Shell::Powershell,
            }),
            CliCommand::Man(args) => Command::Man(args.command),
            CliCommand::Check(args) => {
                let (options, faces) = args.common.into_options();
                Command::Check(CheckConfig {
                    inputs: args.inputs.into_iter().map(input_path).collect(),
                    format: args.format.format(),
                    deny_warnings: args.deny_warnings,
                    variables: args.variables.into_variables(),
                    options,
                    faces,
                    online: args.online.then(|| Online {
                        credentials: args.credentials.into_flags(),
                        check_members: args.members.check_members,
                    }),
                })
            }
        }
    }
}

/// `timl completions SHELL`: the script on standard output.
pub(super) fn completions(shell: Shell) -> Result<Outcome, Error> {
    use clap::CommandFactory;
    use clap_complete::Shell as Target;
    let target = match shell {
        Shell::Bash => Target::Bash,
        Shell::Zsh => Target::Zsh,
        Shell::Fish => Target::Fish,
        Shell::Powershell => Target::PowerShell,
    };
    let mut script = Vec::new();
    clap_complete::generate(target, &mut Cli::command(), "timl", &mut script);
    write_stdout(&script)?;
    Ok(Outcome::Success)
}

/// `timl man [COMMAND]`: timl's man page, or a command's (the pages timl(1) lists
/// under its commands), roff, on standard output.
pub(super) fn man(command: Option<String>) -> Result<Outcome, Error> {
    use clap::CommandFactory;
    let mut page = Vec::new();
    let mut cli = Cli::command();
    let man = match command {
        None => clap_mangen::Man::new(cli),
        Some(name) => {
            cli.build();
            let Some(sub) = cli.find_subcommand(&name).cloned() else {
                let names: Vec<String> = cli
                    .get_subcommands()
                    .map(|c| format!("`{}`", c.get_name()))
                    .collect();
                return Err(Error::Usage(format!(
                    "no command `{}`; the commands are {}",
                    crate::diag::render::printable(&name),
                    names.join(", ")
                )));
            };
            let page_name = format!("timl-{}", sub.get_name());
            clap_mangen::Man::new(sub.name(page_name.clone()).bin_name(page_name))
        }
    };
    man.render(&mut page).map_err(|source| Error::Write {
        path: PathBuf::from("<stdout>"),
        source,
    })?;
    write_stdout(&page)?;
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn random_flags_conflict() {
        let parsed = Cli::try_parse_from([
            "timl",
            "compile",
            "a.timl",
            "--random",
            "1",
            "--fresh-random",
        ]);
        assert!(parsed.is_err());
    }
}
