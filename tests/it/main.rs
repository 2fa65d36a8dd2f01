//! Integration tests: the real litewire binary, real clients, real sockets.

mod common;
mod wire;

mod admin;
mod basics;
mod catalog;
mod clients;
mod concurrency;
mod copy;
mod cursors;
mod invalid_input;
mod lifecycle;
mod pgbench;
mod protocol;
mod safety;
mod startup;
mod transactions;
mod typed;
