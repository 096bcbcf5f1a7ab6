//! `judge logprobs`: what the judge model expects next after a text. A user-facing inspection
//! tool, and the parity harness against llama.cpp and the float64 reference.

use std::process::ExitCode;

use anyhow::{bail, Result};
use engine::DeviceChoice;
use judge::judge_model::JudgeModel;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model: a manifest name, a path to a .gguf file, or hf:OWNER/REPO/FILE.gguf.
    /// The manifest's default model when not given.
    #[arg(long)]
    model: Option<String>,
    /// The text to tokenize and continue.
    #[arg(long)]
    text: String,
    /// Wrap the text as a user turn through the model's chat template, assistant turn open.
    #[arg(long)]
    chat: bool,
    /// How many of the most likely next tokens to list.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// One JSON object: {"tokens": [ids], "top": [{"id", "token", "logprob"}]}.
    #[arg(long)]
    json: bool,
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.text.is_empty() {
        bail!("--text is empty: there is nothing to run the model on");
    }
    let device = engine::select_device(args.device)?;
    let path = judge::models::resolve_or_default(args.model.as_deref())?;
    let model = JudgeModel::load(&path, &device)?;
    let text = if args.chat {
        model.chat_prompt(&args.text)?
    } else {
        args.text.clone()
    };
    let tokens = model.tokenizer.encode(&text)?;
    let top = model.top_logprobs(&tokens, args.top)?;
    if args.json {
        let out = serde_json::json!({ "tokens": tokens, "top": top });
        println!("{out}");
    } else {
        println!("tokens ({}): {tokens:?}", tokens.len());
        for entry in &top {
            println!("{:>8} {:>10.4}  {:?}", entry.id, entry.logprob, entry.token);
        }
    }
    Ok(ExitCode::SUCCESS)
}
