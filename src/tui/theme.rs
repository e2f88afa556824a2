//! Themes: named colour roles from `themes/*.toml`, compiled in, overridable by files in
//! `<config>/liveface/themes/`, degraded to 256 colours or none as the terminal needs.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

/// The built-in themes, in `T` cycling order.
pub const BUILTIN: [(&str, &str); 4] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// How many colours the terminal can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorMode {
    TrueColor,
    Ansi256,
    /// `NO_COLOR`: the mono theme, whatever was asked.
    None,
}

impl ColorMode {
    /// `NO_COLOR` (any non-empty value) wins; else `COLORTERM` decides truecolor.
    pub fn detect(env: &dyn Fn(&str) -> Option<String>) -> ColorMode {
        if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return ColorMode::None;
        }
        match env("COLORTERM").as_deref().map(str::to_ascii_lowercase) {
            Some(v) if v == "truecolor" || v == "24bit" => ColorMode::TrueColor,
            _ => ColorMode::Ansi256,
        }
    }
}

/// The colour roles every pane draws with.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Color,
    pub background: Color,
    pub dim: Color,
    pub accent: Color,
    pub border: Color,
    pub border_focus: Color,
    pub selection_fg: Color,
    pub selection_bg: Color,
    pub image: Color,
    pub directory: Color,
    pub ok: Color,
    pub warn: Color,
    pub error: Color,
    pub bar: Color,
    pub status_bg: Color,
    pub status_fg: Color,
    /// The searched face's box, drawn into the probe's pixels: it must read on photos
    /// (skin, hair, walls), whatever the terminal's background.
    pub face_box: Color,
}

const ROLES: [&str; 17] = [
    "text",
    "background",
    "dim",
    "accent",
    "border",
    "border_focus",
    "selection_fg",
    "selection_bg",
    "image",
    "directory",
    "ok",
    "warn",
    "error",
    "bar",
    "status_bg",
    "status_fg",
    "face_box",
];

impl Theme {
    fn all_reset(name: &str) -> Theme {
        Theme {
            name: name.into(),
            text: Color::Reset,
            background: Color::Reset,
            dim: Color::Reset,
            accent: Color::Reset,
            border: Color::Reset,
            border_focus: Color::Reset,
            selection_fg: Color::Reset,
            selection_bg: Color::Reset,
            image: Color::Reset,
            directory: Color::Reset,
            ok: Color::Reset,
            warn: Color::Reset,
            error: Color::Reset,
            bar: Color::Reset,
            status_bg: Color::Reset,
            status_fg: Color::Reset,
            face_box: Color::Reset,
        }
    }

    fn role_mut(&mut self, role: &str) -> Option<&mut Color> {
        Some(match role {
            "text" => &mut self.text,
            "background" => &mut self.background,
            "dim" => &mut self.dim,
            "accent" => &mut self.accent,
            "border" => &mut self.border,
            "border_focus" => &mut self.border_focus,
            "selection_fg" => &mut self.selection_fg,
            "selection_bg" => &mut self.selection_bg,
            "image" => &mut self.image,
            "directory" => &mut self.directory,
            "ok" => &mut self.ok,
            "warn" => &mut self.warn,
            "error" => &mut self.error,
            "bar" => &mut self.bar,
            "status_bg" => &mut self.status_bg,
            "status_fg" => &mut self.status_fg,
            "face_box" => &mut self.face_box,
            _ => return None,
        })
    }

