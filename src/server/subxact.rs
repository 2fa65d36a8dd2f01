//! The open transaction's subtransactions (savepoints) and what PostgreSQL remembers per
//! subtransaction: the READ ONLY mode a savepoint's end restores, and the tables created
//! or truncated in each — COPY … FREEZE needs its table to be one of the current
//! subtransaction's (PostgreSQL's `rd_createSubid` / `rd_newRelfilenodeSubid`).
//!
//! Subtransactions are numbered per transaction: 0 is the top level, each SAVEPOINT and
//! each ROLLBACK TO starts a new one. RELEASE hands a subtransaction's tables to its
//! parent; ROLLBACK TO forgets them (the CREATE or TRUNCATE was undone).

struct Savepoint {
    name: String,
    /// The READ ONLY mode when it was taken.
    read_only: bool,
    id: u32,
}

/// Boxed and absent outside a transaction that used them: every session holds one, most
/// never take a savepoint, and an idle session's bytes count (docs/MEMORY.md).
#[derive(Default)]
pub(super) struct Subxacts(Option<Box<Levels>>);

#[derive(Default)]
struct Levels {
    /// The open savepoints, innermost last.
    open: Vec<Savepoint>,
    /// Tables created or truncated, with the subtransaction that did it.
    fresh: Vec<(String, u32)>,
    /// The last subtransaction number given out in this transaction.
    last: u32,
}

impl Levels {
    fn current(&self) -> u32 {
        self.open.last().map_or(0, |s| s.id)
    }

    fn next_id(&mut self) -> u32 {
        self.last += 1;
        self.last
    }
}

impl Subxacts {
    fn levels(&mut self) -> &mut Levels {
        self.0.get_or_insert_with(Default::default)
    }

    /// `SAVEPOINT name`, taken in the mode `read_only`.
    pub(super) fn savepoint(&mut self, name: String, read_only: bool) {
        let levels = self.levels();
        let id = levels.next_id();
        levels.open.push(Savepoint {
            name,
            read_only,
            id,
        });
    }

    /// `RELEASE name` (`rollback` false) or `ROLLBACK TO name` (true), which keeps the
    /// savepoint itself; those taken after it end either way. Returns the READ ONLY mode
    /// the savepoint was taken in, to be restored; None for an unknown name.
    pub(super) fn end(&mut self, name: &str, rollback: bool) -> Option<bool> {
        let levels = self.0.as_mut()?;
        let at = levels.open.iter().rposition(|s| s.name == name)?;
        let read_only = levels.open[at].read_only;
        let ended: Vec<u32> = levels.open[at..].iter().map(|s| s.id).collect();
        if rollback {
            levels.fresh.retain(|(_, id)| !ended.contains(id));
            levels.open.truncate(at + 1);
            let id = levels.next_id();
            levels.open[at].id = id;
        } else {
            levels.open.truncate(at);
            let parent = levels.current();
            for (_, id) in &mut levels.fresh {
                if ended.contains(id) {
                    *id = parent;
                }
            }
        }
        Some(read_only)
    }

    /// `table` was created or truncated in the current subtransaction.
    pub(super) fn mark_fresh(&mut self, table: String) {
        let levels = self.levels();
        let id = levels.current();
        levels.fresh.push((table, id));
    }

    /// Whether `table` was created or truncated in the current subtransaction.
    pub(super) fn is_fresh(&self, table: &str) -> bool {
        self.0.as_ref().is_some_and(|levels| {
            let id = levels.current();
            levels.fresh.iter().any(|(t, i)| *i == id && t == table)
        })
    }

    /// The transaction ended.
    pub(super) fn clear(&mut self) {
        self.0 = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_fresh_only_in_the_subtransaction_that_truncated_it() {
        let mut s = Subxacts::default();
        s.mark_fresh("t".into());
        assert!(s.is_fresh("t"));
        assert!(!s.is_fresh("u"));
        s.savepoint("a".into(), false);
        assert!(!s.is_fresh("t"));
        s.savepoint("b".into(), false);
        assert_eq!(s.end("b", false), Some(false));
        // Back in a, not at the top level where t was truncated.
        assert!(!s.is_fresh("t"));
        s.end("a", false);
        assert!(s.is_fresh("t"));
    }

    #[test]
    fn release_hands_tables_to_the_parent_and_rollback_to_forgets_them() {
        let mut s = Subxacts::default();
        s.savepoint("a".into(), false);
        s.mark_fresh("t".into());
        s.end("a", false);
        assert!(s.is_fresh("t"));

        let mut s = Subxacts::default();
        s.savepoint("a".into(), true);
        s.mark_fresh("t".into());
        assert_eq!(s.end("a", true), Some(true));
        // The savepoint stays, as a new subtransaction without the truncation.
        assert!(!s.is_fresh("t"));
        s.end("a", false);
        assert!(!s.is_fresh("t"));
        assert_eq!(s.end("a", false), None);
    }

    #[test]
    fn a_truncation_before_a_rolled_back_savepoint_is_not_in_the_new_one() {
        // PostgreSQL: INSERT; SAVEPOINT s1; TRUNCATE; ROLLBACK TO s1; COPY … FREEZE fails.
        let mut s = Subxacts::default();
        s.savepoint("s1".into(), false);
        s.mark_fresh("t".into());
        s.end("s1", true);
        assert!(!s.is_fresh("t"));
        s.mark_fresh("t".into());
        assert!(s.is_fresh("t"));
        s.clear();
        assert!(!s.is_fresh("t"));
    }
}
