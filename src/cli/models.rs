//! `liveface models status`: which sandbox engine runs, and why.

use std::path::PathBuf;

use crate::sandbox::face::models;

/// Prints every model file's state and the engine that follows; exit 0 when the face
/// engine can run, 1 when the sandbox falls back to the pixel engine.
pub fn status(flag: Option<PathBuf>) -> i32 {
    let dir = models::resolve_dir(flag);
    let status = models::status(&dir);
    println!("{status}");
    if status.ready() {
        0
    } else {
        println!("the pixel engine is not a face recognizer: see the README, \"Face models\"");
        1
    }
}
