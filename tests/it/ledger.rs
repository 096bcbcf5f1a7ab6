//! `judge decide` and `judge ledger` on the sample data: a decision closes the worker's
//! escalation alarm (and `judge drift` does not raise it again), the gaps follow, and an
//! exported ledger that was edited, reordered, cut or extended fails `judge ledger verify`,
//! which names the first bad entry.

use std::path::Path;

use engine::synthetic::{write_synthetic_gguf, SyntheticSpec};

use crate::support::{
    assert_one_clear_error, echo_agent_cmd, judge, repo_root, run_ok, stderr, stdout,
};

const EXIT_ALARM: i32 = 3;

/// A record id of the sample data.
const SAMPLE_RECORD: &str = "f-2026W36-001";

fn gaps_json(dir: &Path) -> Vec<serde_json::Value> {
    let text = run_ok(&["ledger", "gaps", "--store", "s.db", "--json"], dir);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["gaps"].as_array().unwrap().clone()
}

/// The sample records ingested into `s.db` and `judge drift` run once: alarm 1 is open.
fn sample_store_with_an_alarm(dir: &Path) {
    let sample = repo_root().join("data/sample/records.jsonl");
    run_ok(
        &[
            "ingest",
            "--input",
            sample.to_str().unwrap(),
            "--store",
            "s.db",
        ],
        dir,
    );
    let drift = judge(&["drift", "--store", "s.db", "--format", "json"], dir);
    assert_eq!(drift.status.code(), Some(EXIT_ALARM), "{}", stderr(&drift));
    let json: serde_json::Value = serde_json::from_str(&stdout(&drift)).unwrap();
    let open = json["open_alarms"].as_array().unwrap();
    assert_eq!(open.len(), 1, "{json}");
    assert_eq!(open[0]["id"], 1);
    assert_eq!(open[0]["stream"], "escalations/worker");
    assert_eq!(open[0]["direction"], "lower");
}

#[test]
fn a_decision_closes_the_alarm_and_the_gap() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    sample_store_with_an_alarm(dir);

    let gaps = gaps_json(dir);
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(
        gaps[0]["subject"],
        serde_json::json!({"kind": "alarm", "id": "1"})
    );
    assert_eq!(gaps[0]["age_days"], 0);
    assert!(gaps[0]["detail"]
        .as_str()
        .unwrap()
        .contains("escalations/worker lower"));

    let decided = run_ok(
        &[
            "decide",
            "--alarm",
            "1",
            "--position",
            "accepted",
            "--reason",
            "the worker got the new runbook in W39; fewer escalations are expected",
            "--by",
            "ana",
            "--store",
            "s.db",
        ],
        dir,
    );
    assert!(decided.contains("ledger entry 1 appended"), "{decided}");
    let hash = decided
        .lines()
        .find_map(|line| line.strip_prefix("hash "))
        .unwrap();
    assert_eq!(hash.len(), 64, "{decided}");
    assert!(decided.contains("alarm 1 acknowledged"), "{decided}");

    // The chart is still in alarm on the same data, but for the change a human decided on.
    let drift = judge(&["drift", "--store", "s.db", "--format", "json"], dir);
    assert_eq!(drift.status.code(), Some(0), "{}", stderr(&drift));
    let json: serde_json::Value = serde_json::from_str(&stdout(&drift)).unwrap();
    assert!(json["open_alarms"].as_array().unwrap().is_empty(), "{json}");
    let lower = json["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stream"] == "escalations/worker" && s["direction"] == "lower")
        .unwrap();
    assert_eq!(lower["status"], "acknowledged");
    assert!(gaps_json(dir).is_empty());
    let table = run_ok(&["ledger", "gaps", "--store", "s.db"], dir);
    assert!(table.starts_with("no gaps"), "{table}");

    let again = judge(
        &[
            "decide",
            "--alarm",
            "1",
            "--position",
            "flagged",
            "--reason",
            "twice",
            "--by",
            "ana",
            "--store",
            "s.db",
        ],
        dir,
    );
    assert_one_clear_error(&again, "alarm 1 is already acknowledged, by ledger entry 1");

    let verified = run_ok(&["ledger", "verify", "--store", "s.db"], dir);
    assert!(verified.contains("intact: 1 entry"), "{verified}");
    assert!(verified.contains(hash), "{verified}");
}

