//! `judge sample`: a deterministic, optionally stratified sample of the stored records into the
//! review queue; `judge sample export`: the queue as JSONL or CSV for human review.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use judge::review::{self, ReviewFormat};
use judge::rubrics;
use judge::sampling::{self, SamplePeriod, SampleSpec, Stratify, DEFAULT_SEED};
use judge::store::Store;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    draw: DrawArgs,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Write the review queue for reviewers: one row per queued (record, rubric) pair with the
    /// judge's score and empty label, reviewer and note columns.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
struct DrawArgs {
    /// The fraction of records to sample, in [0, 1]: without strata a record is taken when its
    /// hash draw (SHA-256 of the seed and its id) is below it, so a higher rate only adds
    /// records.
    #[arg(long, required = true)]
    rate: Option<f64>,
    /// Only records in this period: an ISO week (2026-W47), a day (2026-11-20) or a month
    /// (2026-11), in UTC.
    #[arg(long)]
    period: Option<String>,
    /// Sample each stratum separately, taking ceil(rate x its size) records: `role` or
    /// `meta.FIELD`.
    #[arg(long)]
    stratify: Option<String>,
    /// Another seed draws another sample; the same seed the same sample on every machine.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
}

#[derive(Debug, clap::Args)]
struct ExportArgs {
    /// The file to write.
    #[arg(long)]
    out: PathBuf,
    /// jsonl or csv (default: from the extension of --out, .csv for CSV).
    #[arg(long)]
    format: Option<ReviewFormat>,
    /// Also export queued records already reviewed (their labels filled in).
    #[arg(long)]
    include_reviewed: bool,
    /// The rubric library folder: which rubrics apply to a queued record.
    #[arg(long, env = "JUDGE_RUBRICS_DIR")]
    rubrics_dir: Option<PathBuf>,
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        Some(Command::Export(export)) => run_export(export),
        None => run_draw(args.draw),
    }
}

fn run_draw(args: DrawArgs) -> Result<ExitCode> {
    let spec = SampleSpec {
        rate: args
            .rate
            .expect("clap requires --rate without a subcommand"),
        seed: args.seed,
        stratify: args.stratify.as_deref().map(Stratify::parse).transpose()?,
        period: args
            .period
            .as_deref()
            .map(SamplePeriod::parse)
            .transpose()?,
    };
    sampling::check_rate(spec.rate)?;
    let mut store = Store::open_existing(&args.store)?;
    let records = store.records()?;
    let draw = sampling::draw(&records, &spec)?;
    let enqueued = review::enqueue_sample(&mut store, &spec, &draw)?;
    let mut how = format!("rate {}, seed {}", spec.rate, spec.seed);
    if let Some(stratify) = &spec.stratify {
        how.push_str(&format!(", stratified by {}", stratify.name()));
    }
    if let Some(period) = &spec.period {
        how.push_str(&format!(", period {}", period.label));
    }
    println!(
        "sampled {} of {} record(s) ({how}): {} added to the review queue, {} already queued; \
         store {}",
        draw.drawn.len(),
        draw.n_candidates,
        enqueued.added,
        enqueued.already_queued,
        args.store.display()
    );
    if spec.stratify.is_some() {
        for (stratum, (n, taken)) in &draw.strata {
            println!("  {stratum:<30} {taken:>6} of {n:>6}");
        }
    }
    if draw.n_candidates == 0 {
        eprintln!("no record of the store is in the sampled period");
    }
    Ok(ExitCode::SUCCESS)
}

fn run_export(args: ExportArgs) -> Result<ExitCode> {
    let format = args
        .format
        .unwrap_or_else(|| ReviewFormat::from_path(&args.out));
    let library = rubrics::load_library(
        &args
            .rubrics_dir
            .clone()
            .unwrap_or_else(rubrics::default_rubrics_dir),
    )?;
    let mut store = Store::open_existing(&args.store)?;
    let rows = review::export_rows(&mut store, &library, args.include_reviewed)?;
    review::write_export(&args.out, &rows, format)?;
    let records: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.record_id.as_str()).collect();
    println!(
        "wrote {} row(s) for {} queued record(s) to {}",
        rows.len(),
        records.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
