//! Synthetic GGUF models: real file format, random weights, any shape.
//!
//! Tests write tiny ones to exercise loading, batching and caching without a real model; GPU
//! benches write ones with a real model's shapes (same speed, no weights to carry). The
//! vocabulary is byte-level BPE over the 256 bytes, a few merges, ChatML control tokens, and
//! filler tokens up to the requested size, so the file's tokenizer and chat template work.

use std::path::Path;

use candle_core::quantized::gguf_file::Value;
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};

use crate::Result;

#[derive(Debug, Clone)]
pub struct SyntheticSpec {
    /// `llama` or `qwen2` (anything else writes a file the engine refuses, for tests).
    pub architecture: String,
    pub n_vocab: usize,
    pub n_embd: usize,
    pub n_layer: usize,
    pub n_head: usize,
    pub n_head_kv: usize,
    pub n_ff: usize,
    /// Storage type of the weight matrices: `F32` for exact tests, `Q4_1`/`Q8_0` for realism.
    pub weight_dtype: GgmlDType,
    pub seed: u64,
}

impl SyntheticSpec {
    /// A model small enough for a unit test to load in milliseconds.
    pub fn tiny(architecture: &str) -> SyntheticSpec {
        SyntheticSpec {
            architecture: architecture.to_string(),
            n_vocab: 300,
            n_embd: 64,
            n_layer: 2,
            n_head: 4,
            n_head_kv: 2,
            n_ff: 96,
            weight_dtype: GgmlDType::F32,
            seed: 7,
        }
    }

    /// SmolLM2-135M's shapes.
    pub fn smollm2_135m() -> SyntheticSpec {
        SyntheticSpec {
            architecture: "llama".into(),
            n_vocab: 49_152,
            n_embd: 576,
            n_layer: 30,
            n_head: 9,
            n_head_kv: 3,
            n_ff: 1536,
            weight_dtype: GgmlDType::Q4_1,
            seed: 7,
        }
    }

    /// Qwen2.5-0.5B's shapes.
    pub fn qwen2_0_5b() -> SyntheticSpec {
        SyntheticSpec {
            architecture: "qwen2".into(),
            n_vocab: 151_936,
            n_embd: 896,
            n_layer: 24,
            n_head: 14,
            n_head_kv: 2,
            n_ff: 4864,
            weight_dtype: GgmlDType::Q8_0,
            seed: 7,
        }
    }
}

pub const CHATML_TEMPLATE: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

/// Writes the model described by `spec` to `path`.
pub fn write_synthetic_gguf(path: &Path, spec: &SyntheticSpec) -> Result<()> {
    let device = Device::Cpu;
    let mut rng = SplitMix64(spec.seed);
    let head_dim = spec.n_embd / spec.n_head;
    let kv_dim = spec.n_head_kv * head_dim;

    let mut tensors: Vec<(String, QTensor)> = Vec::new();
    let mut add = |name: String, dims: &[usize], scale: f32, dtype: GgmlDType| -> Result<()> {
        let n: usize = dims.iter().product();
        let data: Vec<f32> = (0..n).map(|_| rng.symmetric() * scale).collect();
        let tensor = Tensor::from_vec(data, dims, &device)?;
        tensors.push((name, QTensor::quantize(&tensor, dtype)?));
        Ok(())
    };
    let w = spec.weight_dtype;
    let proj_scale = 1.0 / (spec.n_embd as f32).sqrt();
    add(
        "token_embd.weight".into(),
        &[spec.n_vocab, spec.n_embd],
        1.0,
        w,
    )?;
    add(
        "output_norm.weight".into(),
        &[spec.n_embd],
        1.0,
        GgmlDType::F32,
    )?;
    for layer in 0..spec.n_layer {
        let name = |suffix: &str| format!("blk.{layer}.{suffix}");
        add(
            name("attn_norm.weight"),
            &[spec.n_embd],
            1.0,
            GgmlDType::F32,
        )?;
        add(
            name("attn_q.weight"),
            &[spec.n_embd, spec.n_embd],
            proj_scale,
            w,
        )?;
        add(name("attn_k.weight"), &[kv_dim, spec.n_embd], proj_scale, w)?;
        add(name("attn_v.weight"), &[kv_dim, spec.n_embd], proj_scale, w)?;
        if spec.architecture == "qwen2" {
            add(name("attn_q.bias"), &[spec.n_embd], 0.1, GgmlDType::F32)?;
            add(name("attn_k.bias"), &[kv_dim], 0.1, GgmlDType::F32)?;
            add(name("attn_v.bias"), &[kv_dim], 0.1, GgmlDType::F32)?;
        }
        add(
            name("attn_output.weight"),
            &[spec.n_embd, spec.n_embd],
            proj_scale,
            w,
        )?;
        add(name("ffn_norm.weight"), &[spec.n_embd], 1.0, GgmlDType::F32)?;
        add(
            name("ffn_gate.weight"),
            &[spec.n_ff, spec.n_embd],
            proj_scale,
            w,
        )?;
        add(
            name("ffn_up.weight"),
            &[spec.n_ff, spec.n_embd],
            proj_scale,
            w,
        )?;
        let down_scale = 1.0 / (spec.n_ff as f32).sqrt();
        add(
            name("ffn_down.weight"),
            &[spec.n_embd, spec.n_ff],
            down_scale,
            w,
        )?;
    }

    let (tokens, token_types, merges) = vocabulary(spec.n_vocab);
    let arch = spec.architecture.as_str();
    let pre = if arch == "qwen2" { "qwen2" } else { "smollm" };
    let im_end = tokens.iter().position(|t| t == "<|im_end|>").unwrap_or(0) as u32;
    let metadata: Vec<(String, Value)> = vec![
        ("general.architecture".into(), Value::String(arch.into())),
        (
            "general.name".into(),
            Value::String(format!("synthetic-{arch}")),
        ),
        (format!("{arch}.context_length"), Value::U32(4096)),
        (
            format!("{arch}.embedding_length"),
            Value::U32(spec.n_embd as u32),
        ),
        (
            format!("{arch}.block_count"),
            Value::U32(spec.n_layer as u32),
        ),
        (
            format!("{arch}.feed_forward_length"),
            Value::U32(spec.n_ff as u32),
        ),
        (
            format!("{arch}.attention.head_count"),
            Value::U32(spec.n_head as u32),
        ),
        (
            format!("{arch}.attention.head_count_kv"),
            Value::U32(spec.n_head_kv as u32),
        ),
        (
            format!("{arch}.attention.layer_norm_rms_epsilon"),
            Value::F32(1e-5),
        ),
        (format!("{arch}.rope.freq_base"), Value::F32(10_000.0)),
        ("tokenizer.ggml.model".into(), Value::String("gpt2".into())),
        ("tokenizer.ggml.pre".into(), Value::String(pre.into())),
        (
            "tokenizer.ggml.tokens".into(),
            Value::Array(tokens.into_iter().map(Value::String).collect()),
        ),
        (
            "tokenizer.ggml.token_type".into(),
            Value::Array(token_types.into_iter().map(Value::I32).collect()),
        ),
        (
            "tokenizer.ggml.merges".into(),
            Value::Array(merges.into_iter().map(Value::String).collect()),
        ),
        ("tokenizer.ggml.eos_token_id".into(), Value::U32(im_end)),
        (
            "tokenizer.chat_template".into(),
            Value::String(CHATML_TEMPLATE.into()),
        ),
    ];

    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(|source| {
        crate::Error::Io {
            path: path.to_path_buf(),
            source,
        }
    })?);
    let metadata_refs: Vec<(&str, &Value)> =
        metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    candle_core::quantized::gguf_file::write(&mut file, &metadata_refs, &tensor_refs)?;
    Ok(())
}

