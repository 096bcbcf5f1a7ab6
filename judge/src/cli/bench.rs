//! `judge bench`: the standard throughput workload (`judge::bench`) on the chosen model and
//! device, printed as a Markdown table or JSON.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use engine::DeviceChoice;
use judge::bench::Settings;
use judge::judge_model::JudgeModel;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model: a manifest name, a path to a .gguf file, or hf:OWNER/REPO/FILE.gguf.
    /// The manifest's default model when not given.
    #[arg(long)]
    model: Option<String>,
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
    /// Prompt length of the prefill test.
    #[arg(long, default_value_t = 512)]
    tokens: usize,
    /// Timed repetitions of the prefill test after one warm-up (the median is reported).
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// How many built-in records each scoring test scores against the built-in rubric.
    #[arg(long, default_value_t = 32)]
    records: usize,
    /// Batch sizes of the scoring tests, each run with and without the shared prefix.
    #[arg(long, value_delimiter = ',', default_value = "1,4,16")]
    batch_sizes: Vec<usize>,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let device = engine::select_device(args.device)?;
    let path = judge::models::resolve_or_default(args.model.as_deref())?;
    let start = Instant::now();
    let model = JudgeModel::load(&path, &device)?;
    let load_seconds = start.elapsed().as_secs_f64();
    let settings = Settings {
        prefill_tokens: args.tokens,
        reps: args.reps,
        records: args.records,
        batch_sizes: args.batch_sizes,
    };
    let report = judge::bench::run(&model, load_seconds, &settings)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.markdown());
    }
    Ok(ExitCode::SUCCESS)
}
