//! Integration tests: the real litewire binary, real clients, real sockets.

mod common;
mod wire;

mod admin;
mod arrays;
mod basics;
mod catalog;
mod clients;
mod concurrency;
mod copy;
mod corpus;
mod cursors;
mod dates;
mod functions;
mod hostile;
mod invalid_input;
mod iothread;
mod isolation;
mod json;
mod lifecycle;
mod limits;
mod math;
mod objects;
mod operators;
mod ordering;
mod pgbench;
mod protocol;
mod safety;
mod startup;
mod transactions;
mod typed;
mod typing;
mod utility;
