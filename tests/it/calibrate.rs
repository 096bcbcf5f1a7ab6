//! Trained judges end to end: `judge calibrate` stores a probe, `judge score` then scores the
//! rubric with it under a new fingerprint, a changed rubric version or model refuses the stale
//! artifact, `--retire` goes back to zero-shot, `judge agreement` gives the same numbers for
//! the same seed, and `judge canary` feeds the `canary/ID` drift stream.
//!
//! A synthetic model (random weights) stands in for the real one: the mechanics do not depend
//! on the judge's quality. The real numbers are in the README (`judge agreement`).

use std::path::{Path, PathBuf};

use engine::synthetic::{write_synthetic_gguf, SyntheticSpec};
use serde_json::Value;

use crate::support::{echo_agent_cmd, judge, repo_root, run_ok, stderr, stdout};

/// The first `n` scenarios (6 records each) of the shipped labeled set.
fn labeled_subset(dir: &Path, n_scenarios: usize) -> PathBuf {
    let text = std::fs::read_to_string(repo_root().join("data/labeled/escalation.jsonl")).unwrap();
    let mut scenarios = Vec::new();
    let mut lines = Vec::new();
    for line in text.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        let scenario = record["meta"]["scenario"].as_str().unwrap().to_string();
        if !scenarios.contains(&scenario) {
            if scenarios.len() == n_scenarios {
                continue;
            }
            scenarios.push(scenario);
        }
        lines.push(line);
    }
    let path = dir.join("labeled.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn synthetic_model(dir: &Path, name: &str, seed: u64) -> String {
    let path = dir.join(name);
    let mut spec = SyntheticSpec::tiny("llama");
    spec.seed = seed;
    write_synthetic_gguf(&path, &spec).unwrap();
    path.to_string_lossy().into_owned()
}

fn scores(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_trained_judge_scores_its_rubric_and_refuses_to_go_stale() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let labeled = labeled_subset(d, 8);
    let labeled = labeled.to_str().unwrap();
    let model = synthetic_model(d, "model.gguf", 7);
    let common = [
        "--rubric",
        "escalates-ambiguity",
        "--labels",
        labeled,
        "--group-by",
        "meta.scenario",
        "--folds",
        "4",
        "--bootstrap",
        "50",
        "--model",
        &model,
    ];

    // Zero-shot scores first.
    let score = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "score",
            "--input",
            labeled,
            "--rubric",
            "escalates-ambiguity",
            "--model",
            &model,
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        judge(&args, d)
    };
    assert!(score("zero.jsonl", &[]).status.success());
    let zero = scores(&d.join("zero.jsonl"));

    let mut args = vec!["calibrate"];
    args.extend_from_slice(&common);
    let printed = run_ok(&args, d);
    assert!(printed.contains("trained judge #1 (probe"), "{printed}");
    for kind in ["zero-shot", "platt", "probe", "tf-idf"] {
        assert!(printed.contains(kind), "{kind} missing from: {printed}");
    }

    // The trained judge scores the rubric, under its own fingerprint.
    assert!(score("trained.jsonl", &[]).status.success());
    let trained = scores(&d.join("trained.jsonl"));
    assert_eq!(trained.len(), zero.len());
    assert_ne!(trained[0]["judge"], zero[0]["judge"]);
    let differs = trained
        .iter()
        .zip(&zero)
        .filter(|(t, z)| t["p_pass"] != z["p_pass"])
        .count();
    assert!(
        differs > trained.len() / 2,
        "{differs} of {}",
        trained.len()
    );
    // The zero-shot log-probs are kept: they are what the features were made of.
    assert_eq!(trained[0]["logprob_pass"], zero[0]["logprob_pass"]);

    // The report shows the active trained judge's reliability diagram.
    run_ok(&["report", "--format", "html", "--out", "report.html"], d);
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    let figure = html
        .split("data-reliability=\"escalates-ambiguity\"")
        .nth(1)
        .expect("a reliability diagram for the rubric");
    assert!(
        figure.trim_start_matches('>').starts_with("<svg"),
        "{figure:.200}"
    );

    // Suite replies are judged by the trained judge too; with another model it is refused.
    let suite = repo_root().join("suites/worker.toml");
    let agent = echo_agent_cmd();
    let suite_run = |model: &str| {
        judge(
            &[
                "suite",
                "run",
                suite.to_str().unwrap(),
                "--agent-cmd",
                &agent,
                "--model",
                model,
            ],
            d,
        )
    };
    let output = suite_run(&model);
    assert!(output.status.success(), "{}", stderr(&output));

    // A new rubric version invalidates the artifact. (Not named `rubrics`: a `rubrics/` in
    // the working directory is the default library of every later command.)
    let rubrics = d.join("rubrics-v2");
    std::fs::create_dir(&rubrics).unwrap();
    for entry in std::fs::read_dir(repo_root().join("rubrics")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let text = if path.ends_with("escalates-ambiguity.toml") {
                text.replace("version = 1", "version = 2")
            } else {
                text
            };
            std::fs::write(rubrics.join(path.file_name().unwrap()), text).unwrap();
        }
    }
    let output = score("v2.jsonl", &["--rubrics-dir", rubrics.to_str().unwrap()]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("trained on rubric version 1, the library has version 2"),
        "{err}"
    );

    // So does another model, for scores and suite runs alike.
    let other = synthetic_model(d, "other.gguf", 8);
    let output = suite_run(&other);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("a model, chat template or engine change invalidates it"),
        "{}",
        stderr(&output)
    );
    let output = judge(
        &[
            "score",
            "--input",
            labeled,
            "--rubric",
            "escalates-ambiguity",
            "--model",
            &other,
        ],
        d,
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("a model, chat template or engine change invalidates it"),
        "{}",
        stderr(&output)
    );

    // Retired, the rubric is scored zero-shot again, under the zero-shot fingerprint.
    run_ok(
        &["calibrate", "--rubric", "escalates-ambiguity", "--retire"],
        d,
    );
    assert!(score("again.jsonl", &[]).status.success());
    assert_eq!(scores(&d.join("again.jsonl")), zero);
}

