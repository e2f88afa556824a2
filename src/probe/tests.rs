use super::encode::{encode_in_halves, encode_part};
use super::*;
use image::{Rgb, RgbImage};
use std::io::Cursor;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn jpeg_of(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    encode_jpeg(&DynamicImage::ImageRgb8(img)).unwrap()
}

fn decode_b64(p: &Probe) -> DynamicImage {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&p.base64)
        .unwrap();
    image::load_from_memory(&bytes).unwrap()
}

#[test]
fn downscales_the_longest_side_and_keeps_the_aspect() {
    let d = tempfile::tempdir().unwrap();
    let p = prepare(&write(d.path(), "big.jpg", &jpeg_of(3200, 1800)), 1600).unwrap();
    assert_eq!(p.original, (3200, 1800));
    assert_eq!(p.sent, (1600, 900));
    assert_eq!(decode_b64(&p).width(), 1600);
    assert!(!p.base64.starts_with("data:"));
    assert_eq!(
        p.jpeg_bytes,
        base64::engine::general_purpose::STANDARD
            .decode(&p.base64)
            .unwrap()
            .len()
    );
}

#[test]
fn large_reductions_average_instead_of_aliasing() {
    // A 1-px checkerboard: any point sampling would give pure black or white.
    let board = RgbImage::from_fn(800, 600, |x, y| {
        let v = if (x + y) % 2 == 0 { 0 } else { 255 };
        Rgb([v, v, v])
    });
    let small = downscale(DynamicImage::ImageRgb8(board.clone()), 200).to_rgb8();
    assert_eq!(small.dimensions(), (200, 150));
    assert!(small.pixels().all(|p| (120..=135).contains(&p[0])));
    // Near 1:1 too: the filter widens with the reduction; the aspect is kept.
    let mild = downscale(DynamicImage::ImageRgb8(board), 700);
    assert_eq!((mild.width(), mild.height()), (700, 525));
}

#[test]
fn every_pixel_type_shrinks_to_the_same_picture() {
    // The fast resize takes 8-bit gray and RGB; the rest becomes RGB first. Whatever
    // the type, the result is `image`'s own Triangle resize of the RGB picture.
    let rgb = RgbImage::from_fn(400, 300, |x, y| {
        Rgb([
            (x * 255 / 400) as u8,
            (y * 255 / 300) as u8,
            ((x + y) % 256) as u8,
        ])
    });
    let gray = DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
    let cases = [
        DynamicImage::ImageRgb8(rgb.clone()),
        DynamicImage::ImageRgba8(DynamicImage::ImageRgb8(rgb.clone()).to_rgba8()),
        DynamicImage::ImageRgb16(DynamicImage::ImageRgb8(rgb.clone()).to_rgb16()),
        DynamicImage::ImageLuma8(gray.clone()),
        DynamicImage::ImageLumaA8(DynamicImage::ImageLuma8(gray).to_luma_alpha8()),
    ];
    for img in cases {
        let reference =
            DynamicImage::ImageRgb8(img.to_rgb8()).resize_exact(100, 75, FilterType::Triangle);
        let small = downscale(img.clone(), 100);
        assert_eq!((small.width(), small.height()), (100, 75), "{img:?}");
        assert!(
            matches!(
                small,
                DynamicImage::ImageRgb8(_) | DynamicImage::ImageLuma8(_)
            ),
            "{img:?}"
        );
        let diff = mean_abs_diff(&small, &reference);
        assert!(diff < 1.0, "{:?}: {diff:.2} levels", img.color());
    }
}

