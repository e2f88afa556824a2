//! Times are shown with the offset their own moment had in the local zone: a winter run
//! and a summer run in Europe/Berlin show UTC+1 and UTC+2, whatever today's offset is.
//! `TZ` is process-wide, so the test re-runs itself in a child process with `TZ` set
//! (setting it here would race with every other test of the binary reading the zone).

use crate::common::this_test_alone;
use crate::tui_support;

use chrono::DateTime;
use liveface::tui::clock::Zone;
use tui_support::*;

const CHILD: &str = "LIVEFACE_TZ_TEST_CHILD";

#[test]
fn each_time_uses_the_offset_of_its_own_moment() {
    if std::env::var_os(CHILD).is_none() {
        let out = this_test_alone(
            module_path!(),
            "each_time_uses_the_offset_of_its_own_moment",
        )
        .env(CHILD, "1")
        .env("TZ", "Europe/Berlin")
        .output()
        .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The child ran the test (an --exact name that matches nothing also succeeds).
        assert!(stdout.contains("1 passed"), "{stdout}");
        return;
    }
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
