//! Integration tests of the managed heap, linked as one binary.

mod barrier;
mod basics;
mod cards;
mod census;
mod collections;
mod common;
mod config;
mod cycles;
mod events;
mod faults;
mod large;
mod limit;
mod long_list;
mod model;
mod moving;
mod pacing;
mod reclaim;
mod recursive;
mod retainers;
mod snapshot;
mod stats;
mod steps;
mod verifier;
mod weak;
