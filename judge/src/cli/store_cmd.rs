//! `judge store merge`: the stores of sharded runs combined into one, without duplicates.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use judge::merge;
use judge::store::Store;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Copy records, judges, scores, runs, labels and review queue of each input store into
    /// OUT (created when missing); identical rows are skipped, conflicting ones are an error.
    Merge(MergeArgs),
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The store to merge into.
    #[arg(long)]
    into: PathBuf,
    /// The stores to merge, each in one transaction.
    #[arg(required = true, num_args = 1..)]
    inputs: Vec<PathBuf>,
}

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Merge(args) => run_merge(args),
    }
}

fn run_merge(args: MergeArgs) -> Result<ExitCode> {
    // Every input must exist before the output is created: a typo should not leave an empty
    // store behind.
    for input in &args.inputs {
        if !input.is_file() {
            anyhow::bail!("store {} does not exist", input.display());
        }
    }
    let mut store = Store::open(&args.into)?;
    for input in &args.inputs {
        let counts = merge::merge_store(&mut store, input)?;
        println!(
            "{}: {} record(s) added ({} already present), {} score(s) added ({} already \
             present), {} judge(s), {} run(s), {} label(s), {} queue item(s) added",
            input.display(),
            counts.records_added,
            counts.records_present,
            counts.scores_added,
            counts.scores_present,
            counts.judges_added,
            counts.runs_added,
            counts.labels_added,
            counts.queue_added
        );
    }
    println!(
        "merged {} store(s) into {}",
        args.inputs.len(),
        args.into.display()
    );
    Ok(ExitCode::SUCCESS)
}
