//! What the tuner tunes for: a YCSB core workload, a db_bench workload or a scenario's
//! phases, split into a load (run once per config into a template DB) and the measured run
//! (on clones of it), with the objective and constraints it is judged by, scaled to the
//! fidelity of each evaluation.

use super::memory::Shape;
use crate::error::{Error, Result};
pub use crate::model::tune::Target;
use crate::model::{Objective, PhaseTemplate, Scenario};
use crate::workload::ycsb::YcsbSpec;
use crate::workload::{PhaseSpec, Workload};
use std::path::Path;

/// A workload name as `--workload` and `--holdout` take it: `ycsb-a` .. `ycsb-f` (or `a` ..
/// `f`) or a db_bench workload.
pub fn parse_workload(w: &str, flag: &str) -> Result<Workload> {
    let l = w.trim().to_ascii_lowercase();
    if let Some(letter) = l
        .strip_prefix("ycsb-")
        .or((l.len() == 1).then_some(l.as_str()))
    {
        if letter.len() == 1 && "abcdef".contains(letter) {
            return Ok(Workload::YcsbRun);
        }
    }
    Workload::parse_list(&l)
        .ok()
        .and_then(|v| (v.len() == 1).then(|| v[0]))
        .filter(|x| !matches!(x, Workload::YcsbLoad | Workload::YcsbRun))
        .ok_or_else(|| {
            let looks_like_file = w.contains('/') || w.ends_with(".toml");
            Error::usage(if looks_like_file {
                format!("{flag} {w:?}: no such file (give a scenario file that exists, a YCSB core workload ycsb-a .. ycsb-f, or a db_bench workload)")
            } else {
                format!("{flag} {w:?}: give a YCSB core workload (ycsb-a .. ycsb-f), a db_bench workload (rdbtune bench --list), or a scenario file")
            })
        })
}

fn template(label: &str, spec: PhaseSpec) -> PhaseTemplate {
    PhaseTemplate {
        label: label.into(),
        spec,
    }
}

impl Target {
    /// A YCSB core workload or a db_bench workload on `records` keys.
    pub fn workload(
        w: &str,
        records: u64,
        threads: usize,
        seed: u64,
        flag: &str,
    ) -> Result<Target> {
        let kind = parse_workload(w, flag)?;
        let l = w.trim().to_ascii_lowercase();
        if kind == Workload::YcsbRun {
            let letter = l.strip_prefix("ycsb-").unwrap_or(&l);
            let mut y = YcsbSpec::core(letter)?;
            y.recordcount = records;
            // The run is bounded by time; operationcount only sizes the zipfian's range for
            // the keys inserts add (CoreWorkload's expectednewkeys), as in upstream's
            // workload files, where it equals recordcount.
            y.operationcount = records;
            let mut load = PhaseSpec::new(Workload::YcsbLoad, records);
            load.threads = threads;
            load.ycsb = Some(y.clone());
            load.seed = seed;
            let mut run = PhaseSpec::new(Workload::YcsbRun, records);
            run.threads = threads;
            run.ycsb = Some(y);
            run.seed = seed ^ 0x5EED;
            return Ok(Target {
                name: format!("ycsb-{letter}"),
                load: vec![template("load", load)],
                run: vec![template("run", run)],
                records,
                engine: None,
                objective: None,
                constraints: Vec::new(),
            });
        }
        // A db_bench workload: fills run on an empty DB; everything else on fillrandom's
        // keys (db_bench's usual --benchmarks=fillrandom,WORKLOAD).
        let mut run = PhaseSpec::new(kind, records);
        run.threads = threads;
        run.seed = seed ^ 0x5EED;
        let load = if kind.is_fill() && kind != Workload::Overwrite {
            Vec::new()
        } else {
            let mut f = PhaseSpec::new(Workload::FillRandom, records);
            f.seed = seed;
            vec![template("load", f)]
        };
        run.validate()?;
        Ok(Target {
            name: kind.name().to_string(),
            load,
            run: vec![template("run", run)],
            records,
            engine: None,
            objective: None,
            constraints: Vec::new(),
        })
    }

