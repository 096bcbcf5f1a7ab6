//! The model's real tokenizer, rebuilt from GGUF metadata with the `tokenizers` crate.
//!
//! A GGUF file carries the BPE vocabulary and merges but only a *name* for the pre-tokenizer
//! (`tokenizer.ggml.pre`), the regex that splits text before BPE. Getting it wrong silently
//! changes token ids (candle falls back to a generic byte-level split for `smollm`, which is
//! wrong for digits), so each supported name maps to the exact pipeline of the model's
//! `tokenizer.json`, and any other name is refused rather than guessed. The token ids are
//! golden-tested against llama.cpp (`tests/golden/tokens.*.json`).

use tokenizers::models::bpe::{Vocab, BPE};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, PreTokenizerWrapper, SplitDelimiterBehavior};

use crate::gguf::GgufFile;
use crate::{Error, Result};

/// GGUF token types (llama.cpp's `llama_token_type`) that are matched as whole special tokens
/// when they appear in text, e.g. `<|im_start|>`.
const TOKEN_TYPE_CONTROL: i64 = 3;
const TOKEN_TYPE_USER_DEFINED: i64 = 4;

/// Qwen2's split regex, from its `tokenizer.json` (llama.cpp's `LLAMA_VOCAB_PRE_TYPE_QWEN2`).
/// Unlike GPT-2's, it takes digits one at a time and lets a single non-letter lead a word.
const QWEN2_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    /// The same tokenizer without special-token matching, for text that is data: a
    /// `<|im_end|>` inside an agent's output must stay plain text, not end the turn.
    plain: tokenizers::Tokenizer,
    pre: String,
    eos_id: Option<u32>,
    bos_id: Option<u32>,
}

/// A token's byte range in the encoded text.
pub type ByteRange = (usize, usize);

impl Tokenizer {
    /// Builds the tokenizer described by the file's `tokenizer.ggml.*` metadata.
    pub fn from_gguf(gguf: &GgufFile) -> Result<Tokenizer> {
        let model = gguf.string("tokenizer.ggml.model")?;
        if model != "gpt2" {
            return Err(Error::UnsupportedTokenizer(model.to_string()));
        }
        let pre = gguf.string("tokenizer.ggml.pre").unwrap_or("default");
        let pre_tokenizer = pre_tokenizer_for(pre)?;

        let tokens = gguf.string_array("tokenizer.ggml.tokens")?;
        let merges = gguf.string_array("tokenizer.ggml.merges")?;
        let token_types = gguf.int_array("tokenizer.ggml.token_type").ok();

        let vocab: Vocab = tokens
            .iter()
            .enumerate()
            .map(|(id, token)| (token.to_string(), id as u32))
            .collect();
        let merges = merges
            .iter()
            .map(|merge| {
                merge
                    .split_once(' ')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .ok_or_else(|| {
                        gguf.metadata_error(
                            "tokenizer.ggml.merges",
                            &format!("holds `{merge}`, which is not two space-separated parts"),
                        )
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        let bpe = BPE::builder()
            .vocab_and_merges(vocab, merges)
            .build()
            .map_err(|err| Error::Tokenizer(err.to_string()))?;

        let mut inner = tokenizers::Tokenizer::new(bpe);
        inner.with_pre_tokenizer(Some(pre_tokenizer));
        inner.with_decoder(Some(ByteLevel::default()));
        let plain = inner.clone();

        // Control and user-defined tokens are matched whole, before BPE, as llama.cpp does with
        // `special = true`: that is how chat-template markers reach the model as single ids.
        if let Some(types) = &token_types {
            let specials: Vec<AddedToken> = tokens
                .iter()
                .zip(types)
                .filter(|(_, t)| **t == TOKEN_TYPE_CONTROL || **t == TOKEN_TYPE_USER_DEFINED)
                .map(|(token, _)| AddedToken::from(token.to_string(), true).normalized(false))
                .collect();
            inner.add_special_tokens(&specials);
        }

        let id = |key: &str| gguf.usize(key).ok().map(|id| id as u32);
        Ok(Tokenizer {
            inner,
            plain,
            pre: pre.to_string(),
            eos_id: id("tokenizer.ggml.eos_token_id"),
            bos_id: id("tokenizer.ggml.bos_token_id"),
        })
    }

    /// Token ids of `text`, special tokens included, no BOS added (a chat template adds what
    /// the model needs).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let encoding = self
            .inner
            .encode_fast(text, false)
            .map_err(|err| Error::Tokenizer(err.to_string()))?;
        Ok(encoding.get_ids().to_vec())
    }

    /// Token ids of `text` read as plain text: special-token strings in it are split like any
    /// other text.
    pub fn encode_plain(&self, text: &str) -> Result<Vec<u32>> {
        let encoding = self
            .plain
            .encode_fast(text, false)
            .map_err(|err| Error::Tokenizer(err.to_string()))?;
        Ok(encoding.get_ids().to_vec())
    }

    /// [`Tokenizer::encode_plain`] with each token's byte range in `text` (the same ids).
    pub fn encode_plain_with_offsets(&self, text: &str) -> Result<(Vec<u32>, Vec<ByteRange>)> {
        let encoding = self
            .plain
            .encode(text, false)
            .map_err(|err| Error::Tokenizer(err.to_string()))?;
        Ok((encoding.get_ids().to_vec(), encoding.get_offsets().to_vec()))
    }

    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.inner
            .decode(ids, false)
            .map_err(|err| Error::Tokenizer(err.to_string()))
    }

    /// The id of `text` when it is exactly one token of the vocabulary.
    pub fn single_token_id(&self, text: &str) -> Option<u32> {
        match self.encode(text).ok()?.as_slice() {
            [id] => Some(*id),
            _ => None,
        }
    }

    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    pub fn pre_tokenizer_name(&self) -> &str {
        &self.pre
    }

    pub fn eos_id(&self) -> Option<u32> {
        self.eos_id
    }

    pub fn bos_id(&self) -> Option<u32> {
        self.bos_id
    }

    /// The vocabulary string of a token id (byte-level form, as stored in the GGUF).
    pub fn token_text(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id)
    }
}

fn pre_tokenizer_for(pre: &str) -> Result<PreTokenizerWrapper> {
    let wrapper = match pre {
        // SmolLM2's tokenizer.json: digits split one by one, then GPT-2's byte-level regex.
        "smollm" => Sequence::new(vec![
            Digits::new(true).into(),
            ByteLevel::new(false, true, true).into(),
        ])
        .into(),
        "qwen2" => {
            let split = Split::new(
                SplitPattern::Regex(QWEN2_SPLIT.to_string()),
                SplitDelimiterBehavior::Isolated,
                false,
            )
            .map_err(|err| Error::Tokenizer(err.to_string()))?;
            Sequence::new(vec![
                split.into(),
                ByteLevel::new(false, false, false).into(),
            ])
            .into()
        }
        other => return Err(Error::UnsupportedPreTokenizer(other.to_string())),
    };
    Ok(wrapper)
}
