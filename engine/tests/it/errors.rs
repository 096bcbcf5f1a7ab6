//! Bad model files and bad input give one clear error each, never a panic.

use engine::synthetic::{write_synthetic_gguf, SyntheticSpec};
use engine::{Device, Error, Model};

use crate::support::synthetic;

#[test]
fn a_missing_file_names_the_path() {
    let err = Model::load("/nonexistent/model.gguf".as_ref(), &Device::Cpu)
        .err()
        .unwrap();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("/nonexistent/model.gguf"), "{err}");
}

#[test]
fn a_truncated_file_is_reported_as_truncated() {
    let s = synthetic(&SyntheticSpec::tiny("llama"));
    let bytes = std::fs::read(&s.path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.gguf");
    std::fs::write(&cut, &bytes[..bytes.len() - 1000]).unwrap();
    let err = Model::load(&cut, &Device::Cpu).err().unwrap();
    assert!(matches!(err, Error::TruncatedGguf { .. }), "{err}");
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn a_file_that_is_not_gguf_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.gguf");
    std::fs::write(&path, b"this is not a model at all, just text").unwrap();
    let err = Model::load(&path, &Device::Cpu).err().unwrap();
    assert!(matches!(err, Error::InvalidGguf { .. }), "{err}");
}

#[test]
fn an_unsupported_architecture_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gemma.gguf");
    write_synthetic_gguf(&path, &SyntheticSpec::tiny("gemma3")).unwrap();
    let err = Model::load(&path, &Device::Cpu).err().unwrap();
    assert_eq!(
        err.to_string(),
        "architecture gemma3 is not supported yet (supported: llama, qwen2)"
    );
}

#[test]
fn empty_rows_and_out_of_range_tokens_are_errors() {
    let s = synthetic(&SyntheticSpec::tiny("llama"));
    assert!(matches!(
        s.model.forward(None, &[&[]], false).err().unwrap(),
        Error::EmptyInput
    ));
    assert!(matches!(
        s.model.forward(None, &[], false).err().unwrap(),
        Error::EmptyInput
    ));
    assert!(matches!(
        s.model
            .forward(None, &[&[1, 100_000]], false)
            .err()
            .unwrap(),
        Error::TokenOutOfRange { id: 100_000, .. }
    ));
}
