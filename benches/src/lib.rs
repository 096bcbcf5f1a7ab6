//! Shared pieces of the throughput benches: the deterministic prompts of `judge bench`, so the
//! benches and the command run the same token ids.

pub use judge::bench::prompt_tokens;
