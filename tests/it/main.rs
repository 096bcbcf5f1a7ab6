//! End-to-end tests of the `judge` binary: one test binary, a module per area, each test in its
//! own temp dir. Tests on the real default model run when `JUDGE_REAL_MODELS=1` (CI sets it).

mod bench;
mod calibrate;
mod cli_errors;
mod drift;
mod integrity;
mod ledger;
mod logprobs;
mod p_pass;
mod report;
mod run;
mod sample;
mod score;
mod shard;
mod suite;
mod support;