#[test]
fn two_halves_decode_to_the_pixels_of_one_encoder() {
    // Noise, so the entropy-coded data is dense (and holds stuffed 0xFF bytes).
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut noisy = |w: u32, h: u32| {
        RgbImage::from_fn(w, h, |x, y| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = (seed & 63) as u32;
            Rgb([(x + n) as u8, (y * 3 + n) as u8, (x ^ y) as u8])
        })
    };
    // Whole MCU rows or not, odd widths, two MCU rows only, an odd count of them.
    for (w, h) in [(1600, 1067), (803, 650), (37, 16), (64, 24), (1024, 512)] {
        let img = noisy(w, h);
        let (w16, h16) = (w as u16, h as u16);
        let joined = encode_in_halves(img.as_raw(), w16, h16).unwrap();
        let single = encode_part(img.as_raw(), w16, h16, None).unwrap();
        crate::imagecheck::check_complete(image::ImageFormat::Jpeg, &joined).unwrap();
        let a = image::load_from_memory(&joined).unwrap().to_rgb8();
        let b = image::load_from_memory(&single).unwrap().to_rgb8();
        assert_eq!(a.dimensions(), (w, h));
        assert!(a == b, "{w}×{h}: the joined JPEG decodes to other pixels");
        // So with a second decoder (it checks the restart marker's number).
        let other = |jpeg: &[u8]| jpeg_decoder::Decoder::new(jpeg).decode().unwrap();
        assert!(other(&joined) == other(&single), "{w}×{h}: jpeg-decoder");
        // Exactly one restart marker: entropy-coded data never holds 0xFF 0xD0.
        let restarts = joined.windows(2).filter(|m| m == &[0xFF, 0xD0]).count();
        assert_eq!(restarts, 1, "{w}×{h}");
    }
    // Big uploads take that path.
    let big = encode_jpeg(&DynamicImage::ImageRgb8(noisy(1024, 600))).unwrap();
    assert!(
        big.windows(2).any(|m| m == [0xFF, 0xDD]),
        "no restart interval"
    );
}

#[test]
fn the_upload_is_a_baseline_jpeg_at_full_chroma() {
    // Every decoder reads baseline JPEG; 4:4:4 keeps skin tones' colour as sharp as
    // the light (the encoder would subsample below quality 90).
    let jpeg = jpeg_of(120, 80);
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(&jpeg));
    decoder.read_info().unwrap();
    let info = decoder.info().unwrap();
    assert_eq!(
        info.coding_process,
        jpeg_decoder::CodingProcess::DctSequential
    );
    assert_eq!((info.width, info.height), (120, 80));
    // SOF0's component table: id, then horizontal and vertical sampling in a byte.
    let sof = jpeg.windows(2).position(|m| m == [0xFF, 0xC0]).unwrap();
    let components = &jpeg[sof + 10..sof + 10 + 3 * usize::from(jpeg[sof + 9])];
    assert_eq!(components.len(), 9);
    assert!(components.chunks(3).all(|c| c[1] == 0x11), "{components:?}");
    let wide = encode_jpeg(&DynamicImage::new_luma8(70_000, 1)).unwrap_err();
    assert!(wide.contains("65535"), "{wide}");
}

#[test]
fn the_probe_carries_the_stamp_of_the_file_it_read() {
    let d = tempfile::tempdir().unwrap();
    let path = write(d.path(), "p.jpg", &jpeg_of(120, 80));
    let p = prepare(&path, 1600).unwrap();
    assert_eq!(p.stamp, crate::history::ProbeStamp::of(&path).unwrap());
    assert_eq!(p.stamp.size, p.file_bytes);
}

#[test]
fn never_upscales() {
    let d = tempfile::tempdir().unwrap();
    let p = prepare(&write(d.path(), "small.jpg", &jpeg_of(300, 200)), 1600).unwrap();
    assert_eq!(p.sent, (300, 200));
}

#[test]
fn png_with_alpha_becomes_a_jpeg() {
    let d = tempfile::tempdir().unwrap();
    let img = DynamicImage::new_rgba8(50, 40);
    let mut bytes = Vec::new();
    img.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    let p = prepare(&write(d.path(), "a.png", &bytes), 1600).unwrap();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(&p.base64)
        .unwrap();
    assert_eq!(image::guess_format(&raw).unwrap(), image::ImageFormat::Jpeg);
}

