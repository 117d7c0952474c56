//! A cache that does not keep its values alive: it maps plain keys to weak references
//! (`GcWeak`). While something else still uses a value (here, a root), lookups share that one
//! object; once nothing does, a collection frees it and clears the weak reference, and the
//! next lookup computes the value again.
//!
//! The second half caches facts *about objects*: a `GcWeakMap` keyed by the objects
//! themselves (JavaScript's `WeakMap`). Each summary points back at its document, which in
//! a plain map would keep every document alive for ever; in the weak map an entry lives
//! exactly as long as something else holds its document, and needs no pruning.
//!
//! Run with `cargo run --example weak_cache`.

use std::collections::BTreeMap;

use tenured_gc::{
    Gc, GcCell, GcRefCell, GcWeak, GcWeakMap, Heap, HeapConfig, Mutation, Root, Trace,
};

/// A value worth caching: the prime factors of a number.
#[derive(Trace)]
struct Factors {
    n: u64,
    primes: Vec<u64>,
}

impl Factors {
    fn compute(n: u64) -> Factors {
        let (mut rest, mut primes) = (n, Vec::new());
        for p in 2..=n {
            while rest % p == 0 {
                primes.push(p);
                rest /= p;
            }
            if rest == 1 {
                break;
            }
        }
        Factors { n, primes }
    }

    fn show(&self) -> String {
        let primes: Vec<_> = self.primes.iter().map(u64::to_string).collect();
        format!("{} = {}", self.n, primes.join(" * "))
    }
}

#[derive(Trace, Default)]
struct Memo<'gc> {
    /// Weak references, so an entry does not keep its value alive. The keys are plain numbers
    /// (a `Gc` moves, so it cannot be a key); a `BTreeMap` keeps them in order for printing.
    entries: GcRefCell<'gc, BTreeMap<u64, GcWeak<'gc, Factors>>>,
    /// How many values were computed, to tell hits from misses.
    computed: GcCell<'gc, u32>,
}

impl<'gc> Memo<'gc> {
    /// The factors of `n`: the cached object if it is still alive, else a new one.
    fn factors(&self, m: &Mutation<'gc>, n: u64) -> Gc<'gc, Factors> {
        let cached = self
            .entries
            .borrow()
            .get(&n)
            .and_then(|weak| weak.upgrade());
        if let Some(factors) = cached {
            return factors;
        }
        let factors = Gc::new(m, Factors::compute(n));
        self.entries.borrow_mut(m).insert(n, Gc::downgrade(factors));
        self.computed.set(m, self.computed.get() + 1);
        factors
    }

    /// Each key, and whether its value is alive or was collected (clearing the reference).
    fn report(&self) -> String {
        let entries = self.entries.borrow();
        let state = |weak: &GcWeak<Factors>| if weak.is_dead() { "cleared" } else { "alive" };
        let states: Vec<_> = entries
            .iter()
            .map(|(n, weak)| format!("{n} {}", state(weak)))
            .collect();
        states.join(", ")
    }

    /// Forgets the entries whose values were collected, so that the map does not keep
    /// growing; returns how many it forgot.
    fn prune(&self, m: &Mutation<'gc>) -> usize {
        let mut entries = self.entries.borrow_mut(m);
        let before = entries.len();
        entries.retain(|_, weak| !weak.is_dead());
        before - entries.len()
    }
}

/// An open document.
#[derive(Trace)]
struct Document {
    name: String,
    text: String,
}

/// What was worked out about a document once: it points back at the document.
#[derive(Trace)]
struct Summary<'gc> {
    of: Gc<'gc, Document>,
    words: usize,
    longest: String,
}

impl<'gc> Summary<'gc> {
    fn of(of: Gc<'gc, Document>) -> Summary<'gc> {
        let words = of.text.split_whitespace();
        let longest = words
            .clone()
            .max_by_key(|w| w.len())
            .unwrap_or("")
            .to_string();
        Summary {
            of,
            words: words.count(),
            longest,
        }
    }
}

type Summaries<'gc> = GcWeakMap<'gc, Document, Gc<'gc, Summary<'gc>>>;

/// The summary of `doc`, worked out on first use.
fn summary<'gc>(
    m: &Mutation<'gc>,
    cache: Gc<'gc, Summaries<'gc>>,
    doc: Gc<'gc, Document>,
) -> Gc<'gc, Summary<'gc>> {
    cache.get(doc).unwrap_or_else(|| {
        let made = Gc::new(m, Summary::of(doc));
        cache.insert(m, doc, made);
        made
    })
}