#[test]
fn bad_decisions_are_refused_with_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    sample_store_with_an_alarm(dir);
    let decide = |subject: &[&str], reason: &str| {
        let mut args = vec!["decide"];
        args.extend_from_slice(subject);
        args.extend_from_slice(&[
            "--position",
            "dismissed",
            "--reason",
            reason,
            "--by",
            "ana",
            "--store",
            "s.db",
        ]);
        judge(&args, dir)
    };
    assert_one_clear_error(&decide(&["--alarm", "7"], "why"), "alarm 7 does not exist");
    assert_one_clear_error(
        &decide(&["--record", "nope"], "why"),
        "record `nope` does not exist",
    );
    assert_one_clear_error(
        &decide(&["--record", SAMPLE_RECORD, "--rubric", "tone"], "why"),
        "has no score under rubric `tone`",
    );
    assert_one_clear_error(&decide(&["--alarm", "1"], " "), "the reason is empty");
    assert_one_clear_error(
        &decide(&["--record", SAMPLE_RECORD, "--rebaseline"], "why"),
        "rebaseline applies only to a decision on an alarm",
    );
    assert_one_clear_error(
        &decide(&["--alarm", "1", "--rubric", "tone"], "why"),
        "a rubric applies only to a decision on a record",
    );
    let usage = decide(&["--alarm", "1", "--suite-run", "x"], "why");
    assert_eq!(usage.status.code(), Some(2), "{}", stderr(&usage));
    let missing = judge(&["ledger", "verify", "--store", "absent.db"], dir);
    assert_one_clear_error(&missing, "store absent.db does not exist");
    assert!(!dir.join("absent.db").exists());
    assert_eq!(gaps_json(dir).len(), 1, "the alarm is still open");
}

