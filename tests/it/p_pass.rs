//! The scores are the exact model's: P(pass) of real judging prompts within 0.001 of a float64
//! forward over the dequantized weights (`tests/golden/p_pass.*.json`, made by
//! `tests/reference/p_pass_reference.py`), and the prompts `judge` builds today are the ones that
//! golden file was made from.

use std::collections::HashMap;

use judge::judge_model::JudgeModel;
use judge::records::{load_records, RecordLimits};
use judge::rubrics::{default_rubrics_dir, load_library};
use judge::scoring::PreparedRubric;
use serde_json::Value;

use crate::support::{real_models_enabled, repo_root};

#[test]
fn p_pass_matches_the_float64_reference() {
    if !real_models_enabled() {
        return;
    }
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(
            repo_root().join("tests/golden/p_pass.smollm2-135m-instruct.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let path = judge::models::resolve("smollm2-135m-instruct").unwrap();
    let model = JudgeModel::load(&path, &engine::Device::Cpu).unwrap();
    let rubrics = load_library(&default_rubrics_dir()).unwrap();
    let records = load_records(
        &[repo_root().join("data/sample/records.jsonl")],
        &RecordLimits::default(),
    )
    .unwrap();
    let records: HashMap<&str, _> = records
        .records
        .iter()
        .map(|(_, r)| (r.id.as_str(), r))
        .collect();

    let cases = golden["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    for case in cases {
        let rubric = rubrics.iter().find(|r| r.id == case["rubric"]).unwrap();
        let prepared = PreparedRubric::new(&model, rubric).unwrap();
        let record = records[case["record_id"].as_str().unwrap()];
        let prompt = prepared.prompt(&model, record).unwrap();
        let tokens: Vec<u32> = prepared
            .prefix_tokens()
            .iter()
            .chain(&prompt.row_tokens)
            .copied()
            .collect();
        let golden_tokens: Vec<u32> = case["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        assert_eq!(
            tokens, golden_tokens,
            "the prompt of {} changed: regenerate the golden file",
            case["record_id"]
        );

        let cache = model.model.prefill(None, prepared.prefix_tokens()).unwrap();
        let forward = model
            .model
            .forward(Some(&cache), &[&prompt.row_tokens], false)
            .unwrap();
        let (pass_id, fail_id) = prepared.verdict_tokens();
        let logits: Vec<f32> = model
            .model
            .logits_for(&forward.hidden, &[pass_id, fail_id])
            .unwrap()
            .squeeze(0)
            .unwrap()
            .to_vec1()
            .unwrap();
        let p = 1.0 / (1.0 + (logits[1] as f64 - logits[0] as f64).exp());
        let reference = case["p_pass"].as_f64().unwrap();
        assert!(
            (p - reference).abs() < 0.001,
            "{}: p_pass {p} against the float64 reference {reference}",
            case["record_id"]
        );
    }
}
