//! The live agent a suite runs against, behind two adapters: an OpenAI-compatible
//! chat-completions endpoint (llama.cpp's server, vLLM, Ollama...) and a local command that
//! speaks JSON on stdin and stdout.
//!
//! An agent that fails (unreachable, an HTTP error, a malformed reply, a crash, a timeout) is
//! reported as a [`Failure`], never as a reply: the suite runner records it apart from the
//! behavioral verdicts, so a broken deployment is never mistaken for misbehavior.
//!
//! A command agent runs as `sh -c COMMAND` in a process group of its own. When a case is over
//! (replied, failed or timed out) the whole group is killed with one `kill(2)` on the group:
//! the shell, the agent (whether or not the shell `exec`ed it) and any child it left running
//! in the background. Nothing outside that group is ever signalled. A process that leaves the
//! group on purpose (`setsid`, `setpgid`) is beyond reach, as it is for a shell's job control.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use serde_json::{json, Value};

use crate::suites::Turn;

/// How a suite reaches the agent.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    pub adapter: Adapter,
    /// The most one attempt at one case may take.
    pub timeout: Duration,
    /// The largest reply `output` taken, in bytes ([`DEFAULT_MAX_REPLY_BYTES`] by default); a
    /// longer one is an agent error. Reading stops at [`raw_reply_limit`] bytes, so an agent
    /// that writes without end costs a bounded amount of memory.
    pub max_reply_bytes: usize,
}

/// The default cap on a reply's `output`: the cap on a record's output, which the reply
/// becomes.
pub const DEFAULT_MAX_REPLY_BYTES: usize = crate::records::DEFAULT_MAX_FIELD_BYTES;

/// How many bytes of a reply are read at most for an `output` of up to `max_reply_bytes`:
/// room for JSON escapes (up to 6 bytes for one character, usually far fewer) and the rest of
/// the reply object.
pub fn raw_reply_limit(max_reply_bytes: usize) -> usize {
    max_reply_bytes.saturating_mul(4).saturating_add(64 * 1024)
}

#[derive(Debug, Clone)]
pub enum Adapter {
    /// POST to a chat-completions endpoint.
    Http {
        /// The endpoint, as given (see [`chat_completions_url`]).
        url: String,
        /// The `model` field of the request.
        model: String,
        /// Further attempts after a connection error, a timeout, HTTP 429 or a 5xx.
        retries: u32,
        /// The tool (function) name whose call means the agent escalated.
        escalation_tool: String,
    },
    /// A program run through `sh -c`.
    Command { command: String, mode: CommandMode },
}

/// How the command adapter talks to its program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandMode {
    /// One process per case: the case as one JSON object on stdin, the reply as one JSON
    /// object on stdout, then the process exits.
    PerCase,
    /// One long-running process per worker: one JSON line in, one JSON line out, per case.
    Lines,
}

/// What is sent to the agent for one case.
#[derive(Debug, Clone)]
pub struct AgentRequest<'a> {
    pub suite: &'a str,
    pub case: &'a str,
    pub role: &'a str,
    pub system: Option<&'a str>,
    /// The case's plain input, when it was written as one.
    pub input: Option<&'a str>,
    pub messages: &'a [Turn],
}

/// What came back for one case.
#[derive(Debug, Clone)]
pub struct AgentAnswer {
    pub result: std::result::Result<Reply, Failure>,
    /// The command's standard error while it handled the case (the command adapter only),
    /// cut to its last [`MAX_STDERR_BYTES`].
    pub stderr: String,
    pub latency_ms: u64,
    pub attempts: u32,
}

/// The agent's reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The text the judge scores.
    pub output: String,
    /// Whether the agent escalated; `None` when the agent did not say.
    pub escalated: Option<bool>,
}

/// Why there is no reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub timed_out: bool,
    pub message: String,
}

/// How much of a command's stderr is kept per case.
pub const MAX_STDERR_BYTES: usize = 16 * 1024;

