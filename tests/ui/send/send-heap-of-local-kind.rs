// A `SendHeap` of the `Local` kind: its scopes would allocate values that must stay on this thread.
use tenured_gc::{Local, SendHeap};

fn main() {
    let _heap: Option<SendHeap<u32, Local>> = None;
}
