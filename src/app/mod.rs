//! App: the command line in, files read and written and an [`Outcome`] out.
//!
//! [`cli`] turns arguments into a plain [`config::Command`]; one module per command
//! ([`compile`], [`check`], [`send`], [`usersig`]) runs it. This folder reads the
//! inputs ([`input`]), writes `-o` whole or not at all ([`output`]) and the standard
//! streams ([`printer`], the send reports); elsewhere only the journal writes a file,
//! the template loader and the data rows read theirs, and the template deadline may
//! print its one error before it ends the process.

mod check;
pub mod cli;
mod compile;
pub mod config;
mod faces;
mod input;
mod outcome;
mod output;
mod preflight;
mod preview;
mod printer;
mod recall;
mod repeats;
mod report;
mod row_groups;
mod rules;
mod send;
mod serve;
mod show_config;
mod usersig;

use crate::error::Error;
use config::Command;
pub use outcome::Outcome;

/// Runs `command`.
pub fn run(mut command: Command) -> Result<Outcome, Error> {
    if let Some((options, file)) = command.compile_options() {
        options.faces = faces::catalog(file)?;
    }
    // A template needs microseconds; two seconds is work the fuel missed.
    crate::template::watchdog::enable(std::time::Duration::from_secs(2));
    crate::template::budget::enable();
    match command {
        Command::Compile(config) => compile::compile(config),
        Command::Check(config) => check::check(config),
        Command::Send(config) => send::send(config),
        Command::Usersig(config) => usersig::usersig(config),
        Command::Recall(config) => recall::recall_command(config),
        Command::Preview(config) => preview::preview(config),
        Command::Config(config) => show_config::show_config(config),
        Command::Faces(config) => faces::list_faces(config),
        Command::Rules => rules::list_rules(),
        Command::Explain(config) => rules::explain(config),
        Command::Completions(shell) => cli::completions(shell),
        Command::Man(command) => cli::man(command),
    }
}
