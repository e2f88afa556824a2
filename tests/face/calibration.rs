//! Calibration report over every fixture pair: the cosine distributions of same- and
//! different-identity pairs, and FAR / FRR at the default `min_score` 0.75, per search
//! mode. Run with `--nocapture` to read it. Also prints what the detector saw per photo
//! (the evidence for the "similar size" ratio).

use crate::face_common;

use face_common::{engine, fixture, IDENTITIES};
use liveface::api::model::SearchMode;
use liveface::sandbox::engine::{cosine, Engine};
use liveface::sandbox::face::calibrate;
use liveface::sandbox::face::detect;

const DEFAULT_MIN_SCORE: f64 = 0.75;

fn summary(mut v: Vec<f32>) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.sort_by(f32::total_cmp);
    let q = |p: f32| v[((v.len() - 1) as f32 * p).round() as usize];
    format!(
        "n={:>2}  min {:+.3}  q1 {:+.3}  median {:+.3}  q3 {:+.3}  max {:+.3}",
        v.len(),
        v[0],
        q(0.25),
        q(0.5),
        q(0.75),
        v[v.len() - 1]
    )
}

#[test]
fn detections_per_fixture() {
    let Some(engine) = engine() else { return };
    let mut names: Vec<&str> = IDENTITIES.iter().map(|(n, _)| *n).collect();
    names.push("two_people.jpg");
    for name in names {
        let img = fixture(name);
        let faces = engine
            .detector(SearchMode::Accurate)
            .detect(&img.to_rgb8())
            .unwrap();
        let largest = faces.iter().map(|f| f.area()).fold(0.0f32, f32::max);
        println!("{name} ({}×{}):", img.width(), img.height());
        for f in &faces {
            println!(
                "  score {:.3}  box {:>5.0},{:>5.0} {:>4.0}×{:<4.0}  side ratio to largest {:.2}",
                f.score,
                f.x,
                f.y,
                f.width,
                f.height,
                (f.area() / largest).sqrt()
            );
        }
        println!("  → {:?}", detect::choose(&faces).map(|_| "one face"));
        assert!(!faces.is_empty(), "{name}: no face detected");
    }
}

#[test]
fn far_and_frr_at_the_default_min_score() {
    let Some(engine) = engine() else { return };
    for mode in SearchMode::ALL {
        let analyses: Vec<(&str, &str, Vec<f32>)> = IDENTITIES
            .iter()
            .map(|(name, who)| {
                let a = engine
                    .analyze(&fixture(name), mode)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                (*name, *who, a.vector)
            })
            .collect();
        let (mut same, mut diff) = (Vec::new(), Vec::new());
        let (mut false_rejects, mut false_accepts) = (Vec::new(), Vec::new());
        for (i, (a_name, a_who, a)) in analyses.iter().enumerate() {
            for (b_name, b_who, b) in &analyses[i + 1..] {
                let c = cosine(a, b);
                let accepted = engine.score(c) >= DEFAULT_MIN_SCORE;
                if a_who == b_who {
                    same.push(c);
                    if !accepted {
                        false_rejects.push(format!("{a_name}~{b_name} {c:.3}"));
                    }
                } else {
                    diff.push(c);
                    if accepted {
                        false_accepts.push(format!("{a_name}~{b_name} {c:.3}"));
                    }
                }
            }
        }
        let (n_same, n_diff) = (same.len(), diff.len());
        println!("{mode}:");
        println!("  same-identity cosines      {}", summary(same.clone()));
        println!("  different-identity cosines {}", summary(diff.clone()));
        println!(
            "  at min_score {DEFAULT_MIN_SCORE} (cosine {:.3}): FAR {}/{} = {:.1} %, FRR {}/{} = {:.1} %",
            calibrate::cosine_for_score(DEFAULT_MIN_SCORE),
            false_accepts.len(),
            n_diff,
            100.0 * false_accepts.len() as f64 / n_diff as f64,
            false_rejects.len(),
            n_same,
            100.0 * false_rejects.len() as f64 / n_same as f64,
        );
        let s = |c: f32| engine.score(c);
        let (lo, hi) = (
            same.iter().copied().fold(f32::INFINITY, f32::min),
            diff.iter().copied().fold(f32::NEG_INFINITY, f32::max),
        );
        println!(
            "  scores: best different-identity pair {:.3}, worst same-identity pair {:.3}",
            s(hi),
            s(lo)
        );
        assert!(
            false_accepts.is_empty(),
            "{mode}: false accepts {false_accepts:?}"
        );
        assert!(
            false_rejects.is_empty(),
            "{mode}: false rejects {false_rejects:?}"
        );
    }
}