#[test]
fn bad_files_give_clear_errors() {
    let d = tempfile::tempdir().unwrap();
    let missing = prepare(&d.path().join("nope.jpg"), 1600).unwrap_err();
    assert!(missing.to_string().contains("no such file"), "{missing}");
    let empty = prepare(&write(d.path(), "empty.jpg", b""), 1600).unwrap_err();
    assert!(empty.to_string().contains("empty"), "{empty}");
    let text = prepare(
        &write(d.path(), "notes.jpg", b"just some text, not a picture"),
        1600,
    )
    .unwrap_err();
    assert!(text.to_string().contains("not an image"), "{text}");
    // (JPEG decoders pad a truncated scan with grey, so cut a PNG, which checksums.)
    let mut truncated = Vec::new();
    DynamicImage::new_rgb8(300, 300)
        .write_to(&mut Cursor::new(&mut truncated), image::ImageFormat::Png)
        .unwrap();
    truncated.truncate(truncated.len() / 3);
    let corrupt = prepare(&write(d.path(), "cut.png", &truncated), 1600).unwrap_err();
    assert!(corrupt.to_string().contains("corrupt"), "{corrupt}");
    let dir = prepare(d.path(), 1600).unwrap_err();
    assert!(matches!(dir, ProbeError::Directory { .. }));
}

#[test]
fn real_photos_cut_anywhere_are_refused_as_truncated() {
    let faces =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/faces");
    let Ok(list) = std::fs::read_dir(&faces) else {
        eprintln!("SKIPPED: no {}", faces.display());
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let mut photos = 0;
    for item in list.flatten() {
        let path = item.path();
        if path.extension().is_none_or(|e| e != "jpg") {
            continue;
        }
        photos += 1;
        let bytes = std::fs::read(&path).unwrap();
        assert!(prepare(&path, 1600).is_ok(), "{} whole", path.display());
        for percent in [10, 30, 50, 70, 90, 99] {
            let keep = bytes.len() * percent / 100;
            let cut = write(d.path(), "cut.jpg", &bytes[..keep]);
            let e = prepare(&cut, 1600).unwrap_err();
            assert!(
                e.to_string().contains("truncated or corrupt"),
                "{} at {percent} %: {e}",
                path.display()
            );
        }
    }
    assert!(photos > 0, "no photos in {}", faces.display());
}

#[test]
#[cfg(unix)]
fn a_fifo_is_refused_by_name_without_blocking() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("p.jpg");
    assert!(std::process::Command::new("mkfifo")
        .arg(&p)
        .status()
        .unwrap()
        .success());
    let e = prepare(&p, 1600).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "cannot read {}: it is a named pipe (FIFO), not a regular file",
            p.display()
        )
    );
}

#[test]
fn files_over_30_mb_are_refused_without_decoding() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("huge.jpg");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(MAX_FILE_BYTES + 1).unwrap();
    let e = prepare(&p, 1600).unwrap_err();
    assert!(matches!(e, ProbeError::TooBig { .. }), "{e}");
    assert!(e.to_string().contains("30 MB"));
}

#[test]
#[cfg(unix)]
fn unreadable_files_say_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "locked.jpg", &jpeg_of(10, 10));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    // root can read anything; the check is only meaningful for other users.
    if std::fs::read(&p).is_err() {
        assert!(prepare(&p, 1600)
            .unwrap_err()
            .to_string()
            .contains("permission denied"));
    }
}

#[test]
fn debug_output_never_contains_the_image() {
    let d = tempfile::tempdir().unwrap();
    let p = prepare(&write(d.path(), "a.jpg", &jpeg_of(64, 64)), 1600).unwrap();
    let shown = format!("{p:?}");
    assert!(!shown.contains(&p.base64[..40]), "{shown}");
    assert!(shown.contains("chars>"));
}

