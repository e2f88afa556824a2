//! Face embedding with MobileFaceNet: an aligned 112×112 face → an L2-normalised
//! 128-d vector; two faces compare by cosine (a dot product).

use std::path::Path;

use image::RgbImage;

use super::align::SIDE;
use super::models::{ModelError, MOBILEFACENET};
use super::net::Net;
use super::pixels::{to_chw, Order};
use crate::sandbox::engine::l2_normalize;

pub const DIM: usize = 128;

/// ImageNet statistics the model was trained with, per RGB channel.
const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];

pub struct Embedder {
    net: Net,
}

impl Embedder {
    pub fn load(dir: &Path) -> Result<Embedder, ModelError> {
        let side = SIDE as usize;
        Ok(Embedder {
            net: Net::load(dir, MOBILEFACENET, &[1, 3, side, side])?,
        })
    }

    /// The unit-length descriptor of an aligned face.
    pub fn embed(&self, aligned: &RgbImage) -> Result<Vec<f32>, String> {
        if aligned.dimensions() != (SIDE, SIDE) {
            return Err(format!("aligned face must be {SIDE}×{SIDE}"));
        }
        let input = to_chw(aligned, Order::Rgb, |c, v| (v / 255.0 - MEAN[c]) / STD[c]);
        let mut v = self
            .net
            .run(input)?
            .into_iter()
            .next()
            .filter(|v| v.len() == DIM)
            .ok_or_else(|| format!("embedding model did not return {DIM} values"))?;
        if v.iter().any(|x| !x.is_finite()) {
            return Err("embedding model returned a non-finite value".into());
        }
        l2_normalize(&mut v);
        Ok(v)
    }

    /// Test-time augmentation: the mean of the face's and its mirror image's
    /// descriptors, renormalised. Steadier across pose, at twice the cost.
    pub fn embed_with_mirror(&self, aligned: &RgbImage) -> Result<Vec<f32>, String> {
        let mut v = self.embed(aligned)?;
        let mirrored = self.embed(&image::imageops::flip_horizontal(aligned))?;
        v.iter_mut().zip(&mirrored).for_each(|(a, b)| *a += b);
        l2_normalize(&mut v);
        Ok(v)
    }
}
