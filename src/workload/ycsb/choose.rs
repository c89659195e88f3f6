//! Which key and which operation: CoreWorkload's key chooser and operation mix.

use super::ack::InsertSequence;
use super::generators::{Exponential, Hotspot, ScrambledZipfian, Zipfian};
use super::spec::{Distribution, YcsbSpec};
use crate::workload::OpKind;
use rand::rngs::SmallRng;
use rand::Rng;

/// Chooses the key number of a read, update, scan or read-modify-write.
pub enum KeyChooser {
    /// Over `[lo, lo + n)`.
    Uniform {
        lo: u64,
        n: u64,
    },
    Zipfian(ScrambledZipfian),
    /// SkewedLatestGenerator: the most recent inserts are the most popular.
    Latest(Zipfian),
    Hotspot(Hotspot),
    /// Back from the newest acknowledged key by an exponential draw.
    Exponential(Exponential),
    /// In order over `[lo, lo + n)`, one counter shared by every thread (the insert
    /// sequence's).
    Sequential {
        lo: u64,
        n: u64,
    },
}

impl KeyChooser {
    pub fn new(spec: &YcsbSpec) -> KeyChooser {
        let expected_new = (spec.operationcount as f64 * spec.insertproportion * 2.0) as u64;
        // CoreWorkload: the uniform, zipfian, hotspot and sequential choosers cover
        // [insertstart, insertstart + insertcount); latest and exponential follow the insert
        // sequence, which starts at recordcount.
        let (lo, count) = (spec.insertstart, spec.insert_count());
        match spec.requestdistribution {
            Distribution::Uniform => KeyChooser::Uniform { lo, n: count },
            Distribution::Zipfian => KeyChooser::Zipfian(ScrambledZipfian::new(
                lo,
                lo + count + expected_new,
                spec.zipfianconstant,
            )),
            // Upstream: ZipfianGenerator(basis.lastValue()), over the keys acknowledged at
            // the start (recordcount - 1 of them), so the first draws need no new zeta.
            Distribution::Latest => KeyChooser::Latest(Zipfian::new(
                0,
                spec.recordcount.max(3) - 2,
                spec.zipfianconstant,
            )),
            Distribution::Hotspot => KeyChooser::Hotspot(Hotspot::new(
                lo,
                lo + count - 1,
                spec.hotspotdatafraction,
                spec.hotspotopnfraction,
            )),
            Distribution::Exponential => KeyChooser::Exponential(Exponential::new(
                spec.exponential_percentile,
                spec.recordcount as f64 * spec.exponential_frac,
            )),
            Distribution::Sequential => KeyChooser::Sequential { lo, n: count },
        }
    }

    /// A key number that has been acknowledged (redrawn while above the limit, as
    /// CoreWorkload's nextKeynum does).
    pub fn next(&mut self, rng: &mut SmallRng, seq: &InsertSequence) -> u64 {
        let limit = seq.last_acknowledged();
        loop {
            let k = match self {
                KeyChooser::Uniform { lo, n } => *lo + crate::workload::keys::uniform(rng, *n),
                KeyChooser::Zipfian(z) => z.next(rng),
                KeyChooser::Latest(z) => limit - z.next_over(rng, limit.max(1)),
                KeyChooser::Hotspot(h) => h.next(rng),
                KeyChooser::Sequential { lo, n } => *lo + seq.next_sequential() % *n,
                KeyChooser::Exponential(e) => {
                    // CoreWorkload: newest - draw, redrawn while below key 0.
                    match limit.checked_sub(e.next(rng)) {
                        Some(k) => return k,
                        None => continue,
                    }
                }
            };
            if k <= limit {
                return k;
            }
        }
    }
}

/// The operation mix: CoreWorkload's DiscreteGenerator over the proportions.
pub struct OpChooser {
    cumulative: [(f64, OpKind); 5],
    total: f64,
}

impl OpChooser {
    pub fn new(s: &YcsbSpec) -> OpChooser {
        use OpKind::*;
        let parts = [
            (s.readproportion, Read),
            (s.updateproportion, Update),
            (s.insertproportion, Insert),
            (s.scanproportion, Scan),
            (s.readmodifywriteproportion, ReadModifyWrite),
        ];
        let mut acc = 0.0;
        let cumulative = parts.map(|(p, k)| {
            acc += p;
            (acc, k)
        });
        OpChooser {
            cumulative,
            total: acc,
        }
    }

    #[inline]
    pub fn next(&self, rng: &mut SmallRng) -> OpKind {
        let u: f64 = rng.random::<f64>() * self.total;
        self.cumulative
            .iter()
            .find(|(c, _)| u < *c)
            .map_or(self.cumulative[4].1, |(_, k)| *k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Upstream's SequentialGenerator(insertstart, insertstart + insertcount - 1): key
    /// numbers in order from insertstart, wrapping after the last, one counter for every
    /// thread (two choosers sharing one sequence interleave, never repeat within a lap).
    #[test]
    fn sequential_is_upstreams_order() {
        let mut y = YcsbSpec::core("c").unwrap();
        y.requestdistribution = Distribution::Sequential;
        y.recordcount = 20;
        y.insertstart = 10;
        y.insertcount = Some(5);
        let seq = InsertSequence::new(y.recordcount);
        let (mut a, mut b) = (KeyChooser::new(&y), KeyChooser::new(&y));
        let mut rng = SmallRng::seed_from_u64(1);
        let drawn: Vec<u64> = (0..12)
            .map(|i| {
                let c = if i % 2 == 0 { &mut a } else { &mut b };
                c.next(&mut rng, &seq)
            })
            .collect();
        assert_eq!(drawn, [10, 11, 12, 13, 14, 10, 11, 12, 13, 14, 10, 11]);
    }
}
