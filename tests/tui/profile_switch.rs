//! `Ctrl-p` against two scripted servers on 127.0.0.1, one per profile: the second
//! profile's collections appear, a search goes to the second server, a search in flight
//! is cancelled first (no late answer from the first), and a failed switch keeps the
//! current connection.

use crate::tui_support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};
use liveface::api::{Client, ClientConfig};
use liveface::config::Flags;
use liveface::history::HistoryStore;
use liveface::tui::action::Action;
use liveface::tui::app::{App, Loading, Popup};
use liveface::tui::effect::Effect;
use liveface::tui::reconnect::{ConnectTo, Reconnect};
use liveface::tui::runner::Runner;
use tokio::sync::mpsc;
use tui_support::server::{self, Counters};
use tui_support::*;

struct World {
    app: App,
    runner: Runner,
    rx: mpsc::UnboundedReceiver<Action>,
    one: Counters,
    two: Counters,
    config: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let (one, two) = (Counters::default(), Counters::default());
    *one.label.lock().unwrap() = "one".into();
    *two.label.lock().unwrap() = "two".into();
    let (url_one, url_two) = (
        server::start(one.clone()).await,
        server::start(two.clone()).await,
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "profile = \"one\"\n[profiles.one]\nbase_url = \"{url_one}\"\n\
             [profiles.two]\nbase_url = \"{url_two}\"\nmin_score = 0.85\n"
        ),
    )
    .unwrap();
    let client = Client::new(ClientConfig::new(url_one, None)).unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    let runner = Runner::new(
        client,
        tx,
        1600,
        HistoryStore::new(dir.path().join("h.jsonl")),
    )
    .with_reconnect(Reconnect {
        flags: Flags {
            config: Some(config.clone()),
            ..Flags::default()
        },
        models: None,
    });
    let mut app = app();
    app.profile = Some("one".into());
    app.profiles = vec!["one".into(), "two".into()];
    World {
        app,
        runner,
        rx,
        one,
        two,
        config,
        _dir: dir,
    }
}

impl World {
    fn run(&mut self, effects: Vec<Effect>) {
        for e in effects {
            self.runner.run(e);
        }
    }

    /// Feeds actions to the app (and its effects to the runner) until `done` says so.
    async fn until(&mut self, done: impl Fn(&Action) -> bool) {
        loop {
            let action = tokio::time::timeout(Duration::from_secs(10), self.rx.recv())
                .await
                .expect("no action within 10 s")
                .expect("channel closed");
            let stop = done(&action);
            let fx = self.app.update(action);
            self.run(fx);
            if stop {
                return;
            }
        }
    }
}

