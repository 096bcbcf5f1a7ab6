//! The llama-family decoder (Touvron et al. 2023, arXiv:2302.13971; reference: llama.cpp's
//! `llm_build_llama` and `llm_build_qwen2`): llama and qwen2 GGUF files.
//!
//! The two architectures differ only in where RoPE pairs its dimensions (llama.cpp's converter
//! permutes llama's q/k weights so that adjacent dimensions pair up, qwen2 keeps the two halves)
//! and in qwen2's q/k/v biases. Everything else is one code path.
//!
//! Unlike candle-transformers' quantized models, the forward pass here takes a batch of rows of
//! different lengths that may all continue one cached prefix ([`KvCache`]), returns each row's
//! final hidden state at its last token, and leaves the output projection to the caller, who
//! asks for the few verdict tokens it needs ([`Model::logits_for`]) or the whole vocabulary
//! ([`Model::logits`]).

use std::ops::Range;
use std::path::Path;

use candle_core::{DType, Device, Tensor};

use crate::gguf::GgufFile;
use crate::kernels;
use crate::{Error, Result};

/// Contexts longer than this are not needed to judge one record, and capping the RoPE tables
/// keeps models that declare 128k contexts cheap to load.
const MAX_CONTEXT: usize = 32_768;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    Llama,
    Qwen2,
}

impl Architecture {
    pub fn name(self) -> &'static str {
        match self {
            Architecture::Llama => "llama",
            Architecture::Qwen2 => "qwen2",
        }
    }
}

/// Which dimensions RoPE rotates together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RopeStyle {
    /// Dimensions `2i` and `2i + 1` (ggml's "normal" mode, used for GGUF llama).
    Interleaved,
    /// Dimensions `i` and `i + head_dim / 2` (ggml's NeoX mode, used for qwen2).
    Halves,
}

/// Hyperparameters read from the GGUF metadata.
#[derive(Debug, Clone)]
pub struct Config {
    pub architecture: Architecture,
    pub n_vocab: usize,
    pub n_embd: usize,
    pub n_layer: usize,
    pub n_head: usize,
    pub n_head_kv: usize,
    pub head_dim: usize,
    pub n_ff: usize,
    pub rms_eps: f32,
    pub rope_base: f32,
    pub rope_style: RopeStyle,
    pub n_ctx: usize,
}

impl Config {
    pub fn from_gguf(gguf: &GgufFile) -> Result<Config> {
        let arch_name = gguf.string("general.architecture")?;
        let (architecture, rope_style) = match arch_name {
            "llama" => (Architecture::Llama, RopeStyle::Interleaved),
            "qwen2" => (Architecture::Qwen2, RopeStyle::Halves),
            other => return Err(Error::UnsupportedArchitecture(other.to_string())),
        };
        let key = |name: &str| format!("{arch_name}.{name}");
        let n_embd = gguf.usize(&key("embedding_length"))?;
        let n_head = gguf.usize(&key("attention.head_count"))?;
        let n_head_kv = gguf
            .usize(&key("attention.head_count_kv"))
            .unwrap_or(n_head);
        let head_dim = gguf
            .usize(&key("attention.key_length"))
            .unwrap_or(n_embd / n_head.max(1));
        let n_vocab = match gguf.usize(&key("vocab_size")) {
            Ok(n) => n,
            Err(_) => gguf.string_array("tokenizer.ggml.tokens")?.len(),
        };
        if n_head == 0 || n_head_kv == 0 || n_head % n_head_kv != 0 {
            return Err(gguf.metadata_error(
                &key("attention.head_count_kv"),
                &format!("({n_head_kv}) must divide the head count ({n_head})"),
            ));
        }
        Ok(Config {
            architecture,
            n_vocab,
            n_embd,
            n_layer: gguf.usize(&key("block_count"))?,
            n_head,
            n_head_kv,
            head_dim,
            n_ff: gguf.usize(&key("feed_forward_length"))?,
            rms_eps: gguf.f32(&key("attention.layer_norm_rms_epsilon"))?,
            rope_base: gguf.f32(&key("rope.freq_base")).unwrap_or(10_000.0),
            rope_style,
            n_ctx: gguf
                .usize(&key("context_length"))
                .unwrap_or(MAX_CONTEXT)
                .min(MAX_CONTEXT),
        })
    }