/// Byte-level tokens for all 256 bytes (GPT-2's byte-to-unicode map), ChatML control tokens, a
/// few merges of common English pairs and of `Yes` and `No`, then filler tokens up to `n_vocab`.
fn vocabulary(n_vocab: usize) -> (Vec<String>, Vec<i32>, Vec<String>) {
    let byte_chars = gpt2_byte_chars();
    let mut tokens: Vec<String> = byte_chars.iter().map(|c| c.to_string()).collect();
    let mut types = vec![1; tokens.len()];
    for special in ["<|im_start|>", "<|im_end|>", "<|endoftext|>"] {
        tokens.push(special.to_string());
        types.push(3);
    }
    let space = byte_chars[b' ' as usize];
    let mut merges = Vec::new();
    for (a, b) in [
        (space.to_string(), "t".to_string()),
        ("h".into(), "e".into()),
        (space.to_string(), "a".to_string()),
        ("i".into(), "n".into()),
        (format!("{space}t"), "he".to_string()),
        ("e".into(), "r".into()),
        // The default verdict words, single tokens as in real vocabularies.
        ("Y".into(), "e".into()),
        ("Ye".into(), "s".into()),
        ("N".into(), "o".into()),
    ] {
        if tokens.len() >= n_vocab {
            break;
        }
        tokens.push(format!("{a}{b}"));
        types.push(1);
        merges.push(format!("{a} {b}"));
    }
    while tokens.len() < n_vocab {
        tokens.push(format!("<filler{}>", tokens.len()));
        types.push(4);
    }
    (tokens, types, merges)
}

/// GPT-2's reversible map from bytes to printable characters, which byte-level BPE vocabularies
/// are written in.
fn gpt2_byte_chars() -> Vec<char> {
    let mut printable: Vec<u32> = (b'!' as u32..=b'~' as u32)
        .chain(0xA1..=0xAC)
        .chain(0xAE..=0xFF)
        .collect();
    let mut chars: Vec<(u32, u32)> = printable.iter().map(|&b| (b, b)).collect();
    let mut next = 0;
    for byte in 0..256u32 {
        if !printable.contains(&byte) {
            chars.push((byte, 256 + next));
            next += 1;
        }
    }
    printable.clear();
    chars.sort();
    chars
        .into_iter()
        .map(|(_, c)| char::from_u32(c).expect("valid code point"))
        .collect()
}

/// A tiny deterministic generator (Steele, Lea and Flood 2014): synthetic weights must not
/// depend on a crate's RNG algorithm staying the same.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    fn symmetric(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}
