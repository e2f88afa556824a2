//! The demo gallery: synthetic persons in two collections, and probe images next to
//! them that exercise every outcome (strong match, weaker match, collection scope,
//! no match, liveness failure). The README it writes quotes scores measured with the
//! engine at seeding time, not hoped-for ones.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use image::DynamicImage;

use super::engine::{cosine, Engine};
use super::routes::thumbnail;
use super::store::{FaceInput, PersonFields, Store};
use super::synth::{self, Variant};
use super::{PixelEngine, SandboxError};
use crate::vocabulary::SearchMode;

/// What seeding did and where the probes are.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoSummary {
    pub probes_dir: PathBuf,
    /// Persons created now (0 when the demo was already there).
    pub persons_created: usize,
    pub already_seeded: bool,
    /// Probe file names with their measured expectation.
    pub probes: Vec<(String, String)>,
}

struct DemoPerson {
    seed: u64,
    name: &'static str,
    gender: &'static str,
    dob: &'static str,
    nationality: &'static str,
    staff: bool,
    visitor: bool,
}

const PERSONS: [DemoPerson; 6] = [
    DemoPerson {
        seed: 101,
        name: "Alice Moreau",
        gender: "F",
        dob: "1990-04-12",
        nationality: "French",
        staff: true,
        visitor: true,
    },
    DemoPerson {
        seed: 202,
        name: "Bob Okafor",
        gender: "M",
        dob: "1985-11-02",
        nationality: "Nigerian",
        staff: true,
        visitor: false,
    },
    DemoPerson {
        seed: 303,
        name: "Carmen Diaz",
        gender: "F",
        dob: "1978-07-23",
        nationality: "Colombian",
        staff: true,
        visitor: false,
    },
    DemoPerson {
        seed: 404,
        name: "Dmitri Volkov",
        gender: "M",
        dob: "1993-01-30",
        nationality: "Russian",
        staff: false,
        visitor: true,
    },
    DemoPerson {
        seed: 505,
        name: "Emi Tanaka",
        gender: "F",
        dob: "2000-09-09",
        nationality: "Japanese",
        staff: false,
        visitor: true,
    },
    DemoPerson {
        seed: 606,
        name: "Farid Haddad",
        gender: "M",
        dob: "1969-03-15",
        nationality: "Lebanese",
        staff: false,
        visitor: true,
    },
];

const STAFF: &str = "Demo staff";
const VISITORS: &str = "Demo visitors";

/// The enrolled pictures of every demo person.
fn enrolled_variants() -> [Variant; 3] {
    [
        Variant::default(),
        Variant {
            dx: 4.0,
            dy: -3.0,
            ..Variant::default()
        },
        Variant {
            brightness: 18.0,
            ..Variant::default()
        },
    ]
}

/// JPEG bytes → what a client upload would become on the server.
fn as_uploaded(img: &DynamicImage) -> (Vec<u8>, DynamicImage) {
    let bytes = synth::jpeg(img, 90);
    let decoded = crate::imageio::decode_oriented(&bytes).unwrap_or_else(|_| img.clone());
    (bytes, decoded)
}

/// Seeds the demo with the pixel engine.
pub fn seed_demo(data_dir: &Path, probes_dir: &Path) -> Result<DemoSummary, SandboxError> {
    seed_demo_with(data_dir, probes_dir, &PixelEngine)
}

