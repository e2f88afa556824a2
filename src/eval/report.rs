//! An evaluation's outputs: the short text report, the stable JSON object, the per-probe
//! CSV. The JSON schema is documented in the README ("Evaluating thresholds").

use std::path::PathBuf;

use serde_json::{json, Value};

use super::measures::{
    curves, liveness_point, match_point, operating_points, Curves, LivenessPoint, MatchPoint,
    OperatingPoint, ProbeResult,
};
use super::set::Kind;
use super::stats::Rate;
use crate::api::model::SearchParams;

/// The version of the `--json` schema; raised only when a key changes meaning or goes.
pub const SCHEMA_VERSION: u32 = 1;

/// One probe of the set and what became of it.
#[derive(Clone, Debug)]
pub struct EvalProbe {
    pub path: PathBuf,
    pub kind: Kind,
    /// The person's id or name as the set wrote it (mated).
    pub label: Option<String>,
    /// The result (with `error` set when the search failed); `None` when the probe was
    /// not searched (see `note`).
    pub result: Option<ProbeResult>,
    /// Why there is no result: unreadable (never sent) or not run (interrupted).
    pub note: Option<String>,
    /// The result came from the journal of an earlier run.
    pub resumed: bool,
}

/// A finished (or interrupted) evaluation.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The set folder or manifest.
    pub set: PathBuf,
    /// `SANDBOX · face models` or the API host.
    pub backend: String,
    /// What every probe was searched with (the floor thresholds).
    pub params: SearchParams,
    /// The configured thresholds, whose rates the report shows: `(min_score,
    /// liveness_min_score)`, each in 0–1.
    pub current: (f64, f64),
    /// False when the run was stopped before every probe was searched.
    pub complete: bool,
    /// Searches sent by this run (resumed results excluded).
    pub requests_sent: u64,
    /// How long this run's searches took, in milliseconds (wall clock).
    pub elapsed_ms: u64,
    pub probes: Vec<EvalProbe>,
}

/// How many probes of each kind have a result, and what was left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Mated searches with a result (a failure, too, is counted in `failed`).
    pub mated: u64,
    pub nonmated: u64,
    pub attack: u64,
    /// Unreadable images: never sent.
    pub skipped: u64,
    /// Searches that failed (network, server error): in no measure.
    pub failed: u64,
    /// Probes not searched because the run was stopped.
    pub not_run: u64,
    /// Results taken from the journal of an earlier run.
    pub resumed: u64,
}

impl Evaluation {
    /// The results the measures use (failed searches included: they carry `error`).
    pub fn results(&self) -> Vec<ProbeResult> {
        self.probes
            .iter()
            .filter_map(|p| p.result.clone())
            .collect()
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for p in &self.probes {
            c.resumed += u64::from(p.resumed);
            match &p.result {
                None if p.note.as_deref().is_some_and(|n| n.starts_with("not run")) => {
                    c.not_run += 1
                }
                None => c.skipped += 1,
                Some(r) if r.error.is_some() => c.failed += 1,
                Some(r) => match r.kind {
                    Kind::Mated => c.mated += 1,
                    Kind::Nonmated => c.nonmated += 1,
                    Kind::Attack => c.attack += 1,
                },
            }
        }
        c
    }

    /// Every measure, the operating points, and the rates at the configured thresholds.
    /// Only thresholds at or above the floors the probes were searched with are
    /// measured (below them the server sent nothing to count).
    pub fn measures(&self) -> Measures {
        let results = self.results();
        let mut curves = curves(&results);
        // The grid's steps are rounded hundredths; the floors may carry float noise.
        let at_or_above = |t: f64, floor: f64| t >= floor - 1e-9;
        curves
            .points
            .retain(|p| at_or_above(p.min_score, self.params.min_score));
        curves
            .liveness_points
            .retain(|p| at_or_above(p.liveness_min_score, self.params.liveness_min_score));
        Measures {
            operating: operating_points(&curves),
            current: match_point(&results, self.current.0),
            current_liveness: liveness_point(&results, self.current.1),
            curves,
        }
    }
}

/// The computed measures of an [`Evaluation`].
#[derive(Clone, Debug)]
pub struct Measures {
    pub curves: Curves,
    pub operating: Vec<OperatingPoint>,
    pub current: MatchPoint,
    pub current_liveness: LivenessPoint,
}

fn rate_json(prefix: &str, r: &Rate, out: &mut serde_json::Map<String, Value>) {
    out.insert(prefix.into(), json!(r.value()));
    out.insert(format!("{prefix}_ci"), json!(r.ci()));
    out.insert(format!("{prefix}_errors"), json!(r.errors));
}

