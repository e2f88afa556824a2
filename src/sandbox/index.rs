//! The in-memory vector index behind search: an exact scan (ACCURATE) and an
//! inverted-file index (FAST) built by spherical k-means with a fixed seed.
//!
//! Vectors live in one flat `Vec<f32>`; a deleted vector leaves a dead slot that the
//! next rebuild compacts. The IVF is rebuilt lazily when the number of live vectors
//! has doubled (or halved) since it was built; vectors added in between are assigned
//! to their nearest centroid at once, so they are always searchable.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use super::synth::SplitMix;

/// Below this many live vectors FAST scans exactly: the index would not pay off.
pub const IVF_MIN_VECTORS: usize = 4096;
/// A person has at most this many enrolled faces (the API accepts 1–3 images).
pub const MAX_FACES_PER_PERSON: usize = 3;

#[derive(Clone, Debug)]
struct Slot {
    person: Arc<str>,
    alive: bool,
}

#[derive(Clone, Debug)]
struct Ivf {
    centroids: Vec<f32>,
    lists: Vec<Vec<u32>>,
    built_at: usize,
}

/// Tuning of the FAST index (the benchmark measures these).
#[derive(Clone, Copy, Debug)]
pub struct IvfParams {
    /// Lists per √n vectors (lists = factor·√n).
    pub lists_factor: f32,
    /// Fraction of lists probed per query (at least `min_probe`); 5 % gave recall@10
    /// 0.995 at 100k vectors in `benches/sandbox_index.rs`.
    pub probe_fraction: f32,
    pub min_probe: usize,
}

impl Default for IvfParams {
    fn default() -> Self {
        IvfParams {
            lists_factor: 0.5,
            probe_fraction: 0.05,
            min_probe: 8,
        }
    }
}

/// One scored person: the best cosine over their faces.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub person: Arc<str>,
    pub cosine: f32,
}

#[derive(Debug, Default)]
pub struct VectorIndex {
    dim: usize,
    data: Vec<f32>,
    slots: Vec<Slot>,
    by_person: HashMap<Arc<str>, Vec<u32>>,
    live: usize,
    ivf: Option<Ivf>,
    params: IvfParams,
}

/// Scored slot for the bounded heap (min-heap on score).
#[derive(PartialEq)]
struct Scored(f32, u32);
impl Eq for Scored {}
impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: the heap's top is the *worst* kept score.
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

impl VectorIndex {
    pub fn new() -> VectorIndex {
        VectorIndex::default()
    }

    pub fn with_params(params: IvfParams) -> VectorIndex {
        VectorIndex {
            params,
            ..VectorIndex::default()
        }
    }

    /// Live vectors.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Adds one vector of `person`. All vectors must have the same length.
    pub fn insert(&mut self, person: &str, vector: &[f32]) -> Result<(), String> {
        if vector.is_empty() {
            return Err("empty vector".into());
        }
        if self.live == 0 && self.slots.is_empty() {
            self.dim = vector.len();
        }
        if vector.len() != self.dim {
            return Err(format!(
                "vector of length {} in an index of length {}",
                vector.len(),
                self.dim
            ));
        }
        let person: Arc<str> = match self.by_person.get_key_value(person) {
            Some((k, _)) => k.clone(),
            None => Arc::from(person),
        };
        let slot = self.slots.len() as u32;
        self.data.extend_from_slice(vector);
        self.slots.push(Slot {
            person: person.clone(),
            alive: true,
        });
        self.by_person.entry(person).or_default().push(slot);
        self.live += 1;
        if let Some(ivf) = &mut self.ivf {
            let list = nearest(&ivf.centroids, self.dim, vector);
            ivf.lists[list].push(slot);
        }
        Ok(())
    }

    /// Removes every vector of `person` (no-op when unknown).
    pub fn remove_person(&mut self, person: &str) {
        if let Some(slots) = self.by_person.remove(person) {
            for s in slots {
                let slot = &mut self.slots[s as usize];
                if slot.alive {
                    slot.alive = false;
                    self.live -= 1;
                }
            }
        }
        if self.live == 0 {
            *self = VectorIndex::with_params(self.params);
        }
    }

    fn vector(&self, slot: u32) -> &[f32] {
        let start = slot as usize * self.dim;
        &self.data[start..start + self.dim]
    }

    /// True when FAST would rebuild before answering.
    pub fn needs_rebuild(&self) -> bool {
        if self.live < IVF_MIN_VECTORS {
            return false;
        }
        match &self.ivf {
            None => true,
            Some(ivf) => self.live >= ivf.built_at * 2 || self.live * 2 <= ivf.built_at,
        }
    }

