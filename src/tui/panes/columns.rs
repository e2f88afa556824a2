//! Table columns as ratatui lays them out, so a cell can be clipped with an ellipsis (by
//! display width) before the table would cut it off silently mid-name.

use ratatui::layout::{Constraint, Flex, Layout, Rect};

/// The width in cells of each column of a `Table` with these constraints, this column
/// spacing and no selection column, drawn `width` cells wide (ratatui's own layout:
/// `Flex::Start`, the table's default).
pub fn column_widths(constraints: &[Constraint], spacing: u16, width: u16) -> Vec<usize> {
    Layout::horizontal(constraints.iter().copied())
        .flex(Flex::Start)
        .spacing(spacing)
        .split(Rect::new(0, 0, width, 1))
        .iter()
        .map(|r| r.width as usize)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::{Row, Table};
    use ratatui::Terminal;

    #[test]
    fn matches_what_the_table_draws() {
        let constraints = [
            Constraint::Length(4),
            Constraint::Fill(2),
            Constraint::Length(5),
            Constraint::Fill(1),
        ];
        for width in [30u16, 57, 80] {
            let widths = column_widths(&constraints, 1, width);
            // Fill each column with its own digit, exactly as wide as we think it is.
            let cells: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(i, w)| i.to_string().repeat(*w))
                .collect();
            let mut t = Terminal::new(TestBackend::new(width, 1)).unwrap();
            t.draw(|f| {
                f.render_widget(
                    Table::new([Row::new(cells.clone())], constraints).column_spacing(1),
                    f.area(),
                )
            })
            .unwrap();
            let drawn: String = (0..width)
                .map(|x| t.backend().buffer()[(x, 0)].symbol().to_string())
                .collect();
            assert_eq!(drawn.trim_end(), cells.join(" ").trim_end(), "at {width}");
        }
    }
}
