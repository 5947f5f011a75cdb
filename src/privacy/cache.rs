//! What the privacy rules remember per thread, in one place: the classes of each callsite's
//! fields, span values found to hold nothing to mask, and the pseudonyms of recent user ids.
//!
//! Each entry names the rules ([`Privacy::id`](super::Privacy::id)) it was found by, since
//! another layer's rules may differ. Every look-up gives way rather than wait or fail: when the
//! cache is in use (a value cleaned while another is) or gone (thread teardown), the caller
//! computes the answer itself.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use tracing_core::Metadata;

use super::FieldClass;

/// How many span values each thread remembers as clean (direct-mapped, by hash), as a power of
/// two; and the shortest and longest remembered.
const REMEMBERED_BITS: u32 = 6;
pub(super) const REMEMBERED_MIN: usize = 8;
pub(super) const REMEMBERED_MAX: usize = 512;

/// Pseudonyms of recently seen user ids (direct-mapped), for ids up to 256 bytes.
const PSEUDONYM_BITS: u32 = 6;
const CACHED_ID_MAX: usize = 256;

type ClassCache = HashMap<(u64, usize), Rc<[FieldClass]>, BuildHasherDefault<WordHasher>>;

struct Caches {
    /// Per rules and callsite (its metadata's address).
    classes: ClassCache,
    clean_texts: [CleanText; 1 << REMEMBERED_BITS],
    pseudonyms: [CachedPseudonym; 1 << PSEUDONYM_BITS],
}

thread_local! {
    static CACHES: RefCell<Caches> = RefCell::new(Caches {
        classes: ClassCache::default(),
        clean_texts: std::array::from_fn(|_| CleanText::default()),
        pseudonyms: std::array::from_fn(|_| CachedPseudonym::default()),
    });
}

/// Runs `f` on this thread's caches; `None` when they are in use or gone.
fn with_caches<R>(f: impl FnOnce(&mut Caches) -> R) -> Option<R> {
    CACHES.try_with(|caches| caches.try_borrow_mut().ok().map(|mut caches| f(&mut caches))).ok().flatten()
}

/// The classes of `metadata`'s fields by the rules `layer`, from the cache or made by `classify`.
pub(super) fn classes(
    layer: u64,
    metadata: &'static Metadata<'static>,
    classify: impl Fn(&str) -> FieldClass,
) -> Rc<[FieldClass]> {
    let key = (layer, std::ptr::from_ref(metadata) as usize);
    if let Some(Some(classes)) = with_caches(|caches| caches.classes.get(&key).cloned()) {
        return classes;
    }
    let classes: Rc<[FieldClass]> = metadata.fields().iter().map(|f| classify(f.name())).collect();
    with_caches(|caches| caches.classes.insert(key, Rc::clone(&classes)));
    classes
}

/// A span value found to need no masking, and whether it is plain.
///
/// A text is copied in only the second time in a row that its hash is seen here: a value that
/// never comes back (a new page, a one-off client) costs its hash and no copy.
#[derive(Default)]
struct CleanText {
    hash: u64,
    layer: u64,
    text: String,
    plain: bool,
    /// The hash of the last text seen here that was not remembered.
    seen: u64,
}

/// Whether the rules `layer` found `text` clean before: `Ok` with whether it is plain, or what
/// to tell once the text has been looked at.
pub(super) fn clean_text(layer: u64, text: &str) -> Result<bool, Unremembered> {
    let hash = text_hash(layer, text.as_bytes());
    let remembered = with_caches(|caches| {
        let entry = &caches.clean_texts[entry_of(hash)];
        (entry.hash == hash && entry.layer == layer && entry.text == text).then_some(entry.plain)
    });
    remembered.flatten().ok_or(Unremembered { layer, hash })
}

/// A text not remembered as clean, by its hash.
pub(super) struct Unremembered {
    layer: u64,
    hash: u64,
}

impl Unremembered {
    /// The text was looked at and found clean (`plain` or not): it is remembered the second
    /// time in a row this happens.
    pub(super) fn found_clean(self, text: &str, plain: bool) {
        let Unremembered { layer, hash } = self;
        with_caches(|caches| {
            let entry = &mut caches.clean_texts[entry_of(hash)];
            if std::mem::replace(&mut entry.seen, hash) == hash {
                entry.hash = hash;
                entry.layer = layer;
                entry.text.clear();
                entry.text.push_str(text);
                entry.plain = plain;
            }
        });
    }
}

/// The entry of [`Caches::clean_texts`] a text of `hash` goes in.
fn entry_of(hash: u64) -> usize {
    (hash >> (64 - REMEMBERED_BITS)) as usize
}

#[derive(Default)]
struct CachedPseudonym {
    layer: u64,
    id: String,
    pseudonym: String,
}

/// Appends the pseudonym of `id` by the rules `layer`, from the cache when it is there, else
/// written by `write` (and kept, for ids up to 256 bytes).
pub(super) fn push_pseudonym(layer: u64, id: &str, out: &mut String, write: impl Fn(&mut String)) {
    let slot = (text_hash(layer, id.as_bytes()) >> (64 - PSEUDONYM_BITS)) as usize;
    let hit = (id.len() <= CACHED_ID_MAX).then(|| {
        with_caches(|caches| {
            let entry = &mut caches.pseudonyms[slot];
            if entry.layer != layer || entry.id != id || entry.pseudonym.is_empty() {
                entry.layer = layer;
                entry.id.clear();
                entry.id.push_str(id);
                entry.pseudonym.clear();
                write(&mut entry.pseudonym);
            }
            out.push_str(&entry.pseudonym);
        })
    });
    if !matches!(hit, Some(Some(()))) {
        write(out);
    }
}

/// A fast hasher of words, for keys of the crate's own making (a rules id and an address) and
/// for [`text_hash`].
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash of `bytes` eight at a time (the last eight read whole even where they overlap the
/// word before; fewer than eight as one word padded with zeros), for picking an entry by its
/// high bits, the well-mixed ones.
fn text_hash(seed: u64, bytes: &[u8]) -> u64 {
    let mut hasher = WordHasher(seed ^ bytes.len() as u64);
    if bytes.len() < 8 {
        let mut w = [0; 8];
        w[..bytes.len()].copy_from_slice(bytes);
        hasher.write_u64(u64::from_le_bytes(w));
        return hasher.finish();
    }
    let word = |at: usize| {
        let mut w = [0; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let mut at = 0;
    while at + 8 < bytes.len() {
        hasher.write_u64(word(at));
        at += 8;
    }
    hasher.write_u64(word(bytes.len() - 8));
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_hash_reads_every_byte_of_any_length_up_to_the_longest_remembered() {
        assert_ne!(text_hash(7, b"ab"), text_hash(7, b"ab\0"), "short texts are not their zero padding");
        assert_ne!(text_hash(7, b""), text_hash(7, b"\0"));
        for len in 1..=REMEMBERED_MAX {
            let text = vec![b'a'; len];
            let hash = text_hash(7, &text);
            assert_eq!(hash, text_hash(7, &text.clone()), "{len}");
            assert_ne!(hash, text_hash(8, &text), "the layer is part of the hash ({len})");
            for at in [0, len / 2, len - 1] {
                let mut other = text.clone();
                other[at] = b'b';
                assert_ne!(hash, text_hash(7, &other), "a change at {at} of {len}");
            }
        }
    }
}
