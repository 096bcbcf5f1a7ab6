//! Agent output records: the JSONL input of scoring, one agent output a line.
//!
//! Validation (in this module, below the types) names the file, line and field of every
//! problem; bad lines become [`Reject`]s with their reason, never silently dropped.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One agent output, as read from a JSONL line and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// RFC 3339 timestamp, kept as written (validated on load).
    pub ts: String,
    pub role: String,
    pub agent: String,
    /// The instruction or task the agent received.
    pub input: String,
    pub output: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated: Option<bool>,
    /// Human verdicts: rubric id to pass or fail.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, Label>,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub meta: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Pass,
    Fail,
}

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
}

/// A line that could not be taken, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reject {
    pub file: PathBuf,
    pub line: usize,
    /// The offending field, when the problem is one field.
    pub field: Option<String>,
    pub reason: String,
    /// The line as read (cut to a few kilobytes for huge lines).
    pub raw: String,
}

/// The default cap on the size of `output` and of `input`, in bytes.
pub const DEFAULT_MAX_FIELD_BYTES: usize = 64 * 1024;

/// How much of a rejected line [`Reject::raw`] keeps, in bytes.
pub const MAX_RAW_BYTES: usize = 4096;

/// The top-level keys a record may have; any other key is rejected so that typos are caught.
pub const RECORD_FIELDS: [&str; 9] = [
    "id",
    "ts",
    "role",
    "agent",
    "input",
    "output",
    "escalated",
    "labels",
    "meta",
];

/// Size caps applied to every record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordLimits {
    /// The largest `output` accepted, in bytes.
    pub max_output_bytes: usize,
    /// The largest `input` accepted, in bytes.
    pub max_input_bytes: usize,
}

impl Default for RecordLimits {
    fn default() -> Self {
        RecordLimits {
            max_output_bytes: DEFAULT_MAX_FIELD_BYTES,
            max_input_bytes: DEFAULT_MAX_FIELD_BYTES,
        }
    }
}

/// The result of loading one or more JSONL files: the good records in file and line order, and
/// every line that was not taken.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadedRecords {
    pub records: Vec<(Source, Record)>,
    pub rejects: Vec<Reject>,
    /// How many of the rejects are lines whose id was already taken by an earlier line.
    pub duplicates: usize,
}

/// Why one line is not a valid record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The offending field, when the problem is one field.
    pub field: Option<String>,
    /// What is wrong, in lowercase and without a trailing period.
    pub reason: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&field_and_reason(self.field.as_deref(), &self.reason))
    }
}

impl std::error::Error for RecordError {}

impl Reject {
    /// One line for people: `FILE:LINE: field `output`: empty output`. The field is named
    /// once: when the reason already names it in backticks, the `field` prefix is left out.
    pub fn describe(&self) -> String {
        format!(
            "{}:{}: {}",
            self.file.display(),
            self.line,
            field_and_reason(self.field.as_deref(), &self.reason)
        )
    }
}

