//! `Debug` for `Gc` that ends on cycles and on deep structures.
//!
//! # Why
//! A derived `Debug` writes every field, and follows every `Gc` into its object. The graphs of
//! an object model are often cyclic (a doubly linked list, a closure that holds its own
//! environment) or deep (a list of 100,000 nodes): followed blindly, the output never ends, or
//! the recursion overflows the stack and aborts the process.
//!
//! # How
//! A thread-local stack holds the objects whose `Debug` output is being written, outermost
//! first. A `Gc` to an object already on it closes a cycle and is written
//! `Gc(<cycle: Node>)`; a `Gc` that would nest more than [`DEPTH_LIMIT`] objects is written
//! `Gc(<depth limit: Node>)`. Either way the output says where it stopped and the type of the
//! object it did not enter. An object reached twice by different paths (shared, not cyclic)
//! is written each time, as `Rc`'s `Debug` does.
//!
//! Objects are told apart by address. That is sound for as long as it is used: a `Gc` exists
//! only inside a mutation scope, and no collection (so no move) runs during one. The addresses
//! are only compared, never followed, and each is popped when its object is written, a panic
//! included.

use core::cell::RefCell;
use core::fmt;
use core::ptr::NonNull;

/// How many objects the `Debug` output of a `Gc` enters, one inside the other, before it
/// stops.
pub(crate) const DEPTH_LIMIT: usize = 128;

thread_local! {
    /// The objects being written, outermost first.
    static FORMATTING: RefCell<Vec<NonNull<u8>>> = const { RefCell::new(Vec::new()) };
}

/// Writes `value`, the value of the object at `obj`, unless that object is being written
/// already or [`DEPTH_LIMIT`] objects are.
pub(crate) fn fmt_object<T: ?Sized + fmt::Debug>(
    obj: NonNull<u8>,
    value: &T,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let entered = FORMATTING.try_with(|stack| {
        let mut stack = stack.borrow_mut();
        if stack.contains(&obj) {
            Err("cycle")
        } else if stack.len() >= DEPTH_LIMIT {
            Err("depth limit")
        } else {
            stack.push(obj);
            Ok(())
        }
    });
    match entered {
        Ok(Ok(())) => {
            let _pop = Pop;
            fmt::Debug::fmt(value, f)
        }
        Ok(Err(why)) => {
            let name = short_type_name(core::any::type_name::<T>());
            write!(f, "Gc(<{why}: {name}>)")
        }
        // The thread is being torn down: no cycle check, but the value is written.
        Err(_) => fmt::Debug::fmt(value, f),
    }
}

/// Pops the object it was made for when its output is written or a panic unwinds through it.
struct Pop;

impl Drop for Pop {
    fn drop(&mut self) {
        let _ = FORMATTING.try_with(|stack| stack.borrow_mut().pop());
    }
}

/// A type's name without module paths and lifetimes: `Vec<Node>` for
/// `alloc::vec::Vec<my_crate::Node<'_>>`.
fn short_type_name(name: &str) -> String {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(name.len());
    // Where the path being read began in `out`.
    let mut path_start = 0;
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') && path_start < out.len() {
            chars.next();
            out.truncate(path_start);
        } else if c == '\'' {
            // A lifetime: drop it, with the separator after it, or the `<>` left empty.
            while chars.next_if(|&c| is_ident(c)).is_some() {}
            if chars.next_if_eq(&',').is_some() || chars.peek() == Some(&' ') {
                chars.next_if_eq(&' ');
            } else if out.ends_with(", ") {
                out.truncate(out.len() - 2);
            } else if out.ends_with('<') && chars.next_if_eq(&'>').is_some() {
                out.pop();
            }
            path_start = out.len();
        } else {
            out.push(c);
            if !is_ident(c) {
                path_start = out.len();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::short_type_name;

    #[test]
    fn type_names_lose_their_module_paths() {
        let cases = [
            ("all::debug::Node", "Node"),
            ("all::debug::Node<'_>", "Node"),
            ("a::Pair<'_, i32>", "Pair<i32>"),
            ("a::Pair<i32, 'gc>", "Pair<i32>"),
            ("&'static str", "&str"),
            ("a::Gc<'_, a::Node<'_>>", "Gc<Node>"),
            ("alloc::vec::Vec<alloc::string::String>", "Vec<String>"),
            ("(i32, core::option::Option<a::B>)", "(i32, Option<B>)"),
            ("[a::b::C]", "[C]"),
            ("<a::T as b::Trait>::Assoc", "<T as Trait>::Assoc"),
            ("str", "str"),
        ];
        for (name, short) in cases {
            assert_eq!(short_type_name(name), short, "{name}");
        }
    }
}
