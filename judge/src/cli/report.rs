//! `judge report`: the report on one period (the store's latest by default) as one
//! self-contained HTML page, Markdown or JSON, to a file or standard output. It reads the
//! store only: alarms are raised by `judge drift` and decisions recorded by `judge decide`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use judge::config::DriftSettings;
use judge::report::{self, Format};
use judge::store::Store;
use judge::streams::DriftConfig;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The period to report on: an ISO week (2026-W43), a month (2026-10) or a day
    /// (2026-10-19) [default: the latest period in the store].
    #[arg(long)]
    period: Option<String>,
    #[arg(long, value_enum, default_value_t = FormatArg::Html)]
    format: FormatArg,
    /// Write the report to this file (atomically) instead of standard output; `{period}` in
    /// the name becomes the period reported on, e.g. `out/report-{period}.html`.
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
    /// Settings file (its `[drift]` table designs the charts, as for `judge drift`).
    #[arg(long, default_value = "judge.toml")]
    config: PathBuf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Html,
    Md,
    Json,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if !args.store.exists() {
        bail!(
            "store {} does not exist: score or ingest records first",
            args.store.display()
        );
    }
    let settings = if args.config.exists() {
        judge::config::load_config(&args.config)?.drift
    } else {
        DriftSettings::default()
    };
    let config = DriftConfig::from_settings(&settings, &DriftSettings::default());
    let mut store = Store::open_read_only(&args.store)?;
    let data = report::gather(&mut store, &config, args.period.as_deref())?;
    let format = match args.format {
        FormatArg::Html => Format::Html,
        FormatArg::Md => Format::Markdown,
        FormatArg::Json => Format::Json,
    };
    match &args.out {
        Some(path) => {
            let path = PathBuf::from(path.to_string_lossy().replace("{period}", &data.period));
            report::write(&data, format, &path)?;
            eprintln!(
                "report on {} written to {} ({} open alarms, {} undocumented items)",
                data.period,
                path.display(),
                data.summary.open_alarms,
                data.summary.undocumented
            );
        }
        None => print!("{}", report::render(&data, format)?),
    }
    Ok(ExitCode::SUCCESS)
}
