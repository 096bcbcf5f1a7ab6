//! Helpers shared by the engine tests: synthetic models in temp dirs, real model paths.

use std::path::PathBuf;

use engine::synthetic::{write_synthetic_gguf, SyntheticSpec};
use engine::{Device, GgufFile, Model, Tokenizer};

pub struct Synthetic {
    pub model: Model,
    pub tokenizer: Tokenizer,
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

pub fn synthetic(spec: &SyntheticSpec) -> Synthetic {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.gguf");
    write_synthetic_gguf(&path, spec).unwrap();
    let mut gguf = GgufFile::open(&path).unwrap();
    let model = Model::from_gguf(&mut gguf, &Device::Cpu).unwrap();
    let tokenizer = Tokenizer::from_gguf(&gguf).unwrap();
    Synthetic {
        model,
        tokenizer,
        path,
        _dir: dir,
    }
}

/// The path of a real model from the cache, or `None` when real-model tests are not enabled.
pub fn real_model(name: &str) -> Option<PathBuf> {
    if std::env::var("JUDGE_REAL_MODELS").as_deref() != Ok("1") {
        eprintln!("skipping: set JUDGE_REAL_MODELS=1 to run the tests on {name}");
        return None;
    }
    // An empty JUDGE_MODELS_DIR means unset, as `judge models fetch` reads it.
    let dir = std::env::var("JUDGE_MODELS_DIR")
        .ok()
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("models/cache"));
    let path = dir.join(format!("{name}.gguf"));
    assert!(
        path.is_file(),
        "JUDGE_REAL_MODELS=1 but {} is missing: run `judge models fetch {name}`",
        path.display()
    );
    Some(path)
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}
