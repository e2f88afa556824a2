//! The demo's layout and pack handling, without the face models.

use super::*;

#[test]
fn the_pack_is_pinned_and_small() {
    let total: u64 = PACK.iter().map(|p| p.file.size).sum();
    assert!(total <= 8 * 1024 * 1024, "{total}");
    for p in PACK {
        assert_eq!(p.file.sha256.len(), 64);
        assert!(p.file.url.ends_with(".jpg"), "{}", p.file.url);
        assert!(p.file.url.contains("/train/") || !matches!(p.role, Role::Enrol(_)));
    }
    for person in PERSONS {
        assert!(PACK.iter().any(|p| p.role == Role::Enrol(person)));
        assert!(PACK.iter().any(|p| p.role == Role::Probe(person)));
    }
}

#[test]
fn search_args_name_the_threshold_only_when_it_differs() {
    let mut e = ProbeExpectation {
        file: "Paul Allen/x.jpg".into(),
        label: "Paul Allen".into(),
        what: String::new(),
        search_mode: "ACCURATE",
        liveness_min_score: DEFAULT_LIVENESS,
        expect: Expect::Match,
        person: Some("Paul Allen".into()),
        liveness: Some(0.9),
        best: Some(("Paul Allen".into(), 0.95)),
        refusal: None,
    };
    assert_eq!(
        e.search_args(),
        [
            "search",
            "--search-mode",
            "ACCURATE",
            "--image",
            "Paul Allen/x.jpg"
        ]
    );
    e.liveness_min_score = 0.5;
    assert!(e.search_args().contains(&"0.5".to_string()));
    assert!(e
        .sentence()
        .starts_with("matches Paul Allen first, score 0.95"));
}
