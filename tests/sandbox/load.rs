//! A bounded load test: 32 concurrent clients for 10 s (LIVEFACE_LOAD_SECS to change)
//! of mixed searches and creates, with zero errors and every acknowledged write
//! present afterwards. Prints the throughput.

use crate::sandbox_common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use liveface::api::model::{NewPerson, PersonQuery, SearchMode};
use sandbox_common::*;

const CLIENTS: usize = 32;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mixed_load_has_no_errors_and_loses_no_writes() {
    let secs: u64 = std::env::var("LIVEFACE_LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let h = harness().await;
    let images: Arc<Vec<String>> = Arc::new((0..48u64).map(|s| image(1000 + s)).collect());
    for (i, img) in images.iter().take(8).enumerate() {
        let mut p = person(
            &format!("Seed {}", ["a", "b", "c", "d", "e", "f", "g", "h"][i]),
            0,
            &[],
        );
        p.images = vec![img.clone()];
        h.client.create_person(&p).await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(secs);
    let (searches, creates, errors) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CLIENTS {
        let client = h.client.clone();
        let images = images.clone();
        let (searches, creates, errors) = (searches.clone(), creates.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            let mut n = 0usize;
            while Instant::now() < deadline {
                n += 1;
                let img = images[(worker * 7 + n) % images.len()].clone();
                if n.is_multiple_of(4) {
                    let p = NewPerson {
                        name: format!("Load w{worker} n{}", "x".repeat(n % 7 + 1)),
                        images: vec![img],
                        ..Default::default()
                    };
                    match client.create_person(&p).await {
                        Ok(p) => {
                            acknowledged.push(p.id);
                            creates.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            eprintln!("create failed: {e}");
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                } else {
                    let mut p = params(0.75);
                    p.search_mode = if n.is_multiple_of(2) {
                        SearchMode::Fast
                    } else {
                        SearchMode::Accurate
                    };
                    match client.search_live_face(&img, &p).await {
                        Ok(_) => {
                            searches.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            eprintln!("search failed: {e}");
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
            acknowledged
        }));
    }
    let mut acknowledged = Vec::new();
    for t in tasks {
        acknowledged.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (s, c, e) = (
        searches.load(Ordering::Relaxed),
        creates.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
    );
    eprintln!(
        "load: {CLIENTS} clients, {elapsed:.1}s: {s} searches + {c} creates = {:.1} req/s, {e} errors",
        (s + c) as f64 / elapsed
    );
    assert_eq!(e, 0, "errors under load");
    assert!(s > 0 && c > 0);

    let mut stored = std::collections::HashSet::new();
    let mut page = 1;
    loop {
        let listed = h
            .client
            .list_persons(&PersonQuery {
                page,
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        if listed.items.is_empty() {
            break;
        }
        stored.extend(listed.items.into_iter().map(|p| p.id));
        page += 1;
    }
    let missing = acknowledged
        .iter()
        .filter(|id| !stored.contains(*id))
        .count();
    assert_eq!(missing, 0, "{missing} acknowledged creates are missing");
    assert_eq!(stored.len(), acknowledged.len() + 8);
}
