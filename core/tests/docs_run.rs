//! Docs that run (issue 21): every ```scenario block in docs/*.md parses (a block that does not
//! fails with its file and line), and every scenario, of any protocol, is run to its end with
//! the claims of the ```claims block that follows it checked against the run. A block without
//! claims fails too: its comments say what happens, so the claims must say it checkably.
//!
//! Claims, one per line (`#` starts a comment):
//!   reply N KIND [ARG]          request N (1 = the scenario's first client action) was answered
//!                               KIND: Written, Value (ARG: the value read, or `absent`),
//!                               CasDone (ARG: applied | not-applied), Refused or Retry
//!   at T leader mon.R           (Ceph) at time T exactly one monitor leads, and it is mon.R
//!   at T kv KEY VALUE           at time T every node's committed (Ceph) or applied
//!                               (Multi-Paxos) map holds KEY = VALUE (`absent`: no value)
//!   at T leader NODE            (Ceph, Multi-Paxos) at time T exactly one node leads: NODE
//!                               (`mon.R` for Ceph, `node.R` for Multi-Paxos)
//!   at T members R,R,...        (Multi-Paxos) every node's configuration for the next slot it
//!                               applies is exactly these ranks
//!   at T learned NODE VALUE     (Basic Paxos) at time T node.R has learned VALUE
//!                               (`absent`: nothing yet)

use paxoscope_core::protocols::basic_paxos::BasicPaxos;
use paxoscope_core::protocols::ceph::messages::ClientReply;
use paxoscope_core::protocols::ceph::MonState;
use paxoscope_core::protocols::multi_paxos::MultiPaxos;
use paxoscope_core::scenario::{parse, ProtocolId, Scenario};
use paxoscope_core::session::Session;

/// One fenced block: its file, the line of its opening fence, its tag and body.
struct Block {
    file: String,
    line: usize,
    tag: String,
    body: String,
}

fn doc_blocks() -> Vec<Block> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("docs/ is readable")
        .map(|e| e.expect("a docs entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("a readable doc");
        let file = format!("docs/{}", path.file_name().unwrap().to_string_lossy());
        let mut open: Option<Block> = None;
        for (i, line) in text.lines().enumerate() {
            match &mut open {
                None => {
                    if let Some(tag) = line.trim_end().strip_prefix("```") {
                        open = Some(Block {
                            file: file.clone(),
                            line: i + 1,
                            tag: tag.to_string(),
                            body: String::new(),
                        });
                    }
                }
                Some(b) if line.trim_end() == "```" => {
                    out.push(std::mem::replace(b, empty()));
                    open = None;
                }
                Some(b) => {
                    b.body.push_str(line);
                    b.body.push('\n');
                }
            }
        }
    }
    out
}

fn empty() -> Block {
    Block {
        file: String::new(),
        line: 0,
        tag: String::new(),
        body: String::new(),
    }
}

fn parse_ms(t: &str, at: &str) -> u64 {
    let t = t.trim();
    if let Some(ms) = t.strip_suffix("ms") {
        ms.parse()
            .unwrap_or_else(|_| panic!("{at}: bad time {t:?}"))
    } else if let Some(s) = t.strip_suffix('s') {
        let s: f64 = s.parse().unwrap_or_else(|_| panic!("{at}: bad time {t:?}"));
        (s * 1000.0).round() as u64
    } else {
        panic!("{at}: a time ends in s or ms, got {t:?}")
    }
}

fn value_arg(v: &str) -> Option<String> {
    (v != "absent").then(|| v.to_string())
}

