//! Choosing the device the model runs on: CPU by default, CUDA or Metal when built with those
//! features and asked for (or found, with `auto`).

use std::str::FromStr;

use candle_core::Device;

use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceChoice {
    /// The first GPU when the binary was built with `cuda` or `metal` and one is present, else CPU.
    #[default]
    Auto,
    Cpu,
    Cuda,
    Metal,
}

impl FromStr for DeviceChoice {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "auto" => Ok(DeviceChoice::Auto),
            "cpu" => Ok(DeviceChoice::Cpu),
            "cuda" => Ok(DeviceChoice::Cuda),
            "metal" => Ok(DeviceChoice::Metal),
            other => Err(format!(
                "unknown device `{other}` (expected auto, cpu, cuda or metal)"
            )),
        }
    }
}

pub fn select_device(choice: DeviceChoice) -> Result<Device> {
    match choice {
        DeviceChoice::Cpu => Ok(Device::Cpu),
        DeviceChoice::Cuda => {
            if !candle_core::utils::cuda_is_available() {
                return Err(Error::Device(
                    "cuda was asked for but this binary was built without the `cuda` feature"
                        .into(),
                ));
            }
            Device::new_cuda(0).map_err(|err| Error::Device(format!("cuda: {err}")))
        }
        DeviceChoice::Metal => {
            if !candle_core::utils::metal_is_available() {
                return Err(Error::Device(
                    "metal was asked for but this binary was built without the `metal` feature"
                        .into(),
                ));
            }
            Device::new_metal(0).map_err(|err| Error::Device(format!("metal: {err}")))
        }
        DeviceChoice::Auto => {
            if candle_core::utils::cuda_is_available() {
                if let Ok(device) = Device::new_cuda(0) {
                    return Ok(device);
                }
            }
            if candle_core::utils::metal_is_available() {
                if let Ok(device) = Device::new_metal(0) {
                    return Ok(device);
                }
            }
            Ok(Device::Cpu)
        }
    }
}

/// The machine as a benchmark reports it: CPU model, the SIMD features this CPU has (detected
/// at run time, not the ones the binary was built for), and the threads the CPU kernels use.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Machine {
    pub cpu: String,
    pub arch: &'static str,
    pub features: Vec<&'static str>,
    pub threads: usize,
}

impl Machine {
    pub fn detect() -> Machine {
        Machine {
            cpu: cpu_model().unwrap_or_else(|| "unknown".into()),
            arch: std::env::consts::ARCH,
            features: cpu_features(),
            threads: candle_core::utils::get_num_threads(),
        }
    }
}

/// The first `model name` of /proc/cpuinfo (Linux); none elsewhere.
fn cpu_model() -> Option<String> {
    let text = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("model name")?.split_once(':'))
        .map(|(_, name)| name.trim().to_string())
}

/// The features of `$name...` that `std::arch::$detect!` finds on this CPU, at run time.
macro_rules! detected {
    ($detect:ident: $($name:tt),*) => {{
        let mut found = Vec::new();
        $(
            if std::arch::$detect!($name) {
                found.push($name);
            }
        )*
        found
    }};
}

#[cfg(target_arch = "x86_64")]
fn cpu_features() -> Vec<&'static str> {
    detected!(is_x86_feature_detected: "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw",
        "avx512vnni", "avx512bf16")
}

#[cfg(target_arch = "aarch64")]
fn cpu_features() -> Vec<&'static str> {
    detected!(is_aarch64_feature_detected: "neon", "dotprod", "i8mm", "bf16")
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn cpu_features() -> Vec<&'static str> {
    Vec::new()
}
