//! Plain-text tables and JSON records for the headless commands.

use serde_json::{json, Value};

use crate::api::model::{Collection, Match, Person};
use crate::printable::printable;
use crate::textwidth::{clip, fit, width};

/// A person as JSON, without thumbnails (scripts want fields, not images).
pub fn person_json(p: &Person) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "gender": p.gender,
        "date_of_birth": p.date_of_birth.map(|d| d.to_string()),
        "nationality": p.nationality,
        "notes": p.notes,
        "status": p.status,
        "collections": p.collections.iter().map(|c| c.label().to_owned()).collect::<Vec<_>>(),
        "thumbnails": p.thumbnails.iter().filter(|t| t.image.is_ok()).count(),
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    })
}

pub fn collection_json(c: &Collection) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "description": c.description,
        "code": c.code,
        "created_at": c.created_at,
    })
}

/// Widest a cell may be, in terminal cells.
pub const MAX_CELL: usize = 40;

/// Left-aligned columns separated by two spaces; cells are cut at [`MAX_CELL`] cells.
/// Widths are display widths, so `王小明` (6 cells) or an NFD `Zoë` (3 cells) keeps the
/// columns after it aligned.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        // Cells hold server text: no escape sequence may reach the terminal.
        .map(|r| r.iter().map(|c| clip(&printable(c), MAX_CELL)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = cells
            .iter()
            .enumerate()
            .map(|(i, c)| fit(c, widths[i]))
            .collect::<Vec<_>>()
            .join("  ");
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(header.to_vec());
    for r in &rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

fn or_dash(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("-").to_owned()
}

pub fn matches_table(matches: &[Match]) -> String {
    let rows: Vec<Vec<String>> = matches
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let p = m.person.as_ref();
            vec![
                (i + 1).to_string(),
                format!("{:.4}", m.score),
                or_dash(m.name()),
                or_dash(p.and_then(|p| p.gender.as_deref())),
                p.and_then(|p| p.date_of_birth)
                    .map(|d| d.to_string())
                    .unwrap_or("-".into()),
                or_dash(p.and_then(|p| p.nationality.as_deref())),
                m.id.clone(),
            ]
        })
        .collect();
    table(
        &["#", "SCORE", "NAME", "GENDER", "BORN", "NATIONALITY", "ID"],
        &rows,
    )
}

pub fn collections_table(cols: &[Collection]) -> String {
    let rows: Vec<Vec<String>> = cols
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                c.name.clone(),
                or_dash(c.code.as_deref()),
                or_dash(c.description.as_deref()),
            ]
        })
        .collect();
    table(&["ID", "NAME", "CODE", "DESCRIPTION"], &rows)
}

pub fn persons_table(persons: &[Person]) -> String {
    let rows: Vec<Vec<String>> = persons
        .iter()
        .map(|p| {
            vec![
                p.id.clone(),
                or_dash(p.name.as_deref()),
                or_dash(p.gender.as_deref()),
                p.date_of_birth.map(|d| d.to_string()).unwrap_or("-".into()),
                or_dash(p.nationality.as_deref()),
                p.collections
                    .iter()
                    .map(|c| c.label().to_owned())
                    .collect::<Vec<_>>()
                    .join(","),
            ]
        })
        .collect();
    table(
        &["ID", "NAME", "GENDER", "BORN", "NATIONALITY", "COLLECTIONS"],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_cut_long_cells() {
        let t = table(
            &["A", "LONG"],
            &[
                vec!["x".into(), "y".repeat(50)],
                vec!["abc".into(), "z".into()],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "A    LONG");
        assert!(lines[1].starts_with("x    yyyy"));
        assert!(lines[1].ends_with('…'));
        assert_eq!(lines[2], "abc  z");
    }

    #[test]
    fn wide_and_combining_names_keep_later_columns_in_place() {
        let rows = vec![
            vec!["p1".into(), "Ana".into(), "Colombia".into(), "Staff".into()],
            vec!["p2".into(), "王小明".into(), "中国".into(), "Staff".into()],
            vec![
                "p3".into(),
                "Zoe\u{308}".into(),
                "France".into(),
                "Staff".into(),
            ],
        ];
        let t = table(&["ID", "NAME", "NATIONALITY", "COLLECTIONS"], &rows);
        // Every "Staff" starts in the same terminal column.
        let columns: Vec<usize> = t
            .lines()
            .skip(1)
            .map(|l| width(&l[..l.find("Staff").unwrap()]))
            .collect();
        assert_eq!(columns, vec![columns[0]; 3], "{t}");
        let long = "王".repeat(30);
        let cut = table(&["N", "X"], &[vec![long, "x".into()]]);
        let row = cut.lines().nth(1).unwrap();
        assert!(row.contains('…'), "{row}");
        assert_eq!(width(row), MAX_CELL - 1 + 2 + 1, "{row}");
    }
}
