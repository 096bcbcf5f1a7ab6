//! `judge`: a self-hosted behavioral judge for production AI agents.
//!
//! The library holds everything but the command line: model references and the model cache
//! ([`models`]), the judge model as the rest of the crate sees it ([`judge_model`]).
//! The `judge` binary (`src/main.rs`, `src/cli/`) is the only layer that knows about clap and
//! exit codes.

pub mod agent;
pub mod bench;
pub mod calibration;
pub mod canary;
pub mod config;
pub mod drift;
pub mod folders;
pub mod judge_model;
pub mod ledger;
pub mod merge;
pub mod models;
pub mod output;
pub mod records;
pub mod report;
pub mod review;
pub mod rubrics;
pub mod sampling;
pub mod scoring;
pub mod store;
pub mod streams;
pub mod suite_runs;
pub mod suites;
pub mod trained;
