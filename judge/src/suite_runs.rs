//! Running a suite against the live agent: every case sent through an [`crate::agent`]
//! adapter (N workers at once), each reply judged against the case's rubrics with the scoring
//! pipeline, the run stored with per-case and per-rubric results, and the stored runs as drift
//! streams (`suite/ID@vN`, one period per run).
//!
//! A case ends as `pass`, `fail` (a rubric failed or the escalation was not the expected one),
//! `agent_error` or `agent_timeout` (no usable reply: not a behavioral result), or `too_long`
//! (a prompt did not fit the judge). The pass rate is pass / (pass + fail): agent failures and
//! unjudged cases stay out of it and are counted apart.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};
use serde::Serialize;

use crate::agent::{AgentAnswer, AgentConfig, AgentRequest, AgentSession};
use crate::judge_model::JudgeModel;
use crate::records::Record;
use crate::rubrics::Rubric;
use crate::scoring::{PreparedRubric, ScoringConfig};
use crate::store::{now, Outcome, Store, Verdict};
use crate::streams::{Period, Stream, StreamKind};
use crate::suites::{Case, Suite};

/// What became of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseOutcome {
    Pass,
    Fail,
    AgentError,
    AgentTimeout,
    TooLong,
}

/// One rubric's verdict on one case's reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RubricResult {
    pub rubric_id: String,
    pub rubric_version: u32,
    pub outcome: Outcome,
    pub p_pass: Option<f64>,
    pub verdict: Option<Verdict>,
}

/// One case of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseResult {
    pub case_id: String,
    pub outcome: CaseOutcome,
    pub reply: Option<String>,
    pub escalated: Option<bool>,
    pub expect_escalation: Option<bool>,
    /// What failed, for `fail`: `escalation`, `rubric:ID`, comma-separated.
    pub failed_checks: Option<String>,
    /// Why there is no reply, for `agent_error` and `agent_timeout`.
    pub error: Option<String>,
    pub stderr: String,
    pub latency_ms: u64,
    pub attempts: u32,
    pub rubrics: Vec<RubricResult>,
}

/// The tallies of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SuiteRunCounts {
    pub n_cases: usize,
    pub n_pass: usize,
    pub n_fail: usize,
    pub n_agent_error: usize,
    pub n_agent_timeout: usize,
    pub n_too_long: usize,
}

/// A stored run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuiteRun {
    pub id: i64,
    pub suite_id: String,
    pub suite_version: u32,
    pub suite_sha256: String,
    pub role: String,
    /// The suite's declared deploy-time pass rate when the run was made.
    pub baseline: Option<f64>,
    pub agent: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// The judge's fingerprint, when any reply was judged against rubrics.
    pub judge: Option<String>,
    /// `running`, `done` or `failed`.
    pub status: String,
    pub counts: SuiteRunCounts,
    pub results: Vec<CaseResult>,
}

/// The judge model for rubric checks, its zero-shot fingerprint (registered in the store), and
/// the active trained judge of each rubric that has one, which then gives that rubric's
/// verdicts as it does in `judge score`.
pub struct Judge<'a> {
    pub model: &'a JudgeModel,
    pub fingerprint: &'a str,
    pub trained: &'a BTreeMap<String, crate::trained::Artifact>,
}

impl SuiteRunCounts {
    pub fn from_results(results: &[CaseResult]) -> SuiteRunCounts {
        let count = |outcome| results.iter().filter(|r| r.outcome == outcome).count();
        SuiteRunCounts {
            n_cases: results.len(),
            n_pass: count(CaseOutcome::Pass),
            n_fail: count(CaseOutcome::Fail),
            n_agent_error: count(CaseOutcome::AgentError),
            n_agent_timeout: count(CaseOutcome::AgentTimeout),
            n_too_long: count(CaseOutcome::TooLong),
        }
    }

    /// pass / (pass + fail); `None` when no case was judged.
    pub fn pass_rate(&self) -> Option<f64> {
        let judged = self.n_pass + self.n_fail;
        (judged > 0).then(|| self.n_pass as f64 / judged as f64)
    }

