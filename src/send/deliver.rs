//! Deliver: compiled requests in, each sent at most once, results out.
//!
//! A producer reads the requests and consults the journal (skipping what it shows as
//! delivered, holding back what may have arrived before the server's de-duplication
//! window); `concurrency` workers send through the shared rate schedule, writing a
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

impl Job {
    /// A journal line about this job.
    fn line(&self, sender: &Sender, state: State, outcome: Outcome) -> Line {
        Line {
            key: self.key.clone(),
            state,
            // For people reading the journal; it comes from the data, so it goes
            // through the redactor like everything timl writes.
            group: Some(sender.redact(&self.group)),
            random: Some(self.random),
            code: outcome.code,
            seq: outcome.seq,
            maybe: outcome.maybe,
            app: None,
            host: None,
            time: journal::now_ms(),
        }
    }
}

/// What a journal line says about a message's end, besides its state.
#[derive(Default)]
struct Outcome {
    code: Option<i64>,
    seq: Option<u64>,
    maybe: Option<bool>,
}

/// The journal line for how a message ended; none for a message held back (nothing
/// was sent by that check: if a retry of this run may have arrived, its `sending` line
/// keeps the window open).
fn ending(delivery: &Delivery, maybe_arrived: bool) -> Option<(State, Outcome)> {
    // Refused now, but an earlier attempt of this run may have arrived: `maybe` keeps
    // the message uncertain.
    let maybe = Some(maybe_arrived);
    Some(match delivery {
        Delivery::Delivered { seq, .. } => (
            State::Delivered,
            Outcome {
                seq: Some(*seq),
                ..Outcome::default()
            },
        ),
        Delivery::Refused { code, .. } => (
            State::Refused,
            Outcome {
                code: Some(*code),
                maybe,
                ..Outcome::default()
            },
        ),
        Delivery::Dropped { .. } => (
            State::Refused,
            Outcome {
                maybe,
                ..Outcome::default()
            },
        ),
        Delivery::Unreachable { .. } => (
            State::Unreachable,
            Outcome {
                maybe,
                ..Outcome::default()
            },
        ),
        Delivery::Uncertain { .. } => return None,
    })
}

/// What the producer and the workers of one batch share.
struct Batch<'a> {
    sender: &'a Sender,
    options: &'a DeliverOptions,
    journal: Option<Mutex<Journal>>,
    schedule: Schedule,
    /// Set by the first failure (of the journal): no more requests leave.
    stop: AtomicBool,
    failure: Mutex<Option<Error>>,
}

