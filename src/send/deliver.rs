//! Deliver: compiled requests in, each sent at most once, results out.
//!
//! A producer reads the requests and consults the journal (skipping what it shows as
//! delivered or refused, holding back what may have arrived more than five minutes
//! ago); `concurrency` workers send through the shared rate schedule, writing a
//! `sending` line before each request and the outcome after it; results come back to
//! the caller as they happen.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};

use serde::Deserialize;

use crate::error::Error;
use crate::send::journal::{self, Journal, Line, Prior, State};
use crate::send::rate::{Schedule, GROUP_RATE};
use crate::send::sender::{Delivery, Policy, Sender, Sent};

/// The most requests in flight at once (one thread each).
pub const MAX_CONCURRENCY: usize = 1024;

/// How to send a batch.
#[derive(Debug, Clone)]
pub struct DeliverOptions {
    /// Requests per second, overall.
    pub rate: f64,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Retries of a passing failure.
    pub retries: u32,
    /// Send messages whose earlier attempt may have arrived long ago.
    pub resend_uncertain: bool,
}

/// What happened to one message in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Sent (or held back as uncertain), with this result.
    Sent(Delivery),
    /// Not sent: the journal shows it delivered already.
    AlreadyDelivered,
}

/// The result for one message.
#[derive(Debug, Clone)]
pub struct Report {
    /// 0-based position in the batch.
    pub index: usize,
    /// `GroupId`.
    pub group: String,
    /// `Random`.
    pub random: u32,
    /// The journal key.
    pub key: String,
    /// What happened.
    pub status: Status,
}

#[derive(Deserialize)]
struct Head {
    #[serde(rename = "GroupId", default)]
    group: String,
    #[serde(rename = "Random", default)]
    random: u32,
}

struct Job {
    index: usize,
    json: String,
    group: String,
    random: u32,
    key: String,
    /// An earlier run's request that may have arrived, at this Unix millisecond.
    open_since: Option<u64>,
}

/// Sends every request of `requests` (compact JSON, one each) and hands each result
/// to `report`, as it happens. With a `journal` (opened, and so locked, by the caller
/// before anything else), what it shows as delivered is skipped and every attempt is
/// recorded in it.
pub fn deliver_all(
    sender: &Sender,
    requests: impl Iterator<Item = String> + Send,
    options: &DeliverOptions,
    journal: Option<Journal>,
    report: &mut dyn FnMut(Report),
) -> Result<(), Error> {
    let journal = journal.map(Mutex::new);
    let schedule = Schedule::new(options.rate, GROUP_RATE);
    let stop = AtomicBool::new(false);
    let failure: Mutex<Option<Error>> = Mutex::new(None);
    let fail = |error: Error| {
        stop.store(true, Ordering::SeqCst);
        failure.lock().expect("not poisoned").get_or_insert(error);
    };
    let concurrency = options.concurrency.clamp(1, MAX_CONCURRENCY);
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(concurrency * 2);
    let (report_tx, report_rx) = mpsc::channel::<Report>();
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|scope| {
        for _ in 0..concurrency {
            let report_tx = report_tx.clone();
            let (job_rx, journal, schedule, stop, fail) =
                (&job_rx, &journal, &schedule, &stop, &fail);
            scope.spawn(move || loop {
                let job = match job_rx.lock().expect("not poisoned").recv() {
                    Ok(job) => job,
                    Err(_) => return,
                };
                // After a failure, keep taking jobs (so the producer never waits on a
                // full queue) but send nothing.
                if stop.load(Ordering::SeqCst) {
                    continue;
                }
                let line = |state, code, seq, maybe| Line {
                    key: job.key.clone(),
                    state,
                    // For people reading the journal; it comes from the data, so it
                    // goes through the redactor like everything timl writes.
                    group: Some(sender.redact(&job.group)),
                    random: Some(job.random),
                    code,
                    seq,
                    maybe,
                    time: journal::now_ms(),
                };
                let policy = Policy {
                    retries: options.retries,
                    open_since: job.open_since,
                    resend_uncertain: options.resend_uncertain,
                };
                // The `sending` line is on disk right before the request leaves.
                let mut before_first = || match journal {
                    Some(journal) => {
                        let sending = line(State::Sending, None, None, None);
                        match journal.lock().expect("not poisoned").record(sending) {
                            Ok(()) => true,
                            Err(error) => {
                                fail(error);
                                false
                            }
                        }
                    }
                    None => true,
                };
                let Some(Sent {
                    delivery,
                    maybe_arrived,
                }) = sender.deliver(&job.json, &job.group, schedule, policy, &mut before_first)
                else {
                    continue;
                };
                if let Some(journal) = journal {
                    let outcome = match &delivery {
                        Delivery::Delivered { seq, .. } => {
                            Some(line(State::Delivered, None, Some(*seq), None))
                        }
                        // Refused now, but an earlier attempt of this run may have
                        // arrived: `maybe` keeps the message uncertain.
                        Delivery::Refused { code, .. } => {
                            Some(line(State::Refused, Some(*code), None, Some(maybe_arrived)))
                        }
                        Delivery::Dropped { .. } => {
                            Some(line(State::Refused, None, None, Some(maybe_arrived)))
                        }
                        Delivery::Unreachable { .. } => {
                            Some(line(State::Unreachable, None, None, Some(maybe_arrived)))
                        }
                        // Nothing was sent by this check (if a retry of this run may
                        // have arrived, its `sending` line keeps the window open).
                        Delivery::Uncertain { .. } => None,
                    };
                    if let Some(outcome) = outcome {
                        if let Err(error) = journal.lock().expect("not poisoned").record(outcome) {
                            fail(error);
                        }
                    }
                }
                let _ = report_tx.send(Report {
                    index: job.index,
                    group: job.group,
                    random: job.random,
                    key: job.key,
                    status: Status::Sent(delivery),
                });
            });
        }
        let producer = {
            let report_tx = report_tx.clone();
            let (journal, stop) = (&journal, &stop);
            scope.spawn(move || {
                for (index, json) in requests.enumerate() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let head: Head = serde_json::from_str(&json).unwrap_or(Head {
                        group: String::new(),
                        random: 0,
                    });
                    let key = journal::key(&json);
                    let prior = journal
                        .as_ref()
                        .map_or(Prior::New, |j| j.lock().expect("not poisoned").prior(&key));
                    let (skipped, open_since) = match prior {
                        Prior::New => (None, None),
                        Prior::Delivered => (Some(Status::AlreadyDelivered), None),
                        Prior::Uncertain(at) => (None, Some(at)),
                    };
                    match skipped {
                        Some(status) => {
                            let _ = report_tx.send(Report {
                                index,
                                group: head.group,
                                random: head.random,
                                key,
                                status,
                            });
                        }
                        None => {
                            let job = Job {
                                index,
                                json,
                                group: head.group,
                                random: head.random,
                                key,
                                open_since,
                            };
                            if job_tx.send(job).is_err() {
                                break;
                            }
                        }
                    }
                }
                drop(job_tx);
            })
        };
        drop(report_tx);
        for result in report_rx {
            report(result);
        }
        let _ = producer.join();
    });
    if let Some(journal) = &journal {
        journal.lock().expect("not poisoned").sync()?;
    }
    match failure.into_inner().expect("not poisoned") {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
