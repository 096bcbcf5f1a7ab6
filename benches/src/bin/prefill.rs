//! Prefill throughput: tokens per second of one forward pass over a prompt of N tokens, with
//! llama.cpp's figure on the same prompt beside it when llama-cpp-python is installed.
//!
//! `cargo run --release -p benches --bin prefill -- --model smollm2-135m-instruct --tokens 512`

use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use engine::{Device, Model, Tokenizer};

#[derive(Debug, Parser)]
struct Args {
    /// Manifest name, .gguf path or hf: reference.
    #[arg(long, default_value = "smollm2-135m-instruct")]
    model: String,
    #[arg(long, default_value_t = 512)]
    tokens: usize,
    /// Timed repetitions after one warm-up; the median is reported.
    #[arg(long, default_value_t = 5)]
    reps: usize,
    /// Skip the llama.cpp side (benches/llama_cpp_prefill.py).
    #[arg(long)]
    no_peer: bool,
    /// Threads for both tools (candle reads RAYON_NUM_THREADS; 0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        args.threads
    };
    std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
    let path = judge::models::resolve(&args.model)?;
    let device = Device::Cpu;
    let load_start = Instant::now();
    let mut gguf = engine::GgufFile::open(&path)?;
    let model = Model::from_gguf(&mut gguf, &device)?;
    let tokenizer = Tokenizer::from_gguf(&gguf)?;
    let load_s = load_start.elapsed().as_secs_f64();
    let ids = benches::prompt_tokens(&tokenizer, args.tokens)?;

    model.forward(None, &[&ids], false)?; // warm-up
    let mut seconds = Vec::with_capacity(args.reps);
    for _ in 0..args.reps {
        let start = Instant::now();
        let forward = model.forward(None, &[&ids], false)?;
        let logits = model.logits(&forward.hidden)?;
        let _: Vec<f32> = logits.flatten_all()?.to_vec1()?; // waits for the device
        seconds.push(start.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    let median = seconds[seconds.len() / 2];
    let ours = args.tokens as f64 / median;
    println!(
        "judge     {}: {} tokens, median {:.3} s over {} reps, {:.0} tok/s ({} threads, load {:.2} s)",
        args.model, args.tokens, median, args.reps, ours, threads, load_s
    );

    if !args.no_peer {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/llama_cpp_prefill.py");
        let ids_json = serde_json::to_string(&ids)?;
        let output = Command::new("python3")
            .arg(script)
            .arg(&path)
            .arg(threads.to_string())
            .arg(args.reps.to_string())
            .env("PROMPT_IDS", ids_json)
            .output()
            .context("running python3 for the llama.cpp side")?;
        if output.status.success() {
            let peer: f64 = String::from_utf8_lossy(&output.stdout).trim().parse()?;
            println!(
                "llama.cpp {}: {} tokens, {:.0} tok/s; judge/llama.cpp = {:.2}x",
                args.model,
                args.tokens,
                peer,
                ours / peer
            );
        } else {
            println!(
                "llama.cpp: not measured ({})",
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or("failed")
            );
        }
    }
    Ok(())
}
