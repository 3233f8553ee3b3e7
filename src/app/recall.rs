//! `timl recall`: every message a journal shows as delivered (and not yet recalled),
//! recalled with `group_msg_recall`, at most 10 of one group a request, within the
//! rate limit, after a confirmation. Each recall is journalled (`recalled`) as it
//! succeeds, so a second run, or a run after an interruption, asks nothing twice.

use std::collections::BTreeMap;
use std::io::{self, BufRead, IsTerminal};

use super::config::RecallConfig;
use super::input::write_stdout;
use super::outcome::Outcome;
use super::send::environment;
use crate::diag::render::printable;
use crate::error::Error;
use crate::send::api::CallError;
use crate::send::config_file::config_paths;
use crate::send::credentials;
use crate::send::groups::{recall, RECALLS_PER_REQUEST};
use crate::send::journal::{self, Binding, Delivered, Journal, Line, State};
use crate::send::rate::{Schedule, GROUP_RATE};
use crate::send::sender::Sender;

/// `timl recall`.
pub(super) fn recall_command(config: RecallConfig) -> Result<Outcome, Error> {
    // A journal that is not there is a mistake, not a journal with nothing in it.
    let mut journal = Journal::open_existing(&config.journal)?;
    checked(&journal.delivered(), &config.journal)?;
    let by_group = chosen(journal.delivered(), &config.groups);
    let total: usize = by_group.values().map(Vec::len).sum();
    if total == 0 {
        status!(
            "nothing to recall: the journal shows no delivered message that is not recalled yet"
        );
        return Ok(Outcome::Success);
    }
    if config.dry_run {
        return dry_run(&by_group);
    }
    let found = credentials::find(&config.credentials, &environment, &config_paths())?;
    let credentials = found.complete()?;
    let binding = Binding::of(&credentials);
    // Another app's journal: its MsgSeqs would take back this app's messages.
    journal.bind(&binding)?;
    let groups: Vec<&str> = by_group.keys().map(String::as_str).collect();
    status!(
        "recalling in app {} at {}, groups {}",
        binding.sdkappid,
        printable(&binding.host),
        printable(&groups.join(", "))
    );
    let sender = Sender::new(credentials);
    if !config.yes {
        confirm(total, by_group.len())?;
    }
    let schedule = Schedule::new(config.rate, GROUP_RATE);
    let mut tally = Tally::default();
    for (group, messages) in &by_group {
        for chunk in messages.chunks(RECALLS_PER_REQUEST) {
            let seqs: Vec<u64> = chunk.iter().map(|m| m.seq).collect();
            match recall(&sender, &schedule, group, &seqs, config.retries) {
                Ok(answers) => tally.answered(&mut journal, group, chunk, &answers)?,
                Err(error) => tally.failed(group, chunk.len(), &error),
            }
        }
    }
    journal.sync()?;
    status!("{}", tally.line());
    Ok(tally.outcome())
}

/// What a journal says was delivered is what timl writes: group IDs that are IDs
/// (printable ASCII, at most 48 bytes), `MsgSeq`s over 0 and each once a group. A
/// hand-written or altered journal is refused whole: a recall cannot be undone.
fn checked(delivered: &[Delivered], path: &std::path::Path) -> Result<(), Error> {
    let mut seen = std::collections::HashSet::new();
    for message in delivered {
        let group_ok = !message.group.is_empty()
            && message.group.len() <= 48
            && message.group.chars().all(|c| (' '..='~').contains(&c));
        let why = if !group_ok {
            Some(format!(
                "the group `{}` is no group ID",
                printable(&message.group)
            ))
        } else if message.seq == 0 {
            Some(format!("a message of `{}` has MsgSeq 0", message.group))
        } else if !seen.insert((message.group.as_str(), message.seq)) {
            Some(format!(
                "MsgSeq {} of `{}` is there twice",
                message.seq, message.group
            ))
        } else {
            None
        };
        if let Some(why) = why {
            return Err(Error::Read {
                path: path.to_owned(),
                source: io::Error::other(format!(
                    "not a journal timl wrote ({why}), so nothing was recalled"
                )),
            });
        }
    }
    Ok(())
}

