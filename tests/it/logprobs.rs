//! `judge logprobs` on a real model (SmolLM2): the JSON contract and the chat wrapping.

use serde_json::Value;

use crate::support::{judge, real_models_enabled, stderr, stdout};

#[test]
fn json_output_has_tokens_and_a_sorted_top_k() {
    if !real_models_enabled() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let output = judge(
        &[
            "logprobs",
            "--model",
            "smollm2-135m-instruct",
            "--text",
            "The capital of France is",
            "--top",
            "5",
            "--json",
        ],
        dir.path(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    // SmolLM2's ids for this text, as llama.cpp tokenizes it.
    assert_eq!(
        json["tokens"],
        serde_json::json!([504, 3575, 282, 4649, 314])
    );
    let top = json["top"].as_array().unwrap();
    assert_eq!(top.len(), 5);
    assert_eq!(top[0]["token"], " Paris");
    let logprobs: Vec<f64> = top.iter().map(|e| e["logprob"].as_f64().unwrap()).collect();
    assert!(logprobs.windows(2).all(|w| w[0] >= w[1]), "{logprobs:?}");
    assert!(logprobs.iter().all(|&l| l <= 0.0));
}

#[test]
fn chat_wraps_the_text_as_a_user_turn_with_the_assistant_turn_open() {
    if !real_models_enabled() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let logprobs = |extra: &[&str]| {
        let mut args = vec![
            "logprobs",
            "--model",
            "smollm2-135m-instruct",
            "--text",
            "Hi",
            "--json",
            "--top",
            "1",
        ];
        args.extend_from_slice(extra);
        judge(&args, dir.path())
    };
    let plain = logprobs(&[]);
    let chat = logprobs(&["--chat"]);
    assert!(chat.status.success(), "{}", stderr(&chat));
    let plain: Value = serde_json::from_str(&stdout(&plain)).unwrap();
    let chat: Value = serde_json::from_str(&stdout(&chat)).unwrap();
    let chat_tokens = chat["tokens"].as_array().unwrap();
    assert!(chat_tokens.len() > plain["tokens"].as_array().unwrap().len());
    // <|im_start|> (id 1 in SmolLM2) opens the template, and it ends with "assistant\n".
    assert_eq!(chat_tokens[0], 1);
}
