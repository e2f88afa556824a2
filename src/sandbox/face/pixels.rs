//! Pixel sampling shared by the stages: bilinear resampling with OpenCV's conventions
//! (the models were verified against OpenCV preprocessing) and CHW tensor packing.

use image::RgbImage;

/// Channel order a model expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Rgb,
    Bgr,
}

/// Bilinear sample at (x, y) where pixel i's centre is at i; coordinates outside the
/// image are clamped to the edge (cv2.resize behaviour).
pub fn sample_clamped(img: &RgbImage, x: f32, y: f32) -> [f32; 3] {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let x = x.clamp(0.0, w - 1.0);
    let y = y.clamp(0.0, h - 1.0);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (x0, y0) = (x0 as u32, y0 as u32);
    let x1 = (x0 + 1).min(img.width() - 1);
    let y1 = (y0 + 1).min(img.height() - 1);
    mix(
        [
            img.get_pixel(x0, y0).0,
            img.get_pixel(x1, y0).0,
            img.get_pixel(x0, y1).0,
            img.get_pixel(x1, y1).0,
        ],
        fx,
        fy,
    )
}

/// Bilinear sample at (x, y); neighbours outside the image count as black
/// (cv2.warpAffine's default constant border).
pub fn sample_or_black(img: &RgbImage, x: f32, y: f32) -> [f32; 3] {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |xi: f32, yi: f32| -> [u8; 3] {
        if xi < 0.0 || yi < 0.0 || xi >= img.width() as f32 || yi >= img.height() as f32 {
            [0, 0, 0]
        } else {
            img.get_pixel(xi as u32, yi as u32).0
        }
    };
    mix(
        [
            at(x0, y0),
            at(x0 + 1.0, y0),
            at(x0, y0 + 1.0),
            at(x0 + 1.0, y0 + 1.0),
        ],
        fx,
        fy,
    )
}

fn mix(p: [[u8; 3]; 4], fx: f32, fy: f32) -> [f32; 3] {
    let mut out = [0.0; 3];
    for (c, o) in out.iter_mut().enumerate() {
        let top = p[0][c] as f32 * (1.0 - fx) + p[1][c] as f32 * fx;
        let bottom = p[2][c] as f32 * (1.0 - fx) + p[3][c] as f32 * fx;
        *o = top * (1.0 - fy) + bottom * fy;
    }
    out
}

/// Resizes the inclusive pixel region [x0, x1] × [y0, y1] of `img` to `out_w` × `out_h`
/// with cv2.resize's INTER_LINEAR mapping (half-pixel centres, no antialiasing).
pub fn resize_region(
    img: &RgbImage,
    (x0, y0, x1, y1): (u32, u32, u32, u32),
    out_w: u32,
    out_h: u32,
) -> RgbImage {
    let sx = (x1 - x0 + 1) as f32 / out_w as f32;
    let sy = (y1 - y0 + 1) as f32 / out_h as f32;
    RgbImage::from_fn(out_w, out_h, |u, v| {
        let x = ((u as f32 + 0.5) * sx - 0.5).clamp(0.0, (x1 - x0) as f32) + x0 as f32;
        let y = ((v as f32 + 0.5) * sy - 0.5).clamp(0.0, (y1 - y0) as f32) + y0 as f32;
        let p = sample_clamped(img, x, y);
        image::Rgb(p.map(|c| c.round().clamp(0.0, 255.0) as u8))
    })
}

