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
/// An odd multiplier and its inverse modulo 2^48.
const MULTIPLIER: u64 = 0x5DEE_CE66_D1CB;
const XOR: u64 = 0x9E37_79B9_7F4A;

/// SplitMix64: a good, tiny mixing function (also the simulator's deterministic randomness).
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The multiplicative inverse of `MULTIPLIER` modulo 2^48 (Newton's iteration).
const fn inverse() -> u64 {
    let mut x: u64 = MULTIPLIER;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(MULTIPLIER.wrapping_mul(x)));
        i += 1;
    }
    x & MASK
}

const INVERSE: u64 = inverse();

/// The id space of one simulated world.
#[derive(Debug, Clone, Copy)]
pub struct IdSpace {
    seed: u64,
}

impl IdSpace {
    /// Ids of the world built from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { seed }
    }

    fn kind_bits(&self, kind: &str) -> (u64, u64) {
        let mut h = self.seed;
        for b in kind.bytes() {
            h = mix64(h ^ u64::from(b));
        }
        (mix64(h), mix64(h ^ 0xA5A5))
    }

    /// The id of object `index` of `kind`.
    pub fn uuid(&self, kind: &str, index: u64) -> Uuid {
        debug_assert!(index <= MAX_INDEX);
        let (a, b) = self.kind_bits(kind);
        let mixed = ((index & MASK).wrapping_mul(MULTIPLIER) & MASK) ^ XOR;
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&a.to_be_bytes());
        bytes[8] = b as u8;
        bytes[9] = (b >> 8) as u8;
        bytes[10..].copy_from_slice(&mixed.to_be_bytes()[2..]);
        bytes[6] = 0x40 | (bytes[6] & 0x0F);
        bytes[8] = 0x80 | (bytes[8] & 0x3F);
        Uuid::from_bytes(bytes)
    }

    /// The index of `id` when it is an id of `kind` (any case, with or without hyphens).
    pub fn index(&self, kind: &str, id: &str) -> Option<u64> {
        let uuid = Uuid::parse_str(id).ok()?;
        let bytes = uuid.as_bytes();
        let expected = self.uuid(kind, 0);
        let e = expected.as_bytes();
        if bytes[..10] != e[..10] {
            return None;
        }
        let mut tail = [0u8; 8];
        tail[2..].copy_from_slice(&bytes[10..]);
        let mixed = u64::from_be_bytes(tail) ^ XOR;
        Some(mixed.wrapping_mul(INVERSE) & MASK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_encode_kind_and_index() {
        let ids = IdSpace::new(42);
        for i in [0, 1, 2, 999_999, MAX_INDEX] {
            let u = ids.uuid("CdpReplicaTaskSession", i);
            assert_eq!(u.get_version_num(), 4);
            assert_eq!(u.get_variant(), uuid::Variant::RFC4122);
            assert_eq!(ids.index("CdpReplicaTaskSession", &u.to_string()), Some(i));
            assert_eq!(ids.index("CdpReplicaSession", &u.to_string()), None);
            assert_eq!(
                ids.index("CdpReplicaTaskSession", &u.to_string().to_uppercase()),
                Some(i)
            );
        }
        assert_ne!(ids.uuid("A", 1), IdSpace::new(43).uuid("A", 1));
        assert_eq!(ids.index("A", "not-a-uuid"), None);
        // Neighbours do not look like neighbours.
        let (a, b) = (ids.uuid("A", 1).to_string(), ids.uuid("A", 2).to_string());
        assert_ne!(a[24..30], b[24..30]);
    }
}