#[test]
fn exif_orientation_is_applied() {
    // A 40×20 landscape JPEG tagged "rotate 90° CW" (orientation 6) is upright 20×40.
    let jpeg = jpeg_of(40, 20);
    let tagged = with_exif_orientation(&jpeg, 6);
    let d = tempfile::tempdir().unwrap();
    let p = prepare(&write(d.path(), "rot.jpg", &tagged), 1600).unwrap();
    assert_eq!(p.original, (20, 40));
    assert_eq!(p.sent, (20, 40));
}

/// A smooth photo-like picture (no hard edges, so two decodes can be compared).
fn smooth_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        Rgb([
            (40.0 + 180.0 * fx) as u8,
            (200.0 - 150.0 * fy) as u8,
            (90.0 + 80.0 * (fx * fy)) as u8,
        ])
    });
    encode_jpeg(&DynamicImage::ImageRgb8(img)).unwrap()
}

fn mean_abs_diff(a: &DynamicImage, b: &DynamicImage) -> f64 {
    let (a, b) = (a.to_rgb8(), b.to_rgb8());
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: f64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).abs())
        .sum();
    sum / a.as_raw().len() as f64
}

#[test]
fn big_jpegs_are_decoded_at_a_reduced_size_from_their_dct() {
    let jpeg = smooth_jpeg(3200, 1800);
    // 1/8 of 3200 is 400: the smallest DCT scale still at least 400 px.
    let r = crate::imageio::decode_oriented_within(&jpeg, 400).unwrap();
    assert_eq!(r.original, (3200, 1800));
    assert_eq!((r.image.width(), r.image.height()), (400, 225));
    // 1/4 (800 px) for 500: 1/8 would be smaller than asked.
    let r = crate::imageio::decode_oriented_within(&jpeg, 500).unwrap();
    assert_eq!((r.image.width(), r.image.height()), (800, 450));
    // Nothing is thrown away for a size the image does not exceed.
    let r = crate::imageio::decode_oriented_within(&jpeg, 4000).unwrap();
    assert_eq!((r.image.width(), r.image.height()), (3200, 1800));
}

#[test]
fn the_reduced_decode_sends_the_same_picture_as_a_full_one() {
    let jpeg = smooth_jpeg(3200, 1800);
    let d = tempfile::tempdir().unwrap();
    let p = prepare(&write(d.path(), "big.jpg", &jpeg), 500).unwrap();
    assert_eq!((p.original, p.sent), ((3200, 1800), (500, 281)));
    let full = downscale(crate::imageio::decode_oriented(&jpeg).unwrap(), 500);
    let diff = mean_abs_diff(&decode_b64(&p), &full);
    assert!(diff < 2.0, "mean difference {diff:.2} levels");
}

#[test]
fn the_reduced_decode_applies_exif_orientation_and_gray() {
    // 800×400 tagged "rotate 90° CW": upright 400×800, decoded at 1/8 then turned.
    let tagged = with_exif_orientation(&smooth_jpeg(800, 400), 6);
    let r = crate::imageio::decode_oriented_within(&tagged, 100).unwrap();
    assert_eq!(r.original, (400, 800));
    assert_eq!((r.image.width(), r.image.height()), (50, 100));
    let d = tempfile::tempdir().unwrap();
    let p = prepare(&write(d.path(), "rot.jpg", &tagged), 100).unwrap();
    assert_eq!((p.original, p.sent), ((400, 800), (50, 100)));

    let gray = image::GrayImage::from_fn(640, 480, |x, _| image::Luma([(x / 3) as u8]));
    let mut bytes = Vec::new();
    DynamicImage::ImageLuma8(gray)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    let r = crate::imageio::decode_oriented_within(&bytes, 160).unwrap();
    assert_eq!((r.image.width(), r.image.height()), (160, 120));
    assert!(matches!(r.image, DynamicImage::ImageLuma8(_)));
}

/// Inserts a minimal APP1/EXIF segment holding only an orientation tag.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\x00\x2a\x00\x00\x00\x08"); // big-endian, IFD at 8
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // count
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut seg = b"Exif\x00\x00".to_vec();
    seg.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((seg.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&seg);
    out.extend_from_slice(&jpeg[2..]);
    out
}