/// The endpoint a URL means: a URL that already ends in `/chat/completions` as it is, one that
/// ends in `/v1` with `/chat/completions` added, anything else with `/v1/chat/completions`.
pub fn chat_completions_url(url: &str) -> String {
    let url = url.trim_end_matches('/');
    if url.ends_with("/chat/completions") {
        url.to_string()
    } else if url.ends_with("/v1") {
        format!("{url}/chat/completions")
    } else {
        format!("{url}/v1/chat/completions")
    }
}

impl AgentConfig {
    /// The agent in words, stored with each run.
    pub fn describe(&self) -> String {
        match &self.adapter {
            Adapter::Http { url, model, .. } => {
                format!("http {} model {model}", chat_completions_url(url))
            }
            Adapter::Command { command, mode } => match mode {
                CommandMode::PerCase => format!("command {command}"),
                CommandMode::Lines => format!("command (lines) {command}"),
            },
        }
    }

    /// Refuses what cannot work before any case is sent.
    pub fn validate(&self) -> Result<()> {
        if self.timeout.is_zero() {
            bail!("the agent timeout must be positive");
        }
        if self.max_reply_bytes == 0 {
            bail!("the cap on a reply's size must be at least 1 byte");
        }
        match &self.adapter {
            Adapter::Http { url, .. } => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    bail!("agent url `{url}` must start with http:// or https://");
                }
            }
            Adapter::Command { command, .. } => {
                if command.trim().is_empty() {
                    bail!("the agent command is empty");
                }
            }
        }
        Ok(())
    }
}

/// One worker's connection to the agent: holds the long-running process of the lines mode.
pub struct AgentSession<'a> {
    config: &'a AgentConfig,
    http: Option<ureq::Agent>,
    process: Option<LinesProcess>,
}

impl<'a> AgentSession<'a> {
    pub fn new(config: &'a AgentConfig) -> AgentSession<'a> {
        let http = matches!(config.adapter, Adapter::Http { .. }).then(|| {
            ureq::AgentBuilder::new()
                .timeout_connect(config.timeout)
                .timeout(config.timeout)
                .build()
        });
        AgentSession {
            config,
            http,
            process: None,
        }
    }

    /// Sends one case and waits for the reply, within the timeout.
    pub fn ask(&mut self, request: &AgentRequest) -> AgentAnswer {
        let started = Instant::now();
        let (result, stderr, attempts) = match &self.config.adapter {
            Adapter::Http {
                url,
                model,
                retries,
                escalation_tool,
            } => {
                let http = self.http.as_ref().expect("an http session has a client");
                let (result, attempts) = ask_http(
                    http,
                    url,
                    model,
                    *retries,
                    escalation_tool,
                    request,
                    self.config.max_reply_bytes,
                );
                (result, String::new(), attempts)
            }
            Adapter::Command { command, mode } => {
                let line = command_request(request).to_string();
                let limit = self.config.max_reply_bytes;
                let (result, stderr) = match mode {
                    CommandMode::PerCase => ask_once(command, &line, self.config.timeout, limit),
                    CommandMode::Lines => ask_lines(
                        &mut self.process,
                        command,
                        &line,
                        self.config.timeout,
                        limit,
                    ),
                };
                (result, stderr, 1)
            }
        };
        let result = result.and_then(|reply| check_reply_size(reply, self.config.max_reply_bytes));
        AgentAnswer {
            result,
            stderr,
            latency_ms: started.elapsed().as_millis() as u64,
            attempts,
        }
    }
}

impl Drop for AgentSession<'_> {
    fn drop(&mut self) {
        if let Some(process) = self.process.take() {
            process.stop();
        }
    }
}

type Outcome = std::result::Result<Reply, Failure>;

/// A reply whose output is over the cap is an agent error, like any other unusable reply.
fn check_reply_size(reply: Reply, max_reply_bytes: usize) -> Outcome {
    if reply.output.len() > max_reply_bytes {
        return Err(failure(format!(
            "the reply's output is {} bytes, over the cap of {max_reply_bytes} \
             (--max-reply-bytes)",
            reply.output.len()
        )));
    }
    Ok(reply)
}

