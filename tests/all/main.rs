//! Integration tests of the managed heap, linked as one binary.

mod common;
mod basics;
