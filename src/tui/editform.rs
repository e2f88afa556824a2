//! A small labelled form (text inputs, choices, check lists and a Save row), shared by
//! the person editor and the collection editor. Pure state: keys come in as commands,
//! the caller decides what Save means.

use crossterm::event::{Event, KeyEvent};
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

/// What a field holds.
#[derive(Clone, Debug)]
pub enum Value {
    Text {
        input: Input,
        placeholder: &'static str,
    },
    /// One of `options`, cycled with ←/→/Space.
    Choice { options: Vec<String>, index: usize },
    /// A check list; each item is a row of its own.
    Checks(Vec<Check>),
    /// Read-only lines (e.g. the images a save will upload).
    Info(Vec<String>),
    /// The Save row.
    Button(&'static str),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub key: String,
    pub label: String,
    pub on: bool,
}

#[derive(Clone, Debug)]
pub struct FormField {
    pub label: &'static str,
    pub value: Value,
    /// Shown next to the value, in the error colour, when the value is not acceptable.
    pub error: Option<String>,
}

impl FormField {
    pub fn text(label: &'static str, value: &str, placeholder: &'static str) -> FormField {
        FormField {
            label,
            value: Value::Text {
                input: Input::new(value.to_string()),
                placeholder,
            },
            error: None,
        }
    }

    pub fn choice(label: &'static str, options: &[&str], index: usize) -> FormField {
        FormField {
            label,
            value: Value::Choice {
                options: options.iter().map(|s| s.to_string()).collect(),
                index: index.min(options.len().saturating_sub(1)),
            },
            error: None,
        }
    }

    pub fn checks(label: &'static str, items: Vec<Check>) -> FormField {
        FormField {
            label,
            value: Value::Checks(items),
            error: None,
        }
    }

    pub fn info(label: &'static str, lines: Vec<String>) -> FormField {
        FormField {
            label,
            value: Value::Info(lines),
            error: None,
        }
    }

    pub fn button(text: &'static str) -> FormField {
        FormField {
            label: "",
            value: Value::Button(text),
            error: None,
        }
    }

    /// Rows this field takes: one, or one per check item / info line.
    fn rows(&self) -> usize {
        match &self.value {
            Value::Checks(items) => items.len().max(1),
            Value::Info(lines) => lines.len().max(1),
            _ => 1,
        }
    }

    fn selectable(&self) -> bool {
        match &self.value {
            Value::Info(_) => false,
            Value::Checks(items) => !items.is_empty(),
            _ => true,
        }
    }
}

/// Where the cursor is: a field, and the item inside a check list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub field: usize,
    pub item: usize,
}

/// What a key did to the form, for the owner to act on (not an `Effect` to run: the
/// owner decides, e.g. Submit becomes a save).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyEffect {
    Nothing,
    Changed,
    /// Enter on the Save row.
    Submit,
}

#[derive(Clone, Debug, Default)]
pub struct EditForm {
    pub fields: Vec<FormField>,
    pub cursor: Cursor,
    /// True while the selected text field has the keys.
    pub editing: bool,
}

impl EditForm {
    pub fn new(fields: Vec<FormField>) -> EditForm {
        let mut f = EditForm {
            fields,
            cursor: Cursor::default(),
            editing: false,
        };
        if !f.fields.first().is_some_and(FormField::selectable) {
            f.move_by(1);
        }
        f
    }

    /// The field with this label (labels are unique within a form).
    pub fn field(&self, label: &str) -> Option<&FormField> {
        self.fields.iter().find(|f| f.label == label)
    }

    pub fn field_mut(&mut self, label: &str) -> Option<&mut FormField> {
        self.fields.iter_mut().find(|f| f.label == label)
    }

    /// A text field's value, trimmed.
    pub fn text(&self, label: &str) -> String {
        match self.field(label).map(|f| &f.value) {
            Some(Value::Text { input, .. }) => input.value().trim().to_string(),
            _ => String::new(),
        }
    }

