//! `judge bench` on a synthetic model: every test runs, the numbers are the ones a user
//! compares (positive rates, the workload's sizes), a score does not depend on the batch size
//! (and on the shared prefix only within rounding), and bad settings are refused clearly.

use engine::synthetic::{write_synthetic_gguf, SyntheticSpec};
use serde_json::Value;

use crate::support::{assert_one_clear_error, judge, run_ok};

#[test]
fn bench_reports_every_test_and_scores_do_not_depend_on_batch_or_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = d.join("model.gguf");
    write_synthetic_gguf(&model, &SyntheticSpec::tiny("llama")).unwrap();
    let model = model.to_str().unwrap();
    let args = [
        "bench",
        "--model",
        model,
        "--tokens",
        "24",
        "--reps",
        "1",
        "--records",
        "10",
        "--batch-sizes",
        "1,3",
    ];
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let report: Value = serde_json::from_str(&run_ok(&json_args, d)).unwrap();
    assert_eq!(report["prefill"]["tokens"], 24);
    assert!(report["prefill"]["tokens_per_second"].as_f64().unwrap() > 0.0);
    assert!(report["load_seconds"].as_f64().unwrap() >= 0.0);
    let runs = report["scoring"].as_array().unwrap();
    let modes: Vec<(u64, bool)> = runs
        .iter()
        .map(|r| {
            (
                r["batch_size"].as_u64().unwrap(),
                r["shared_prefix"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(modes, [(1, true), (1, false), (3, true), (3, false)]);
    for run in runs {
        assert_eq!(run["pairs"], 10);
        assert!(run["pairs_per_second"].as_f64().unwrap() > 0.0);
        assert!(run["mean_prompt_tokens"].as_f64().unwrap() > 24.0);
    }
    // The determinism contract, seen from the benchmark's own records: the batch size never
    // changes a score; the shared prefix changes only the summation order.
    assert_eq!(
        report["max_p_pass_difference_across_batch_sizes"]
            .as_f64()
            .unwrap(),
        0.0
    );
    assert!(
        report["max_p_pass_difference_prefix_vs_whole"]
            .as_f64()
            .unwrap()
            < 1e-4
    );
    assert!(report["machine"]["threads"].as_u64().unwrap() >= 1);
    assert_eq!(report["device"], "cpu");
    if cfg!(target_os = "linux") {
        assert!(report["peak_rss_bytes"].as_u64().unwrap() > 1 << 20);
    }

    let table = run_ok(&args, d);
    assert!(table.contains("| prefill 24 tokens |"), "{table}");
    assert!(
        table.contains("| score 10 pairs, batch 3, whole prompts |"),
        "{table}"
    );

    let output = judge(&["bench", "--model", model, "--batch-sizes", "4,0"], d);
    assert_one_clear_error(&output, "each batch size must be at least 1");
}
