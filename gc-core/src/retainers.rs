//! Retainer paths: why an object is still alive.
//!
//! [`Heap::retainer_path`](crate::Heap::retainer_path) answers "what keeps this alive?" with
//! the shortest chain of pointers from a root to the object, each step named by the field
//! that holds the pointer (see [`crate::named`]):
//!
//! ```text
//! Root #3 -> Env.parent -> Env.vars[12] -> Closure.body -> Node
//! ```
//!
//! The walk (`inspect.rs`) goes breadth-first from the roots in the root table's order, then
//! from the state of [`Heap::run`](crate::Heap::run) when an [`Inspector`](crate::Inspector)
//! sees one, so the first path found is a shortest one. Weak references are not followed: an
//! object that only weak references reach has no path. A path to an object named by a
//! [`Root`] leaves that root out (it is the root the question is about); one named by a
//! [`WeakRoot`] has nothing to leave out, since a weak root holds its object weakly.

use core::fmt;
use core::ops::ControlFlow;
use core::ptr::NonNull;
use std::collections::HashMap;
use std::rc::Rc;

use crate::heap_state::HeapState;
use crate::inspect::{breadth_first, type_info_of, RunState, Via};
use crate::named::{edge_name, short_type_name};
use crate::root::{Root, WeakRoot};
use crate::root_table::RootTable;
use crate::word_hash::WordHash;

/// Where a retainer path starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathRoot {
    /// The [`Root`] in the root table's slot `index` ([`Root::index`]).
    Slot {
        /// The root's slot.
        index: usize,
    },
    /// The state of [`Heap::run`](crate::Heap::run), between two steps.
    RunState,
}

/// One pointer of a retainer path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathStep {
    /// The type of the object that holds the pointer, as its type descriptor names it;
    /// `None` for the run's state.
    pub from: Option<&'static str>,
    /// The field that holds it: `parent`, `vars[12]`, `Pair.0` (a variant's field),
    /// `table{"key"}`, or `#2` (the third pointer of a type that names none).
    pub edge: String,
    /// The type of the object it points to.
    pub to: &'static str,
}

/// The shortest chain of pointers from a root to an object: from
/// [`Heap::retainer_path`](crate::Heap::retainer_path).
///
/// Its `Display` form names the root, each field on the way with the short name of the type
/// that holds it, and the object's type: `Root #3 -> Env.vars[12] -> Closure.body -> Node`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetainerPath {
    /// Where it starts.
    pub root: PathRoot,
    /// The pointers, from the root's object to the target; empty if the root holds the
    /// target itself.
    pub steps: Vec<PathStep>,
    /// The type of the object the path leads to.
    pub target: &'static str,
}

impl RetainerPath {
    /// The names of the path's edges as a heap snapshot
    /// ([`Heap::write_heap_snapshot`](crate::Heap::write_heap_snapshot)) names them, from its
    /// root node: the root's (`Root #3`, or `heap.run state`), then each step's.
    pub fn edge_names(&self) -> Vec<String> {
        let first = match self.root {
            PathRoot::Slot { index } => format!("Root #{index}"),
            PathRoot::RunState => RUN_STATE.to_string(),
        };
        let steps = self.steps.iter().map(|s| s.edge.clone());
        core::iter::once(first).chain(steps).collect()
    }
}

/// What the run's state is called, in paths and snapshots.
pub(crate) const RUN_STATE: &str = "heap.run state";

/// Whether a field name follows its holder directly (`[3]`, `{"k"}`, `#0`) or after a dot.
fn separator(edge: &str) -> &'static str {
    if edge.starts_with(['[', '{', '#']) {
        ""
    } else {
        "."
    }
}

impl fmt::Display for RetainerPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.root {
            PathRoot::Slot { index } => write!(f, "Root #{index}")?,
            PathRoot::RunState => f.write_str(RUN_STATE)?,
        }
        for step in &self.steps {
            let sep = separator(&step.edge);
            match step.from {
                Some(from) => write!(f, " -> {}{sep}{}", short_type_name(from), step.edge)?,
                None => write!(f, "{sep}{}", step.edge)?,
            }
        }
        write!(f, " -> {}", short_type_name(self.target))
    }
}

/// An object to find a retainer path to: a [`&Root`](Root) or a [`&WeakRoot`](WeakRoot).
pub struct PathTarget<'a>(&'a dyn Locate);

