//! The judge engine: GGUF models run exactly and fast through our own forward pass on candle.
//!
//! The engine knows nothing of rubrics, stores or drift. It loads a GGUF file
//! ([`Model::load`]), builds the model's real tokenizer from the file's metadata
//! ([`Tokenizer`]), renders its chat template ([`ChatTemplate`]), and computes next-token
//! log-probabilities and final hidden states for batches of token rows that may continue a
//! shared, cached prefix ([`KvCache`]).
//!
//! Weights are dequantized to f32 once at load: on CPU an f32 GEMM is both the exact model and
//! about ten times faster for prefill than candle's scalar quantized dot products (DESIGN.md).

mod chat;
mod device;
mod gguf;
mod kernels;
mod model;
pub mod synthetic;
mod tokenizer;

pub use chat::{ChatMessage, ChatTemplate};
pub use device::{select_device, DeviceChoice, Machine};
pub use gguf::GgufFile;
pub use model::{log_softmax, Architecture, Config, Forward, KvCache, Model, RopeStyle, Taps};
pub use tokenizer::Tokenizer;

pub use candle_core::Device;

/// The version of the engine's numerics: part of every judge fingerprint, bumped whenever a
/// change can move a score (a kernel, the attention order, the tokenizer).
pub const ENGINE_VERSION: &str = concat!("engine-", env!("CARGO_PKG_VERSION"), "+f32-1");

/// Everything that can go wrong in the engine. Messages are lowercase, name the file or the
/// metadata key at fault, and never carry a backtrace.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid GGUF file: {message}")]
    InvalidGguf {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("{path} is truncated: its tensors need {needed} bytes but the file has {actual}")]
    TruncatedGguf {
        path: std::path::PathBuf,
        needed: u64,
        actual: u64,
    },
    #[error("{path}: metadata key `{key}` {problem}")]
    Metadata {
        path: std::path::PathBuf,
        key: String,
        problem: String,
    },
    #[error("architecture {0} is not supported yet (supported: llama, qwen2)")]
    UnsupportedArchitecture(String),
    #[error("tokenizer model `{0}` is not supported yet (supported: gpt2-style BPE)")]
    UnsupportedTokenizer(String),
    #[error(
        "pre-tokenizer `{0}` is not supported: refusing to guess how it splits text \
         (supported: smollm, qwen2)"
    )]
    UnsupportedPreTokenizer(String),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("chat template: {0}")]
    ChatTemplate(String),
    #[error("the text is empty: there is nothing to run the model on")]
    EmptyInput,
    #[error("sequence of {n_tokens} tokens is longer than the model's context of {n_ctx}")]
    ContextOverflow { n_tokens: usize, n_ctx: usize },
    #[error("token id {id} is outside the vocabulary of {n_vocab}")]
    TokenOutOfRange { id: u32, n_vocab: usize },
    #[error("hidden-state tap: {0}")]
    InvalidTap(String),
    #[error("device: {0}")]
    Device(String),
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
}

pub type Result<T> = std::result::Result<T, Error>;
