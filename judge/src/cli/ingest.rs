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
    let mut loaded = records::load_records(&args.input, &RecordLimits::default())?;
    let refuse_strict = |loaded: &records::LoadedRecords| {
        if args.strict && !loaded.rejects.is_empty() {
            anyhow::bail!(
                "{} line(s) rejected and --strict is set: nothing was stored (first: {})",
                loaded.rejects.len(),
                loaded.rejects[0].describe()
            );
        }
        Ok(())
    };
    refuse_strict(&loaded)?;
    let mut store = Store::open(&args.store)?;
    // A line whose id is stored with other content is rejected like an invalid one.
    let conflicts = store.take_conflicts(&mut loaded.records)?;
    let n_conflicts = conflicts.len();
    loaded.rejects.extend(conflicts);
    refuse_strict(&loaded)?;
    if !loaded.rejects.is_empty() {
        let path = super::rejects_path(&args.store);
        records::write_rejects(&path, &loaded.rejects)?;
        eprintln!(
            "{} line(s) rejected, reasons in {}",
            loaded.rejects.len(),
            path.display()
        );
    }
    let ingest = store.ingest_records(&loaded.records)?;
    println!(
        "{} record(s) stored, {} already present, {n_conflicts} rejected for conflicting with \
         the stored version",
        ingest.inserted, ingest.unchanged,
    );
    Ok(ExitCode::SUCCESS)
}