/// Reads JSONL records from `paths`, in order, and validates every line.
///
/// Blank lines are skipped. A line that is not a valid record, including one that is not
/// UTF-8, becomes a [`Reject`]. Ids must be unique across all the files: a later line with an
/// id already taken is rejected and counted in [`LoadedRecords::duplicates`]. Only a file that
/// cannot be opened or read is an error.
pub fn load_records(paths: &[PathBuf], limits: &RecordLimits) -> Result<LoadedRecords> {
    let mut loaded = LoadedRecords::default();
    let mut first_seen: HashMap<String, Source> = HashMap::new();
    for path in paths {
        let file = File::open(path)
            .with_context(|| format!("cannot open records file {}", path.display()))?;
        let mut reader = BufReader::new(file);
        let mut buffer = Vec::new();
        let mut line = 0;
        loop {
            buffer.clear();
            let read = reader.read_until(b'\n', &mut buffer).with_context(|| {
                format!(
                    "cannot read records file {} at line {}",
                    path.display(),
                    line + 1
                )
            })?;
            if read == 0 {
                break;
            }
            line += 1;
            let mut bytes = strip_line_ending(&buffer);
            if line == 1 {
                // Some editors on Windows start a UTF-8 file with a byte order mark; it is not
                // part of the first record.
                bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
            }
            let source = Source {
                file: path.clone(),
                line,
            };
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(error) => {
                    let reason = format!(
                        "line is not valid UTF-8 at byte {}",
                        error.valid_up_to() + 1
                    );
                    let raw = String::from_utf8_lossy(bytes);
                    loaded.rejects.push(reject(&source, None, reason, &raw));
                    continue;
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            let record = match parse_record_line(text, limits) {
                Ok(record) => record,
                Err(error) => {
                    loaded
                        .rejects
                        .push(reject(&source, error.field, error.reason, text));
                    continue;
                }
            };
            match first_seen.entry(record.id.clone()) {
                Entry::Occupied(first) => {
                    let first = first.get();
                    let reason = format!(
                        "duplicate id `{}`, first seen at {}:{}",
                        record.id,
                        first.file.display(),
                        first.line
                    );
                    loaded
                        .rejects
                        .push(reject(&source, Some("id".into()), reason, text));
                    loaded.duplicates += 1;
                }
                Entry::Vacant(slot) => {
                    slot.insert(source.clone());
                    loaded.records.push((source, record));
                }
            }
        }
    }
    Ok(loaded)
}

/// Parses and validates one JSONL line (without its line ending) into a [`Record`].
///
/// The line is parsed to a JSON value and checked field by hand before it is deserialized, so
/// that each problem gets a message naming its field rather than serde's generic one. The first
/// problem found is reported: unknown or repeated keys, then the fields in schema order.
pub fn parse_record_line(line: &str, limits: &RecordLimits) -> Result<Record, RecordError> {
    let value: Value = serde_json::from_str(line).map_err(json_syntax_error)?;
    let Value::Object(mut object) = value else {
        return Err(RecordError {
            field: None,
            reason: format!("a record must be a JSON object, got {}", type_name(&value)),
        });
    };
    check_keys(line)?;

    let id = required_string(&object, "id")?;
    check_not_blank("id", id)?;
    let ts = required_string(&object, "ts")?;
    if parse_ts(ts).is_none() {
        return Err(field_error(
            "ts",
            format!(
                "ts `{}` is not an RFC 3339 timestamp such as 2026-08-31T09:15:00Z",
                cut_at_char_boundary(ts, 64)
            ),
        ));
    }
    let role = required_string(&object, "role")?;
    check_not_blank("role", role)?;
    check_role(role)?;
    check_not_blank("agent", required_string(&object, "agent")?)?;
    check_size(
        "input",
        required_string(&object, "input")?,
        limits.max_input_bytes,
    )?;
    let output = required_string(&object, "output")?;
    check_not_blank("output", output)?;
    check_size("output", output, limits.max_output_bytes)?;

    // An optional field written as null means the same as a missing one: producers such as
    // Python's json module write None that way.
    object.retain(|_, value| !value.is_null());
    if let Some(escalated) = object.get("escalated") {
        if !escalated.is_boolean() {
            return Err(wrong_type("escalated", "a boolean", escalated));
        }
    }
    if let Some(labels) = object.get("labels") {
        check_labels(labels)?;
    }
    if let Some(meta) = object.get("meta") {
        if !meta.is_object() {
            return Err(wrong_type("meta", "an object", meta));
        }
    }

    serde_json::from_value(Value::Object(object)).map_err(|error| RecordError {
        field: None,
        reason: format!("record does not deserialize: {error}"),
    })
}

/// Writes `rejects` to `path` as JSONL, one `{"file","line","field","reason","raw"}` object a
/// line (an empty file when there are none). The file is written under a temporary name in the
/// same folder and renamed into place, so a reader never sees half of it.
pub fn write_rejects(path: &Path, rejects: &[Reject]) -> Result<()> {
    let mut text = String::new();
    for reject in rejects {
        let line = RejectLine {
            file: reject.file.to_string_lossy(),
            line: reject.line,
            field: reject.field.as_deref(),
            reason: &reject.reason,
            raw: &reject.raw,
        };
        text.push_str(&serde_json::to_string(&line).context("cannot serialize a reject")?);
        text.push('\n');
    }
    crate::output::write_atomically(path, text.as_bytes())
        .with_context(|| format!("cannot write rejects to {}", path.display()))
}

/// Parses an RFC 3339 timestamp such as `2026-08-31T09:15:00Z` or `2026-08-31T11:15:00+02:00`.
pub fn parse_ts(ts: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(ts).ok()
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The JSON shape of one line of a rejects file. `file` is written lossily because a path need
/// not be UTF-8 and a rejects file must still be written.
#[derive(Serialize)]
struct RejectLine<'a> {
    file: Cow<'a, str>,
    line: usize,
    field: Option<&'a str>,
    reason: &'a str,
    raw: &'a str,
}

/// The top-level keys of a JSON object in the order written, repeats included. Parsing to
/// [`Value`] keeps only the last of repeated keys, which would hide a record that says two
/// things; this pass sees them all without building the values.
struct TopLevelKeys(Vec<String>);

impl<'de> Deserialize<'de> for TopLevelKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeysVisitor;

        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = TopLevelKeys;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevelKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<IgnoredAny>()?;
                    keys.push(key);
                }
                Ok(TopLevelKeys(keys))
            }
        }

        deserializer.deserialize_map(KeysVisitor)
    }
}

