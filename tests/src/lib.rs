//! End-to-end tests of the judge binary live in `tests/it`.
