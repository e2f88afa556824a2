//! Decoding image bytes safely: format sniffed from the content, allocation and
//! dimension limits against decompression bombs, truncation detected, EXIF orientation
//! applied. Also the one list of image formats liveface reads ([`FORMATS`]).

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// One image format liveface reads: its name for people, the decoder's format (what
/// content sniffing must find) and the file extensions that mark it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportedFormat {
    pub name: &'static str,
    pub format: ImageFormat,
    /// Lower case, without the dot.
    pub extensions: &'static [&'static str],
}

/// Every format liveface reads, in the order messages list them. The file browser
/// highlights and picks by these extensions; decoding goes by content and accepts only
/// these formats, whatever a file is called.
pub const FORMATS: [SupportedFormat; 6] = [
    SupportedFormat {
        name: "JPEG",
        format: ImageFormat::Jpeg,
        extensions: &["jpg", "jpeg", "jpe", "jfif"],
    },
    SupportedFormat {
        name: "PNG",
        format: ImageFormat::Png,
        extensions: &["png"],
    },
    SupportedFormat {
        name: "WebP",
        format: ImageFormat::WebP,
        extensions: &["webp"],
    },
    SupportedFormat {
        name: "BMP",
        format: ImageFormat::Bmp,
        extensions: &["bmp", "dib"],
    },
    SupportedFormat {
        name: "GIF",
        format: ImageFormat::Gif,
        extensions: &["gif"],
    },
    SupportedFormat {
        name: "TIFF",
        format: ImageFormat::Tiff,
        extensions: &["tif", "tiff"],
    },
];

/// "JPEG, PNG, WebP, BMP, GIF or TIFF".
pub fn format_names() -> String {
    let names: Vec<&str> = FORMATS.iter().map(|f| f.name).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// "jpg, jpeg, jpe, jfif, png, webp, bmp, dib, gif, tif, tiff".
pub fn extension_list() -> String {
    FORMATS
        .iter()
        .flat_map(|f| f.extensions.iter().copied())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the path's extension marks a supported format (any case). Works on the raw
/// file name, so a name that is not UTF-8 before its extension still counts.
pub fn has_image_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        FORMATS
            .iter()
            .flat_map(|f| f.extensions.iter())
            .any(|x| x.eq_ignore_ascii_case(e))
    })
}

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
        "not an image (or a format liveface cannot read: use {})",
        format_names()
    )]
    NotAnImage,
    #[error("the image is too large to decode safely ({0})")]
    TooLarge(String),
    #[error("the image is truncated or corrupt: {0}")]
    Corrupt(String),
}

/// The format the content shows, if it is one of [`FORMATS`].
pub fn sniff_format(bytes: &[u8]) -> Option<ImageFormat> {
    let format = image::guess_format(bytes).ok()?;
    FORMATS.iter().any(|f| f.format == format).then_some(format)
}

/// Decodes bytes into upright pixels, refusing bombs and non-images.
pub fn decode_oriented(bytes: &[u8]) -> Result<DynamicImage, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let format = sniff_format(bytes).ok_or(DecodeError::NotAnImage)?;
    // Some decoders (JPEG's above all) fill a cut-off picture with grey and report
    // success; the container's own end marker tells whether the file is whole.
    crate::imagecheck::check_complete(format, bytes).map_err(DecodeError::Corrupt)?;
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

/// Decodes bytes into upright pixels like [`decode_oriented`], but never decodes pixels a
/// caller would throw away: a JPEG is decoded at 1/2, 1/4 or 1/8 of its size straight
/// from its DCT coefficients (the `jpeg-decoder` crate's `scale`, as libjpeg's
/// `scale_denom`), the smallest of those whose longest side is still at least
/// `max_side` pixels. The caller resizes the rest (e.g. [`crate::probe::downscale`]).
///
/// Other formats, `max_side == 0`, and JPEGs this path does not take (CMYK, 16-bit,
/// anything its decoder refuses) are decoded in full by [`decode_oriented`], so the
/// result is the same picture either way, only its size differs.
///
/// # Errors
/// As [`decode_oriented`]: empty, not an image, truncated or corrupt, too large.
pub fn decode_oriented_within(bytes: &[u8], max_side: u32) -> Result<Reduced, DecodeError> {
    let full = |bytes| {
        decode_oriented(bytes).map(|image| Reduced {
            original: (image.width(), image.height()),
            image,
        })
    };
    if max_side == 0 || sniff_format(bytes) != Some(ImageFormat::Jpeg) {
        return full(bytes);
    }
    crate::imagecheck::check_complete(ImageFormat::Jpeg, bytes).map_err(DecodeError::Corrupt)?;
    match decode_jpeg_scaled(bytes, max_side) {
        Some(result) => result,
        None => full(bytes),
    }
}

