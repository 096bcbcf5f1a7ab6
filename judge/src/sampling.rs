//! Deterministic sampling of records for human review, and deterministic sharding of scoring
//! work: both decided by a hash of the record id, so every machine makes the same choice.
//!
//! The draw of a record is `u = H("judge sample v1\0{seed}\0{record_id}")`: the first 8 bytes
//! of the SHA-256 of that text, big-endian, their top 53 bits divided by 2^53, a number in
//! [0, 1) that depends on nothing but the seed and the id. Without strata a record is in the
//! sample when `u < rate` (a Bernoulli draw: the sampled fraction is within binomial noise of
//! the rate, and a higher rate keeps every record a lower rate took). With strata, each stratum
//! of `n` records contributes its `ceil(rate * n)` records of smallest `u` (ties by id): exact
//! proportions per stratum, at least one record of every non-empty stratum, and nested in the
//! rate too. The shard of a record is `floor(v * N)` for `v = H("judge shard v1\0{record_id}")`
//! (the same 64-bit value times N, shifted right by 64 bits), independent of any sampling
//! seed. This module does no IO.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::records::Record;
use crate::streams::PeriodKind;

/// The seed `judge sample` uses when none is given.
pub const DEFAULT_SEED: u64 = 0;

/// What a sample is drawn from and how.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleSpec {
    /// The fraction of records to take, in [0, 1].
    pub rate: f64,
    pub seed: u64,
    /// Strata, or none for one Bernoulli draw per record.
    pub stratify: Option<Stratify>,
    /// Only records whose timestamp falls in this period.
    pub period: Option<SamplePeriod>,
}

/// How records are grouped into strata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stratify {
    /// By the record's `role`.
    Role,
    /// By the value of one key of the record's `meta` object.
    Meta(String),
}

/// A period to sample from: an ISO week (`2026-W47`), a day (`2026-11-20`) or a month
/// (`2026-11`), as [`PeriodKind::label`] writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamplePeriod {
    pub kind: PeriodKind,
    pub label: String,
}

/// One record the draw took.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub record_id: String,
    /// The record's stratum, when the sample is stratified.
    pub stratum: Option<String>,
    /// The record's draw, [`sample_u`].
    pub u: f64,
}

/// A sample drawn from a set of records.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draw {
    /// The records the period admits: what the rate applies to.
    pub n_candidates: usize,
    /// The records taken, ordered by record id.
    pub drawn: Vec<Drawn>,
    /// Per stratum (`""` when unstratified): candidates and records taken.
    pub strata: BTreeMap<String, (usize, usize)>,
}

