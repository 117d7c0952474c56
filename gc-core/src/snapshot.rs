//! Heap snapshots in the V8 `.heapsnapshot` format, which Chrome DevTools' Memory panel
//! opens (Load profile), with dominators and retained sizes.
//!
//! # The format
//! One JSON object: `snapshot.meta` says what the fields of each node and edge are (the field
//! lists of V8's own snapshots), `nodes` and `edges` are flat arrays of numbers with that many
//! fields per entry, and `strings` holds every name, referred to by index. A node's edges are
//! the `edge_count` edges after those of the nodes before it; an edge's `to_node` is the index
//! of its target's first field in `nodes`.
//!
//! # What it holds
//! - Node 0, the synthetic root, with an edge `Root #i` to the object of each root (the slot
//!   numbers of [`Root::index`](crate::Root::index)) and, at a collection point of
//!   [`Heap::run`](crate::Heap::run), an edge `heap.run state` to a node of that name, which
//!   holds the edges of the run's state.
//! - One node per object the roots reach, in the order a breadth-first walk reaches them
//!   (`inspect.rs`): type `object` named by the short name of its Rust type (`Env`,
//!   `Vec<Gc<Node>>`), or `string` named by its text for a `Gc<str>`, with its size in the
//!   heap, header included, as self size.
//! - One edge per pointer, named by its field (see [`crate::named`]): `property` edges named
//!   `parent` or `vars[12]`, `element` edges numbered by index for the elements of a slice
//!   object, `internal` edges `#0`, `#1`, ... for pointers of types that name none, and
//!   `weak` edges for weak references whose target is in the snapshot.
//!
//! Node ids are odd, as V8's are for heap objects: `1` for the root, then `3`, `5`, ... in
//! node order. Objects move, so an id names a node of one snapshot only; comparing two
//! snapshots by id (DevTools' Comparison view) is not meaningful.

use core::ops::ControlFlow;
use core::ptr::NonNull;
use std::collections::HashMap;
use std::io::{self, Write};

use crate::header;
use crate::heap_state::HeapState;
use crate::inspect::{breadth_first, type_info_of, RunState};
use crate::named::{edge_name, scan_named, short_type_name};
use crate::retainers::RUN_STATE;
use crate::trace::{NamedTracer, NamedVisitor, Step};
use crate::type_info::Object;
use crate::word_hash::WordHash;

/// The size of a heap snapshot that was written: what a reader of it should find.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SnapshotSummary {
    /// Nodes: the root, the run's state if any, and one per reachable object.
    pub nodes: usize,
    /// Edges: one per root, one to the run's state if any, and one per pointer (weak ones
    /// only to objects in the snapshot).
    pub edges: usize,
    /// The objects' bytes, the sum of the nodes' self sizes: the census's total.
    pub bytes: u64,
}

/// V8's field lists, in V8's order.
const META: &str = r#"{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],"trace_node_fields":["id","function_info_index","count","size","children"],"sample_fields":["timestamp_us","last_assigned_id"],"location_fields":["object_index","script_id","line","column"]}"#;

/// Numbers per node and per edge: the lengths of `node_fields` and `edge_fields`.
const NODE_FIELDS: u32 = 7;

/// Node types, as indices into `node_types`.
const STRING: u32 = 2;
const OBJECT: u32 = 3;
const SYNTHETIC: u32 = 9;

/// Edge types, as indices into `edge_types`.
const ELEMENT: u32 = 1;
const PROPERTY: u32 = 2;
const INTERNAL: u32 = 3;
const WEAK: u32 = 6;

/// How much of a string's text names its node.
const STRING_NAME_CHARS: usize = 200;

/// The strings table: each name once.
#[derive(Default)]
struct Strings {
    ids: HashMap<String, u32>,
    list: Vec<String>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.list.len() as u32;
        self.list.push(s.to_owned());
        self.ids.insert(s.to_owned(), id);
        id
    }
}

/// Node numbers by object address.
type Ordinals = HashMap<usize, u32, WordHash>;

/// Collects the edges of one node after another.
struct Edges<'a> {
    ordinals: &'a Ordinals,
    strings: &'a mut Strings,
    /// `[type, name_or_index, to_node]` each.
    list: Vec<[u32; 3]>,
    /// The ordinal of the next edge of the node being scanned.
    ordinal: u32,
}

impl Edges<'_> {
    fn push(&mut self, kind: u32, name: u32, to_ordinal: u32) {
        self.list.push([kind, name, to_ordinal * NODE_FIELDS])
    }
}

impl NamedVisitor for Edges<'_> {
    fn edge(&mut self, name: Option<&Step<'_>>, target: NonNull<u8>) {
        let ordinal = self.ordinal;
        self.ordinal += 1;
        let to = self.ordinals[&target.as_ptr().addr()];
        match name.and_then(Step::as_index) {
            Some(index) => self.push(ELEMENT, index as u32, to),
            None => {
                let kind = if name.is_some() { PROPERTY } else { INTERNAL };
                let name = self.strings.id(&edge_name(name, ordinal));
                self.push(kind, name, to)
            }
        }
    }

    fn weak_edge(&mut self, name: Option<&Step<'_>>, target: NonNull<u8>) {
        let ordinal = self.ordinal;
        self.ordinal += 1;
        if let Some(&to) = self.ordinals.get(&target.as_ptr().addr()) {
            let name = self.strings.id(&edge_name(name, ordinal));
            self.push(WEAK, name, to)
        }
    }
}