/// Checks one claim against the scenario's run; `Err` says what the run showed instead.
fn check_claim(s: &Scenario, claim: &str, at: &str) -> Result<(), String> {
    let words: Vec<&str> = claim.split_whitespace().collect();
    match words[..] {
        ["reply", n, kind, ref arg @ ..] => {
            // Any protocol: its run's client records.
            let end = s
                .end_ms
                .ok_or("a scenario with reply claims needs an end line")?;
            let mut run = paxoscope_core::view::open(s.clone()).map_err(|e| e.to_string())?;
            run.run_until(end);
            let id: u64 = n.parse().map_err(|_| format!("bad request number {n:?}"))?;
            let rec = run
                .clients()
                .iter()
                .find(|r| r.id == id)
                .ok_or(format!("the run has no request {id}"))?;
            let got = &rec.reply;
            let ok = match (kind, arg, got) {
                ("Written", [], Some(ClientReply::Written { .. })) => true,
                ("Value", [v], Some(ClientReply::Value { value, .. })) => {
                    value.as_deref().map(|x| x.to_string()) == value_arg(v)
                }
                ("CasDone", [a], Some(ClientReply::CasDone { applied, .. })) => {
                    *applied == (*a == "applied")
                }
                ("Refused", [], Some(ClientReply::Refused { .. })) => true,
                ("Retry", [], Some(ClientReply::Retry { .. })) => true,
                _ => false,
            };
            ok.then_some(())
                .ok_or(format!("request {id} was answered {got:?}"))
        }
        ["at", t, ref rest @ ..] if s.protocol == ProtocolId::MultiPaxos => {
            multi_claim(s, parse_ms(t, at), t, rest)
        }
        ["at", t, ref rest @ ..] if s.protocol == ProtocolId::BasicPaxos => {
            basic_claim(s, parse_ms(t, at), t, rest)
        }
        ["at", t, ref rest @ ..] => {
            let t_ms = parse_ms(t, at);
            let mut run = Session::new(s.clone());
            run.run_until(t_ms);
            let w = run.world();
            match rest {
                ["leader", who] => {
                    let leaders: Vec<String> = (0..w.n())
                        .filter(|r| w.node(*r).is_some_and(|m| m.state == MonState::Leader))
                        .map(|r| format!("mon.{r}"))
                        .collect();
                    (leaders == [who.to_string()])
                        .then_some(())
                        .ok_or(format!("leaders at {t}: {leaders:?}"))
                }
                ["kv", key, v] => {
                    let want = value_arg(v);
                    for r in 0..w.n() {
                        let got = w.durable(r).kv.get(*key).map(|x| x.to_string());
                        if got != want {
                            return Err(format!("mon.{r} holds {key} = {got:?} at {t}"));
                        }
                    }
                    Ok(())
                }
                _ => Err("unknown claim".into()),
            }
        }
        _ => Err("unknown claim".into()),
    }
}

/// Multi-Paxos's state claims, read from every replica at `t_ms`.
fn multi_claim(s: &Scenario, t_ms: u64, t: &str, rest: &[&str]) -> Result<(), String> {
    let mut run = Session::<MultiPaxos>::open(s.clone());
    run.run_until(t_ms);
    let w = run.world();
    let up: Vec<_> = (0..w.n()).filter_map(|r| w.node(r)).collect();
    match rest {
        ["leader", who] => {
            let leaders: Vec<String> = up
                .iter()
                .filter(|n| n.is_leader())
                .map(|n| format!("node.{}", n.rank))
                .collect();
            (leaders == [who.to_string()])
                .then_some(())
                .ok_or(format!("leaders at {t}: {leaders:?}"))
        }
        ["kv", key, v] => {
            let want = value_arg(v);
            for n in &up {
                let got = n.kv.get(*key).map(|x| x.to_string());
                if got != want {
                    return Err(format!("node.{} holds {key} = {got:?} at {t}", n.rank));
                }
            }
            Ok(())
        }
        ["members", list] => {
            for n in &up {
                let got = n.members_at(n.applied + 1).to_string();
                if got != format!("{{{list}}}") {
                    return Err(format!("node.{}'s configuration at {t} is {got}", n.rank));
                }
            }
            Ok(())
        }
        _ => Err("unknown claim (Multi-Paxos: leader, kv, members)".into()),
    }
}

