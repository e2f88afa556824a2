//! The measures against counts worked by hand and the published definitions.

use super::*;

fn cand(id: &str, score: f64) -> Candidate {
    Candidate {
        id: id.into(),
        name: None,
        score,
    }
}

fn mated(mate: &str, live: f64, cands: &[(&str, f64)]) -> ProbeResult {
    ProbeResult {
        kind: Kind::Mated,
        expected: Some(mate.into()),
        liveness_score: Some(live),
        liveness_passed_floor: Some(live > 0.5),
        candidates: cands.iter().map(|(i, s)| cand(i, *s)).collect(),
        error: None,
    }
}

fn nonmated(live: f64, cands: &[(&str, f64)]) -> ProbeResult {
    ProbeResult {
        kind: Kind::Nonmated,
        expected: None,
        ..mated("", live, cands)
    }
}

fn attack(live: Option<f64>, passed_floor: Option<bool>) -> ProbeResult {
    ProbeResult {
        kind: Kind::Attack,
        expected: None,
        liveness_score: live,
        liveness_passed_floor: passed_floor,
        candidates: vec![],
        error: None,
    }
}

fn step(c: &Curves, t: f64) -> &MatchPoint {
    c.points.iter().find(|p| p.min_score == t).unwrap()
}

fn lstep(c: &Curves, l: f64) -> &LivenessPoint {
    c.liveness_points
        .iter()
        .find(|p| p.liveness_min_score == l)
        .unwrap()
}

/// A hand-computed table. Mated probes (mate "a" or "b"):
///  m1: a 0.80 (top)           → hit for T ≤ 0.80 (a score exactly at T counts)
///  m2: x 0.90, a 0.85         → wrong top for T ≤ 0.90; any-rank hit for T ≤ 0.85
///  m3: b 0.70, y 0.70 (tie)   → server order breaks the tie: b is top, hit T ≤ 0.70
///  m4: no candidate           → a miss everywhere
///  m5: liveness failed        → a miss everywhere (no candidates)
///  m6: an API error           → in no measure
/// Non-mated: n1 top 0.62, n2 none, n3 top 0.75 (two candidates).
fn table() -> Vec<ProbeResult> {
    let mut m6 = mated("a", 0.9, &[]);
    m6.error = Some("network failure".into());
    let mut m5 = mated("a", 0.4, &[]);
    m5.liveness_passed_floor = Some(false);
    vec![
        mated("a", 0.95, &[("a", 0.80)]),
        mated("a", 0.60, &[("x", 0.90), ("a", 0.85)]),
        mated("b", 0.51, &[("b", 0.70), ("y", 0.70)]),
        mated("a", 0.97, &[]),
        m5,
        m6,
        nonmated(0.99, &[("q", 0.62)]),
        nonmated(0.70, &[]),
        nonmated(0.80, &[("q", 0.55), ("r", 0.75)]),
    ]
}

#[test]
fn identification_measures_match_the_hand_computed_table() {
    let c = curves(&table());
    assert_eq!(c.points.len(), 51);
    // T = 0.50: m1, m3 hits; m2 wrong top; m4, m5 misses. 5 mated trials.
    let p = step(&c, 0.50);
    assert_eq!((p.fnir.errors, p.fnir.trials), (3, 5));
    assert_eq!((p.fnir_any.errors, p.fnir_any.trials), (2, 5));
    assert_eq!((p.wrong_top.errors, p.wrong_top.trials), (1, 5));
    assert_eq!((p.fpir.errors, p.fpir.trials), (2, 3));
    // T = 0.70 exactly at m3's tie: still a hit (≥); n1 (0.62) no longer a false positive.
    let p = step(&c, 0.70);
    assert_eq!(p.fnir.errors, 3);
    assert_eq!(p.fpir.errors, 1);
    // T = 0.71: m3 drops.
    let p = step(&c, 0.71);
    assert_eq!(p.fnir.errors, 4);
    assert_eq!(p.fnir_any.errors, 3);
    // T = 0.80 exactly at m1: a hit; n3 (0.75) gone.
    let p = step(&c, 0.80);
    assert_eq!((p.fnir.errors, p.fnir_any.errors, p.fpir.errors), (4, 3, 0));
    // T = 0.81: m1 misses; m2's mate (0.85) is still somewhere in the list.
    let p = step(&c, 0.81);
    assert_eq!(
        (p.fnir.errors, p.fnir_any.errors, p.wrong_top.errors),
        (5, 4, 1)
    );
    // T = 0.91: nothing reaches; every mated search is a miss, no wrong top.
    let p = step(&c, 0.91);
    assert_eq!(
        (p.fnir.errors, p.fnir_any.errors, p.wrong_top.errors),
        (5, 5, 0)
    );
    let p = step(&c, 1.00);
    assert_eq!((p.fnir.errors, p.fpir.errors), (5, 0));
}