/// Writes `s` as a JSON string.
fn write_json_string(out: &mut impl Write, s: &str) -> io::Result<()> {
    out.write_all(b"\"")?;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.write_all(&s.as_bytes()[start..i])?;
        if escape.is_empty() {
            write!(out, "\\u{:04x}", c as u32)?;
        } else {
            out.write_all(escape.as_bytes())?;
        }
        start = i + c.len_utf8();
    }
    out.write_all(&s.as_bytes()[start..])?;
    out.write_all(b"\"")
}

impl HeapState {
    /// Writes a snapshot of the objects the roots (and the run's state, if any) reach.
    /// Must run between scopes.
    pub(crate) fn write_heap_snapshot(
        &self,
        out: impl Write,
        run_state: &mut RunState<'_>,
    ) -> io::Result<SnapshotSummary> {
        let mut objects = Vec::new();
        breadth_first(self, run_state, None, &mut |obj, _| {
            objects.push(obj);
            ControlFlow::Continue(())
        });
        let first_object = 1 + u32::from(run_state.is_some());
        let ordinals: Ordinals = objects
            .iter()
            .enumerate()
            .map(|(i, obj)| (obj.as_ptr().addr(), first_object + i as u32))
            .collect();

        let mut strings = Strings::default();
        strings.id("");
        let mut edges = Edges {
            ordinals: &ordinals,
            strings: &mut strings,
            list: Vec::new(),
            ordinal: 0,
        };
        // Each node's edges are those added from `ends[node - 1]` (or 0) to `ends[node]`.
        let mut ends = Vec::with_capacity(first_object as usize + objects.len());
        self.roots.for_each_root(|index, obj| {
            let name = edges.strings.id(&format!("Root #{index}"));
            edges.push(PROPERTY, name, ordinals[&obj.as_ptr().addr()]);
        });
        if let Some(trace) = run_state.as_mut() {
            let name = edges.strings.id(RUN_STATE);
            edges.push(PROPERTY, name, 1);
            ends.push(edges.list.len());
            trace(&mut NamedTracer::new(&mut edges));
        }
        ends.push(edges.list.len());
        for &obj in &objects {
            edges.ordinal = 0;
            let info = type_info_of(obj);
            // SAFETY: between scopes every object the walk reached is live, and no reference
            // to its value is alive.
            unsafe { scan_named(obj, info, &mut edges) };
            ends.push(edges.list.len());
        }
        let edge_list = edges.list;

        let mut out = io::BufWriter::new(out);
        let node_count = ends.len();
        write!(
            out,
            "{{\"snapshot\":{{\"meta\":{META},\"node_count\":{node_count},\"edge_count\":{},\
             \"trace_function_count\":0}},\n\"nodes\":[",
            edge_list.len()
        )?;
        let mut start = 0;
        let mut bytes = 0;
        let mut node = |out: &mut io::BufWriter<_>, ordinal: usize, kind, name, size| {
            let count = ends[ordinal] - start;
            start = ends[ordinal];
            let comma = if ordinal == 0 { "" } else { "," };
            let id = 2 * ordinal + 1;
            writeln!(out, "{comma}{kind},{name},{id},{size},{count},0,0")
        };
        let root = strings.id("");
        node(&mut out, 0, SYNTHETIC, root, 0)?;
        if first_object == 2 {
            let name = strings.id(&format!("({RUN_STATE})"));
            node(&mut out, 1, OBJECT, name, 0)?;
        }
        for (i, &obj) in objects.iter().enumerate() {
            let info = type_info_of(obj);
            // SAFETY: the object is live, with an intact header and length word.
            let size = unsafe { header::read(obj).object_size(obj) } as u64;
            bytes += size;
            let (kind, name) = if info.name() == "str" {
                // SAFETY: an object whose type is named `str` is a string object, live.
                let text = unsafe { <str as Object>::value(obj) };
                let end = text
                    .char_indices()
                    .nth(STRING_NAME_CHARS)
                    .map_or(text.len(), |(i, _)| i);
                (STRING, strings.id(&text[..end]))
            } else {
                (OBJECT, strings.id(&short_type_name(info.name())))
            };
            node(&mut out, first_object as usize + i, kind, name, size)?;
        }
        out.write_all(b"],\n\"edges\":[")?;
        for (i, [kind, name, to]) in edge_list.iter().enumerate() {
            let comma = if i == 0 { "" } else { "," };
            writeln!(out, "{comma}{kind},{name},{to}")?;
        }
        out.write_all(
            b"],\n\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\
              \"locations\":[],\n\"strings\":[",
        )?;
        for (i, s) in strings.list.iter().enumerate() {
            if i > 0 {
                out.write_all(b",\n")?;
            }
            write_json_string(&mut out, s)?;
        }
        out.write_all(b"]}\n")?;
        out.flush()?;
        Ok(SnapshotSummary {
            nodes: node_count,
            edges: edge_list.len(),
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::write_json_string;

    #[test]
    fn strings_are_escaped_for_json() {
        let mut out = Vec::new();
        write_json_string(&mut out, "a\"b\\c\nd\u{1}é").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#""a\"b\\c\nd\u0001é""#);
    }
}
