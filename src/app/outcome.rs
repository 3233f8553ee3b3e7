//! How a command that ran to the end went (`main` maps it to an exit code).

/// How a command that ran to the end went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was fine.
    Success,
    /// The input has errors (or warnings under `--deny-warnings`).
    InputProblems,
    /// The server refused at least one message.
    Refused,
    /// The server could not be reached for at least one message.
    Unreachable,
}
