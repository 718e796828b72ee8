//! Identifiers of simulated objects: realistic version-4 UUIDs that encode their kind and index,
//! so that a million task sessions need no table to be found by id.
//!
//! Layout (16 bytes): 74 bits derived from the seed and the kind (the same for every object of
//! a kind), the version and variant bits of a random UUID, and 48 bits that are the object's
//! index through an invertible mixing (so consecutive objects do not get consecutive ids).
//! Reading an id back checks the kind bits and undoes the mixing: O(1), no storage.

use uuid::Uuid;

/// Largest index an id can carry.
pub const MAX_INDEX: u64 = (1 << 48) - 1;

const MASK: u64 = MAX_INDEX;
/// Odd multipliers of the 48-bit mixing (their inverses modulo 2^48 are computed below).
const M1: u64 = 0x5DEE_CE66_D1CB;
const M2: u64 = 0x9E37_79B9_7F4B;

/// SplitMix64: a good, tiny mixing function (also the simulator's deterministic randomness).
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The multiplicative inverse of an odd `m` modulo 2^48 (Newton's iteration).
const fn inverse(m: u64) -> u64 {
    let mut x: u64 = m;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(m.wrapping_mul(x)));
        i += 1;
    }
    x & MASK
}

const I1: u64 = inverse(M1);
const I2: u64 = inverse(M2);

/// A bijection of 48-bit numbers that spreads neighbours apart (xor-shift and multiply rounds;
/// `x ^= x >> 24` is its own inverse on 48 bits).
fn mix48(mut x: u64, key: u64) -> u64 {
    x = (x ^ key) & MASK;
    x ^= x >> 24;
    x = x.wrapping_mul(M1) & MASK;
    x ^= x >> 24;
    x = x.wrapping_mul(M2) & MASK;
    x ^ (x >> 24)
}

fn unmix48(mut x: u64, key: u64) -> u64 {
    x ^= x >> 24;
    x = x.wrapping_mul(I2) & MASK;
    x ^= x >> 24;
    x = x.wrapping_mul(I1) & MASK;
    x ^= x >> 24;
    (x ^ key) & MASK
}

/// The id space of one simulated world.
#[derive(Debug, Clone, Copy)]
pub struct IdSpace {
    seed: u64,
}

/// The ids of one kind in one id space (its bits computed once).
#[derive(Debug, Clone, Copy)]
pub struct KindIds {
    a: u64,
    b: u64,
}

impl KindIds {
    /// The index of `id` when it is an id of this kind (any case, with or without hyphens).
    pub fn index(&self, id: &str) -> Option<u64> {
        let uuid = Uuid::parse_str(id).ok()?;
        let bytes = uuid.as_bytes();
        let expected = self.uuid(0);
        if bytes[..10] != expected.as_bytes()[..10] {
            return None;
        }
        let mut tail = [0u8; 8];
        tail[2..].copy_from_slice(&bytes[10..]);
        Some(unmix48(u64::from_be_bytes(tail), self.b >> 16))
    }

    /// The id of object `index`.
    pub fn uuid(&self, index: u64) -> Uuid {
        let (a, b) = (self.a, self.b);
        let mixed = mix48(index, b >> 16);
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&a.to_be_bytes());
        bytes[8] = b as u8;
        bytes[9] = (b >> 8) as u8;
        bytes[10..].copy_from_slice(&mixed.to_be_bytes()[2..]);
        bytes[6] = 0x40 | (bytes[6] & 0x0F);
        bytes[8] = 0x80 | (bytes[8] & 0x3F);
        Uuid::from_bytes(bytes)
    }
}

impl IdSpace {
    /// Ids of the world built from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { seed }
    }

    /// The ids of `kind`.
    pub fn kind(&self, kind: &str) -> KindIds {
        let (a, b) = self.kind_bits(kind);
        KindIds { a, b }
    }

    fn kind_bits(&self, kind: &str) -> (u64, u64) {
        let mut h = self.seed;
        for b in kind.bytes() {
            h = mix64(h ^ u64::from(b));
        }
        (mix64(h), mix64(h ^ 0xA5A5))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_encode_kind_and_index() {
        let ids = IdSpace::new(42);
        let tasks = ids.kind("CdpReplicaTaskSession");
        for i in [0, 1, 2, 999_999, MAX_INDEX] {
            let u = tasks.uuid(i);
            assert_eq!(u.get_version_num(), 4);
            assert_eq!(u.get_variant(), uuid::Variant::RFC4122);
            assert_eq!(tasks.index(&u.to_string()), Some(i));
            assert_eq!(ids.kind("CdpReplicaSession").index(&u.to_string()), None);
            assert_eq!(tasks.index(&u.to_string().to_uppercase()), Some(i));
        }
        assert_ne!(ids.kind("A").uuid(1), IdSpace::new(43).kind("A").uuid(1));
        assert_eq!(ids.kind("A").index("not-a-uuid"), None);
        // Neighbours do not look like neighbours, and kinds do not share tails.
        let tail = |kind: &str, i: u64| ids.kind(kind).uuid(i).to_string()[24..].to_owned();
        let tails: std::collections::BTreeSet<String> = (0..1000)
            .flat_map(|i| [tail("A", i), tail("B", i)])
            .collect();
        assert_eq!(tails.len(), 2000);
        let first_bytes: std::collections::BTreeSet<String> =
            (0..64).map(|i| tail("A", i)[..2].to_owned()).collect();
        assert!(first_bytes.len() > 30, "{first_bytes:?}");
    }
}