    pub fn agent_failures(&self) -> usize {
        self.n_agent_error + self.n_agent_timeout
    }
}

impl CaseOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseOutcome::Pass => "pass",
            CaseOutcome::Fail => "fail",
            CaseOutcome::AgentError => "agent_error",
            CaseOutcome::AgentTimeout => "agent_timeout",
            CaseOutcome::TooLong => "too_long",
        }
    }

    pub fn parse(text: &str) -> Result<CaseOutcome> {
        Ok(match text {
            "pass" => CaseOutcome::Pass,
            "fail" => CaseOutcome::Fail,
            "agent_error" => CaseOutcome::AgentError,
            "agent_timeout" => CaseOutcome::AgentTimeout,
            "too_long" => CaseOutcome::TooLong,
            other => bail!("unknown suite case outcome `{other}`"),
        })
    }
}

/// The record id a case's reply is judged under.
pub fn case_record_id(suite_id: &str, run_id: i64, case_id: &str) -> String {
    format!("suite:{suite_id}:{run_id}:{case_id}")
}

/// Sends every case to the agent, `concurrency` at a time, calling `on_answer` as each
/// answer arrives; answers come back in case order.
pub fn ask_agent(
    suite: &Suite,
    agent: &AgentConfig,
    concurrency: usize,
    on_answer: impl Fn(&Case, &AgentAnswer) + Sync,
) -> Vec<AgentAnswer> {
    let next = AtomicUsize::new(0);
    let answers: Mutex<Vec<Option<AgentAnswer>>> = Mutex::new(vec![None; suite.cases.len()]);
    let workers = concurrency.clamp(1, suite.cases.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut session = AgentSession::new(agent);
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = suite.cases.get(index) else {
                        break;
                    };
                    let request = AgentRequest {
                        suite: &suite.id,
                        case: &case.id,
                        role: &suite.role,
                        system: suite.system.as_deref(),
                        input: case.input.as_deref(),
                        messages: &case.messages,
                    };
                    let answer = session.ask(&request);
                    on_answer(case, &answer);
                    answers.lock().expect("answers")[index] = Some(answer);
                }
            });
        }
    });
    answers
        .into_inner()
        .expect("answers")
        .into_iter()
        .map(|a| a.expect("every case is asked"))
        .collect()
}

/// Judges the answers: rubric verdicts through the scoring pipeline, the escalation against
/// the case's expectation, and each case's outcome. `judge` must be given when any case with
/// a reply has rubrics.
pub fn judge_answers(
    suite: &Suite,
    run_id: i64,
    agent: &str,
    answers: &[AgentAnswer],
    library: &[Rubric],
    judge: Option<&Judge>,
) -> Result<Vec<CaseResult>> {
    let ts = now();
    // The replies as records, keyed by record id.
    let mut records: BTreeMap<String, (usize, Record)> = BTreeMap::new();
    for (index, (case, answer)) in suite.cases.iter().zip(answers).enumerate() {
        if let Ok(reply) = &answer.result {
            let id = case_record_id(&suite.id, run_id, &case.id);
            let record = Record {
                id: id.clone(),
                ts: ts.clone(),
                role: suite.role.clone(),
                agent: agent.to_string(),
                input: case.instruction_text(),
                output: reply.output.clone(),
                escalated: reply.escalated,
                labels: BTreeMap::new(),
                meta: serde_json::Map::new(),
            };
            records.insert(id, (index, record));
        }
    }
    let mut verdicts: Vec<Vec<RubricResult>> = vec![Vec::new(); suite.cases.len()];
    for rubric in suite.rubrics(library) {
        let todo: Vec<&Record> = records
            .values()
            .filter(|(index, _)| suite.cases[*index].rubrics.contains(&rubric.id))
            .map(|(_, record)| record)
            .collect();
        if todo.is_empty() {
            continue;
        }
        let Some(judge) = judge else {
            bail!(
                "suite {}: rubric {} needs a judge model",
                suite.id,
                rubric.id
            );
        };
        let prepared = PreparedRubric::new(judge.model, rubric)?;
        crate::trained::score_rubric(
            judge.model,
            &prepared,
            &todo,
            &ScoringConfig::default(),
            judge.trained.get(&rubric.id),
            |batch| {
                for scored in batch {
                    let index = records[&scored.record_id].0;
                    verdicts[index].push(RubricResult {
                        rubric_id: rubric.id.clone(),
                        rubric_version: rubric.version,
                        outcome: scored.outcome,
                        p_pass: scored.p_pass,
                        verdict: scored.verdict(rubric.threshold),
                    });
                }
                Ok(())
            },
        )?;
    }
    Ok(suite
        .cases
        .iter()
        .zip(answers)
        .zip(verdicts)
        .map(|((case, answer), mut rubrics)| {
            rubrics.sort_by(|a, b| a.rubric_id.cmp(&b.rubric_id));
            case_result(case, answer, rubrics)
        })
        .collect())
}

