//! Labelling runs with the truth of their probe ("labels from everyday use"): the runs a
//! user labels while working become a labelled set for `liveface eval --history`.

use super::run::{Run, Truth};
use super::store::HistoryStore;

/// What the user says of a run, before it is resolved against the run's matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelSpec {
    /// The run's top match is the right person.
    Top,
    /// The right person is this enrolled id (whether or not the run found them).
    Enrolled(String),
    /// The person is not enrolled.
    NotEnrolled,
    /// A presentation attack.
    Attack,
    /// Remove the label.
    Clear,
}

impl LabelSpec {
    /// `top`, `enrolled=ID`, `not-enrolled`, `attack` or `none`.
    ///
    /// # Errors
    /// Plain words listing the accepted forms.
    pub fn parse(text: &str) -> Result<LabelSpec, String> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        let spec = match lower.as_str() {
            "top" => LabelSpec::Top,
            "not-enrolled" | "not_enrolled" | "nonmated" => LabelSpec::NotEnrolled,
            "attack" => LabelSpec::Attack,
            "none" | "clear" => LabelSpec::Clear,
            _ => match t.split_once('=') {
                Some((k, id)) if k.eq_ignore_ascii_case("enrolled") && !id.trim().is_empty() => {
                    LabelSpec::Enrolled(id.trim().to_owned())
                }
                _ => {
                    return Err(format!(
                        "unknown label {t:?}: use top (the top match is the person), \
                         enrolled=ID (another enrolled person), not-enrolled, attack, or none"
                    ))
                }
            },
        };
        Ok(spec)
    }
}

/// What [`apply`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labelled {
    /// The run that holds the label: the one asked for, or the run it was re-filtered
    /// from (the search that was sent), when that run is still in the history.
    pub run_id: u64,
    /// The label now stored (`None`: cleared).
    pub truth: Option<Truth>,
    /// Something the user should check: an `enrolled=` id that is none of the run's
    /// matches (stored as given: it may be a person the search missed, or a typo).
    pub note: Option<String>,
}

/// Labels run `id` in `runs`. A re-filtered run is the same search as the run it came
/// from, so the label goes to that run (and to every run re-filtered from it).
/// `enrolled=X` takes X as one of the run's matches by id, else by its exact name (when
/// one match has it); otherwise X is stored as given, with a note to check it.
///
/// # Errors
/// No such run; `top` on a run without matches.
pub fn apply(runs: &mut [Run], id: u64, spec: &LabelSpec) -> Result<Labelled, String> {
    let asked = runs
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| format!("no run #{id} in the history"))?;
    let target = asked
        .refiltered_from
        .filter(|src| runs.iter().any(|r| r.id == *src))
        .unwrap_or(id);
    let mut note = None;
    let truth = match spec {
        LabelSpec::Top => {
            let top = asked
                .matches
                .iter()
                .max_by(|a, b| a.score.total_cmp(&b.score))
                .ok_or_else(|| {
                    format!(
                        "run #{id} has no match to be the right person: use enrolled=ID, \
                         not-enrolled or attack"
                    )
                })?;
            Some(Truth::Enrolled {
                expected: top.id.clone(),
            })
        }
        LabelSpec::Enrolled(given) => {
            let by_name: Vec<&str> = asked
                .matches
                .iter()
                .filter(|m| m.name.as_deref().is_some_and(|n| n.trim() == given))
                .map(|m| m.id.as_str())
                .collect();
            let expected = if asked.matches.iter().any(|m| m.id == *given) {
                given.clone()
            } else if let [only] = by_name.as_slice() {
                (*only).to_owned()
            } else {
                note = Some(format!(
                    "{given:?} is none of run #{id}'s matches: stored as given (it must be \
                     the person's id; a name or a typo counts as a missed search)"
                ));
                given.clone()
            };
            Some(Truth::Enrolled { expected })
        }
        LabelSpec::NotEnrolled => Some(Truth::NotEnrolled),
        LabelSpec::Attack => Some(Truth::Attack),
        LabelSpec::Clear => None,
    };
    for run in runs
        .iter_mut()
        .filter(|r| r.id == target || r.refiltered_from == Some(target))
    {
        run.truth = truth.clone();
    }
    Ok(Labelled {
        run_id: target,
        truth,
        note,
    })
}