    fn q_dim(&self) -> usize {
        self.n_head * self.head_dim
    }
}

/// The keys and values of every layer for one token sequence: the state a continuation needs.
///
/// Tensors are `(1, n_head_kv, len, head_dim)` and shared by reference, so cloning a cache, or
/// handing one prefix to many batches, copies nothing.
#[derive(Clone)]
pub struct KvCache {
    keys: Vec<Tensor>,
    values: Vec<Tensor>,
    len: usize,
}

impl KvCache {
    /// Number of tokens the cache holds.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// What one forward pass returns.
pub struct Forward {
    /// `(n_rows, n_embd)`: each row's final hidden state (after the output norm) at its last
    /// token, the input of the output projection.
    pub hidden: Tensor,
    /// The cache extended by the row, when one single row was run with `keep_cache`.
    pub cache: Option<KvCache>,
    /// One `(n_rows, n_embd)` tensor per layer of [`Taps::layers`], in that order: the residual
    /// stream after that block at each row's last token.
    pub layer_last: Vec<Tensor>,
    /// One `(n_rows, n_spans * n_embd)` tensor per layer of [`Taps::layers`]: the residual
    /// stream after that block averaged over each of the row's [`Taps::spans`] in turn
    /// (zeros for an empty span).
    pub layer_mean: Vec<Tensor>,
}

/// Intermediate hidden states a caller wants from a forward pass, besides the final one: what
/// a probe reads when the last layer alone says too little (middle layers often carry more
/// linearly readable meaning than the last, which is shaped for predicting the next token).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Taps {
    /// Blocks (0-based) after which the residual stream is read.
    pub layers: Vec<usize>,
    /// Per row, the token ranges (within the row, after any prefix) to average over, the same
    /// number for every row; empty, or one entry per row. An empty range averages to zeros.
    pub spans: Vec<Vec<Range<usize>>>,
}

/// One decoder block. Projection matrices are stored transposed, `(n_in, n_out)` and
/// contiguous, so that `x.matmul(w)` runs the GEMM on its fastest layout: 15 to 45% faster
/// than multiplying by a transposed view on the prefill shapes (`benches/src/bin/gemm.rs`).
struct Layer {
    attn_norm: Tensor,
    /// q, k and v projections stacked into one `(n_embd, q_dim + 2 kv_dim)` matrix: one GEMM
    /// instead of three narrow ones.
    wqkv: Tensor,
    bqkv: Option<Tensor>,
    wo: Tensor,
    ffn_norm: Tensor,
    /// Gate and up projections stacked, `(n_embd, 2 n_ff)`.
    w_gate_up: Tensor,
    w_down: Tensor,
}

pub struct Model {
    config: Config,
    device: Device,
    embed: Tensor,
    output: Tensor,
    output_norm: Tensor,
    layers: Vec<Layer>,
    rope_cos: Tensor,
    rope_sin: Tensor,
}

impl Model {
    /// Loads a GGUF file, dequantizing every weight to f32 on `device`.
    pub fn load(path: &Path, device: &Device) -> Result<Model> {
        let mut gguf = GgufFile::open(path)?;
        Model::from_gguf(&mut gguf, device)
    }

