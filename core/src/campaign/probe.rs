//! The service probe: after the heal the campaign uses the service the way a client would,
//! through every monitor, and liveness holds only once it has worked end to end:
//!
//! 1. **writes**: a put through every monitor (most are forwarded to the leader) is answered
//!    `Written`;
//! 2. **reads**: a get at every monitor returns the committed value of a key written through
//!    another monitor;
//! 3. **compare-and-set**: at every monitor, a CAS expecting the key's committed value applies;
//! 4. **stale compare-and-set**: the same CAS again, now expecting the value it replaced,
//!    fails.
//!
//! The probe is a closed-loop client: each monitor has one request outstanding at a time, and a
//! refusal or a "retry" is simply tried again at the next poll (the service may not be back
//! yet). A stage starts when every monitor finished the one before. Answers that no recovery
//! excuses (a CAS that finds the value it expected and does not apply, a stale CAS that
//! applies) break the probe at once. Every request is injected into the session, so it is in
//! the run's scenario and in the client history the linearizability check reads.

use crate::client::{ClientOp, ClientReply, Text};
use crate::protocols::ceph::wording::client_op;
use crate::protocols::ceph::Ceph;
use crate::scenario::Action;
use crate::session::Session;
use crate::sim::{ClientRecord, World};

/// The probe's stages, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Writes,
    Reads,
    Cas,
    StaleCas,
    Done,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Writes => "writes",
            Stage::Reads => "reads",
            Stage::Cas => "compare-and-set",
            Stage::StaleCas => "stale compare-and-set",
            Stage::Done => "done",
        }
    }

    fn next(self) -> Stage {
        match self {
            Stage::Writes => Stage::Reads,
            Stage::Reads => Stage::Cas,
            Stage::Cas => Stage::StaleCas,
            Stage::StaleCas | Stage::Done => Stage::Done,
        }
    }
}

/// Stages that send requests (each one request per monitor, retried until it succeeds).
pub const STAGES: u64 = 4;
/// A monitor whose request was refused or answered "retry" is asked again this long after
/// the last request (simulated time), while the cluster comes back.
pub const RETRY_MS: u64 = 500;

/// The key the probe writes through monitor `r`.
pub fn probe_key(r: u8) -> Text {
    format!("live{r}").into()
}

/// A request the probe sent: the time it was scheduled for, and what it was.
#[derive(Clone, Debug)]
struct Sent {
    at_ms: u64,
    op: ClientOp,
}

/// One monitor's share of the current stage.
#[derive(Clone, Debug, Default)]
struct Lane {
    sent: Option<Sent>,
    /// When the last request of this stage was sent (for `RETRY_MS`).
    last_sent_ms: Option<u64>,
    done: bool,
    /// What the last answer was, when it was not the one wanted (for the failure message).
    last: Option<String>,
}

/// What an answer means for the stage.
enum Verdict {
    Done,
    /// Not yet: try again (the reason is kept for the failure message).
    Again(String),
    /// An answer no recovery excuses.
    Broken(String),
}

#[derive(Clone, Debug)]
pub struct Probe {
    n: u8,
    stage: Stage,
    lanes: Vec<Lane>,
    /// Per monitor: the value its key held before the CAS stage replaced it (what the stale
    /// CAS expects).
    replaced: Vec<Option<Text>>,
    next_value: u64,
    broken: Option<String>,
    /// Requests sent so far.
    pub requests: usize,
}

impl Probe {
    pub fn new(n: u8) -> Probe {
        Probe {
            n,
            stage: Stage::Writes,
            lanes: vec![Lane::default(); n as usize],
            replaced: vec![None; n as usize],
            next_value: 0,
            broken: None,
            requests: 0,
        }
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// An answer that no recovery excuses, if one came.
    pub fn broken(&self) -> Option<&str> {
        self.broken.as_deref()
    }

    /// `Ok` once every stage is done; else what is missing, naming monitors and answers.
    pub fn done(&self) -> Result<(), String> {
        if self.stage == Stage::Done {
            return Ok(());
        }
        let waiting: Vec<String> = self
            .lanes
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.done)
            .map(|(r, l)| match (&l.sent, &l.last) {
                (Some(sent), _) => format!(
                    "mon.{r}: {} sent at {} ms has no answer",
                    client_op(&sent.op),
                    sent.at_ms
                ),
                (None, Some(last)) => format!("mon.{r}: {last}"),
                (None, None) => format!("mon.{r}: nothing sent yet"),
            })
            .collect();
        let more = match waiting.len() {
            0 | 1 => String::new(),
            k => format!(" (and {} more monitors)", k - 1),
        };
        Err(format!(
            "service probe at the {} stage: {}{more}",
            self.stage.name(),
            waiting.first().map_or("", |w| w.as_str())
        ))
    }

    /// Read the answers that came since the last poll and send what is due now.
    pub fn poll(&mut self, session: &mut Session) {
        while self.broken.is_none() && self.stage != Stage::Done {
            for r in 0..self.n {
                self.read_answer(session.world(), r);
            }
            if self.broken.is_some() {
                return;
            }
            if self.lanes.iter().all(|l| l.done) {
                self.stage = self.stage.next();
                self.lanes = vec![Lane::default(); self.n as usize];
                continue;
            }
            let now = session.now_ms();
            for r in 0..self.n {
                let lane = &self.lanes[r as usize];
                let due = lane.last_sent_ms.is_none_or(|t| now >= t + RETRY_MS);
                if !lane.done && lane.sent.is_none() && due {
                    self.send(session, r);
                }
            }
            return;
        }
    }

