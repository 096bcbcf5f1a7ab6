//! `judge sample`, `judge sample export` and `judge labels import` end to end: the same seed
//! draws the same sample in any store, a higher rate contains a lower one, strata get their
//! exact shares, and reviewed exports come back as labels (JSONL and CSV), all or nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use engine::synthetic::{write_synthetic_gguf, SyntheticSpec};
use judge::review;
use judge::store::Store;

use crate::support::{assert_one_clear_error, judge, repo_root, run_ok, stderr};

/// The bundled sample records in `dir/records.jsonl`, in file order or reversed.
fn sample_records(dir: &Path, name: &str, reversed: bool) {
    let text = std::fs::read_to_string(repo_root().join("data/sample/records.jsonl")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    if reversed {
        lines.reverse();
    }
    std::fs::write(dir.join(name), lines.join("\n") + "\n").unwrap();
}

fn ingest(dir: &Path, input: &str, store: &str) {
    run_ok(&["ingest", "--input", input, "--store", store], dir);
}

fn queued(dir: &Path, store: &str) -> Vec<review::QueueItem> {
    review::queue(&mut Store::open(&dir.join(store)).unwrap()).unwrap()
}

fn queued_ids(dir: &Path, store: &str) -> BTreeSet<String> {
    queued(dir, store)
        .into_iter()
        .map(|i| i.record_id)
        .collect()
}

#[test]
fn the_same_seed_draws_the_same_sample_and_a_higher_rate_only_adds() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    sample_records(dir, "forward.jsonl", false);
    sample_records(dir, "reversed.jsonl", true);
    ingest(dir, "forward.jsonl", "a.db");
    ingest(dir, "reversed.jsonl", "b.db");
    ingest(dir, "forward.jsonl", "c.db");
    let out = run_ok(&["sample", "--rate", "0.1", "--store", "a.db"], dir);
    assert!(out.contains("of 401 record(s) (rate 0.1, seed 0)"), "{out}");
    run_ok(
        &["sample", "--rate", "0.1", "--store", "b.db", "--seed", "0"],
        dir,
    );
    run_ok(
        &["sample", "--rate", "0.1", "--store", "c.db", "--seed", "7"],
        dir,
    );
    let (a, b, c) = (
        queued_ids(dir, "a.db"),
        queued_ids(dir, "b.db"),
        queued_ids(dir, "c.db"),
    );
    assert_eq!(a, b, "same seed, same sample, whatever the ingestion order");
    assert_ne!(a, c, "another seed, another sample");
    // Binomial(401, 0.1): mean 40.1, sd 6.0.
    for sample in [&a, &c] {
        assert!(
            (sample.len() as f64 - 40.1).abs() <= 3.0 * 6.0,
            "{}",
            sample.len()
        );
    }

    // Drawing again changes nothing; a higher rate keeps the first sample and its provenance.
    let again = run_ok(&["sample", "--rate", "0.1", "--store", "a.db"], dir);
    assert!(again.contains(": 0 added to the review queue"), "{again}");
    run_ok(&["sample", "--rate", "0.2", "--store", "a.db"], dir);
    let items = queued(dir, "a.db");
    let wider: BTreeSet<String> = items.iter().map(|i| i.record_id.clone()).collect();
    assert!(wider.is_superset(&a));
    assert!(wider.len() > a.len());
    for item in &items {
        let expected_rate = if a.contains(&item.record_id) {
            0.1
        } else {
            0.2
        };
        assert_eq!(item.rate, Some(expected_rate), "{item:?}");
        assert_eq!((item.seed, item.reason.as_str()), (Some(0), "sample"));
        assert_eq!(item.rubric_id, None);
    }
    run_ok(&["sample", "--rate", "0.2", "--store", "b.db"], dir);
    assert_eq!(wider, queued_ids(dir, "b.db"));
}