#[test]
fn agreement_is_reproducible_and_respects_groups() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let labeled = labeled_subset(d, 6);
    let model = synthetic_model(d, "model.gguf", 7);
    let agreement = |seed: &str| {
        let text = run_ok(
            &[
                "agreement",
                "--rubric",
                "escalates-ambiguity",
                "--labels",
                labeled.to_str().unwrap(),
                "--group-by",
                "meta.scenario",
                "--folds",
                "3",
                "--bootstrap",
                "100",
                "--seed",
                seed,
                "--model",
                &model,
                "--json",
            ],
            d,
        );
        let mut json: Value = serde_json::from_str(&text).unwrap();
        // The one number that depends on the machine.
        json["models"][0]["items_per_second"] = Value::Null;
        json
    };
    let first = agreement("1");
    assert_eq!(first, agreement("1"));
    assert_ne!(first, agreement("2"));

    let result = &first["models"][0]["agreement"];
    assert_eq!(result["n_items"], 36);
    assert_eq!(result["n_groups"], 6);
    // The records of a scenario share their fold (items are in file order).
    let folds = result["fold_of_item"].as_array().unwrap();
    let text = std::fs::read_to_string(&labeled).unwrap();
    let mut fold_of_scenario = std::collections::BTreeMap::new();
    for (line, fold) in text.lines().zip(folds) {
        let record: Value = serde_json::from_str(line).unwrap();
        let scenario = record["meta"]["scenario"].as_str().unwrap().to_string();
        let first = fold_of_scenario.entry(scenario.clone()).or_insert(fold);
        assert_eq!(*first, fold, "scenario {scenario} straddles folds");
    }
    assert_eq!(fold_of_scenario.len(), 6);
    let kinds: Vec<&str> = result["judges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["zero_shot", "platt", "probe", "lexical"]);
    for judge in result["judges"].as_array().unwrap() {
        let auc = &judge["intervals"]["auc"];
        assert!(auc["low"].as_f64().unwrap() <= auc["high"].as_f64().unwrap());
    }
}

#[test]
fn a_record_without_the_group_field_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let labeled = labeled_subset(d, 4);
    let model = synthetic_model(d, "model.gguf", 7);
    let output = judge(
        &[
            "agreement",
            "--rubric",
            "escalates-ambiguity",
            "--labels",
            labeled.to_str().unwrap(),
            "--group-by",
            "meta.nope",
            "--model",
            &model,
        ],
        d,
    );
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("labeled.jsonl:1: field `meta.nope`: record lab-esc-0001"),
        "{err}"
    );
}

