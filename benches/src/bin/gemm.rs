//! GEMM throughput of candle's f32 matmul on the prefill shapes, weights stored as (out, in)
//! and multiplied transposed (as the engine does) or stored pre-transposed.
//!
//! `cargo run --release -p benches --bin gemm`

use std::time::Instant;

use anyhow::Result;
use candle_core::{Device, Tensor};

fn main() -> Result<()> {
    let device = Device::Cpu;
    for (m, k, n) in [
        (512, 576, 1728),
        (512, 576, 3072),
        (512, 1536, 576),
        (512, 896, 4864 * 2),
        (512, 4864, 896),
    ] {
        let x = Tensor::randn(0f32, 1.0, (m, k), &device)?;
        let w = Tensor::randn(0f32, 1.0, (n, k), &device)?;
        let wt = w.t()?.contiguous()?;
        let flops = 2.0 * (m * k * n) as f64;
        for (name, rhs) in [("w.t()", w.t()?), ("w^T contiguous", wt.clone())] {
            x.matmul(&rhs)?;
            let reps = 10;
            let start = Instant::now();
            for _ in 0..reps {
                x.matmul(&rhs)?;
            }
            let s = start.elapsed().as_secs_f64() / reps as f64;
            println!("{m}x{k}x{n} {name:<16} {:.1} GFLOP/s", flops / s / 1e9);
        }
    }
    Ok(())
}
