//! `judge decide` and `judge ledger export|verify|gaps`: human decisions appended to the
//! store's hash-chained ledger, the ledger as JSONL, its verification, and the decisions still
//! owed. The entry format is documented in `judge::ledger`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use judge::ledger::{self, ChainError, Decision, Position, StoredEntry, Subject};
use judge::store::Store;

/// Record a human decision on an alarm, a record's verdict or a suite run in the ledger.
#[derive(Debug, clap::Args)]
#[command(group(
    clap::ArgGroup::new("subject")
        .required(true)
        .args(["alarm", "record", "suite_run"])
))]
pub struct DecideArgs {
    /// The open drift alarm decided on (its id in `judge drift --format json` or `judge ledger
    /// gaps`); the decision acknowledges it.
    #[arg(long)]
    alarm: Option<i64>,
    /// The record decided on.
    #[arg(long)]
    record: Option<String>,
    /// With --record: the rubric whose verdict the decision is about (the record must have a
    /// score under it); without, the decision covers the record under every rubric.
    // Not `requires = "record"`: clap takes any member of the subject group as meeting it
    // (clap-rs/clap#4707), so `judge::ledger` refuses the wrong subject itself.
    #[arg(long)]
    rubric: Option<String>,
    /// The suite run decided on, taken as given (suite runs are not stored yet).
    #[arg(long)]
    suite_run: Option<String>,
    #[arg(long, value_enum)]
    position: PositionArg,
    /// Why: the reason is kept in the ledger for good, so make it readable later.
    #[arg(long)]
    reason: String,
    /// Who decides [default: $USER; without either the decision is refused].
    #[arg(long)]
    by: Option<String>,
    /// With --alarm: the stream changed for good and should start a new burn-in. Recorded in
    /// the entry; `judge drift` does not act on it yet.
    #[arg(long)]
    rebaseline: bool,
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PositionArg {
    /// The behavior is as intended.
    Accepted,
    /// The behavior is a problem that needs work.
    Flagged,
    /// Not a real issue: a false alarm or a wrong verdict.
    Dismissed,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write the ledger as JSONL, one entry a line: {"seq", "entry", "hash"}.
    Export(ExportArgs),
    /// Check the ledger's hash chain, in the store or in an exported file; exits with 1 and
    /// names the first bad entry when it is broken.
    Verify(VerifyArgs),
    /// The decisions owed: open alarms and failed verdicts no decision covers, oldest first.
    Gaps(GapsArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Write to this file (atomically) instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// An exported ledger (JSONL) to verify instead of the store's.
    file: Option<PathBuf>,
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
    /// A hash kept outside the store (printed by `judge decide` and `judge ledger verify`):
    /// the chain must still hold that entry, which proves that no entry up to it was
    /// rewritten or cut off. Repeatable.
    #[arg(long)]
    anchor: Vec<String>,
    /// The ledger head recorded in an earlier report (any format) or in `judge drift`'s
    /// metrics file: the chain must still hold that entry, so entries cut off the end since
    /// then are found. Repeatable.
    #[arg(long, value_name = "FILE")]
    anchor_from: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct GapsArgs {
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
    /// Print JSON ({"gaps": [...]}) instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run_decide(args: DecideArgs) -> Result<ExitCode> {
    let mut subject = match (&args.alarm, &args.record, &args.suite_run) {
        (Some(alarm), _, _) => Subject::alarm(*alarm),
        (_, Some(record), _) => Subject::record(record, None),
        (_, _, Some(suite_run)) => Subject::suite_run(suite_run),
        // clap's required group guarantees one of the three.
        (None, None, None) => bail!("give --alarm, --record or --suite-run"),
    };
    // Kept on any subject, so that a rubric given with the wrong one is refused, not dropped.
    subject.rubric = args.rubric.clone();
    // Under cron or in a container $USER is often unset: the ledger must still name who
    // decided, so there is no anonymous default.
    let by = match args.by.clone() {
        Some(by) => by,
        None => std::env::var("USER")
            .ok()
            .filter(|user| ledger::has_visible_text(user))
            .context("who decides? give --by NAME ($USER is not set)")?,
    };
    let decision = Decision {
        subject,
        position: match args.position {
            PositionArg::Accepted => Position::Accepted,
            PositionArg::Flagged => Position::Flagged,
            PositionArg::Dismissed => Position::Dismissed,
        },
        reason: args.reason,
        by,
        rebaseline: args.rebaseline,
    };
    let mut store = Store::open_existing(&args.store)?;
    let entry = ledger::append_decision(&mut store, &decision)?;
    println!(
        "ledger entry {} appended: {} on {} by {}",
        entry.seq,
        entry.position.as_str(),
        entry.subject,
        entry.by
    );
    println!("hash {}", entry.hash());
    if entry.subject.alarm_id()?.is_some() {
        println!(
            "{} acknowledged: `judge drift` will not raise it again for the same change",
            entry.subject
        );
    }
    if entry.rebaseline {
        println!(
            "rebaseline recorded in the entry; `judge drift` does not act on it yet, so the \
             stream keeps its current baseline for now"
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Export(args) => export(args),
        Command::Verify(args) => verify(args),
        Command::Gaps(args) => gaps(args),
    }
}

fn export(args: ExportArgs) -> Result<ExitCode> {
    let mut store = Store::open_read_only(&args.store)?;
    let entries = ledger::entries(&mut store)?;
    match &args.out {
        Some(path) => {
            ledger::write_export(path, &entries)?;
            eprintln!(
                "{} ledger entries written to {}",
                entries.len(),
                path.display()
            );
        }
        None => print!("{}", ledger::export_jsonl(&entries)?),
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(args: VerifyArgs) -> Result<ExitCode> {
    let (what, entries) = match &args.file {
        Some(path) => {
            let entries = ledger::read_export(path)?;
            let what = format!("ledger export {}", path.display());
            if let Err(error) = ledger::verify_entries(&entries) {
                bail!("{what} is broken at line {}: {error}", error.position + 1);
            }
            (what, entries)
        }
        None => {
            let mut store = Store::open_read_only(&args.store)?;
            let entries = ledger::entries(&mut store)?;
            let what = format!("the ledger of store {}", args.store.display());
            ledger::verify_entries(&entries)
                .map_err(|error: ChainError| anyhow::anyhow!("{what} is broken: {error}"))?;
            ledger::check_acknowledgements(&mut store, &entries)?;
            (what, entries)
        }
    };
    let mut anchors = args.anchor.clone();
    for path in &args.anchor_from {
        match ledger::read_anchor(path)? {
            Some(head) => {
                if !entries.iter().any(|stored| stored.hash == head.hash) {
                    bail!(
                        "{what} does not hold entry {} with hash {}, the head recorded in {}: \
                         entries were cut off the end or rewritten since",
                        head.seq,
                        head.hash,
                        path.display()
                    );
                }
                anchors.push(head.hash);
            }
            None => eprintln!(
                "{} records an empty ledger: it anchors nothing",
                path.display()
            ),
        }
    }
    check_anchors(&what, &entries, &anchors)?;
    match entries.last() {
        Some(last) => println!(
            "{what} is intact: {} {}, the last (entry {}) with hash {}",
            entries.len(),
            if entries.len() == 1 {
                "entry"
            } else {
                "entries"
            },
            last.seq,
            last.hash
        ),
        None => println!("{what} is intact: it has no entries"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Every anchor must be the hash of an entry of the (verified) chain.
fn check_anchors(what: &str, entries: &[StoredEntry], anchors: &[String]) -> Result<()> {
    for anchor in anchors {
        let anchor = anchor.trim().to_ascii_lowercase();
        if !entries.iter().any(|stored| stored.hash == anchor) {
            bail!(
                "{what} does not hold the anchored entry {anchor}: entries up to it were \
                 rewritten, or it was cut off the end"
            );
        }
    }
    Ok(())
}

fn gaps(args: GapsArgs) -> Result<ExitCode> {
    let mut store = Store::open_read_only(&args.store)?;
    let gaps = ledger::gaps(&mut store)?;
    if args.json {
        let out = serde_json::json!({ "gaps": gaps });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    if gaps.is_empty() {
        println!("no gaps: every alarm and failed verdict has a decision");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{:>4}  {:<20}  {:<40}  detail", "days", "since", "subject");
    for gap in &gaps {
        println!(
            "{:>4}  {:<20}  {:<40}  {}",
            gap.age_days,
            gap.since,
            gap.subject.to_string(),
            gap.detail
        );
    }
    Ok(ExitCode::SUCCESS)
}
