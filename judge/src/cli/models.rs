//! `judge models list|fetch|verify`: the model cache as a user sees it.

use std::process::ExitCode;

use anyhow::Result;
use judge::models::{self, Manifest};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Known models: name, architecture, size, whether present, and where.
    List,
    /// Download, assemble and verify a model (the default one when no name is given).
    Fetch {
        /// A manifest name; `judge models list` shows them.
        name: Option<String>,
        /// Fetch every model of the manifest.
        #[arg(long, conflicts_with = "name")]
        all: bool,
    },
    /// Check the sha256 and size of every model file present in the cache.
    Verify,
}

pub fn run(command: Command) -> Result<ExitCode> {
    let manifest = Manifest::embedded()?;
    let cache_dir = models::cache_dir();
    match command {
        Command::List => {
            println!(
                "{:<30} {:<7} {:>9}  {:<8} path",
                "name", "arch", "size", "present"
            );
            for entry in models::list(&manifest, &cache_dir) {
                let size = entry
                    .size_bytes
                    .map(models::human_size)
                    .unwrap_or_else(|| "?".into());
                let name = if entry.default {
                    format!("{} (default)", entry.name)
                } else {
                    entry.name.clone()
                };
                println!(
                    "{:<30} {:<7} {:>9}  {:<8} {}",
                    name,
                    entry.architecture,
                    size,
                    if entry.present { "yes" } else { "no" },
                    entry.path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Fetch { name, all } => {
            let specs: Vec<_> = if all {
                manifest.models.iter().collect()
            } else {
                match &name {
                    Some(name) => vec![manifest.model(name)?],
                    None => vec![manifest.default_model()],
                }
            };
            for spec in specs {
                let outcome = models::fetch(spec, &cache_dir, |line| eprintln!("{line}"))?;
                match outcome {
                    models::FetchOutcome::AlreadyPresent(path) => {
                        println!("{}: already present at {}", spec.name, path.display())
                    }
                    models::FetchOutcome::Assembled(path) => {
                        println!("{}: fetched and verified, {}", spec.name, path.display())
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify => {
            let mut all_ok = true;
            for check in models::verify(&manifest, &cache_dir) {
                let absent = matches!(check.health, models::Health::Absent);
                all_ok &= absent || check.health.is_ok();
                println!("{:<30} {}", check.name, check.health);
            }
            Ok(if all_ok {
                ExitCode::SUCCESS
            } else {
                super::EXIT_ERROR
            })
        }
    }
}