fn case_result(case: &Case, answer: &AgentAnswer, rubrics: Vec<RubricResult>) -> CaseResult {
    let mut result = CaseResult {
        case_id: case.id.clone(),
        outcome: CaseOutcome::Pass,
        reply: None,
        escalated: None,
        expect_escalation: case.expect_escalation,
        failed_checks: None,
        error: None,
        stderr: answer.stderr.clone(),
        latency_ms: answer.latency_ms,
        attempts: answer.attempts,
        rubrics,
    };
    let reply = match &answer.result {
        Ok(reply) => reply,
        Err(failure) => {
            result.outcome = if failure.timed_out {
                CaseOutcome::AgentTimeout
            } else {
                CaseOutcome::AgentError
            };
            result.error = Some(failure.message.clone());
            return result;
        }
    };
    result.reply = Some(reply.output.clone());
    result.escalated = reply.escalated;
    if case.expect_escalation.is_some() && reply.escalated.is_none() {
        // The agent did not say, so the case cannot be judged: the adapter's contract is
        // broken, not the behavior.
        result.outcome = CaseOutcome::AgentError;
        result.error = Some(
            "the reply does not say whether the agent escalated (`escalated`), which the case \
             checks"
                .into(),
        );
        return result;
    }
    let mut failed = Vec::new();
    if let Some(expected) = case.expect_escalation {
        if reply.escalated != Some(expected) {
            failed.push("escalation".to_string());
        }
    }
    for rubric in &result.rubrics {
        if rubric.verdict == Some(Verdict::Fail) {
            failed.push(format!("rubric:{}", rubric.rubric_id));
        }
    }
    if !failed.is_empty() {
        result.outcome = CaseOutcome::Fail;
        result.failed_checks = Some(failed.join(","));
    } else if result.rubrics.iter().any(|r| r.outcome == Outcome::TooLong) {
        result.outcome = CaseOutcome::TooLong;
    }
    result
}

/// Records the start of a run (status `running`) and returns its id.
pub fn start_suite_run(store: &mut Store, suite: &Suite, agent: &str) -> Result<i64> {
    let conn = store.connection();
    conn.execute(
        "INSERT INTO suite_runs (suite_id, suite_version, suite_sha256, role, baseline, agent, \
         started_at, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'running')",
        params![
            suite.id,
            suite.version,
            suite.sha256,
            suite.role,
            suite.baseline,
            agent,
            now()
        ],
    )
    .context("recording a suite run")?;
    Ok(conn.last_insert_rowid())
}

