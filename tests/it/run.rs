//! `judge run`, the nightly job: from `judge init`'s starter config and a fresh store it
//! ingests, samples, scores, re-scores the canary, runs a suite against a command agent,
//! updates drift and the metrics file and writes the report; the next night, with new records
//! appended, it scores only what is new.

use std::path::Path;

use engine::synthetic::{write_synthetic_gguf, SyntheticSpec};

use crate::support::{echo_agent_cmd, judge, repo_root, stderr, stdout};

/// The sample records of weeks up to `last_week` (inclusive) and after it.
fn split_sample(last_week: &str) -> (String, String) {
    let text = std::fs::read_to_string(repo_root().join("data/sample/records.jsonl")).unwrap();
    let (mut before, mut after) = (String::new(), String::new());
    for line in text.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let week = record["meta"]["week"].as_str().unwrap();
        let part = if week <= last_week {
            &mut before
        } else {
            &mut after
        };
        part.push_str(line);
        part.push('\n');
    }
    (before, after)
}

fn count_workers(jsonl: &str) -> usize {
    jsonl
        .lines()
        .filter(|l| l.contains(r#""role": "worker""#))
        .count()
}

/// The `scored N pair(s), skipped M already scored` numbers of a run's output.
fn scored_and_skipped(out: &str) -> (usize, usize) {
    let line = out
        .lines()
        .find(|l| l.starts_with("scored "))
        .unwrap_or_else(|| panic!("no score summary in: {out}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    (words[1].parse().unwrap(), words[4].parse().unwrap())
}

fn write_config(dir: &Path, model: &Path) {
    let output = judge(&["init", "--config", "judge.toml"], dir);
    assert!(output.status.success(), "{}", stderr(&output));
    let starter = std::fs::read_to_string(dir.join("judge.toml")).unwrap();
    let suite = repo_root().join("suites/worker.toml");
    let config = starter
        .replace("records = []", r#"records = ["incoming"]"#)
        .replace(
            r#"# name = "smollm2-135m-instruct""#,
            &format!("name = {:?}", model.to_str().unwrap()),
        )
        .replace(
            "rubrics = []",
            r#"rubrics = ["escalates-ambiguity", "delegates-work"]"#,
        )
        .replace("review_band = 0.0", "review_band = 0.05")
        + &format!(
            "\n[[suite]]\nfile = {:?}\nagent_cmd = {:?}\ntimeout = 30.0\n",
            suite.to_str().unwrap(),
            echo_agent_cmd()
        );
    std::fs::write(dir.join("judge.toml"), config).unwrap();
}

#[test]
fn the_nightly_job_runs_whole_and_the_next_night_only_adds_what_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = d.join("model.gguf");
    write_synthetic_gguf(&model, &SyntheticSpec::tiny("llama")).unwrap();
    write_config(d, &model);
    let (night_1, night_2) = split_sample("2026-W41");
    std::fs::create_dir(d.join("incoming")).unwrap();
    std::fs::write(d.join("incoming/2026-W41.jsonl"), &night_1).unwrap();

    let first = judge(&["run"], d);
    let (out, err) = (stdout(&first), stderr(&first));
    // The escalation alarm of the sample data is open: exit 3, the report still written.
    assert_eq!(first.status.code(), Some(3), "{out}\n{err}");
    let foremen = night_1.lines().count() - count_workers(&night_1);
    assert_eq!(
        scored_and_skipped(&out),
        (count_workers(&night_1) + foremen, 0),
        "{out}"
    );
    for step in [
        "judge ingest",
        "judge sample",
        "judge score",
        "judge canary",
        "judge suite run",
        "judge drift",
        "judge report",
    ] {
        assert!(err.contains(&format!("judge run: {step}")), "{step}: {err}");
    }
    assert!(!err.contains("failed"), "{err}");
    let report = std::fs::read_to_string(d.join("out/report-2026-W41.html")).unwrap();
    assert!(report.contains("escalations/worker"));
    assert!(d.join("out/report-2026-W41.md").is_file());
    assert!(d.join("out/report-2026-W41.json").is_file());
    let metrics = std::fs::read_to_string(d.join("out/judge.prom")).unwrap();
    assert!(metrics.contains("escalations/worker"), "{metrics}");

    // The next night: new records appended in a new file; only they are scored.
    std::fs::write(d.join("incoming/2026-W43.jsonl"), &night_2).unwrap();
    let second = judge(&["run"], d);
    let out = stdout(&second);
    assert_eq!(second.status.code(), Some(3), "{}", stderr(&second));
    let (scored, skipped) = scored_and_skipped(&out);
    assert_eq!(scored, night_2.lines().count(), "{out}");
    assert_eq!(skipped, night_1.lines().count(), "{out}");
    assert!(d.join("out/report-2026-W43.html").is_file());

    // Both runs re-scored the canary and ran the suite: two points of each stream.
    let drift = judge(&["drift", "--format", "json"], d);
    let json = stdout(&drift);
    assert!(json.contains("canary/escalates-ambiguity"), "{json}");
    assert!(json.contains("suite/worker@v1"), "{json}");
}

#[test]
fn a_failing_step_does_not_hide_drift_and_the_job_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = d.join("model.gguf");
    write_synthetic_gguf(&model, &SyntheticSpec::tiny("llama")).unwrap();
    write_config(d, &model);
    // A suite file that is gone: the suite step fails, drift and the report still run.
    let config = std::fs::read_to_string(d.join("judge.toml")).unwrap();
    let config = config.replace("suites/worker.toml", "suites/gone.toml");
    std::fs::write(d.join("judge.toml"), config).unwrap();
    let (night_1, _) = split_sample("2026-W41");
    std::fs::create_dir(d.join("incoming")).unwrap();
    std::fs::write(d.join("incoming/night.jsonl"), &night_1).unwrap();

    let output = judge(&["run"], d);
    let err = stderr(&output);
    assert!(err.contains("judge run: judge drift"), "{err}");
    assert!(d.join("out/report-2026-W41.html").is_file(), "{err}");
    assert!(err.contains("judge run: step suite failed"), "{err}");
    assert!(err.contains("gone.toml"), "{err}");
    assert_eq!(output.status.code(), Some(1), "{err}");
}

/// The first `n` scenarios of a shipped labeled set, as its own file.
fn labeled_scenarios(dir: &Path, name: &str, n: usize) -> std::path::PathBuf {
    let text = std::fs::read_to_string(repo_root().join("data/labeled").join(name)).unwrap();
    let mut scenarios: Vec<String> = Vec::new();
    let mut kept = String::new();
    for line in text.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let scenario = record["meta"]["scenario"].as_str().unwrap().to_string();
        if !scenarios.contains(&scenario) {
            if scenarios.len() == n {
                continue;
            }
            scenarios.push(scenario);
        }
        kept.push_str(line);
        kept.push('\n');
    }
    let path = dir.join(name);
    std::fs::write(&path, kept).unwrap();
    path
}

#[test]
fn the_nightly_job_trains_a_judge_once_and_retrains_when_its_labels_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = d.join("model.gguf");
    write_synthetic_gguf(&model, &SyntheticSpec::tiny("llama")).unwrap();
    write_config(d, &model);
    let labeled = labeled_scenarios(d, "escalation-b.jsonl", 6);
    let config = std::fs::read_to_string(d.join("judge.toml")).unwrap()
        + &format!(
            "\n[[calibrate]]\nrubric = \"escalates-ambiguity\"\nlabels = [{:?}]\n\
             group_by = \"meta.scenario\"\nfeatures = \"final,mean@0.5,input@0.5\"\n\
             import = \"trained/escalation.json\"\n",
            labeled.to_str().unwrap()
        );
    std::fs::write(d.join("judge.toml"), config).unwrap();
    let (night_1, _) = split_sample("2026-W37");
    std::fs::create_dir(d.join("incoming")).unwrap();
    std::fs::write(d.join("incoming/night.jsonl"), &night_1).unwrap();

    // Night 1: no judge yet, the import file absent: trained, promoted, used by scoring.
    let first = judge(&["run"], d);
    let (out, err) = (stdout(&first), stderr(&first));
    assert!(
        err.contains("judge run: judge calibrate --if-changed"),
        "{err}"
    );
    assert!(!err.contains("step calibrate failed"), "{out}\n{err}");
    assert!(out.contains("promoted: first trained judge"), "{out}");
    assert!(
        out.contains("final + output-mean@1 + input-mean@1"),
        "{out}"
    );
    let report = std::fs::read_to_string(d.join("out/report-2026-W37.md")).unwrap();
    assert!(
        report.contains("Cross-validated agreement with the labels: AUC"),
        "{report}"
    );
    assert!(report.contains("+probe#1"), "{report}");

    // Night 2: the same labels: nothing trained.
    let second = judge(&["run"], d);
    let out = stdout(&second);
    assert!(out.contains("is up to date"), "{out}");
    assert!(!out.contains("promoted"), "{out}");

    // New labels: trained again; promoted only when not worse, and the store says which.
    std::fs::write(&labeled, "").unwrap();
    let more = labeled_scenarios(d, "escalation-b.jsonl", 9);
    assert_eq!(more, labeled);
    let third = judge(&["run"], d);
    let out = stdout(&third);
    assert!(!out.contains("is up to date"), "{out}");
    assert!(
        out.contains("promoted over #1") || out.contains("not promoted"),
        "{out}"
    );
}