#[test]
fn a_tampered_export_fails_verification_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    sample_store_with_an_alarm(dir);
    // A suite run to decide on: the worker suite against the example agent, judged by a
    // synthetic model.
    let model = dir.join("model.gguf");
    write_synthetic_gguf(&model, &SyntheticSpec::tiny("llama")).unwrap();
    let agent = echo_agent_cmd();
    run_ok(
        &[
            "suite",
            "run",
            repo_root().join("suites/worker.toml").to_str().unwrap(),
            "--agent-cmd",
            &agent,
            "--model",
            model.to_str().unwrap(),
            "--store",
            "s.db",
        ],
        dir,
    );
    for subject in [
        ["--alarm", "1"],
        ["--record", SAMPLE_RECORD],
        ["--suite-run", "1"],
    ] {
        let mut args = vec!["decide"];
        args.extend_from_slice(&subject);
        args.extend_from_slice(&[
            "--position",
            "accepted",
            "--reason",
            "reviewed, as expected",
            "--by",
            "ana",
            "--store",
            "s.db",
        ]);
        run_ok(&args, dir);
    }
    run_ok(
        &[
            "ledger",
            "export",
            "--out",
            "ledger.jsonl",
            "--store",
            "s.db",
        ],
        dir,
    );
    let export = std::fs::read_to_string(dir.join("ledger.jsonl")).unwrap();
    assert_eq!(
        export,
        run_ok(&["ledger", "export", "--store", "s.db"], dir)
    );
    let lines: Vec<&str> = export.lines().collect();
    assert_eq!(lines.len(), 3);
    let verified = run_ok(&["ledger", "verify", "ledger.jsonl"], dir);
    assert!(verified.contains("intact: 3 entries"), "{verified}");
    let hash = |line: &str| -> String {
        let json: serde_json::Value = serde_json::from_str(line).unwrap();
        json["hash"].as_str().unwrap().to_string()
    };

    let verify_tampered = |text: String, expected: &str| {
        std::fs::write(dir.join("tampered.jsonl"), text).unwrap();
        let output = judge(&["ledger", "verify", "tampered.jsonl"], dir);
        assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
        assert_one_clear_error(&output, expected);
    };
    let joined = |lines: &[&str]| lines.join("\n") + "\n";

    let edited = lines[1].replace("as expected", "as expectet");
    verify_tampered(
        joined(&[lines[0], &edited, lines[2]]),
        "broken at line 2: entry 2: its content hashes to",
    );
    verify_tampered(
        joined(&[lines[0], lines[2], lines[1]]),
        "broken at line 2: entry 3: found where entry 2 belongs",
    );
    verify_tampered(
        joined(&[lines[0], lines[2]]),
        "broken at line 2: entry 3: found where entry 2 belongs",
    );

    // A well-formed entry 4 with a correct hash of its own, chained to entry 2 instead of 3.
    let mut forged: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
    forged["seq"] = 4.into();
    forged["entry"]["seq"] = 4.into();
    forged["entry"]["reason"] = "nothing happened".into();
    forged["entry"]["prev"] = hash(lines[1]).into();
    let forged_hash = judge::ledger::sha256_hex(&judge::ledger::canonical_json(&forged["entry"]));
    forged["hash"] = forged_hash.into();
    let forged = forged.to_string();
    verify_tampered(
        joined(&[lines[0], lines[1], lines[2], &forged]),
        "broken at line 4: entry 4: its prev",
    );

    // Cut off the end: only an anchor kept outside can tell.
    std::fs::write(dir.join("cut.jsonl"), joined(&lines[..2])).unwrap();
    run_ok(&["ledger", "verify", "cut.jsonl"], dir);
    let anchor = hash(lines[2]);
    let output = judge(&["ledger", "verify", "cut.jsonl", "--anchor", &anchor], dir);
    assert_one_clear_error(&output, "does not hold the anchored entry");
    run_ok(
        &["ledger", "verify", "ledger.jsonl", "--anchor", &anchor],
        dir,
    );
    run_ok(
        &["ledger", "verify", "--store", "s.db", "--anchor", &anchor],
        dir,
    );

    // The untouched export still verifies.
    run_ok(&["ledger", "verify", "ledger.jsonl"], dir);
}

#[test]
fn a_rebaseline_decision_restarts_the_stream_with_a_new_burn_in() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    sample_store_with_an_alarm(dir);
    let charts = |dir: &Path| -> Vec<serde_json::Value> {
        let drift = judge(&["drift", "--store", "s.db", "--format", "json"], dir);
        let json: serde_json::Value = serde_json::from_str(&stdout(&drift)).unwrap();
        json["streams"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["stream"] == "escalations/worker")
            .cloned()
            .collect()
    };
    let before = charts(dir);
    assert!(!before.is_empty());
    assert_eq!(before[0]["periods"][0]["label"], "2026-W36");
    run_ok(
        &[
            "decide",
            "--store",
            "s.db",
            "--alarm",
            "1",
            "--position",
            "accepted",
            "--reason",
            "the new runbook lowers escalations for good",
            "--by",
            "ana",
            "--rebaseline",
        ],
        dir,
    );
    // The alarm was raised at 2026-W41: the stream starts again at 2026-W42, whose two
    // periods are fewer than the burn-in of three, so it has no chart yet, and no alarm.
    let drift = judge(&["drift", "--store", "s.db", "--format", "json"], dir);
    assert_eq!(drift.status.code(), Some(0), "{}", stderr(&drift));
    for chart in charts(dir) {
        assert!(
            chart["periods"][0]["label"].as_str().unwrap() > "2026-W41",
            "{chart}"
        );
    }
}