    /// Parses a theme file on top of `base` (so user files may set only some roles).
    pub fn parse(name: &str, text: &str, base: &Theme) -> Result<Theme, String> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| format!("theme {name}: {}", e.message()))?;
        let mut theme = base.clone();
        theme.name = name.to_string();
        let Some(colors) = table.get("colors") else {
            return Err(format!("theme {name}: no [colors] table"));
        };
        let colors = colors
            .as_table()
            .ok_or_else(|| format!("theme {name}: [colors] must be a table"))?;
        for (role, value) in colors {
            let slot = theme.role_mut(role).ok_or_else(|| {
                format!(
                    "theme {name}: unknown colour role `{role}` (known: {})",
                    ROLES.join(", ")
                )
            })?;
            let spec = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                _ => return Err(format!("theme {name}: `{role}` must be a colour string")),
            };
            *slot = Color::from_str(spec.trim())
                .map_err(|_| format!("theme {name}: `{role}` = \"{spec}\" is not a colour"))?;
        }
        Ok(theme)
    }

    /// The built-in default, parsed from its file.
    pub fn builtin_default() -> Theme {
        Theme::parse("default", BUILTIN[0].1, &Theme::all_reset("default"))
            .unwrap_or_else(|_| Theme::all_reset("default"))
    }

    /// Maps every truecolor role to the nearest 256-colour index, or drops all colour.
    pub fn degrade(mut self, mode: ColorMode) -> Theme {
        match mode {
            ColorMode::TrueColor => self,
            ColorMode::None => {
                let name = self.name.clone();
                self = Theme::all_reset(&name);
                self
            }
            ColorMode::Ansi256 => {
                for role in ROLES {
                    if let Some(c) = self.role_mut(role) {
                        *c = to_256(*c);
                    }
                }
                self
            }
        }
    }

    // ---- styles the panes use --------------------------------------------------

    pub fn base(&self) -> Style {
        Style::default().fg(self.text).bg(self.background)
    }
    pub fn dim(&self) -> Style {
        let s = Style::default().fg(self.dim);
        if self.dim == Color::Reset {
            s.add_modifier(Modifier::DIM)
        } else {
            s
        }
    }
    pub fn accent(&self) -> Style {
        Style::default()
            .fg(self.accent)
            .add_modifier(Modifier::BOLD)
    }
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            Style::default()
                .fg(self.border_focus)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(self.border)
        }
    }
    /// Selection is always visible, also without colour (reverse video).
    pub fn selection(&self) -> Style {
        if self.selection_bg == Color::Reset {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::default()
                .fg(self.selection_fg)
                .bg(self.selection_bg)
                .add_modifier(Modifier::BOLD)
        }
    }
    pub fn image(&self) -> Style {
        Style::default().fg(self.image).add_modifier(Modifier::BOLD)
    }
    pub fn directory(&self) -> Style {
        Style::default()
            .fg(self.directory)
            .add_modifier(Modifier::BOLD)
    }
    pub fn ok(&self) -> Style {
        Style::default().fg(self.ok)
    }
    pub fn warn(&self) -> Style {
        Style::default().fg(self.warn)
    }
    pub fn error(&self) -> Style {
        Style::default().fg(self.error).add_modifier(Modifier::BOLD)
    }
    pub fn bar(&self) -> Style {
        Style::default().fg(self.bar)
    }
    pub fn status(&self) -> Style {
        let s = Style::default().fg(self.status_fg).bg(self.status_bg);
        if self.status_bg == Color::Reset {
            s.add_modifier(Modifier::REVERSED)
        } else {
            s
        }
    }
}

/// The face box's colour as pixels. Pictures keep their colours even without colour
/// text (`NO_COLOR`, the mono theme), so a theme without one (`reset`) gets the default's.
pub fn face_box_rgb(theme: &Theme) -> [u8; 3] {
    const DEFAULT: [u8; 3] = [0x00, 0xff, 0x5f];
    rgb(theme.face_box).unwrap_or(DEFAULT)
}