/// Finds the object a handle names, between scopes.
trait Locate {
    /// The object, if alive, and the root slot to leave out of the walk; panics if the
    /// handle belongs to another heap than the one of `roots`.
    fn locate(&self, roots: &Rc<RootTable>) -> (Option<NonNull<u8>>, Option<usize>);
}

impl<T: ?Sized> Locate for Root<T> {
    fn locate(&self, roots: &Rc<RootTable>) -> (Option<NonNull<u8>>, Option<usize>) {
        (Some(self.object(roots)), Some(self.index()))
    }
}

impl<T: ?Sized> Locate for WeakRoot<T> {
    fn locate(&self, roots: &Rc<RootTable>) -> (Option<NonNull<u8>>, Option<usize>) {
        (self.object(roots), None)
    }
}

impl<'a, T: ?Sized + 'a> From<&'a Root<T>> for PathTarget<'a> {
    fn from(root: &'a Root<T>) -> Self {
        PathTarget(root)
    }
}

impl<'a, T: ?Sized + 'a> From<&'a WeakRoot<T>> for PathTarget<'a> {
    fn from(weak: &'a WeakRoot<T>) -> Self {
        PathTarget(weak)
    }
}

/// How the walk first reached an object.
enum Origin {
    Root(usize),
    RunState(String),
    Edge { from: NonNull<u8>, name: String },
}

/// The type name of an object the walk reached.
fn type_name(obj: NonNull<u8>) -> &'static str {
    type_info_of(obj).name()
}

impl HeapState {
    /// The shortest path from a root (or the run's state) to `target`, if one reaches it.
    /// Must run between scopes.
    pub(crate) fn retainer_path(
        &self,
        target: PathTarget<'_>,
        run_state: &mut RunState<'_>,
    ) -> Option<RetainerPath> {
        let (goal, skip_root) = target.0.locate(&self.roots);
        let goal = goal?;
        let mut origins: HashMap<usize, Origin, WordHash> = HashMap::default();
        let mut reached = false;
        breadth_first(self, run_state, skip_root, &mut |obj, via| {
            let origin = match via {
                Via::Root(index) => Origin::Root(index),
                Via::RunState { name, ordinal } => Origin::RunState(edge_name(name, ordinal)),
                Via::Edge {
                    from,
                    name,
                    ordinal,
                } => Origin::Edge {
                    from,
                    name: edge_name(name, ordinal),
                },
            };
            origins.insert(obj.as_ptr().addr(), origin);
            reached = obj == goal;
            if reached {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        if !reached {
            return None;
        }
        let mut steps = Vec::new();
        let mut at = goal;
        let root = loop {
            match origins.remove(&at.as_ptr().addr()) {
                Some(Origin::Root(index)) => break PathRoot::Slot { index },
                Some(Origin::RunState(edge)) => {
                    steps.push(PathStep {
                        from: None,
                        edge,
                        to: type_name(at),
                    });
                    break PathRoot::RunState;
                }
                Some(Origin::Edge { from, name }) => {
                    steps.push(PathStep {
                        from: Some(type_name(from)),
                        edge: name,
                        to: type_name(at),
                    });
                    at = from;
                }
                None => unreachable!("every object the walk reached has an origin"),
            }
        };
        steps.reverse();
        Some(RetainerPath {
            root,
            steps,
            target: type_name(goal),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_the_root_each_field_and_the_target() {
        let step = |from, edge: &str, to| PathStep {
            from,
            edge: edge.to_string(),
            to,
        };
        let path = RetainerPath {
            root: PathRoot::Slot { index: 3 },
            steps: vec![
                step(Some("app::Env<'_>"), "parent", "app::Env<'_>"),
                step(Some("app::Env<'_>"), "vars[12]", "app::Closure<'_>"),
                step(Some("app::Closure<'_>"), "body", "app::Node<'_>"),
            ],
            target: "app::Node<'_>",
        };
        assert_eq!(
            path.to_string(),
            "Root #3 -> Env.parent -> Env.vars[12] -> Closure.body -> Node"
        );
        assert_eq!(path.edge_names(), ["Root #3", "parent", "vars[12]", "body"]);
        let path = RetainerPath {
            root: PathRoot::RunState,
            steps: vec![step(None, "0", "u8"), step(Some("[u8]"), "[1]", "u8")],
            target: "u8",
        };
        assert_eq!(path.to_string(), "heap.run state.0 -> [u8][1] -> u8");
    }
}
