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