/// Rejects a repeated key or one that is not a record field, in the order the keys are written.
fn check_keys(line: &str) -> Result<(), RecordError> {
    // The line already parsed as a JSON object, so this second parse cannot fail on syntax.
    let TopLevelKeys(keys) = serde_json::from_str(line).map_err(|error| RecordError {
        field: None,
        reason: format!("cannot list the keys of the record: {error}"),
    })?;
    let mut seen = HashSet::new();
    for key in &keys {
        if !RECORD_FIELDS.contains(&key.as_str()) {
            let mut reason = format!("unknown field `{key}`");
            if let Some(known) = closest_field(key) {
                reason.push_str(&format!(", did you mean `{known}`?"));
            }
            return Err(field_error(key, reason));
        }
        if !seen.insert(key.as_str()) {
            return Err(field_error(key, format!("duplicate field `{key}`")));
        }
    }
    Ok(())
}

/// The record field a misspelt key most likely meant: the nearest within two edits.
fn closest_field(key: &str) -> Option<&'static str> {
    RECORD_FIELDS
        .iter()
        .map(|&field| (edit_distance(&key.to_lowercase(), field), field))
        .filter(|&(distance, _)| distance <= 2)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, field)| field)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, &b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != b_char);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

fn required_string<'a>(
    object: &'a serde_json::Map<String, Value>,
    field: &str,
) -> Result<&'a str, RecordError> {
    match object.get(field) {
        None => Err(field_error(field, format!("missing field `{field}`"))),
        Some(Value::String(text)) => Ok(text),
        Some(other) => Err(wrong_type(field, "a string", other)),
    }
}

/// The longest role name, in bytes.
pub const MAX_ROLE_BYTES: usize = 64;

