//! Behavioral suites: files of cases sent to a live agent, each with the rubrics its reply must
//! pass and, optionally, whether the agent must escalate.
//!
//! A suite is one TOML file (`suites/ROLE.toml`: top-level keys and `[[cases]]` tables) or one
//! JSONL file (a header line with the top-level keys, then one case a line). Every rule is
//! checked on load and each error names the file, the line and the field; [`check_suite`] also
//! checks the rubrics against the library (they exist and apply to the suite's role).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::rubrics::Rubric;

/// Environment variable that overrides the suites folder.
pub const SUITES_DIR_ENV: &str = "JUDGE_SUITES_DIR";

/// One suite, loaded and validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suite {
    /// Lowercase letters, digits and dashes; equal to the file stem.
    pub id: String,
    /// At least 1; bumped when cases change meaning.
    pub version: u32,
    /// The agent role under test: the rubrics must apply to it.
    pub role: String,
    /// The deploy-time pass rate (0 < rate < 1), the declared baseline of the suite's drift
    /// stream; absent, the first runs estimate it.
    pub baseline: Option<f64>,
    pub description: Option<String>,
    /// A system message sent before every case's conversation.
    pub system: Option<String>,
    pub cases: Vec<Case>,
    pub path: PathBuf,
    /// SHA-256 of the file's bytes: runs of a changed file are told apart.
    pub sha256: String,
}

/// One case of a suite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub id: String,
    /// The conversation sent to the agent; a plain `input` is one user turn.
    pub messages: Vec<Turn>,
    /// Whether the case was written as a plain `input` (the command adapter passes it on).
    pub input: Option<String>,
    /// Rubric ids the reply must pass.
    pub rubrics: Vec<String>,
    /// Whether the agent must escalate (`true`) or must not (`false`); unchecked when absent.
    pub expect_escalation: Option<bool>,
    pub tags: Vec<String>,
    /// The 1-based line where the case starts in its file (its `[[cases]]` header in TOML).
    pub line: usize,
}

/// One turn of a case's conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Turn {
    /// `user` or `assistant` (the suite's `system` message comes first).
    pub role: String,
    pub content: String,
}

/// The extensions a suite file may have.
pub const SUITE_EXTENSIONS: [&str; 2] = ["toml", "jsonl"];

/// Reads and validates one suite file (TOML or JSONL, by extension).
pub fn load_suite(path: &Path) -> Result<Suite> {
    let bytes = fs::read(path).with_context(|| format!("{}: cannot read suite", path.display()))?;
    let text = String::from_utf8(bytes.clone())
        .map_err(|_| anyhow::anyhow!("{}: the suite is not UTF-8 text", path.display()))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let (header, cases) = match extension.as_deref() {
        Some("toml") => parse_toml(&text, path)?,
        Some("jsonl") => parse_jsonl(&text, path)?,
        _ => bail!("{}: a suite file ends in .toml or .jsonl", path.display()),
    };
    build_suite(header, cases, path, sha256)
}

/// Every suite file in `dir` (not its subfolders), sorted by id.
pub fn load_suites(dir: &Path) -> Result<Vec<Suite>> {
    if !dir.is_dir() {
        bail!(
            "{}: no such suites folder ({})",
            dir.display(),
            crate::folders::SUITES.looked_in()
        );
    }
    let entries = fs::read_dir(dir)
        .with_context(|| format!("{}: cannot read suites folder", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("{}: cannot read suites folder", dir.display()))?
            .path();
        if is_suite_file(&path) {
            paths.push(path);
        }
    }
    paths.sort();
    let mut suites = paths
        .iter()
        .map(|p| load_suite(p))
        .collect::<Result<Vec<_>>>()?;
    suites.sort_by(|a, b| a.id.cmp(&b.id));
    for pair in suites.windows(2) {
        if pair[0].id == pair[1].id {
            bail!(
                "suite id {:?} is defined twice: {} and {}",
                pair[0].id,
                pair[0].path.display(),
                pair[1].path.display()
            );
        }
    }
    Ok(suites)
}