#[test]
fn strata_get_their_exact_share_and_periods_restrict_the_draw() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    sample_records(dir, "records.jsonl", false);
    ingest(dir, "records.jsonl", "s.db");
    let out = run_ok(
        &[
            "sample",
            "--rate",
            "0.1",
            "--stratify",
            "role",
            "--store",
            "s.db",
        ],
        dir,
    );
    // 80 foreman and 321 worker records: ceil(8.0) and ceil(32.1).
    assert!(out.contains("sampled 41 of 401"), "{out}");
    let store = Store::open(&dir.join("s.db")).unwrap();
    let roles: BTreeMap<String, String> = store
        .records()
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.role))
        .collect();
    let mut per_role: BTreeMap<String, usize> = BTreeMap::new();
    for item in queued(dir, "s.db") {
        assert_eq!(item.stratum.as_ref(), Some(&roles[&item.record_id]));
        assert_eq!(item.stratify.as_deref(), Some("role"));
        *per_role.entry(roles[&item.record_id].clone()).or_default() += 1;
    }
    assert_eq!(
        per_role,
        BTreeMap::from([("foreman".to_string(), 8), ("worker".to_string(), 33)])
    );

    ingest(dir, "records.jsonl", "p.db");
    run_ok(
        &[
            "sample",
            "--rate",
            "0.5",
            "--period",
            "2026-W40",
            "--stratify",
            "meta.ambiguous",
            "--store",
            "p.db",
        ],
        dir,
    );
    let items = queued(dir, "p.db");
    assert!(!items.is_empty());
    let queued_weeks: BTreeSet<String> = store
        .records()
        .unwrap()
        .into_iter()
        .filter(|r| items.iter().any(|i| i.record_id == r.id))
        .map(|r| judge::streams::iso_week(&r.ts).unwrap())
        .collect();
    assert_eq!(queued_weeks, BTreeSet::from(["2026-W40".to_string()]));
    let strata: BTreeSet<&str> = items.iter().filter_map(|i| i.stratum.as_deref()).collect();
    assert_eq!(strata, BTreeSet::from(["false", "true"]));
}

#[test]
fn bad_sample_arguments_give_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    for (args, expected) in [
        (
            vec!["--rate", "1.5"],
            "rate 1.5 is not a fraction in [0, 1]",
        ),
        (vec!["--rate", "0.1", "--period", "W47"], "period `W47`"),
        (
            vec!["--rate", "0.1", "--stratify", "agent"],
            "cannot stratify by `agent`",
        ),
    ] {
        let mut all = vec!["sample"];
        all.extend(args);
        assert_one_clear_error(&judge(&all, dir), expected);
    }
    let output = judge(&["sample", "--store", "x.db"], dir);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("--rate"), "{}", stderr(&output));
}

