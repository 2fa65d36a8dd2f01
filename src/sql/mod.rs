//! SQL text handling that needs no database: splitting a query string into statements
//! (by SQLite's own rules) and classifying each statement. IO-free and unit-tested.

mod arrays;
pub mod command;
pub mod copy;
pub mod cursor;
pub mod ddl;
pub mod infer;
pub mod lexer;
pub mod rewrite;

pub use command::{classify, Begin, BeginMode, Command, Verb};
pub use lexer::split;
