//! `judge canary`: re-scores each rubric's frozen canary set with the current judge (its
//! trained judge when it has one) and stores the agreement; `judge drift` charts it as the
//! stream `canary/ID`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use engine::DeviceChoice;
use judge::canary::{self, Check};
use judge::judge_model::JudgeModel;
use judge::rubrics;
use judge::scoring::{PreparedRubric, ScoringConfig};
use judge::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these rubrics (ids); default every rubric that has a canary file.
    #[arg(long)]
    rubric: Vec<String>,
    #[arg(long, env = "JUDGE_RUBRICS_DIR")]
    rubrics_dir: Option<PathBuf>,
    #[arg(long)]
    model: Option<String>,
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let dir = args
        .rubrics_dir
        .clone()
        .unwrap_or_else(rubrics::default_rubrics_dir);
    let library = rubrics::load_library(&dir)?;
    for id in &args.rubric {
        if !library.iter().any(|r| &r.id == id) {
            anyhow::bail!("unknown rubric `{id}`");
        }
    }
    let with_canary: Vec<_> = library
        .iter()
        .filter(|r| args.rubric.is_empty() || args.rubric.contains(&r.id))
        .filter(|r| canary::canary_path(&dir, &r.id).is_file())
        .collect();
    if with_canary.is_empty() {
        println!(
            "no canary set for the selected rubrics (looked for {})",
            canary::canary_path(&dir, "ID").display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    // The canary checks may be the first thing a new deployment stores, so the store may be
    // created here, but never silently: a run in the wrong folder shows at once.
    let existed = args.store.is_file();
    let mut store = Store::open(&args.store)?;
    if !existed {
        eprintln!(
            "created store {} for the canary checks (give --store to use another)",
            args.store.display()
        );
    }
    let device = engine::select_device(args.device)?;
    let model = JudgeModel::load(
        &judge::models::resolve_or_default(args.model.as_deref())?,
        &device,
    )?;
    let base = model.judge_info()?;
    store.register_judge(&base)?;
    for rubric in with_canary {
        let (records, canary_sha256) =
            canary::load(&canary::canary_path(&dir, &rubric.id), &rubric.id)?;
        store.pin_rubric(rubric)?;
        let trained = judge::trained::for_rubric(&mut store, rubric, &base)?;
        let prepared = PreparedRubric::new(&model, rubric)?;
        let refs: Vec<_> = records.iter().collect();
        let mut verdicts = BTreeMap::new();
        judge::trained::score_rubric(
            &model,
            &prepared,
            &refs,
            &ScoringConfig::default(),
            trained.as_ref(),
            |batch| {
                for scored in batch {
                    if let Some(verdict) = scored.verdict(rubric.threshold) {
                        verdicts.insert(scored.record_id.clone(), verdict);
                    }
                }
                Ok(())
            },
        )?;
        let (n_items, n_agree) = canary::tally(&records, &rubric.id, &verdicts);
        let check = Check {
            rubric_id: rubric.id.clone(),
            rubric_version: rubric.version,
            fingerprint: trained
                .as_ref()
                .map(|a| a.fingerprint.clone())
                .unwrap_or_else(|| base.fingerprint.clone()),
            canary_sha256,
            n_items,
            n_agree,
        };
        canary::record_check(&mut store, &check)?;
        println!(
            "canary/{}: {n_agree}/{n_items} verdicts agree with the labels ({:.1}%), judge {}",
            rubric.id,
            100.0 * n_agree as f64 / n_items.max(1) as f64,
            check.fingerprint
        );
    }
    Ok(ExitCode::SUCCESS)
}
