//! Integration tests of the managed heap, linked as one binary.

mod barrier;
mod basics;
mod cards;
mod census;
mod collections;
mod common;
mod config;
mod cycles;
mod debug;
mod dyn_objects;
mod events;
mod faults;
mod identity;
mod large;
mod leaf_cells;
mod limit;
mod long_list;
mod model;
mod moving;
mod pacing;
mod reclaim;
mod recursive;
mod stats;
mod steps;
mod verifier;
mod weak;
