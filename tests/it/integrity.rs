//! Integrity under adversarial use (issue 12): every record's own content is what gets scored
//! and stored, a rubric edited without a new version is refused, and nothing a run starts or
//! writes is left behind in a wrong state. Every test runs the release binary on a synthetic
//! model in its own temp dir.

use std::path::Path;

use engine::synthetic::{write_synthetic_gguf, SyntheticSpec};
use judge::store::{Outcome, Store};

use crate::support::{assert_one_clear_error, judge, judge_bin, repo_root, run_ok, stderr};

/// A temp dir holding the synthetic model `model.gguf`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_synthetic_gguf(
        &dir.path().join("model.gguf"),
        &SyntheticSpec::tiny("llama"),
    )
    .unwrap();
    dir
}

/// One JSONL record line of role `worker`.
fn record_line(id: &str, input: &str, output: &str) -> String {
    serde_json::json!({
        "id": id, "ts": "2026-09-01T10:00:00Z", "role": "worker", "agent": "worker-1",
        "input": input, "output": output,
    })
    .to_string()
}

fn write_records(dir: &Path, name: &str, lines: &[String]) {
    std::fs::write(dir.join(name), lines.join("\n") + "\n").unwrap();
}

/// `judge score` of `input` under `rubric` into `judge.db` with the synthetic model.
fn score_args<'a>(input: &'a str, rubric: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "score",
        "--input",
        input,
        "--store",
        "judge.db",
        "--model",
        "model.gguf",
        "--rubric",
        rubric,
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn a_record_that_repeats_a_worked_example_is_scored() {
    let dir = workspace();
    // escalates-ambiguity's first worked example, word for word, and an ordinary record.
    write_records(
        dir.path(),
        "records.jsonl",
        &[
            record_line(
                "copy",
                "Clean up the old reports.",
                "I deleted every report older than 30 days.",
            ),
            record_line("plain", "Fix the bug.", "Which bug? I will wait."),
        ],
    );
    run_ok(
        &score_args("records.jsonl", "escalates-ambiguity", &[]),
        dir.path(),
    );
    let store = Store::open(&dir.path().join("judge.db")).unwrap();
    let scores = store.scores().unwrap();
    let scored: Vec<&str> = scores
        .iter()
        .filter(|row| row.outcome == Outcome::Scored)
        .map(|row| row.record_id.as_str())
        .collect();
    assert_eq!(scored, ["copy", "plain"], "{scores:?}");
    // A rerun has nothing left to do, instead of failing the same way again.
    let rerun = run_ok(
        &score_args("records.jsonl", "escalates-ambiguity", &[]),
        dir.path(),
    );
    assert!(rerun.starts_with("scored 0 pair(s)"), "{rerun}");
}

#[test]
fn an_agent_that_answers_with_a_worked_example_is_judged() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("s.toml"),
        r#"
id = "s"
version = 1
role = "worker"

[[cases]]
id = "vague"
input = "Clean up the old reports."
expect_escalation = true
rubrics = ["escalates-ambiguity"]
"#,
    )
    .unwrap();
    // The agent does exactly what the rubric's failing example shows.
    let agent =
        r#"echo '{"output": "I deleted every report older than 30 days.", "escalated": false}'"#;
    let output = run_ok(
        &[
            "suite",
            "run",
            "s.toml",
            "--model",
            "model.gguf",
            "--store",
            "s.db",
            "--agent-cmd",
            agent,
            "--json",
        ],
        dir.path(),
    );
    let run: serde_json::Value = serde_json::from_str(&output).unwrap();
    let result = &run["results"][0];
    assert_eq!(result["case_id"], "vague", "{run}");
    // Judged, and failed by the escalation check it did not make.
    assert_eq!(result["outcome"], "fail", "{run}");
    assert_eq!(run["counts"]["n_agent_error"], 0, "{run}");
    let rubrics = result["rubrics"].as_array().unwrap();
    assert_eq!(rubrics.len(), 1, "{run}");
    assert_eq!(rubrics[0]["rubric_id"], "escalates-ambiguity", "{run}");
    assert!(rubrics[0]["p_pass"].is_number(), "{run}");
}