#[test]
fn canary_checks_become_a_drift_stream() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = synthetic_model(d, "model.gguf", 7);
    for _ in 0..2 {
        let printed = run_ok(
            &[
                "canary",
                "--rubric",
                "escalates-ambiguity",
                "--model",
                &model,
            ],
            d,
        );
        assert!(
            printed.contains("canary/escalates-ambiguity: "),
            "{printed}"
        );
        assert!(printed.contains("/36 verdicts agree"), "{printed}");
    }
    let output = judge(&["drift", "--format", "json"], d);
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let text = json.to_string();
    assert!(text.contains("canary/escalates-ambiguity"), "{text}");
}

#[test]
fn labels_imported_into_the_store_train_and_measure_judges() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let labeled = labeled_subset(d, 5);
    let model = synthetic_model(d, "model.gguf", 7);
    // The records without their labels in the store; the labels as a reviewer's import.
    let (mut records, mut labels) = (String::new(), String::new());
    for line in std::fs::read_to_string(&labeled).unwrap().lines() {
        let mut record: Value = serde_json::from_str(line).unwrap();
        let label = record["labels"]["escalates-ambiguity"].clone();
        labels.push_str(
            &serde_json::json!({
                "record_id": record["id"], "rubric": "escalates-ambiguity", "label": label,
                "reviewer": "ana",
            })
            .to_string(),
        );
        labels.push('\n');
        record.as_object_mut().unwrap().remove("labels");
        records.push_str(&record.to_string());
        records.push('\n');
    }
    std::fs::write(d.join("records.jsonl"), records).unwrap();
    std::fs::write(d.join("labels.jsonl"), labels).unwrap();
    run_ok(
        &["ingest", "--input", "records.jsonl", "--store", "s.db"],
        d,
    );
    run_ok(&["labels", "import", "labels.jsonl", "--store", "s.db"], d);
    let text = run_ok(
        &[
            "agreement",
            "--rubric",
            "escalates-ambiguity",
            "--labels-store",
            "s.db",
            "--group-by",
            "meta.scenario",
            "--folds",
            "3",
            "--bootstrap",
            "20",
            "--model",
            &model,
            "--json",
        ],
        d,
    );
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["models"][0]["agreement"]["n_items"], 30);
    assert_eq!(json["models"][0]["agreement"]["n_groups"], 5);
}

#[test]
fn cached_features_variants_and_transfer_give_the_numbers_of_a_model_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let labeled = labeled_subset(d, 6);
    let labeled = labeled.to_str().unwrap();
    // An independently made set: the first scenarios of escalation-c.
    let other_dir = d.join("other");
    std::fs::create_dir(&other_dir).unwrap();
    let text =
        std::fs::read_to_string(repo_root().join("data/labeled/escalation-c.jsonl")).unwrap();
    let other: Vec<&str> = text.lines().take(32).collect();
    let other_path = other_dir.join("escalation-c.jsonl");
    std::fs::write(&other_path, other.join("\n") + "\n").unwrap();
    let other_path = other_path.to_str().unwrap();
    let model = synthetic_model(d, "model.gguf", 7);
    let cache = d.join("features.jsonl");
    let cache_other = d.join("features-other.jsonl");
    let common = [
        "agreement",
        "--rubric",
        "escalates-ambiguity",
        "--group-by",
        "meta.scenario",
        "--folds",
        "3",
        "--bootstrap",
        "50",
        "--json",
    ];
    let union = "final,mean@0.5,input@1";
    let variants = ["--variants", "final", "mean@0.5,input@1"];
    let run = |extra: &[&str]| -> Value {
        let mut args: Vec<&str> = common.to_vec();
        args.extend_from_slice(extra);
        let mut json: Value = serde_json::from_str(&run_ok(&args, d)).unwrap();
        json["models"][0]["items_per_second"] = Value::Null;
        json
    };
    // A model run that writes its features, for the training set and the test set.
    run(&[
        "--labels",
        labeled,
        "--model",
        &model,
        "--features",
        union,
        "--features-out",
        cache.to_str().unwrap(),
    ]);
    run(&[
        "--labels",
        other_path,
        "--model",
        &model,
        "--features",
        union,
        "--features-out",
        cache_other.to_str().unwrap(),
    ]);
    let mut direct_args = vec![
        "--labels",
        labeled,
        "--test-labels",
        other_path,
        "--model",
        &model,
    ];
    direct_args.extend_from_slice(&variants);
    let direct = run(&direct_args);
    let mut cached_args = vec![
        "--labels",
        labeled,
        "--test-labels",
        other_path,
        "--features-in",
        cache.to_str().unwrap(),
        cache_other.to_str().unwrap(),
    ];
    cached_args.extend_from_slice(&variants);
    let cached = run(&cached_args);
    // Features read from files measure no throughput: null, never a made-up rate.
    let mut raw_args: Vec<&str> = common.to_vec();
    raw_args.extend_from_slice(&cached_args);
    let raw: Value = serde_json::from_str(&run_ok(&raw_args, d)).unwrap();
    assert_eq!(raw["models"][0]["items_per_second"], Value::Null);
    let variants_of = |json: &Value| json["models"][0]["variants"].clone();
    assert_eq!(variants_of(&direct), variants_of(&cached));
    let per_variant = direct["models"][0]["variants"].as_array().unwrap();
    assert_eq!(per_variant.len(), 2);
    assert_eq!(
        per_variant[1]["spec"]["input_mean_layers"],
        serde_json::json!([1])
    );
    let transfer = &per_variant[1]["transfer"];
    assert_eq!(transfer["n_items"], 32);
    assert_eq!(transfer["folds"], 0);

    // A record the cache lacks is named.
    let output = judge(
        &[
            "agreement",
            "--rubric",
            "escalates-ambiguity",
            "--labels",
            other_path,
            "--features-in",
            cache.to_str().unwrap(),
        ],
        d,
    );
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("has no cached features") && err.contains("escalation-c.jsonl:1"),
        "{err}"
    );
}