/// The suites folder when no flag names it: `JUDGE_SUITES_DIR`, else `./suites`, else (a
/// development build only) the checkout's (see [`crate::folders`]).
pub fn default_suites_dir() -> PathBuf {
    crate::folders::SUITES.resolve()
}

/// A suite named on the command line: a path to a suite file, or the id of a suite in `dir`.
pub fn resolve_suite(name: &str, dir: &Path) -> Result<Suite> {
    let path = Path::new(name);
    if path.is_file() {
        return load_suite(path);
    }
    if is_suite_file(path) || name.contains(std::path::MAIN_SEPARATOR) {
        bail!("suite file {name} does not exist");
    }
    for extension in SUITE_EXTENSIONS {
        let candidate = dir.join(format!("{name}.{extension}"));
        if candidate.is_file() {
            return load_suite(&candidate);
        }
    }
    bail!(
        "no suite `{name}`: neither a file nor a suite of {} (`judge suite list`){}",
        dir.display(),
        if dir.is_dir() {
            String::new()
        } else {
            format!(
                "; that folder does not exist ({})",
                crate::folders::SUITES.looked_in()
            )
        }
    )
}

/// Checks the suite's rubrics against the library: each exists and applies to the suite's
/// role. The error names the file, the case's line and the field.
pub fn check_suite(suite: &Suite, library: &[Rubric]) -> Result<()> {
    for case in &suite.cases {
        for id in &case.rubrics {
            let Some(rubric) = library.iter().find(|r| &r.id == id) else {
                bail!(
                    "{}: field `rubrics`: unknown rubric `{id}`; the library has: {}",
                    case.locate(suite),
                    library
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            };
            if !rubric.applies_to(&suite.role) {
                bail!(
                    "{}: field `rubrics`: rubric `{id}` does not apply to role `{}` (it judges {})",
                    case.locate(suite),
                    suite.role,
                    rubric.roles.join(", ")
                );
            }
        }
    }
    Ok(())
}

impl Suite {
    /// The rubrics the suite's cases use, from the library, sorted by id.
    pub fn rubrics<'a>(&self, library: &'a [Rubric]) -> Vec<&'a Rubric> {
        let ids: BTreeSet<&str> = self
            .cases
            .iter()
            .flat_map(|c| c.rubrics.iter().map(String::as_str))
            .collect();
        library
            .iter()
            .filter(|r| ids.contains(r.id.as_str()))
            .collect()
    }
}

impl Case {
    /// `FILE:LINE: case `ID``, the start of every message about this case.
    pub fn locate(&self, suite: &Suite) -> String {
        format!("{}:{}: case `{}`", suite.path.display(), self.line, self.id)
    }

    /// The conversation as one text, for the judge's `input` field: a plain input as it is,
    /// a conversation as `role: content` paragraphs.
    pub fn instruction_text(&self) -> String {
        match &self.input {
            Some(input) => input.clone(),
            None => self
                .messages
                .iter()
                .map(|t| format!("{}: {}", t.role, t.content))
                .collect::<Vec<_>>()
                .join("\n\n"),
        }
    }
}

/// The top-level keys of a suite file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    id: String,
    version: u32,
    role: String,
    #[serde(default)]
    baseline: Option<f64>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    system: Option<String>,
}

/// One case as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    id: String,
    #[serde(default)]
    input: Option<String>,
    #[serde(default)]
    messages: Option<Vec<Turn>>,
    #[serde(default)]
    rubrics: Vec<String>,
    #[serde(default)]
    expect_escalation: Option<bool>,
    #[serde(default)]
    tags: Vec<String>,
}

/// A TOML suite: [`Header`]'s keys and the cases (`flatten` does not combine with
/// `deny_unknown_fields`, so the keys are spelled out again).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    id: String,
    version: u32,
    role: String,
    #[serde(default)]
    baseline: Option<f64>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    system: Option<String>,
    #[serde(default)]
    cases: Vec<toml::Spanned<RawCase>>,
}