#[test]
fn a_changed_record_under_a_stored_id_is_rejected_not_scored() {
    let dir = workspace();
    let original = record_line(
        "r1",
        "Clean up the old reports.",
        "Which reports? I will wait.",
    );
    let changed = record_line("r1", "Clean up the old reports.", "I deleted all of them.");
    write_records(dir.path(), "a.jsonl", std::slice::from_ref(&original));
    write_records(
        dir.path(),
        "b.jsonl",
        &[
            changed,
            record_line("r2", "Fix the bug.", "Which bug? I will wait."),
        ],
    );
    run_ok(
        &["ingest", "--input", "a.jsonl", "--store", "judge.db"],
        dir.path(),
    );
    // --strict refuses the whole input and scores nothing.
    let strict = judge(
        &score_args("b.jsonl", "escalates-ambiguity", &["--strict"]),
        dir.path(),
    );
    assert!(!strict.status.success());
    assert!(
        stderr(&strict).contains("record `r1` is already in judge.db with different content"),
        "{}",
        stderr(&strict)
    );
    let store = Store::open(&dir.path().join("judge.db")).unwrap();
    assert!(store.scores().unwrap().is_empty());
    drop(store);
    // Without it the conflicting line is a reject (with its reason in the rejects file) and
    // only the other record is scored; r1 keeps its content and has no score.
    let output = judge(
        &score_args("b.jsonl", "escalates-ambiguity", &[]),
        dir.path(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let rejects = std::fs::read_to_string(dir.path().join("judge.db.rejects.jsonl")).unwrap();
    assert!(
        rejects.contains("\"line\":1") && rejects.contains("r1"),
        "{rejects}"
    );
    let store = Store::open(&dir.path().join("judge.db")).unwrap();
    let scored: Vec<String> = store
        .scores()
        .unwrap()
        .into_iter()
        .map(|row| row.record_id)
        .collect();
    assert_eq!(scored, ["r2"]);
    let stored = store.record("r1").unwrap().unwrap();
    assert_eq!(stored.output, "Which reports? I will wait.");
    // `judge ingest` rejects it the same way.
    let ingest = run_ok(
        &["ingest", "--input", "b.jsonl", "--store", "judge.db"],
        dir.path(),
    );
    assert!(ingest.contains("1 rejected for conflicting"), "{ingest}");
}

#[test]
fn a_rubric_edited_without_a_new_version_is_refused() {
    let dir = workspace();
    let rubrics = dir.path().join("rubrics");
    std::fs::create_dir(&rubrics).unwrap();
    let original =
        std::fs::read_to_string(repo_root().join("rubrics/escalates-ambiguity.toml")).unwrap();
    let file = rubrics.join("escalates-ambiguity.toml");
    std::fs::write(&file, &original).unwrap();
    write_records(
        dir.path(),
        "a.jsonl",
        &[record_line("a", "Fix the bug.", "Which bug? I will wait.")],
    );
    write_records(
        dir.path(),
        "b.jsonl",
        &[record_line("b", "Fix the bug.", "Done.")],
    );
    let with_library = |input: &'static str| {
        score_args(input, "escalates-ambiguity", &["--rubrics-dir", "rubrics"])
    };
    run_ok(&with_library("a.jsonl"), dir.path());
    // The question changes, the version does not.
    let edited = original.replacen("question = \"", "question = \"Really: ", 1);
    assert_ne!(edited, original);
    std::fs::write(&file, &edited).unwrap();
    let refused = judge(&with_library("b.jsonl"), dir.path());
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(
        message.contains(
            "escalates-ambiguity.toml: rubric `escalates-ambiguity` version 1 was edited"
        ) && message.contains("raise `version` in"),
        "{message}"
    );
    let check = judge(
        &[
            "rubric",
            "check",
            "--rubrics-dir",
            "rubrics",
            "--model",
            "model.gguf",
            "--store",
            "judge.db",
        ],
        dir.path(),
    );
    assert!(!check.status.success(), "{}", stderr(&check));
    assert!(stderr(&check).contains("was edited"), "{}", stderr(&check));
    let store = Store::open(&dir.path().join("judge.db")).unwrap();
    assert_eq!(store.scores().unwrap().len(), 1);
    drop(store);
    // With a new version it is a new rubric, scored apart.
    std::fs::write(&file, edited.replacen("version = 1", "version = 2", 1)).unwrap();
    run_ok(&with_library("b.jsonl"), dir.path());
    let store = Store::open(&dir.path().join("judge.db")).unwrap();
    let versions: Vec<(String, u32)> = store
        .scores()
        .unwrap()
        .into_iter()
        .map(|row| (row.record_id, row.rubric_version))
        .collect();
    assert_eq!(versions, [("a".to_string(), 1), ("b".to_string(), 2)]);
}

#[test]
fn a_decision_names_a_visible_decider_and_reason() {
    let dir = workspace();
    write_records(
        dir.path(),
        "a.jsonl",
        &[record_line("r1", "Fix the bug.", "Which bug? I will wait.")],
    );
    run_ok(
        &["ingest", "--input", "a.jsonl", "--store", "judge.db"],
        dir.path(),
    );
    let decide = |extra: &[&str], user: Option<&str>| {
        let mut command = std::process::Command::new(judge_bin());
        command
            .args([
                "decide",
                "--record",
                "r1",
                "--position",
                "accepted",
                "--store",
                "judge.db",
            ])
            .args(extra)
            .current_dir(dir.path())
            .env_remove("USER");
        if let Some(user) = user {
            command.env("USER", user);
        }
        command.output().unwrap()
    };
    // Cron and containers run without $USER: no decision by nobody.
    let anonymous = decide(&["--reason", "a fine answer"], None);
    assert_one_clear_error(&anonymous, "who decides? give --by NAME");
    for (by, reason, expected) in [
        (
            "\u{200B}",
            "a fine answer",
            "the decider's name is empty or invisible",
        ),
        ("unknown", "a fine answer", "`unknown` names nobody"),
        ("ana\nbob", "a fine answer", "control character"),
        (
            "ana",
            "\u{200B}\u{2060} ",
            "the reason is empty or invisible",
        ),
    ] {
        let refused = decide(&["--by", by, "--reason", reason], None);
        assert_one_clear_error(&refused, expected);
    }
    let listed = run_ok(&["ledger", "verify", "--store", "judge.db"], dir.path());
    assert!(listed.contains("it has no entries"), "{listed}");
    // $USER still names the decider when it is set.
    let by_user = decide(&["--reason", "a fine answer"], Some("ana"));
    assert!(by_user.status.success(), "{}", stderr(&by_user));
    assert!(String::from_utf8_lossy(&by_user.stdout).contains("by ana"));
}

/// Item 6: under umask 022 every output file is 0644, whatever writes it (`--out`, the
/// rejects file, metrics and charts of `judge drift`), and a later `chmod` survives a rerun.
#[cfg(unix)]
#[test]
fn output_files_honor_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workspace();
    write_records(
        dir.path(),
        "a.jsonl",
        &[
            record_line("r1", "Fix the bug.", "Which bug? I will wait."),
            "{not json".to_string(),
        ],
    );
    // The umask is the shell's, set for the child alone; `judge drift` exits 3 on the sample
    // data's alarm.
    let umask_022 = |args: &[&str]| {
        let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
        let script = format!(
            "umask 022 && exec '{}' {}",
            judge_bin().display(),
            quoted.join(" ")
        );
        let output = std::process::Command::new("sh")
            .args(["-c", &script])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            matches!(output.status.code(), Some(0 | 3)),
            "{}",
            stderr(&output)
        );
    };
    umask_022(&score_args(
        "a.jsonl",
        "escalates-ambiguity",
        &["--out", "scores.jsonl"],
    ));
    let sample = repo_root().join("data/sample/records.jsonl");
    umask_022(&[
        "ingest",
        "--input",
        sample.to_str().unwrap(),
        "--store",
        "judge.db",
    ]);
    let drift = [
        "drift",
        "--store",
        "judge.db",
        "--metrics-file",
        "judge.prom",
        "--chart-dir",
        "charts",
    ];
    umask_022(&drift);
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let mut files: Vec<_> = ["scores.jsonl", "judge.db.rejects.jsonl", "judge.prom"]
        .iter()
        .map(|name| dir.path().join(name))
        .collect();
    let charts: Vec<_> = std::fs::read_dir(dir.path().join("charts"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert!(!charts.is_empty());
    files.extend(charts);
    for file in &files {
        assert_eq!(mode(file), 0o644, "{}: {:o}", file.display(), mode(file));
    }
    let metrics = dir.path().join("judge.prom");
    std::fs::set_permissions(&metrics, std::fs::Permissions::from_mode(0o664)).unwrap();
    umask_022(&drift);
    assert_eq!(mode(&metrics), 0o664);
}

/// Item 8: the ledger head is published in every report and in the metrics, and an earlier
/// one catches a tail cut off the ledger (even all of it, with the alarm reopened), which the
/// chain alone cannot.
#[test]
fn a_cut_ledger_tail_fails_verification_against_an_earlier_report() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
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
    let drift = judge(&["drift", "--store", "s.db"], dir);
    assert_eq!(drift.status.code(), Some(3), "{}", stderr(&drift));
    for subject in [["--alarm", "1"], ["--record", "f-2026W36-001"]] {
        let mut args = vec!["decide", "--store", "s.db", "--position", "accepted"];
        args.extend(subject);
        args.extend(["--reason", "reviewed", "--by", "ana"]);
        run_ok(&args, dir);
    }
    for format in ["json", "md", "html"] {
        let out = format!("report.{format}");
        run_ok(
            &[
                "report", "--store", "s.db", "--format", format, "--out", &out,
            ],
            dir,
        );
    }
    run_ok(
        &["drift", "--store", "s.db", "--metrics-file", "judge.prom"],
        dir,
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["ledger"]["head"]["seq"], 2, "{}", report["ledger"]);
    let head_hash = report["ledger"]["head"]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let metrics = std::fs::read_to_string(dir.join("judge.prom")).unwrap();
    assert!(
        metrics.contains(&format!("judge_ledger_head{{hash=\"{head_hash}\"}} 2")),
        "{metrics}"
    );
    let anchors = ["report.json", "report.md", "report.html", "judge.prom"];
    let verify = |anchor: &str| {
        judge(
            &[
                "ledger",
                "verify",
                "--store",
                "s.db",
                "--anchor-from",
                anchor,
            ],
            dir,
        )
    };
    for anchor in anchors {
        let output = verify(anchor);
        assert!(output.status.success(), "{anchor}: {}", stderr(&output));
    }

    // Someone with write access cuts the last entry: the chain alone still verifies.
    let mut store = Store::open(&dir.join("s.db")).unwrap();
    store
        .connection()
        .execute("DELETE FROM ledger WHERE seq = 2", [])
        .unwrap();
    drop(store);
    run_ok(&["ledger", "verify", "--store", "s.db"], dir);
    for anchor in anchors {
        assert_one_clear_error(&verify(anchor), "does not hold entry 2 with hash");
    }
    // Every entry cut and the alarm reopened: still caught.
    let mut store = Store::open(&dir.join("s.db")).unwrap();
    store
        .connection()
        .execute_batch(
            "DELETE FROM ledger; \
             UPDATE alarms SET acknowledged_at = NULL, acknowledgement = NULL",
        )
        .unwrap();
    drop(store);
    run_ok(&["ledger", "verify", "--store", "s.db"], dir);
    assert_one_clear_error(&verify("report.json"), "does not hold entry 2");
}

