//! A bracketed paste: text for the focused text field, never keys. Forms count their
//! selected text row as focused (the paste starts editing it); filters only while open.

use tui_input::Input;

use crate::tui::action::Pane;
use crate::tui::paste::{insert, single_line};

use super::{App, Popup};

impl App {
    pub(super) fn on_paste(&mut self, text: String) {
        let line = single_line(&text);
        let into = |input: &mut Input| insert(input, &line);
        let pasted = match &self.popup {
            Some(Popup::Editor) => match self.editor.as_mut() {
                Some(e) if !e.saving => match e.form.paste(&text) {
                    Some(_) => {
                        e.error = None;
                        true
                    }
                    None => false,
                },
                _ => false,
            },
            Some(Popup::Persons) if self.person_list.filtering => {
                if into(&mut self.person_list.filter) {
                    self.person_list.selected = 0;
                }
                true
            }
            Some(Popup::Label) => match self.label.as_mut().filter(|l| l.typing) {
                Some(l) => {
                    into(&mut l.input);
                    true
                }
                None => false,
            },
            Some(_) => false,
            None => match self.focus {
                Pane::Browser if self.browser.filtering => {
                    if into(&mut self.browser.filter) {
                        self.browser.selected = 0;
                        self.browser.refresh_visible();
                    }
                    true
                }
                Pane::Collections if self.collections.filtering => {
                    if into(&mut self.collections.filter) {
                        self.collections.selected = 0;
                    }
                    true
                }
                Pane::Form => match self.form.input_mut() {
                    Some(input) => {
                        into(input);
                        self.form.editing = true;
                        true
                    }
                    None => false,
                },
                _ => false,
            },
        };
        if !pasted {
            self.notice = Some(
                "paste ignored: no text field is focused (Enter on a field, / to filter)".into(),
            );
        }
    }
}
