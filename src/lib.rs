//! litewire: a PostgreSQL wire-protocol server that serves SQLite database files.
//!
//! Layout (see ARCHITECTURE.md for the life of a connection and of a query):
//! - [`config`]: flags and environment variables.
//! - [`protocol`]: the IO-free PostgreSQL v3 codec and error type.
//! - [`sql`]: statement splitting and classification (no database needed).
//! - [`engine`]: SQLite files, connections, statement execution, type mapping.
//! - [`server`]: accept loop, startup handshake, sessions.
//! - [`replication`]: Litestream's processes for a replicated or followed data folder.
//! - `fuzzing` (hidden): what the fuzz targets in `fuzz/` run.

pub mod config;
pub mod engine;
#[doc(hidden)]
pub mod fuzzing;
pub mod memory;
pub mod protocol;
pub mod replication;
pub mod server;
pub mod sql;