#[tokio::test]
async fn switching_profile_cancels_the_search_reloads_and_searches_the_second_server() {
    let mut w = world().await;
    // A slow search on profile one is in flight.
    w.one.delay_ms.store(1500, Ordering::SeqCst);
    ready_probe(&mut w.app);
    let fx = press(&mut w.app, KeyCode::F(5));
    assert!(matches!(fx.as_slice(), [Effect::Search { .. }]), "{fx:?}");
    w.run(fx);
    let started = std::time::Instant::now();
    while w.one.searches() == 0 && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(w.one.searches(), 1);

    // A profile added to the file while the dashboard runs.
    let mut file = std::fs::read_to_string(&w.config).unwrap();
    file.push_str("[profiles.three]\nbase_url = \"http://127.0.0.1:9\"\n");
    std::fs::write(&w.config, file).unwrap();
    // Ctrl-p: the picker re-reads the file and lists the profiles and the sandbox, the
    // current one marked.
    let fx = key_mod(&mut w.app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    assert_eq!(fx, vec![Effect::ListProfiles]);
    assert_eq!(w.app.popup, Some(Popup::Profiles { selected: 0 }));
    w.run(fx);
    w.until(|a| matches!(a, Action::ProfilesListed(_))).await;
    assert_eq!(w.app.profile_choices(), ["one", "three", "two", "sandbox"]);
    let screen = render(&w.app, 100, 30);
    assert!(screen.contains("● one  (current)"), "{screen}");
    assert!(screen.contains("sandbox"), "{screen}");
    // Had the session offered to install the face models (an embedded sandbox on the
    // pixel engine), the offer would not follow to a server.
    w.app.models = Some(liveface::tui::app::ModelsInstall::offered(
        "/nonexistent/models".into(),
        liveface::install::Source::Upstream,
        8_000_000,
    ));
    press(&mut w.app, KeyCode::Down);
    press(&mut w.app, KeyCode::Down);
    let fx = press(&mut w.app, KeyCode::Enter);
    assert!(
        matches!(fx.as_slice(), [Effect::CancelSearch { id: 1 }, Effect::Connect { to: ConnectTo::Profile(p), .. }] if p == "two"),
        "the search in flight is cancelled before connecting: {fx:?}"
    );
    assert!(w.app.in_flight.is_none());
    w.run(fx);
    w.until(|a| matches!(a, Action::Connected { .. })).await;
    assert_eq!(w.app.profile.as_deref(), Some("two"));
    assert!(w.app.models.is_none(), "no install offer on a server");
    assert_eq!(
        w.app.form.min_score.value(),
        "0.85",
        "the profile's defaults"
    );
    w.until(|a| matches!(a, Action::CollectionsLoaded(_))).await;
    let Loading::Loaded(list) = &w.app.collections.load else {
        panic!("{:?}", w.app.collections.load)
    };
    assert_eq!(list[0].name, "two gallery");
    let screen = render(&w.app, 120, 30);
    assert!(screen.contains("[two]"), "{screen}");
    assert!(screen.contains("two gallery"), "{screen}");

    // The next search goes to the second server and records profile two.
    let fx = press(&mut w.app, KeyCode::F(5));
    w.run(fx);
    w.until(|a| matches!(a, Action::SearchDone { .. })).await;
    assert_eq!(w.two.searches(), 1);
    let run = w.app.runs.last().unwrap();
    assert_eq!(run.profile.as_deref(), Some("two"));
    assert!(run
        .backend_key
        .as_deref()
        .unwrap()
        .starts_with("http://127.0.0.1"));
    assert_ne!(run.backend_key.as_deref(), Some(tui_support::BACKEND_KEY));

    // The first server's slow answer never arrives: its search was aborted.
    tokio::time::sleep(Duration::from_millis(1800)).await;
    while let Ok(a) = w.rx.try_recv() {
        assert!(
            !matches!(a, Action::SearchDone { id: 1, .. }),
            "a late answer from profile one"
        );
        let fx = w.app.update(a);
        w.run(fx);
    }
    assert_eq!(w.one.searches(), 1);
    assert_eq!(
        w.app.runs.len(),
        1,
        "only the search of profile two is a run"
    );
}

#[tokio::test]
async fn a_failed_switch_keeps_the_current_connection_and_says_why() {
    let mut w = world().await;
    let label = w.app.backend_label.clone();
    let fx = w.app.switch_profile("nope".into());
    w.run(fx);
    w.until(|a| matches!(a, Action::Connected { .. })).await;
    assert_eq!(w.app.profile.as_deref(), Some("one"));
    assert_eq!(w.app.backend_label, label);
    let err = w.app.last_error.clone().unwrap();
    assert!(
        err.starts_with("profile nope not connected (no profile \"nope\""),
        "{err}"
    );
    assert!(err.contains("still on one"), "{err}");
    // Searches still go to profile one's server.
    ready_probe(&mut w.app);
    let fx = press(&mut w.app, KeyCode::F(5));
    w.run(fx);
    w.until(|a| matches!(a, Action::SearchDone { .. })).await;
    assert_eq!((w.one.searches(), w.two.searches()), (1, 0));
}

#[test]
fn compare_of_runs_from_two_profiles_says_so_in_its_header() {
    let mut a = run(1, 0.7, &[("p1", 0.9)]);
    a.profile = Some("prod".into());
    let mut b = run(2, 0.7, &[("p1", 0.8)]);
    b.profile = Some("staging".into());
    let c = run(3, 0.8, &[("p1", 0.9)]);
    let mut d = run(4, 0.8, &[("p1", 0.9)]);
    d.profile = Some("prod".into());
    let (mut app, _) = app_with(vec![a, b, c, d]);
    app.popup = Some(Popup::Compare {
        a: 1,
        b: 2,
        scroll: 0,
    });
    let screen = render(&app, 120, 30);
    assert!(
        screen.contains("different profiles: prod / staging"),
        "{screen}"
    );
    app.popup = Some(Popup::Compare {
        a: 3,
        b: 4,
        scroll: 0,
    });
    let screen = render(&app, 120, 30);
    assert!(
        screen.contains("different profiles: none / prod"),
        "{screen}"
    );
    app.popup = Some(Popup::Compare {
        a: 1,
        b: 4,
        scroll: 0,
    });
    let screen = render(&app, 120, 30);
    assert!(!screen.contains("different"), "{screen}");
}

fn connected(profile: &str) -> Box<liveface::tui::reconnect::Connected> {
    use liveface::connect::{Backend, Connection};
    use liveface::tui::reconnect::{Connected, ConnectionHandle};
    let client = Client::new(ClientConfig::new("http://127.0.0.1:9", None)).unwrap();
    Box::new(Connected {
        handle: ConnectionHandle::new(Connection {
            client: client.clone(),
            backend: Backend::Remote {
                host: "127.0.0.1:9".into(),
            },
            token_masked: None,
            notes: Vec::new(),
            sandbox: None,
        }),
        profile: Some(profile.into()),
        backend_label: format!("{profile}.example"),
        backend_key: format!("http://{profile}.example#no-token"),
        token_masked: None,
        defaults: liveface::api::model::SearchParams::default(),
        refilter: liveface::config::Refilter::Session,
        billed_requests: Some(client.request_counter()),
        notes: Vec::new(),
    })
}

#[test]
fn only_the_newest_switch_is_adopted_and_a_search_started_meanwhile_is_cancelled() {
    let mut app = app();
    app.profile = Some("one".into());
    app.switch_profile("a".into());
    app.switch_profile("b".into());
    // A search started while connecting goes to the old back end.
    ready_probe(&mut app);
    let fx = press(&mut app, KeyCode::F(5));
    let Some(Effect::Search { id, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let id = *id;
    // The answer to the first switch comes late: dropped.
    let fx = app.update(Action::Connected {
        seq: 1,
        to: ConnectTo::Profile("a".into()),
        result: Ok(connected("a")),
    });
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(app.profile.as_deref(), Some("one"));
    let fx = app.update(Action::Connected {
        seq: 2,
        to: ConnectTo::Profile("b".into()),
        result: Ok(connected("b")),
    });
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::CancelSearch { id: c }, Effect::UseConnection(_), Effect::LoadCollections] if *c == id
        ),
        "{fx:?}"
    );
    assert_eq!(app.profile.as_deref(), Some("b"));
    assert_eq!(app.backend_key, "http://b.example#no-token");
    assert!(app.in_flight.is_none());
    let screen = render(&app, 120, 30);
    assert!(screen.contains("[b] b.example"), "{screen}");
    assert!(screen.contains("0 requests · 0 saved"), "{screen}");
}