/// Seeds the demo gallery into the store in `data_dir` (once) and writes the probes
/// and their README into `probes_dir` (every time). Do not call while another
/// process or a running server holds the same store: its index would not see the rows.
pub fn seed_demo_with(
    data_dir: &Path,
    probes_dir: &Path,
    engine: &dyn Engine,
) -> Result<DemoSummary, SandboxError> {
    let store = Store::open(data_dir)?;
    store.check_engine(engine.id())?;
    let existing = store.list_collections()?;
    let already_seeded = existing.iter().any(|c| c.name == STAFF);
    let mut persons_created = 0;
    let analyse = |img: &DynamicImage| {
        engine.analyze(img, SearchMode::Accurate).map_err(|e| {
            SandboxError::Io(format!(
                "the {} engine cannot use a demo image: {e}",
                engine.label()
            ))
        })
    };
    let mut gallery: Vec<(&'static str, Vec<f32>)> = Vec::new();
    if !already_seeded {
        let staff =
            store.create_collection(STAFF, Some("Demo persons: staff (synthetic images)"))?;
        let visitors =
            store.create_collection(VISITORS, Some("Demo persons: visitors (synthetic images)"))?;
        for p in &PERSONS {
            let mut faces = Vec::new();
            for v in enrolled_variants() {
                let (_, img) = as_uploaded(&synth::portrait(p.seed, &v));
                faces.push(FaceInput {
                    thumbnail: thumbnail(&img),
                    vector: analyse(&img)?.vector,
                });
            }
            let mut collections = Vec::new();
            if p.staff {
                collections.push(staff.id.clone());
            }
            if p.visitor {
                collections.push(visitors.id.clone());
            }
            store.create_person(
                PersonFields {
                    name: Some(p.name.into()),
                    gender: Some(p.gender.into()),
                    date_of_birth: Some(p.dob.into()),
                    nationality: Some(p.nationality.into()),
                    notes: Some("demo person (synthetic image, not a real face)".into()),
                    collections: Some(collections),
                    faces: Some(faces),
                },
                engine.id(),
            )?;
            persons_created += 1;
        }
    }
    for p in &PERSONS {
        for v in enrolled_variants() {
            let (_, img) = as_uploaded(&synth::portrait(p.seed, &v));
            gallery.push((p.name, analyse(&img)?.vector));
        }
    }
    let probes = write_probes(probes_dir, engine, &gallery)?;
    Ok(DemoSummary {
        probes_dir: probes_dir.to_path_buf(),
        persons_created,
        already_seeded,
        probes,
    })
}

struct Probe {
    file: &'static str,
    seed: u64,
    variant: Variant,
    grey: bool,
    what: &'static str,
}

fn probe_list() -> Vec<Probe> {
    vec![
        Probe {
            file: "match_alice_exact.jpg",
            seed: 101,
            variant: Variant::default(),
            grey: false,
            what: "the very image Alice was enrolled with",
        },
        Probe {
            file: "match_bob_variant.jpg",
            seed: 202,
            variant: Variant {
                dx: -5.0,
                dy: 4.0,
                brightness: -15.0,
                size: Some((180, 216)),
                blur: 0.0,
            },
            grey: false,
            what: "a new picture of Bob: shifted, darker, smaller",
        },
        Probe {
            file: "match_carmen_weak.jpg",
            seed: 303,
            variant: Variant {
                dx: 26.0,
                dy: 20.0,
                brightness: 40.0,
                size: None,
                blur: 0.0,
            },
            grey: false,
            what: "a harder picture of Carmen: shifted a lot and much brighter",
        },
        Probe {
            file: "match_emi_visitors_only.jpg",
            seed: 505,
            variant: Variant {
                dx: 3.0,
                dy: 2.0,
                brightness: 8.0,
                ..Variant::default()
            },
            grey: false,
            what: "Emi, who is only in \"Demo visitors\": try it with and without that collection",
        },
        Probe {
            file: "stranger.jpg",
            seed: 9001,
            variant: Variant::default(),
            grey: false,
            what: "a person nobody enrolled",
        },
        Probe {
            file: "spoof_grey.jpg",
            seed: 404,
            variant: Variant::default(),
            grey: true,
            what: "Dmitri in greyscale (a photo of a printout)",
        },
        Probe {
            file: "spoof_blurred.jpg",
            seed: 606,
            variant: Variant {
                blur: 5.0,
                ..Variant::default()
            },
            grey: false,
            what: "Farid, heavily blurred (a screen replay)",
        },
    ]
}

fn write_probes(
    dir: &Path,
    engine: &dyn Engine,
    gallery: &[(&'static str, Vec<f32>)],
) -> Result<Vec<(String, String)>, SandboxError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| SandboxError::Io(format!("cannot create {}: {e}", dir.display())))?;
    let mut readme = String::from(
        "liveface sandbox demo probes\n============================\n\n\
         Synthetic images, not real faces. The sandbox's pixel engine finds near-duplicate\n\
         IMAGES; it is not a face recognizer. Scores below were measured with the engine\n\
         when these files were written. Defaults: liveness_min_score 0.65, min_score 0.75.\n\n\
         Try:  liveface search --image <file>   (add --min-score 0.5 to see weaker matches)\n\n",
    );
    let mut out = Vec::new();
    for p in probe_list() {
        let mut img = synth::portrait(p.seed, &p.variant);
        if p.grey {
            img = DynamicImage::ImageRgb8(DynamicImage::ImageLuma8(img.to_luma8()).to_rgb8());
        }
        let (bytes, decoded) = as_uploaded(&img);
        let path = dir.join(p.file);
        std::fs::write(&path, &bytes)
            .map_err(|e| SandboxError::Io(format!("cannot write {}: {e}", path.display())))?;
        let analysis = engine
            .analyze(&decoded, SearchMode::Accurate)
            .map_err(|e| SandboxError::Io(format!("cannot analyse {}: {e}", p.file)))?;
        let best = gallery
            .iter()
            .map(|(name, v)| (*name, engine.score(cosine(v, &analysis.vector))))
            .fold(("nobody", 0.0f64), |a, b| if b.1 > a.1 { b } else { a });
        let expect = if analysis.liveness_score <= 0.65 {
            format!(
                "fails liveness (score {:.2} is not above 0.65) → exit code 3",
                analysis.liveness_score
            )
        } else if best.1 >= 0.75 {
            format!(
                "matches {} with score {:.2} (liveness {:.2})",
                best.0, best.1, analysis.liveness_score
            )
        } else if best.1 >= 0.5 {
            format!(
                "no match at min_score 0.75; {} at {:.2} with --min-score 0.5",
                best.0, best.1
            )
        } else {
            format!(
                "matches nobody (best score {:.2}, below every allowed min_score)",
                best.1
            )
        };
        let _ = writeln!(
            readme,
            "{}\n    {}\n    expected: {}\n",
            p.file, p.what, expect
        );
        out.push((p.file.to_owned(), expect));
    }
    let path = dir.join("README.txt");
    std::fs::write(&path, readme)
        .map_err(|e| SandboxError::Io(format!("cannot write {}: {e}", path.display())))?;
    Ok(out)
}