/// The failure of a reply that did not end within [`raw_reply_limit`] bytes.
fn oversized(max_reply_bytes: usize) -> Failure {
    failure(format!(
        "the reply went on past {} bytes without ending (the cap on its output is \
         {max_reply_bytes} bytes, --max-reply-bytes): the agent was stopped",
        raw_reply_limit(max_reply_bytes)
    ))
}

fn failure(message: impl Into<String>) -> Failure {
    Failure {
        timed_out: false,
        message: message.into(),
    }
}

fn timeout_failure(message: impl Into<String>) -> Failure {
    Failure {
        timed_out: true,
        message: message.into(),
    }
}

/// The escalation tool offered to the agent, in the chat-completions `tools` format.
fn escalation_tool_spec(name: &str) -> Value {
    json!({
        "type": "function",
        "function": {
            "name": name,
            "description": "Stop and ask the foreman or a person, when the instruction is \
                            ambiguous, misses something needed, or is risky.",
            "parameters": {
                "type": "object",
                "properties": {"question": {"type": "string"}},
                "required": ["question"],
            },
        },
    })
}

fn ask_http(
    http: &ureq::Agent,
    url: &str,
    model: &str,
    retries: u32,
    escalation_tool: &str,
    request: &AgentRequest,
    max_reply_bytes: usize,
) -> (Outcome, u32) {
    let endpoint = chat_completions_url(url);
    let mut messages = Vec::new();
    if let Some(system) = request.system {
        messages.push(json!({"role": "system", "content": system}));
    }
    for turn in request.messages {
        messages.push(json!({"role": turn.role, "content": turn.content}));
    }
    let body = json!({
        "model": model,
        "messages": messages,
        "tools": [escalation_tool_spec(escalation_tool)],
    });
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (outcome, retryable) =
            post_once(http, &endpoint, &body, escalation_tool, max_reply_bytes);
        if outcome.is_ok() || !retryable || attempt > retries {
            return (outcome, attempt);
        }
        // Exponential backoff, 250 ms then 500 ms...: a restarting server gets a moment.
        std::thread::sleep(Duration::from_millis(250 << (attempt - 1).min(4)));
    }
}

/// One POST; the second value says whether another attempt may succeed.
fn post_once(
    http: &ureq::Agent,
    endpoint: &str,
    body: &Value,
    tool: &str,
    max_reply_bytes: usize,
) -> (Outcome, bool) {
    let response = match http.post(endpoint).send_json(body) {
        Ok(response) => response,
        Err(ureq::Error::Status(status, response)) => {
            // Only an excerpt is shown: read no more than that.
            let mut text = Vec::new();
            let _ = response.into_reader().take(4096).read_to_end(&mut text);
            let text = String::from_utf8_lossy(&text);
            let message = format!("HTTP {status} from {endpoint}: {}", excerpt(&text));
            return (Err(failure(message)), status == 429 || status >= 500);
        }
        Err(ureq::Error::Transport(transport)) => {
            let timed_out = is_timeout(&transport);
            let message = if timed_out {
                format!("no reply from {endpoint} in time: {transport}")
            } else {
                format!("cannot reach {endpoint}: {transport}")
            };
            let failure = Failure { timed_out, message };
            return (Err(failure), true);
        }
    };
    let limit = raw_reply_limit(max_reply_bytes);
    let mut bytes = Vec::new();
    let read = response
        .into_reader()
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes);
    if bytes.len() > limit {
        return (Err(oversized(max_reply_bytes)), false);
    }
    let text = match read.map(|_| String::from_utf8_lossy(&bytes).into_owned()) {
        Ok(text) => text,
        Err(error) => {
            let timed_out = matches!(
                error.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            );
            let message = format!("reading the reply from {endpoint}: {error}");
            return (Err(Failure { timed_out, message }), true);
        }
    };
    (parse_chat_completion(&text, tool), false)
}

fn is_timeout(transport: &ureq::Transport) -> bool {
    let mut source = std::error::Error::source(transport);
    while let Some(error) = source {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) {
                return true;
            }
        }
        source = error.source();
    }
    transport.to_string().contains("timed out")
}