    /// Compacts dead slots and rebuilds the IVF (k-means with a fixed seed).
    pub fn rebuild(&mut self) {
        self.compact();
        self.ivf = None;
        if self.live < IVF_MIN_VECTORS {
            return;
        }
        let n = self.live;
        let k = ((n as f32).sqrt() * self.params.lists_factor)
            .round()
            .clamp(8.0, 4096.0) as usize;
        let centroids = kmeans(&self.data, self.dim, n, k, 6, 42);
        let mut lists = vec![Vec::new(); k];
        for slot in 0..n as u32 {
            lists[nearest(&centroids, self.dim, self.vector(slot))].push(slot);
        }
        self.ivf = Some(Ivf {
            centroids,
            lists,
            built_at: n,
        });
    }

    fn compact(&mut self) {
        if self.live == self.slots.len() {
            return;
        }
        let mut data = Vec::with_capacity(self.live * self.dim);
        let mut slots = Vec::with_capacity(self.live);
        let mut by_person: HashMap<Arc<str>, Vec<u32>> = HashMap::new();
        for (i, slot) in self.slots.iter().enumerate() {
            if slot.alive {
                by_person
                    .entry(slot.person.clone())
                    .or_default()
                    .push(slots.len() as u32);
                data.extend_from_slice(self.vector(i as u32));
                slots.push(slot.clone());
            }
        }
        self.data = data;
        self.slots = slots;
        self.by_person = by_person;
    }

    /// Exact search: the `k` best persons among those `allowed` accepts.
    pub fn search_exact(
        &self,
        query: &[f32],
        k: usize,
        allowed: &dyn Fn(&str) -> bool,
    ) -> Vec<Hit> {
        if query.len() != self.dim || k == 0 {
            return Vec::new();
        }
        let candidates = (0..self.slots.len() as u32).filter(|&s| self.slots[s as usize].alive);
        self.best(query, k, candidates, allowed)
    }

    /// Exact search among the faces of `persons` only: cheap when they are few.
    pub fn search_among<'a>(
        &self,
        query: &[f32],
        k: usize,
        persons: impl Iterator<Item = &'a str>,
    ) -> Vec<Hit> {
        if query.len() != self.dim || k == 0 {
            return Vec::new();
        }
        let candidates: Vec<u32> = persons
            .filter_map(|p| self.by_person.get(p))
            .flatten()
            .copied()
            .filter(|&s| self.slots[s as usize].alive)
            .collect();
        self.best(query, k, candidates.into_iter(), &|_| true)
    }

    /// Approximate search through the IVF (exact below `IVF_MIN_VECTORS` or when the
    /// index is not built; call [`rebuild`](Self::rebuild) when [`needs_rebuild`](Self::needs_rebuild)).
    pub fn search_fast(&self, query: &[f32], k: usize, allowed: &dyn Fn(&str) -> bool) -> Vec<Hit> {
        let Some(ivf) = &self.ivf else {
            return self.search_exact(query, k, allowed);
        };
        if query.len() != self.dim || k == 0 {
            return Vec::new();
        }
        let lists = ivf.lists.len();
        let probe = ((lists as f32 * self.params.probe_fraction).ceil() as usize)
            .max(self.params.min_probe)
            .min(lists);
        let mut order: Vec<(f32, usize)> = (0..lists)
            .map(|l| {
                (
                    dot(&ivf.centroids[l * self.dim..(l + 1) * self.dim], query),
                    l,
                )
            })
            .collect();
        order.select_nth_unstable_by(probe - 1, |a, b| b.0.total_cmp(&a.0));
        let candidates = order[..probe]
            .iter()
            .flat_map(|&(_, l)| ivf.lists[l].iter().copied())
            .filter(|&s| self.slots[s as usize].alive);
        self.best(query, k, candidates, allowed)
    }

    fn best(
        &self,
        query: &[f32],
        k: usize,
        candidates: impl Iterator<Item = u32>,
        allowed: &dyn Fn(&str) -> bool,
    ) -> Vec<Hit> {
        // The best k·MAX_FACES faces always hold the best k distinct persons.
        let keep = k * MAX_FACES_PER_PERSON;
        let mut heap: BinaryHeap<Scored> = BinaryHeap::with_capacity(keep + 1);
        for s in candidates {
            let c = dot(self.vector(s), query);
            if heap.len() == keep && heap.peek().is_some_and(|w| c <= w.0) {
                continue;
            }
            if !allowed(&self.slots[s as usize].person) {
                continue;
            }
            heap.push(Scored(c, s));
            if heap.len() > keep {
                heap.pop();
            }
        }
        let mut faces = heap.into_vec();
        faces.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut hits: Vec<Hit> = Vec::with_capacity(k);
        for Scored(c, s) in faces {
            let person = &self.slots[s as usize].person;
            if hits.iter().all(|h| &h.person != person) {
                hits.push(Hit {
                    person: person.clone(),
                    cosine: c,
                });
                if hits.len() == k {
                    break;
                }
            }
        }
        hits
    }
}

/// Dot product with eight independent accumulators, so the compiler can vectorise it
/// (a single running sum must stay sequential under IEEE rules).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// The centroid nearest (by dot product) to `v`.
fn nearest(centroids: &[f32], dim: usize, v: &[f32]) -> usize {
    let mut best = (f32::NEG_INFINITY, 0);
    for (i, c) in centroids.chunks_exact(dim).enumerate() {
        let d = dot(c, v);
        if d > best.0 {
            best = (d, i);
        }
    }
    best.1
}

