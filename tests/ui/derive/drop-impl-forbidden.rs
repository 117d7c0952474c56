// `impl Drop` on a derived type: the destructor runs during a collection and could read objects already freed or moved.
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
struct Node<'gc> {
    next: Option<Gc<'gc, Node<'gc>>>,
}

impl Drop for Node<'_> {
    fn drop(&mut self) {
        if let Some(next) = self.next {
            println!("dropping a node before {}", next.next.is_some());
        }
    }
}

fn main() {}