#[test]
fn scoring_the_sample_then_exporting_and_importing_labels() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let text = std::fs::read_to_string(repo_root().join("data/sample/records.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().take(40).collect();
    std::fs::write(dir.join("records.jsonl"), lines.join("\n") + "\n").unwrap();
    write_synthetic_gguf(&dir.join("model.gguf"), &SyntheticSpec::tiny("llama")).unwrap();
    ingest(dir, "records.jsonl", "s.db");
    run_ok(&["sample", "--rate", "0.25", "--store", "s.db"], dir);
    let sampled = queued_ids(dir, "s.db");
    assert!(!sampled.is_empty());

    run_ok(
        &[
            "score",
            "--input",
            "records.jsonl",
            "--store",
            "s.db",
            "--model",
            "model.gguf",
            "--rubric",
            "stays-in-scope",
            "--sample",
        ],
        dir,
    );
    let scores = Store::open(&dir.join("s.db")).unwrap().scores().unwrap();
    let scored: BTreeSet<String> = scores.iter().map(|s| s.record_id.clone()).collect();
    assert_eq!(
        scored, sampled,
        "--sample scores exactly the queued records"
    );

    let out = run_ok(
        &[
            "sample",
            "export",
            "--store",
            "s.db",
            "--out",
            "review.jsonl",
        ],
        dir,
    );
    assert!(
        out.contains(&format!("{} queued record(s)", sampled.len())),
        "{out}"
    );
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(dir.join("review.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let exported: BTreeSet<String> = rows
        .iter()
        .map(|r| r["record_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(exported, sampled);
    let in_scope: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| r["rubric"] == "stays-in-scope")
        .collect();
    assert_eq!(
        in_scope.len(),
        sampled.len(),
        "the rubric applies to every role"
    );
    for row in &in_scope {
        let p = row["p_pass"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert!(
            row["verdict"].is_string() && row["label"].is_null(),
            "{row}"
        );
    }
    assert!(rows
        .iter()
        .any(|r| r["rubric"] == "honest-status" && r["p_pass"].is_null()));

    // The reviewer labels two rows; the others stay empty.
    let mut reviewed = rows.clone();
    reviewed[0]["label"] = "pass".into();
    reviewed[0]["reviewer"] = "ana".into();
    reviewed[1]["label"] = "Fail".into();
    reviewed[1]["note"] = "made up a number".into();
    let write = |rows: &[serde_json::Value], name: &str| {
        let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
        std::fs::write(dir.join(name), text).unwrap();
    };
    write(&reviewed, "reviewed.jsonl");
    let out = run_ok(
        &["labels", "import", "reviewed.jsonl", "--store", "s.db"],
        dir,
    );
    assert!(
        out.starts_with("2 label(s) imported, 0 unchanged, 0 replaced"),
        "{out}"
    );
    let out = run_ok(
        &["labels", "import", "reviewed.jsonl", "--store", "s.db"],
        dir,
    );
    assert!(out.starts_with("0 label(s) imported, 2 unchanged"), "{out}");
    let mut store = Store::open(&dir.join("s.db")).unwrap();
    let labels = review::labels(&mut store).unwrap();
    assert_eq!(labels.len(), 2);
    assert_eq!(
        labels
            .iter()
            .find(|l| l.reviewer.is_some())
            .unwrap()
            .reviewer
            .as_deref(),
        Some("ana")
    );
    let first_id = reviewed[0]["record_id"].as_str().unwrap();
    let item = queued(dir, "s.db")
        .into_iter()
        .find(|i| i.record_id == first_id)
        .unwrap();
    assert!(
        item.reviewed_at.is_some(),
        "a label marks its queue item reviewed"
    );
    // Reviewed items leave the next export unless asked for.
    run_ok(
        &["sample", "export", "--store", "s.db", "--out", "next.jsonl"],
        dir,
    );
    let next = std::fs::read_to_string(dir.join("next.jsonl")).unwrap();
    assert!(!next.contains(&format!("\"record_id\":\"{first_id}\"")));

    // A changed verdict is refused without --replace, kept in the history with it.
    reviewed[0]["label"] = "fail".into();
    write(&reviewed, "changed.jsonl");
    let before = store.content_digest().unwrap();
    let output = judge(
        &["labels", "import", "changed.jsonl", "--store", "s.db"],
        dir,
    );
    assert_one_clear_error(&output, "changed.jsonl:1: record");
    assert!(stderr(&output).contains("--replace"), "{}", stderr(&output));
    assert!(stderr(&output).contains("already labelled `pass` (from reviewed.jsonl:1)"));
    assert_eq!(store.content_digest().unwrap(), before, "all or nothing");
    let out = run_ok(
        &[
            "labels",
            "import",
            "changed.jsonl",
            "--store",
            "s.db",
            "--replace",
        ],
        dir,
    );
    assert!(out.contains("1 replaced"), "{out}");
    let history: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM label_history WHERE label = 'pass'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(history, 1);

    // Bad rows name the file, the line and the column.
    let mut bad = rows.clone();
    bad[2]["label"] = "maybe".into();
    write(&bad, "bad.jsonl");
    assert_one_clear_error(
        &judge(&["labels", "import", "bad.jsonl", "--store", "s.db"], dir),
        "bad.jsonl:3: column `label`: `maybe` is not pass or fail",
    );
    let mut unknown = rows.clone();
    unknown[3]["label"] = "pass".into();
    unknown[3]["record_id"] = "nobody".into();
    write(&unknown, "unknown.jsonl");
    assert_one_clear_error(
        &judge(
            &["labels", "import", "unknown.jsonl", "--store", "s.db"],
            dir,
        ),
        "unknown.jsonl:4: record `nobody` is not in the store",
    );

    // CSV: the same round trip through a spreadsheet-style file.
    run_ok(
        &[
            "sample",
            "export",
            "--store",
            "s.db",
            "--out",
            "review.csv",
            "--include-reviewed",
        ],
        dir,
    );
    let mut reader = csv::Reader::from_path(dir.join("review.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), review::EXPORT_COLUMNS);
    let label_column = headers.iter().position(|h| h == "label").unwrap();
    let mut records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(
        records.len(),
        rows.len(),
        "every row, reviewed ones included"
    );
    let unlabelled = records
        .iter()
        .position(|r| r[label_column].is_empty())
        .unwrap();
    let mut fields: Vec<String> = records[unlabelled].iter().map(str::to_string).collect();
    fields[label_column] = "fail".to_string();
    records[unlabelled] = csv::StringRecord::from(fields);
    let mut writer = csv::Writer::from_path(dir.join("reviewed.csv")).unwrap();
    writer.write_record(&headers).unwrap();
    for record in &records {
        writer.write_record(record).unwrap();
    }
    writer.flush().unwrap();
    let out = run_ok(
        &["labels", "import", "reviewed.csv", "--store", "s.db"],
        dir,
    );
    assert!(out.starts_with("1 label(s) imported, 2 unchanged"), "{out}");
}
