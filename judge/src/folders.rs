//! Where the data folders are when no flag or `judge.toml` key names them: the rubric
//! library, the suites and the model cache.
//!
//! In order: the environment variable (`JUDGE_RUBRICS_DIR`, `JUDGE_SUITES_DIR`,
//! `JUDGE_MODELS_DIR`), then the folder of that name in the working directory (`rubrics`,
//! `suites`, `models/cache`), then, for a development build run in place from its cargo
//! target folder, the checkout it was built from. An installed or copied binary never reads
//! the build machine's folders: a folder that is missing everywhere resolves to the working
//! directory's, so the error that follows names the folder that was looked in. (`judge run`,
//! when `JUDGE_RUBRICS_DIR` is unset, takes a `rubrics/` beside its `judge.toml` before the
//! working directory's.)

use std::path::{Path, PathBuf};

/// A data folder and how to find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Folder {
    /// The environment variable that names it.
    pub env: &'static str,
    /// Its path relative to the working directory or to the checkout.
    pub relative: &'static str,
    /// The flag that names it, for messages.
    pub flag: &'static str,
}

/// The rubric library.
pub const RUBRICS: Folder = Folder {
    env: "JUDGE_RUBRICS_DIR",
    relative: "rubrics",
    flag: "--rubrics-dir",
};

/// The behavioral suites.
pub const SUITES: Folder = Folder {
    env: "JUDGE_SUITES_DIR",
    relative: "suites",
    flag: "--suites-dir",
};

/// The model cache.
pub const MODELS: Folder = Folder {
    env: "JUDGE_MODELS_DIR",
    relative: "models/cache",
    flag: "JUDGE_MODELS_DIR",
};

impl Folder {
    /// The folder to use when no flag or config key names it (see the module docs).
    pub fn resolve(&self) -> PathBuf {
        if let Some(dir) = std::env::var_os(self.env).filter(|dir| !dir.is_empty()) {
            return PathBuf::from(dir);
        }
        let here = working_dir().join(self.relative);
        if here.is_dir() {
            return here;
        }
        if let Some(checkout) = development_checkout() {
            let there = checkout.join(self.relative);
            if there.is_dir() {
                return there;
            }
        }
        here
    }

    /// Where [`Folder::resolve`] looks, in words, for an error about a missing folder.
    pub fn looked_in(&self) -> String {
        let mut places = vec![format!("${} (unset)", self.env)];
        if let Some(dir) = std::env::var_os(self.env).filter(|dir| !dir.is_empty()) {
            places[0] = format!("${} = {}", self.env, Path::new(&dir).display());
        }
        places.push(working_dir().join(self.relative).display().to_string());
        if let Some(checkout) = development_checkout() {
            places.push(checkout.join(self.relative).display().to_string());
        }
        format!(
            "looked in {}; give {} or set {}",
            places.join(", then "),
            self.flag,
            self.env
        )
    }
}

/// The checkout this binary was built from, when the binary is a development build still in a
/// cargo target folder (one that holds cargo's `CACHEDIR.TAG`) and the checkout still exists.
/// `None` for a binary copied elsewhere or installed with `cargo install`.
pub fn development_checkout() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let in_target = exe
        .ancestors()
        .skip(1)
        .any(|dir| dir.join("CACHEDIR.TAG").is_file());
    let checkout = crate::models::repo_root();
    (in_target && checkout.join("judge").join("Cargo.toml").is_file()).then_some(checkout)
}

fn working_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_binary_is_a_development_build_of_this_checkout() {
        assert_eq!(
            development_checkout(),
            Some(crate::models::repo_root()),
            "tests run from the cargo target folder"
        );
        // The crate folder has no `rubrics/` of its own, so the checkout's is found.
        let rubrics = RUBRICS.resolve();
        if std::env::var_os(RUBRICS.env).is_none() {
            assert!(
                rubrics.ends_with("rubrics") && rubrics.is_dir(),
                "{rubrics:?}"
            );
        }
        assert!(RUBRICS
            .looked_in()
            .contains("give --rubrics-dir or set JUDGE_RUBRICS_DIR"));
    }
}
