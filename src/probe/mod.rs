//! Probe preparation: an image file becomes a validated, upright, downscaled JPEG
//! in raw base64, ready for `search_live_face`.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use image::imageops::FilterType;
use image::DynamicImage;

use crate::history::ProbeStamp;
use crate::imageio::{decode_oriented_within, DecodeError};

mod encode;
pub use encode::encode_jpeg;

/// Files above this size are refused before reading them.
pub const MAX_FILE_BYTES: u64 = 30 * 1024 * 1024;
/// JPEG quality of the upload: high enough for face matching, ~5–10× smaller than PNG.
pub const JPEG_QUALITY: u8 = 90;

/// A probe ready to send. Its `Debug` leaves the image out, so it can be logged.
#[derive(Clone, PartialEq)]
pub struct Probe {
    /// Raw base64 of the JPEG (no `data:` prefix).
    pub base64: String,
    /// Size of the file on disk.
    pub file_bytes: u64,
    /// `(width, height)` in pixels of the upright original (EXIF orientation applied).
    pub original: (u32, u32),
    /// `(width, height)` in pixels of what is sent, after downscaling.
    pub sent: (u32, u32),
    /// Size of the JPEG that is uploaded (before base64).
    pub jpeg_bytes: usize,
    /// The file as it was opened and read (its path, size and modification time): what
    /// the history records of the probe.
    pub stamp: ProbeStamp,
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probe")
            .field("base64", &format_args!("<{} chars>", self.base64.len()))
            .field("file_bytes", &self.file_bytes)
            .field("original", &self.original)
            .field("sent", &self.sent)
            .field("jpeg_bytes", &self.jpeg_bytes)
            .field("stamp", &self.stamp)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path} is a directory, not an image")]
    Directory { path: String },
    #[error("{path} is too large ({size} MB; the limit is 30 MB)")]
    TooBig { path: String, size: u64 },
    #[error("{path}: {source}")]
    Decode { path: String, source: DecodeError },
    #[error("cannot encode {path} as JPEG: {reason}")]
    Encode { path: String, reason: String },
}

/// Reads, checks, orients, downscales (never upscales) and encodes one image file.
pub fn prepare(path: &Path, max_side: u32) -> Result<Probe, ProbeError> {
    let shown = path.display().to_string();
    let unreadable = |e: std::io::Error| ProbeError::Unreadable {
        path: shown.clone(),
        reason: plain_io(&e),
    };
    // The type is checked before opening: open() on a FIFO would wait for a writer.
    let meta = crate::filetype::check_regular(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::IsADirectory {
            ProbeError::Directory {
                path: shown.clone(),
            }
        } else {
            unreadable(e)
        }
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(ProbeError::TooBig {
            path: shown,
            size: meta.len().div_ceil(1024 * 1024),
        });
    }
    // Read at most one byte past the limit, in case the file grew since stat.
    let (bytes, opened) =
        crate::filetype::read_regular(path, MAX_FILE_BYTES).map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ProbeError::TooBig {
            path: shown,
            size: 31,
        });
    }
    let stamp = ProbeStamp::from_meta(path, &opened);
    prepare_bytes(&bytes, max_side, stamp).map_err(|e| match e {
        PrepareError::Decode(source) => ProbeError::Decode {
            path: shown,
            source,
        },
        PrepareError::Encode(reason) => ProbeError::Encode {
            path: shown,
            reason,
        },
    })
}

#[derive(Debug)]
enum PrepareError {
    Decode(DecodeError),
    Encode(String),
}

fn prepare_bytes(bytes: &[u8], max_side: u32, stamp: ProbeStamp) -> Result<Probe, PrepareError> {
    let reduced = decode_oriented_within(bytes, max_side).map_err(PrepareError::Decode)?;
    let (img, original) = (reduced.image, reduced.original);
    let img = downscale(img, max_side);
    let sent = (img.width(), img.height());
    let jpeg = encode_jpeg(&img).map_err(PrepareError::Encode)?;
    Ok(Probe {
        base64: base64::engine::general_purpose::STANDARD.encode(&jpeg),
        file_bytes: bytes.len() as u64,
        original,
        sent,
        jpeg_bytes: jpeg.len(),
        stamp,
    })
}

/// Most faces one enrolment or update sends (the API takes 1–3 images).
pub const MAX_FACES: usize = 3;

/// Prepares 1–3 face images as base64 JPEGs (blocking); any bad file stops everything,
/// and the error names the file.
pub fn prepare_faces(paths: &[PathBuf], max_side: u32) -> Result<Vec<String>, String> {
    if paths.len() > MAX_FACES {
        return Err(format!(
            "give at most {MAX_FACES} images (got {})",
            paths.len()
        ));
    }
    paths
        .iter()
        .map(|p| {
            prepare(p, max_side)
                .map(|p| p.base64)
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Shrinks so the longest side is at most `max_side`; smaller images are left alone.
///
/// A shrunk image comes back as 8-bit RGB (it is on its way to a JPEG, which has no
/// alpha and no 16-bit samples); one left alone comes back as it was.
pub fn downscale(img: DynamicImage, max_side: u32) -> DynamicImage {
    let longest = img.width().max(img.height());
    if longest <= max_side || max_side == 0 {
        return img;
    }
    let scale = f64::from(max_side) / f64::from(longest);
    let w = ((f64::from(img.width()) * scale).round() as u32).max(1);
    let h = ((f64::from(img.height()) * scale).round() as u32).max(1);
    // One pixel type for the fast resize (each more would add its SIMD code to the
    // binary): what is not 8-bit RGB becomes it first, as `encode_jpeg` would anyway.
    let rgb = match img {
        DynamicImage::ImageRgb8(rgb) => rgb,
        other => other.to_rgb8(),
    };
    match resize_fast(&rgb, w, h) {
        Some(small) => DynamicImage::ImageRgb8(small),
        // `image`'s own Triangle resize is the same filter: the same picture, slower.
        None => DynamicImage::ImageRgb8(rgb).resize_exact(w, h, FilterType::Triangle),
    }
}

/// A triangle (bilinear) filter whose support widens with the reduction, so every source
/// pixel counts and nothing aliases, by the `fast_image_resize` crate (SIMD: AVX2, SSE4.1
/// or NEON, chosen at run time). Measured by benches/probe.rs (24 MP → 1600 px): many
/// times faster than `image`'s Triangle resize and its area averaging (`thumbnail`),
/// and closer than the latter to a Lanczos3 reference. `None` if the crate refuses.
fn resize_fast(rgb: &image::RgbImage, w: u32, h: u32) -> Option<image::RgbImage> {
    use fast_image_resize::images::{TypedImage, TypedImageRef};
    use fast_image_resize::pixels::U8x3;
    use fast_image_resize::{FilterType as Filter, ResizeAlg, ResizeOptions, Resizer};
    let src = TypedImageRef::<U8x3>::from_buffer(rgb.width(), rgb.height(), rgb.as_raw()).ok()?;
    let mut out = vec![0; 3 * w as usize * h as usize];
    let mut dst = TypedImage::<U8x3>::from_buffer(w, h, &mut out).ok()?;
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(Filter::Bilinear));
    Resizer::new().resize_typed(&src, &mut dst, &options).ok()?;
    image::RgbImage::from_raw(w, h, out)
}

pub(crate) fn plain_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests;