fn parse_toml(text: &str, path: &Path) -> Result<(Header, Vec<(usize, RawCase)>)> {
    let file: TomlFile = toml::from_str(text).map_err(|error| {
        let line = error.span().map(|span| line_of(text, span.start));
        let message = error
            .message()
            .trim()
            .trim_end_matches('.')
            .replace('\n', "; ");
        match line {
            Some(line) => anyhow::anyhow!("{}:{line}: {message}", path.display()),
            None => anyhow::anyhow!("{}: {message}", path.display()),
        }
    })?;
    let header = Header {
        id: file.id,
        version: file.version,
        role: file.role,
        baseline: file.baseline,
        description: file.description,
        system: file.system,
    };
    let cases = file
        .cases
        .into_iter()
        .map(|spanned| {
            // The span of a `[[cases]]` table starts at its `[[cases]]` header.
            let line = line_of(text, spanned.span().start);
            (line, spanned.into_inner())
        })
        .collect();
    Ok((header, cases))
}

fn parse_jsonl(text: &str, path: &Path) -> Result<(Header, Vec<(usize, RawCase)>)> {
    let mut header: Option<Header> = None;
    let mut cases = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let located = |err: serde_json::Error| {
            anyhow::anyhow!(
                "{}:{line_no}: {}",
                path.display(),
                err.to_string().trim_end_matches('.')
            )
        };
        if header.is_none() {
            header = Some(serde_json::from_str(line).map_err(located)?);
        } else {
            cases.push((line_no, serde_json::from_str(line).map_err(located)?));
        }
    }
    let Some(header) = header else {
        bail!(
            "{}: empty suite: the first line holds id, version and role",
            path.display()
        );
    };
    Ok((header, cases))
}

fn build_suite(
    header: Header,
    raw_cases: Vec<(usize, RawCase)>,
    path: &Path,
    sha256: String,
) -> Result<Suite> {
    let file = path.display();
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if !is_slug(&header.id) {
        bail!(
            "{file}: field `id`: {:?} must be lowercase letters, digits and dashes",
            header.id
        );
    }
    if header.id != stem {
        bail!(
            "{file}: field `id`: {:?} must equal the file name without its extension, {stem:?}",
            header.id
        );
    }
    if header.version < 1 {
        bail!("{file}: field `version`: must be at least 1");
    }
    if !is_slug(&header.role) {
        bail!(
            "{file}: field `role`: {:?} must be lowercase letters, digits and dashes",
            header.role
        );
    }
    if let Some(rate) = header.baseline {
        if !(rate > 0.0 && rate < 1.0) {
            bail!(
                "{file}: field `baseline`: a pass rate greater than 0 and less than 1, got {rate}"
            );
        }
    }
    if raw_cases.is_empty() {
        bail!("{file}: the suite has no cases");
    }
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut cases = Vec::with_capacity(raw_cases.len());
    for (line, raw) in raw_cases {
        let at = format!("{file}:{line}: case `{}`", raw.id);
        if !is_slug(&raw.id) {
            bail!(
                "{file}:{line}: field `id`: {:?} must be lowercase letters, digits and dashes",
                raw.id
            );
        }
        if !seen.insert(raw.id.clone()) {
            bail!("{at}: field `id`: the id is used by an earlier case");
        }
        let messages = match (&raw.input, raw.messages) {
            (Some(_), Some(_)) => bail!("{at}: give either `input` or `messages`, not both"),
            (None, None) => bail!("{at}: field `input`: missing (or give `messages`)"),
            (Some(input), None) => {
                if input.trim().is_empty() {
                    bail!("{at}: field `input`: empty");
                }
                vec![Turn {
                    role: "user".into(),
                    content: input.clone(),
                }]
            }
            (None, Some(messages)) => {
                check_messages(&messages)
                    .map_err(|reason| anyhow::anyhow!("{at}: field `messages`: {reason}"))?;
                messages
            }
        };
        if raw.rubrics.is_empty() && raw.expect_escalation.is_none() {
            bail!("{at}: nothing to check: give `rubrics` or `expect_escalation`");
        }
        for (index, rubric) in raw.rubrics.iter().enumerate() {
            if raw.rubrics[..index].contains(rubric) {
                bail!("{at}: field `rubrics`: `{rubric}` is listed twice");
            }
        }
        if let Some(tag) = raw.tags.iter().find(|t| t.trim().is_empty()) {
            bail!("{at}: field `tags`: empty tag {tag:?}");
        }
        cases.push(Case {
            id: raw.id,
            messages,
            input: raw.input,
            rubrics: raw.rubrics,
            expect_escalation: raw.expect_escalation,
            tags: raw.tags,
            line,
        });
    }
    Ok(Suite {
        id: header.id,
        version: header.version,
        role: header.role,
        baseline: header.baseline,
        description: header.description,
        system: header.system.filter(|s| !s.trim().is_empty()),
        cases,
        path: path.to_path_buf(),
        sha256,
    })
}