fn point_json(p: &MatchPoint) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("min_score".into(), json!(p.min_score));
    rate_json("fnir", &p.fnir, &mut o);
    rate_json("fnir_any", &p.fnir_any, &mut o);
    rate_json("fpir", &p.fpir, &mut o);
    rate_json("wrong_top", &p.wrong_top, &mut o);
    o.insert("mated".into(), json!(p.fnir.trials));
    o.insert("nonmated".into(), json!(p.fpir.trials));
    Value::Object(o)
}

fn liveness_point_json(p: &LivenessPoint) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("liveness_min_score".into(), json!(p.liveness_min_score));
    rate_json("apcer", &p.apcer, &mut o);
    rate_json("bpcer", &p.bpcer, &mut o);
    o.insert("attacks".into(), json!(p.apcer.trials));
    o.insert("bona_fide".into(), json!(p.bpcer.trials));
    Value::Object(o)
}

fn operating_json(op: &OperatingPoint) -> Value {
    let (threshold_key, cost_key) = if op.measure == "fpir" {
        ("min_score", "fnir")
    } else {
        ("liveness_min_score", "bpcer")
    };
    let mut o = serde_json::Map::new();
    o.insert("measure".into(), json!(op.measure));
    o.insert("target".into(), json!(op.target));
    o.insert(threshold_key.into(), json!(op.threshold));
    if let Some(r) = &op.rate {
        rate_json(op.measure, r, &mut o);
    } else {
        o.insert(op.measure.into(), Value::Null);
    }
    if let Some(r) = &op.cost {
        rate_json(cost_key, r, &mut o);
        o.insert(format!("{cost_key}_trials"), json!(r.trials));
    } else {
        o.insert(cost_key.into(), Value::Null);
    }
    o.insert("trials".into(), json!(op.trials));
    o.insert("supported".into(), json!(op.supported));
    o.insert(format!("{threshold_key}_at_95"), json!(op.threshold_at_95));
    o.insert("trials_needed".into(), json!(op.trials_needed));
    Value::Object(o)
}

fn probe_json(p: &EvalProbe) -> Value {
    let r = p.result.as_ref();
    json!({
        "path": p.path.display().to_string(),
        "kind": p.kind,
        "expected": r.and_then(|r| r.expected.clone()).or_else(|| p.label.clone()),
        "label": p.label,
        "liveness_score": r.and_then(|r| r.liveness_score),
        "liveness_passed_floor": r.and_then(|r| r.liveness_passed_floor),
        "candidates": r.map(|r| r.candidates.iter().map(|c| json!({"id": c.id, "name": c.name, "score": c.score})).collect::<Vec<_>>()).unwrap_or_default(),
        "error": r.and_then(|r| r.error.clone()).or_else(|| p.note.clone()),
        "resumed": p.resumed,
    })
}

/// The `--json` object (see the README for the schema).
pub fn to_json(e: &Evaluation, m: &Measures) -> Value {
    json!({
        "schema": SCHEMA_VERSION,
        "set": e.set.display().to_string(),
        "backend": e.backend,
        "search": {
            "os": e.params.os,
            "search_mode": e.params.search_mode,
            "collection_id": e.params.collection_id,
            "liveness_min_score": e.params.liveness_min_score,
            "min_score": e.params.min_score,
        },
        "complete": e.complete,
        "counts": e.counts(),
        "requests_sent": e.requests_sent,
        "elapsed_ms": e.elapsed_ms,
        "current": {
            "min_score": point_json(&m.current),
            "liveness_min_score": liveness_point_json(&m.current_liveness),
        },
        "points": m.curves.points.iter().map(point_json).collect::<Vec<_>>(),
        "liveness_points": m.curves.liveness_points.iter().map(liveness_point_json).collect::<Vec<_>>(),
        "operating_points": m.operating.iter().map(operating_json).collect::<Vec<_>>(),
        "probes": e.probes.iter().map(probe_json).collect::<Vec<_>>(),
    })
}