    pub fn from_gguf(gguf: &mut GgufFile, device: &Device) -> Result<Model> {
        let config = Config::from_gguf(gguf)?;
        let embed = dequantized(gguf, "token_embd.weight", device)?;
        check_shape(
            &embed,
            &[config.n_vocab, config.n_embd],
            "token_embd.weight",
            gguf.path(),
        )?;
        // Small models tie the output projection to the embedding.
        let output = if gguf.has_tensor("output.weight") {
            dequantized(gguf, "output.weight", device)?
        } else {
            embed.clone()
        };
        let output_norm = dequantized(gguf, "output_norm.weight", device)?;

        let mut layers = Vec::with_capacity(config.n_layer);
        for layer_idx in 0..config.n_layer {
            let mut w =
                |suffix: &str| dequantized(gguf, &format!("blk.{layer_idx}.{suffix}"), device);
            let wq = w("attn_q.weight")?;
            let wk = w("attn_k.weight")?;
            let wv = w("attn_v.weight")?;
            let bqkv = if config.architecture == Architecture::Qwen2 {
                let (bq, bk, bv) = (w("attn_q.bias")?, w("attn_k.bias")?, w("attn_v.bias")?);
                Some(Tensor::cat(&[bq, bk, bv], 0)?)
            } else {
                None
            };
            let gate = w("ffn_gate.weight")?;
            let up = w("ffn_up.weight")?;
            layers.push(Layer {
                attn_norm: w("attn_norm.weight")?,
                wqkv: transposed(&Tensor::cat(&[wq, wk, wv], 0)?)?,
                bqkv,
                wo: transposed(&w("attn_output.weight")?)?,
                ffn_norm: w("ffn_norm.weight")?,
                w_gate_up: transposed(&Tensor::cat(&[gate, up], 0)?)?,
                w_down: transposed(&w("ffn_down.weight")?)?,
            });
        }
        let (rope_cos, rope_sin) = rope_tables(&config, device)?;
        Ok(Model {
            config,
            device: device.clone(),
            embed,
            output,
            output_norm,
            layers,
            rope_cos,
            rope_sin,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Runs `tokens` alone and returns the cache holding them, to be shared by continuations.
    pub fn prefill(&self, prefix: Option<&KvCache>, tokens: &[u32]) -> Result<KvCache> {
        let forward = self.forward(prefix, &[tokens], true)?;
        Ok(forward
            .cache
            .expect("keep_cache with one row returns a cache"))
    }

    /// One forward pass over `rows`, each continuing `prefix` when given.
    ///
    /// Rows are right-padded to the longest; since attention is causal, padding comes after
    /// every real token and changes nothing, so each row's result is the one it would get alone.
    pub fn forward(
        &self,
        prefix: Option<&KvCache>,
        rows: &[&[u32]],
        keep_cache: bool,
    ) -> Result<Forward> {
        self.forward_tapped(prefix, rows, keep_cache, &Taps::default())
    }

    /// [`Model::forward`], also reading the residual stream after the blocks `taps` names.
    ///
    /// Each tapped value is computed from its own row alone (a sum over that row's tokens in
    /// order), so, like the final hidden state, it does not depend on the rest of the batch.
    pub fn forward_tapped(
        &self,
        prefix: Option<&KvCache>,
        rows: &[&[u32]],
        keep_cache: bool,
        taps: &Taps,
    ) -> Result<Forward> {
        let cfg = &self.config;
        let n_rows = rows.len();
        let n_tokens = rows.iter().map(|r| r.len()).max().unwrap_or(0);
        if n_rows == 0 || rows.iter().any(|r| r.is_empty()) {
            return Err(Error::EmptyInput);
        }
        let n_past = prefix.map_or(0, KvCache::len);
        if n_past + n_tokens > cfg.n_ctx {
            return Err(Error::ContextOverflow {
                n_tokens: n_past + n_tokens,
                n_ctx: cfg.n_ctx,
            });
        }
        let keep_cache = keep_cache && n_rows == 1;
        check_taps(taps, rows, cfg.n_layer)?;
        let mut ids = Vec::with_capacity(n_rows * n_tokens);
        for row in rows {
            for &id in row.iter() {
                if id as usize >= cfg.n_vocab {
                    return Err(Error::TokenOutOfRange {
                        id,
                        n_vocab: cfg.n_vocab,
                    });
                }
            }
            ids.extend_from_slice(row);
            ids.extend(std::iter::repeat_n(0, n_tokens - row.len()));
        }
        let ids = Tensor::from_vec(ids, n_rows * n_tokens, &self.device)?;
        let mut x = self.embed.index_select(&ids, 0)?;

        let cos = self.rope_cos.narrow(0, n_past, n_tokens)?;
        let sin = self.rope_sin.narrow(0, n_past, n_tokens)?;
        let shape = AttentionShape {
            n_rows,
            n_tokens,
            n_past,
        };

        let mut new_keys = Vec::new();
        let mut new_values = Vec::new();
        let mut layer_last = Vec::with_capacity(taps.layers.len());
        let mut layer_mean = Vec::with_capacity(taps.layers.len());
        let last: Vec<u32> = rows
            .iter()
            .enumerate()
            .map(|(row_idx, row)| (row_idx * n_tokens + row.len() - 1) as u32)
            .collect();
        let last = Tensor::from_vec(last, n_rows, &self.device)?;
        for (layer_idx, layer) in self.layers.iter().enumerate() {
            let h = candle_nn::ops::rms_norm(&x, &layer.attn_norm, cfg.rms_eps)?;
            let mut qkv = h.matmul(&layer.wqkv)?;
            if let Some(bias) = &layer.bqkv {
                qkv = qkv.broadcast_add(bias)?;
            }
            let cached = prefix.map(|c| (&c.keys[layer_idx], &c.values[layer_idx]));
            let (attn, kv) = self.attention(&qkv, cached, &cos, &sin, shape)?;
            if keep_cache {
                new_keys.push(kv.0);
                new_values.push(kv.1);
            }
            x = (x + attn.matmul(&layer.wo)?)?;

            let h = candle_nn::ops::rms_norm(&x, &layer.ffn_norm, cfg.rms_eps)?;
            let gate_up = h.matmul(&layer.w_gate_up)?;
            let act = kernels::swiglu(&gate_up, cfg.n_ff)?;
            x = (x + act.matmul(&layer.w_down)?)?;
            // A layer may be tapped more than once; each request gets its copy.
            for _ in taps.layers.iter().filter(|&&l| l == layer_idx) {
                layer_last.push(x.index_select(&last, 0)?);
                layer_mean.push(span_means(&x, &taps.spans, n_rows, n_tokens)?);
            }
        }
        // Tapped values in the order the caller listed its layers.
        let (layer_last, layer_mean) = in_request_order(&taps.layers, layer_last, layer_mean);

        // Only each row's last real token feeds the output: normalize just those.
        let hidden = x.index_select(&last, 0)?;
        let hidden = candle_nn::ops::rms_norm(&hidden, &self.output_norm, cfg.rms_eps)?;
        let cache = keep_cache.then(|| KvCache {
            keys: new_keys,
            values: new_values,
            len: n_past + n_tokens,
        });
        Ok(Forward {
            hidden,
            cache,
            layer_last,
            layer_mean,
        })
    }

    /// Logits over the whole vocabulary, `(n_rows, n_vocab)`.
    pub fn logits(&self, hidden: &Tensor) -> Result<Tensor> {
        project_rows(hidden, &self.output.t()?)
    }

    /// Logits of the given tokens only, `(n_rows, token_ids.len())`: a verdict needs two
    /// columns of the output projection, not all of them.
    pub fn logits_for(&self, hidden: &Tensor, token_ids: &[u32]) -> Result<Tensor> {
        for &id in token_ids {
            if id as usize >= self.config.n_vocab {
                return Err(Error::TokenOutOfRange {
                    id,
                    n_vocab: self.config.n_vocab,
                });
            }
        }
        let ids = Tensor::new(token_ids, &self.device)?;
        let rows = self.output.index_select(&ids, 0)?;
        project_rows(hidden, &rows.t()?)
    }

    /// Multi-head causal attention with grouped keys and values; returns the attention output
    /// `(n_rows * n_tokens, q_dim)` and this layer's keys and values (prefix included) for the
    /// cache.
    fn attention(
        &self,
        qkv: &Tensor,
        cached: Option<(&Tensor, &Tensor)>,
        cos: &Tensor,
        sin: &Tensor,
        shape: AttentionShape,
    ) -> Result<(Tensor, (Tensor, Tensor))> {
        let cfg = &self.config;
        let AttentionShape {
            n_rows,
            n_tokens,
            n_past,
        } = shape;
        let (q_dim, head_dim) = (cfg.q_dim(), cfg.head_dim);
        // (rows * tokens, q + 2 kv) viewed as (rows, tokens, heads, head_dim), then each of
        // q, k and v moved to head-major order for the per-head matmuls.
        let n_heads_total = cfg.n_head + 2 * cfg.n_head_kv;
        let qkv = qkv.reshape((n_rows, n_tokens, n_heads_total, head_dim))?;
        let split = |first_head: usize, n_heads: usize| -> Result<Tensor> {
            kernels::swap_heads_and_tokens(&qkv.narrow(2, first_head, n_heads)?)
        };
        let q = self.rope(&split(0, cfg.n_head)?, cos, sin)?;
        let k = self.rope(&split(cfg.n_head, cfg.n_head_kv)?, cos, sin)?;
        let v = split(cfg.n_head + cfg.n_head_kv, cfg.n_head_kv)?;

        let (k, v) = match cached {
            Some((past_k, past_v)) => {
                let past_shape = (n_rows, cfg.n_head_kv, n_past, head_dim);
                // Both parts contiguous, so that candle concatenates block-wise and the result is
                // contiguous too (a broadcast view would make it a strided one, which matmul
                // refuses).
                let past_k = past_k.broadcast_as(past_shape)?.contiguous()?;
                let past_v = past_v.broadcast_as(past_shape)?.contiguous()?;
                (
                    Tensor::cat(&[&past_k, &k], 2)?,
                    Tensor::cat(&[&past_v, &v], 2)?,
                )
            }
            None => (k, v),
        };

        // Grouped-query attention without copying keys: the query heads that share a key head
        // are stacked along the token axis, so one matmul per key head serves its whole group.
        // Rows stay in query order within each head, as the causal softmax expects.
        let group = cfg.n_head / cfg.n_head_kv;
        let scale = 1.0 / (head_dim as f32).sqrt();
        let q = q.reshape((n_rows, cfg.n_head_kv, group * n_tokens, head_dim))?;
        let scores = q.matmul(&k.t()?)?;
        let probs = kernels::causal_softmax(&scores, n_tokens, n_past, scale)?;
        let out = weighted_values(&probs, &v)?.reshape((n_rows, cfg.n_head, n_tokens, head_dim))?;
        let out = kernels::swap_heads_and_tokens(&out)?.reshape((n_rows * n_tokens, q_dim))?;
        Ok((out, (k, v)))
    }

    fn rope(&self, x: &Tensor, cos: &Tensor, sin: &Tensor) -> Result<Tensor> {
        Ok(match self.config.rope_style {
            RopeStyle::Interleaved => candle_nn::rotary_emb::rope_i(x, cos, sin)?,
            RopeStyle::Halves => candle_nn::rotary_emb::rope(x, cos, sin)?,
        })
    }
}

#[derive(Clone, Copy)]
struct AttentionShape {
    n_rows: usize,
    n_tokens: usize,
    n_past: usize,
}

fn check_taps(taps: &Taps, rows: &[&[u32]], n_layer: usize) -> Result<()> {
    if let Some(&layer) = taps.layers.iter().find(|&&l| l >= n_layer) {
        return Err(Error::InvalidTap(format!(
            "layer {layer} does not exist: the model has {n_layer} layers"
        )));
    }
    if !taps.spans.is_empty() && taps.spans.len() != rows.len() {
        return Err(Error::InvalidTap(format!(
            "{} spans for {} rows",
            taps.spans.len(),
            rows.len()
        )));
    }
    let n_spans = taps.spans.first().map_or(0, Vec::len);
    for (row_idx, (spans, row)) in taps.spans.iter().zip(rows).enumerate() {
        if spans.len() != n_spans {
            return Err(Error::InvalidTap(format!(
                "row {row_idx} has {} spans, row 0 has {n_spans}",
                spans.len()
            )));
        }
        if let Some(span) = spans.iter().find(|s| s.end > row.len()) {
            return Err(Error::InvalidTap(format!(
                "span {span:?} of row {row_idx} is outside its {} tokens",
                row.len()
            )));
        }
    }
    Ok(())
}

/// Each row's means of `x` (`(n_rows * n_tokens, n_embd)`) over its spans, side by side:
/// `(n_rows, n_spans * n_embd)`, zeros for an empty span.
fn span_means(
    x: &Tensor,
    spans: &[Vec<Range<usize>>],
    n_rows: usize,
    n_tokens: usize,
) -> Result<Tensor> {
    let n_embd = x.dim(1)?;
    let n_spans = spans.first().map_or(0, Vec::len);
    if n_spans == 0 {
        return Ok(Tensor::zeros((n_rows, 0), x.dtype(), x.device())?);
    }
    let rows = (0..n_rows)
        .map(|row_idx| {
            let means = spans[row_idx]
                .iter()
                .map(|span| {
                    if span.is_empty() {
                        return Ok(Tensor::zeros((1, n_embd), x.dtype(), x.device())?);
                    }
                    let tokens = x.narrow(0, row_idx * n_tokens + span.start, span.len())?;
                    (tokens.sum_keepdim(0)? / span.len() as f64).map_err(Error::from)
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Tensor::cat(&means, 1)?)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Tensor::cat(&rows, 0)?)
}

/// The forward pass meets tapped layers in depth order; the caller listed them in its own.
fn in_request_order(
    layers: &[usize],
    last: Vec<Tensor>,
    mean: Vec<Tensor>,
) -> (Vec<Tensor>, Vec<Tensor>) {
    let mut depth_order: Vec<usize> = (0..layers.len()).collect();
    depth_order.sort_by_key(|&i| (layers[i], i));
    let mut slots: Vec<Option<(Tensor, Tensor)>> = vec![None; layers.len()];
    for (request_idx, pair) in depth_order.into_iter().zip(last.into_iter().zip(mean)) {
        slots[request_idx] = Some(pair);
    }
    slots
        .into_iter()
        .map(|slot| slot.expect("every tapped layer was reached"))
        .unzip()
}

/// cos and sin of every position's rotation angles, `(n_ctx, head_dim / 2)`, computed in f64.
fn rope_tables(cfg: &Config, device: &Device) -> Result<(Tensor, Tensor)> {
    let half = cfg.head_dim / 2;
    let inv_freq: Vec<f64> = (0..half)
        .map(|i| (cfg.rope_base as f64).powf(-2.0 * i as f64 / cfg.head_dim as f64))
        .collect();
    let mut cos = Vec::with_capacity(cfg.n_ctx * half);
    let mut sin = Vec::with_capacity(cfg.n_ctx * half);
    for pos in 0..cfg.n_ctx {
        for &freq in &inv_freq {
            let angle = pos as f64 * freq;
            cos.push(angle.cos() as f32);
            sin.push(angle.sin() as f32);
        }
    }
    Ok((
        Tensor::from_vec(cos, (cfg.n_ctx, half), device)?.to_dtype(DType::F32)?,
        Tensor::from_vec(sin, (cfg.n_ctx, half), device)?,
    ))
}

fn check_shape(tensor: &Tensor, expected: &[usize], name: &str, path: &Path) -> Result<()> {
    if tensor.dims() != expected {
        return Err(Error::InvalidGguf {
            path: path.to_path_buf(),
            message: format!(
                "tensor `{name}` has shape {:?}, the metadata implies {expected:?}",
                tensor.dims()
            ),
        });
    }
    Ok(())
}

/// Keys per block when summing attention-weighted values: at most the 512 that gemm sums in
/// one pass (its smallest chunk of the summed dimension), so that one block is one GEMM pass.
const KEY_BLOCK: usize = 512;

/// `probs @ values`, summed over fixed blocks of [`KEY_BLOCK`] keys in order.
///
/// A GEMM splits a long summation into chunks whose size depends on its length, and the number
/// of keys of a row depends on the padding its batch needs: summed in one GEMM, a row's
/// attention output would change in its last bits with its batch. Blocks of a fixed size,
/// aligned to the first key, sum each key in the same place whatever the padding (padding only
/// adds exact zeros at the end), so a row's result is bit-identical in any batch.
fn weighted_values(probs: &Tensor, values: &Tensor) -> Result<Tensor> {
    let n_keys = values.dim(2)?;
    if n_keys <= KEY_BLOCK {
        return Ok(probs.matmul(values)?);
    }
    let mut sum: Option<Tensor> = None;
    for start in (0..n_keys).step_by(KEY_BLOCK) {
        let len = KEY_BLOCK.min(n_keys - start);
        let block_probs = probs.narrow(3, start, len)?.contiguous()?;
        let block_values = values.narrow(2, start, len)?.contiguous()?;
        let part = block_probs.matmul(&block_values)?;
        sum = Some(match sum {
            None => part,
            Some(sum) => (sum + part)?,
        });
    }
    Ok(sum.expect("at least one block"))
}

/// Rows per output-projection GEMM. A GEMM picks its kernel, and with it the order in which
/// it sums, from its shape: a single row goes through a matrix-vector kernel and sums
/// differently from a batch. Multiplying in groups of exactly this many rows (the last group
/// padded with zeros) makes each row's logits bit-identical whatever it is batched with. The
/// decoder blocks need no such care: their GEMMs keep each output's summation order whatever
/// the number of rows (checked bit for bit in `engine/tests/it/forward.rs`).
const LOGIT_ROWS: usize = 8;

fn project_rows(hidden: &Tensor, weight_t: &Tensor) -> Result<Tensor> {
    let (n_rows, n_embd) = hidden.dims2()?;
    let n_groups = n_rows.div_ceil(LOGIT_ROWS);
    let padding = n_groups * LOGIT_ROWS - n_rows;
    let hidden = if padding > 0 {
        let zeros = Tensor::zeros((padding, n_embd), hidden.dtype(), hidden.device())?;
        Tensor::cat(&[hidden, &zeros], 0)?
    } else {
        hidden.clone()
    };
    let groups = (0..n_groups)
        .map(|g| {
            hidden
                .narrow(0, g * LOGIT_ROWS, LOGIT_ROWS)?
                .matmul(weight_t)
        })
        .collect::<candle_core::Result<Vec<_>>>()?;
    Ok(Tensor::cat(&groups, 0)?.narrow(0, 0, n_rows)?)
}

fn transposed(weight: &Tensor) -> Result<Tensor> {
    Ok(weight.t()?.contiguous()?)
}

fn dequantized(gguf: &mut GgufFile, name: &str, device: &Device) -> Result<Tensor> {
    Ok(gguf.tensor(name, device)?.dequantize(device)?)
}

/// Log-softmax of one row of logits, accumulated in f64.
pub fn log_softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let sum: f64 = logits.iter().map(|&l| (l as f64 - max).exp()).sum();
    let log_sum = max + sum.ln();
    logits.iter().map(|&l| l as f64 - log_sum).collect()
}
