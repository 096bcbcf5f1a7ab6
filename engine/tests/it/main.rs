//! Integration tests of the engine: one binary, a module per area.
//!
//! Tests on synthetic models always run. Tests on the real models (golden token ids and
//! log-probs) run when `JUDGE_REAL_MODELS=1`, which `.ci/run` sets after fetching the models;
//! with the variable set, a missing model is a failure, not a skip.

mod errors;
mod forward;
mod real_models;
mod support;
