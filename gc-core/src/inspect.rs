//! Looking inside the heap by name: the breadth-first walk that retainer paths and heap
//! snapshots share (`inspector.rs` offers them at a collection point).
//!
//! # The walk
//! `breadth_first` visits every object the roots reach, each once, with named tracing
//! (`named.rs`): first the objects of the root table, in its order, then the state of
//! [`Heap::run`](crate::Heap::run) as one more source after them, then what those reach, level
//! by level. So the first way the walk reaches an object is a shortest path to it, and the
//! walk visits objects in the order a heap snapshot's reader walks its nodes. Weak edges are
//! counted (they name the edges after them) but not followed. Like the census, the walk moves
//! nothing and writes nothing.
//!
//! # When it may run
//! Only between scopes, when no reference into an object is alive: named tracing takes each
//! value by `&mut`. Inside a scope,
//! [`Mutation::inspect_after_scope`](crate::Mutation::inspect_after_scope) asks for an
//! [`Inspector`](crate::Inspector) at the collection point that follows the scope, which for
//! a step of [`Heap::run`](crate::Heap::run) sees the run's state as a root too.

use core::ops::ControlFlow;
use core::ptr::NonNull;
use std::collections::{HashSet, VecDeque};

use crate::header;
use crate::heap_state::HeapState;
use crate::named::scan_named;
use crate::trace::{NamedTracer, NamedVisitor, Step};
use crate::type_info::TypeInfo;
use crate::word_hash::WordHash;

/// The state of a step loop, traced by name; `None` outside [`Heap::run`](crate::Heap::run).
pub(crate) type RunState<'a> = Option<&'a mut dyn FnMut(&mut NamedTracer<'_>)>;

/// A set of object addresses.
pub(crate) type AddressSet = HashSet<usize, WordHash>;

/// The type of an object the walk reached, between scopes.
pub(crate) fn type_info_of(obj: NonNull<u8>) -> &'static TypeInfo {
    // SAFETY: the walks run between scopes and collections and call this with objects they
    // reached, which are live, with intact headers (nothing is forwarded).
    unsafe { header::read(obj) }.type_info()
}

/// How the walk first reached an object.
pub(crate) enum Via<'s> {
    /// From the root table's slot `index`.
    Root(usize),
    /// From the run's state, by the edge named `name` (`ordinal` counts the state's edges
    /// before it).
    RunState {
        name: Option<&'s Step<'s>>,
        ordinal: u32,
    },
    /// From the object `from`, by its edge `name`.
    Edge {
        from: NonNull<u8>,
        name: Option<&'s Step<'s>>,
        ordinal: u32,
    },
}

/// What the walk visits next.
enum Pending {
    Object(NonNull<u8>),
    RunState,
}

/// Called with each object the walk reaches, once, and how; `Break` ends the walk.
pub(crate) type Found<'f> = dyn FnMut(NonNull<u8>, Via<'_>) -> ControlFlow<()> + 'f;

/// The objects found and not yet visited.
struct Frontier<'f> {
    seen: AddressSet,
    queue: VecDeque<Pending>,
    found: &'f mut Found<'f>,
    /// The object being visited; `None` for the run's state.
    from: Option<NonNull<u8>>,
    ordinal: u32,
    done: bool,
}

impl NamedVisitor for Frontier<'_> {
    fn edge(&mut self, name: Option<&Step<'_>>, target: NonNull<u8>) {
        let ordinal = self.ordinal;
        self.ordinal += 1;
        if self.done || !self.seen.insert(target.as_ptr().addr()) {
            return;
        }
        let via = match self.from {
            Some(from) => Via::Edge {
                from,
                name,
                ordinal,
            },
            None => Via::RunState { name, ordinal },
        };
        self.done = (self.found)(target, via).is_break();
        self.queue.push_back(Pending::Object(target));
    }

    fn weak_edge(&mut self, _: Option<&Step<'_>>, _: NonNull<u8>) {
        self.ordinal += 1;
    }
}

/// Walks the reachable objects breadth-first (see the module's documentation), calling
/// `found` with each when first reached, until it says `Break`. The root table's slot
/// `skip_root`, if any, is not a source. Must run between scopes, outside collections.
pub(crate) fn breadth_first(
    heap: &HeapState,
    run_state: &mut RunState<'_>,
    skip_root: Option<usize>,
    found: &mut Found<'_>,
) {
    heap.check_usable();
    let mut frontier = Frontier {
        seen: AddressSet::default(),
        queue: VecDeque::new(),
        found,
        from: None,
        ordinal: 0,
        done: false,
    };
    heap.roots.for_each_root(|index, obj| {
        if frontier.done || Some(index) == skip_root {
            return;
        }
        if frontier.seen.insert(obj.as_ptr().addr()) {
            frontier.done = (frontier.found)(obj, Via::Root(index)).is_break();
            frontier.queue.push_back(Pending::Object(obj));
        }
    });
    if run_state.is_some() {
        frontier.queue.push_back(Pending::RunState);
    }
    while let Some(next) = frontier.queue.pop_front() {
        if frontier.done {
            return;
        }
        frontier.ordinal = 0;
        match next {
            Pending::Object(obj) => {
                frontier.from = Some(obj);
                let info = type_info_of(obj);
                // SAFETY: between scopes and collections every reachable object is live and
                // intact, and no scope is open, so no reference to its value is alive.
                unsafe { scan_named(obj, info, &mut frontier) };
            }
            Pending::RunState => {
                frontier.from = None;
                if let Some(trace) = run_state.as_mut() {
                    trace(&mut NamedTracer::new(&mut frontier))
                }
            }
        }
    }
}