impl Batch<'_> {
    fn fail(&self, error: Error) {
        self.stop.store(true, Ordering::SeqCst);
        self.failure
            .lock()
            .expect("not poisoned")
            .get_or_insert(error);
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Writes `line` to the journal (if any); false when that failed.
    fn record(&self, line: impl FnOnce() -> Line) -> bool {
        let Some(journal) = &self.journal else {
            return true;
        };
        match journal.lock().expect("not poisoned").record(line()) {
            Ok(()) => true,
            Err(error) => {
                self.fail(error);
                false
            }
        }
    }

    /// Reads requests, skips what the journal shows delivered, queues the rest.
    fn produce(
        &self,
        requests: impl Iterator<Item = String>,
        jobs: mpsc::SyncSender<Job>,
        reports: mpsc::Sender<Report>,
    ) {
        for (index, json) in requests.enumerate() {
            if self.stopped() {
                break;
            }
            let head: Head = serde_json::from_str(&json).unwrap_or(Head {
                group: String::new(),
                random: 0,
            });
            let key = journal::key(&json);
            let prior = self.journal.as_ref().map_or(Prior::New, |journal| {
                journal.lock().expect("not poisoned").prior(&key)
            });
            let open_since = match prior {
                Prior::New => None,
                Prior::Uncertain(at) => Some(at),
                Prior::Delivered => {
                    let _ = reports.send(Report {
                        index,
                        group: head.group,
                        random: head.random,
                        key,
                        status: Status::AlreadyDelivered,
                    });
                    continue;
                }
            };
            let job = Job {
                index,
                json,
                group: head.group,
                random: head.random,
                key,
                open_since,
            };
            if jobs.send(job).is_err() {
                break;
            }
        }
    }

    /// One worker: takes jobs until the queue closes.
    fn work(&self, jobs: &Mutex<mpsc::Receiver<Job>>, reports: mpsc::Sender<Report>) {
        loop {
            let Ok(job) = jobs.lock().expect("not poisoned").recv() else {
                return;
            };
            // After a failure, keep taking jobs (so the producer never waits on a
            // full queue) but send nothing.
            if self.stopped() {
                continue;
            }
            if let Some(report) = self.send(job) {
                let _ = reports.send(report);
            }
        }
    }

    /// Sends one message, journalled: `sending` right before its first request, its
    /// ending after the last.
    fn send(&self, job: Job) -> Option<Report> {
        let policy = Policy {
            retries: self.options.retries,
            open_since: job.open_since,
            resend_uncertain: self.options.resend_uncertain,
        };
        let mut before_first =
            || self.record(|| job.line(self.sender, State::Sending, Outcome::default()));
        let Sent {
            delivery,
            maybe_arrived,
        } = self.sender.send_with_retries(
            &job.json,
            &job.group,
            &self.schedule,
            policy,
            &mut before_first,
        )?;
        if let Some((state, outcome)) = ending(&delivery, maybe_arrived) {
            self.record(|| job.line(self.sender, state, outcome));
        }
        Some(Report {
            index: job.index,
            group: job.group,
            random: job.random,
            key: job.key,
            status: Status::Sent(delivery),
        })
    }

    /// The journal written through to disk, and the first failure, if any.
    fn finish(self) -> Result<(), Error> {
        if let Some(journal) = &self.journal {
            journal.lock().expect("not poisoned").sync()?;
        }
        match self.failure.into_inner().expect("not poisoned") {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// Starts up to `wanted` workers with `spawn`: as many as the system gives, since a
/// machine short of threads or memory sends more slowly, never not at all. Returns
/// how many started; none is an error.
fn start_workers(
    wanted: usize,
    mut spawn: impl FnMut() -> std::io::Result<()>,
) -> Result<usize, Error> {
    let mut started = 0;
    for _ in 0..wanted {
        match spawn() {
            Ok(()) => started += 1,
            Err(error) if started == 0 => return Err(no_thread(error)),
            Err(_) => break,
        }
    }
    Ok(started)
}

fn no_thread(source: std::io::Error) -> Error {
    Error::System {
        what: "start a thread to send",
        source,
    }
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
    let batch = Batch {
        sender,
        options,
        journal: journal.map(Mutex::new),
        schedule: Schedule::new(options.rate, GROUP_RATE),
        stop: AtomicBool::new(false),
        failure: Mutex::new(None),
    };
    let concurrency = options.concurrency.clamp(1, MAX_CONCURRENCY);
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(concurrency * 2);
    let (report_tx, report_rx) = mpsc::channel::<Report>();
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|scope| {
        start_workers(concurrency, || {
            let (batch, job_rx, report_tx) = (&batch, &job_rx, report_tx.clone());
            std::thread::Builder::new()
                .spawn_scoped(scope, move || batch.work(job_rx, report_tx))
                .map(drop)
        })?;
        // Without a producer its sender is dropped, and the workers end at once.
        let producer = {
            let (batch, report_tx) = (&batch, report_tx.clone());
            std::thread::Builder::new()
                .spawn_scoped(scope, move || batch.produce(requests, job_tx, report_tx))
        };
        drop(report_tx);
        for result in report_rx {
            report(result);
        }
        match producer {
            Ok(producer) => {
                let _ = producer.join();
                Ok(())
            }
            Err(error) => Err(no_thread(error)),
        }
    })?;
    batch.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send::credentials::{Auth, Credentials};
    use crate::send::secret::Secret;
    use std::net::TcpListener;

    /// A batch of `sender` with no journal.
    fn batch<'a>(sender: &'a Sender, options: &'a DeliverOptions) -> Batch<'a> {
        Batch {
            sender,
            options,
            journal: None,
            schedule: Schedule::new(options.rate, GROUP_RATE),
            stop: AtomicBool::new(false),
            failure: Mutex::new(None),
        }
    }

    fn sender(endpoint: String) -> Sender {
        Sender::new(Credentials {
            sdkappid: 1,
            identifier: "admin".into(),
            auth: Auth::SecretKey(Secret::new("0123456789abcdef")),
            endpoint,
        })
    }

    fn options() -> DeliverOptions {
        DeliverOptions {
            rate: 200.0,
            concurrency: 1,
            retries: 0,
            resend_uncertain: false,
        }
    }

    fn failure() -> Error {
        Error::Write {
            path: "batch.journal".into(),
            source: std::io::Error::other("disk full"),
        }
    }

    /// After the journal fails, no request leaves and the run ends with that error:
    /// a message whose `sending` line cannot be written must not be sent.
    #[test]
    fn after_a_failure_nothing_is_sent_and_the_run_fails() {
        // A listener nobody should connect to.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let sender = sender(format!("http://{}", listener.local_addr().unwrap()));
        let options = options();
        let batch = batch(&sender, &options);
        batch.fail(failure());
        assert!(batch.stopped());
        // The producer queues nothing more.
        let (job_tx, job_rx) = mpsc::sync_channel(4);
        let (report_tx, report_rx) = mpsc::channel();
        let body = r#"{"GroupId":"g","Random":1,"MsgBody":[]}"#;
        batch.produce(std::iter::once(body.to_owned()), job_tx, report_tx.clone());
        assert!(
            job_rx.try_recv().is_err(),
            "a job was queued after the failure"
        );
        // A worker takes a job already queued, and sends nothing.
        let (job_tx, job_rx) = mpsc::sync_channel(4);
        job_tx
            .send(Job {
                index: 0,
                json: body.to_owned(),
                group: "g".into(),
                random: 1,
                key: journal::key(body),
                open_since: None,
            })
            .unwrap();
        drop(job_tx);
        batch.work(&Mutex::new(job_rx), report_tx);
        assert!(report_rx.try_recv().is_err(), "a message was sent");
        assert!(listener.accept().is_err(), "a request left");
        let error = batch.finish().unwrap_err();
        assert!(error.to_string().contains("disk full"), "{error}");
    }

    /// Workers start as the system allows: fewer when it runs short, an error only
    /// when none starts.
    #[test]
    fn as_many_workers_start_as_the_system_gives() {
        let spawning = |fails_at: usize| {
            let mut calls = 0;
            move || {
                calls += 1;
                if calls >= fails_at {
                    Err(std::io::Error::other("no more threads"))
                } else {
                    Ok(())
                }
            }
        };
        assert_eq!(start_workers(8, spawning(usize::MAX)).unwrap(), 8);
        assert_eq!(start_workers(8, spawning(4)).unwrap(), 3);
        assert_eq!(start_workers(8, spawning(2)).unwrap(), 1);
        let error = start_workers(8, spawning(1)).unwrap_err();
        assert!(error.to_string().contains("no more threads"), "{error}");
    }

    /// The first failure is the one reported.
    #[test]
    fn the_first_failure_is_kept() {
        let sender = sender("http://127.0.0.1:9".into());
        let options = options();
        let batch = batch(&sender, &options);
        assert!(!batch.stopped());
        batch.fail(failure());
        batch.fail(Error::Usage("later".into()));
        assert!(batch
            .finish()
            .unwrap_err()
            .to_string()
            .contains("disk full"));
    }
}
