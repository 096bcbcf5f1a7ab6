//! TF-IDF features of record text for the lexical baseline: lowercased word unigrams and
//! bigrams, smooth idf, sublinear tf, L2-normalized rows.

use std::collections::{BTreeMap, HashMap};

use super::logistic::SparseRows;

/// Terms must occur in at least this many training documents to enter the vocabulary.
pub(crate) const MIN_DOCUMENT_FREQUENCY: usize = 2;

/// A vocabulary and its inverse document frequencies, fitted on training text only.
#[derive(Debug, Clone)]
pub(crate) struct TfIdf {
    index: HashMap<String, u32>,
    idf: Vec<f64>,
}

impl TfIdf {
    /// Fits the vocabulary (terms in at least [`MIN_DOCUMENT_FREQUENCY`] documents, indexed
    /// in sorted order so the columns do not depend on hashing) and the smooth idf
    /// `ln((1 + n) / (1 + df)) + 1`, as scikit-learn's `TfidfVectorizer` computes it.
    pub(crate) fn fit(texts: &[&str]) -> TfIdf {
        let mut document_frequency: BTreeMap<String, usize> = BTreeMap::new();
        for text in texts {
            let mut terms = terms(text);
            terms.sort_unstable();
            terms.dedup();
            for term in terms {
                *document_frequency.entry(term).or_default() += 1;
            }
        }
        let n = texts.len() as f64;
        let mut index = HashMap::new();
        let mut idf = Vec::new();
        for (term, df) in document_frequency {
            if df >= MIN_DOCUMENT_FREQUENCY {
                index.insert(term, idf.len() as u32);
                idf.push(((1.0 + n) / (1.0 + df as f64)).ln() + 1.0);
            }
        }
        TfIdf { index, idf }
    }

    /// The number of terms in the vocabulary.
    pub(crate) fn vocabulary_size(&self) -> usize {
        self.idf.len()
    }

    /// One row per text: `(1 + ln tf) * idf` over the vocabulary's terms, scaled to unit
    /// length (a text with no vocabulary term is an all-zero row).
    pub(crate) fn transform(&self, texts: &[&str]) -> SparseRows {
        let rows = texts
            .iter()
            .map(|text| {
                let mut counts: BTreeMap<u32, f64> = BTreeMap::new();
                for term in terms(text) {
                    if let Some(&column) = self.index.get(&term) {
                        *counts.entry(column).or_default() += 1.0;
                    }
                }
                let mut row: Vec<(u32, f64)> = counts
                    .into_iter()
                    .map(|(column, tf)| (column, (1.0 + tf.ln()) * self.idf[column as usize]))
                    .collect();
                let norm = row.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
                if norm > 0.0 {
                    for (_, v) in &mut row {
                        *v /= norm;
                    }
                }
                row
            })
            .collect();
        SparseRows {
            n_cols: self.vocabulary_size(),
            rows,
        }
    }
}

/// The lowercased tokens of `text`: runs of alphanumeric characters, and each `?` on its own
/// (a question in an agent's answer often means it asked instead of acting).
pub(crate) fn tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
            continue;
        }
        if !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
        if c == '?' {
            tokens.push("?".to_string());
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// Unigrams and bigrams (two tokens joined by a space) of `text`, with repeats.
pub(crate) fn terms(text: &str) -> Vec<String> {
    let tokens = tokens(text);
    let bigrams = tokens
        .windows(2)
        .map(|pair| format!("{} {}", pair[0], pair[1]));
    let mut terms: Vec<String> = bigrams.collect();
    terms.extend(tokens);
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lowercased_words_and_question_marks() {
        assert_eq!(
            tokens("Shall I ESCALATE?Yes-now, café_2"),
            ["shall", "i", "escalate", "?", "yes", "now", "café", "2"]
        );
        assert_eq!(terms("a b?"), ["a b", "b ?", "a", "b", "?"]);
    }

    #[test]
    fn weights_follow_smooth_idf_sublinear_tf_and_unit_rows() {
        // Three documents; "refund" is in two (df 2), "ok" in two, the rest once only.
        let texts = ["refund refund ok", "refund later", "ok fine"];
        let model = TfIdf::fit(&texts);
        // Vocabulary (df >= 2), sorted: "ok", "refund". Bigrams all occur once.
        assert_eq!(model.vocabulary_size(), 2);
        let idf = (4.0f64 / 3.0).ln() + 1.0;
        let rows = model.transform(&["refund refund ok", "nothing known"]);
        let (ok, refund) = (idf, (1.0 + 2.0f64.ln()) * idf);
        let norm = (ok * ok + refund * refund).sqrt();
        assert_eq!(rows.rows[0].len(), 2);
        assert_eq!(rows.rows[0][0].0, 0);
        assert!((rows.rows[0][0].1 - ok / norm).abs() < 1e-12);
        assert!((rows.rows[0][1].1 - refund / norm).abs() < 1e-12);
        assert!(rows.rows[1].is_empty());
    }
}
