//! Decoding image bytes safely: format sniffed from the content, allocation and
//! dimension limits against decompression bombs, EXIF orientation applied.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

/// Largest width or height accepted from any image (a 24 MP photo is ~6000 px wide).
pub const MAX_DIMENSION: u32 = 16_384;
/// Largest decoded buffer accepted (bytes), enough for a 100 MP RGBA image.
pub const MAX_ALLOC: u64 = 512 * 1024 * 1024;

/// Why image bytes could not become pixels, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the file is empty")]
    Empty,
    #[error(
        "not an image (or a format liveface cannot read: use JPEG, PNG, WebP, BMP, GIF or TIFF)"
    )]
    NotAnImage,
    #[error("the image is too large to decode safely ({0})")]
    TooLarge(String),
    #[error("the image is corrupt: {0}")]
    Corrupt(String),
}

/// The sniffed format's usual name ("jpeg", "png", …), if the bytes look like an image.
pub fn sniff_format(bytes: &[u8]) -> Option<image::ImageFormat> {
    image::guess_format(bytes).ok()
}

/// Decodes bytes into upright pixels, refusing bombs and non-images.
pub fn decode_oriented(bytes: &[u8]) -> Result<DynamicImage, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let format = sniff_format(bytes).ok_or(DecodeError::NotAnImage)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(classify)?;
    // A missing or unreadable EXIF block is not an error: the image is simply upright.
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(classify)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img)
}

fn classify(e: image::ImageError) -> DecodeError {
    match e {
        image::ImageError::Limits(l) => DecodeError::TooLarge(l.to_string()),
        image::ImageError::Unsupported(_) => DecodeError::NotAnImage,
        other => DecodeError::Corrupt(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::new_rgb8(w, h);
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn decodes_a_small_png() {
        let img = decode_oriented(&png(7, 3)).unwrap();
        assert_eq!((img.width(), img.height()), (7, 3));
    }

    #[test]
    fn refuses_empty_text_and_truncated_input() {
        assert_eq!(decode_oriented(b""), Err(DecodeError::Empty));
        assert_eq!(
            decode_oriented(b"hello, world"),
            Err(DecodeError::NotAnImage)
        );
        let mut bytes = png(64, 64);
        bytes.truncate(bytes.len() / 2);
        assert!(matches!(
            decode_oriented(&bytes),
            Err(DecodeError::Corrupt(_))
        ));
    }

    #[test]
    fn refuses_a_declared_giant_before_allocating() {
        // A PNG header claiming 100000×100000 pixels: a classic decompression bomb.
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(matches!(
            decode_oriented(&bytes),
            Err(DecodeError::TooLarge(_)) | Err(DecodeError::Corrupt(_))
        ));
    }
}