/// A conversation is non-empty, alternates nothing in particular, but only holds user and
/// assistant turns with text, and ends with the user's turn (the agent answers it).
fn check_messages(messages: &[Turn]) -> std::result::Result<(), String> {
    let Some(last) = messages.last() else {
        return Err("empty conversation".into());
    };
    for (index, turn) in messages.iter().enumerate() {
        if !matches!(turn.role.as_str(), "user" | "assistant") {
            return Err(format!(
                "turn {}: role {:?} must be user or assistant (the suite's `system` comes first)",
                index + 1,
                turn.role
            ));
        }
        if turn.content.trim().is_empty() {
            return Err(format!("turn {}: empty content", index + 1));
        }
    }
    if last.role != "user" {
        return Err("the last turn must be the user's".into());
    }
    Ok(())
}

fn is_suite_file(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SUITE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"
id = "worker"
version = 1
role = "worker"
baseline = 0.9

[[cases]]
id = "clear-task"
input = "Rename report.txt to report-2026.txt."
rubrics = ["escalates-ambiguity"]
expect_escalation = false

[[cases]]
id = "ambiguous"
messages = [
  { role = "user", content = "Clean up the old reports." },
]
expect_escalation = true
tags = ["ambiguity"]
"#;

    /// Loads `text` as `worker.EXT` in a temp dir: the error message, or the suite.
    fn load(text: &str, extension: &str) -> std::result::Result<Suite, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("worker.{extension}"));
        fs::write(&path, text).unwrap();
        load_suite(&path)
            .map_err(|e| format!("{e:#}").replace(&dir.path().display().to_string(), "DIR"))
    }

    fn check_error(text: &str, expected: &str) {
        let err = load(text, "toml").expect_err("the suite must be refused");
        assert_eq!(err, expected);
    }

    #[test]
    fn a_valid_toml_suite_loads_with_case_lines() {
        let suite = load(VALID, "toml").unwrap();
        assert_eq!(suite.id, "worker");
        assert_eq!(suite.baseline, Some(0.9));
        assert_eq!(suite.cases.len(), 2);
        assert_eq!(suite.cases[0].line, 7);
        assert_eq!(suite.cases[1].line, 13);
        assert_eq!(suite.cases[1].messages[0].role, "user");
        assert_eq!(
            suite.cases[0].input.as_deref(),
            Some("Rename report.txt to report-2026.txt.")
        );
        assert_eq!(suite.sha256.len(), 64);
    }

    #[test]
    fn a_jsonl_suite_is_the_same_suite() {
        let text = concat!(
            r#"{"id": "worker", "version": 1, "role": "worker", "baseline": 0.9}"#,
            "\n\n",
            r#"{"id": "clear-task", "input": "Rename report.txt.", "rubrics": ["escalates-ambiguity"]}"#,
            "\n",
            r#"{"id": "ambiguous", "input": "Clean up.", "expect_escalation": true}"#,
            "\n"
        );
        let suite = load(text, "jsonl").unwrap();
        assert_eq!(suite.cases.len(), 2);
        assert_eq!(suite.cases[1].line, 4);
        assert_eq!(suite.cases[1].expect_escalation, Some(true));

        let bad = text.replace(
            r#""expect_escalation": true"#,
            r#""expect_escalation": "yes""#,
        );
        let err = load(&bad, "jsonl").unwrap_err();
        assert!(
            err.starts_with("DIR/worker.jsonl:4: invalid type: string \"yes\""),
            "{err}"
        );
    }

    #[test]
    fn bad_suites_name_the_file_line_and_field() {
        check_error(
            &VALID.replace("id = \"ambiguous\"", "id = \"clear-task\""),
            "DIR/worker.toml:13: case `clear-task`: field `id`: the id is used by an earlier case",
        );
        check_error(
            &VALID.replace("input = \"Rename report.txt to report-2026.txt.\"\n", ""),
            "DIR/worker.toml:7: case `clear-task`: field `input`: missing (or give `messages`)",
        );
        check_error(
            &VALID.replace("version = 1", "version = \"one\""),
            "DIR/worker.toml:3: invalid type: string \"one\", expected u32",
        );
    }

    #[test]
    fn baseline_and_checks_are_validated() {
        check_error(
            &VALID.replace("baseline = 0.9", "baseline = 1.5"),
            "DIR/worker.toml: field `baseline`: a pass rate greater than 0 and less than 1, got 1.5",
        );
        check_error(
            &VALID
                .replace("rubrics = [\"escalates-ambiguity\"]\n", "")
                .replace("expect_escalation = false\n", ""),
            "DIR/worker.toml:7: case `clear-task`: nothing to check: give `rubrics` or \
             `expect_escalation`",
        );
        check_error(
            &VALID.replace("role = \"user\", content", "role = \"system\", content"),
            "DIR/worker.toml:13: case `ambiguous`: field `messages`: turn 1: role \"system\" must \
             be user or assistant (the suite's `system` comes first)",
        );
        check_error(
            &VALID.replace(
                "expect_escalation = true",
                "expect_escalation = true\nwhen = 3",
            ),
            "DIR/worker.toml:19: unknown field `when`, expected one of `id`, `input`, `messages`, \
             `rubrics`, `expect_escalation`, `tags`",
        );
        check_error(
            &VALID.replace("id = \"worker\"", "id = \"foreman\""),
            "DIR/worker.toml: field `id`: \"foreman\" must equal the file name without its \
             extension, \"worker\"",
        );
    }

    #[test]
    fn rubrics_must_exist_and_apply_to_the_role() {
        let library = crate::rubrics::load_library(&crate::rubrics::default_rubrics_dir()).unwrap();
        let suite = load(VALID, "toml").unwrap();
        check_suite(&suite, &library).unwrap();
        let wrong = |from: &str, to: &str| {
            let suite = load(&VALID.replace(from, to), "toml").unwrap();
            format!("{:#}", check_suite(&suite, &library).unwrap_err())
        };
        let err = wrong("escalates-ambiguity", "delegates-work");
        assert!(
            err.ends_with(
                "worker.toml:7: case `clear-task`: field `rubrics`: rubric `delegates-work` does \
                 not apply to role `worker` (it judges foreman)"
            ),
            "{err}"
        );
        let err = wrong("escalates-ambiguity", "no-such-rubric");
        assert!(err.contains(":7: case `clear-task`: field `rubrics`: unknown rubric `no-such-rubric`; the library has: "), "{err}");
    }

    #[test]
    fn the_shipped_suites_are_valid() {
        let library = crate::rubrics::load_library(&crate::rubrics::default_rubrics_dir()).unwrap();
        let suites = load_suites(&default_suites_dir()).unwrap();
        assert!(suites.iter().any(|s| s.id == "worker"));
        for suite in &suites {
            check_suite(suite, &library).unwrap();
            assert!(suite.cases.len() >= 8, "{}", suite.id);
        }
    }
}
