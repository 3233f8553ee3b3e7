//! The `timl` binary: parse the command line, run, map the result to an exit code.

use std::io::Write;
use std::process::ExitCode;

use timl::Cli;
use timl::{Error, Outcome};

fn main() -> ExitCode {
    // clap exits with 2 on bad usage and 0 for --help/--version.
    let command = Cli::parse_command();
    let result = timl::run(command).or_else(|error| match error {
        // The reader has gone (`timl compile ... | head -1`): done, as `cat` is.
        Error::Write { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe => {
            Ok(Outcome::Success)
        }
        error => Err(error),
    });
    if let Err(error) = &result {
        // File names and server texts in it are untrusted: shown, never obeyed.
        let shown: Vec<String> = error
            .to_string()
            .lines()
            .map(timl::render::printable)
            .collect();
        // A standard error that cannot be written changes nothing: the exit code says it.
        let _ = writeln!(std::io::stderr(), "error: {}", shown.join("\n"));
    }
    // The exit-code table (the README's), in one place.
    ExitCode::from(match result {
        Ok(Outcome::Success) => 0,
        Ok(Outcome::InputProblems) => 1,
        Ok(Outcome::Refused) => 4,
        Ok(Outcome::Unreachable) => 5,
        Err(Error::Usage(_)) => 2,
        Err(Error::Read { .. } | Error::Write { .. } | Error::System { .. }) => 3,
    })
}

// Batches allocate and free across threads; mimalloc handles that far better than
// the system allocator (measured: see the README's performance section). `Budgeted`
// keeps template work within its memory budget.
#[global_allocator]
static ALLOCATOR: timl::Budgeted<mimalloc::MiMalloc> = timl::Budgeted(mimalloc::MiMalloc);
