// A `Gc` read from a frozen graph, kept past `with`: its brand is fresh, so nothing of the graph outlives the call.
use tenured_gc::{Frozen, Gc, RunState};

fn main() {
    let frozen = Frozen::new(|m| RunState::new(Gc::new(m, 7u64)));
    let escaped = frozen.with(|n| *n);
    println!("{}", *escaped);
}
