//! Opening GGUF files: header and metadata through candle's reader, plus the checks that turn a
//! truncated or corrupt file into one clear error instead of a failure deep inside loading.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use candle_core::quantized::gguf_file::{Content, Value};
use candle_core::quantized::QTensor;
use candle_core::Device;

use crate::{Error, Result};

/// An open GGUF file whose header has been read and whose tensor data is known to be whole.
pub struct GgufFile {
    path: PathBuf,
    content: Content,
    reader: BufReader<File>,
}

impl GgufFile {
    /// Opens `path`, reads the header and checks that every tensor lies inside the file.
    pub fn open(path: &Path) -> Result<GgufFile> {
        let io_error = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io_error)?;
        let file_len = file.metadata().map_err(io_error)?.len();
        let mut reader = BufReader::new(file);
        let content = Content::read(&mut reader).map_err(|err| Error::InvalidGguf {
            path: path.to_path_buf(),
            message: first_line(&err.to_string()),
        })?;
        let needed = content
            .tensor_infos
            .values()
            .map(|info| {
                let n_blocks = info.shape.elem_count() / info.ggml_dtype.block_size();
                content.tensor_data_offset
                    + info.offset
                    + (n_blocks * info.ggml_dtype.type_size()) as u64
            })
            .max()
            .unwrap_or(content.tensor_data_offset);
        if needed > file_len {
            return Err(Error::TruncatedGguf {
                path: path.to_path_buf(),
                needed,
                actual: file_len,
            });
        }
        Ok(GgufFile {
            path: path.to_path_buf(),
            content,
            reader,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn has_tensor(&self, name: &str) -> bool {
        self.content.tensor_infos.contains_key(name)
    }

    /// Reads one tensor in its stored (possibly quantized) form.
    pub fn tensor(&mut self, name: &str, device: &Device) -> Result<QTensor> {
        self.content
            .tensor(&mut self.reader, name, device)
            .map_err(|err| Error::InvalidGguf {
                path: self.path.clone(),
                message: format!("tensor `{name}`: {}", first_line(&err.to_string())),
            })
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.content.metadata.get(key)
    }

    pub fn string(&self, key: &str) -> Result<&str> {
        let value = self.require(key)?;
        value
            .to_string()
            .map(String::as_str)
            .map_err(|_| self.metadata_error(key, "is not a string"))
    }

    /// Any integer-typed value, as `usize`.
    pub fn usize(&self, key: &str) -> Result<usize> {
        let value = self.require(key)?;
        let n = match value {
            Value::U8(v) => *v as i64,
            Value::I8(v) => *v as i64,
            Value::U16(v) => *v as i64,
            Value::I16(v) => *v as i64,
            Value::U32(v) => *v as i64,
            Value::I32(v) => *v as i64,
            Value::U64(v) => *v as i64,
            Value::I64(v) => *v,
            _ => return Err(self.metadata_error(key, "is not an integer")),
        };
        usize::try_from(n).map_err(|_| self.metadata_error(key, "is negative"))
    }

    pub fn f32(&self, key: &str) -> Result<f32> {
        match self.require(key)? {
            Value::F32(v) => Ok(*v),
            Value::F64(v) => Ok(*v as f32),
            _ => Err(self.metadata_error(key, "is not a float")),
        }
    }

    pub fn string_array(&self, key: &str) -> Result<Vec<&str>> {
        let values = self
            .require(key)?
            .to_vec()
            .map_err(|_| self.metadata_error(key, "is not an array"))?;
        values
            .iter()
            .map(|v| {
                v.to_string()
                    .map(String::as_str)
                    .map_err(|_| self.metadata_error(key, "holds a value that is not a string"))
            })
            .collect()
    }

    pub fn int_array(&self, key: &str) -> Result<Vec<i64>> {
        let values = self
            .require(key)?
            .to_vec()
            .map_err(|_| self.metadata_error(key, "is not an array"))?;
        values
            .iter()
            .map(|v| match v {
                Value::I32(x) => Ok(*x as i64),
                Value::U32(x) => Ok(*x as i64),
                Value::I8(x) => Ok(*x as i64),
                Value::U8(x) => Ok(*x as i64),
                Value::I64(x) => Ok(*x),
                _ => Err(self.metadata_error(key, "holds a value that is not an integer")),
            })
            .collect()
    }

    pub(crate) fn metadata_error(&self, key: &str, problem: &str) -> Error {
        Error::Metadata {
            path: self.path.clone(),
            key: key.to_string(),
            problem: problem.to_string(),
        }
    }

    fn require(&self, key: &str) -> Result<&Value> {
        self.get(key)
            .ok_or_else(|| self.metadata_error(key, "is missing"))
    }
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or_default().to_string()
}
