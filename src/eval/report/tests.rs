//! The report's text, JSON and CSV on small hand-made evaluations.

use super::*;
use crate::eval::measures::Candidate;

fn probe(kind: Kind, top: Option<f64>, live: f64) -> EvalProbe {
    EvalProbe {
        path: PathBuf::from(format!("/set/{kind}.jpg")),
        kind,
        label: None,
        result: Some(ProbeResult {
            kind,
            expected: (kind == Kind::Mated).then(|| "p1".into()),
            liveness_score: Some(live),
            liveness_passed_floor: Some(live > 0.5),
            candidates: top
                .map(|s| Candidate {
                    id: "p1".into(),
                    name: None,
                    score: s,
                })
                .into_iter()
                .collect(),
            error: None,
        }),
        note: None,
        resumed: false,
    }
}

fn evaluation(probes: Vec<EvalProbe>) -> Evaluation {
    Evaluation {
        set: "/set".into(),
        backend: "SANDBOX · pixel fallback".into(),
        // Searched at the API's floors, as `eval SET` does.
        params: crate::eval::run::floor_params(&SearchParams::default()),
        current: (0.75, 0.65),
        complete: true,
        requests_sent: probes.len() as u64,
        elapsed_ms: 1500,
        probes,
    }
}

#[test]
fn the_text_report_never_shows_a_bare_zero_and_flags_small_sets() {
    let e = evaluation(vec![
        probe(Kind::Mated, Some(0.9), 0.9),
        probe(Kind::Nonmated, Some(0.6), 0.9),
        probe(Kind::Attack, None, 0.3),
    ]);
    let text = to_text(&e, &e.measures());
    assert!(
        text.contains("requests: 3 sent in 1.5 s (2.00 probes/s)"),
        "{text}"
    );
    assert!(
        text.contains("fpir      0 / 1 (≤ 97.5 % at 95 %)"),
        "{text}"
    );
    assert!(!text.contains(" 0 %") && !text.contains(" 0.0 %"), "{text}");
    assert!(
        text.contains("fpir ≤ 1 %: min_score 0.61 · fnir 0 / 1"),
        "{text}"
    );
    assert!(
        text.contains("not supported by this set (1 of 368 non-mated searches needed"),
        "{text}"
    );
    let v = to_json(&e, &e.measures());
    assert_eq!(v["counts"]["mated"], 1);
    assert_eq!(v["operating_points"][0]["supported"], false);
    assert_eq!(v["points"][0]["fpir"], 1.0);
    let csv = String::from_utf8(to_csv(&e).unwrap()).unwrap();
    assert_eq!(csv.lines().count(), 4);
}
