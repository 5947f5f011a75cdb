//! The texts a scan meets (user ids, features, sessions, ...), numbered once per scanning
//! thread, so that tallies count by number; merging two threads' tallies maps the numbers of
//! one onto the other's.

use super::line::Text;

/// The hash maps and sets of the tallies: foldhash, seeded per process, hashes the short keys
/// of a scan (ids, numbers) several times faster than the standard SipHash, and its random seed
/// keeps user-chosen ids (a user id header) from being made to collide.
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub(crate) type Set<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// The number of a text within one [`Names`].
pub(crate) type Id = u32;

/// Texts kept as written in the line (with their JSON escapes, if any): the layer writes the
/// same text the same way, so equal texts get equal numbers.
#[derive(Debug, Default)]
pub(crate) struct Names {
    ids: Map<Box<[u8]>, Id>,
    texts: Vec<Box<[u8]>>,
}

impl Names {
    /// The number of `text`, given a new one the first time.
    pub(crate) fn id(&mut self, text: Text<'_>) -> Id {
        self.id_of_raw(text.raw())
    }

    /// The number of a text as it is (no JSON escapes read), given a new one the first time.
    pub(crate) fn id_of_raw(&mut self, raw: &[u8]) -> Id {
        if let Some(&id) = self.ids.get(raw) {
            return id;
        }
        let id = Id::try_from(self.texts.len()).unwrap_or(Id::MAX);
        self.texts.push(raw.into());
        self.ids.insert(raw.into(), id);
        id
    }

    /// The text of `id`, unescaped.
    pub(crate) fn text(&self, id: Id) -> String {
        let raw = self.texts.get(id as usize).map_or(&[][..], |t| t);
        Text::written(raw).get().into_owned()
    }

    /// The text of `id` as it was numbered.
    #[cfg(feature = "metrics")]
    pub(crate) fn raw(&self, id: Id) -> &[u8] {
        self.texts.get(id as usize).map_or(&[][..], |t| t)
    }

    /// Takes in the texts of `other`; the result maps each of `other`'s numbers to this one's.
    pub(crate) fn absorb(&mut self, other: &Names) -> Vec<Id> {
        other.texts.iter().map(|raw| self.id_of_raw(raw)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_get_equal_numbers_and_merges_keep_them() {
        let mut a = Names::default();
        let mut b = Names::default();
        let x = a.id(Text::written(b"user1"));
        assert_eq!(a.id(Text::written(b"user1")), x);
        let y = a.id(Text::written(b"caf\\u00e9"));
        assert_ne!(x, y);
        let b_y = b.id(Text::written(b"caf\\u00e9"));
        let b_z = b.id(Text::written(b"other"));
        let map = a.absorb(&b);
        assert_eq!(map[b_y as usize], y);
        assert_eq!(a.text(map[b_z as usize]), "other");
        assert_eq!(a.text(y), "café");
    }
}
