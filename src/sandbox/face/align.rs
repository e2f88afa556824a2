//! Face alignment: the least-squares similarity transform (rotation, uniform scale,
//! translation; no reflection) taking the 5 detected landmarks onto the standard 112×112
//! template, and a bilinear warp of the image through it.

use image::RgbImage;

use super::pixels::{box_shrink, sample_or_black};

/// Output side of the aligned face.
pub const SIDE: u32 = 112;

/// Where the 5 landmarks (right eye, left eye, nose, right and left mouth corner) sit in
/// the aligned 112×112 face: the template MobileFaceNet / ArcFace models are trained on.
pub const TEMPLATE: [[f32; 2]; 5] = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
];

/// A 2-D similarity transform: (x, y) → (a·x − b·y + tx, b·x + a·y + ty).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Similarity {
    pub a: f32,
    pub b: f32,
    pub tx: f32,
    pub ty: f32,
}

impl Similarity {
    /// The least-squares similarity mapping `src` points onto `dst` points (Umeyama's
    /// method restricted to 2-D, where it has this closed form). `None` if the source
    /// points all coincide.
    pub fn estimate(src: &[[f32; 2]], dst: &[[f32; 2]]) -> Option<Similarity> {
        let n = src.len().min(dst.len()) as f64;
        if n == 0.0 {
            return None;
        }
        let mean = |p: &[[f32; 2]]| {
            let (sx, sy) = p
                .iter()
                .fold((0.0, 0.0), |(x, y), q| (x + q[0] as f64, y + q[1] as f64));
            (sx / n, sy / n)
        };
        let (sxm, sym) = mean(src);
        let (dxm, dym) = mean(dst);
        let (mut dot, mut cross, mut norm) = (0.0f64, 0.0f64, 0.0f64);
        for (s, d) in src.iter().zip(dst) {
            let (px, py) = (s[0] as f64 - sxm, s[1] as f64 - sym);
            let (qx, qy) = (d[0] as f64 - dxm, d[1] as f64 - dym);
            dot += px * qx + py * qy;
            cross += px * qy - py * qx;
            norm += px * px + py * py;
        }
        if norm < 1e-9 {
            return None;
        }
        let (a, b) = (dot / norm, cross / norm);
        Some(Similarity {
            a: a as f32,
            b: b as f32,
            tx: (dxm - (a * sxm - b * sym)) as f32,
            ty: (dym - (b * sxm + a * sym)) as f32,
        })
    }

    pub fn apply(&self, p: [f32; 2]) -> [f32; 2] {
        [
            self.a * p[0] - self.b * p[1] + self.tx,
            self.b * p[0] + self.a * p[1] + self.ty,
        ]
    }

    /// The inverse transform (a similarity with a non-zero scale is always invertible).
    pub fn inverse(&self) -> Similarity {
        let d = self.a * self.a + self.b * self.b;
        let (a, b) = (self.a / d, -self.b / d);
        Similarity {
            a,
            b,
            tx: -(a * self.tx - b * self.ty),
            ty: -(b * self.tx + a * self.ty),
        }
    }
}

/// The 112×112 aligned face for these landmarks (image pixels), or `None` if the
/// landmarks are degenerate. Pixels mapped from outside the image are black, as with
/// cv2.warpAffine.
///
/// A face much larger than 112 px is first shrunk by an integer factor with box
/// averaging, so the bilinear warp never minifies by 2× or more: bilinear sampling alone
/// skips pixels and aliases fine detail (a phone selfie's face is often 1000+ px wide).
pub fn align(img: &RgbImage, landmarks: &[[f32; 2]; 5]) -> Option<RgbImage> {
    let to_template = Similarity::estimate(landmarks, &TEMPLATE)?;
    let scale = (to_template.a * to_template.a + to_template.b * to_template.b).sqrt();
    if !scale.is_finite() || scale < 1e-6 {
        return None;
    }
    let k = (1.0 / scale).floor();
    if k < 2.0 || img.width() == 0 || img.height() == 0 {
        return Some(warp(img, &to_template));
    }
    // The source region the output reads from, one pixel of margin, clipped to the image.
    let back = to_template.inverse();
    let far = (SIDE - 1) as f32;
    let corners = [[0.0, 0.0], [far, 0.0], [0.0, far], [far, far]].map(|p| back.apply(p));
    let (xs, ys) = (corners.map(|p| p[0]), corners.map(|p| p[1]));
    let lo = |v: [f32; 4], max: u32| {
        (v.iter().fold(f32::INFINITY, |a, &b| a.min(b)) - 1.0).clamp(0.0, max as f32) as u32
    };
    let hi = |v: [f32; 4], max: u32| {
        (v.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) + 1.0).clamp(0.0, max as f32) as u32
    };
    let (max_x, max_y) = (img.width() - 1, img.height() - 1);
    let region = (lo(xs, max_x), lo(ys, max_y), hi(xs, max_x), hi(ys, max_y));
    let (x0, y0, x1, y1) = region;
    let k_px = k as u32;
    if x1 - x0 + 1 < 2 * k_px || y1 - y0 + 1 < 2 * k_px {
        // The face is (nearly) all outside the image: nothing worth filtering.
        return Some(warp(img, &to_template));
    }
    let small = box_shrink(img, region, k_px);
    let centre = (k - 1.0) / 2.0;
    let shrunk =
        landmarks.map(|[x, y]| [(x - x0 as f32 - centre) / k, (y - y0 as f32 - centre) / k]);
    Some(warp(&small, &Similarity::estimate(&shrunk, &TEMPLATE)?))
}

