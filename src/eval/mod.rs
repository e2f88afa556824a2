//! Evaluating thresholds on a labelled probe set (issue 14).
//!
//! A set of probes whose truth is known ([`set`]) is searched once each at the floor
//! thresholds ([`run`]), the results are kept in a resumable journal ([`journal`]), and
//! the standard error rates are computed for every threshold from them ([`measures`],
//! after NIST IR 8271 for FNIR/FPIR and ISO/IEC 30107-3 for APCER/BPCER), each with an
//! exact Clopper–Pearson interval ([`stats`]). [`report`] writes them as text, JSON, CSV
//! and an SVG plot.

pub mod from_history;
pub mod journal;
pub mod measures;
pub mod plot;
pub mod report;
pub mod run;
pub mod set;
pub mod stats;