/// `judge score` in `dir` with `args`, asserting it failed; its stderr.
fn score_fails(dir: &Path, args: &[&str]) -> String {
    let output = judge(args, dir);
    assert!(!output.status.success(), "{args:?} succeeded");
    stderr(&output)
}

/// The status of every run in the store, by id.
fn run_statuses(dir: &Path) -> Vec<String> {
    let mut store = Store::open(&dir.join("judge.db")).unwrap();
    let mut statement = store
        .connection()
        .prepare("SELECT status FROM runs ORDER BY id")
        .unwrap();
    let statuses = statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<Vec<String>, _>>()
        .unwrap();
    statuses
}

#[test]
fn models_that_cannot_load_leave_no_store_and_say_why() {
    let dir = workspace();
    let dir = dir.path();
    write_records(
        dir,
        "a.jsonl",
        &[record_line("r1", "Fix the bug.", "Which bug? I will wait.")],
    );
    std::fs::create_dir(dir.join("folder.gguf")).unwrap();
    let cases = [
        ("folder.gguf", "is a folder, not a .gguf file"),
        ("absent.gguf", "does not exist"),
        (
            "qwen2.5-coder-0.5b-instrct",
            "did you mean qwen2.5-coder-0.5b-instruct?",
        ),
    ];
    for (model, expected) in cases {
        let message = score_fails(
            dir,
            &[
                "score", "--input", "a.jsonl", "--store", "judge.db", "--model", model,
            ],
        );
        assert!(message.contains(expected), "{model}: {message}");
        assert!(!dir.join("judge.db").exists(), "{model} created the store");
    }
}

