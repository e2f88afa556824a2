//! Times are shown with the offset their own moment had in the local zone: a winter run
//! and a summer run in Europe/Berlin show UTC+1 and UTC+2, whatever today's offset is.
//! One test only: it sets TZ for the whole process.

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_support;

use chrono::DateTime;
use liveface::tui::clock::Zone;
use tui_support::*;

#[test]
fn each_time_uses_the_offset_of_its_own_moment() {
    std::env::set_var("TZ", "Europe/Berlin");
    let winter = DateTime::parse_from_rfc3339("2026-01-15T12:00:00Z").unwrap();
    let summer = DateTime::parse_from_rfc3339("2026-07-15T12:00:00Z").unwrap();
    assert_eq!(
        Zone::Local.local(winter.to_utc()).to_rfc3339(),
        "2026-01-15T13:00:00+01:00"
    );
    assert_eq!(
        Zone::Local.local(summer.to_utc()).to_rfc3339(),
        "2026-07-15T14:00:00+02:00"
    );

    let mut first = run(1, 0.75, &[]);
    first.time = winter.to_utc();
    let mut second = run(2, 0.75, &[]);
    second.time = summer.to_utc();
    let mut init = init(vec![first, second]);
    init.tz = Zone::Local;
    let (app, _) = liveface::tui::app::App::new(init, None);
    let screen = render(&app, 160, 40);
    assert!(screen.contains("01-15 13:00"), "{screen}");
    assert!(screen.contains("07-15 14:00"), "{screen}");
}