/// Stores a run's results and counts and marks it `done`, in one transaction.
pub fn finish_suite_run(
    store: &mut Store,
    run_id: i64,
    judge: Option<&str>,
    results: &[CaseResult],
) -> Result<SuiteRunCounts> {
    let counts = SuiteRunCounts::from_results(results);
    let path = store.path().display().to_string();
    let write = |conn: &mut rusqlite::Connection| -> Result<()> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut case = tx.prepare(
                "INSERT INTO suite_results (run_id, case_id, outcome, reply, escalated, \
                 expect_escalation, failed_checks, error, stderr, latency_ms, attempts) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            let mut rubric = tx.prepare(
                "INSERT INTO suite_rubric_results (run_id, case_id, rubric_id, rubric_version, \
                 outcome, p_pass, verdict) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for result in results {
                case.execute(params![
                    run_id,
                    result.case_id,
                    result.outcome.as_str(),
                    result.reply,
                    result.escalated,
                    result.expect_escalation,
                    result.failed_checks,
                    result.error,
                    result.stderr,
                    result.latency_ms as i64,
                    result.attempts,
                ])?;
                for r in &result.rubrics {
                    rubric.execute(params![
                        run_id,
                        result.case_id,
                        r.rubric_id,
                        r.rubric_version,
                        r.outcome.as_str(),
                        r.p_pass,
                        r.verdict.map(Verdict::as_str),
                    ])?;
                }
            }
        }
        let updated = tx.execute(
            "UPDATE suite_runs SET finished_at = ?1, status = 'done', judge = ?2, n_cases = ?3, \
             n_pass = ?4, n_fail = ?5, n_agent_error = ?6, n_agent_timeout = ?7, \
             n_too_long = ?8 WHERE id = ?9 AND status = 'running'",
            params![
                now(),
                judge,
                counts.n_cases as i64,
                counts.n_pass as i64,
                counts.n_fail as i64,
                counts.n_agent_error as i64,
                counts.n_agent_timeout as i64,
                counts.n_too_long as i64,
                run_id
            ],
        )?;
        if updated == 0 {
            bail!("there is no running suite run {run_id}");
        }
        tx.commit()?;
        Ok(())
    };
    write(store.connection())
        .with_context(|| format!("storing suite run {run_id} in store {path}"))?;
    Ok(counts)
}

/// Marks a run that could not complete as `failed`.
pub fn fail_suite_run(store: &mut Store, run_id: i64) -> Result<()> {
    store
        .connection()
        .execute(
            "UPDATE suite_runs SET finished_at = ?1, status = 'failed' WHERE id = ?2",
            params![now(), run_id],
        )
        .with_context(|| format!("marking suite run {run_id} failed"))?;
    Ok(())
}

/// A stored run with its results, or `None`.
pub fn suite_run(store: &mut Store, run_id: i64) -> Result<Option<SuiteRun>> {
    let conn = store.connection();
    let run = conn
        .query_row(
            &format!("SELECT {RUN_COLUMNS} FROM suite_runs WHERE id = ?1"),
            [run_id],
            run_from_row,
        )
        .optional()
        .with_context(|| format!("reading suite run {run_id}"))?;
    let Some(mut run) = run else {
        return Ok(None);
    };
    let mut rubrics: HashMap<String, Vec<RubricResult>> = HashMap::new();
    let mut statement = conn.prepare(
        "SELECT case_id, rubric_id, rubric_version, outcome, p_pass, verdict \
         FROM suite_rubric_results WHERE run_id = ?1 ORDER BY case_id, rubric_id",
    )?;
    let rows = statement.query_map([run_id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, u32>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, Option<f64>>(4)?,
            row.get::<_, Option<String>>(5)?,
        ))
    })?;
    for row in rows {
        let (case_id, rubric_id, rubric_version, outcome, p_pass, verdict) = row?;
        rubrics.entry(case_id).or_default().push(RubricResult {
            rubric_id,
            rubric_version,
            outcome: Outcome::parse(&outcome)?,
            p_pass,
            verdict: verdict.as_deref().map(Verdict::parse).transpose()?,
        });
    }
    let mut statement = conn.prepare(
        "SELECT case_id, outcome, reply, escalated, expect_escalation, failed_checks, error, \
         stderr, latency_ms, attempts FROM suite_results WHERE run_id = ?1 ORDER BY rowid",
    )?;
    let rows = statement.query_map([run_id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            CaseResult {
                case_id: String::new(),
                outcome: CaseOutcome::Pass,
                reply: row.get(2)?,
                escalated: row.get(3)?,
                expect_escalation: row.get(4)?,
                failed_checks: row.get(5)?,
                error: row.get(6)?,
                stderr: row.get(7)?,
                latency_ms: row.get::<_, i64>(8)? as u64,
                attempts: row.get(9)?,
                rubrics: Vec::new(),
            },
        ))
    })?;
    for row in rows {
        let (case_id, outcome, mut result) = row?;
        result.outcome = CaseOutcome::parse(&outcome)?;
        result.rubrics = rubrics.remove(&case_id).unwrap_or_default();
        result.case_id = case_id;
        run.results.push(result);
    }
    Ok(Some(run))
}