    /// A choice field's selected index.
    pub fn choice(&self, label: &str) -> usize {
        match self.field(label).map(|f| &f.value) {
            Some(Value::Choice { index, .. }) => *index,
            _ => 0,
        }
    }

    /// The keys of the checked items of a check list, in list order.
    pub fn checked(&self, label: &str) -> Vec<String> {
        match self.field(label).map(|f| &f.value) {
            Some(Value::Checks(items)) => items
                .iter()
                .filter(|c| c.on)
                .map(|c| c.key.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn set_error(&mut self, label: &str, error: Option<String>) {
        if let Some(f) = self.field_mut(label) {
            f.error = error;
        }
    }

    pub fn has_errors(&self) -> bool {
        self.fields.iter().any(|f| f.error.is_some())
    }

    pub fn current(&self) -> Option<&FormField> {
        self.fields.get(self.cursor.field)
    }

    /// Rows the whole form takes.
    pub fn total_rows(&self) -> usize {
        self.fields.iter().map(FormField::rows).sum()
    }

    /// The row of the cursor, counting every row of every field before it.
    pub fn cursor_row(&self) -> usize {
        self.fields[..self.cursor.field.min(self.fields.len())]
            .iter()
            .map(FormField::rows)
            .sum::<usize>()
            + self.cursor.item
    }

    /// Moves the cursor by `delta` selectable rows, stopping at the ends.
    pub fn move_by(&mut self, delta: isize) {
        self.editing = false;
        let stops: Vec<Cursor> = self
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.selectable())
            .flat_map(|(i, f)| {
                let n = if matches!(f.value, Value::Checks(_)) {
                    f.rows()
                } else {
                    1
                };
                (0..n).map(move |item| Cursor { field: i, item })
            })
            .collect();
        if stops.is_empty() {
            return;
        }
        let here = stops.iter().position(|c| *c == self.cursor);
        let target = match here {
            Some(i) => (i as isize + delta).clamp(0, stops.len() as isize - 1) as usize,
            // The cursor sits on a row that cannot be selected: go to the first one after.
            None => stops
                .iter()
                .position(|c| c.field > self.cursor.field)
                .unwrap_or(0),
        };
        self.cursor = stops[target];
    }

    /// Enter: edit a text field, cycle a choice, toggle a check, or submit.
    pub fn enter(&mut self) -> KeyEffect {
        match self.fields.get(self.cursor.field).map(|f| &f.value) {
            Some(Value::Text { .. }) => {
                self.editing = true;
                KeyEffect::Nothing
            }
            Some(Value::Button(_)) => KeyEffect::Submit,
            _ => self.toggle(true),
        }
    }

    /// Space / → / ←: cycle a choice or toggle a check (text fields start editing).
    pub fn toggle(&mut self, forward: bool) -> KeyEffect {
        let item = self.cursor.item;
        let Some(field) = self.fields.get_mut(self.cursor.field) else {
            return KeyEffect::Nothing;
        };
        match &mut field.value {
            Value::Choice { options, index } if !options.is_empty() => {
                let n = options.len();
                *index = if forward {
                    (*index + 1) % n
                } else {
                    (*index + n - 1) % n
                };
                field.error = None;
                KeyEffect::Changed
            }
            Value::Checks(items) => match items.get_mut(item) {
                Some(c) => {
                    c.on = !c.on;
                    field.error = None;
                    KeyEffect::Changed
                }
                None => KeyEffect::Nothing,
            },
            Value::Text { .. } => {
                self.editing = true;
                KeyEffect::Nothing
            }
            _ => KeyEffect::Nothing,
        }
    }

    /// A key typed into the text field being edited.
    pub fn type_key(&mut self, key: KeyEvent) -> KeyEffect {
        if !self.editing {
            return KeyEffect::Nothing;
        }
        let Some(field) = self.fields.get_mut(self.cursor.field) else {
            return KeyEffect::Nothing;
        };
        if let Value::Text { input, .. } = &mut field.value {
            if input
                .handle_event(&Event::Key(key))
                .is_some_and(|c| c.value)
            {
                field.error = None;
                return KeyEffect::Changed;
            }
        }
        KeyEffect::Nothing
    }

    /// A paste into the selected text field (which starts editing it); `None` when the
    /// selected row is not a text field, so there is nowhere to put it.
    pub fn paste(&mut self, text: &str) -> Option<KeyEffect> {
        let field = self.fields.get_mut(self.cursor.field)?;
        let Value::Text { input, .. } = &mut field.value else {
            return None;
        };
        self.editing = true;
        if crate::tui::paste::insert(input, &crate::tui::paste::single_line(text)) {
            field.error = None;
            Some(KeyEffect::Changed)
        } else {
            Some(KeyEffect::Nothing)
        }
    }

    pub fn stop_editing(&mut self) {
        self.editing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn form() -> EditForm {
        EditForm::new(vec![
            FormField::info("Faces", vec!["a.jpg".into(), "b.jpg".into()]),
            FormField::text("Name", "Ana", "required"),
            FormField::choice("Gender", &["—", "M", "F"], 0),
            FormField::checks(
                "Collections",
                vec![
                    Check {
                        key: "c1".into(),
                        label: "Staff".into(),
                        on: false,
                    },
                    Check {
                        key: "c2".into(),
                        label: "Visitors".into(),
                        on: true,
                    },
                ],
            ),
            FormField::button("Save"),
        ])
    }

    #[test]
    fn the_cursor_skips_read_only_rows_and_walks_check_items() {
        let mut f = form();
        assert_eq!(f.cursor, Cursor { field: 1, item: 0 }, "starts on Name");
        f.move_by(-1);
        assert_eq!(f.cursor.field, 1, "cannot move onto the info rows");
        f.move_by(2);
        assert_eq!(f.cursor, Cursor { field: 3, item: 0 });
        assert_eq!(f.cursor_row(), 4, "two info rows, name, gender");
        f.move_by(1);
        assert_eq!(f.cursor, Cursor { field: 3, item: 1 });
        f.move_by(10);
        assert_eq!(f.cursor.field, 4, "stops on Save");
    }

    #[test]
    fn keys_edit_cycle_toggle_and_submit() {
        let mut f = form();
        assert_eq!(f.enter(), KeyEffect::Nothing);
        assert!(f.editing);
        f.type_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE));
        f.stop_editing();
        assert_eq!(f.text("Name"), "Anas");
        f.move_by(1);
        f.toggle(false);
        assert_eq!(f.choice("Gender"), 2, "← wraps to the last option");
        f.move_by(1);
        f.enter();
        assert_eq!(f.checked("Collections"), vec!["c1", "c2"]);
        f.move_by(1);
        f.toggle(true);
        assert_eq!(f.checked("Collections"), vec!["c1"]);
        f.move_by(1);
        assert_eq!(f.enter(), KeyEffect::Submit);
    }

    #[test]
    fn a_paste_is_text_for_the_selected_field_never_keys() {
        let mut f = form();
        f.enter();
        let outcome = f.paste("\nEscort required.\nkeep badge at desk.\n");
        assert_eq!(outcome, Some(KeyEffect::Changed));
        assert_eq!(f.text("Name"), "Ana Escort required. keep badge at desk.");
        assert_eq!(f.cursor.field, 1, "the k of keep moved nothing");
        assert_eq!(f.choice("Gender"), 0, "the spaces toggled nothing");
        f.stop_editing();
        f.move_by(1);
        assert_eq!(f.paste("M"), None, "a choice row takes no text");
        assert_eq!(f.choice("Gender"), 0);
    }

    #[test]
    fn typing_clears_the_field_error_and_is_ignored_when_not_editing() {
        let mut f = form();
        f.set_error("Name", Some("required".into()));
        let k = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(f.type_key(k), KeyEffect::Nothing);
        assert!(f.has_errors());
        f.enter();
        assert_eq!(f.type_key(k), KeyEffect::Changed);
        assert!(!f.has_errors());
    }
}