#[test]
fn liveness_measures_use_strictly_above() {
    let mut results = table();
    results.push(attack(Some(0.70), Some(true)));
    results.push(attack(Some(0.55), Some(true)));
    results.push(attack(None, Some(false))); // failed at the floor, no score given
    results.push(attack(None, None)); // unknown: in no measure
    let c = curves(&results);
    // Bona fide with a known liveness: m1..m6 (m6's error is no liveness unknown:
    // it has a score) and n1..n3 = 9. m5 failed at the floor.
    let p = lstep(&c, 0.50);
    assert_eq!((p.apcer.errors, p.apcer.trials), (2, 3));
    assert_eq!((p.bpcer.errors, p.bpcer.trials), (1, 9));
    // L = 0.55: the attack at exactly 0.55 fails (not strictly above).
    let p = lstep(&c, 0.55);
    assert_eq!(p.apcer.errors, 1);
    // L = 0.51: m3 at exactly 0.51 fails.
    assert_eq!(lstep(&c, 0.51).bpcer.errors, 2);
    // L = 0.70: the attack at 0.70 fails; n2 at 0.70 fails too.
    let p = lstep(&c, 0.70);
    assert_eq!(p.apcer.errors, 0);
    assert_eq!(p.bpcer.errors, 4); // m5, m3 (0.51), m2 (0.60), n2 (0.70)
                                   // L = 1.00: nobody passes.
    let p = lstep(&c, 1.00);
    assert_eq!((p.apcer.errors, p.bpcer.errors), (0, 9));
}

#[test]
fn empty_classes_have_no_rate_and_all_error_classes_have_rate_one() {
    let c = curves(&[]);
    let p = step(&c, 0.75);
    assert_eq!(p.fnir, Rate::new(0, 0));
    assert_eq!(p.fnir.value(), None);
    assert_eq!(lstep(&c, 0.6).apcer.value(), None);
    // Every attack passes at 0.50; every non-mated search finds someone at 0.50.
    let all_bad = vec![
        attack(Some(0.99), Some(true)),
        attack(Some(0.98), Some(true)),
        nonmated(0.9, &[("z", 0.99)]),
    ];
    let c = curves(&all_bad);
    assert_eq!(lstep(&c, 0.5).apcer, Rate::new(2, 2));
    assert_eq!(lstep(&c, 0.5).apcer.ci().unwrap()[1], 1.0);
    assert_eq!(step(&c, 0.5).fpir, Rate::new(1, 1));
    assert_eq!(step(&c, 0.5).fnir.trials, 0);
    let ops = operating_points(&c);
    assert_eq!(ops[0].threshold, Some(1.0)); // 0.99 < 1.00: no false positive there
    assert!(!ops[0].supported); // one non-mated search shows nothing at 95 %
    assert_eq!(ops[3].measure, "apcer");
    // At 0.98 the attack scoring 0.99 passes; at 0.99 neither does (0.99 is not
    // strictly above 0.99).
    assert_eq!(ops[3].threshold, Some(0.99));
}

