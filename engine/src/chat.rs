//! Chat templates: the Jinja template a GGUF carries in `tokenizer.chat_template`, rendered with
//! minijinja exactly as the model's authors wrote it (Python string methods included, through
//! minijinja-contrib's pycompat layer).

use minijinja::{context, Environment, ErrorKind};
use serde::Serialize;

use crate::gguf::GgufFile;
use crate::{Error, Result};

const TEMPLATE_NAME: &str = "chat";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: &str, content: &str) -> ChatMessage {
        ChatMessage {
            role: role.to_string(),
            content: content.to_string(),
        }
    }
}

pub struct ChatTemplate {
    env: Environment<'static>,
    source: String,
    bos_token: String,
    eos_token: String,
}

impl ChatTemplate {
    /// The template stored in the file, with the BOS and EOS strings it may refer to.
    pub fn from_gguf(gguf: &GgufFile, tokens: &crate::Tokenizer) -> Result<ChatTemplate> {
        let source = gguf
            .string("tokenizer.chat_template")
            .map_err(|_| {
                Error::ChatTemplate(format!(
                    "{} has no `tokenizer.chat_template`: it is not a chat model",
                    gguf.path().display()
                ))
            })?
            .to_string();
        let token_string = |id: Option<u32>| {
            id.and_then(|id| tokens.decode(&[id]).ok())
                .unwrap_or_default()
        };
        ChatTemplate::new(
            &source,
            &token_string(tokens.bos_id()),
            &token_string(tokens.eos_id()),
        )
    }

    pub fn new(source: &str, bos_token: &str, eos_token: &str) -> Result<ChatTemplate> {
        let mut env = Environment::new();
        minijinja_contrib::add_to_environment(&mut env);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function(
            "raise_exception",
            |message: String| -> std::result::Result<String, minijinja::Error> {
                Err(minijinja::Error::new(ErrorKind::InvalidOperation, message))
            },
        );
        // Templates written for Python Jinja expect whitespace control to behave like it does
        // with the `transformers` defaults: keep trailing newlines, trim blocks off.
        env.set_keep_trailing_newline(true);
        env.add_template_owned(TEMPLATE_NAME, source.to_string())
            .map_err(|err| Error::ChatTemplate(err.to_string()))?;
        Ok(ChatTemplate {
            env,
            source: source.to_string(),
            bos_token: bos_token.to_string(),
            eos_token: eos_token.to_string(),
        })
    }

    /// Renders the conversation; with `add_generation_prompt` the assistant turn is left open
    /// so that the next token is the assistant's first.
    pub fn render(&self, messages: &[ChatMessage], add_generation_prompt: bool) -> Result<String> {
        let template = self
            .env
            .get_template(TEMPLATE_NAME)
            .map_err(|err| Error::ChatTemplate(err.to_string()))?;
        template
            .render(context! {
                messages => messages,
                add_generation_prompt => add_generation_prompt,
                bos_token => self.bos_token,
                eos_token => self.eos_token,
            })
            .map_err(|err| Error::ChatTemplate(err.to_string()))
    }

    /// The template's Jinja source, which is part of a judge's fingerprint.
    pub fn source(&self) -> &str {
        &self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHATML: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    #[test]
    fn renders_chatml_with_open_assistant_turn() {
        let template = ChatTemplate::new(CHATML, "", "<|im_end|>").unwrap();
        let text = template
            .render(
                &[
                    ChatMessage::new("system", "Be brief."),
                    ChatMessage::new("user", "Hi"),
                ],
                true,
            )
            .unwrap();
        assert_eq!(
            text,
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
    }

    #[test]
    fn python_string_methods_work() {
        let template =
            ChatTemplate::new("{{ messages[0].content.strip().upper() }}", "", "").unwrap();
        let text = template
            .render(&[ChatMessage::new("user", "  ok  ")], false)
            .unwrap();
        assert_eq!(text, "OK");
    }

    #[test]
    fn raise_exception_is_an_error() {
        let template =
            ChatTemplate::new("{{ raise_exception('no system role') }}", "", "").unwrap();
        let err = template.render(&[], false).unwrap_err().to_string();
        assert!(err.contains("no system role"), "{err}");
    }
}
