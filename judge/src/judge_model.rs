//! A loaded judge model: weights, tokenizer and chat template of one GGUF file, with the
//! next-token log-probabilities the CLI and the scoring pipeline ask of it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use engine::{ChatMessage, ChatTemplate, Device, Model, Tokenizer};

use crate::scoring;
use crate::store::JudgeInfo;

pub struct JudgeModel {
    pub path: PathBuf,
    pub model: Model,
    pub tokenizer: Tokenizer,
    /// Absent for base models that carry no template.
    pub chat_template: Option<ChatTemplate>,
}

/// One entry of a top-k list of next-token log-probabilities.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenLogprob {
    pub id: u32,
    pub token: String,
    pub logprob: f64,
}

impl JudgeModel {
    pub fn load(path: &Path, device: &Device) -> Result<JudgeModel> {
        let mut gguf = engine::GgufFile::open(path)?;
        let model = Model::from_gguf(&mut gguf, device)?;
        let tokenizer = Tokenizer::from_gguf(&gguf)?;
        let chat_template = ChatTemplate::from_gguf(&gguf, &tokenizer).ok();
        Ok(JudgeModel {
            path: path.to_path_buf(),
            model,
            tokenizer,
            chat_template,
        })
    }

    /// The zero-shot judge this model makes, as scores are keyed: model file, chat template,
    /// prompt format and engine. Hashes the model file unless its sha256 sidecar is current.
    pub fn judge_info(&self) -> Result<JudgeInfo> {
        let template = self
            .chat_template
            .as_ref()
            .map(|t| t.source().to_string())
            .unwrap_or_default();
        let model_sha256 = crate::models::file_sha256(&self.path)?;
        Ok(JudgeInfo {
            fingerprint: scoring::judge_fingerprint(&model_sha256, &template),
            model_name: self
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            model_sha256,
            template_sha256: scoring::template_sha256(&template),
            engine_version: engine::ENGINE_VERSION.to_string(),
        })
    }

    /// `text` as a user turn through the chat template, with the assistant turn opened.
    pub fn chat_prompt(&self, text: &str) -> Result<String> {
        let template = self.chat_template.as_ref().with_context(|| {
            format!(
                "{} has no chat template (`tokenizer.chat_template`): it is a base model, run without --chat",
                self.path.display()
            )
        })?;
        Ok(template.render(&[ChatMessage::new("user", text)], true)?)
    }

    /// The `k` most likely next tokens after `tokens`, log-softmax over the whole vocabulary.
    pub fn top_logprobs(&self, tokens: &[u32], k: usize) -> Result<Vec<TokenLogprob>> {
        let forward = self.model.forward(None, &[tokens], false)?;
        let logits = self.model.logits(&forward.hidden)?;
        let logits: Vec<f32> = logits.squeeze(0)?.to_vec1()?;
        let logprobs = engine::log_softmax(&logits);
        let mut order: Vec<usize> = (0..logprobs.len()).collect();
        // Ties broken by id so the listing is stable.
        order.sort_by(|&a, &b| logprobs[b].total_cmp(&logprobs[a]).then(a.cmp(&b)));
        order
            .into_iter()
            .take(k)
            .map(|id| {
                Ok(TokenLogprob {
                    id: id as u32,
                    token: self.tokenizer.decode(&[id as u32])?,
                    logprob: logprobs[id],
                })
            })
            .collect()
    }
}
