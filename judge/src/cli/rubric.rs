//! `judge rubric list|check|show`: the rubric library, its validation, and the exact prompt a
//! record becomes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use engine::DeviceChoice;
use judge::judge_model::JudgeModel;
use judge::records::{self, RecordLimits};
use judge::rubrics::{self, Rubric};
use judge::scoring::PreparedRubric;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The rubrics of the library: id, version, roles, title.
    List {
        #[arg(long, env = "JUDGE_RUBRICS_DIR")]
        rubrics_dir: Option<PathBuf>,
    },
    /// Validate rubric files (the whole library when none is given), and that their verdict
    /// words are single tokens of the model.
    Check {
        files: Vec<PathBuf>,
        #[arg(long, env = "JUDGE_RUBRICS_DIR")]
        rubrics_dir: Option<PathBuf>,
        #[arg(long)]
        model: Option<String>,
        /// Also check that no rubric was edited since this store scored with its version.
        #[arg(long)]
        store: Option<PathBuf>,
    },
    /// Print the exact prompt text the model sees for one record.
    Show {
        id: String,
        /// FILE:LINE of the record (1-based line).
        #[arg(long)]
        record: String,
        #[arg(long, env = "JUDGE_RUBRICS_DIR")]
        rubrics_dir: Option<PathBuf>,
        #[arg(long)]
        model: Option<String>,
        /// Also print the token count and where the shared prefix ends.
        #[arg(long)]
        tokens: bool,
    },
}

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::List { rubrics_dir } => {
            for rubric in library(rubrics_dir)? {
                println!(
                    "{:<30} v{:<3} {:<20} {}",
                    rubric.id,
                    rubric.version,
                    rubric.roles.join(","),
                    rubric.title
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            files,
            rubrics_dir,
            model,
            store,
        } => {
            let rubrics = if files.is_empty() {
                library(rubrics_dir)?
            } else {
                files
                    .iter()
                    .map(|f| rubrics::load_rubric(f))
                    .collect::<Result<Vec<_>>>()?
            };
            let store = match store {
                Some(path) if !path.is_file() => bail!("store {} does not exist", path.display()),
                Some(path) => Some(judge::store::Store::open(&path)?),
                None => None,
            };
            let model = load_model(model.as_deref())?;
            for rubric in &rubrics {
                PreparedRubric::new(&model, rubric)?;
                if let Some(store) = &store {
                    store.check_rubric_pin(rubric)?;
                }
                println!(
                    "ok  {} v{} ({})",
                    rubric.id,
                    rubric.version,
                    rubric.path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show {
            id,
            record,
            rubrics_dir,
            model,
            tokens,
        } => {
            let rubrics = library(rubrics_dir)?;
            let rubric = rubrics
                .iter()
                .find(|r| r.id == id)
                .with_context(|| format!("no rubric `{id}` in the library"))?;
            let (file, line) = record
                .rsplit_once(':')
                .and_then(|(f, l)| Some((PathBuf::from(f), l.parse::<usize>().ok()?)))
                .with_context(|| format!("--record `{record}` is not FILE:LINE"))?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let Some(raw) = text
                .lines()
                .nth(line.saturating_sub(1))
                .filter(|_| line > 0)
            else {
                bail!("{} has no line {line}", file.display());
            };
            let record = records::parse_record_line(raw, &RecordLimits::default())
                .map_err(|err| anyhow::anyhow!("{}:{line}: {}", file.display(), err))?;
            let model = load_model(model.as_deref())?;
            let prepared = PreparedRubric::new(&model, rubric)?;
            let prompt = prepared.prompt(&model, &record)?;
            print!("{}", prompt.text);
            if tokens {
                eprintln!(
                    "\n[{} tokens: {} shared by every record of this rubric, {} for this record]",
                    prepared.prefix_tokens().len() + prompt.row_tokens.len(),
                    prepared.prefix_tokens().len(),
                    prompt.row_tokens.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn library(dir: Option<PathBuf>) -> Result<Vec<Rubric>> {
    rubrics::load_library(&dir.unwrap_or_else(rubrics::default_rubrics_dir))
}

fn load_model(reference: Option<&str>) -> Result<JudgeModel> {
    let path = judge::models::resolve_or_default(reference)?;
    JudgeModel::load(&path, &engine::select_device(DeviceChoice::Cpu)?)
}