    fn read_answer(&mut self, world: &World<Ceph>, r: u8) {
        let Some(sent) = self.lanes[r as usize].sent.clone() else {
            return;
        };
        let Some(reply) = record(world, r, &sent).and_then(|rec| rec.reply.as_ref()) else {
            return; // not answered yet
        };
        let verdict = self.judge(world, r, &sent.op, reply);
        let lane = &mut self.lanes[r as usize];
        lane.sent = None;
        match verdict {
            Verdict::Done => lane.done = true,
            Verdict::Again(why) => lane.last = Some(why),
            Verdict::Broken(why) => self.broken = Some(format!("mon.{r}: {why}")),
        }
    }

    fn judge(&mut self, world: &World<Ceph>, r: u8, op: &ClientOp, reply: &ClientReply) -> Verdict {
        let what = client_op(op);
        match (self.stage, op, reply) {
            (_, _, ClientReply::Refused { reason }) => {
                Verdict::Again(format!("{what} refused: {reason}"))
            }
            (_, _, ClientReply::Retry { reason }) => {
                Verdict::Again(format!("{what} answered retry: {reason}"))
            }
            (Stage::Writes, _, ClientReply::Written { .. }) => Verdict::Done,
            (Stage::Reads, ClientOp::Get { key }, ClientReply::Value { value, version }) => {
                let committed = committed_value(world, key);
                if *value == committed {
                    Verdict::Done
                } else {
                    Verdict::Again(format!(
                        "{what} returned {} at v{version}, the committed value is {}",
                        show(value),
                        show(&committed)
                    ))
                }
            }
            (
                Stage::Cas,
                ClientOp::Cas { expected, .. },
                ClientReply::CasDone {
                    applied, current, ..
                },
            ) => match (*applied, current == expected) {
                (true, _) => {
                    self.replaced[r as usize] = expected.clone();
                    Verdict::Done
                }
                (false, true) => Verdict::Broken(format!(
                    "{what} found {} as expected, yet did not apply",
                    show(current)
                )),
                // The key moved (a write answered "retry" committed after all): expect anew.
                (false, false) => Verdict::Again(format!("{what} found {}", show(current))),
            },
            (
                Stage::StaleCas,
                ClientOp::Cas { expected, .. },
                ClientReply::CasDone {
                    applied, current, ..
                },
            ) => {
                if *applied {
                    Verdict::Broken(format!(
                        "{what} applied, though {} had been replaced by a CAS that succeeded",
                        show(expected)
                    ))
                } else if current == expected {
                    Verdict::Broken(format!(
                        "{what} found {} as expected, yet did not apply",
                        show(current)
                    ))
                } else {
                    Verdict::Done
                }
            }
            (_, _, other) => Verdict::Broken(format!("{what} answered {other:?}")),
        }
    }

    fn send(&mut self, session: &mut Session, r: u8) {
        let world = session.world();
        let own = probe_key(r);
        let value = || -> Text { format!("L{}", self.next_value).into() };
        let op = match self.stage {
            Stage::Writes => ClientOp::Put {
                key: own,
                value: value(),
            },
            Stage::Reads => ClientOp::Get {
                key: probe_key((r + 1) % self.n),
            },
            Stage::Cas => ClientOp::Cas {
                expected: committed_value(world, &own),
                key: own,
                value: value(),
            },
            Stage::StaleCas => ClientOp::Cas {
                key: own,
                expected: self.replaced[r as usize].clone(),
                value: value(),
            },
            Stage::Done => return,
        };
        if op.is_write() {
            self.next_value += 1;
        }
        let action = match op.clone() {
            ClientOp::Put { key, value } => Action::Put {
                node: r,
                key,
                value,
            },
            ClientOp::Get { key } => Action::Get { node: r, key },
            ClientOp::Cas {
                key,
                expected,
                value,
            } => Action::Cas {
                node: r,
                key,
                expected,
                value,
            },
        };
        let at_ms = session
            .inject(action)
            .expect("a probe request is a valid action");
        self.requests += 1;
        let lane = &mut self.lanes[r as usize];
        lane.sent = Some(Sent { at_ms, op });
        lane.last_sent_ms = Some(at_ms - 1);
    }
}

/// The record of a request the probe sent (the newest records are the probe's).
fn record<'a>(world: &'a World<Ceph>, r: u8, sent: &Sent) -> Option<&'a ClientRecord> {
    world
        .clients()
        .iter()
        .rev()
        .take_while(|rec| rec.invoke_ms >= sent.at_ms)
        .find(|rec| rec.node == r && rec.invoke_ms == sent.at_ms && rec.op == sent.op)
}

/// The value of `key` committed on the monitor furthest ahead (lowest rank among equals).
pub fn committed_value(world: &World<Ceph>, key: &str) -> Option<Text> {
    let newest = (0..world.n())
        .rev()
        .max_by_key(|r| world.durable(*r).last_committed)
        .expect("a cluster has monitors");
    world.durable(newest).kv.get(key).cloned()
}

fn show(v: &Option<Text>) -> String {
    v.as_deref().unwrap_or("absent").to_string()
}
