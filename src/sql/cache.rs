//! Bounded caches keyed by statement text, so that a repeated statement is parsed,
//! translated and typed once: the translation (server/translate.rs) and the typing
//! (`types::analyze_text`). Server-wide, since translation depends on the text alone
//! (statements that read session settings are not cached). At most [`ENTRIES`] entries
//! with keys of at most [`MAX_KEY`] bytes; when full it starts over, which keeps the
//! bound and the code simple (a workload with more distinct statements than that gains
//! little from any policy). Their size is a line of `SHOW MEMORY`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Entries per cache.
pub const ENTRIES: usize = 256;
/// Longer statements are not cached (they are rarely repeated, and would make the
/// cache's worst case large).
pub const MAX_KEY: usize = 2048;

pub struct TextCache<V> {
    map: Mutex<Option<HashMap<Arc<str>, V>>>,
    bytes: AtomicUsize,
}

impl<V: Clone> TextCache<V> {
    pub const fn new() -> Self {
        TextCache {
            map: Mutex::new(None),
            bytes: AtomicUsize::new(0),
        }
    }

    pub fn get(&self, key: &str) -> Option<V> {
        let map = self.map.lock().ok()?;
        map.as_ref()?.get(key).cloned()
    }

    /// Keeps `value` (about `value_bytes` of memory) for `key`.
    pub fn insert(&self, key: &str, value: V, value_bytes: usize) {
        if key.len() > MAX_KEY {
            return;
        }
        let Ok(mut guard) = self.map.lock() else {
            return;
        };
        let map = guard.get_or_insert_with(HashMap::new);
        if map.len() >= ENTRIES {
            *map = HashMap::new();
            self.bytes.store(0, Ordering::Relaxed);
        }
        // Key, value and the table's slot (hash, pointers).
        let size = key.len() + value_bytes + 64;
        if map.insert(Arc::from(key), value).is_none() {
            self.bytes.fetch_add(size, Ordering::Relaxed);
        }
    }

    /// Approximate memory held.
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }
}

impl<V: Clone> Default for TextCache<V> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_starts_over_when_full() {
        let c: TextCache<usize> = TextCache::new();
        for i in 0..ENTRIES {
            c.insert(&format!("select {i}"), i, 8);
        }
        assert_eq!(c.get("select 7"), Some(7));
        c.insert("one more", 1, 8);
        assert_eq!(c.get("select 7"), None);
        assert_eq!(c.get("one more"), Some(1));
        c.insert(&"x".repeat(MAX_KEY + 1), 2, 8);
        assert_eq!(c.get(&"x".repeat(MAX_KEY + 1)), None);
        assert!(c.bytes() > 0 && c.bytes() < 200);
    }
}