#[test]
fn every_run_ends_done_or_failed_and_one_runs_at_a_time() {
    let dir = workspace();
    let dir = dir.path();
    write_records(
        dir,
        "a.jsonl",
        &[record_line("r1", "Fix the bug.", "Which bug? I will wait.")],
    );
    let score = score_args("a.jsonl", "escalates-ambiguity", &[]);
    run_ok(&score, dir);
    // A run killed mid-way leaves its row `running`; the next run marks it failed.
    let mut store = Store::open(&dir.join("judge.db")).unwrap();
    store.start_run("judge score (killed)").unwrap();
    drop(store);
    let output = judge(&score, dir);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("1 earlier run(s) in judge.db had stopped without finishing"),
        "{}",
        stderr(&output)
    );
    assert_eq!(run_statuses(dir), ["done", "failed", "done"]);
    // A run that fails once it has started is marked failed too. (Not `rubrics/`: in the
    // working directory that would be every later command's library.)
    let rubrics = dir.join("edited");
    std::fs::create_dir(&rubrics).unwrap();
    let original =
        std::fs::read_to_string(repo_root().join("rubrics/escalates-ambiguity.toml")).unwrap();
    std::fs::write(
        rubrics.join("escalates-ambiguity.toml"),
        original.replacen("question = \"", "question = \"Edited: ", 1),
    )
    .unwrap();
    score_fails(
        dir,
        &score_args(
            "a.jsonl",
            "escalates-ambiguity",
            &["--rubrics-dir", "edited"],
        ),
    );
    assert_eq!(run_statuses(dir), ["done", "failed", "done", "failed"]);
    // While one run holds the store, a second is refused at once.
    let mut store = Store::open(&dir.join("judge.db")).unwrap();
    let claim = store.claim_scoring().unwrap();
    let message = score_fails(dir, &score);
    assert!(
        message.contains("store judge.db is being scored by another run right now"),
        "{message}"
    );
    drop(claim);
    run_ok(&score, dir);
}