/// Shrinks the inclusive region [x0, x1] × [y0, y1] by the integer factor `k`, each output
/// pixel the mean of a k×k block (a trailing partial block is dropped). Output pixel j's
/// centre is at source coordinate x0 + j·k + (k − 1)/2.
pub fn box_shrink(img: &RgbImage, (x0, y0, x1, y1): (u32, u32, u32, u32), k: u32) -> RgbImage {
    let k = k.max(1);
    let out_w = ((x1 - x0 + 1) / k).max(1);
    let out_h = ((y1 - y0 + 1) / k).max(1);
    let (max_x, max_y) = (img.width() - 1, img.height() - 1);
    RgbImage::from_fn(out_w, out_h, |u, v| {
        let mut sum = [0u32; 3];
        let mut n = 0;
        for y in (y0 + v * k..y0 + (v + 1) * k).filter(|&y| y <= max_y) {
            for x in (x0 + u * k..x0 + (u + 1) * k).filter(|&x| x <= max_x) {
                let p = img.get_pixel(x, y).0;
                (0..3).for_each(|c| sum[c] += p[c] as u32);
                n += 1;
            }
        }
        image::Rgb(sum.map(|s| ((s + n / 2) / n.max(1)) as u8))
    })
}

/// Packs an image into a [1, 3, h, w] CHW buffer in the given channel order, applying
/// `norm(channel_index_in_rgb, value_0_255)` to every value.
pub fn to_chw(img: &RgbImage, order: Order, norm: impl Fn(usize, f32) -> f32) -> Vec<f32> {
    let plane = (img.width() * img.height()) as usize;
    let mut out = vec![0.0f32; 3 * plane];
    for (i, p) in img.pixels().enumerate() {
        for rgb_c in 0..3 {
            let dst_c = match order {
                Order::Rgb => rgb_c,
                Order::Bgr => 2 - rgb_c,
            };
            out[dst_c * plane + i] = norm(rgb_c, p.0[rgb_c] as f32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp() -> RgbImage {
        RgbImage::from_fn(4, 2, |x, y| {
            image::Rgb([(x * 10) as u8, (y * 100) as u8, 7])
        })
    }

    #[test]
    fn bilinear_interpolates_and_clamps() {
        let img = ramp();
        assert_eq!(sample_clamped(&img, 1.5, 0.0), [15.0, 0.0, 7.0]);
        assert_eq!(sample_clamped(&img, 0.0, 0.5), [0.0, 50.0, 7.0]);
        assert_eq!(sample_clamped(&img, -5.0, 9.0), [0.0, 100.0, 7.0]);
        // Half outside on the right: the outside neighbour is black.
        assert_eq!(sample_or_black(&img, 3.5, 0.0), [15.0, 0.0, 3.5]);
    }

    #[test]
    fn resize_of_identity_region_keeps_pixels() {
        let img = ramp();
        let same = resize_region(&img, (0, 0, 3, 1), 4, 2);
        assert_eq!(same, img);
        let right_half = resize_region(&img, (2, 0, 3, 1), 2, 2);
        assert_eq!(right_half.get_pixel(0, 1).0, [20, 100, 7]);
    }

    #[test]
    fn box_shrink_averages_blocks() {
        let img = ramp(); // red 0,10,20,30 across; green 0 / 100 down
        let half = box_shrink(&img, (0, 0, 3, 1), 2);
        assert_eq!(half.dimensions(), (2, 1));
        assert_eq!(half.get_pixel(0, 0).0, [5, 50, 7]);
        assert_eq!(half.get_pixel(1, 0).0, [25, 50, 7]);
        // A region offset into the image.
        assert_eq!(
            box_shrink(&img, (2, 1, 3, 1), 2).get_pixel(0, 0).0,
            [25, 100, 7]
        );
    }

    #[test]
    fn chw_packs_planes_in_order() {
        let img = RgbImage::from_pixel(2, 1, image::Rgb([1, 2, 3]));
        assert_eq!(to_chw(&img, Order::Rgb, |_, v| v), [1., 1., 2., 2., 3., 3.]);
        assert_eq!(to_chw(&img, Order::Bgr, |_, v| v), [3., 3., 2., 2., 1., 1.]);
        assert_eq!(
            to_chw(&img, Order::Rgb, |c, v| v * 10.0 + c as f32),
            [10., 10., 21., 21., 32., 32.]
        );
    }
}
