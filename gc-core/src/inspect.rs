//! Looking inside the heap by name: the breadth-first walk that retainer paths and heap
//! snapshots share, and the [`Inspector`] that offers them at a collection point.
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
//! value by `&mut`. Inside a scope, [`Mutation::inspect_after_scope`] asks for an
//! [`Inspector`] at the collection point that follows the scope, which for a step of
//! [`Heap::run`](crate::Heap::run) sees the run's state as a root too.

use core::hash::BuildHasherDefault;
use core::ops::ControlFlow;
use core::ptr::NonNull;
use std::collections::{HashSet, VecDeque};
use std::io;

use crate::census::{AddressHasher, Census};
use crate::header;
use crate::heap_state::HeapState;
use crate::mutation::Mutation;
use crate::named::{scan_named, NamedTracer, NamedVisitor, Step};
use crate::retainers::{PathTarget, RetainerPath};
use crate::snapshot::SnapshotSummary;
use crate::stats::HeapStats;
use crate::type_info::TypeInfo;

/// The state of a step loop, traced by name; `None` outside [`Heap::run`](crate::Heap::run).
pub(crate) type RunState<'a> = Option<&'a mut dyn FnMut(&mut NamedTracer<'_>)>;

/// A set of object addresses.
pub(crate) type AddressSet = HashSet<usize, BuildHasherDefault<AddressHasher>>;

/// A look at the heap at a collection point: retainer paths, snapshots and the census, with
/// the state of [`Heap::run`](crate::Heap::run) among the roots when there is one.
///
/// Handed to the closure of [`Mutation::inspect_after_scope`]; between scopes, [`Heap`]'s own
/// methods do the same.
///
/// [`Heap`]: crate::Heap
pub struct Inspector<'a> {
    pub(crate) heap: &'a HeapState,
    pub(crate) run_state: RunState<'a>,
}

impl Inspector<'_> {
    /// The shortest path from a root to `target`, as
    /// [`Heap::retainer_path`](crate::Heap::retainer_path) finds it, the run's state
    /// included.
    pub fn retainer_path<'t>(&mut self, target: impl Into<PathTarget<'t>>) -> Option<RetainerPath> {
        self.heap.retainer_path(target.into(), &mut self.run_state)
    }

    /// Writes a heap snapshot, as
    /// [`Heap::write_heap_snapshot`](crate::Heap::write_heap_snapshot) does, the run's state
    /// included.
    pub fn write_heap_snapshot(&mut self, out: impl io::Write) -> io::Result<SnapshotSummary> {
        self.heap.write_heap_snapshot(out, &mut self.run_state)
    }

    /// The census of the objects the root table reaches (see [`Heap::census`](crate::Heap::census)).
    pub fn census(&self) -> Census {
        self.heap.census()
    }

    /// The heap's statistics.
    pub fn stats(&self) -> HeapStats {
        self.heap.stats()
    }

    /// Whether the state of [`Heap::run`](crate::Heap::run) is among the roots.
    pub fn has_run_state(&self) -> bool {
        self.run_state.is_some()
    }
}

/// The type of an object the walk reached, between scopes.
pub(crate) fn type_info_of(obj: NonNull<u8>) -> &'static TypeInfo {
    // SAFETY: the walks run between scopes and collections and call this with objects they
    // reached, which are live, with intact headers (nothing is forwarded).
    unsafe { header::read(obj) }.type_info()
}

/// What runs at the next collection point.
pub(crate) type Inspection = Box<dyn FnOnce(&mut Inspector<'_>)>;

impl<'gc> Mutation<'gc> {
    /// Calls `f` at the collection point that follows this scope, before any collection
    /// there, with an [`Inspector`]: for retainer paths and heap snapshots asked for from
    /// inside a scope, where the heap cannot be walked. After a step of
    /// [`Heap::run`](crate::Heap::run), the run's state is a root of the inspection.
    ///
    /// `f` cannot hold a `Gc`; give it a [`WeakRoot`](crate::WeakRoot) or a
    /// [`Root`](crate::Root) of what it should look at.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use std::{cell::RefCell, rc::Rc};
    /// use tenured_gc::{Gc, Heap};
    ///
    /// let mut heap = Heap::new();
    /// let seen = Rc::new(RefCell::new(Vec::new()));
    /// let out = Rc::clone(&seen);
    /// heap.run::<Gc<'static, u64>, ()>(
    ///     |m| Gc::new(m, 1),
    ///     |m, state| {
    ///         if *state == 3 {
    ///             return ControlFlow::Break(());
    ///         }
    ///         let next = Gc::new(m, *state + 1);
    ///         let weak = m.weak_root(next);
    ///         let out = Rc::clone(&out);
    ///         m.inspect_after_scope(move |heap| {
    ///             let path = heap.retainer_path(&weak).unwrap();
    ///             out.borrow_mut().push(path.to_string());
    ///         });
    ///         ControlFlow::Continue(next)
    ///     },
    /// );
    /// // The state is one `Gc`, an edge with no name: the first of the state's.
    /// assert_eq!(*seen.borrow(), ["heap.run state#0 -> u64"; 2]);
    /// ```
    pub fn inspect_after_scope(&self, f: impl FnOnce(&mut Inspector<'_>) + 'static) {
        self.heap().inspections.borrow_mut().push(Box::new(f))
    }
}

impl HeapState {
    /// Runs the inspections asked for in the scope that just ended, if any.
    #[inline]
    pub(crate) fn run_inspections<'a>(&'a self, run_state: RunState<'a>) {
        if !self.inspections.borrow().is_empty() {
            self.run_inspections_slow(run_state)
        }
    }

    #[cold]
    #[inline(never)]
    fn run_inspections_slow<'a>(&'a self, run_state: RunState<'a>) {
        let mut inspector = Inspector {
            heap: self,
            run_state,
        };
        loop {
            let pending = core::mem::take(&mut *self.inspections.borrow_mut());
            if pending.is_empty() {
                return;
            }
            for inspection in pending {
                inspection(&mut inspector)
            }
        }
    }
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