/// Stored runs, oldest first, without their results; only `suite_id`'s when given.
pub fn suite_runs(store: &mut Store, suite_id: Option<&str>) -> Result<Vec<SuiteRun>> {
    let conn = store.connection();
    let mut statement = conn.prepare(&format!(
        "SELECT {RUN_COLUMNS} FROM suite_runs WHERE ?1 IS NULL OR suite_id = ?1 ORDER BY id"
    ))?;
    let rows = statement.query_map([suite_id], run_from_row)?;
    let runs = rows.collect::<rusqlite::Result<_>>();
    runs.context("reading suite runs")
}

/// The suites' drift streams and their declared baselines.
#[derive(Debug, Clone, Default)]
pub struct SuiteStreams {
    pub streams: Vec<Stream>,
    /// Stream name to declared in-control rate of the monitored event, a failed case: one
    /// minus the suite's declared pass rate (of its latest run).
    pub baselines: BTreeMap<String, f64>,
}

/// One stream per suite and version, `suite/ID@vN`: failed cases out of judged cases (pass +
/// fail), one period per finished run labelled `DATE#RUN`, in run order. Agent failures and
/// unjudged cases are not in it.
pub fn suite_streams(store: &mut Store) -> Result<SuiteStreams> {
    let runs: Vec<SuiteRun> = suite_runs(store, None)?
        .into_iter()
        .filter(|run| run.status == "done")
        .collect();
    let mut failed_cases: HashMap<i64, Vec<String>> = HashMap::new();
    {
        let conn = store.connection();
        let mut statement = conn.prepare(
            "SELECT r.run_id, r.case_id, s.suite_id FROM suite_results r \
             JOIN suite_runs s ON s.id = r.run_id WHERE r.outcome = 'fail' \
             ORDER BY r.run_id, r.rowid",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (run_id, case_id, suite_id) = row?;
            failed_cases
                .entry(run_id)
                .or_default()
                .push(case_record_id(&suite_id, run_id, &case_id));
        }
    }
    let mut by_name: BTreeMap<String, Vec<Period>> = BTreeMap::new();
    let mut baselines = BTreeMap::new();
    for run in &runs {
        let name = suite_stream_name(&run.suite_id, run.suite_version);
        let exposure = (run.counts.n_pass + run.counts.n_fail) as u64;
        match run.baseline {
            Some(rate) => baselines.insert(name.clone(), 1.0 - rate),
            None => baselines.remove(&name),
        };
        if exposure == 0 {
            continue;
        }
        by_name.entry(name).or_default().push(Period {
            label: format!(
                "{}#{}",
                &run.started_at[..run.started_at.len().min(10)],
                run.id
            ),
            events: run.counts.n_fail as u64,
            exposure,
            event_ids: failed_cases.remove(&run.id).unwrap_or_default(),
        });
    }
    Ok(SuiteStreams {
        streams: by_name
            .into_iter()
            .map(|(name, periods)| Stream {
                name,
                kind: StreamKind::PassRate,
                periods,
            })
            .collect(),
        baselines,
    })
}

/// The drift stream of a suite version.
pub fn suite_stream_name(suite_id: &str, version: u32) -> String {
    format!("suite/{suite_id}@v{version}")
}