/// Spherical k-means over the first `n` vectors of `data`, trained on a fixed-seed
/// sample of at most 64·k vectors.
fn kmeans(data: &[f32], dim: usize, n: usize, k: usize, iterations: usize, seed: u64) -> Vec<f32> {
    let mut rng = SplitMix::new(seed);
    let sample_size = (64 * k).min(n);
    // A deterministic sample: a seeded partial Fisher–Yates over the indices.
    let mut idx: Vec<usize> = (0..n).collect();
    for i in 0..sample_size {
        let j = i + (rng.next_u64() % (n - i) as u64) as usize;
        idx.swap(i, j);
    }
    let sample = &idx[..sample_size];
    let row = |i: usize| &data[i * dim..(i + 1) * dim];
    let mut centroids: Vec<f32> = sample[..k].iter().flat_map(|&i| row(i).to_vec()).collect();
    let mut assign = vec![0usize; sample_size];
    for _ in 0..iterations {
        for (a, &i) in assign.iter_mut().zip(sample) {
            *a = nearest(&centroids, dim, row(i));
        }
        let mut sums = vec![0f32; k * dim];
        let mut counts = vec![0usize; k];
        for (&a, &i) in assign.iter().zip(sample) {
            counts[a] += 1;
            for (s, v) in sums[a * dim..(a + 1) * dim].iter_mut().zip(row(i)) {
                *s += v;
            }
        }
        for c in 0..k {
            let target = &mut centroids[c * dim..(c + 1) * dim];
            if counts[c] == 0 {
                // An empty cluster restarts at a seeded random sample point.
                let i = sample[(rng.next_u64() % sample_size as u64) as usize];
                target.copy_from_slice(row(i));
                continue;
            }
            target.copy_from_slice(&sums[c * dim..(c + 1) * dim]);
            super::engine::l2_normalize(target);
        }
    }
    centroids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(rng: &mut SplitMix, dim: usize) -> Vec<f32> {
        let mut v: Vec<f32> = (0..dim).map(|_| rng.range(-1.0, 1.0)).collect();
        crate::sandbox::engine::l2_normalize(&mut v);
        v
    }

    #[test]
    fn exact_search_groups_faces_by_person_and_sorts() {
        let mut ix = VectorIndex::new();
        let mut rng = SplitMix::new(1);
        let q = unit(&mut rng, 16);
        ix.insert("a", &q).unwrap();
        ix.insert("a", &unit(&mut rng, 16)).unwrap();
        ix.insert("b", &unit(&mut rng, 16)).unwrap();
        let hits = ix.search_exact(&q, 10, &|_| true);
        assert_eq!(hits.len(), 2);
        assert_eq!(&*hits[0].person, "a");
        assert!((hits[0].cosine - 1.0).abs() < 1e-5);
        assert!(ix
            .search_exact(&q, 10, &|p| p == "b")
            .iter()
            .all(|h| &*h.person == "b"));
        let among = ix.search_among(&q, 10, ["b", "nobody"].into_iter());
        assert_eq!(among.len(), 1);
        assert_eq!(&*among[0].person, "b");
        ix.remove_person("a");
        assert_eq!(ix.len(), 1);
        assert_eq!(&*ix.search_exact(&q, 10, &|_| true)[0].person, "b");
        assert!(ix.insert("c", &[1.0, 0.0]).is_err(), "dimension is fixed");
    }

    #[test]
    fn the_ivf_finds_what_the_exact_scan_finds_on_clustered_data() {
        let mut rng = SplitMix::new(7);
        let centres: Vec<Vec<f32>> = (0..100).map(|_| unit(&mut rng, 32)).collect();
        let mut ix = VectorIndex::new();
        for i in 0..IVF_MIN_VECTORS * 2 {
            let mut v: Vec<f32> = centres[i % 100]
                .iter()
                .map(|c| c + rng.range(-0.08, 0.08))
                .collect();
            crate::sandbox::engine::l2_normalize(&mut v);
            ix.insert(&format!("p{i}"), &v).unwrap();
        }
        assert!(ix.needs_rebuild());
        ix.rebuild();
        assert!(!ix.needs_rebuild());
        let mut found = 0;
        for centre in centres.iter().take(50) {
            let mut v = centre.clone();
            v[0] += 0.01;
            let exact = ix.search_exact(&v, 10, &|_| true);
            let fast = ix.search_fast(&v, 10, &|_| true);
            found += fast.iter().filter(|h| exact.contains(h)).count();
        }
        assert!(
            found as f32 / 500.0 >= 0.9,
            "recall@10 {}",
            found as f32 / 500.0
        );
        // A vector added after the build is found at once.
        let fresh = unit(&mut rng, 32);
        ix.insert("fresh", &fresh).unwrap();
        assert_eq!(&*ix.search_fast(&fresh, 1, &|_| true)[0].person, "fresh");
    }
}