/// The RGB a terminal shows for a colour (xterm's palette); `None` for `Reset`.
pub fn rgb(c: Color) -> Option<[u8; 3]> {
    const ANSI: [[u8; 3]; 16] = [
        [0, 0, 0],
        [205, 0, 0],
        [0, 205, 0],
        [205, 205, 0],
        [0, 0, 238],
        [205, 0, 205],
        [0, 205, 205],
        [229, 229, 229],
        [127, 127, 127],
        [255, 0, 0],
        [0, 255, 0],
        [255, 255, 0],
        [92, 92, 255],
        [255, 0, 255],
        [0, 255, 255],
        [255, 255, 255],
    ];
    let indexed = |i: u8| -> [u8; 3] {
        const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
        match i {
            0..=15 => ANSI[usize::from(i)],
            16..=231 => {
                let i = i - 16;
                [
                    LEVELS[usize::from(i / 36)],
                    LEVELS[usize::from(i / 6 % 6)],
                    LEVELS[usize::from(i % 6)],
                ]
            }
            _ => {
                let v = 8 + 10 * (i - 232);
                [v, v, v]
            }
        }
    };
    Some(match c {
        Color::Reset => return None,
        Color::Rgb(r, g, b) => [r, g, b],
        Color::Indexed(i) => indexed(i),
        Color::Black => ANSI[0],
        Color::Red => ANSI[1],
        Color::Green => ANSI[2],
        Color::Yellow => ANSI[3],
        Color::Blue => ANSI[4],
        Color::Magenta => ANSI[5],
        Color::Cyan => ANSI[6],
        Color::Gray => ANSI[7],
        Color::DarkGray => ANSI[8],
        Color::LightRed => ANSI[9],
        Color::LightGreen => ANSI[10],
        Color::LightYellow => ANSI[11],
        Color::LightBlue => ANSI[12],
        Color::LightMagenta => ANSI[13],
        Color::LightCyan => ANSI[14],
        Color::White => ANSI[15],
    })
}

/// Nearest xterm-256 colour for an RGB colour; other colours pass through.
pub fn to_256(c: Color) -> Color {
    let Color::Rgb(r, g, b) = c else { return c };
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let near = |v: u8| {
        LEVELS
            .iter()
            .enumerate()
            .min_by_key(|(_, l)| (i32::from(**l) - i32::from(v)).abs())
            .map(|(i, _)| i as u8)
            .unwrap_or(0)
    };
    let (ri, gi, bi) = (near(r), near(g), near(b));
    let cube = 16 + 36 * ri + 6 * gi + bi;
    let cube_rgb = (
        LEVELS[ri as usize],
        LEVELS[gi as usize],
        LEVELS[bi as usize],
    );
    let avg = (u16::from(r) + u16::from(g) + u16::from(b)) / 3;
    let grey_i = ((avg.saturating_sub(8)) / 10).min(23) as u8;
    let grey_v = 8 + 10 * grey_i;
    let dist = |(x, y, z): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(x, r) + d(y, g) + d(z, b)
    };
    if dist((grey_v, grey_v, grey_v)) < dist(cube_rgb) {
        Color::Indexed(232 + grey_i)
    } else {
        Color::Indexed(cube)
    }
}

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
    let user_file = user_dir.map(|d| d.join(format!("{name}.toml")));
    // Anything at the path counts (a FIFO is refused by name, not skipped).
    let source = match user_file.filter(|p| p.exists()) {
        Some(p) => crate::filetype::read_regular_to_string(&p)
            .map_err(|e| format!("theme {name}: cannot read {}: {e}", p.display())),
        None => BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.to_string())
            .ok_or_else(|| format!("no theme named {name}")),
    };
    let parsed = source.and_then(|text| Theme::parse(name, &text, &default));
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

    #[test]
    fn every_builtin_parses() {
        for (name, text) in BUILTIN {
            let t = Theme::parse(name, text, &Theme::builtin_default()).unwrap();
            assert_eq!(t.name, name);
        }
        assert_eq!(Theme::builtin_default().error, Color::Rgb(0xff, 0x5f, 0x5f));
    }

    #[test]
    fn colour_mode_follows_env() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            ColorMode::detect(&env(&[("NO_COLOR", "1")])),
            ColorMode::None
        );
        assert_eq!(
            ColorMode::detect(&env(&[("COLORTERM", "truecolor")])),
            ColorMode::TrueColor
        );
        assert_eq!(ColorMode::detect(&env(&[])), ColorMode::Ansi256);
    }

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
        assert!(w.unwrap().contains("not a colour"));
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