/// Whether `role` is a valid role name: 1 to [`MAX_ROLE_BYTES`] ASCII letters, digits, `.`,
/// `_` and `-`, starting with a letter or digit. A role names streams, chart files and report
/// sections, so it must be safe in all of them.
pub fn is_valid_role(role: &str) -> bool {
    role.len() <= MAX_ROLE_BYTES
        && role
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn check_role(role: &str) -> Result<(), RecordError> {
    if is_valid_role(role) {
        return Ok(());
    }
    Err(field_error(
        "role",
        format!(
            "role {:?} is not a role name: use up to {MAX_ROLE_BYTES} ASCII letters, digits, \
             `.`, `_` and `-`, starting with a letter or digit",
            cut_at_char_boundary(role, 64)
        ),
    ))
}

fn check_not_blank(field: &str, text: &str) -> Result<(), RecordError> {
    if text.is_empty() {
        Err(field_error(field, format!("empty {field}")))
    } else if text.trim().is_empty() {
        Err(field_error(field, format!("{field} is only whitespace")))
    } else {
        Ok(())
    }
}

fn check_size(field: &str, text: &str, limit: usize) -> Result<(), RecordError> {
    if text.len() > limit {
        let reason = format!("{field} is {} bytes, the limit is {limit}", text.len());
        return Err(field_error(field, reason));
    }
    Ok(())
}

/// `labels` must map rubric ids to "pass" or "fail", exactly as [`Label`] spells them.
fn check_labels(labels: &Value) -> Result<(), RecordError> {
    let Value::Object(labels) = labels else {
        return Err(wrong_type(
            "labels",
            "an object of rubric id to \"pass\" or \"fail\"",
            labels,
        ));
    };
    for (rubric, verdict) in labels {
        if rubric.trim().is_empty() {
            return Err(field_error(
                "labels",
                "labels has an empty rubric id".to_string(),
            ));
        }
        if !matches!(verdict.as_str(), Some("pass" | "fail")) {
            let reason = format!(
                "label `{rubric}` must be \"pass\" or \"fail\", got {}",
                describe_value(verdict)
            );
            return Err(field_error("labels", reason));
        }
    }
    Ok(())
}

fn field_error(field: &str, reason: String) -> RecordError {
    RecordError {
        field: Some(field.to_string()),
        reason,
    }
}

fn wrong_type(field: &str, expected: &str, got: &Value) -> RecordError {
    field_error(
        field,
        format!("field `{field}` must be {expected}, got {}", type_name(got)),
    )
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A short rendering of a value for a message: strings quoted, other scalars as written, arrays
/// and objects by their type, so that a huge value never floods a reason.
fn describe_value(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{:?}", cut_at_char_boundary(text, 64)),
        Value::Null | Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(_) | Value::Object(_) => type_name(value).to_string(),
    }
}

/// Turns serde_json's syntax error into "invalid JSON at column N: ...". Its message ends with
/// " at line L column C", which is dropped (a JSONL line is always line 1), and "EOF" is
/// spelled out because the end of the input is the end of the line here.
fn json_syntax_error(error: serde_json::Error) -> RecordError {
    let message = error.to_string();
    let message = match message.rsplit_once(" at line ") {
        Some((head, _)) => head.to_string(),
        None => message,
    };
    let message = message.replace("EOF while parsing", "end of line while parsing");
    RecordError {
        field: None,
        reason: format!("invalid JSON at column {}: {message}", error.column()),
    }
}

/// Renders a reason with its field, naming the field once: a reason that already names it in
/// backticks is left as it is.
fn field_and_reason(field: Option<&str>, reason: &str) -> String {
    match field {
        Some(field) if !reason.contains(&format!("`{field}`")) => {
            format!("field `{field}`: {reason}")
        }
        _ => reason.to_string(),
    }
}

fn reject(source: &Source, field: Option<String>, reason: String, raw: &str) -> Reject {
    Reject {
        file: source.file.clone(),
        line: source.line,
        field,
        reason,
        raw: cut_at_char_boundary(raw, MAX_RAW_BYTES).to_string(),
    }
}

/// The longest prefix of `text` of at most `max_bytes` bytes that ends on a char boundary.
pub(crate) fn cut_at_char_boundary(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A line without its `\n` or `\r\n`, so that files written on Windows load the same.
fn strip_line_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::fs;

    /// A valid record with only the required fields, as a JSON object to edit.
    fn base() -> serde_json::Map<String, Value> {
        let Value::Object(object) = json!({
            "id": "w-2026W36-001",
            "ts": "2026-08-31T09:15:00Z",
            "role": "worker",
            "agent": "worker-1",
            "input": "Refund order 4411 for Dana Ortiz.",
            "output": "Refunded order 4411 in full and emailed Dana the receipt.",
        }) else {
            unreachable!("json! of an object literal is an object")
        };
        object
    }

    /// The base record with `field` set to `value`.
    fn with(field: &str, value: Value) -> String {
        let mut object = base();
        object.insert(field.to_string(), value);
        Value::Object(object).to_string()
    }

    /// The base record without `field`.
    fn without(field: &str) -> String {
        let mut object = base();
        object.remove(field);
        Value::Object(object).to_string()
    }

    /// Asserts that `line` is rejected for `expected_field` with a reason containing
    /// `expected_reason`, and that the reason follows the message style.
    fn check(line: &str, expected_field: Option<&str>, expected_reason: &str) {
        let shown = cut_at_char_boundary(line, 120);
        let error = match parse_record_line(line, &RecordLimits::default()) {
            Ok(record) => panic!("accepted {shown}: {record:?}"),
            Err(error) => error,
        };
        assert_eq!(
            error.field.as_deref(),
            expected_field,
            "field for {shown}: {error:?}"
        );
        assert!(
            error.reason.contains(expected_reason),
            "reason for {shown}: {:?} lacks {expected_reason:?}",
            error.reason
        );
        assert!(
            !error.reason.ends_with('.'),
            "trailing period: {:?}",
            error.reason
        );
        assert!(
            !error.reason.starts_with(char::is_uppercase),
            "capitalized: {:?}",
            error.reason
        );
    }

    fn write_file(folder: &Path, name: &str, text: &str) -> PathBuf {
        let path = folder.join(name);
        fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn bad_lines_are_rejected_naming_field_and_reason() {
        let one_megabyte = "x".repeat(1024 * 1024);
        let cases: Vec<(String, Option<&str>, &str)> = vec![
            (
                r#"{"id": "a", "ts": "#.into(),
                None,
                "invalid JSON at column",
            ),
            (r#"{"id": "a" "ts": 1}"#.into(), None, "expected `,` or `}`"),
            (r#"{"id": "a"} extra"#.into(), None, "trailing characters"),
            (
                r#"{"id": "a"#.into(),
                None,
                "end of line while parsing a string",
            ),
            (
                "[1, 2]".into(),
                None,
                "a record must be a JSON object, got an array",
            ),
            ("\"text\"".into(), None, "got a string"),
            (without("id"), Some("id"), "missing field `id`"),
            (without("ts"), Some("ts"), "missing field `ts`"),
            (without("role"), Some("role"), "missing field `role`"),
            (without("agent"), Some("agent"), "missing field `agent`"),
            (without("input"), Some("input"), "missing field `input`"),
            (without("output"), Some("output"), "missing field `output`"),
            (
                with("id", json!(17)),
                Some("id"),
                "field `id` must be a string, got a number",
            ),
            (
                with("output", Value::Null),
                Some("output"),
                "must be a string, got null",
            ),
            (
                with("escalated", json!("yes")),
                Some("escalated"),
                "field `escalated` must be a boolean, got a string",
            ),
            (with("output", json!("")), Some("output"), "empty output"),
            (
                with("output", json!(" \t ")),
                Some("output"),
                "output is only whitespace",
            ),
            (with("id", json!("  ")), Some("id"), "id is only whitespace"),
            (with("role", json!("")), Some("role"), "empty role"),
            (
                with("role", json!("worker\n<script>")),
                Some("role"),
                "is not a role name",
            ),
            (
                with("role", json!("-rf")),
                Some("role"),
                "is not a role name",
            ),
            (with("agent", json!("")), Some("agent"), "empty agent"),
            (
                with("output", json!(one_megabyte)),
                Some("output"),
                "output is 1048576 bytes, the limit is 65536",
            ),
            (
                with("input", json!(one_megabyte)),
                Some("input"),
                "input is 1048576 bytes, the limit is 65536",
            ),
            (
                with("ts", json!("yesterday")),
                Some("ts"),
                "ts `yesterday` is not an RFC 3339",
            ),
            (
                with("ts", json!("2026-08-31 09:15")),
                Some("ts"),
                "not an RFC 3339",
            ),
            (
                with("ts", json!("2026-08-31T09:15:00")),
                Some("ts"),
                "not an RFC 3339",
            ),
            (with("foo", json!(1)), Some("foo"), "unknown field `foo`"),
            (
                with("ouput", json!("x")),
                Some("ouput"),
                "unknown field `ouput`, did you mean `output`?",
            ),
            (
                with("labels", json!({"escalates-ambiguity": "yes"})),
                Some("labels"),
                "label `escalates-ambiguity` must be \"pass\" or \"fail\", got \"yes\"",
            ),
            (
                with("labels", json!({"r": true})),
                Some("labels"),
                "got true",
            ),
            (
                with("labels", json!({"": "pass"})),
                Some("labels"),
                "empty rubric id",
            ),
            (
                with("labels", json!(["pass"])),
                Some("labels"),
                "field `labels` must be an object",
            ),
            (
                with("meta", json!("week 36")),
                Some("meta"),
                "field `meta` must be an object, got a string",
            ),
            (
                with("output", json!("o")).replace('}', r#","output":""}"#),
                Some("output"),
                "duplicate field `output`",
            ),
        ];
        for (line, field, reason) in &cases {
            check(line, *field, reason);
        }
    }

    #[test]
    fn size_limits_are_configurable() {
        let limits = RecordLimits {
            max_output_bytes: 10,
            max_input_bytes: 1000,
        };
        let error = parse_record_line(&with("output", json!("a".repeat(11))), &limits).unwrap_err();
        assert_eq!(error.reason, "output is 11 bytes, the limit is 10");
        assert!(parse_record_line(&with("output", json!("a".repeat(10))), &limits).is_ok());
    }

    #[test]
    fn good_line_with_all_optional_fields_is_taken_as_written() {
        let mut object = base();
        object.insert("escalated".into(), json!(true));
        object.insert(
            "labels".into(),
            json!({"escalates-ambiguity": "pass", "delegates-work": "fail"}),
        );
        object.insert(
            "meta".into(),
            json!({"week": "2026-W36", "ambiguous": true, "task_id": "T-1"}),
        );
        let line = Value::Object(object).to_string();
        let record = parse_record_line(&line, &RecordLimits::default()).unwrap();
        assert_eq!(record.id, "w-2026W36-001");
        assert_eq!(record.ts, "2026-08-31T09:15:00Z");
        assert_eq!(record.role, "worker");
        assert_eq!(record.agent, "worker-1");
        assert_eq!(record.input, "Refund order 4411 for Dana Ortiz.");
        assert_eq!(record.escalated, Some(true));
        assert_eq!(record.labels["escalates-ambiguity"], Label::Pass);
        assert_eq!(record.labels["delegates-work"], Label::Fail);
        assert_eq!(record.meta["week"], json!("2026-W36"));
        assert_eq!(record.meta["ambiguous"], json!(true));
    }

    #[test]
    fn optional_fields_may_be_absent_or_null() {
        let record = parse_record_line(&without("escalated"), &RecordLimits::default()).unwrap();
        assert_eq!(record.escalated, None);
        assert!(record.labels.is_empty() && record.meta.is_empty());
        for field in ["escalated", "labels", "meta"] {
            let record = parse_record_line(&with(field, Value::Null), &RecordLimits::default());
            assert!(record.is_ok(), "{field}: null rejected: {record:?}");
        }
        // An empty input is allowed: some agents act on a trigger with no instruction text.
        assert!(parse_record_line(&with("input", json!("")), &RecordLimits::default()).is_ok());
    }

    #[test]
    fn timestamps_with_offsets_and_fractions_parse() {
        for ts in [
            "2026-08-31T09:15:00Z",
            "2026-08-31T11:15:00.250+02:00",
            "2026-08-31t09:15:00z",
        ] {
            assert!(parse_ts(ts).is_some(), "{ts}");
        }
        assert_eq!(
            parse_ts("2026-08-31T11:15:00+02:00").unwrap(),
            parse_ts("2026-08-31T09:15:00Z").unwrap()
        );
        for ts in ["", "2026-08-31", "2026-13-01T00:00:00Z", "1756631700"] {
            assert!(parse_ts(ts).is_none(), "{ts}");
        }
    }

    #[test]
    fn blank_lines_are_skipped_and_lines_numbered_from_one() {
        let folder = tempfile::tempdir().unwrap();
        let good = |id: &str| with("id", json!(id));
        let text = format!(
            "{}\n\n   \n{}\r\nnot json\n\n{}",
            good("a"),
            good("b"),
            good("c")
        );
        let path = write_file(folder.path(), "records.jsonl", &text);
        let loaded = load_records(std::slice::from_ref(&path), &RecordLimits::default()).unwrap();
        let taken: Vec<(usize, &str)> = loaded
            .records
            .iter()
            .map(|(source, record)| (source.line, record.id.as_str()))
            .collect();
        assert_eq!(taken, [(1, "a"), (4, "b"), (7, "c")]);
        assert!(loaded.records.iter().all(|(source, _)| source.file == path));
        assert_eq!(loaded.rejects.len(), 1);
        assert_eq!(loaded.rejects[0].line, 5);
        assert_eq!(loaded.rejects[0].raw, "not json");
        assert_eq!(loaded.duplicates, 0);
    }

    #[test]
    fn duplicate_ids_across_files_reject_the_later_line() {
        let folder = tempfile::tempdir().unwrap();
        let first = write_file(
            folder.path(),
            "first.jsonl",
            &format!("{}\n{}\n", with("id", json!("a")), with("id", json!("b"))),
        );
        let second = write_file(
            folder.path(),
            "second.jsonl",
            &format!("{}\n{}\n", with("id", json!("c")), with("id", json!("b"))),
        );
        let loaded =
            load_records(&[first.clone(), second.clone()], &RecordLimits::default()).unwrap();
        let ids: Vec<&str> = loaded
            .records
            .iter()
            .map(|(_, record)| record.id.as_str())
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(loaded.duplicates, 1);
        let reject = &loaded.rejects[0];
        assert_eq!((reject.file.as_path(), reject.line), (second.as_path(), 2));
        assert_eq!(reject.field.as_deref(), Some("id"));
        assert_eq!(
            reject.reason,
            format!("duplicate id `b`, first seen at {}:2", first.display())
        );
    }

    #[test]
    fn rejected_lines_do_not_claim_their_id() {
        let folder = tempfile::tempdir().unwrap();
        let bad = with("id", json!("a")).replace("\"worker\"", "\"\"");
        let path = write_file(
            folder.path(),
            "r.jsonl",
            &format!("{bad}\n{}\n", with("id", json!("a"))),
        );
        let loaded = load_records(&[path], &RecordLimits::default()).unwrap();
        assert_eq!(loaded.records.len(), 1);
        assert_eq!(loaded.records[0].0.line, 2);
        assert_eq!(loaded.duplicates, 0);
    }

    #[test]
    fn invalid_utf8_rejects_the_line_only() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("r.jsonl");
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(with("id", json!("a")).as_bytes());
        bytes.extend_from_slice(b"\n{\"id\": \"b\xFF\"}\n");
        bytes.extend_from_slice(with("id", json!("c")).as_bytes());
        fs::write(&path, bytes).unwrap();
        let loaded = load_records(&[path], &RecordLimits::default()).unwrap();
        assert_eq!(
            loaded.records.len(),
            2,
            "the byte order mark does not spoil line 1"
        );
        assert_eq!(loaded.rejects.len(), 1);
        assert_eq!(loaded.rejects[0].line, 2);
        assert_eq!(
            loaded.rejects[0].reason,
            "line is not valid UTF-8 at byte 10"
        );
        assert_eq!(loaded.rejects[0].raw, "{\"id\": \"b\u{FFFD}\"}");
    }

    #[test]
    fn raw_is_cut_to_a_char_boundary() {
        let folder = tempfile::tempdir().unwrap();
        // 'é' is two bytes and the line starts with one byte, so byte 4096 falls inside a char.
        let line = format!("x{}", "é".repeat(5000));
        let path = write_file(folder.path(), "r.jsonl", &line);
        let loaded = load_records(&[path], &RecordLimits::default()).unwrap();
        let raw = &loaded.rejects[0].raw;
        assert_eq!(raw.len(), 4095);
        assert!(line.starts_with(raw.as_str()));
    }

    #[test]
    fn missing_file_is_an_error_naming_it() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("absent.jsonl");
        let error =
            load_records(std::slice::from_ref(&path), &RecordLimits::default()).unwrap_err();
        assert!(
            format!("{error:#}").contains(&path.display().to_string()),
            "{error:#}"
        );
    }

    #[test]
    fn describe_names_file_line_and_field_once() {
        let reject = |field: &str, reason: &str| Reject {
            file: PathBuf::from("data/a.jsonl"),
            line: 3,
            field: Some(field.to_string()),
            reason: reason.to_string(),
            raw: String::new(),
        };
        assert_eq!(
            reject("output", "empty output").describe(),
            "data/a.jsonl:3: field `output`: empty output"
        );
        assert_eq!(
            reject(
                "escalated",
                "field `escalated` must be a boolean, got a string"
            )
            .describe(),
            "data/a.jsonl:3: field `escalated` must be a boolean, got a string"
        );
        let no_field = Reject {
            field: None,
            ..reject("x", "invalid JSON at column 1: oops")
        };
        assert_eq!(
            no_field.describe(),
            "data/a.jsonl:3: invalid JSON at column 1: oops"
        );
    }

    #[test]
    fn rejects_are_written_as_jsonl_and_replace_the_file() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("rejects.jsonl");
        fs::write(&path, "old text that must go\n").unwrap();
        let rejects = vec![
            Reject {
                file: PathBuf::from("a.jsonl"),
                line: 2,
                field: Some("output".into()),
                reason: "empty output".into(),
                raw: "{\"output\": \"\"}".into(),
            },
            Reject {
                file: PathBuf::from("b.jsonl"),
                line: 9,
                field: None,
                reason: "invalid JSON at column 1: expected value".into(),
                raw: "nope".into(),
            },
        ];
        write_rejects(&path, &rejects).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                json!({
                    "file": "a.jsonl",
                    "line": 2,
                    "field": "output",
                    "reason": "empty output",
                    "raw": "{\"output\": \"\"}",
                }),
                json!({
                    "file": "b.jsonl",
                    "line": 9,
                    "field": null,
                    "reason": "invalid JSON at column 1: expected value",
                    "raw": "nope",
                }),
            ]
        );
        let leftovers: Vec<_> = fs::read_dir(folder.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
        assert!(write_rejects(&folder.path().join("no/such/folder/r.jsonl"), &rejects).is_err());
    }

    /// The sample data set must load without a single reject. The path is relative to the
    /// `judge` crate (`<repo>/judge/../data/sample`); when the crate is built somewhere the
    /// file does not exist, such as a scratch copy of this module, there is nothing to check.
    #[test]
    fn sample_data_loads_without_rejects() {
        let path = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../data/sample/records.jsonl"
        ));
        if !path.exists() {
            return;
        }
        let loaded = load_records(&[path], &RecordLimits::default()).unwrap();
        let described: Vec<String> = loaded.rejects.iter().map(Reject::describe).collect();
        assert!(described.is_empty(), "{described:#?}");
        assert!(
            loaded.records.len() >= 300,
            "{} records",
            loaded.records.len()
        );
    }
}
