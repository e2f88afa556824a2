//! The time zone times are shown in.

use chrono::{DateTime, FixedOffset, Utc};

/// How a stored UTC time is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    /// The system's local zone (`TZ`, else `/etc/localtime`), with the offset that zone
    /// had at *that* moment: a summer run shows summer time even when viewed in winter.
    Local,
    /// One fixed offset for every time (tests, benches).
    Fixed(FixedOffset),
}

impl Zone {
    /// `t` as a wall-clock time in this zone, with the offset in effect at `t`.
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self {
            Zone::Local => t.with_timezone(&chrono::Local).fixed_offset(),
            Zone::Fixed(offset) => t.with_timezone(offset),
        }
    }
}

impl From<FixedOffset> for Zone {
    fn from(offset: FixedOffset) -> Zone {
        Zone::Fixed(offset)
    }
}
