//! Running the `judge` binary from a test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The release or debug `judge` binary next to this test executable's folder.
pub fn judge_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let bin = profile_dir.join("judge");
    assert!(
        bin.is_file(),
        "{} is missing: build it first (`cargo build --release -p judge`, scripts/test.sh does)",
        bin.display()
    );
    bin
}

pub fn judge(args: &[&str], dir: &Path) -> Output {
    Command::new(judge_bin())
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap()
}

/// Runs `judge args` in `dir`, asserts it succeeded (showing its stderr if not) and returns
/// its stdout.
pub fn run_ok(args: &[&str], dir: &Path) -> String {
    let output = judge(args, dir);
    assert!(
        output.status.success(),
        "judge {}: {}",
        args.join(" "),
        stderr(&output)
    );
    stdout(&output)
}

/// The command line of the example agent for `judge suite run --agent-cmd`.
pub fn echo_agent_cmd() -> String {
    format!(
        "python3 {}",
        repo_root().join("tests/agents/echo_agent.py").display()
    )
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// True when the real-model tests are enabled; they then fail, not skip, on a missing model.
pub fn real_models_enabled() -> bool {
    let enabled = std::env::var("JUDGE_REAL_MODELS").as_deref() == Ok("1");
    if !enabled {
        eprintln!("skipping: set JUDGE_REAL_MODELS=1 to run the tests on the real models");
    }
    enabled
}

/// Asserts the command failed with exactly one `error: ...` line and no panic or backtrace.
pub fn assert_one_clear_error(output: &Output, expected: &str) {
    let err = stderr(output);
    assert!(
        !output.status.success(),
        "expected failure, got success: {err}"
    );
    assert!(!err.contains("panicked"), "panic: {err}");
    assert!(!err.contains("backtrace"), "backtrace: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(err.contains(expected), "expected {expected:?} in: {err}");
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
