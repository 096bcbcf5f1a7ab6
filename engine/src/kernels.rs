//! Fused CPU kernels for the parts of the forward pass that candle runs as several generic,
//! mostly scalar passes: causal softmax, SwiGLU, and moving heads between the token-major and
//! head-major layouts.
//!
//! Measured on the SmolLM2 prefill shapes (512 tokens, `benches/src/bin/attn_ops.rs`), these
//! took about a quarter of the forward pass through candle's generic ops: softmax 4.1 ms a
//! layer (libm `expf` one value at a time, and every masked entry exponentiated too), SwiGLU
//! 2.9 ms, splitting q/k/v into heads 2 ms (a strided element-by-element copy). Here each is
//! one pass over contiguous rows, parallel over rows, with an `exp` written so that the
//! compiler vectorizes it. On other devices the same functions fall back to candle's ops.

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};
use rayon::prelude::*;

use crate::Result;

/// Softmax over the last dimension of `scores` (`n_past + n_tokens` keys), after multiplying
/// by `scale`, where the rows cycle through the queries `0..n_tokens` in order and query `i`
/// sees keys `0..=n_past + i` only; the keys it must not see get probability 0.
pub fn causal_softmax(
    scores: &Tensor,
    n_tokens: usize,
    n_past: usize,
    scale: f32,
) -> Result<Tensor> {
    let n_keys = scores.dim(candle_core::D::Minus1)?;
    if scores.device().is_cpu() {
        let op = CausalSoftmax {
            n_tokens,
            n_past,
            scale,
        };
        return Ok(scores.contiguous()?.apply_op1_no_bwd(&op)?);
    }
    let mask: Vec<f32> = (0..n_tokens)
        .flat_map(|i| {
            (0..n_keys).map(move |j| {
                if j <= n_past + i {
                    0.0
                } else {
                    f32::NEG_INFINITY
                }
            })
        })
        .collect();
    let mask = Tensor::from_vec(mask, (n_tokens, n_keys), scores.device())?;
    let shape = scores.shape().clone();
    let by_query = scores.reshape(((), n_tokens, n_keys))?;
    let masked = (by_query * scale as f64)?.broadcast_add(&mask)?;
    Ok(candle_nn::ops::softmax_last_dim(&masked)?.reshape(shape)?)
}

/// `silu(gate) * up` for `gate_up` of shape `(n, 2 n_ff)`, gate first; returns `(n, n_ff)`.
pub fn swiglu(gate_up: &Tensor, n_ff: usize) -> Result<Tensor> {
    if gate_up.device().is_cpu() {
        return Ok(gate_up.contiguous()?.apply_op1_no_bwd(&SwiGlu { n_ff })?);
    }
    let gate = gate_up.narrow(1, 0, n_ff)?;
    let up = gate_up.narrow(1, n_ff, n_ff)?;
    Ok((gate.silu()? * up)?)
}

/// Swaps dimensions 1 and 2 of a 4-D tensor whose last dimension is contiguous, returning a
/// contiguous tensor: `(b, l, h, d)` to `(b, h, l, d)` and back.
pub fn swap_heads_and_tokens(x: &Tensor) -> Result<Tensor> {
    if x.device().is_cpu() && x.dims().len() == 4 && x.stride()[3] == 1 {
        return Ok(x.apply_op1_no_bwd(&SwapDims12)?);
    }
    Ok(x.transpose(1, 2)?.contiguous()?)
}

struct CausalSoftmax {
    n_tokens: usize,
    n_past: usize,
    scale: f32,
}

impl CustomOp1 for CausalSoftmax {
    fn name(&self) -> &'static str {
        "causal-softmax"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let input = contiguous_f32(storage, layout, "causal-softmax")?;
        let n_keys = layout.dims()[layout.dims().len() - 1];
        let mut output = vec![0f32; input.len()];
        output
            .par_chunks_mut(n_keys)
            .zip(input.par_chunks(n_keys))
            .enumerate()
            .for_each(|(row_idx, (out, row))| {
                let visible = (self.n_past + row_idx % self.n_tokens + 1).min(n_keys);
                softmax_row(&row[..visible], &mut out[..visible], self.scale);
            });
        Ok((CpuStorage::F32(output), layout.shape().clone()))
    }
}

struct SwiGlu {
    n_ff: usize,
}

impl CustomOp1 for SwiGlu {
    fn name(&self) -> &'static str {
        "swiglu"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let input = contiguous_f32(storage, layout, "swiglu")?;
        let n_ff = self.n_ff;
        let n_rows = input.len() / (2 * n_ff);
        let mut output = vec![0f32; n_rows * n_ff];
        output
            .par_chunks_mut(n_ff)
            .zip(input.par_chunks(2 * n_ff))
            .for_each(|(out, row)| {
                let (gate, up) = row.split_at(n_ff);
                for ((o, &g), &u) in out.iter_mut().zip(gate).zip(up) {
                    *o = g / (1.0 + exp(-g)) * u;
                }
            });
        Ok((CpuStorage::F32(output), Shape::from((n_rows, n_ff))))
    }
}

struct SwapDims12;

