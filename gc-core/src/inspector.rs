//! The [`Inspector`]: retainer paths, heap snapshots and the census at the collection point
//! after a scope, with the state of [`Heap::run`](crate::Heap::run) among the roots when there
//! is one. The walk they share is `inspect.rs`.

use std::io;

use crate::census::Census;
use crate::heap_state::HeapState;
use crate::inspect::RunState;
use crate::mutation::Mutation;
use crate::retainers::{PathTarget, RetainerPath};
use crate::snapshot::SnapshotSummary;
use crate::stats::HeapStats;

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
    /// use tenured_gc::{Gc, Heap, RunState};
    ///
    /// let mut heap = Heap::new();
    /// let seen = Rc::new(RefCell::new(Vec::new()));
    /// let out = Rc::clone(&seen);
    /// heap.run(
    ///     |m| RunState::new(Gc::new(m, 1u64)),
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
        let inspection: Inspection = Box::new(f);
        self.heap()
            .inspections
            .borrow_mut()
            .push(Box::new(inspection))
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
                let inspection = inspection
                    .downcast::<Inspection>()
                    .expect("only inspections are queued");
                inspection(&mut inspector)
            }
        }
    }
}
