//! `judge ingest`: validated records into the store, without scoring them (drift on
//! escalations needs records only).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use judge::records::{self, RecordLimits};
use judge::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Records (JSONL, one agent output a line).
    #[arg(long, required = true, num_args = 1..)]
    input: Vec<PathBuf>,
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
    /// Abort before storing anything when any line is rejected.
    #[arg(long)]
    strict: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = records::load_records(&args.input, &RecordLimits::default())?;
    if !loaded.rejects.is_empty() {
        if args.strict {
            anyhow::bail!(
                "{} line(s) rejected and --strict is set: nothing was stored (first: {})",
                loaded.rejects.len(),
                loaded.rejects[0].describe()
            );
        }
        let path = super::rejects_path(&args.store);
        records::write_rejects(&path, &loaded.rejects)?;
        eprintln!(
            "{} line(s) rejected, reasons in {}",
            loaded.rejects.len(),
            path.display()
        );
    }
    let mut store = Store::open(&args.store)?;
    let ingest = store.ingest_records(&loaded.records)?;
    println!(
        "{} record(s) stored, {} already present, {} conflicting with the stored version",
        ingest.inserted,
        ingest.unchanged,
        ingest.conflicts.len()
    );
    Ok(ExitCode::SUCCESS)
}
