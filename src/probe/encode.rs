//! The upload's JPEG encoding: `jpeg-encoder` at [`JPEG_QUALITY`], 4:4:4, and for a big
//! picture two halves on two threads joined by one restart marker.

use image::DynamicImage;

use super::JPEG_QUALITY;

/// Encodes as baseline JPEG at [`JPEG_QUALITY`] without chroma subsampling (4:4:4, as
/// before), by the `jpeg-encoder` crate (AVX2 colour conversion and DCT when the CPU has
/// them): about 2.5× faster than `image`'s own encoder, same quantisation tables. A big
/// picture is encoded as two halves on two threads, joined by one restart marker
/// ([`encode_in_halves`]). Alpha is dropped (JPEG has none).
///
/// # Errors
/// A side longer than 65 535 pixels (JPEG's own limit), in words.
pub fn encode_jpeg(img: &DynamicImage) -> Result<Vec<u8>, String> {
    let too_big = |_| {
        format!(
            "{}×{} pixels is more than a JPEG can hold (65535 on a side)",
            img.width(),
            img.height()
        )
    };
    let (w, h) = (
        u16::try_from(img.width()).map_err(too_big)?,
        u16::try_from(img.height()).map_err(too_big)?,
    );
    let converted;
    let rgb = match img {
        DynamicImage::ImageRgb8(rgb) => rgb.as_raw(),
        other => {
            converted = other.to_rgb8();
            converted.as_raw()
        }
    };
    // Below ~0.5 MP a second thread costs more than it saves.
    if u32::from(w) * u32::from(h) < 512 * 1024 {
        return encode_part(rgb, w, h, None);
    }
    encode_in_halves(rgb, w, h)
}

/// Rows of pixels in one MCU (8: there is no chroma subsampling).
const MCU: u16 = 8;

/// The top and bottom halves (split at a whole MCU row) encoded at once on two threads,
/// then joined as the one JPEG a single encoder would write with a restart interval of
/// the top half's MCUs: the top's header (its height made the whole image's), the top's
/// entropy-coded data, RST0, the bottom's data, EOI. At a restart a decoder resets the
/// DC predictions, as the bottom's own encoder began, so the blocks decode to the same
/// pixels as from one encoder. Any part of that not possible (too small, an interval
/// beyond 16 bits, no second thread) falls back to one encoder.
pub(super) fn encode_in_halves(rgb: &[u8], w: u16, h: u16) -> Result<Vec<u8>, String> {
    let mcu_rows = h.div_ceil(MCU);
    let top_rows = mcu_rows.div_ceil(2);
    let interval = u32::from(top_rows) * u32::from(w.div_ceil(MCU));
    let Ok(interval) = u16::try_from(interval) else {
        return encode_part(rgb, w, h, None);
    };
    if mcu_rows < 2 {
        return encode_part(rgb, w, h, None);
    }
    let split = top_rows * MCU;
    let (top, bottom) = rgb.split_at(usize::from(split) * usize::from(w) * 3);
    let halves = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .spawn_scoped(scope, || encode_part(top, w, split, Some(interval)))
            .ok()?;
        let bottom = encode_part(bottom, w, h - split, None);
        Some((worker.join(), bottom))
    });
    match halves {
        Some((Ok(top), bottom)) => join_halves(&top?, &bottom?, h),
        Some((Err(_), _)) => Err("the JPEG encoder failed".into()),
        None => encode_part(rgb, w, h, None),
    }
}

pub(super) fn encode_part(
    rgb: &[u8],
    w: u16,
    h: u16,
    restart: Option<u16>,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(rgb.len() / 8);
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_1_1);
    if let Some(interval) = restart {
        encoder.set_restart_interval(interval);
    }
    encoder
        .encode(rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// See [`encode_in_halves`]. The parts are our encoder's own output, so a part without
/// the expected segments is a bug, reported as an error rather than a broken upload.
fn join_halves(top: &[u8], bottom: &[u8], height: u16) -> Result<Vec<u8>, String> {
    let broken = || "the JPEG encoder wrote an unexpected file".to_string();
    let (top_header, top_data) = split_at_scan(top).ok_or_else(broken)?;
    let (_, bottom_data) = split_at_scan(bottom).ok_or_else(broken)?;
    let mut out = Vec::with_capacity(top.len() + bottom.len());
    out.extend_from_slice(top_header);
    // SOF0 holds the height two bytes after its length and precision.
    let sof = frame_header(top_header).ok_or_else(broken)?;
    out[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    out.extend_from_slice(top_data);
    out.extend_from_slice(&[0xFF, 0xD0]); // RST0
    out.extend_from_slice(bottom_data);
    out.extend_from_slice(&[0xFF, 0xD9]); // EOI
    Ok(out)
}

/// The JPEG's segments up to and including the scan header, and its entropy-coded data
/// (without the final EOI).
fn split_at_scan(jpeg: &[u8]) -> Option<(&[u8], &[u8])> {
    let start = segments(jpeg).find(|&(marker, _, _)| marker == 0xDA)?.2;
    let data = jpeg.get(start..jpeg.len().checked_sub(2)?)?;
    (jpeg.ends_with(&[0xFF, 0xD9])).then_some((&jpeg[..start], data))
}

/// Where the baseline frame header (SOF0) starts: the offset of its 0xFF.
fn frame_header(header: &[u8]) -> Option<usize> {
    let (_, at, end) = segments(header).find(|&(marker, _, _)| marker == 0xC0)?;
    (end >= at + 7).then_some(at)
}

/// `(marker, offset of its 0xFF, offset after the segment)` for each segment after SOI,
/// up to the first scan header (the entropy-coded data after it has no lengths).
fn segments(jpeg: &[u8]) -> impl Iterator<Item = (u8, usize, usize)> + '_ {
    let mut next = jpeg.starts_with(&[0xFF, 0xD8]).then_some(2);
    std::iter::from_fn(move || {
        let at = next.take()?;
        let (0xFF, &marker) = (*jpeg.get(at)?, jpeg.get(at + 1)?) else {
            return None;
        };
        let len = u16::from_be_bytes([*jpeg.get(at + 2)?, *jpeg.get(at + 3)?]);
        let end = at + 2 + usize::from(len);
        if end > jpeg.len() {
            return None;
        }
        next = (marker != 0xDA).then_some(end);
        Some((marker, at, end))
    })
}
