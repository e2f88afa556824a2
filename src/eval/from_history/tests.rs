//! Labelled history runs against counts worked out by hand.

use super::*;
use crate::api::model::{Os, SearchMode};
use crate::history::{ProbeStamp, RunMatch};

fn labelled(id: u64, min: f64, live_min: f64, truth: Truth, matches: &[(&str, f64)]) -> Run {
    Run {
        id,
        time: chrono::DateTime::from_timestamp(1_764_000_000 + id as i64, 0).unwrap_or_default(),
        probe: ProbeStamp {
            path: format!("/p/{id}.jpg").into(),
            size: id,
            mtime_ms: Some(1),
        },
        params: SearchParams {
            min_score: min,
            liveness_min_score: live_min,
            ..SearchParams::default()
        },
        backend: "SANDBOX · face models".into(),
        profile: None,
        backend_key: Some("sandbox:embedded:face models".into()),
        liveness_score: Some(0.9),
        matches: matches
            .iter()
            .map(|(id, score)| RunMatch {
                id: (*id).into(),
                score: *score,
                name: None,
            })
            .collect(),
        flagged: Vec::new(),
        percent_scale: false,
        elapsed_ms: 5,
        outcome: RunOutcome::Ok,
        refiltered_from: None,
        face: None,
        truth: Some(truth),
    }
}

fn enrolled(id: &str) -> Truth {
    Truth::Enrolled {
        expected: id.into(),
    }
}

#[test]
fn labelled_runs_are_measured_from_the_strictest_thresholds_up() {
    let mut attack = labelled(4, 0.7, 0.6, Truth::Attack, &[]);
    attack.outcome = RunOutcome::LivenessFailed { score: Some(0.4) };
    attack.liveness_score = None;
    // Passed at its own 0.60 with 0.68, fails at the floor 0.70: not searched there.
    let mut weak = labelled(5, 0.7, 0.6, Truth::NotEnrolled, &[("x", 0.99)]);
    weak.liveness_score = Some(0.68);
    let runs = vec![
        labelled(1, 0.7, 0.7, enrolled("a"), &[("a", 0.95)]),
        labelled(2, 0.75, 0.6, enrolled("b"), &[("c", 0.81)]),
        labelled(3, 0.7, 0.6, Truth::NotEnrolled, &[("a", 0.78)]),
        attack,
        weak,
        labelled(6, 0.7, 0.6, Truth::NotEnrolled, &[]),
    ];
    let h = evaluate(
        &runs,
        Path::new("/h.jsonl"),
        &Selection::default(),
        (0.8, 0.7),
    )
    .unwrap();
    let e = &h.evaluation;
    assert!(h.left_out.is_empty(), "{:?}", h.left_out);
    assert_eq!(
        (e.params.min_score, e.params.liveness_min_score),
        (0.75, 0.7)
    );
    assert_eq!(e.requests_sent, 0);
    let m = e.measures();
    // The grid starts at the floors.
    assert!((m.curves.points[0].min_score - 0.75).abs() < 1e-9);
    assert!((m.curves.liveness_points[0].liveness_min_score - 0.7).abs() < 1e-9);
    let at = |t: f64| {
        m.curves
            .points
            .iter()
            .find(|p| (p.min_score - t).abs() < 1e-9)
            .cloned()
            .unwrap()
    };
    // Mated: run 1 found at 0.95, run 2 topped by someone else (0.81).
    let p = at(0.80);
    assert_eq!((p.fnir.errors, p.fnir.trials), (1, 2));
    assert_eq!((p.wrong_top.errors, p.wrong_top.trials), (1, 2));
    // Non-mated: run 3 matches "a" at 0.78; run 5 is not searched at the floor; run 6 none.
    assert_eq!((p.fpir.errors, p.fpir.trials), (0, 3));
    assert_eq!((at(0.75).fpir.errors, at(0.75).fpir.trials), (1, 3));
    // Liveness at the floor 0.70: the attack fails (0.40); run 5 (0.68) is a bona fide
    // probe that fails.
    let l = &m.curves.liveness_points[0];
    assert_eq!((l.apcer.errors, l.apcer.trials), (0, 1));
    assert_eq!((l.bpcer.errors, l.bpcer.trials), (1, 5));
}