#[test]
fn operating_points_are_supported_only_with_enough_trials() {
    // 400 non-mated searches, the top score of search i is 0.50 + (i mod 50)/100.
    let mut results: Vec<ProbeResult> = (0..400)
        .map(|i| nonmated(0.9, &[("z", threshold(50 + (i % 50) as u32))]))
        .collect();
    let c = curves(&results);
    let ops = operating_points(&c);
    // fpir ≤ 1 %: 8 searches score 0.99 (8/400 = 2 %); at 1.00 none reach: 0/400.
    let one = &ops[0];
    assert_eq!(one.threshold, Some(1.0));
    assert_eq!(one.rate, Some(Rate::new(0, 400)));
    assert!(one.supported); // 0/400 has an upper bound of 0.92 % ≤ 1 %
    assert_eq!(one.trials_needed, 368);
    // 0.3 % is not: 0/400 bounds at 0.92 %.
    assert!(!ops[1].supported);
    assert_eq!(ops[1].threshold, Some(1.0));
    assert_eq!(ops[1].threshold_at_95, None);
    // With only 100 searches, even 1 % is not supported.
    results.truncate(100);
    let ops = operating_points(&curves(&results));
    assert!(!ops[0].supported);
    assert_eq!(ops[0].trials, 100);
}

/// A small deterministic generator (xorshift64*), for the cross-check below.
struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A score on 0.40–1.00, half of them on exact hundredths (grid ties).
    fn score(&mut self) -> f64 {
        let n = self.next();
        if n.is_multiple_of(2) {
            f64::from(40 + (n >> 8) as u32 % 61) / 100.0
        } else {
            0.4 + (n >> 11) as f64 / (1u64 << 53) as f64 * 0.6
        }
    }
}

#[test]
fn the_one_pass_grid_equals_the_definitions_at_every_step() {
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    let ids = ["a", "b", "c", "d"];
    let results: Vec<ProbeResult> = (0..3000)
        .map(|i| {
            let n = (g.next() % 4) as usize;
            let cands: Vec<Candidate> = (0..n)
                .map(|_| cand(ids[(g.next() % 4) as usize], g.score()).clone())
                .filter(|c| c.score >= 0.5)
                .collect();
            let live = g.score();
            let kind = [Kind::Mated, Kind::Nonmated, Kind::Attack][i % 3];
            ProbeResult {
                kind,
                expected: (kind == Kind::Mated).then(|| ids[(g.next() % 4) as usize].into()),
                liveness_score: (!g.next().is_multiple_of(10)).then_some(live),
                liveness_passed_floor: Some(live > 0.5),
                candidates: if live > 0.5 { cands } else { vec![] },
                error: g.next().is_multiple_of(50).then(|| "timeout".into()),
            }
        })
        .collect();
    let c = curves(&results);
    for s in FIRST_STEP..=LAST_STEP {
        let i = (s - FIRST_STEP) as usize;
        assert_eq!(
            c.points[i],
            match_point(&results, threshold(s)),
            "T step {s}"
        );
        assert_eq!(
            c.liveness_points[i],
            liveness_point(&results, threshold(s)),
            "L step {s}"
        );
    }
}

#[test]
fn grid_steps_are_exact_hundredths() {
    assert_eq!(threshold(80), 0.8);
    assert_eq!(threshold(57), 0.57);
    assert_eq!(last_step_met(0.8, reaches_min_score), 80);
    assert_eq!(last_step_met(0.8, liveness_passed), 79);
    assert_eq!(last_step_met(0.57, reaches_min_score), 57);
    assert_eq!(last_step_met(0.499, reaches_min_score), 49);
    assert_eq!(last_step_met(1.0, reaches_min_score), 100);
    assert_eq!(last_step_met(1.0, liveness_passed), 99);
    assert_eq!(last_step_met(f64::NAN, reaches_min_score), 49);
}