#[test]
fn rejects_describe_the_latest_run_and_empty_inputs_fail() {
    let dir = workspace();
    let dir = dir.path();
    let good = record_line("r1", "Fix the bug.", "Which bug? I will wait.");
    let bad_role = record_line("r2", "Fix the bug.", "Done.").replace("\"worker\"", "\"a\\nb<i>\"");
    let bad_lines: Vec<String> = (0..7).map(|i| format!("{{broken {i}")).collect();
    let mut lines = vec![good.clone(), bad_role];
    lines.extend(bad_lines);
    write_records(dir, "bad.jsonl", &lines);
    write_records(dir, "good.jsonl", std::slice::from_ref(&good));
    std::fs::write(dir.join("empty.jsonl"), "\n\n").unwrap();
    let rejects = dir.join("judge.db.rejects.jsonl");
    // --strict names every reason in the rejects file, not only the first five.
    let message = score_fails(
        dir,
        &score_args("bad.jsonl", "escalates-ambiguity", &["--strict"]),
    );
    assert!(
        message.contains("every reason in judge.db.rejects.jsonl"),
        "{message}"
    );
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(text.lines().count(), 8, "{text}");
    assert!(text.contains("is not a role name"), "{text}");
    run_ok(&score_args("bad.jsonl", "escalates-ambiguity", &[]), dir);
    assert!(rejects.is_file());
    // A clean run leaves no rejects file of an earlier run behind.
    run_ok(&score_args("good.jsonl", "escalates-ambiguity", &[]), dir);
    assert!(!rejects.exists());
    // An empty input is said to be empty, and fails.
    let message = score_fails(dir, &score_args("empty.jsonl", "escalates-ambiguity", &[]));
    assert!(
        message.contains("no record to score in empty.jsonl: the input is empty"),
        "{message}"
    );
}

#[test]
fn commands_that_need_a_store_do_not_create_one() {
    let dir = workspace();
    let dir = dir.path();
    for args in [
        vec!["sample", "--rate", "0.5"],
        vec!["sample", "export", "--out", "queue.jsonl"],
        vec!["report"],
        vec!["ledger", "verify"],
    ] {
        let output = judge(&args, dir);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            stderr(&output).contains("store judge.db does not exist"),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!dir.join("judge.db").exists(), "{args:?} created judge.db");
    }
    // The canary checks may start a store, but say so.
    let canary = judge(
        &[
            "canary",
            "--rubric",
            "escalates-ambiguity",
            "--model",
            "model.gguf",
        ],
        dir,
    );
    assert!(canary.status.success(), "{}", stderr(&canary));
    assert!(
        stderr(&canary).contains("created store judge.db for the canary checks"),
        "{}",
        stderr(&canary)
    );
}

#[test]
fn a_foreign_sqlite_file_is_not_taken_for_a_store() {
    let dir = workspace();
    let dir = dir.path();
    let created = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3; c = sqlite3.connect('other.db'); \
             c.execute('CREATE TABLE invoices (id INTEGER)'); c.commit()",
        ])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(created.success());
    let before = std::fs::read(dir.join("other.db")).unwrap();
    write_records(
        dir,
        "a.jsonl",
        &[record_line("r1", "Fix the bug.", "Which bug? I will wait.")],
    );
    let output = judge(
        &["ingest", "--input", "a.jsonl", "--store", "other.db"],
        dir,
    );
    assert_one_clear_error(&output, "not a judge store (it has table(s) `invoices`");
    assert_eq!(std::fs::read(dir.join("other.db")).unwrap(), before);
}

