//! Finding and loading a theme by name: a user file in `<config>/liveface/themes/`
//! first, then a built-in; any problem falls back to the default with the reason.

use std::path::{Path, PathBuf};

use super::{ColorMode, Theme, BUILTIN};

/// Where user themes live: `<config>/liveface/themes/`.
pub fn user_theme_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("liveface").join("themes"))
}

/// Theme names available: built-ins, then user themes not shadowing one, sorted.
pub fn theme_names(user_dir: Option<&Path>) -> Vec<String> {
    let mut names: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
    let mut extra: Vec<String> = user_dir
        .and_then(|d| std::fs::read_dir(d).ok())
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let p = e.path();
            (p.extension()? == "toml").then(|| p.file_stem()?.to_str().map(str::to_owned))?
        })
        .filter(|n| !names.contains(n))
        .collect();
    extra.sort();
    names.append(&mut extra);
    names
}

/// Loads a theme by name: a user file first, then a built-in. On any problem returns the
/// default theme and the reason, for the status bar.
pub fn load(name: &str, user_dir: Option<&Path>, mode: ColorMode) -> (Theme, Option<String>) {
    let default = Theme::builtin_default();
    if mode == ColorMode::None {
        let mono = Theme::parse("mono", BUILTIN[3].1, &default).unwrap_or(default);
        return (mono.degrade(ColorMode::None), None);
    }
    let user_file = user_dir
        .map(|d| d.join(format!("{name}.toml")))
        // Anything at the path counts (a FIFO is refused by name, not skipped).
        .filter(|p| p.exists());
    let source = match &user_file {
        Some(p) => crate::filetype::read_regular_to_string(p)
            .map_err(|e| format!("theme {name}: cannot read {}: {e}", p.display())),
        None => BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.to_string())
            .ok_or_else(|| format!("no theme named {name}")),
    };
    let parsed = source.and_then(|text| {
        Theme::parse(name, &text, &default).map_err(|e| match &user_file {
            Some(p) => format!("{e} (in {})", p.display()),
            None => e,
        })
    });
    match parsed {
        Ok(t) => (t.degrade(mode), None),
        Err(e) => {
            // Keep the asked-for name so `T` cycling still moves on from here.
            let mut fallback = default.degrade(mode);
            fallback.name = name.to_string();
            (fallback, Some(format!("{e}; using the default theme")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::theme::{face_box_rgb, rgb, to_256};
    use ratatui::style::Color;

    #[test]
    fn truecolour_degrades_to_256() {
        assert_eq!(to_256(Color::Rgb(255, 0, 0)), Color::Indexed(196));
        assert_eq!(to_256(Color::Rgb(0x80, 0x80, 0x80)), Color::Indexed(244));
        assert_eq!(to_256(Color::Red), Color::Red);
        let (t, w) = load("default", None, ColorMode::Ansi256);
        assert!(w.is_none());
        assert!(matches!(t.accent, Color::Indexed(_)));
    }

    #[test]
    fn user_themes_override_and_broken_ones_fall_back() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("default.toml"),
            "[colors]\naccent = \"red\"\n",
        )
        .unwrap();
        std::fs::write(d.path().join("mine.toml"), "[colors]\nerror = \"nope\"\n").unwrap();
        let (t, w) = load("default", Some(d.path()), ColorMode::TrueColor);
        assert_eq!((t.accent, w), (Color::Red, None));
        assert_eq!(
            t.ok,
            Theme::builtin_default().ok,
            "unset roles keep the default"
        );
        let (t, w) = load("mine", Some(d.path()), ColorMode::TrueColor);
        assert_eq!(
            (t.name.as_str(), t.error),
            ("mine", Theme::builtin_default().error)
        );
        let w = w.unwrap();
        assert!(
            w.contains("`error` = \"nope\" is not a colour") && w.contains("mine.toml"),
            "the role, the value and the file: {w}"
        );
        assert_eq!(theme_names(Some(d.path())).last().unwrap(), "mine");
        let (t, _) = load("light", None, ColorMode::None);
        assert_eq!(t.accent, Color::Reset);
    }

    #[test]
    #[cfg(unix)]
    fn a_fifo_theme_is_refused_by_name_instead_of_blocking() {
        let d = tempfile::tempdir().unwrap();
        let pipe = d.path().join("piped.toml");
        assert!(std::process::Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .unwrap()
            .success());
        let (t, w) = load("piped", Some(d.path()), ColorMode::TrueColor);
        assert_eq!(t.accent, Theme::builtin_default().accent);
        let w = w.unwrap();
        assert!(w.contains("piped.toml") && w.contains("named pipe"), "{w}");
    }

    #[test]
    fn the_face_box_has_a_pixel_colour_in_every_theme_and_mode() {
        for (name, _) in BUILTIN {
            for mode in [ColorMode::TrueColor, ColorMode::Ansi256, ColorMode::None] {
                let (t, w) = load(name, None, mode);
                assert!(w.is_none(), "{name}: {w:?}");
                let [r, g, b] = face_box_rgb(&t);
                // Saturated and bright: visible on skin, hair and grey walls alike.
                let (hi, lo) = (r.max(g).max(b), r.min(g).min(b));
                assert!(hi >= 200 && hi - lo >= 150, "{name} {mode:?}: {r},{g},{b}");
            }
        }
        assert_eq!(rgb(Color::Indexed(48)), Some([0, 255, 135]));
        assert_eq!(rgb(Color::Indexed(244)), Some([128, 128, 128]));
        assert_eq!(rgb(Color::LightGreen), Some([0, 255, 0]));
        assert_eq!(rgb(Color::Reset), None);
    }
}
