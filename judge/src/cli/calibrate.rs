//! `judge calibrate` (a trained judge for one rubric, from labeled records, into the store) and
//! `judge agreement` (cross-validated agreement of every kind of judge with the labels, per
//! judge model, beside a lexical baseline).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use engine::DeviceChoice;
use judge::calibration::{self, Agreement, CvConfig, JudgeAgreement, JudgeKind, LabeledItem};
use judge::judge_model::JudgeModel;
use judge::records::{self, Label, Record, RecordLimits, Source};
use judge::rubrics::{self, Rubric};
use judge::scoring::{self, FeatureDepths, FeatureSpec, Features, PreparedRubric, ScoringConfig};
use judge::store::{JudgeInfo, Store};
use judge::trained::{self, Calibrator, FeatureProbe, NewArtifact, Promotion};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Method {
    /// Logistic regression on the final hidden state and the zero-shot score.
    Probe,
    /// A logistic function of the zero-shot score alone: cheaper, weaker.
    Platt,
}

/// What `calibrate` and `agreement` share: the labeled records and how to cross-validate.
#[derive(Debug, Clone, clap::Args)]
struct LabeledArgs {
    /// The rubric the labels are for.
    #[arg(long)]
    rubric: String,
    /// Labeled records (JSONL in the records format, with `labels`); records without a label
    /// for the rubric are left out.
    #[arg(long, num_args = 1..)]
    labels: Vec<PathBuf>,
    /// Also learn from the human labels imported into this store (`judge labels import`),
    /// with the stored records they label.
    #[arg(long)]
    labels_store: Option<PathBuf>,
    /// Keep the variants of one scenario in one fold: `meta.FIELD` (or `agent`, `role`).
    #[arg(long)]
    group_by: Option<String>,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Seed of the fold assignment and the bootstrap: same seed, same numbers.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Bootstrap resamples for the 95% intervals.
    #[arg(long, default_value_t = 1000)]
    bootstrap: usize,
    #[arg(long, env = "JUDGE_RUBRICS_DIR")]
    rubrics_dir: Option<PathBuf>,
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
    /// Most rows in one forward pass.
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    /// The hidden states the probe reads, layers as fractions of the model's depth:
    /// `final` (the final hidden state at the answer position), `answer@D` (the residual
    /// stream at depth D at the answer position), `mean@D` (at depth D, averaged over the
    /// record's output tokens), `input@D` (at depth D, averaged over its input's tokens),
    /// comma-separated.
    #[arg(long, default_value = "final")]
    features: FeatureDepths,
    /// Also write every labeled item's features (label, group, zero-shot score, hidden
    /// states) as JSON lines to this file, for analysis elsewhere.
    #[arg(long)]
    features_out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    labeled: LabeledArgs,
    /// Model: a manifest name, a path to a .gguf file, or hf:OWNER/REPO/FILE.gguf.
    #[arg(long)]
    model: Option<String>,
    #[arg(long, value_enum, default_value_t = Method::Probe)]
    method: Method,
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
    /// Retire the rubric's trained judge instead: scoring goes back to zero-shot.
    #[arg(long, conflicts_with = "method")]
    retire: bool,
    /// Do nothing when the active judge was trained on exactly these labels with these
    /// settings for this model (what `judge run` passes: it retrains only when labels change).
    #[arg(long)]
    if_changed: bool,
    /// An exported trained judge (`--export`) to use instead of training, when it was
    /// trained on exactly these labels for this model and rubric; otherwise the judge is
    /// trained as usual.
    #[arg(long)]
    import: Option<PathBuf>,
    /// Write the active trained judge to this file afterwards (JSON).
    #[arg(long)]
    export: Option<PathBuf>,
    /// Promote the new judge even when its cross-validated AUC is lower than the active one's.
    #[arg(long)]
    force: bool,
    /// Train from features written by `judge agreement --features-out` with this model
    /// (the same judge fingerprint, and features that hold --features) instead of running the
    /// model over the labels again: the same judge, byte for byte, in seconds.
    #[arg(long, num_args = 1.., conflicts_with_all = ["retire", "import"])]
    features_in: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct AgreementArgs {
    #[command(flatten)]
    labeled: LabeledArgs,
    /// Judge models to compare (several times for a side-by-side table); the default model
    /// when absent.
    #[arg(long)]
    model: Vec<String>,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write the JSON to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Compare the probe on several feature sets (each written like --features) from one
    /// forward pass per record: one table row per variant.
    #[arg(long, num_args = 1..)]
    variants: Vec<FeatureDepths>,
    /// Read the features from files written by --features-out (with the same or another
    /// model run) instead of running a model: every labeled record must be in them.
    #[arg(long, num_args = 1.., conflicts_with = "model")]
    features_in: Vec<PathBuf>,
    /// A labeled set made independently of --labels: every judge is also trained on all of
    /// --labels and scored on these records (transfer, what a user can expect).
    #[arg(long, num_args = 1..)]
    test_labels: Vec<PathBuf>,
}

pub fn run_calibrate(args: CalibrateArgs) -> Result<ExitCode> {
    let library = load_library(&args.labeled)?;
    let rubric = find_rubric(&library, &args.labeled.rubric)?;
    let mut store = Store::open(&args.store)?;
    if args.retire {
        match trained::retire(&mut store, &rubric.id)? {
            Some(artifact) => println!(
                "retired trained judge #{} ({}) for rubric {}: scoring is zero-shot again",
                artifact.id,
                artifact.calibrator.method(),
                rubric.id
            ),
            None => println!("rubric {} has no trained judge", rubric.id),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let labeled = load_labeled(&args.labeled, rubric)?;
    let pairs: Vec<(&Record, Label)> = labeled.iter().map(|l| (&l.record, l.label)).collect();
    let training_set_sha256 = trained::training_set_sha256(&pairs);
    let model_path = judge::models::resolve_or_default(args.model.as_deref())?;
    let device = engine::select_device(args.labeled.device)?;
    let model = JudgeModel::load(&model_path, &device)?;
    let info = model.judge_info()?;
    let spec = match args.method {
        Method::Probe => args.labeled.features.resolve(model.model.config().n_layer),
        Method::Platt => FeatureSpec::default(),
    };
    let method = match args.method {
        Method::Probe => "probe",
        Method::Platt => "platt",
    };

    let current = trained::active(&mut store, &rubric.id)?;
    let up_to_date = current.as_ref().is_some_and(|a| {
        a.is_trained_on(
            rubric,
            &info.fingerprint,
            &training_set_sha256,
            method,
            &spec,
        )
    });
    if args.if_changed && up_to_date {
        let artifact = current.expect("up to date means there is one");
        println!(
            "trained judge #{} for rubric {} is up to date: trained on these {} labels ({}) \
             for judge {}, cross-validated AUC {:.3}",
            artifact.id,
            rubric.id,
            artifact.n_items,
            training_set_sha256.chars().take(12).collect::<String>(),
            info.fingerprint,
            artifact.cross_validated.metrics.auc
        );
        return finish(&mut store, rubric, &info, args.export.as_deref());
    }

    let imported = match &args.import {
        Some(path) if path.exists() => {
            match trained::import(path, rubric, &info, &training_set_sha256) {
                Ok(artifact)
                    if artifact.is_trained_on(
                        rubric,
                        &info.fingerprint,
                        &training_set_sha256,
                        method,
                        &spec,
                    ) =>
                {
                    Some(artifact)
                }
                Ok(_) => {
                    eprintln!(
                        "{}: trained with another method or other features; training anew",
                        path.display()
                    );
                    None
                }
                Err(error) => {
                    eprintln!("{error:#}; training anew");
                    None
                }
            }
        }
        _ => None,
    };
    let (artifact, promotion) = match &imported {
        Some(artifact) => {
            println!(
                "using the trained judge exported to {} (trained on these {} labels)",
                args.import
                    .as_ref()
                    .expect("imported from a file")
                    .display(),
                artifact.n_items
            );
            trained::save(&mut store, trained::as_new(artifact, rubric), args.force)?
        }
        None => {
            let extracted = if args.features_in.is_empty() {
                extract_with(&model, &info, &spec, rubric, &labeled, &args.labeled)?
            } else {
                let cache = read_features(&args.features_in)?;
                if cache.info.fingerprint != info.fingerprint {
                    bail!(
                        "the --features-in files hold features of judge {} ({}), not of this \
                         model's judge {} ({}): write them with --model {}",
                        cache.info.fingerprint,
                        cache.info.model_name,
                        info.fingerprint,
                        info.model_name,
                        info.model_name
                    );
                }
                ensure_holds(&cache.spec, &spec)?;
                Extracted {
                    items: select_features(
                        &cached_items(&cache, &labeled, &args.labeled)?,
                        &cache.spec,
                        &spec,
                    ),
                    items_per_second: None,
                }
            };
            let config = cv_config(&args.labeled);
            let agreement = calibration::agreement(&extracted.items, &config)?;
            let (kind, calibrator) = match args.method {
                Method::Probe => (
                    JudgeKind::Probe,
                    Calibrator::Probe(Box::new(FeatureProbe {
                        probe: calibration::train_probe(&extracted.items, &config)?,
                        features: spec.clone(),
                    })),
                ),
                Method::Platt => (
                    JudgeKind::Platt,
                    Calibrator::Platt(calibration::train_platt(&extracted.items, &config)?),
                ),
            };
            print_agreement_table(&[(info.model_name.as_str(), &agreement, None)]);
            trained::save(
                &mut store,
                NewArtifact {
                    rubric,
                    model_name: &info.model_name,
                    model_sha256: &info.model_sha256,
                    base_fingerprint: &info.fingerprint,
                    training_set_sha256,
                    n_items: agreement.n_items,
                    n_pass: agreement.n_pass,
                    cross_validated: judge_of(&agreement, kind)?.clone(),
                    calibrator,
                },
                args.force,
            )?
        }
    };
    match promotion {
        Promotion::Promoted => println!(
            "trained judge #{} ({}, {}, judge {}) is now active for rubric {} v{}: `judge \
             score` uses it ({})",
            artifact.id,
            artifact.calibrator.method(),
            artifact.calibrator.features().describe(),
            artifact.fingerprint,
            rubric.id,
            rubric.version,
            artifact.promotion.as_deref().unwrap_or("promoted")
        ),
        Promotion::Kept { active } => println!(
            "trained judge #{} for rubric {} is stored but not active: {}; #{active} stays \
             (--force promotes it anyway)",
            artifact.id,
            rubric.id,
            artifact.promotion.as_deref().unwrap_or("not promoted"),
        ),
    }
    finish(&mut store, rubric, &info, args.export.as_deref())
}

/// Checks the rubric's active judge against the model (registering it), and exports it.
fn finish(
    store: &mut Store,
    rubric: &Rubric,
    info: &JudgeInfo,
    export: Option<&std::path::Path>,
) -> Result<ExitCode> {
    let active = trained::for_rubric(store, rubric, info)?;
    if let Some(path) = export {
        let artifact = active.with_context(|| {
            format!("rubric {} has no active trained judge to export", rubric.id)
        })?;
        judge::output::write_atomically(path, trained::export(&artifact)?.as_bytes())?;
        println!(
            "exported trained judge #{} to {}",
            artifact.id,
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_agreement(args: AgreementArgs) -> Result<ExitCode> {
    let library = load_library(&args.labeled)?;
    let rubric = find_rubric(&library, &args.labeled.rubric)?;
    let labeled = load_labeled(&args.labeled, rubric)?;
    let config = cv_config(&args.labeled);
    let references: Vec<Option<&str>> = if args.model.is_empty() {
        vec![None]
    } else {
        args.model.iter().map(|m| Some(m.as_str())).collect()
    };
    let test_labeled = if args.test_labels.is_empty() {
        None
    } else {
        let test_args = LabeledArgs {
            labels: args.test_labels.clone(),
            labels_store: None,
            features_out: None,
            ..args.labeled.clone()
        };
        Some(load_labeled(&test_args, rubric)?)
    };
    let variants = if args.variants.is_empty() {
        vec![args.labeled.features.clone()]
    } else {
        args.variants.clone()
    };
    let cache = if args.features_in.is_empty() {
        None
    } else {
        Some(read_features(&args.features_in)?)
    };
    let mut results = Vec::new();
    for reference in references {
        let (info, n_layer, union, extracted, tested) = match &cache {
            Some(cache) => {
                let union = cache.spec.clone();
                let from_cache = |labeled: &[LabeledRecord]| -> Result<Extracted> {
                    Ok(Extracted {
                        items: cached_items(cache, labeled, &args.labeled)?,
                        items_per_second: None,
                    })
                };
                let tested = test_labeled.as_deref().map(from_cache).transpose()?;
                (
                    cache.info.clone(),
                    cache.n_layer,
                    union,
                    from_cache(&labeled)?,
                    tested,
                )
            }
            None => {
                let model_path = judge::models::resolve_or_default(reference)?;
                let device = engine::select_device(args.labeled.device)?;
                let model = JudgeModel::load(&model_path, &device)?;
                let info = model.judge_info()?;
                let n_layer = model.model.config().n_layer;
                let specs: Vec<FeatureSpec> = variants.iter().map(|v| v.resolve(n_layer)).collect();
                // One forward pass per record serves every variant.
                let union = FeatureSpec::union(&specs);
                let extracted =
                    extract_with(&model, &info, &union, rubric, &labeled, &args.labeled)?;
                let tested = match &test_labeled {
                    None => None,
                    Some(test) => {
                        let test_args = LabeledArgs {
                            features_out: None,
                            ..args.labeled.clone()
                        };
                        Some(extract_with(
                            &model, &info, &union, rubric, test, &test_args,
                        )?)
                    }
                };
                (info, n_layer, union, extracted, tested)
            }
        };
        let specs: Vec<FeatureSpec> = variants.iter().map(|v| v.resolve(n_layer)).collect();
        for spec in &specs {
            ensure_holds(&union, spec)?;
        }
        let mut per_variant = Vec::new();
        for (variant, spec) in variants.iter().zip(&specs) {
            let items = select_features(&extracted.items, &union, spec);
            let agreement = calibration::agreement(&items, &config)?;
            let transfer = match &tested {
                None => None,
                Some(tested) => Some(calibration::transfer(
                    &items,
                    &select_features(&tested.items, &union, spec),
                    &config,
                )?),
            };
            per_variant.push(VariantResult {
                features: variant.to_string(),
                spec: spec.clone(),
                agreement,
                transfer,
            });
        }
        // Features read from files measure no throughput: the JSON says null, the table nothing.
        let rate = extracted.items_per_second;
        results.push((info, per_variant, rate));
        if cache.is_some() {
            break;
        }
    }
    let json = serde_json::json!({
        "rubric": rubric.id,
        "rubric_version": rubric.version,
        "folds": config.folds,
        "seed": config.seed,
        "group_by": args.labeled.group_by,
        "labels": args.labeled.labels,
        "test_labels": args.test_labels,
        "models": results.iter().map(|(info, per_variant, rate)| serde_json::json!({
            "model": info.model_name,
            "judge": info.fingerprint,
            "items_per_second": rate,
            "features": per_variant[0].features,
            "agreement": per_variant[0].agreement,
            "transfer": per_variant[0].transfer,
            "variants": per_variant,
        })).collect::<Vec<_>>(),
    });
    if let Some(out) = &args.out {
        judge::output::write_atomically(out, serde_json::to_string_pretty(&json)?.as_bytes())?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(ExitCode::SUCCESS);
    }
    for (info, per_variant, rate) in &results {
        for variant in per_variant {
            let name = format!("{} [{}]", info.model_name, variant.spec.describe());
            print_agreement_table(&[(name.as_str(), &variant.agreement, *rate)]);
            if let Some(transfer) = &variant.transfer {
                println!(
                    "{name}: trained on all of {}, scored on {} (transfer):",
                    paths(&args.labeled.labels),
                    paths(&args.test_labels)
                );
                print_agreement_table(&[(name.as_str(), transfer, None)]);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One feature set's agreement (and transfer) under one judge model.
#[derive(serde::Serialize)]
struct VariantResult {
    features: String,
    spec: FeatureSpec,
    agreement: Agreement,
    transfer: Option<Agreement>,
}

/// The items with only the hidden states `spec` names, out of features extracted for `union`.
fn select_features(
    items: &[LabeledItem],
    union: &FeatureSpec,
    spec: &FeatureSpec,
) -> Vec<LabeledItem> {
    items
        .iter()
        .map(|item| LabeledItem {
            hidden: union
                .select(spec, &item.hidden)
                .expect("the union holds every variant's blocks"),
            ..item.clone()
        })
        .collect()
}

/// A record with its label for the rubric, and where it was read.
struct LabeledRecord {
    record: Record,
    source: Source,
    label: Label,
}

/// The features of the labeled records under one judge model.
struct Extracted {
    items: Vec<LabeledItem>,
    /// Scoring throughput on this machine, model load excluded; none when the features were
    /// read from files (nothing was measured).
    items_per_second: Option<f64>,
}

fn load_library(args: &LabeledArgs) -> Result<Vec<Rubric>> {
    rubrics::load_library(
        &args
            .rubrics_dir
            .clone()
            .unwrap_or_else(rubrics::default_rubrics_dir),
    )
}

fn find_rubric<'a>(library: &'a [Rubric], id: &str) -> Result<&'a Rubric> {
    library.iter().find(|r| r.id == id).with_context(|| {
        format!(
            "unknown rubric `{id}`; the library has: {}",
            library
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// The records labeled for `rubric`; any rejected line is an error (training data must be
/// whole), and so is a record the rubric does not apply to.
fn load_labeled(args: &LabeledArgs, rubric: &Rubric) -> Result<Vec<LabeledRecord>> {
    if args.labels.is_empty() && args.labels_store.is_none() {
        bail!("give --labels FILE... or --labels-store STORE: the labeled records to learn from");
    }
    let loaded = records::load_records(&args.labels, &RecordLimits::default())?;
    if let Some(reject) = loaded.rejects.first() {
        bail!(
            "{} labeled line(s) rejected; training data must be whole (first: {})",
            loaded.rejects.len(),
            reject.describe()
        );
    }
    let mut labeled = Vec::new();
    for (source, record) in loaded.records {
        let Some(&label) = record.labels.get(&rubric.id) else {
            continue;
        };
        if !rubric.applies_to(&record.role) {
            bail!(
                "{}:{}: field `role`: record {} is labeled for rubric {}, which does not apply \
                 to role `{}`",
                source.file.display(),
                source.line,
                record.id,
                rubric.id,
                record.role
            );
        }
        labeled.push(LabeledRecord {
            record,
            source,
            label,
        });
    }
    if let Some(path) = &args.labels_store {
        add_stored_labels(path, rubric, &mut labeled)?;
    }
    if labeled.is_empty() {
        bail!(
            "no record in {} has a label for rubric {} (`\"labels\": {{\"{}\": \"pass\"}}`)",
            args.labels
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            rubric.id,
            rubric.id
        );
    }
    Ok(labeled)
}

/// Adds the human labels of `rubric` imported into the store at `path`, with the records they
/// label; a record labeled in a file too must carry the same label there.
fn add_stored_labels(
    path: &std::path::Path,
    rubric: &Rubric,
    labeled: &mut Vec<LabeledRecord>,
) -> Result<()> {
    if !path.exists() {
        bail!("store {} does not exist", path.display());
    }
    let mut store = Store::open(path)?;
    for stored in judge::review::labels(&mut store)? {
        if stored.rubric_id != rubric.id {
            continue;
        }
        if let Some(other) = labeled.iter().find(|l| l.record.id == stored.record_id) {
            if other.label != stored.label {
                bail!(
                    "record {} is labeled {:?} at {}:{} but {:?} in store {} (imported from \
                     {}:{}): settle the label first",
                    stored.record_id,
                    other.label,
                    other.source.file.display(),
                    other.source.line,
                    stored.label,
                    path.display(),
                    stored.source_file,
                    stored.source_line
                );
            }
            continue;
        }
        let mut record = store.record(&stored.record_id)?.with_context(|| {
            format!(
                "store {}: label of record {} without the record",
                path.display(),
                stored.record_id
            )
        })?;
        if !rubric.applies_to(&record.role) {
            continue;
        }
        record.labels.insert(rubric.id.clone(), stored.label);
        labeled.push(LabeledRecord {
            record,
            source: Source {
                file: PathBuf::from(&stored.source_file),
                line: stored.source_line,
            },
            label: stored.label,
        });
    }
    Ok(())
}

/// Scores the labeled records zero-shot with a loaded model, keeping each one's features
/// (those `spec` names).
fn extract_with(
    model: &JudgeModel,
    info: &JudgeInfo,
    spec: &FeatureSpec,
    rubric: &Rubric,
    labeled: &[LabeledRecord],
    args: &LabeledArgs,
) -> Result<Extracted> {
    let prepared = PreparedRubric::new(model, rubric)?;
    let records: Vec<&Record> = labeled.iter().map(|l| &l.record).collect();
    let config = ScoringConfig {
        max_batch_rows: args.batch_size.max(1),
        features: spec.clone(),
        ..ScoringConfig::default()
    };
    let started = Instant::now();
    let mut features: BTreeMap<String, Features> = BTreeMap::new();
    let mut too_long = Vec::new();
    scoring::score_rubric(model, &prepared, &records, &config, |batch| {
        for scored in batch {
            match &scored.features {
                Some(f) => {
                    features.insert(scored.record_id.clone(), f.clone());
                }
                None => too_long.push(scored.record_id.clone()),
            }
        }
        eprintln!(
            "{}: {}/{} labeled records scored",
            info.model_name,
            features.len() + too_long.len(),
            records.len()
        );
        Ok(())
    })?;
    let items_per_second = records.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);
    if let Some(id) = too_long.first() {
        let source = &labeled.iter().find(|l| &l.record.id == id).unwrap().source;
        bail!(
            "{}:{}: record {id} does not fit the context of model {} and cannot be used for \
             training ({} such record(s))",
            source.file.display(),
            source.line,
            info.model_name,
            too_long.len()
        );
    }
    let items = labeled
        .iter()
        .map(|l| {
            let f = features
                .remove(&l.record.id)
                .expect("every record was scored");
            Ok(LabeledItem {
                label: l.label == Label::Pass,
                group: group_of(l, args.group_by.as_deref())?,
                text: format!("{}\n{}", l.record.input, l.record.output),
                zero_shot: f.zero_shot,
                hidden: f.hidden,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some(path) = &args.features_out {
        write_features(
            path,
            labeled,
            &items,
            spec,
            info,
            model.model.config().n_layer,
        )?;
    }
    Ok(Extracted {
        items,
        items_per_second: Some(items_per_second),
    })
}

/// One JSON line per item: its record id, label, group, zero-shot score and hidden states,
/// with the spec that says what the hidden states are.
fn write_features(
    path: &std::path::Path,
    labeled: &[LabeledRecord],
    items: &[LabeledItem],
    spec: &FeatureSpec,
    info: &JudgeInfo,
    n_layer: usize,
) -> Result<()> {
    let mut text = String::new();
    for (l, item) in labeled.iter().zip(items) {
        let line = serde_json::json!({
            "model": info.model_name,
            "judge": info.fingerprint,
            "n_layer": n_layer,
            "id": l.record.id,
            "label": item.label,
            "group": item.group,
            "zero_shot": item.zero_shot,
            "spec": spec,
            "hidden": item.hidden,
        });
        text.push_str(&line.to_string());
        text.push('\n');
    }
    judge::output::write_atomically(path, text.as_bytes())
}

/// Features read back from `--features-out` files.
struct FeatureCache {
    info: JudgeInfo,
    n_layer: usize,
    spec: FeatureSpec,
    /// Record id to its zero-shot score and hidden states.
    items: BTreeMap<String, (f64, Vec<f32>)>,
}

#[derive(serde::Deserialize)]
struct CachedLine {
    model: String,
    judge: String,
    n_layer: usize,
    id: String,
    zero_shot: f64,
    spec: FeatureSpec,
    hidden: Vec<f32>,
}

/// Reads feature files; every line must come from one judge and one feature spec.
fn read_features(paths: &[PathBuf]) -> Result<FeatureCache> {
    let mut cache: Option<FeatureCache> = None;
    for path in paths {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        for (index, line) in text.lines().enumerate() {
            let at = || format!("{}:{}", path.display(), index + 1);
            let cached: CachedLine = serde_json::from_str(line)
                .with_context(|| format!("{}: not a line of --features-out", at()))?;
            let cache = cache.get_or_insert_with(|| FeatureCache {
                info: JudgeInfo {
                    fingerprint: cached.judge.clone(),
                    model_name: cached.model.clone(),
                    model_sha256: String::new(),
                    template_sha256: String::new(),
                    engine_version: String::new(),
                },
                n_layer: cached.n_layer,
                spec: cached.spec.clone(),
                items: BTreeMap::new(),
            });
            if cached.judge != cache.info.fingerprint || cached.spec != cache.spec {
                bail!(
                    "{}: field `judge`/`spec`: features of judge {} ({}), the first line's are of \
                     judge {} ({}): one judge and one feature spec per run",
                    at(),
                    cached.judge,
                    cached.spec.describe(),
                    cache.info.fingerprint,
                    cache.spec.describe()
                );
            }
            cache
                .items
                .insert(cached.id, (cached.zero_shot, cached.hidden));
        }
    }
    cache.context("the --features-in files are empty")
}

/// Refuses features that do not hold the blocks `spec` asks for.
fn ensure_holds(cached: &FeatureSpec, spec: &FeatureSpec) -> Result<()> {
    if !cached.contains(spec) {
        bail!(
            "the cached features ({}) do not hold {}",
            cached.describe(),
            spec.describe()
        );
    }
    Ok(())
}

/// The labeled items with their cached features; a record the cache lacks is an error.
fn cached_items(
    cache: &FeatureCache,
    labeled: &[LabeledRecord],
    args: &LabeledArgs,
) -> Result<Vec<LabeledItem>> {
    labeled
        .iter()
        .map(|l| {
            let (zero_shot, hidden) = cache.items.get(&l.record.id).with_context(|| {
                format!(
                    "{}:{}: record {} has no cached features in the --features-in files",
                    l.source.file.display(),
                    l.source.line,
                    l.record.id
                )
            })?;
            Ok(LabeledItem {
                label: l.label == Label::Pass,
                group: group_of(l, args.group_by.as_deref())?,
                text: format!("{}\n{}", l.record.input, l.record.output),
                zero_shot: *zero_shot,
                hidden: hidden.clone(),
            })
        })
        .collect()
}

/// The cross-validation group of a labeled record: its own id unless `--group-by` names a
/// field, which every record must then have.
fn group_of(labeled: &LabeledRecord, group_by: Option<&str>) -> Result<String> {
    let record = &labeled.record;
    let Some(field) = group_by else {
        return Ok(record.id.clone());
    };
    let value = match field {
        "agent" => Some(record.agent.clone()),
        "role" => Some(record.role.clone()),
        _ => {
            let Some(key) = field.strip_prefix("meta.") else {
                bail!("--group-by {field}: expected meta.FIELD, agent or role");
            };
            record.meta.get(key).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        }
    };
    value.with_context(|| {
        format!(
            "{}:{}: field `{field}`: record {} has no value to group by",
            labeled.source.file.display(),
            labeled.source.line,
            record.id
        )
    })
}

fn cv_config(args: &LabeledArgs) -> CvConfig {
    CvConfig {
        folds: args.folds,
        seed: args.seed,
        n_bootstrap: args.bootstrap,
        ..CvConfig::default()
    }
}

fn judge_of(agreement: &Agreement, kind: JudgeKind) -> Result<&JudgeAgreement> {
    agreement
        .judges
        .iter()
        .find(|j| j.kind == kind)
        .with_context(|| format!("the agreement has no {kind:?} judge"))
}

/// One block per model: each kind of judge with its metrics and 95% intervals, then the
/// confusion matrices.
fn print_agreement_table(rows: &[(&str, &Agreement, Option<f64>)]) {
    for (model, agreement, rate) in rows {
        let how = if agreement.folds == 0 {
            "scored by judges trained on the other set".to_string()
        } else {
            format!("{}-fold cross-validation", agreement.folds)
        };
        println!(
            "{model}: {} labeled items ({} pass) in {} groups, {how}, seed {}{}",
            agreement.n_items,
            agreement.n_pass,
            agreement.n_groups,
            agreement.seed,
            rate.map(|r| format!(", {r:.2} items/s"))
                .unwrap_or_default()
        );
        println!(
            "  {:<10} {:>20} {:>20} {:>20} {:>20} {:>20} {:>20}",
            "judge", "accuracy", "balanced acc", "kappa", "AUC", "Brier", "ECE"
        );
        for j in &agreement.judges {
            let m = &j.metrics;
            let i = &j.intervals;
            let cell = |value: f64, interval: &calibration::Interval| {
                format!("{value:.3} [{:.3},{:.3}]", interval.low, interval.high)
            };
            println!(
                "  {:<10} {:>20} {:>20} {:>20} {:>20} {:>20} {:>20}",
                kind_name(j.kind),
                cell(m.accuracy, &i.accuracy),
                cell(m.balanced_accuracy, &i.balanced_accuracy),
                cell(m.kappa, &i.kappa),
                cell(m.auc, &i.auc),
                cell(m.brier, &i.brier),
                cell(m.ece, &i.ece),
            );
        }
        for j in &agreement.judges {
            let c = &j.confusion;
            println!(
                "  {:<10} at {:.2}: labeled pass -> judged pass {} / fail {}; labeled fail -> \
                 judged pass {} / fail {}",
                kind_name(j.kind),
                c.threshold,
                c.true_pass,
                c.false_fail,
                c.false_pass,
                c.true_fail
            );
        }
    }
}

fn kind_name(kind: JudgeKind) -> &'static str {
    match kind {
        JudgeKind::ZeroShot => "zero-shot",
        JudgeKind::Platt => "platt",
        JudgeKind::Probe => "probe",
        JudgeKind::Lexical => "tf-idf",
    }
}