/// Basic Paxos's state claims: what a node has learned at `t_ms`.
fn basic_claim(s: &Scenario, t_ms: u64, t: &str, rest: &[&str]) -> Result<(), String> {
    let mut run = Session::<BasicPaxos>::open(s.clone());
    run.run_until(t_ms);
    let w = run.world();
    match rest {
        ["learned", who, v] => {
            let r: u8 = who
                .strip_prefix("node.")
                .and_then(|r| r.parse().ok())
                .ok_or(format!("a node is node.R, got {who:?}"))?;
            let got = w.durable(r).learned.as_deref().map(str::to_string);
            (got == value_arg(v))
                .then_some(())
                .ok_or(format!("node.{r} learned {got:?} at {t}"))
        }
        _ => Err("unknown claim (Basic Paxos: learned)".into()),
    }
}

#[test]
fn every_scenario_in_the_docs_parses_runs_and_does_what_its_claims_say() {
    let blocks = doc_blocks();
    let mut checked = 0;
    for (i, b) in blocks.iter().enumerate() {
        if b.tag != "scenario" {
            continue;
        }
        let at = format!("{}:{}", b.file, b.line);
        let s = parse(&b.body).unwrap_or_else(|e| panic!("{at}: the scenario does not parse: {e}"));
        let claims = blocks
            .get(i + 1)
            .filter(|c| c.tag == "claims")
            .unwrap_or_else(|| panic!("{at}: a scenario needs a ```claims block after it"));
        for (k, line) in claims.body.lines().enumerate() {
            let claim = line.split('#').next().unwrap_or("").trim();
            if claim.is_empty() {
                continue;
            }
            let where_ = format!("{}:{}", claims.file, claims.line + 1 + k);
            if let Err(why) = check_claim(&s, claim, &where_) {
                panic!("{where_}: claim {claim:?} does not hold: {why}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} claims checked");
}

#[test]
fn a_claim_that_does_not_hold_is_reported() {
    let s = parse("paxoscope scenario v1\nend 10s\nat 5s put 0 k v\n").unwrap();
    assert_eq!(check_claim(&s, "reply 1 Written", "t"), Ok(()));
    assert!(check_claim(&s, "reply 1 Retry", "t").is_err());
    assert_eq!(check_claim(&s, "at 9s kv k v", "t"), Ok(()));
    assert!(check_claim(&s, "at 9s kv k absent", "t").is_err());
    assert_eq!(check_claim(&s, "at 9s leader mon.0", "t"), Ok(()));
    assert!(check_claim(&s, "at 9s leader mon.1", "t").is_err());
}

#[test]
fn a_multi_or_basic_paxos_claim_that_does_not_hold_is_reported() {
    let mp = parse(
        "paxoscope scenario v1\nprotocol multi-paxos\nset monitors 4\nset members 3\nend 10s\n\
         at 1s put 1 k v\n",
    )
    .unwrap();
    assert_eq!(check_claim(&mp, "at 9s kv k v", "t"), Ok(()));
    assert!(check_claim(&mp, "at 9s kv k w", "t").is_err());
    assert_eq!(check_claim(&mp, "at 9s members 0,1,2", "t"), Ok(()));
    assert!(check_claim(&mp, "at 9s members 0,1,2,3", "t").is_err());
    let leader = (0..4)
        .find(|r| check_claim(&mp, &format!("at 9s leader node.{r}"), "t").is_ok())
        .expect("one node leads at 9 s");
    assert!(check_claim(&mp, &format!("at 9s leader node.{}", (leader + 1) % 4), "t").is_err());
    let bp =
        parse("paxoscope scenario v1\nprotocol basic-paxos\nend 10s\nat 1s put 0 x A\n").unwrap();
    assert_eq!(check_claim(&bp, "at 9s learned node.2 A", "t"), Ok(()));
    assert!(check_claim(&bp, "at 9s learned node.2 B", "t").is_err());
    assert!(check_claim(&bp, "at 0.5s learned node.2 A", "t").is_err());
    assert_eq!(
        check_claim(&bp, "at 0.5s learned node.2 absent", "t"),
        Ok(())
    );
}