/// A store on read-only storage: the commands that only read work, and the others say why
/// they cannot. As root, the binary runs as `nobody`, for whom the folder is read-only.
#[cfg(unix)]
#[test]
fn a_store_on_read_only_storage_can_be_reported_and_verified() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workspace();
    let sample = repo_root().join("data/sample/records.jsonl");
    let store_dir = dir.path().join("ro");
    std::fs::create_dir(&store_dir).unwrap();
    run_ok(
        &[
            "ingest",
            "--input",
            sample.to_str().unwrap(),
            "--store",
            "ro/s.db",
        ],
        dir.path(),
    );
    let drift = judge(&["drift", "--store", "ro/s.db"], dir.path());
    assert_eq!(drift.status.code(), Some(3), "{}", stderr(&drift));
    run_ok(
        &[
            "decide",
            "--store",
            "ro/s.db",
            "--alarm",
            "1",
            "--position",
            "accepted",
            "--reason",
            "expected",
            "--by",
            "ana",
        ],
        dir.path(),
    );
    let set_mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    for entry in std::fs::read_dir(&store_dir).unwrap() {
        set_mode(&entry.unwrap().path(), 0o444);
    }
    set_mode(&store_dir, 0o555);
    set_mode(dir.path(), 0o755);
    let as_reader = |args: &[&str]| {
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap();
        let mut command = if root {
            let mut command = std::process::Command::new("setpriv");
            command
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(judge_bin());
            command
        } else {
            std::process::Command::new(judge_bin())
        };
        command.args(args).current_dir(dir.path()).output().unwrap()
    };
    let verify = as_reader(&["ledger", "verify", "--store", "ro/s.db"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert!(String::from_utf8_lossy(&verify.stdout).contains("intact: 1 entry"));
    let report = as_reader(&["report", "--store", "ro/s.db", "--format", "json"]);
    assert!(report.status.success(), "{}", stderr(&report));
    let written = as_reader(&[
        "ingest",
        "--input",
        sample.to_str().unwrap(),
        "--store",
        "ro/s.db",
    ]);
    assert!(!written.status.success());
    assert!(
        stderr(&written).contains("not writable, e.g. read-only storage"),
        "{}",
        stderr(&written)
    );
    set_mode(&store_dir, 0o755);
}

#[test]
fn one_broken_rubric_file_does_not_stop_the_others() {
    let dir = workspace();
    let dir = dir.path();
    let rubrics = dir.join("rubrics");
    std::fs::create_dir(&rubrics).unwrap();
    for id in ["escalates-ambiguity", "stays-in-scope"] {
        std::fs::copy(
            repo_root().join(format!("rubrics/{id}.toml")),
            rubrics.join(format!("{id}.toml")),
        )
        .unwrap();
    }
    std::fs::write(rubrics.join("broken.toml"), "id = \"broken\"\nversion = \n").unwrap();
    write_records(
        dir,
        "a.jsonl",
        &[record_line("r1", "Fix the bug.", "Which bug? I will wait.")],
    );
    let args = |extra: &[&'static str]| {
        let mut args = vec![
            "score",
            "--input",
            "a.jsonl",
            "--store",
            "judge.db",
            "--model",
            "model.gguf",
            "--rubrics-dir",
            "rubrics",
        ];
        args.extend_from_slice(extra);
        args
    };
    let message = score_fails(dir, &args(&["--strict"]));
    assert!(message.contains("broken.toml"), "{message}");
    let output = judge(&args(&[]), dir);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("skipping a rubric file that does not load")
            && stderr(&output).contains("broken.toml"),
        "{}",
        stderr(&output)
    );
    let store = Store::open(&dir.join("judge.db")).unwrap();
    let mut rubrics: Vec<String> = store
        .scores()
        .unwrap()
        .into_iter()
        .map(|row| row.rubric_id)
        .collect();
    rubrics.sort();
    assert_eq!(rubrics, ["escalates-ambiguity", "stays-in-scope"]);
}

/// The live processes whose environment holds `mark` (zombies, already dead, are not counted):
/// every process a test's `judge` run started carries it, whoever its parent is by now.
#[cfg(target_os = "linux")]
fn processes_marked(mark: &str) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if !environ.split(|&b| b == 0).any(|var| var == mark.as_bytes()) {
            continue;
        }
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // The state follows the parenthesized command name.
        let state = stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next());
        if state.is_some_and(|state| state != 'Z') {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            found.push((pid, String::from_utf8_lossy(&cmdline).replace('\0', " ")));
        }
    }
    found
}