    /// A scenario's phases: the first, when it fills the key space (a fill or a YCSB load),
    /// loads the template; the others are the run. Its [engine] is the start config, its
    /// [recommend] objective and constraints the defaults. A grid is refused: the tuner
    /// explores the engine itself.
    pub fn scenario(path: &Path) -> Result<Target> {
        let scn = Scenario::load(path)?;
        if scn.trials.len() != 1 {
            return Err(Error::usage(format!(
                "--scenario {}: it has {} trials (a grid or [[trial]]s); the tuner searches the engine config itself: keep one trial's [engine] and the phases",
                path.display(),
                scn.trials.len()
            )));
        }
        let t = &scn.trials[0];
        let mut phases = t.phases.clone();
        let first_fills = phases
            .first()
            .is_some_and(|p| p.spec.workload.is_fill() && p.spec.workload != Workload::Overwrite);
        let load = if first_fills && phases.len() > 1 {
            vec![phases.remove(0)]
        } else {
            Vec::new()
        };
        Ok(Target {
            name: format!("scenario {}", scn.name),
            load,
            run: phases,
            records: scn.data.num,
            engine: Some(t.config.clone()),
            objective: scn.objective.clone(),
            constraints: scn.constraints.clone(),
        })
    }

    /// Labels of the load then the run phases.
    pub fn labels(&self) -> Vec<String> {
        self.load
            .iter()
            .chain(&self.run)
            .map(|p| p.label.clone())
            .collect()
    }

    /// The default objective: the scenario's, else the debt-aware throughput of the last
    /// measured phase that is not a step.
    pub fn default_objective(&self) -> Objective {
        self.objective.clone().unwrap_or_else(|| {
            let last = self
                .run
                .iter()
                .rev()
                .find(|p| !p.spec.workload.is_step())
                .or(self.run.last())
                .map_or("run".to_string(), |p| p.label.clone());
            Objective {
                maximize: true,
                metric: format!("{last}.debt_ops_per_sec"),
            }
        })
    }

    /// The load and run phases at `frac` of the records, the run phases time-bound (their
    /// share of `run_s` each; steps as they are).
    pub fn scaled(&self, frac: f64, run_s: f64) -> (Vec<PhaseTemplate>, Vec<PhaseTemplate>) {
        let records = ((self.records as f64 * frac) as u64).max(1000);
        let scale = |p: &PhaseTemplate| {
            let mut q = p.clone();
            q.spec.scale_keys(records);
            q
        };
        let load = self.load.iter().map(scale).collect();
        let timed = self
            .run
            .iter()
            .filter(|p| !p.spec.workload.is_step())
            .count()
            .max(1);
        let run = self
            .run
            .iter()
            .map(|p| {
                let mut q = scale(p);
                if !q.spec.workload.is_step() {
                    q.spec.duration_s = Some((run_s / timed as f64).max(1.0));
                    q.spec.ops = None;
                    // Bounded by time; operationcount only sizes the zipfian's range for
                    // inserted keys (CoreWorkload's expectednewkeys): as many as records.
                    if let Some(y) = &mut q.spec.ycsb {
                        y.operationcount = y.recordcount.max(1);
                    }
                }
                q
            })
            .collect();
        (load, run)
    }

    /// The target at `records` keys (a scenario given `--records`).
    pub fn scale_to(&mut self, records: u64) {
        for p in self.load.iter_mut().chain(self.run.iter_mut()) {
            p.spec.scale_keys(records);
        }
        self.records = records;
    }

    /// The data's shape for the memory model.
    pub fn shape(&self, process_bytes: u64) -> Shape {
        let p = self.load.first().or(self.run.first()).map(|p| &p.spec);
        let (key, value, max) = match p {
            Some(s) => match &s.ycsb {
                Some(y) => (
                    4.0 + 19.0,
                    y.record_len() as f64,
                    y.fieldcount * (y.max_field_len() + 16),
                ),
                None => (
                    s.key_size as f64,
                    s.mean_value_size() as f64,
                    s.max_value_size(),
                ),
            },
            None => (16.0, 100.0, 100),
        };
        let families = self.engine.as_ref().map_or(0, |c| c.column_families.len());
        Shape {
            keys: self.records,
            key_size: key,
            value_size: value,
            max_value_size: max,
            families,
            process_bytes,
        }
    }

