//! A missing model, a truncated or corrupt GGUF, an unsupported architecture and an empty text
//! each give one clear error line and a non-zero exit.

use engine::synthetic::{write_synthetic_gguf, SyntheticSpec};

use crate::support::{assert_one_clear_error, judge};

#[test]
fn missing_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = judge(
        &["logprobs", "--model", "nope.gguf", "--text", "hi"],
        dir.path(),
    );
    assert_one_clear_error(&output, "model file nope.gguf does not exist");
}

#[test]
fn unknown_model_name_lists_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let output = judge(
        &["logprobs", "--model", "gpt-17", "--text", "hi"],
        dir.path(),
    );
    assert_one_clear_error(&output, "smollm2-135m-instruct");
}

#[test]
fn truncated_gguf() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.gguf");
    write_synthetic_gguf(&path, &SyntheticSpec::tiny("llama")).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let output = judge(
        &["logprobs", "--model", "model.gguf", "--text", "hi"],
        dir.path(),
    );
    assert_one_clear_error(&output, "model.gguf is truncated");
}

#[test]
fn corrupt_gguf() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.gguf"), vec![7u8; 4096]).unwrap();
    let output = judge(
        &["logprobs", "--model", "model.gguf", "--text", "hi"],
        dir.path(),
    );
    assert_one_clear_error(&output, "model.gguf is not a valid GGUF file");
}

#[test]
fn unsupported_architecture() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gemma.gguf");
    write_synthetic_gguf(&path, &SyntheticSpec::tiny("gemma3")).unwrap();
    let output = judge(
        &["logprobs", "--model", "gemma.gguf", "--text", "hi"],
        dir.path(),
    );
    assert_one_clear_error(&output, "architecture gemma3 is not supported yet");
}

#[test]
fn empty_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.gguf");
    write_synthetic_gguf(&path, &SyntheticSpec::tiny("llama")).unwrap();
    let output = judge(
        &["logprobs", "--model", "model.gguf", "--text", ""],
        dir.path(),
    );
    assert_one_clear_error(&output, "--text is empty");
}