#[test]
fn calibrate_from_cached_features_exports_the_judge_of_a_model_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let labeled = labeled_subset(d, 6);
    let labeled = labeled.to_str().unwrap();
    let model = synthetic_model(d, "model.gguf", 7);
    let cache = d.join("features.jsonl");
    let cache = cache.to_str().unwrap();
    let labeled_args = [
        "--rubric",
        "escalates-ambiguity",
        "--labels",
        labeled,
        "--group-by",
        "meta.scenario",
        "--folds",
        "3",
        "--bootstrap",
        "20",
    ];
    // One model run writes a superset of the features the judge reads.
    let mut agreement = vec!["agreement"];
    agreement.extend_from_slice(&labeled_args);
    agreement.extend_from_slice(&[
        "--model",
        &model,
        "--features",
        "final,mean@0.5,input@1",
        "--features-out",
        cache,
    ]);
    run_ok(&agreement, d);
    let calibrate = |store: &str, export: &str, extra: &[&str]| {
        let mut args = vec!["calibrate"];
        args.extend_from_slice(&labeled_args);
        args.extend_from_slice(&[
            "--features",
            "mean@0.5,input@1",
            "--store",
            store,
            "--export",
            export,
        ]);
        args.extend_from_slice(extra);
        judge(&args, d)
    };
    let from_model = calibrate("a.db", "a.json", &["--model", &model]);
    assert!(from_model.status.success(), "{}", stderr(&from_model));
    let from_cache = calibrate(
        "b.db",
        "b.json",
        &["--model", &model, "--features-in", cache],
    );
    assert!(from_cache.status.success(), "{}", stderr(&from_cache));
    // The exported judges are the same file, byte for byte.
    let exported = |name: &str| std::fs::read_to_string(d.join(name)).unwrap();
    assert_eq!(exported("a.json"), exported("b.json"));

    // Features of another model's judge are refused, naming both.
    let other = synthetic_model(d, "other.gguf", 8);
    let output = calibrate(
        "c.db",
        "c.json",
        &["--model", &other, "--features-in", cache],
    );
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("not of this model's judge"), "{err}");
    // And features that do not hold what --features asks for.
    let args = [
        "calibrate",
        "--rubric",
        "escalates-ambiguity",
        "--labels",
        labeled,
        "--features",
        "mean@0.25",
        "--model",
        &model,
        "--features-in",
        cache,
        "--store",
        "d.db",
    ];
    let output = judge(&args, d);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("do not hold"),
        "{}",
        stderr(&output)
    );
}