/// `choices[0].message`: its `content`, and whether a `tool_calls` entry calls the escalation
/// tool. A tool call's arguments are added to the output so that the judge sees the question
/// the agent asked.
fn parse_chat_completion(text: &str, tool: &str) -> Outcome {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        failure(format!(
            "malformed reply (not JSON: {e}): {}",
            excerpt(text)
        ))
    })?;
    let message = value
        .pointer("/choices/0/message")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            failure(format!(
                "malformed reply: no `choices[0].message` object: {}",
                excerpt(text)
            ))
        })?;
    let content = match message.get("content") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => {
            return Err(failure(format!(
                "malformed reply: `choices[0].message.content` is not a string: {}",
                excerpt(&other.to_string())
            )))
        }
    };
    let calls = match message.get("tool_calls") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(calls)) => calls.clone(),
        Some(_) => {
            return Err(failure(
                "malformed reply: `choices[0].message.tool_calls` is not a list",
            ))
        }
    };
    let mut output = content.trim().to_string();
    let mut escalated = false;
    for call in &calls {
        let name = call.pointer("/function/name").and_then(Value::as_str);
        let Some(name) = name else {
            return Err(failure(
                "malformed reply: a tool call without `function.name`",
            ));
        };
        escalated |= name == tool;
        let arguments = call
            .pointer("/function/arguments")
            .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
            .unwrap_or_default();
        if !output.is_empty() {
            output.push('\n');
        }
        output.push_str(&format!("[calls {name}: {arguments}]"));
    }
    if output.is_empty() {
        return Err(failure("empty reply: no content and no tool call"));
    }
    Ok(Reply {
        output,
        escalated: Some(escalated),
    })
}

/// The JSON object a command receives for a case.
fn command_request(request: &AgentRequest) -> Value {
    let mut value = json!({
        "suite": request.suite,
        "case": request.case,
        "role": request.role,
        "messages": request.messages,
    });
    if let Some(system) = request.system {
        value["system"] = system.into();
    }
    if let Some(input) = request.input {
        value["input"] = input.into();
    }
    value
}

/// A command's reply: one JSON object with `output` (a string) and optionally `escalated`.
fn parse_command_reply(text: &str) -> Outcome {
    let text = text.trim();
    if text.is_empty() {
        return Err(failure("empty reply on stdout"));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        failure(format!(
            "malformed reply (not one JSON object: {e}): {}",
            excerpt(text)
        ))
    })?;
    let output = match value.get("output") {
        Some(Value::String(output)) if !output.trim().is_empty() => output.clone(),
        Some(Value::String(_)) => return Err(failure("malformed reply: `output` is empty")),
        Some(_) => return Err(failure("malformed reply: `output` is not a string")),
        None => {
            return Err(failure(format!(
                "malformed reply: no `output`: {}",
                excerpt(text)
            )))
        }
    };
    let escalated = match value.get("escalated") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(failure("malformed reply: `escalated` is not true or false")),
    };
    Ok(Reply { output, escalated })
}

/// Starts `sh -c COMMAND` with all three pipes, as the leader of a new process group.
fn spawn(command: &str) -> std::io::Result<Child> {
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut shell, 0);
    shell.spawn()
}

/// Whether the shell has exited, without reaping it: until it is reaped, its pid (which is
/// also its group's id) cannot be taken by another process, so killing the group stays safe.
#[cfg(unix)]
fn has_exited(child: &Child) -> bool {
    use rustix::process::{waitid, Pid, WaitId, WaitIdOptions};
    let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
    match waitid(WaitId::Pid(Pid::from_child(child)), options) {
        Ok(status) => status.is_some(),
        // Already reaped: nothing is left to wait for.
        Err(_) => true,
    }
}

#[cfg(not(unix))]
fn has_exited(child: &mut Child) -> bool {
    matches!(child.try_wait(), Ok(Some(_)) | Err(_))
}