/// An upright picture decoded at a reduced size, and the size of the whole one.
#[derive(Debug, Clone)]
pub struct Reduced {
    pub image: DynamicImage,
    /// `(width, height)` in pixels of the upright original (EXIF orientation applied).
    pub original: (u32, u32),
}

/// The DCT-scaled JPEG decode; `None` when this path does not take the file (the full
/// decoder then does, and gives its own error if there is one).
fn decode_jpeg_scaled(bytes: &[u8], max_side: u32) -> Option<Result<Reduced, DecodeError>> {
    use jpeg_decoder::PixelFormat;
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    if width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Some(Err(DecodeError::TooLarge(format!(
            "{width}×{height} pixels, more than {MAX_DIMENSION} on a side"
        ))));
    }
    if !matches!(info.pixel_format, PixelFormat::L8 | PixelFormat::RGB24) {
        return None;
    }
    let request = u16::try_from(max_side).unwrap_or(u16::MAX);
    decoder.set_max_decoding_buffer_size(usize::try_from(MAX_ALLOC).unwrap_or(usize::MAX));
    let (w, h) = decoder.scale(request, request).ok()?;
    let pixels = decoder.decode().ok()?;
    let (w, h) = (u32::from(w), u32::from(h));
    let img = match info.pixel_format {
        PixelFormat::L8 => image::GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8),
        _ => image::RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8),
    }?;
    let mut image = img;
    let mut original = (width, height);
    if let Some(o) = decoder
        .exif_data()
        .and_then(image::metadata::Orientation::from_exif_chunk)
    {
        image.apply_orientation(o);
        if image.width() != w {
            original = (height, width);
        }
    }
    Some(Ok(Reduced { image, original }))
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
    fn one_list_of_formats_for_names_and_content() {
        assert_eq!(format_names(), "JPEG, PNG, WebP, BMP, GIF or TIFF");
        for name in [
            "a.jpg", "b.JPEG", "c.jfif", "d.png", "e.webp", "f.bmp", "g.gif",
        ] {
            assert!(has_image_extension(Path::new(name)), "{name}");
        }
        for name in ["h.tif", "i.TIFF", "j.jpe"] {
            assert!(has_image_extension(Path::new(name)), "{name}");
        }
        for name in ["notes.txt", "jpg", "a.jpg.bak", "x.svg", "y.heic"] {
            assert!(!has_image_extension(Path::new(name)), "{name}");
        }
        assert!(extension_list().contains("gif") && extension_list().contains("tiff"));
        // Content decides what is decoded: a GIF called .png still reads, an ICO
        // (which the sniffer knows but liveface does not read) is not an image.
        let mut gif = Vec::new();
        DynamicImage::new_rgb8(4, 4)
            .write_to(&mut Cursor::new(&mut gif), ImageFormat::Gif)
            .unwrap();
        assert_eq!(sniff_format(&gif), Some(ImageFormat::Gif));
        assert!(decode_oriented(&gif).is_ok());
        assert_eq!(sniff_format(b"\0\0\x01\0\x01\0"), None);
        assert!(DecodeError::NotAnImage
            .to_string()
            .contains(&format_names()));
    }

    #[test]
    fn a_cut_jpeg_is_refused_though_its_decoder_says_nothing() {
        let mut jpeg = Vec::new();
        let img = image::RgbImage::from_fn(120, 90, |x, y| image::Rgb([x as u8, y as u8, 9]));
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg)
            .unwrap();
        let cut = &jpeg[..jpeg.len() / 2];
        // The decoder alone fills the missing half with grey and reports success …
        assert!(image::load_from_memory_with_format(cut, ImageFormat::Jpeg).is_ok());
        // … so decoding checks the end marker.
        let e = decode_oriented(cut).unwrap_err();
        assert!(matches!(e, DecodeError::Corrupt(_)));
        assert!(
            e.to_string()
                .starts_with("the image is truncated or corrupt"),
            "{e}"
        );
        assert!(decode_oriented(&jpeg).is_ok());
    }

    #[test]
    fn every_format_cut_short_is_refused() {
        let img = image::RgbImage::from_fn(97, 61, |x, y| image::Rgb([x as u8, y as u8, 3]));
        for f in FORMATS {
            let mut whole = Vec::new();
            DynamicImage::ImageRgb8(img.clone())
                .write_to(&mut Cursor::new(&mut whole), f.format)
                .unwrap();
            assert!(decode_oriented(&whole).is_ok(), "{} whole", f.name);
            for percent in [20, 50, 80, 95] {
                let keep = whole.len() * percent / 100;
                assert!(
                    decode_oriented(&whole[..keep]).is_err(),
                    "{} cut at {percent} % decodes",
                    f.name
                );
            }
            assert!(
                decode_oriented(&whole[..whole.len() - 1]).is_err(),
                "{} without its last byte decodes",
                f.name
            );
        }
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
