//! Which column family and which part of the key space an op goes to: the phase's key
//! groups, each a key range in one family with a share of the ops. Without groups every op
//! goes to `default` over the whole key space, and routing costs one branch.

use crate::engine::{Cf, Engine};
use crate::workload::keys::uniform;
use crate::workload::PhaseSpec;
use rand::rngs::SmallRng;
use rand::RngCore;

/// One key group as a worker uses it.
#[derive(Clone, Copy)]
pub(super) struct Group<'a> {
    pub cf: Cf<'a>,
    pub lo: u64,
    pub size: u64,
    /// Index of the group (for per-group results).
    pub index: u8,
}

/// A worker's routing table.
pub(super) struct Router<'a> {
    groups: Vec<Group<'a>>,
    /// Cumulative op shares scaled to u64 (the last is u64::MAX).
    cum: Vec<u64>,
    /// The groups split the key space (a key's group is the one whose range holds it).
    disjoint: bool,
}

impl<'a> Router<'a> {
    pub fn new(e: &'a Engine, spec: &PhaseSpec) -> Self {
        if spec.key_groups.is_empty() {
            return Router {
                groups: vec![Group {
                    cf: e.cf(0),
                    lo: 0,
                    size: spec.num,
                    index: 0,
                }],
                cum: vec![u64::MAX],
                disjoint: true,
            };
        }
        let mut acc = 0.0;
        let n = spec.key_groups.len();
        let cum = spec
            .key_groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                acc += g.op_share;
                if i + 1 == n {
                    u64::MAX
                } else {
                    (acc.min(1.0) * u64::MAX as f64) as u64
                }
            })
            .collect();
        Router {
            groups: spec
                .key_groups
                .iter()
                .enumerate()
                .map(|(i, g)| Group {
                    cf: e.cf(g.family),
                    lo: g.lo,
                    size: g.hi - g.lo,
                    index: i as u8,
                })
                .collect(),
            cum,
            disjoint: crate::workload::KeyGroup::disjoint(&spec.key_groups),
        }
    }

    /// The group of the next op, by the groups' shares of the ops.
    #[inline(always)]
    pub fn pick(&self, rng: &mut SmallRng) -> Group<'a> {
        if self.groups.len() == 1 {
            return self.groups[0];
        }
        let u = rng.next_u64();
        let i = self.cum.iter().position(|c| u <= *c).unwrap_or(0);
        self.groups[i]
    }

    /// The group that stores key `k` (of a sequential pass over the key space): its range's
    /// when the groups split the key space, else one by the shares of the ops.
    #[inline(always)]
    pub fn owner(&self, k: u64, rng: &mut SmallRng) -> Group<'a> {
        if self.groups.len() == 1 {
            return self.groups[0];
        }
        if self.disjoint {
            let i = self
                .groups
                .iter()
                .position(|g| k < g.lo + g.size)
                .unwrap_or(self.groups.len() - 1);
            return self.groups[i];
        }
        self.pick(rng)
    }

    /// A key uniform in the group's range.
    #[inline(always)]
    pub fn key_in(g: &Group, rng: &mut SmallRng) -> u64 {
        g.lo + uniform(rng, g.size)
    }
}
