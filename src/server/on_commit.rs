//! A temporary table's ON COMMIT DELETE ROWS / ON COMMIT DROP, carried out when the
//! session's transaction ends. The tables and their actions are kept in the session's
//! own `temp._litewire_on_commit` (engine/objects/relations.rs); the connection notes
//! when one was given (`AuthNotes::has_on_commit`), so a session without one pays
//! nothing.
//!
//! PostgreSQL empties or drops the table as part of the commit; here it happens right
//! after. Nobody else sees a temporary table, and a rolled-back transaction leaves it
//! as the last commit did (empty, or gone with the CREATE), so no one can tell.

use super::session::Session;
use crate::protocol::PgError;

impl Session {
    /// Empties or drops the session's ON COMMIT tables (with no transaction open).
    pub(super) async fn on_commit_actions(&mut self) -> Result<(), PgError> {
        let noted = self
            .lease
            .as_ref()
            .is_some_and(|l| l.conn().notes().has_on_commit());
        if !noted {
            return Ok(());
        }
        let table = crate::engine::objects::ON_COMMIT_TABLE;
        // Made in a transaction that was rolled back: gone, and so are its tables.
        let made = self
            .first_value(
                "SELECT count(*) FROM temp.sqlite_schema WHERE name = '_litewire_on_commit'",
            )
            .await?;
        let mut kept = 0;
        while let Some(entry) = match made.as_deref() {
            Some("1") => {
                self.first_value(&format!(
                    "SELECT action || ' ' || name FROM {table} ORDER BY name \
                     LIMIT 1 OFFSET {kept}"
                ))
                .await?
            }
            _ => None,
        } {
            let (action, name) = entry.split_once(' ').unwrap_or(("delete", &entry));
            let (action, name) = (action.to_string(), name.to_string());
            let ident = crate::sql::lexer::quote_ident(&name);
            if action == "drop" {
                let quoted = name.replace('\'', "''");
                self.control(&format!("DROP TABLE IF EXISTS temp.{ident}"))
                    .await?;
                self.control(&format!("SELECT litewire_drop_owned('{quoted}', 'temp')"))
                    .await?;
                self.control(&format!("DELETE FROM {table} WHERE name = '{quoted}'"))
                    .await?;
            } else {
                self.control(&format!("DELETE FROM temp.{ident}")).await?;
                kept += 1;
            }
        }
        if kept == 0 {
            if let Some(lease) = &self.lease {
                lease.conn().notes().clear_on_commit();
            }
        }
        Ok(())
    }
}