#[test]
fn runs_of_other_back_ends_parameters_or_outcomes_are_left_out_and_said() {
    let mut other_backend = labelled(1, 0.7, 0.6, enrolled("a"), &[("a", 0.9)]);
    other_backend.backend_key = Some("https://api.verifik.co#0123".into());
    other_backend.backend = "api.verifik.co".into();
    let mut accurate = labelled(2, 0.7, 0.6, enrolled("a"), &[("a", 0.9)]);
    accurate.params.search_mode = SearchMode::Accurate;
    let mut failed = labelled(3, 0.7, 0.6, enrolled("a"), &[]);
    failed.outcome = RunOutcome::Error {
        message: "timeout".into(),
    };
    let mut older_same_probe = labelled(4, 0.7, 0.6, Truth::Attack, &[]);
    older_same_probe.probe = labelled(6, 0.7, 0.6, Truth::Attack, &[]).probe;
    let mut unlabelled = labelled(7, 0.7, 0.6, Truth::Attack, &[]);
    unlabelled.truth = None;
    let runs = vec![
        other_backend,
        accurate,
        failed,
        older_same_probe,
        labelled(5, 0.7, 0.6, Truth::NotEnrolled, &[]),
        labelled(6, 0.7, 0.6, enrolled("a"), &[("a", 0.9)]),
        unlabelled,
    ];
    let h = evaluate(&runs, Path::new("/h"), &Selection::default(), (0.8, 0.7)).unwrap();
    let ids: Vec<_> = h.evaluation.probes.iter().map(|p| p.path.clone()).collect();
    assert_eq!(ids, [Path::new("/p/5.jpg"), Path::new("/p/6.jpg")]);
    assert_eq!(
        h.left_out,
        [
            "1 labelled run left out: another back end (api.verifik.co)",
            "1 labelled run left out: failed or cancelled searches",
            "1 labelled run left out: other os, search mode or collection",
            "1 labelled run left out: stricter or older searches of the same probe file",
        ]
    );
    // Asking for ACCURATE takes run 2 instead.
    let pick = Selection {
        search_mode: Some(SearchMode::Accurate),
        ..Selection::default()
    };
    let h = evaluate(&runs, Path::new("/h"), &pick, (0.8, 0.7)).unwrap();
    assert_eq!(h.evaluation.probes.len(), 1);
    assert_eq!(h.evaluation.params.search_mode, SearchMode::Accurate);
    let ios = Selection {
        os: Some(Os::Ios),
        ..Selection::default()
    };
    assert!(evaluate(&runs, Path::new("/h"), &ios, (0.8, 0.7))
        .unwrap_err()
        .contains("no labelled run"));
}

#[test]
fn without_labels_it_says_how_to_label() {
    let mut run = labelled(1, 0.7, 0.6, Truth::Attack, &[]);
    run.truth = None;
    let e = evaluate(&[run], Path::new("/h"), &Selection::default(), (0.8, 0.7)).unwrap_err();
    assert!(e.contains("liveface history label"), "{e}");
}

#[test]
fn a_refiltered_view_or_a_stricter_search_never_raises_the_floors() {
    // Run 1 searched at 0.75; run 2 is its local re-filter at 0.90 (same probe file).
    let source = labelled(1, 0.75, 0.6, enrolled("a"), &[("a", 0.8)]);
    let mut view = labelled(2, 0.9, 0.6, enrolled("a"), &[]);
    view.probe = source.probe.clone();
    view.refiltered_from = Some(1);
    // Run 4 searched the same file as run 3 again, stricter.
    let lenient = labelled(3, 0.7, 0.6, Truth::NotEnrolled, &[("z", 0.72)]);
    let mut strict = labelled(4, 0.95, 0.6, Truth::NotEnrolled, &[]);
    strict.probe = lenient.probe.clone();
    let runs = vec![source, view, lenient, strict];
    let h = evaluate(&runs, Path::new("/h"), &Selection::default(), (0.8, 0.7)).unwrap();
    assert_eq!(h.evaluation.params.min_score, 0.75, "{:?}", h.left_out);
    let read: Vec<_> = h.evaluation.probes.iter().map(|p| p.path.clone()).collect();
    assert_eq!(read, [Path::new("/p/1.jpg"), Path::new("/p/3.jpg")]);
    assert_eq!(
        h.left_out,
        [
            "1 labelled run left out: re-filtered views of a run that is read instead",
            "1 labelled run left out: stricter or older searches of the same probe file",
        ]
    );
    // The source pruned away: the view is all there is, and it is read.
    let alone = vec![runs[1].clone()];
    let h = evaluate(&alone, Path::new("/h"), &Selection::default(), (0.8, 0.7)).unwrap();
    assert_eq!(h.evaluation.probes.len(), 1);
}

#[test]
fn the_back_end_in_use_is_chosen_and_a_missing_one_is_named() {
    let mut pixel = labelled(9, 0.7, 0.6, enrolled("a"), &[("a", 0.9)]);
    pixel.backend_key = Some("sandbox:embedded:pixel fallback".into());
    pixel.backend = "SANDBOX · pixel fallback".into();
    let runs = vec![labelled(1, 0.7, 0.6, Truth::Attack, &[]), pixel];
    // The newest labelled run is the pixel one; the face engine is the one in use.
    let face = Selection {
        backend_key: Some("sandbox:embedded:face models".into()),
        ..Selection::default()
    };
    let h = evaluate(&runs, Path::new("/h"), &face, (0.8, 0.7)).unwrap();
    assert_eq!(h.evaluation.backend, "SANDBOX · face models");
    assert_eq!(h.evaluation.probes.len(), 1);
    let cloud = Selection {
        backend_key: Some("https://api.verifik.co#abc".into()),
        ..Selection::default()
    };
    let e = evaluate(&runs, Path::new("/h"), &cloud, (0.8, 0.7)).unwrap_err();
    assert!(
        e.contains("SANDBOX · face models (1), SANDBOX · pixel fallback (1)"),
        "{e}"
    );
}
