//! Sharded scoring end to end: three `judge score --shard I/3` runs into three stores, each
//! sampled, merged with `judge store merge`, give the store of one unsharded run, bit for bit
//! (`Store::content_digest`), and merging again changes nothing.

use std::collections::BTreeSet;
use std::path::Path;

use engine::synthetic::{write_synthetic_gguf, SyntheticSpec};
use judge::store::Store;

use crate::support::{assert_one_clear_error, judge, repo_root, run_ok, stderr};

/// Scores `records.jsonl` into `store` with the synthetic model, then samples it.
fn score_and_sample(dir: &Path, store: &str, shard: Option<&str>) {
    let mut args = vec![
        "score",
        "--input",
        "records.jsonl",
        "--store",
        store,
        "--model",
        "model.gguf",
        "--rubric",
        "stays-in-scope",
        "--rubric",
        "escalates-ambiguity",
    ];
    if let Some(shard) = shard {
        args.extend(["--shard", shard]);
    }
    run_ok(&args, dir);
    run_ok(
        &["sample", "--rate", "0.3", "--seed", "5", "--store", store],
        dir,
    );
}

fn record_ids(path: &Path) -> BTreeSet<String> {
    let store = Store::open(path).unwrap();
    store.records().unwrap().into_iter().map(|r| r.id).collect()
}

#[test]
fn three_shards_merged_equal_one_unsharded_run() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let text = std::fs::read_to_string(repo_root().join("data/sample/records.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().step_by(8).collect();
    std::fs::write(dir.join("records.jsonl"), lines.join("\n") + "\n").unwrap();
    write_synthetic_gguf(&dir.join("model.gguf"), &SyntheticSpec::tiny("llama")).unwrap();

    score_and_sample(dir, "whole.db", None);
    for index in 0..3 {
        score_and_sample(
            dir,
            &format!("shard{index}.db"),
            Some(&format!("{index}/3")),
        );
    }
    // The shards are disjoint and cover every record.
    let whole_ids = record_ids(&dir.join("whole.db"));
    assert_eq!(whole_ids.len(), lines.len());
    let mut union = BTreeSet::new();
    for index in 0..3 {
        let ids = record_ids(&dir.join(format!("shard{index}.db")));
        assert!(!ids.is_empty(), "shard {index} is empty");
        assert!(union.is_disjoint(&ids));
        union.extend(ids);
    }
    assert_eq!(union, whole_ids);

    let out = run_ok(
        &[
            "store",
            "merge",
            "--into",
            "merged.db",
            "shard0.db",
            "shard1.db",
            "shard2.db",
        ],
        dir,
    );
    assert!(out.contains("merged 3 store(s) into merged.db"), "{out}");
    let digest = |name: &str| {
        Store::open(&dir.join(name))
            .unwrap()
            .content_digest()
            .unwrap()
    };
    let whole = digest("whole.db");
    assert_eq!(digest("merged.db"), whole);
    let merged = Store::open(&dir.join("merged.db")).unwrap();
    assert!(!merged.scores().unwrap().is_empty());
    drop(merged);

    // Merging a shard again adds nothing; merging the whole store adds nothing either.
    let out = run_ok(
        &[
            "store",
            "merge",
            "--into",
            "merged.db",
            "shard1.db",
            "whole.db",
        ],
        dir,
    );
    assert!(out.contains("shard1.db: 0 record(s) added"), "{out}");
    assert!(out.contains("whole.db: 0 record(s) added"), "{out}");
    assert_eq!(digest("merged.db"), whole);
}

#[test]
fn merge_and_shard_errors_are_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    assert_one_clear_error(
        &judge(&["store", "merge", "--into", "out.db", "missing.db"], dir),
        "store missing.db does not exist",
    );
    assert!(!dir.join("out.db").exists(), "no output left behind");
    let output = judge(
        &[
            "score", "--input", "x.jsonl", "--shard", "3/3", "--store", "s.db",
        ],
        dir,
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("shard `3/3` is not I/N with 0 <= I < N"),
        "{}",
        stderr(&output)
    );
}