    /// Whether `other` loads the same data (its load phases write the same keys and values
    /// with the same seeds): then a config's template loaded for one serves the other. A
    /// YCSB load depends on the record layout and key space, not on the workload's mix.
    pub fn same_load(&self, other: &Target) -> bool {
        let norm = |p: &PhaseTemplate| {
            let mut s = p.spec.clone();
            if let Some(y) = &mut s.ycsb {
                let core = YcsbSpec::default();
                y.workload = core.workload.clone();
                y.operationcount = core.operationcount;
                y.readproportion = core.readproportion;
                y.updateproportion = core.updateproportion;
                y.insertproportion = core.insertproportion;
                y.scanproportion = core.scanproportion;
                y.readmodifywriteproportion = core.readmodifywriteproportion;
                y.requestdistribution = core.requestdistribution;
                y.maxscanlength = core.maxscanlength;
            }
            s
        };
        self.load.len() == other.load.len()
            && self
                .load
                .iter()
                .zip(&other.load)
                .all(|(a, b)| norm(a) == norm(b))
    }

    /// `c` with the structure the target's phases need: the scenario's column families
    /// (its key groups name them).
    pub fn with_structure(
        &self,
        mut c: crate::engine::EngineConfig,
    ) -> crate::engine::EngineConfig {
        if let Some(e) = &self.engine {
            for cf in &e.column_families {
                if !c.column_families.iter().any(|x| x.name == cf.name) {
                    c.column_families.push(cf.clone());
                }
            }
        }
        c
    }

    /// Checks that the objective and constraints name metrics of these phases.
    pub fn check_metric(&self, metric: &str, flag: &str) -> Result<()> {
        if crate::metrics::known(&self.labels(), metric) {
            return Ok(());
        }
        Err(Error::usage(format!(
            "{flag}: {metric:?} is not a metric of this tune: use a trial metric ({}) or PHASE.METRIC with PHASE one of {} (docs/metrics.md lists them)",
            crate::metrics::names(crate::metrics::Scope::Trial).join(", "),
            self.labels().join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_and_scaling() {
        let y = Target::workload("ycsb-a", 100_000, 2, 1, "--workload").unwrap();
        assert_eq!(y.labels(), ["load", "run"]);
        assert_eq!(y.default_objective().metric, "run.debt_ops_per_sec");
        let (load, run) = y.scaled(1.0 / 9.0, 12.0);
        assert_eq!(load[0].spec.num, 11_111);
        assert_eq!(load[0].spec.ycsb.as_ref().unwrap().recordcount, 11_111);
        assert_eq!(run[0].spec.duration_s, Some(12.0));
        let r = Target::workload("readrandom", 50_000, 1, 1, "--workload").unwrap();
        assert_eq!(r.load[0].spec.workload, Workload::FillRandom);
        let f = Target::workload("fillrandom", 50_000, 1, 1, "--workload").unwrap();
        assert!(f.load.is_empty());
        let e = Target::workload("ycsb-g", 1000, 1, 1, "--holdout")
            .unwrap_err()
            .to_string();
        assert!(e.contains("--holdout") && e.contains("ycsb-a"), "{e}");
        assert!(y.check_metric("run.p99_us", "--objective").is_ok());
        assert!(y.check_metric("disk_bytes", "--objective").is_ok());
        let e = y
            .check_metric("readrandom.p99_us", "--objective")
            .unwrap_err()
            .to_string();
        assert!(e.contains("load, run"), "{e}");
    }

    /// A time-bound YCSB-E run (inserts with zipfian reads) draws its keys among those
    /// loaded: its operationcount sizes the zipfian's insert range like upstream's files
    /// (operationcount = recordcount), not as an unbounded count whose range every draw
    /// would have to be redrawn out of (a hang).
    #[test]
    fn a_time_bound_ycsb_run_keeps_the_zipfian_range_near_the_records() {
        use crate::workload::ycsb::{InsertSequence, KeyChooser};
        use rand::{rngs::SmallRng, SeedableRng};
        let t = Target::workload("ycsb-e", 30_000, 1, 1, "--workload").unwrap();
        for frac in [1.0 / 9.0, 1.0] {
            let (_, run) = t.scaled(frac, 5.0);
            let y = run[0].spec.ycsb.as_ref().unwrap();
            assert_eq!(y.operationcount, y.recordcount);
            let seq = InsertSequence::new(y.recordcount);
            let mut c = KeyChooser::new(y);
            let mut rng = SmallRng::seed_from_u64(7);
            // With the unbounded range, each of these needed about 10^12 redraws.
            for _ in 0..10_000 {
                assert!(c.next(&mut rng, &seq) < y.recordcount);
            }
        }
    }
}