/// The names of the documents the cache has summaries of, in order.
fn summarized(heap: &mut Heap, cache: &Root<Summaries<'static>>) -> Vec<String> {
    heap.mutate(|m| {
        let mut names: Vec<_> = (cache.get(m).entries().into_iter())
            .map(|(doc, summary)| {
                assert!(Gc::ptr_eq(summary.of, doc));
                doc.name.clone()
            })
            .collect();
        names.sort();
        names
    })
}

/// Facts about objects, kept in a weak map keyed by the objects.
fn facts_about_objects(heap: &mut Heap) {
    let texts = [
        ("a.txt", "the quick brown fox"),
        ("b.txt", "jumps over the extraordinarily lazy dog"),
        ("c.txt", "and runs away"),
    ];
    let (cache, mut open) = heap.mutate(|m| {
        let cache = Gc::new(m, Summaries::new());
        let open: Vec<_> = texts
            .iter()
            .map(|&(name, text)| {
                let doc = Gc::new(
                    m,
                    Document {
                        name: name.into(),
                        text: text.into(),
                    },
                );
                let s = summary(m, cache, doc);
                println!(
                    "{}: {} words, the longest \"{}\"",
                    doc.name, s.words, s.longest
                );
                m.root(doc)
            })
            .collect();
        (m.root(cache), open)
    });
    heap.collect_major(); // everything is still open: every summary stays, and moves
    let names = summarized(heap, &cache);
    println!("Weak map: summaries of {}", names.join(", "));
    assert_eq!(names, ["a.txt", "b.txt", "c.txt"]);

    let closed = open.remove(1); // the user closes b.txt
    drop(closed);
    heap.collect_major();
    let names = summarized(heap, &cache);
    println!(
        "Closed b.txt; after a major collection the weak map has summaries of {} (its summary \
         pointed back at b.txt, and still did not keep it)",
        names.join(", ")
    );
    assert_eq!(names, ["a.txt", "c.txt"]);
    heap.mutate(|m| {
        let (cache, a) = (cache.get(m), open[0].get(m));
        let again = summary(m, cache, a);
        assert_eq!(cache.len(), 2);
        println!("a.txt again: {} words, from the cache", again.words);
    });
}

fn main() {
    let mut heap =
        Heap::with_config(HeapConfig::from_env()).expect("the default configuration is valid");
    let memo = heap.mutate(|m| m.root(Gc::new(m, Memo::default())));

    let kept = heap.mutate(|m| {
        let memo = memo.get(m);
        let [a, b, c] = [360, 1001, 97].map(|n| memo.factors(m, n));
        println!(
            "Looked up three numbers: {}; {}; {}",
            a.show(),
            b.show(),
            c.show()
        );
        let again = memo.factors(m, 360);
        let same = Gc::ptr_eq(again, a);
        println!(
            "Looked up 360 again: the same object? {same} (values computed: {})",
            memo.computed.get()
        );
        assert!(same);
        assert_eq!(memo.computed.get(), 3);
        // The user keeps 360 (a root); only the cache's weak references reach the others.
        m.root(a)
    });

    heap.collect_major();

    heap.mutate(|m| {
        let memo = memo.get(m);
        let report = memo.report();
        println!("After a major collection: {report}");
        assert_eq!(report, "97 cleared, 360 alive, 1001 cleared");

        let same = Gc::ptr_eq(memo.factors(m, 360), kept.get(m));
        println!("Looked up 360: the object the user holds? {same}");
        let f1001 = memo.factors(m, 1001);
        println!(
            "Looked up 1001: computed again, {} (values computed: {})",
            f1001.show(),
            memo.computed.get()
        );
        assert!(same);
        assert_eq!(memo.computed.get(), 4);
    });

    // Once the user lets go of 360 too, nothing keeps any value alive.
    drop(kept);
    heap.collect_major();
    heap.mutate(|m| {
        let memo = memo.get(m);
        let report = memo.report();
        println!("The user dropped 360; after a major collection: {report}");
        assert_eq!(report, "97 cleared, 360 cleared, 1001 cleared");
        let pruned = memo.prune(m);
        println!(
            "Pruned {pruned} dead entries; {} left.",
            memo.entries.borrow().len()
        );
        assert_eq!((pruned, memo.entries.borrow().len()), (3, 0));
    });

    facts_about_objects(&mut heap);
}
