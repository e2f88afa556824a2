//! Themes: named colour roles from `themes/*.toml`, compiled in, overridable by files in
//! `<config>/liveface/themes/`, degraded to 256 colours or none as the terminal needs.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

mod load;
mod palette;

pub use load::{load, theme_names, user_theme_dir};
pub use palette::{rgb, to_256};

/// The built-in themes, in `T` cycling order.
pub const BUILTIN: [(&str, &str); 4] = [
    ("default", include_str!("../../../themes/default.toml")),
    ("light", include_str!("../../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../../themes/mono.toml")),
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

/// Declares the colour roles once: the [`Theme`] fields, the theme file's `[colors]`
/// table (read by serde, unknown roles refused), and the walks over every role.
macro_rules! roles {
    ($($(#[$doc:meta])* $role:ident),+ $(,)?) => {
        /// The colour roles every pane draws with.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Theme {
            pub name: String,
            $($(#[$doc])* pub $role: Color,)+
        }

        /// A theme file's `[colors]` table: any subset of the roles, nothing else.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Colors {
            $($role: Option<ColorSpec>,)+
        }

        /// Every role's name, in the file's order.
        const ROLES: &[&str] = &[$(stringify!($role)),+];

        impl Theme {
            fn all_reset(name: &str) -> Theme {
                Theme {
                    name: name.into(),
                    $($role: Color::Reset,)+
                }
            }

            /// Each role's colour, to change in place.
            fn roles_mut(&mut self) -> [&mut Color; ROLES.len()] {
                [$(&mut self.$role),+]
            }

            /// Sets the roles `colors` names; the first that is not a colour is the error.
            fn apply(&mut self, colors: Colors) -> Result<(), (&'static str, String)> {
                $(if let Some(spec) = colors.$role {
                    self.$role = spec.color().map_err(|v| (stringify!($role), v))?;
                })+
                Ok(())
            }
        }
    };
}

roles!(
    text,
    background,
    dim,
    accent,
    border,
    border_focus,
    selection_fg,
    selection_bg,
    image,
    directory,
    ok,
    warn,
    error,
    bar,
    status_bg,
    status_fg,
    /// The searched face's box, drawn into the probe's pixels: it must read on photos
    /// (skin, hair, walls), whatever the terminal's background.
    face_box,
);

/// A theme file as serde reads it (other keys, such as a description, are the
/// author's business).
#[derive(Debug, Deserialize)]
struct ThemeFile {
    colors: Option<Colors>,
}

/// A colour as written in a theme file: a name, `#rrggbb` or a 256-colour index, as a
/// string or a bare number. Parsed by ratatui's `Color: FromStr`.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "a colour: a name, \"#rrggbb\" or a number 0–255"
)]
enum ColorSpec {
    Text(String),
    Index(i64),
}

impl ColorSpec {
    /// The colour, or the value as written when it is none.
    fn color(&self) -> Result<Color, String> {
        let text = match self {
            ColorSpec::Text(s) => s.clone(),
            ColorSpec::Index(i) => i.to_string(),
        };
        Color::from_str(text.trim()).map_err(|_| text)
    }
}

impl Theme {
    /// Parses a theme file on top of `base` (so user files may set only some roles).
    /// Errors name the theme, the role and the value, in plain words.
    pub fn parse(name: &str, text: &str, base: &Theme) -> Result<Theme, String> {
        let file: ThemeFile = toml::from_str(text).map_err(|e| {
            // serde says "field"; a theme's keys are colour roles.
            let message = e.message().replace("unknown field", "unknown colour role");
            // The line it is about, as written: the role and the value in one look.
            let line = e.span().and_then(|span| {
                let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
                let end = text[span.start..]
                    .find('\n')
                    .map_or(text.len(), |i| span.start + i);
                let number = text[..span.start].matches('\n').count() + 1;
                let written = crate::printable::printable(text[start..end].trim());
                (!written.is_empty()).then(|| format!(", line {number} `{written}`"))
            });
            format!("theme {name}{}: {message}", line.unwrap_or_default())
        })?;
        let colors = file
            .colors
            .ok_or_else(|| format!("theme {name}: no [colors] table"))?;
        let mut theme = base.clone();
        theme.name = name.to_string();
        theme.apply(colors).map_err(|(role, value)| {
            format!("theme {name}: `{role}` = \"{value}\" is not a colour")
        })?;
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
                for c in self.roles_mut() {
                    *c = to_256(*c);
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
    fn bad_theme_files_are_refused_in_plain_words() {
        let base = Theme::builtin_default();
        let err = |text: &str| Theme::parse("mine", text, &base).unwrap_err();
        assert_eq!(
            err("[colors]\nerror = \"nope\"\n"),
            "theme mine: `error` = \"nope\" is not a colour"
        );
        let unknown = err("[colors]\nerorr = \"red\"\n");
        assert!(
            unknown
                .starts_with("theme mine, line 2 `erorr = \"red\"`: unknown colour role `erorr`")
                && unknown.contains("`error`"),
            "{unknown}"
        );
        let wrong_type = err("[colors]\nerror = true\n");
        assert!(
            wrong_type.starts_with("theme mine, line 2 `error = true`: a colour"),
            "{wrong_type}"
        );
        assert_eq!(err("[colours]\n"), "theme mine: no [colors] table");
        assert_eq!(err("# nothing\n"), "theme mine: no [colors] table");
        // Numbers are 256-colour indices, bare or quoted; names and hex as ratatui reads them.
        let t = Theme::parse(
            "mine",
            "[colors]\ndim = 244\nbar = \"12\"\nok = \"light-green\"\nwarn = \"#ffaa00\"\n",
            &base,
        )
        .unwrap();
        assert_eq!(
            (t.dim, t.bar, t.ok, t.warn),
            (
                Color::Indexed(244),
                Color::Indexed(12),
                Color::LightGreen,
                Color::Rgb(0xff, 0xaa, 0)
            )
        );
        assert_eq!(t.text, base.text, "unset roles keep the base's");
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
}
