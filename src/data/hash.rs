//! A fast hasher for the reader's maps of short cell texts (issue #7).
//!
//! The standard `HashMap` hashes with SipHash-1-3, which resists crafted collisions but cost
//! about a tenth of the reading time on the short strings the memos are keyed by (yes/no
//! cells, province and zone names, commune codes). This is the multiply-rotate hash rustc
//! uses for its own tables (FxHash). A file crafted to collide can make lookups slower, not
//! wrong: the memos are bounded (`MEMO_LIMIT`) and every key is compared in full.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` hashed with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// FxHash: for each word, `hash = (hash.rotl(5) ^ word) * K`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const K: u64 = 0x517c_c1b7_2722_0a95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            // The length tells "ab" from "ab\0".
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use proptest::prelude::*;

    use super::*;

    fn hash(s: &str) -> u64 {
        BuildHasherDefault::<FxHasher>::default().hash_one(s)
    }

    #[test]
    fn equal_texts_hash_equal_and_near_ones_apart() {
        assert_eq!(hash("Hà Nội"), hash("Hà Nội"));
        for (a, b) in [
            ("có", "co"),
            ("ab", "ab\0"),
            ("", "\0"),
            ("12345678", "123456789"),
            ("yes", "Yes"),
        ] {
            assert_ne!(hash(a), hash(b), "{a:?} and {b:?}");
        }
    }

    proptest! {
        /// A map hashed this way holds what a standard map holds, whatever the keys.
        #[test]
        fn behaves_as_a_standard_map(keys in prop::collection::vec(".{0,12}", 0..200)) {
            let mut fx: FxHashMap<String, usize> = FxHashMap::default();
            let mut std: HashMap<String, usize> = HashMap::new();
            for (i, k) in keys.iter().enumerate() {
                prop_assert_eq!(fx.insert(k.clone(), i), std.insert(k.clone(), i));
            }
            prop_assert_eq!(fx.len(), std.len());
            for k in &keys {
                prop_assert_eq!(fx.get(k), std.get(k));
            }
        }
    }
}