/// The messages to recall, by group: all, or those of `groups`.
fn chosen(delivered: Vec<Delivered>, groups: &[String]) -> BTreeMap<String, Vec<Delivered>> {
    let mut by_group: BTreeMap<String, Vec<Delivered>> = BTreeMap::new();
    for message in delivered {
        if groups.is_empty() || groups.contains(&message.group) {
            by_group
                .entry(message.group.clone())
                .or_default()
                .push(message);
        }
    }
    by_group
}

/// `--dry-run`: the requests, nothing recalled.
fn dry_run(by_group: &BTreeMap<String, Vec<Delivered>>) -> Result<Outcome, Error> {
    let mut requests = 0;
    for (group, messages) in by_group {
        for chunk in messages.chunks(RECALLS_PER_REQUEST) {
            let list: Vec<_> = chunk
                .iter()
                .map(|m| serde_json::json!({"MsgSeq": m.seq}))
                .collect();
            let body = serde_json::json!({"GroupId": group, "MsgSeqList": list});
            let text = crate::diag::render::json_safe(&body.to_string());
            write_stdout(format!("POST {}\n{text}\n", crate::send::groups::RECALL).as_bytes())?;
            requests += 1;
        }
    }
    status!("dry run: {requests} request(s) shown, nothing recalled");
    Ok(Outcome::Success)
}

/// Asks on the terminal; without one, recalling needs `--yes`.
fn confirm(total: usize, groups: usize) -> Result<(), Error> {
    if !io::stdin().is_terminal() {
        return Err(Error::Usage(format!(
            "recalling {total} message(s) cannot be undone: confirm on a terminal, or pass --yes"
        )));
    }
    status_part!("Recall {total} message(s) in {groups} group(s)? This cannot be undone. [y/N] ");
    let mut answer = String::new();
    let _ = io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
        Ok(())
    } else {
        Err(Error::Usage(
            "not confirmed: nothing was recalled".to_owned(),
        ))
    }
}

/// What a recall run did.
#[derive(Debug, Default)]
struct Tally {
    recalled: usize,
    not_recalled: BTreeMap<i64, usize>,
    unreachable: usize,
}

impl Tally {
    /// Journals each message the server recalled; reports the others.
    fn answered(
        &mut self,
        journal: &mut Journal,
        group: &str,
        chunk: &[Delivered],
        answers: &[crate::send::groups::Recall],
    ) -> Result<(), Error> {
        for message in chunk {
            let code = answers
                .iter()
                .find(|answer| answer.seq == message.seq)
                .map_or(-1, |answer| answer.code);
            if code == 0 {
                journal.record(Line {
                    key: message.key.clone(),
                    state: State::Recalled,
                    group: Some(group.to_owned()),
                    random: None,
                    code: None,
                    seq: Some(message.seq),
                    maybe: None,
                    app: None,
                    host: None,
                    time: journal::now_ms(),
                })?;
                self.recalled += 1;
            } else {
                *self.not_recalled.entry(code).or_default() += 1;
                status!(
                    "not recalled: MsgSeq {} in {}: RetCode {code} (already recalled, or too old to recall)",
                    message.seq,
                    printable(group)
                );
            }
        }
        Ok(())
    }

    fn failed(&mut self, group: &str, count: usize, error: &CallError) {
        match error {
            CallError::Refused { code, .. } => {
                *self.not_recalled.entry(*code).or_default() += count
            }
            CallError::Unreachable(_) => self.unreachable += count,
        }
        status!(
            "not recalled: {count} message(s) in {}: {}",
            printable(group),
            printable(&error.to_string())
        );
    }

    fn line(&self) -> String {
        let mut parts = vec![format!("{} recalled", self.recalled)];
        let refused: usize = self.not_recalled.values().sum();
        if refused > 0 {
            let codes: Vec<String> = self
                .not_recalled
                .iter()
                .map(|(code, n)| format!("{code} x{n}"))
                .collect();
            parts.push(format!("{refused} not recalled ({})", codes.join(", ")));
        }
        if self.unreachable > 0 {
            parts.push(format!("{} could not reach the server", self.unreachable));
        }
        parts.join(", ")
    }

    fn outcome(&self) -> Outcome {
        if self.unreachable > 0 {
            Outcome::Unreachable
        } else if !self.not_recalled.is_empty() {
            Outcome::Refused
        } else {
            Outcome::Success
        }
    }
}