impl CustomOp1 for SwapDims12 {
    fn name(&self) -> &'static str {
        "swap-dims-1-2"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let input = storage.as_slice::<f32>()?;
        let (d0, d1, d2, d3) = layout.shape().dims4()?;
        let stride = layout.stride();
        let start = layout.start_offset();
        let mut output = vec![0f32; d0 * d1 * d2 * d3];
        // Output row (a, c, b) is input row (a, b, c): one contiguous copy of d3 values each.
        output
            .par_chunks_mut(d3)
            .enumerate()
            .for_each(|(row_idx, out)| {
                let b = row_idx % d1;
                let c = (row_idx / d1) % d2;
                let a = row_idx / (d1 * d2);
                let offset = start + a * stride[0] + b * stride[1] + c * stride[2];
                out.copy_from_slice(&input[offset..offset + d3]);
            });
        Ok((CpuStorage::F32(output), Shape::from((d0, d2, d1, d3))))
    }
}

/// The f32 values of a contiguous input, in order.
fn contiguous_f32<'a>(
    storage: &'a CpuStorage,
    layout: &Layout,
    op: &str,
) -> candle_core::Result<&'a [f32]> {
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("{op} needs a contiguous input")
    };
    Ok(&storage.as_slice::<f32>()?[start..end])
}

/// Softmax of `scale * row` into `out`, in three passes the compiler can vectorize.
fn softmax_row(row: &[f32], out: &mut [f32], scale: f32) {
    let max = max_of(row);
    for (o, &x) in out.iter_mut().zip(row) {
        *o = exp((x - max) * scale);
    }
    let inv_sum = 1.0 / sum_of(out);
    for o in out.iter_mut() {
        *o *= inv_sum;
    }
}

/// `e^x` within 2 ulp for the range softmax and SiLU use, written without branches or calls
/// so that loops over it vectorize: `x = n ln 2 + r` with `|r| <= ln 2 / 2`, `e^r` by its Taylor
/// series to degree 7 (truncation error below 3e-9 relative), `2^n` built in the exponent bits.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // Adding 1.5 * 2^23 rounds to the nearest integer in the float's low bits, a trick that
    // needs no rounding instruction.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    let n_bits = (shifted.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
    let two_to_n = f32::from_bits(((n_bits + 127) << 23) as u32);
    p * two_to_n
}

fn max_of(values: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; 16];
    let chunks = values.chunks_exact(16);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane = lane.max(v);
        }
    }
    rest.iter()
        .chain(&lanes)
        .copied()
        .fold(f32::NEG_INFINITY, f32::max)
}

fn sum_of(values: &[f32]) -> f32 {
    let mut lanes = [0f32; 16];
    let chunks = values.chunks_exact(16);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    lanes.iter().sum::<f32>() + rest.iter().sum::<f32>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn exp_is_within_two_ulp_of_libm() {
        let mut x = -87.0f32;
        while x < 88.0 {
            let (ours, libm) = (exp(x), x.exp());
            let ulp = (libm.to_bits() as i64 - ours.to_bits() as i64).abs();
            assert!(ulp <= 2, "exp({x}) = {ours}, libm {libm}, {ulp} ulp apart");
            x += 0.001_3;
        }
    }

    #[test]
    fn causal_softmax_matches_masked_softmax() {
        let (n_past, n_tokens) = (3, 4);
        let n_keys = n_past + n_tokens;
        let scores = Tensor::randn(0f32, 3.0, (2, 2, n_tokens, n_keys), &Device::Cpu).unwrap();
        let ours: Vec<f32> = causal_softmax(&scores, n_tokens, n_past, 0.5)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        let values: Vec<f32> = scores.flatten_all().unwrap().to_vec1().unwrap();
        for (row_idx, (row, out)) in values.chunks(n_keys).zip(ours.chunks(n_keys)).enumerate() {
            let visible = n_past + row_idx % n_tokens + 1;
            let max = row[..visible].iter().copied().fold(f32::MIN, f32::max);
            let sum: f64 = row[..visible]
                .iter()
                .map(|&x| (((x - max) * 0.5) as f64).exp())
                .sum();
            for (j, &p) in out.iter().enumerate() {
                let expected = if j < visible {
                    (((row[j] - max) * 0.5) as f64).exp() / sum
                } else {
                    0.0
                };
                assert!((p as f64 - expected).abs() < 1e-6, "row {row_idx} key {j}");
            }
        }
    }

    #[test]
    fn swiglu_and_head_swap_match_candle_ops() {
        let device = Device::Cpu;
        let gate_up = Tensor::randn(0f32, 2.0, (5, 12), &device).unwrap();
        let ours = swiglu(&gate_up, 6).unwrap();
        let gate = gate_up.narrow(1, 0, 6).unwrap();
        let up = gate_up.narrow(1, 6, 6).unwrap();
        let reference = (gate.silu().unwrap() * up).unwrap();
        let diff = (ours - reference)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap();
        assert!(diff.to_scalar::<f32>().unwrap() < 1e-5);

        let x = Tensor::randn(0f32, 1.0, (2, 3, 20, 4), &device).unwrap();
        let narrowed = x.narrow(2, 4, 8).unwrap();
        let ours = swap_heads_and_tokens(&narrowed).unwrap();
        let reference = narrowed.transpose(1, 2).unwrap().contiguous().unwrap();
        assert_eq!(
            ours.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            reference.flatten_all().unwrap().to_vec1::<f32>().unwrap()
        );
    }
}