/// A record's sampling draw under `seed`, uniform in [0, 1).
pub fn sample_u(seed: u64, record_id: &str) -> f64 {
    let bits = hash64(&format!("judge sample v1\0{seed}\0{record_id}"));
    // The top 53 bits fit an f64 exactly, so the value is never rounded up to 1.
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// The shard (0-based, below `n_shards`) a record's scoring belongs to.
pub fn shard_of(record_id: &str, n_shards: u32) -> u32 {
    let bits = hash64(&format!("judge shard v1\0{record_id}"));
    ((u128::from(bits) * u128::from(n_shards)) >> 64) as u32
}

/// Parses `I/N` (0-based `I < N`).
pub fn parse_shard(text: &str) -> Result<(u32, u32)> {
    let parse = || -> Option<(u32, u32)> {
        let (index, count) = text.split_once('/')?;
        Some((index.trim().parse().ok()?, count.trim().parse().ok()?))
    };
    match parse() {
        Some((index, count)) if count > 0 && index < count => Ok((index, count)),
        _ => bail!(
            "shard `{text}` is not I/N with 0 <= I < N (e.g. 0/3, 1/3, 2/3 for three machines)"
        ),
    }
}

impl Stratify {
    /// `role` or `meta.FIELD`.
    pub fn parse(text: &str) -> Result<Stratify> {
        match text {
            "role" => Ok(Stratify::Role),
            _ => match text.strip_prefix("meta.") {
                Some(field) if !field.is_empty() => Ok(Stratify::Meta(field.to_string())),
                _ => bail!("cannot stratify by `{text}`: expected `role` or `meta.FIELD`"),
            },
        }
    }

    /// The name `parse` reads back.
    pub fn name(&self) -> String {
        match self {
            Stratify::Role => "role".to_string(),
            Stratify::Meta(field) => format!("meta.{field}"),
        }
    }

    /// The stratum of a record: its role, or the meta value (a string as it is, any other
    /// value as compact JSON, `(missing)` when the key is absent).
    pub fn stratum(&self, record: &Record) -> String {
        match self {
            Stratify::Role => record.role.clone(),
            Stratify::Meta(field) => match record.meta.get(field) {
                None => "(missing)".to_string(),
                Some(serde_json::Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
            },
        }
    }
}

impl SamplePeriod {
    /// Reads `2026-W47`, `2026-11-20` or `2026-11`.
    pub fn parse(text: &str) -> Result<SamplePeriod> {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok();
        let kind = match text.split('-').collect::<Vec<_>>()[..] {
            [year, week] if digits(year, 4) && week.starts_with('W') => {
                let number = &week[1..];
                (digits(number, 2) && (1..=53).contains(&number.parse::<u32>().unwrap_or(0)))
                    .then_some(PeriodKind::Week)
            }
            [year, month] if digits(year, 4) && digits(month, 2) => {
                date(&format!("{text}-01")).then_some(PeriodKind::Month)
            }
            [year, month, day] if digits(year, 4) && digits(month, 2) && digits(day, 2) => {
                date(text).then_some(PeriodKind::Day)
            }
            _ => None,
        };
        match kind {
            Some(kind) => Ok(SamplePeriod {
                kind,
                label: text.to_string(),
            }),
            None => bail!(
                "period `{text}` is not an ISO week (2026-W47), a day (2026-11-20) or a month \
                 (2026-11)"
            ),
        }
    }

    pub fn contains(&self, record: &Record) -> Result<bool> {
        Ok(self
            .kind
            .label(&record.ts)
            .with_context(|| format!("record `{}`", record.id))?
            == self.label)
    }
}

/// Draws the sample of `spec` from `records`.
pub fn draw(records: &[Record], spec: &SampleSpec) -> Result<Draw> {
    check_rate(spec.rate)?;
    let mut candidates: BTreeMap<String, Vec<Drawn>> = BTreeMap::new();
    let mut n_candidates = 0;
    for record in records {
        if let Some(period) = &spec.period {
            if !period.contains(record)? {
                continue;
            }
        }
        let stratum = spec.stratify.as_ref().map(|s| s.stratum(record));
        n_candidates += 1;
        candidates
            .entry(stratum.clone().unwrap_or_default())
            .or_default()
            .push(Drawn {
                record_id: record.id.clone(),
                stratum,
                u: sample_u(spec.seed, &record.id),
            });
    }
    let mut drawn = Vec::new();
    let mut strata = BTreeMap::new();
    for (name, mut members) in candidates {
        let n = members.len();
        let taken: Vec<Drawn> = if spec.stratify.is_some() {
            members.sort_by(|a, b| a.u.total_cmp(&b.u).then(a.record_id.cmp(&b.record_id)));
            members.truncate(stratum_quota(spec.rate, n));
            members
        } else {
            members.into_iter().filter(|m| m.u < spec.rate).collect()
        };
        strata.insert(name, (n, taken.len()));
        drawn.extend(taken);
    }
    drawn.sort_by(|a, b| a.record_id.cmp(&b.record_id));
    Ok(Draw {
        n_candidates,
        drawn,
        strata,
    })
}

/// How many of a stratum's `n` records a stratified sample takes: `ceil(rate * n)`, where a
/// product within 1e-9 of an integer counts as that integer (0.1 * 30 is 3, not 4, although
/// its f64 is a hair above 3). Nondecreasing in the rate, so samples stay nested.
pub fn stratum_quota(rate: f64, n: usize) -> usize {
    let exact = rate * n as f64;
    let quota = if (exact - exact.round()).abs() < 1e-9 {
        exact.round()
    } else {
        exact.ceil()
    };
    (quota.max(0.0) as usize).min(n)
}

/// Refuses a rate that is not a number in [0, 1].
pub fn check_rate(rate: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&rate) {
        bail!("rate {rate} is not a fraction in [0, 1] (0.1 samples one record in ten)");
    }
    Ok(())
}

/// The first 8 bytes of the SHA-256 of `text`, big-endian.
fn hash64(text: &str) -> u64 {
    let digest = Sha256::digest(text.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("a SHA-256 has 32 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, role: &str, ts: &str) -> Record {
        serde_json::from_value(serde_json::json!({
            "id": id, "ts": ts, "role": role, "agent": "a", "input": "x", "output": "y",
            "meta": {"team": if id.ends_with(['0', '2', '4', '6', '8']) { "red" } else { "blue" }, "n": 3},
        }))
        .unwrap()
    }

    fn ids(n: usize) -> Vec<Record> {
        (0..n)
            .map(|i| {
                let role = ["worker", "foreman", "auditor"][i % 7 % 3];
                record(&format!("rec-{i:05}"), role, "2026-11-18T10:00:00Z")
            })
            .collect()
    }

    fn spec(rate: f64, seed: u64, stratify: Option<Stratify>) -> SampleSpec {
        SampleSpec {
            rate,
            seed,
            stratify,
            period: None,
        }
    }

    fn drawn_ids(draw: &Draw) -> Vec<&str> {
        draw.drawn.iter().map(|d| d.record_id.as_str()).collect()
    }

    /// Pinned values (computed independently with Python's hashlib): a change of the hash would silently change every deployment's samples
    /// and shards, so it must fail here first.
    #[test]
    fn the_hash_is_pinned() {
        let pinned = [
            (0, "f-2026W36-001", 0.4344602950587023),
            (0, "w1-2026W36-001", 0.3834825085363992),
            (7, "f-2026W36-001", 0.8543100792559556),
            (u64::MAX, "", 0.9460558467422389),
        ];
        for (seed, id, expected) in pinned {
            assert_eq!(sample_u(seed, id), expected, "seed {seed}, id {id:?}");
        }
        let shards: Vec<u32> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|id| shard_of(id, 3))
            .collect();
        assert_eq!(shards, [2, 0, 1, 1, 1, 0]);
    }

    #[test]
    fn the_rate_is_met_within_binomial_noise_and_samples_nest() {
        let records = ids(5000);
        for (rate, seed) in [(0.1, 0), (0.1, 1), (0.2, 0), (0.5, 42), (0.01, 3)] {
            let draw = draw(&records, &spec(rate, seed, None)).unwrap();
            let n = draw.n_candidates as f64;
            let sd = (n * rate * (1.0 - rate)).sqrt();
            let taken = draw.drawn.len() as f64;
            assert!(
                (taken - n * rate).abs() <= 3.0 * sd,
                "rate {rate} seed {seed}: {taken} of {n}"
            );
        }
        let low = draw(&records, &spec(0.1, 0, None)).unwrap();
        let high = draw(&records, &spec(0.2, 0, None)).unwrap();
        let high_ids = drawn_ids(&high);
        assert!(drawn_ids(&low).iter().all(|id| high_ids.contains(id)));
        assert!(high.drawn.len() > low.drawn.len());
        let other_seed = draw(&records, &spec(0.1, 1, None)).unwrap();
        assert_ne!(drawn_ids(&low), drawn_ids(&other_seed));
        assert_eq!(low, draw(&records, &spec(0.1, 0, None)).unwrap());
        assert!(draw(&records, &spec(0.0, 0, None))
            .unwrap()
            .drawn
            .is_empty());
        assert_eq!(
            draw(&records, &spec(1.0, 0, None)).unwrap().drawn.len(),
            5000
        );
    }

    #[test]
    fn strata_get_exact_proportions_and_nest() {
        let records = ids(1000);
        let by_role = |rate| draw(&records, &spec(rate, 9, Some(Stratify::Role))).unwrap();
        let low = by_role(0.1);
        for (stratum, (n, taken)) in &low.strata {
            assert_eq!(*taken, stratum_quota(0.1, *n), "{stratum}");
            let counted = low
                .drawn
                .iter()
                .filter(|d| d.stratum.as_deref() == Some(stratum))
                .count();
            assert_eq!(counted, *taken);
        }
        let sizes: Vec<usize> = low.strata.values().map(|(n, _)| *n).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 1000);
        assert_eq!(low.strata.len(), 3);
        let high = by_role(0.25);
        let high_ids = drawn_ids(&high);
        assert!(drawn_ids(&low).iter().all(|id| high_ids.contains(id)));

        let by_team = draw(
            &records,
            &spec(0.5, 0, Some(Stratify::parse("meta.team").unwrap())),
        )
        .unwrap();
        assert_eq!(
            by_team.strata.keys().collect::<Vec<_>>(),
            ["blue", "red"],
            "strings as they are"
        );
        let by_n = draw(&records, &spec(0.5, 0, Some(Stratify::Meta("n".into())))).unwrap();
        assert_eq!(by_n.strata.keys().collect::<Vec<_>>(), ["3"]);
        let missing = draw(&records, &spec(0.5, 0, Some(Stratify::Meta("x".into())))).unwrap();
        assert_eq!(missing.strata.keys().collect::<Vec<_>>(), ["(missing)"]);
    }

    #[test]
    fn quotas_round_up_but_not_on_float_noise() {
        assert_eq!(stratum_quota(0.1, 30), 3);
        assert_eq!(stratum_quota(0.1, 31), 4);
        assert_eq!(stratum_quota(0.1, 1), 1);
        assert_eq!(stratum_quota(0.0, 10), 0);
        assert_eq!(stratum_quota(1.0, 10), 10);
        assert_eq!(stratum_quota(0.7, 10), 7);
    }

    #[test]
    fn periods_filter_by_week_day_and_month() {
        let records = vec![
            record("a", "w", "2026-11-16T00:00:00Z"),
            record("b", "w", "2026-11-22T23:59:59Z"),
            record("c", "w", "2026-11-23T00:00:00Z"),
            record("d", "w", "2026-12-01T00:00:00Z"),
        ];
        let take_all = |period: &str| {
            let spec = SampleSpec {
                period: Some(SamplePeriod::parse(period).unwrap()),
                ..spec(1.0, 0, None)
            };
            drawn_ids(&draw(&records, &spec).unwrap())
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(take_all("2026-W47"), ["a", "b"]);
        assert_eq!(take_all("2026-11-23"), ["c"]);
        assert_eq!(take_all("2026-11"), ["a", "b", "c"]);
        for bad in [
            "2026-47",
            "2026-W4",
            "2026-W54",
            "2026-02-30",
            "26-11",
            "2026/11",
            "last week",
        ] {
            let message = SamplePeriod::parse(bad).unwrap_err().to_string();
            assert!(message.contains(&format!("`{bad}`")), "{message}");
        }
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert!(check_rate(1.5).is_err());
        assert!(check_rate(f64::NAN).is_err());
        assert!(check_rate(-0.1).is_err());
        assert!(Stratify::parse("agent").is_err());
        assert!(Stratify::parse("meta.").is_err());
        assert_eq!(parse_shard("2/3").unwrap(), (2, 3));
        for bad in ["3/3", "1/0", "1", "a/b", "-1/3"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_partition_records_evenly() {
        let records = ids(3000);
        let mut counts = [0usize; 3];
        for record in &records {
            counts[shard_of(&record.id, 3) as usize] += 1;
        }
        // Binomial(3000, 1/3): sd about 26.
        for count in counts {
            assert!((count as i64 - 1000).abs() < 80, "{counts:?}");
        }
        assert!(records.iter().all(|r| shard_of(&r.id, 1) == 0));
    }
}
