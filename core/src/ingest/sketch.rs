//! A HyperLogLog distinct-count sketch with a fixed precision and hash seed, so sketches of
//! different hours and processes merge: sessions over a range of hours are estimated without
//! counting twice a session that crosses an hour (DESIGN.md, "Ledger semantics").
//! Stored sparse (register index and value) while that is smaller than the dense registers.

/// 2^12 registers: about 1.6 % standard error.
pub const PRECISION: u32 = 12;
const REGISTERS: usize = 1 << PRECISION;
const SEED: u64 = 0x5eed_b1e5_9a1d_0001;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sketch {
    registers: Vec<u8>,
}

impl Default for Sketch {
    fn default() -> Self {
        Self {
            registers: vec![0; REGISTERS],
        }
    }
}

/// The sketch's hash of a session id: FNV-1a with a fixed seed, then MurmurHash3's finaliser.
pub fn hash(text: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ SEED;
    for &b in text.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl Sketch {
    pub fn insert_hash(&mut self, hash: u64) {
        let index = (hash >> (64 - PRECISION)) as usize;
        let rest = hash << PRECISION;
        let rank = (rest.leading_zeros() + 1).min(64 - PRECISION + 1) as u8;
        if self.registers[index] < rank {
            self.registers[index] = rank;
        }
    }

    pub fn insert(&mut self, text: &str) {
        self.insert_hash(hash(text));
    }

    pub fn merge(&mut self, other: &Sketch) {
        for (mine, theirs) in self.registers.iter_mut().zip(&other.registers) {
            *mine = (*mine).max(*theirs);
        }
    }

    /// The estimated number of distinct ids, with the small-range (linear counting) correction.
    pub fn estimate(&self) -> u64 {
        let m = REGISTERS as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self
            .registers
            .iter()
            .map(|&r| 2f64.powi(-i32::from(r)))
            .sum();
        let raw = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        let estimate = if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        estimate.round() as u64
    }

    /// Sparse (`0x01`, then u16 index + u8 value per set register) or dense (`0x02`, registers).
    pub fn to_bytes(&self) -> Vec<u8> {
        let set = self.registers.iter().filter(|&&r| r != 0).count();
        if set * 3 < REGISTERS {
            let mut out = Vec::with_capacity(1 + set * 3);
            out.push(1);
            for (index, &value) in self.registers.iter().enumerate().filter(|(_, r)| **r != 0) {
                out.extend_from_slice(&(index as u16).to_le_bytes());
                out.push(value);
            }
            out
        } else {
            let mut out = Vec::with_capacity(1 + REGISTERS);
            out.push(2);
            out.extend_from_slice(&self.registers);
            out
        }
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut sketch = Sketch::default();
        match bytes.split_first()? {
            (1, rest) if rest.len() % 3 == 0 => {
                for entry in rest.chunks_exact(3) {
                    let index = usize::from(u16::from_le_bytes([entry[0], entry[1]]));
                    *sketch.registers.get_mut(index)? = entry[2];
                }
            }
            (2, rest) if rest.len() == REGISTERS => sketch.registers.copy_from_slice(rest),
            _ => return None,
        }
        Some(sketch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_within_a_few_percent_and_merges_without_double_counting() {
        let mut a = Sketch::default();
        let mut b = Sketch::default();
        for i in 0..30_000 {
            a.insert(&format!("session-{i}"));
        }
        for i in 20_000..50_000 {
            b.insert(&format!("session-{i}"));
        }
        let error = |estimate: u64, truth: f64| (estimate as f64 - truth).abs() / truth;
        assert!(error(a.estimate(), 30_000.0) < 0.05, "{}", a.estimate());
        a.merge(&b);
        assert!(error(a.estimate(), 50_000.0) < 0.05, "{}", a.estimate());
        let mut small = Sketch::default();
        for i in 0..100 {
            small.insert(&i.to_string());
        }
        assert!(
            error(small.estimate(), 100.0) < 0.03,
            "{}",
            small.estimate()
        );
    }

    #[test]
    fn round_trips_sparse_and_dense() {
        let mut sketch = Sketch::default();
        sketch.insert("12");
        let bytes = sketch.to_bytes();
        assert_eq!(bytes[0], 1);
        assert_eq!(Sketch::from_bytes(&bytes).unwrap(), sketch);
        for i in 0..20_000 {
            sketch.insert(&i.to_string());
        }
        let bytes = sketch.to_bytes();
        assert_eq!(bytes[0], 2);
        assert_eq!(Sketch::from_bytes(&bytes).unwrap(), sketch);
        assert!(Sketch::from_bytes(&[9, 1, 2]).is_none());
    }
}
