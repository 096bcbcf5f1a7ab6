//! `judge labels import`: human verdicts from a reviewed export (JSONL or CSV) into the store.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use judge::review::{self, ReviewFormat};
use judge::store::Store;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Read the `label` (pass or fail), `reviewer` and `note` columns of a reviewed file, one
    /// label per (record, rubric); rows without a label are skipped. All or nothing.
    Import(ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The reviewed file, as `judge sample export` wrote it.
    file: PathBuf,
    /// jsonl or csv (default: from the extension, .csv for CSV).
    #[arg(long)]
    format: Option<ReviewFormat>,
    /// Replace a stored label that differs (the old one is kept in the label history);
    /// without it such a row is an error.
    #[arg(long)]
    replace: bool,
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
}

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Import(args) => run_import(args),
    }
}

fn run_import(args: ImportArgs) -> Result<ExitCode> {
    let format = args
        .format
        .unwrap_or_else(|| ReviewFormat::from_path(&args.file));
    let file = review::read_label_file(&args.file, format)?;
    let mut store = Store::open_existing(&args.store)?;
    let import = review::import_labels(&mut store, &file.labels, args.replace)?;
    println!(
        "{} label(s) imported, {} unchanged, {} replaced, {} row(s) without a label; {} queue \
         item(s) marked reviewed; store {}",
        import.inserted,
        import.unchanged,
        import.replaced,
        file.n_unlabelled,
        import.reviewed,
        args.store.display()
    );
    Ok(ExitCode::SUCCESS)
}
