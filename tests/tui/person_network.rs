//! The person-form effects through the runner against the real sandbox on 127.0.0.1:
//! image files prepared off the loop, plain and live creates, a duplicate refusal that
//! names the existing person, a partial update with new faces, and a detach.

use crate::sandbox_common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use liveface::api::model::{
    CollectionInput, DateOfBirth, NewLivePerson, NewPerson, Person, PersonUpdate, SearchMode,
};
use liveface::api::{ApiError, Client};
use liveface::history::HistoryStore;
use liveface::sandbox::synth::{self, Variant};
use liveface::tui::action::Action;
use liveface::tui::effect::{Effect, PersonSave};
use liveface::tui::runner::Runner;
use sandbox_common::harness;
use tokio::sync::mpsc;

async fn saved(rx: &mut mpsc::UnboundedReceiver<Action>) -> Result<Person, ApiError> {
    let action = tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("no answer within 60 s")
        .expect("channel closed");
    match action {
        Action::PersonSaved(result) => result,
        other => panic!("expected PersonSaved, got {other:?}"),
    }
}

fn runner_for(client: &Client, dir: &Path) -> (Runner, mpsc::UnboundedReceiver<Action>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let store = HistoryStore::new(dir.join("h.jsonl"));
    (Runner::new(client.clone(), tx, 1600, store), rx)
}

/// A synthetic portrait written as a JPEG file.
fn face_file(dir: &Path, seed: u64) -> PathBuf {
    let path = dir.join(format!("face-{seed}.jpg"));
    synth::portrait(seed, &Variant::default())
        .save(&path)
        .unwrap();
    path
}

fn live(name: &str, collection: &str) -> NewLivePerson {
    NewLivePerson {
        name: name.into(),
        images: Vec::new(),
        gender: "F".into(),
        date_of_birth: DateOfBirth::new(1991, 3, 4).unwrap(),
        nationality: None,
        collection_id: collection.into(),
        liveness_min_score: 0.6,
        min_score: 0.8,
        search_mode: SearchMode::Fast,
    }
}

#[tokio::test]
async fn enrol_duplicate_edit_and_detach_over_http() {
    let h = harness().await;
    let files = tempfile::tempdir().unwrap();
    let (mut runner, mut rx) = runner_for(&h.client, files.path());
    let gate = h
        .client
        .create_collection(&CollectionInput {
            name: "Gate".into(),
            description: None,
        })
        .await
        .unwrap();

    // Plain create from a file.
    runner.run(Effect::SavePerson {
        request: PersonSave::Create(NewPerson {
            name: "Eva Díaz".into(),
            collections: vec![gate.id.clone()],
            ..NewPerson::default()
        }),
        images: vec![face_file(files.path(), 11)],
    });
    let eva = saved(&mut rx).await.unwrap();
    assert_eq!(eva.name.as_deref(), Some("Eva Díaz"));
    assert!(eva.collections.iter().any(|c| c.id == gate.id));

    // With liveness: a new face is created …
    let face = face_file(files.path(), 12);
    runner.run(Effect::SavePerson {
        request: PersonSave::CreateLive(live("Ines Mora", &gate.id)),
        images: vec![face.clone()],
    });
    let ines = saved(&mut rx).await.unwrap();
    // … and the same face again is refused, naming who has it.
    runner.run(Effect::SavePerson {
        request: PersonSave::CreateLive(live("Someone Else", &gate.id)),
        images: vec![face],
    });
    let err = saved(&mut rx).await.unwrap_err();
    assert_eq!(err.status(), Some(409), "{err}");
    assert!(err.to_string().contains("already enrolled"), "{err}");
    let existing = err.data().and_then(Person::from_value).unwrap();
    assert_eq!(existing.id, ines.id);

    // A partial update with new faces.
    runner.run(Effect::SavePerson {
        request: PersonSave::Update {
            id: eva.id.clone(),
            update: PersonUpdate {
                notes: Some("night shift".into()),
                ..PersonUpdate::default()
            },
        },
        images: vec![face_file(files.path(), 13)],
    });
    let eva2 = saved(&mut rx).await.unwrap();
    assert_eq!(eva2.notes.as_deref(), Some("night shift"));
    assert_eq!(
        eva2.name.as_deref(),
        Some("Eva Díaz"),
        "untouched fields kept"
    );

    // Detach from Gate only: the person stays, without the collection.
    runner.run(Effect::DeletePerson {
        id: eva.id.clone(),
        collection: Some(gate.id.clone()),
    });
    let action = tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let Action::PersonDeleted { result, .. } = action else {
        panic!("{action:?}")
    };
    result.unwrap();
    let after = h.client.get_person(&eva.id).await.unwrap();
    assert!(
        after.collections.iter().all(|c| c.id != gate.id),
        "{:?}",
        after.collections
    );
}

#[tokio::test]
async fn a_bad_image_file_is_refused_before_anything_is_sent() {
    let h = harness().await;
    let files = tempfile::tempdir().unwrap();
    let (mut runner, mut rx) = runner_for(&h.client, files.path());
    let before = h.client.list_persons(&Default::default()).await.unwrap();
    let corrupt = files.path().join("broken.jpg");
    std::fs::write(&corrupt, b"\xff\xd8\xff not really a jpeg").unwrap();
    for path in [files.path().join("missing.jpg"), corrupt] {
        runner.run(Effect::SavePerson {
            request: PersonSave::Create(NewPerson {
                name: "Nobody".into(),
                ..NewPerson::default()
            }),
            images: vec![face_file(files.path(), 14), path.clone()],
        });
        let err = saved(&mut rx).await.unwrap_err();
        assert!(matches!(err, ApiError::InvalidInput(_)), "{err:?}");
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(err.to_string().contains(name), "{err}");
    }
    let after = h.client.list_persons(&Default::default()).await.unwrap();
    assert_eq!(before.items.len(), after.items.len(), "nothing was created");
}
