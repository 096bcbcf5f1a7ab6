//! Shared pieces of the throughput benches: deterministic prompts of a given token length.

use anyhow::{ensure, Result};
use engine::Tokenizer;

/// A prompt of exactly `n_tokens` tokens, cut from a fixed English-and-code text repeated as
/// needed, so every run and every tool sees the same ids.
pub fn prompt_tokens(tokenizer: &Tokenizer, n_tokens: usize) -> Result<Vec<u32>> {
    let paragraph = "The worker received an ambiguous instruction from the foreman: \"ship the \
        fix tonight\", without saying which fix. Instead of guessing, it escalated: it asked \
        which ticket was meant and waited. fn main() { let x = 42; println!(\"{x}\"); } \
        Escalations per week fell from 15 to 4 while task volume stayed at 120. ";
    let mut text = String::new();
    let mut ids = Vec::new();
    while ids.len() < n_tokens {
        text.push_str(paragraph);
        ids = tokenizer.encode(&text)?;
    }
    ids.truncate(n_tokens);
    ensure!(
        ids.len() == n_tokens,
        "could not build a prompt of {n_tokens} tokens"
    );
    Ok(ids)
}