/// Kills the shell's process group (see the module docs) and reaps the shell; its status.
/// Called once per process, before anything else reaps it.
fn end(child: &mut Child) -> Option<ExitStatus> {
    #[cfg(unix)]
    {
        use rustix::process::{kill_process_group, Pid, Signal};
        // `spawn` made the shell the leader of a group whose id is its pid, and the shell is
        // not reaped yet, so this group is the agent's and nobody else's. An empty group (every
        // member gone) is not an error.
        let _ = kill_process_group(Pid::from_child(child), Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = child.kill();
    child.wait().ok()
}

/// Gives the shell up to `grace` to exit on its own, then ends its group (which also ends any
/// background child it left); whether it had exited on its own, and its status.
fn finish(child: &mut Child, grace: Duration) -> (bool, Option<ExitStatus>) {
    let deadline = Instant::now() + grace;
    let mut exited = has_exited(child);
    while !exited && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
        exited = has_exited(child);
    }
    (exited, end(child))
}

/// Collects a stream into a shared buffer from a thread, keeping its last bytes.
fn collect_stderr(stream: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buffer);
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut chunk = [0u8; 4096];
        while let Ok(n) = reader.read(&mut chunk) {
            if n == 0 {
                break;
            }
            let mut buffer = sink.lock().expect("stderr buffer");
            buffer.extend_from_slice(&chunk[..n]);
            let excess = buffer.len().saturating_sub(4 * MAX_STDERR_BYTES);
            buffer.drain(..excess);
        }
    });
    buffer
}