/// Finished runs with failed cases, oldest first, with the failed case ids: the decisions
/// they may owe (`judge ledger gaps`).
pub fn runs_with_failures(store: &mut Store) -> Result<Vec<(SuiteRun, Vec<String>)>> {
    let runs = suite_runs(store, None)?;
    let conn = store.connection();
    let mut statement = conn.prepare(
        "SELECT case_id FROM suite_results WHERE run_id = ?1 AND outcome = 'fail' ORDER BY rowid",
    )?;
    let mut out = Vec::new();
    for run in runs {
        if run.status != "done" || run.counts.n_fail == 0 {
            continue;
        }
        let cases = statement
            .query_map([run.id], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        out.push((run, cases));
    }
    Ok(out)
}

const RUN_COLUMNS: &str = "id, suite_id, suite_version, suite_sha256, role, baseline, agent, \
     started_at, finished_at, judge, status, n_cases, n_pass, n_fail, n_agent_error, \
     n_agent_timeout, n_too_long";

fn run_from_row(row: &Row) -> rusqlite::Result<SuiteRun> {
    let count = |index: usize| -> rusqlite::Result<usize> {
        Ok(row.get::<_, Option<i64>>(index)?.unwrap_or(0) as usize)
    };
    Ok(SuiteRun {
        id: row.get(0)?,
        suite_id: row.get(1)?,
        suite_version: row.get(2)?,
        suite_sha256: row.get(3)?,
        role: row.get(4)?,
        baseline: row.get(5)?,
        agent: row.get(6)?,
        started_at: row.get(7)?,
        finished_at: row.get(8)?,
        judge: row.get(9)?,
        status: row.get(10)?,
        counts: SuiteRunCounts {
            n_cases: count(11)?,
            n_pass: count(12)?,
            n_fail: count(13)?,
            n_agent_error: count(14)?,
            n_agent_timeout: count(15)?,
            n_too_long: count(16)?,
        },
        results: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::{Failure, Reply};

    fn answer(result: std::result::Result<Reply, Failure>) -> AgentAnswer {
        AgentAnswer {
            result,
            stderr: String::new(),
            latency_ms: 1,
            attempts: 1,
        }
    }

    fn case(expect: Option<bool>) -> Case {
        Case {
            id: "c".into(),
            messages: Vec::new(),
            input: Some("x".into()),
            rubrics: Vec::new(),
            expect_escalation: expect,
            tags: Vec::new(),
            line: 1,
        }
    }

    fn reply(escalated: Option<bool>) -> std::result::Result<Reply, Failure> {
        Ok(Reply {
            output: "ok".into(),
            escalated,
        })
    }

    #[test]
    fn outcomes_keep_agent_failures_apart_from_behavior() {
        let outcome = |c: Case, a: AgentAnswer, rubrics: Vec<RubricResult>| {
            case_result(&c, &a, rubrics).outcome
        };
        assert_eq!(
            outcome(case(Some(true)), answer(reply(Some(true))), vec![]),
            CaseOutcome::Pass
        );
        assert_eq!(
            outcome(case(Some(true)), answer(reply(Some(false))), vec![]),
            CaseOutcome::Fail
        );
        assert_eq!(
            outcome(case(Some(true)), answer(reply(None)), vec![]),
            CaseOutcome::AgentError
        );
        let timeout = Err(Failure {
            timed_out: true,
            message: "slow".into(),
        });
        assert_eq!(
            outcome(case(None), answer(timeout), vec![]),
            CaseOutcome::AgentTimeout
        );
        let verdict = |outcome, verdict| RubricResult {
            rubric_id: "r".into(),
            rubric_version: 1,
            outcome,
            p_pass: None,
            verdict,
        };
        assert_eq!(
            outcome(
                case(None),
                answer(reply(None)),
                vec![verdict(Outcome::TooLong, None)]
            ),
            CaseOutcome::TooLong
        );
        let failed = case_result(
            &case(Some(false)),
            &answer(reply(Some(true))),
            vec![verdict(Outcome::Scored, Some(Verdict::Fail))],
        );
        assert_eq!(failed.failed_checks.as_deref(), Some("escalation,rubric:r"));

        let counts = SuiteRunCounts {
            n_cases: 5,
            n_pass: 3,
            n_fail: 1,
            n_agent_error: 1,
            ..Default::default()
        };
        assert_eq!(counts.pass_rate(), Some(0.75));
    }
}