/// The short text report: counts, rates at the configured thresholds, operating points.
pub fn to_text(e: &Evaluation, m: &Measures) -> String {
    let c = e.counts();
    let mut s = String::new();
    let mut line = |l: String| {
        s.push_str(&l);
        s.push('\n');
    };
    line(format!(
        "evaluated {} · {} · {} · {}{}",
        e.set.display(),
        e.backend,
        e.params.search_mode,
        e.params.os,
        e.params
            .collection_id
            .as_deref()
            .map(|c| format!(" · collection {c}"))
            .unwrap_or_default()
    ));
    line(format!(
        "probes: {} mated · {} non-mated · {} attacks · {} skipped (unreadable) · {} failed{}",
        c.mated,
        c.nonmated,
        c.attack,
        c.skipped,
        c.failed,
        if c.not_run > 0 {
            format!(" · {} not run (stopped)", c.not_run)
        } else {
            String::new()
        }
    ));
    let rate = if e.requests_sent > 0 && e.elapsed_ms > 0 {
        format!(
            " in {:.1} s ({:.2} probes/s)",
            e.elapsed_ms as f64 / 1000.0,
            e.requests_sent as f64 * 1000.0 / e.elapsed_ms as f64
        )
    } else {
        String::new()
    };
    line(format!(
        "requests: {} sent{rate} · {} resumed from the journal",
        e.requests_sent, c.resumed
    ));
    if !e.complete {
        line("stopped before the end: the figures cover the probes searched so far".into());
    }
    line(String::new());
    line(format!(
        "at your thresholds (min_score {:.2}, liveness_min_score {:.2}):",
        e.current.0, e.current.1
    ));
    if e.current.0 < e.params.min_score - 1e-9 || e.current.1 < e.params.liveness_min_score - 1e-9 {
        line(format!(
            "  (below what these searches observed, min_score {:.2} and liveness_min_score {:.2} up: \
             the rates there are bounds, not measures)",
            e.params.min_score, e.params.liveness_min_score
        ));
    }
    let rows = [
        (
            "fnir",
            &m.current.fnir,
            "mated searches whose mate is not rank 1",
        ),
        (
            "fnir_any",
            &m.current.fnir_any,
            "… not anywhere in the list",
        ),
        (
            "fpir",
            &m.current.fpir,
            "non-mated searches that match someone",
        ),
        (
            "wrong_top",
            &m.current.wrong_top,
            "mated searches topped by someone else",
        ),
        (
            "apcer",
            &m.current_liveness.apcer,
            "attacks that pass liveness",
        ),
        (
            "bpcer",
            &m.current_liveness.bpcer,
            "bona fide probes that fail liveness",
        ),
    ];
    for (name, rate, what) in rows {
        line(format!("  {name:<9} {:<40} {what}", rate.describe()));
    }
    line(String::new());
    line("operating points (lowest threshold meeting the target):".into());
    for op in &m.operating {
        line(format!("  {}", operating_text(op)));
    }
    s
}

fn operating_text(op: &OperatingPoint) -> String {
    let (threshold_name, cost_name, trials_name) = if op.measure == "fpir" {
        ("min_score", "fnir", "non-mated searches")
    } else {
        ("liveness_min_score", "bpcer", "attacks")
    };
    let head = format!("{} ≤ {}:", op.measure, percent_target(op.target));
    let Some(t) = op.threshold else {
        return if op.trials == 0 {
            format!("{head} no {trials_name} in this set")
        } else {
            format!("{head} not reached at any {threshold_name} up to 1.00")
        };
    };
    let cost = op.cost.map(|r| r.describe()).unwrap_or_default();
    let mut text = format!("{head} {threshold_name} {t:.2} · {cost_name} {cost}");
    if !op.supported {
        text.push_str(&format!(
            " — not supported by this set ({} of {} {trials_name} needed to show {} at 95 %, with no error)",
            op.trials,
            op.trials_needed,
            percent_target(op.target),
        ));
    }
    if let Some(t95) = op.threshold_at_95.filter(|t95| !op.supported || *t95 != t) {
        text.push_str(&format!(" · at 95 % confidence: {threshold_name} {t95:.2}"));
    }
    text
}

/// `1 %`, `0.3 %`, `0.1 %`.
fn percent_target(t: f64) -> String {
    let p = t * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{} %", p.round())
    } else {
        format!("{p:.1} %")
    }
}

/// The per-probe CSV: one row per probe of the set.
///
/// # Errors
/// The CSV writer failed.
pub fn to_csv(e: &Evaluation) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "path",
        "kind",
        "expected",
        "liveness_score",
        "liveness_passed_floor",
        "top_id",
        "top_name",
        "top_score",
        "mate_score",
        "candidates",
        "error",
    ];
    w.write_record(header).map_err(|e| e.to_string())?;
    let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for p in &e.probes {
        let r = p.result.as_ref();
        let top = r.and_then(|r| r.top());
        let row = [
            p.path.display().to_string(),
            p.kind.to_string(),
            r.and_then(|r| r.expected.clone())
                .or_else(|| p.label.clone())
                .unwrap_or_default(),
            opt(r.and_then(|r| r.liveness_score)),
            r.and_then(|r| r.liveness_passed_floor)
                .map(|b| b.to_string())
                .unwrap_or_default(),
            top.map(|t| t.id.clone()).unwrap_or_default(),
            top.and_then(|t| t.name.clone()).unwrap_or_default(),
            opt(top.map(|t| t.score)),
            opt(r.and_then(|r| r.mate_score())),
            r.map(|r| r.candidates.len().to_string())
                .unwrap_or_default(),
            r.and_then(|r| r.error.clone())
                .or_else(|| p.note.clone())
                .unwrap_or_default(),
        ];
        w.write_record(row).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests;