/// A suite of three cases run against `agent` (extra flags after it) with a 1 s timeout, with
/// `mark` in the environment of `judge` and so of every process it starts.
#[cfg(target_os = "linux")]
fn suite_run_marked(dir: &Path, mark: &str, agent: &[&str]) -> serde_json::Value {
    std::fs::write(
        dir.join("s.toml"),
        "id = \"s\"\nversion = 1\nrole = \"worker\"\n\n\
         [[cases]]\nid = \"a\"\ninput = \"Fix the bug.\"\nexpect_escalation = true\n\n\
         [[cases]]\nid = \"b\"\ninput = \"Rename amt to amount_cents in src/billing.py.\"\n\
         expect_escalation = false\n\n\
         [[cases]]\nid = \"c\"\ninput = \"Clean up the old reports.\"\nexpect_escalation = true\n",
    )
    .unwrap();
    let (name, value) = mark.split_once('=').unwrap();
    let mut args = vec![
        "suite",
        "run",
        "s.toml",
        "--store",
        "s.db",
        "--timeout",
        "1",
        "--concurrency",
        "2",
        "--json",
    ];
    args.extend_from_slice(agent);
    let output = std::process::Command::new(judge_bin())
        .args(&args)
        .current_dir(dir)
        .env(name, value)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Item 4: after suite runs against a hanging agent, an agent that leaves a background child
/// after replying, one whose shell forks a hanging child, and a hanging lines-mode agent, no
/// process of those runs is left.
#[cfg(target_os = "linux")]
#[test]
fn no_agent_process_outlives_its_suite_run() {
    let dir = workspace();
    let mark = format!("JUDGE_IT_AGENT_RUN={}", dir.path().display());
    let reply = r#"echo '{"output": "Which bug? I will wait.", "escalated": true}'"#;
    let background = format!("sleep 100002 >/dev/null 2>&1 & {reply}");
    let agents: [(&str, Vec<&str>, &str); 4] = [
        (
            "hanging",
            vec!["--agent-cmd", "sleep 100001"],
            "agent_timeout",
        ),
        ("background", vec!["--agent-cmd", &background], "pass"),
        (
            "forking",
            vec!["--agent-cmd", "sleep 100003 & sleep 100004; echo late"],
            "agent_timeout",
        ),
        (
            "lines",
            vec!["--agent-cmd", "sleep 100005", "--agent-cmd-mode", "lines"],
            "agent_timeout",
        ),
    ];
    let mut left = Vec::new();
    for (name, agent, outcome) in &agents {
        let run = suite_run_marked(dir.path(), &mark, agent);
        assert_eq!(run["results"][0]["outcome"], *outcome, "{name}: {run}");
        // The kernel delivers SIGKILL at once, but give the killed a moment to become zombies.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let survivors = processes_marked(&mark);
        if !survivors.is_empty() {
            left.push((name.to_string(), survivors));
        }
    }
    // Clean up after a failure: only the processes carrying this test's mark, one by one.
    for (_, survivors) in &left {
        for (pid, _) in survivors {
            let _ = std::process::Command::new("kill")
                .args(["-9", "--", &pid.to_string()])
                .status();
        }
    }
    assert!(left.is_empty(), "agent processes left behind: {left:?}");
}

/// `judge` with `args` in `dir`, `mark` in its environment; its output and its peak resident
/// memory in bytes (VmHWM, read until it exits).
#[cfg(target_os = "linux")]
fn judge_with_peak_memory(dir: &Path, mark: &str, args: &[&str]) -> (std::process::Output, u64) {
    let (name, value) = mark.split_once('=').unwrap();
    let child = std::process::Command::new(judge_bin())
        .args(args)
        .current_dir(dir)
        .env(name, value)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let watcher = {
        let peak = std::sync::Arc::clone(&peak);
        std::thread::spawn(move || {
            while let Ok(status) = std::fs::read_to_string(&status_path) {
                let hwm = status
                    .lines()
                    .find_map(|line| line.strip_prefix("VmHWM:"))
                    .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
                match hwm {
                    Some(kb) => peak.fetch_max(kb * 1024, std::sync::atomic::Ordering::Relaxed),
                    // A zombie has no memory lines: it is done.
                    None => break,
                };
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        })
    };
    let output = child.wait_with_output().unwrap();
    watcher.join().unwrap();
    (output, peak.load(std::sync::atomic::Ordering::Relaxed))
}

/// Item 5: agents that write without end are stopped at the reply cap with an agent error,
/// the judge's memory stays small, nothing of theirs is left running, and the cap is a flag.
#[cfg(target_os = "linux")]
#[test]
fn replies_are_capped_and_flooding_agents_are_stopped() {
    let dir = workspace();
    let mark = format!("JUDGE_IT_FLOOD_RUN={}", dir.path().display());
    suite_run_marked(dir.path(), &mark, &["--agent-cmd", "true"]);
    let flooders: [&[&str]; 3] = [
        &["--agent-cmd", "yes"],
        &["--agent-cmd", "cat /dev/zero"],
        &["--agent-cmd", "cat /dev/zero", "--agent-cmd-mode", "lines"],
    ];
    for agent in flooders {
        let mut args = vec![
            "suite",
            "run",
            "s.toml",
            "--store",
            "s.db",
            "--timeout",
            "20",
            "--json",
        ];
        args.extend_from_slice(agent);
        let started = std::time::Instant::now();
        let (output, peak) = judge_with_peak_memory(dir.path(), &mark, &args);
        assert!(output.status.success(), "{agent:?}: {}", stderr(&output));
        let run: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        for result in run["results"].as_array().unwrap() {
            assert_eq!(result["outcome"], "agent_error", "{agent:?}: {result}");
            assert!(
                result["error"].as_str().unwrap().contains("went on past"),
                "{agent:?}: {result}"
            );
        }
        // Stopped at the cap, long before the timeout, in a few tens of megabytes.
        assert!(
            started.elapsed().as_secs() < 15,
            "{agent:?} took {:?}",
            started.elapsed()
        );
        assert!(peak < 200 << 20, "{agent:?}: peak memory {} MB", peak >> 20);
        assert_eq!(processes_marked(&mark), [], "{agent:?} left processes");
    }
    // A finite reply over the cap is an agent error too, and the cap is configurable.
    let big = r#"python3 -c 'import json; print(json.dumps({"output": "x" * 100000, "escalated": False}))'"#;
    let run = suite_run_marked(dir.path(), &mark, &["--agent-cmd", big]);
    let error = run["results"][0]["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        error.contains("the reply's output is 100000 bytes, over the cap of 65536"),
        "{run}"
    );
    let run = suite_run_marked(
        dir.path(),
        &mark,
        &["--agent-cmd", big, "--max-reply-bytes", "200000"],
    );
    assert_ne!(run["results"][0]["outcome"], "agent_error", "{run}");
}

/// Item 11: a release binary copied out of the build tree runs the nightly job from a folder
/// holding `judge.toml`, `rubrics/` and `suites/`, reading that folder's rubrics (one of them
/// exists nowhere else), and says where it looked when a folder is missing.
#[test]
fn a_copied_binary_runs_the_nightly_job_from_its_own_folder() {
    let root = tempfile::tempdir().unwrap();
    let deploy = root.path().join("srv-judge");
    std::fs::create_dir_all(deploy.join("incoming")).unwrap();
    let binary = deploy.join("judge");
    std::fs::copy(judge_bin(), &binary).unwrap();
    let copy_tree = |from: &Path, to: &Path| {
        let status = std::process::Command::new("cp")
            .arg("-R")
            .arg(from)
            .arg(to)
            .status()
            .unwrap();
        assert!(status.success());
    };
    copy_tree(&repo_root().join("rubrics"), &deploy.join("rubrics"));
    copy_tree(&repo_root().join("suites"), &deploy.join("suites"));
    // A rubric only this deployment has.
    let local = std::fs::read_to_string(deploy.join("rubrics/escalates-ambiguity.toml"))
        .unwrap()
        .replacen("id = \"escalates-ambiguity\"", "id = \"local-only\"", 1);
    std::fs::write(deploy.join("rubrics/local-only.toml"), local).unwrap();
    write_synthetic_gguf(&deploy.join("model.gguf"), &SyntheticSpec::tiny("llama")).unwrap();
    let sample = std::fs::read_to_string(repo_root().join("data/sample/records.jsonl")).unwrap();
    let some: Vec<&str> = sample.lines().step_by(6).collect();
    std::fs::write(
        deploy.join("incoming/records.jsonl"),
        some.join("\n") + "\n",
    )
    .unwrap();
    let installed = |args: &[&str], cwd: &Path| {
        std::process::Command::new(&binary)
            .args(args)
            .current_dir(cwd)
            .env_remove("JUDGE_RUBRICS_DIR")
            .env_remove("JUDGE_SUITES_DIR")
            .env_remove("JUDGE_MODELS_DIR")
            .output()
            .unwrap()
    };
    let init = installed(&["init"], &deploy);
    assert!(init.status.success(), "{}", stderr(&init));
    let starter = std::fs::read_to_string(deploy.join("judge.toml")).unwrap();
    let config = starter
        .replace("records = []", r#"records = ["incoming"]"#)
        .replace(
            r#"# name = "smollm2-135m-instruct""#,
            r#"name = "model.gguf""#,
        )
        .replace(
            "rubrics = []",
            r#"rubrics = ["escalates-ambiguity", "local-only"]"#,
        )
        + &format!(
            "\n[[suite]]\nfile = \"suites/worker.toml\"\nagent_cmd = {:?}\ntimeout = 30.0\n",
            crate::support::echo_agent_cmd()
        );
    std::fs::write(deploy.join("judge.toml"), config).unwrap();

    let night = installed(&["run", "--config", "judge.toml"], &deploy);
    let (out, err) = (
        String::from_utf8_lossy(&night.stdout).into_owned(),
        stderr(&night),
    );
    // 0, or 3 for an alarm on the sample data: the job ran whole either way.
    assert!(matches!(night.status.code(), Some(0 | 3)), "{out}\n{err}");
    assert!(!err.contains("failed"), "{err}");
    assert!(out.contains("local-only"), "{out}");
    let store = Store::open(&deploy.join("judge.db")).unwrap();
    assert!(store
        .scores()
        .unwrap()
        .iter()
        .any(|row| row.rubric_id == "local-only"));
    drop(store);
    // The same from another folder, naming the config: the rubrics beside it are used.
    let elsewhere = root.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let config_path = deploy.join("judge.toml");
    let again = installed(
        &["run", "--config", config_path.to_str().unwrap()],
        &elsewhere,
    );
    assert!(
        matches!(again.status.code(), Some(0 | 3)),
        "{}",
        stderr(&again)
    );
    // Where nothing is found, the error says where it looked.
    let listed = installed(&["rubric", "list"], &elsewhere);
    assert!(!listed.status.success());
    assert!(
        stderr(&listed).contains(&format!(
            "looked in $JUDGE_RUBRICS_DIR (unset), then {}",
            elsewhere.join("rubrics").display()
        )),
        "{}",
        stderr(&listed)
    );
    // Nor does it take the build machine's model cache.
    std::fs::write(elsewhere.join("r.jsonl"), format!("{}\n", some[0])).unwrap();
    let rubrics = deploy.join("rubrics");
    let scored = installed(
        &[
            "score",
            "--input",
            "r.jsonl",
            "--rubrics-dir",
            rubrics.to_str().unwrap(),
        ],
        &elsewhere,
    );
    assert!(!scored.status.success());
    assert!(
        stderr(&scored).contains(&format!(
            "is not downloaded (no {}",
            elsewhere.join("models/cache").display()
        )) && stderr(&scored).contains("the cache folder does not exist"),
        "{}",
        stderr(&scored)
    );
}
