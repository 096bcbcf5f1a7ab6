use candle_core::{Device, Tensor};
use std::time::Instant;
fn t<F: FnMut() -> candle_core::Result<Tensor>>(name: &str, reps: usize, mut f: F) {
    f().unwrap();
    let s = Instant::now();
    for _ in 0..reps {
        f().unwrap();
    }
    println!(
        "{name:<28} {:.3} ms",
        s.elapsed().as_secs_f64() * 1e3 / reps as f64
    );
}
fn main() {
    let d = Device::Cpu;
    let (l, h, hkv, hd) = (512usize, 9usize, 3usize, 64usize);
    let g = h / hkv;
    let qkv = Tensor::randn(0f32, 1.0, (l, (h + 2 * hkv) * hd), &d).unwrap();
    let x = Tensor::randn(0f32, 1.0, (l, 576), &d).unwrap();
    let w = Tensor::randn(0f32, 1.0, (576,), &d).unwrap();
    let gu = Tensor::randn(0f32, 1.0, (l, 3072), &d).unwrap();
    let q = Tensor::randn(0f32, 1.0, (1, h, l, hd), &d).unwrap();
    let k = Tensor::randn(0f32, 1.0, (1, hkv, l, hd), &d).unwrap();
    let cos = Tensor::randn(0f32, 1.0, (l, hd / 2), &d).unwrap();
    let mask = Tensor::zeros((l, l), candle_core::DType::F32, &d).unwrap();
    let qg = q.reshape((1, hkv, g * l, hd)).unwrap();
    let scores = qg.matmul(&k.t().unwrap()).unwrap();
    let probs = scores.clone();
    t("rms_norm", 50, || candle_nn::ops::rms_norm(&x, &w, 1e-5));
    t("split q (narrow+T+contig)", 50, || {
        qkv.narrow(1, 0, h * hd)?
            .reshape((1, l, h, hd))?
            .transpose(1, 2)?
            .contiguous()
    });
    t("rope_i q", 50, || {
        candle_nn::rotary_emb::rope_i(&q, &cos, &cos)
    });
    t("q * scale", 50, || &q * 0.125);
    t("scores matmul", 20, || qg.matmul(&k.t()?));
    t("mask broadcast_add", 20, || {
        scores.reshape((1, hkv, g, l, l))?.broadcast_add(&mask)
    });
    t("softmax", 20, || candle_nn::ops::softmax_last_dim(&scores));
    t("probs @ v", 20, || probs.matmul(&k));
    t("out reshape/T", 50, || {
        qg.reshape((1, h, l, hd))?
            .transpose(1, 2)?
            .reshape((l, h * hd))
    });
    t("silu(gate)*up", 50, || {
        gu.narrow(1, 0, 1536)?.silu()? * gu.narrow(1, 1536, 1536)?
    });
    t("residual add", 50, || &x + &x);
}