/// Takes what the buffer holds, as text cut to its last [`MAX_STDERR_BYTES`].
fn drain_stderr(buffer: &Mutex<Vec<u8>>) -> String {
    let bytes: Vec<u8> = std::mem::take(&mut *buffer.lock().expect("stderr buffer"));
    let start = bytes.len().saturating_sub(MAX_STDERR_BYTES);
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

/// One process for one case.
fn ask_once(
    command: &str,
    request: &str,
    timeout: Duration,
    max_reply_bytes: usize,
) -> (Outcome, String) {
    let deadline = Instant::now() + timeout;
    let mut child = match spawn(command) {
        Ok(child) => child,
        Err(error) => {
            return (
                Err(failure(format!("cannot start `sh -c {command}`: {error}"))),
                String::new(),
            )
        }
    };
    let stderr = collect_stderr(child.stderr.take().expect("piped stderr"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    let request = request.to_string();
    // A program that never reads its stdin must not block us: write from a thread.
    std::thread::spawn(move || {
        let _ = stdin.write_all(request.as_bytes());
        let _ = stdin.write_all(b"\n");
    });
    let stdout = child.stdout.take().expect("piped stdout");
    let limit = raw_reply_limit(max_reply_bytes);
    let (sender, receiver) = mpsc::channel();
    // Reads at most one byte past the limit: an agent that writes without end is stopped
    // there, not followed until memory runs out.
    std::thread::spawn(move || {
        let mut text = Vec::new();
        let result = stdout
            .take(limit as u64 + 1)
            .read_to_end(&mut text)
            .map(|_| text);
        let _ = sender.send(result);
    });
    let result = match receiver.recv_timeout(timeout) {
        Ok(Ok(bytes)) if bytes.len() > limit => {
            end(&mut child);
            Err(oversized(max_reply_bytes))
        }
        Ok(Ok(bytes)) => {
            // Stdout is closed; the process should be exiting. Give it what is left of the
            // timeout to do so; its group goes either way.
            let grace = deadline.saturating_duration_since(Instant::now());
            match finish(&mut child, grace) {
                (false, _) => Err(timeout_failure(format!(
                    "closed stdout but did not exit within {}",
                    seconds(timeout)
                ))),
                (true, Some(status)) if !status.success() => {
                    Err(failure(format!("the command exited with {status}")))
                }
                (true, Some(_)) => parse_command_reply(&String::from_utf8_lossy(&bytes)),
                (true, None) => Err(failure("the command's exit status cannot be read")),
            }
        }
        Ok(Err(error)) => {
            end(&mut child);
            Err(failure(format!("reading the command's stdout: {error}")))
        }
        Err(_) => {
            end(&mut child);
            Err(timeout_failure(format!(
                "no reply within {}",
                seconds(timeout)
            )))
        }
    };
    // The stderr reader ends when the pipe closes; a moment lets it catch the last lines.
    let waited = Instant::now();
    while Arc::strong_count(&stderr) > 1 && waited.elapsed() < Duration::from_millis(200) {
        std::thread::sleep(Duration::from_millis(2));
    }
    (result, drain_stderr(&stderr))
}

/// A long-running command of the lines mode.
struct LinesProcess {
    child: Child,
    stdin: ChildStdin,
    /// Each line of stdout, or `None` for a line longer than the reply limit (reading stops
    /// there).
    lines: Receiver<std::io::Result<Option<String>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl LinesProcess {
    fn start(command: &str, max_reply_bytes: usize) -> std::io::Result<LinesProcess> {
        let mut child = spawn(command)?;
        let stderr = collect_stderr(child.stderr.take().expect("piped stderr"));
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let limit = raw_reply_limit(max_reply_bytes) as u64;
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = Vec::new();
                let read = (&mut reader).take(limit + 1).read_until(b'\n', &mut line);
                let item = match read {
                    Ok(0) => break,
                    Ok(_) if line.last() != Some(&b'\n') && line.len() as u64 > limit => None,
                    Ok(_) => {
                        if line.last() == Some(&b'\n') {
                            line.pop();
                        }
                        Some(String::from_utf8_lossy(&line).into_owned())
                    }
                    Err(error) => {
                        let _ = sender.send(Err(error));
                        break;
                    }
                };
                let too_long = item.is_none();
                if sender.send(Ok(item)).is_err() || too_long {
                    break;
                }
            }
        });
        Ok(LinesProcess {
            child,
            stdin,
            lines,
            stderr,
        })
    }

    /// Closes stdin so the program can exit on its own, then ends its group.
    fn stop(mut self) {
        drop(self.stdin);
        finish(&mut self.child, Duration::from_millis(500));
    }
}

/// One case through the long-running process, started (again) when there is none; a process
/// that timed out or died is dropped, and the next case starts a fresh one.
fn ask_lines(
    slot: &mut Option<LinesProcess>,
    command: &str,
    request: &str,
    timeout: Duration,
    max_reply_bytes: usize,
) -> (Outcome, String) {
    if slot.is_none() {
        match LinesProcess::start(command, max_reply_bytes) {
            Ok(process) => *slot = Some(process),
            Err(error) => {
                return (
                    Err(failure(format!("cannot start `sh -c {command}`: {error}"))),
                    String::new(),
                )
            }
        }
    }
    let process = slot.as_mut().expect("started above");
    let sent = process
        .stdin
        .write_all(request.as_bytes())
        .and_then(|()| process.stdin.write_all(b"\n"))
        .and_then(|()| process.stdin.flush());
    let result = match sent {
        Err(error) => Err(failure(format!("writing to the command: {error}"))),
        Ok(()) => match process.lines.recv_timeout(timeout) {
            Ok(Ok(Some(line))) => parse_command_reply(&line),
            Ok(Ok(None)) => Err(oversized(max_reply_bytes)),
            Ok(Err(error)) => Err(failure(format!("reading the command's stdout: {error}"))),
            Err(RecvTimeoutError::Timeout) => Err(timeout_failure(format!(
                "no reply within {}",
                seconds(timeout)
            ))),
            // Reported below, once its exit status is known.
            Err(RecvTimeoutError::Disconnected) => Err(failure("")),
        },
    };
    if let Err(failed) = result {
        // Out of step with the program (a late reply would answer the next case): start over.
        let process = slot.take().expect("present");
        let stderr = Arc::clone(&process.stderr);
        let mut child = process.child;
        let failed = if failed.message.is_empty() {
            // Its stdout closed: it is exiting, or has.
            let (_, status) = finish(&mut child, Duration::from_millis(200));
            let status = status.map(|s| s.to_string()).unwrap_or_default();
            failure(format!("the command exited ({status}) before replying"))
        } else {
            end(&mut child);
            failed
        };
        return (Err(failed), drain_stderr(&stderr));
    }
    (result, drain_stderr(&process.stderr))
}

fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

/// The start of a long text, for error messages.
fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls() {
        assert_eq!(
            chat_completions_url("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/v1/chat/completions"
        );
        assert_eq!(
            chat_completions_url("http://h/v1/"),
            "http://h/v1/chat/completions"
        );
        assert_eq!(
            chat_completions_url("http://h/api/chat/completions"),
            "http://h/api/chat/completions"
        );
    }

    #[test]
    fn chat_completion_replies() {
        let reply = parse_chat_completion(
            r#"{"choices": [{"message": {"role": "assistant", "content": "Done."}}]}"#,
            "escalate",
        )
        .unwrap();
        assert_eq!(
            reply,
            Reply {
                output: "Done.".into(),
                escalated: Some(false)
            }
        );
        let reply = parse_chat_completion(
            r#"{"choices": [{"message": {"content": null, "tool_calls": [{"type": "function",
               "function": {"name": "escalate", "arguments": "{\"question\": \"Which?\"}"}}]}}]}"#,
            "escalate",
        )
        .unwrap();
        assert_eq!(reply.escalated, Some(true));
        assert_eq!(reply.output, r#"[calls escalate: {"question": "Which?"}]"#);
        let err = parse_chat_completion(r#"{"choices": []}"#, "escalate").unwrap_err();
        assert!(err.message.contains("no `choices[0].message`"), "{err:?}");
        let err = parse_chat_completion("<html>", "escalate").unwrap_err();
        assert!(
            err.message.starts_with("malformed reply (not JSON"),
            "{err:?}"
        );
        assert!(!err.timed_out);
    }

    #[test]
    fn command_replies() {
        let reply = parse_command_reply(r#" {"output": "Asked.", "escalated": true} "#).unwrap();
        assert_eq!(
            reply,
            Reply {
                output: "Asked.".into(),
                escalated: Some(true)
            }
        );
        assert_eq!(
            parse_command_reply(r#"{"output": "x"}"#).unwrap().escalated,
            None
        );
        for (text, expected) in [
            ("", "empty reply"),
            ("{\"output\": 3}", "`output` is not a string"),
            (
                "{\"output\": \"x\", \"escalated\": \"yes\"}",
                "`escalated` is not true or false",
            ),
            ("{\"output\": \"x\"} {}", "not one JSON object"),
        ] {
            let err = parse_command_reply(text).unwrap_err();
            assert!(err.message.contains(expected), "{text}: {err:?}");
        }
    }

    #[test]
    fn a_command_that_hangs_times_out_and_keeps_its_stderr() {
        let config = AgentConfig {
            adapter: Adapter::Command {
                command: "echo started >&2; sleep 30".into(),
                mode: CommandMode::PerCase,
            },
            timeout: Duration::from_millis(300),
            max_reply_bytes: DEFAULT_MAX_REPLY_BYTES,
        };
        let turns = [Turn {
            role: "user".into(),
            content: "hi".into(),
        }];
        let request = AgentRequest {
            suite: "s",
            case: "c",
            role: "worker",
            system: None,
            input: Some("hi"),
            messages: &turns,
        };
        let started = Instant::now();
        let answer = AgentSession::new(&config).ask(&request);
        assert!(started.elapsed() < Duration::from_secs(5));
        let failure = answer.result.unwrap_err();
        assert!(failure.timed_out, "{failure:?}");
        assert_eq!(answer.stderr, "started\n");
    }

    #[test]
    fn the_lines_mode_keeps_one_process() {
        // Replies with the number of cases this process has seen: 1, 2, 3.
        let config = AgentConfig {
            adapter: Adapter::Command {
                command: "n=0; while read line; do n=$((n+1)); echo \"{\\\"output\\\": \\\"case $n\\\"}\"; done".into(),
                mode: CommandMode::Lines,
            },
            timeout: Duration::from_secs(5),
            max_reply_bytes: DEFAULT_MAX_REPLY_BYTES,
        };
        let turns = [Turn {
            role: "user".into(),
            content: "hi".into(),
        }];
        let request = AgentRequest {
            suite: "s",
            case: "c",
            role: "worker",
            system: None,
            input: None,
            messages: &turns,
        };
        let mut session = AgentSession::new(&config);
        let outputs: Vec<String> = (0..3)
            .map(|_| session.ask(&request).result.unwrap().output)
            .collect();
        assert_eq!(outputs, ["case 1", "case 2", "case 3"]);
    }
}