impl HistoryStore {
    /// [`apply`] to the history file itself, under the writers' lock, so a run another
    /// process appends meanwhile is kept; the file is rewritten only when the label
    /// applies (blocking).
    ///
    /// # Errors
    /// As [`apply`] (the file is then unchanged), or the file could not be rewritten.
    pub fn label(&self, id: u64, spec: &LabelSpec) -> Result<Labelled, String> {
        self.edit(|mut loaded| match apply(&mut loaded.runs, id, spec) {
            Ok(done) => (Some(loaded.runs), Ok(done)),
            Err(e) => (None, Err(e)),
        })
        .map_err(|e| format!("cannot rewrite {}: {e}", self.path().display()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testdata::*;

    #[test]
    fn labels_parse_in_plain_words() {
        assert_eq!(LabelSpec::parse(" TOP ").unwrap(), LabelSpec::Top);
        assert_eq!(
            LabelSpec::parse("enrolled=p-7").unwrap(),
            LabelSpec::Enrolled("p-7".into())
        );
        assert_eq!(
            LabelSpec::parse("not-enrolled").unwrap(),
            LabelSpec::NotEnrolled
        );
        assert_eq!(LabelSpec::parse("none").unwrap(), LabelSpec::Clear);
        for bad in ["", "enrolled=", "mated", "enrolled"] {
            let e = LabelSpec::parse(bad).unwrap_err();
            assert!(e.contains("enrolled=ID"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn top_takes_the_best_match_and_needs_one() {
        let mut runs = vec![run(1, 0.7, &[("b", 0.8), ("a", 0.93)]), run(2, 0.7, &[])];
        let done = apply(&mut runs, 1, &LabelSpec::Top).unwrap();
        let want = Truth::Enrolled {
            expected: "a".into(),
        };
        assert_eq!(done.truth, Some(want.clone()));
        assert_eq!(runs[0].truth, Some(want));
        assert!(apply(&mut runs, 2, &LabelSpec::Top)
            .unwrap_err()
            .contains("no match"));
        assert!(apply(&mut runs, 9, &LabelSpec::Attack)
            .unwrap_err()
            .contains("no run #9"));
    }

    #[test]
    fn enrolled_takes_a_match_by_id_or_name_and_notes_anything_else() {
        let mut runs = vec![run(1, 0.7, &[("p1", 0.9), ("p2", 0.8)])];
        runs[0].matches[1].name = Some("Guido van Rossum".into());
        let by_name = LabelSpec::Enrolled("Guido van Rossum".into());
        let done = apply(&mut runs, 1, &by_name).unwrap();
        assert_eq!(
            done.truth,
            Some(Truth::Enrolled {
                expected: "p2".into()
            })
        );
        assert_eq!(done.note, None);
        let by_id = apply(&mut runs, 1, &LabelSpec::Enrolled("p1".into())).unwrap();
        assert_eq!(by_id.note, None);
        let missed = apply(&mut runs, 1, &LabelSpec::Enrolled("p7".into())).unwrap();
        assert_eq!(
            missed.truth,
            Some(Truth::Enrolled {
                expected: "p7".into()
            })
        );
        assert!(missed.note.unwrap().contains("none of run #1's matches"));
    }

    #[test]
    fn a_refiltered_run_labels_the_search_it_came_from() {
        let mut source = run(1, 0.6, &[("a", 0.9)]);
        source.truth = None;
        let mut view = run(2, 0.8, &[("a", 0.9)]);
        view.refiltered_from = Some(1);
        let other = run(3, 0.6, &[("z", 0.7)]);
        let mut runs = vec![source, view, other];
        let done = apply(&mut runs, 2, &LabelSpec::Attack).unwrap();
        assert_eq!(done.run_id, 1);
        assert_eq!(runs[0].truth, Some(Truth::Attack));
        assert_eq!(runs[1].truth, Some(Truth::Attack));
        assert_eq!(runs[2].truth, None, "another probe keeps its own");
        apply(&mut runs, 1, &LabelSpec::Clear).unwrap();
        assert!(runs.iter().all(|r| r.truth.is_none()));
        // The source pruned away: the re-filtered run holds the label itself.
        let mut alone = vec![runs.remove(1)];
        assert_eq!(
            apply(&mut alone, 2, &LabelSpec::NotEnrolled)
                .unwrap()
                .run_id,
            2
        );
    }
}