/// Samples the 112×112 output through the inverse of `to_template`.
fn warp(img: &RgbImage, to_template: &Similarity) -> RgbImage {
    let back = to_template.inverse();
    RgbImage::from_fn(SIDE, SIDE, |u, v| {
        let [x, y] = back.apply([u as f32, v as f32]);
        image::Rgb(sample_or_black(img, x, y).map(|c| c.round().clamp(0.0, 255.0) as u8))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(p: [f32; 2], q: [f32; 2]) -> bool {
        (p[0] - q[0]).abs() < 1e-3 && (p[1] - q[1]).abs() < 1e-3
    }

    #[test]
    fn recovers_a_known_similarity() {
        let truth = Similarity {
            a: 0.8,
            b: 0.6,
            tx: 5.0,
            ty: -3.0,
        };
        let src = TEMPLATE;
        let dst = src.map(|p| truth.apply(p));
        let est = Similarity::estimate(&src, &dst).unwrap();
        assert!(
            (est.a - 0.8).abs() < 1e-4 && (est.b - 0.6).abs() < 1e-4,
            "{est:?}"
        );
        assert!((est.tx - 5.0).abs() < 1e-3 && (est.ty + 3.0).abs() < 1e-3);
        for p in src {
            assert!(close(est.inverse().apply(est.apply(p)), p));
        }
    }

    #[test]
    fn a_large_face_is_prefiltered_to_the_same_place() {
        // A face 6× the template size: the box prefilter must not move the landmarks.
        let landmarks = TEMPLATE.map(|[x, y]| [6.0 * x + 30.0, 6.0 * y + 20.0]);
        let mut img = RgbImage::new(800, 800);
        let [ex, ey] = landmarks[1];
        for dy in -12..=12 {
            for dx in -12..=12 {
                img.put_pixel(
                    (ex as i32 + dx) as u32,
                    (ey as i32 + dy) as u32,
                    image::Rgb([255; 3]),
                );
            }
        }
        let out = align(&img, &landmarks).unwrap();
        assert_eq!(out.get_pixel(73, 51).0, [255; 3]);
        assert_eq!(out.get_pixel(38, 51).0, [0; 3]);
        // A fine checkerboard averages to grey instead of aliasing to black or white.
        let checker = RgbImage::from_fn(800, 800, |x, y| {
            image::Rgb([if (x + y) % 2 == 0 { 255 } else { 0 }; 3])
        });
        let out = align(&checker, &landmarks).unwrap();
        let p = out.get_pixel(56, 56).0[0];
        assert!((100..=155).contains(&p), "aliased: {p}");
    }

    #[test]
    fn degenerate_landmarks_are_refused() {
        assert!(Similarity::estimate(&[[3.0, 3.0]; 5], &TEMPLATE).is_none());
        let img = RgbImage::new(50, 50);
        assert!(align(&img, &[[3.0, 3.0]; 5]).is_none());
    }

    #[test]
    fn landmarks_land_on_the_template() {
        // A face twice the template size, shifted: aligning must undo exactly that.
        let landmarks = TEMPLATE.map(|[x, y]| [2.0 * x + 100.0, 2.0 * y + 40.0]);
        let mut img = RgbImage::new(400, 400);
        // Paint the left eye white in the source; it must appear at the template's left eye.
        let [ex, ey] = landmarks[0];
        for dy in -4..=4 {
            for dx in -4..=4 {
                img.put_pixel(
                    (ex as i32 + dx) as u32,
                    (ey as i32 + dy) as u32,
                    image::Rgb([255; 3]),
                );
            }
        }
        let out = align(&img, &landmarks).unwrap();
        assert_eq!(out.dimensions(), (SIDE, SIDE));
        assert_eq!(out.get_pixel(38, 52).0, [255; 3]);
        assert_eq!(out.get_pixel(74, 52).0, [0; 3]);
    }
}
