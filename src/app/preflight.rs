//! Preflight: what the server says of a batch's groups, asked before anything is sent
//! (`send`, unless `--no-preflight`) or instead of sending (`check --online`). One
//! quiet compile learns every distinct group and the accounts each message names;
//! `get_group_info` (50 groups a request) and, with `--check-members`,
//! `get_role_in_group` answer; the answers become [`GroupFacts`] that the real compile
//! turns into diagnostics at each message's own fields.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::config::{InputPath, Variables};
use super::input::{input_cap, input_dir, input_kind, read_input};
use crate::check::facts::GroupFacts;
use crate::compile::batch::compile_input;
use crate::compile::{InputKind, Options};
use crate::error::Error;
use crate::message::group::GroupType;
use crate::message::Message;
use crate::send::api::CallError;
use crate::send::groups::{group_info, members};
use crate::send::rate::Schedule;
use crate::send::sender::Sender;

/// An input read once (standard input cannot be read twice).
pub(super) struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
    pub kind: InputKind,
    pub dir: PathBuf,
}

/// Reads every input.
pub(super) fn read_all(inputs: &[InputPath], options: &Options) -> Result<Vec<Input>, Error> {
    inputs
        .iter()
        .map(|input| {
            let (name, bytes) = read_input(input, input_cap(input, options))?;
            Ok(Input {
                kind: input_kind(input, &name),
                dir: input_dir(input),
                name,
                bytes,
            })
        })
        .collect()
}

/// How to ask.
#[derive(Debug, Clone, Copy)]
pub(super) struct Asking {
    /// Also ask which named accounts are members.
    pub check_members: bool,
    /// Requests per second.
    pub rate: f64,
    /// Retries of a passing failure.
    pub retries: u32,
}

/// The groups of a batch and, for each, the accounts its messages name.
type Targets = BTreeMap<String, BTreeSet<String>>;

/// What the server says of the groups `inputs` send to (the outer error: an input
/// could not be read; the inner one: the server could not be asked). `None` when the
/// inputs have errors of their own: the real compile reports them, and nothing is
/// asked.
pub(super) fn facts(
    inputs: &[Input],
    variables: &Variables,
    options: &Options,
    sender: &Sender,
    asking: Asking,
) -> Result<Result<Option<GroupFacts>, CallError>, Error> {
    let Some(targets) = targets(inputs, variables, options)? else {
        return Ok(Ok(None));
    };
    Ok(ask(sender, &targets, asking).map(Some))
}

/// Says why the server could not be asked, and what that means for the run.
pub(super) fn failed(error: &CallError) -> super::outcome::Outcome {
    let (what, outcome) = match error {
        CallError::Refused { .. } => ("refused", super::outcome::Outcome::Refused),
        CallError::Unreachable(_) => ("unreachable", super::outcome::Outcome::Unreachable),
    };
    status!(
        "error: preflight {what}: the server was asked about the groups first and {}; nothing was sent",
        crate::diag::render::printable(&error.to_string())
    );
    outcome
}

/// Compiles quietly, collecting the groups and accounts; `None` on any error.
fn targets(
    inputs: &[Input],
    variables: &Variables,
    options: &Options,
) -> Result<Option<Targets>, Error> {
    let mut targets = Targets::new();
    let mut failed = false;
    for input in inputs {
        compile_input(
            &input.name,
            &input.bytes,
            input.kind,
            &input.dir,
            variables,
            options,
            &mut |compiled| {
                match &compiled.message {
                    Some(message) => add(&mut targets, message),
                    None => failed = true,
                }
                Ok(())
            },
        )?;
    }
    Ok((!failed).then_some(targets))
}

fn add(targets: &mut Targets, message: &Message) {
    let Some(group) = &message.group_id else {
        return;
    };
    let accounts = targets.entry(group.clone()).or_default();
    let mentioned = message.group_at.iter().filter_map(|at| at.account.clone());
    accounts.extend(message.from_account.iter().cloned());
    accounts.extend(message.to_account.iter().cloned());
    accounts.extend(mentioned);
}

/// Asks the server about `targets`.
fn ask(sender: &Sender, targets: &Targets, asking: Asking) -> Result<GroupFacts, CallError> {
    // The per-group limit is for messages to a group; questions go at the app's rate.
    let schedule = Schedule::new(asking.rate, asking.rate);
    let groups: Vec<String> = targets.keys().cloned().collect();
    let mut facts = GroupFacts::default();
    for info in group_info(sender, &schedule, &groups, asking.retries)? {
        if info.code == 0 {
            facts.found(&info.group, info.group_type);
        } else {
            facts.missing(&info.group, info.code, info.info);
        }
        // Roles are not kept for AVChatRoom groups (the API answers 10007).
        let ask_roles = asking.check_members
            && info.code == 0
            && info.group_type != Some(GroupType::AVChatRoom);
        let accounts: Vec<String> = match targets.get(&info.group) {
            Some(accounts) if ask_roles => accounts.iter().cloned().collect(),
            _ => continue,
        };
        for (account, member) in members(sender, &schedule, &info.group, &accounts, asking.retries)?
        {
            facts.member(&info.group, &account, member);
        }
    }
    Ok(facts)
}
