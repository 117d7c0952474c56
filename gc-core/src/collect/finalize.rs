//! Finalization: running the drop glue of dead objects, each exactly once.
//!
//! # Panics from drop glue
//! Drop glue is user code, and it may panic. A collection must not stop half-way for that:
//! each object's glue runs under `catch_unwind`, every dead object is finalized, and the first
//! panic is resumed once the collection has finished and the heap is consistent again.
//!
//! # Payloads that panic when dropped
//! Only the first payload is kept. A later one is dropped at once, and a payload's own `Drop`
//! is user code too: dropped outside `catch_unwind`, a panic there would unwind through the
//! collector (or, while unwinding already, abort the process). So later payloads are dropped
//! under `catch_unwind` as well, and so is the payload of a panic out of such a drop, a few
//! times over; a chain of payloads that keeps panicking past that is leaked: one leak in a
//! pathological case, never an abort.

use core::ptr::NonNull;
use std::any::Any;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use crate::header;

/// A caught panic.
pub(crate) type Payload = Box<dyn Any + Send>;

/// The first panic caught during a collection; later ones are dropped without unwinding.
#[derive(Default)]
#[must_use = "a panic from drop glue must be resumed once the collection has finished"]
pub(crate) struct FirstPanic(Option<Payload>);

impl FirstPanic {
    /// Keeps `payload` if it is the first; drops it safely otherwise.
    pub(crate) fn keep(&mut self, payload: Payload) {
        match self.0 {
            None => self.0 = Some(payload),
            Some(_) => drop_payload(payload),
        }
    }

    /// Keeps the panic `other` kept, if this one has none.
    pub(crate) fn absorb(&mut self, mut other: FirstPanic) {
        if let Some(payload) = other.0.take() {
            self.keep(payload);
        }
    }

    /// Resumes the panic kept, if any.
    pub(crate) fn resume(mut self) {
        if let Some(payload) = self.0.take() {
            resume_unwind(payload)
        }
    }

    /// Resumes the panic kept unless the thread is unwinding already, in which case it is
    /// dropped safely (a second panic would abort).
    pub(crate) fn resume_unless_panicking(mut self) {
        match self.0.take() {
            Some(payload) if std::thread::panicking() => drop_payload(payload),
            Some(payload) => resume_unwind(payload),
            None => {}
        }
    }
}

/// A panic kept but never resumed (the collection unwound with another one) is dropped
/// safely: its payload's own drop may panic, which during unwinding would abort.
impl Drop for FirstPanic {
    fn drop(&mut self) {
        if let Some(payload) = self.0.take() {
            drop_payload(payload)
        }
    }
}

/// How many payloads of panics out of payload drops are dropped in turn before the rest of
/// such a chain is forgotten.
const NESTED_PAYLOAD_DROPS: usize = 8;

/// Drops a panic payload whose `Drop` may itself panic.
pub(crate) fn drop_payload(payload: Payload) {
    let mut payload = payload;
    for _ in 0..NESTED_PAYLOAD_DROPS {
        match catch_unwind(AssertUnwindSafe(move || drop(payload))) {
            Ok(()) => return,
            // The drop panicked: its payload is dropped in turn.
            Err(nested) => payload = nested,
        }
    }
    // A chain this long does not end: leak its last payload rather than loop.
    core::mem::forget(payload);
}

/// Runs the drop glue of one dead object, if its type has any, catching a panic. Returns
/// whether there was glue to run.
///
/// # Safety
/// - `obj` must be the start of a dead object with an intact header and value, and its glue
///   must not have run before; nothing may use the object afterwards.
pub(crate) unsafe fn finalize_one(obj: NonNull<u8>, panics: &mut FirstPanic) -> bool {
    // SAFETY: the caller promises an intact header.
    let info = unsafe { header::read(obj) }.type_info();
    let Some(glue) = info.drop_glue else {
        return false;
    };
    // SAFETY: the caller promises an intact value that nothing will use again.
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| unsafe { glue(obj) })) {
        panics.keep(payload)
    }
    true
}

/// Runs the drop glue of each of `dead`. Returns how many objects had glue to run.
///
/// # Safety
/// - As for [`finalize_one`], for every object of `dead`.
pub(crate) unsafe fn finalize_all(
    dead: impl IntoIterator<Item = NonNull<u8>>,
    panics: &mut FirstPanic,
) -> u64 {
    let mut count = 0;
    for obj in dead {
        // SAFETY: the caller's promise, object by object.
        count += u64::from(unsafe { finalize_one(obj, panics) });
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::MaybeUninit;
    use core::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use crate::header::{Header, WORD};
    use crate::trace::{Trace, Tracer};
    use crate::type_info::Object;

    /// A value that counts its drops and may panic in them.
    struct Noted {
        drops: &'static AtomicUsize,
        panic_with: Option<&'static str>,
    }

    // SAFETY: `Noted` holds no managed pointer, so a leaf with nothing to trace; its `Drop`
    // touches no managed object.
    unsafe impl Trace for Noted {
        const IS_LEAF: bool = true;
        fn trace(&mut self, _: &mut Tracer<'_>) {}
    }

    impl Drop for Noted {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Ordering::Relaxed);
            if let Some(message) = self.panic_with {
                std::panic::panic_any(message)
            }
        }
    }

    /// A panic payload that counts its drops, and panics in them unless the thread is
    /// unwinding already; with `again`, with a payload like itself.
    struct PanickyPayload {
        drops: Arc<AtomicUsize>,
        again: bool,
    }

    impl Drop for PanickyPayload {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Ordering::Relaxed);
            if std::thread::panicking() {
                return;
            }
            if self.again {
                std::panic::panic_any(PanickyPayload {
                    drops: self.drops.clone(),
                    again: true,
                })
            }
            panic!("a payload's drop panicked")
        }
    }

    type Buffer = [MaybeUninit<usize>; 4];

    /// An object of `T` in `buffer`, with its header.
    fn object<T: Trace>(buffer: &mut Buffer, value: T) -> NonNull<u8> {
        assert!(core::mem::size_of::<T>() <= 3 * WORD && core::mem::align_of::<T>() <= WORD);
        let obj = NonNull::from(buffer).cast::<u8>();
        // SAFETY: the buffer is word-aligned with room for the header and the value.
        unsafe {
            header::write(obj, Header::new(<T as Object>::TYPE_INFO));
            obj.add(WORD).cast::<T>().write(value);
        }
        obj
    }

    fn message(payload: &Payload) -> &'static str {
        let message: &&'static str = payload.downcast_ref().expect("a `&str` payload");
        message
    }

    /// The payload `panics` resumes with, if any.
    fn resumed(panics: FirstPanic) -> Option<Payload> {
        catch_unwind(AssertUnwindSafe(|| panics.resume())).err()
    }

    #[test]
    fn a_kept_panic_dropped_while_unwinding_does_not_abort() {
        struct Loud;
        impl Drop for Loud {
            fn drop(&mut self) {
                panic!("the payload's drop panics");
            }
        }
        let result = catch_unwind(|| {
            let mut panics = FirstPanic::default();
            panics.keep(Box::new(Loud));
            panic!("the collection unwinds");
        });
        assert_eq!(message(&result.unwrap_err()), "the collection unwinds");
    }

    #[test]
    fn first_panic_keeps_the_first_payload() {
        assert!(resumed(FirstPanic::default()).is_none());
        let mut panics = FirstPanic::default();
        panics.keep(Box::new("first"));
        panics.keep(Box::new("second"));
        assert_eq!(message(&resumed(panics).expect("a panic")), "first");
    }

    #[test]
    fn a_later_payload_whose_drop_panics_is_dropped_without_unwinding() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut panics = FirstPanic::default();
        panics.keep(Box::new("first"));
        let payload = PanickyPayload {
            drops: drops.clone(),
            again: false,
        };
        panics.keep(Box::new(payload));
        assert_eq!(drops.load(Ordering::Relaxed), 1, "dropped at once");
        assert_eq!(message(&resumed(panics).expect("a panic")), "first");
    }

    // The last payload of the chain is leaked on purpose, which Miri would report.
    #[cfg_attr(miri, ignore)]
    #[test]
    fn an_endless_chain_of_panicking_payloads_ends() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut panics = FirstPanic::default();
        panics.keep(Box::new("first"));
        let payload = PanickyPayload {
            drops: drops.clone(),
            again: true,
        };
        panics.keep(Box::new(payload));
        assert_eq!(drops.load(Ordering::Relaxed), NESTED_PAYLOAD_DROPS);
        assert_eq!(message(&resumed(panics).expect("a panic")), "first");
    }

    #[test]
    fn resume_unless_panicking_drops_the_payload_while_unwinding() {
        struct ResumeOnDrop(Option<FirstPanic>);
        impl Drop for ResumeOnDrop {
            fn drop(&mut self) {
                if let Some(panics) = self.0.take() {
                    panics.resume_unless_panicking()
                }
            }
        }
        let kept = || {
            let mut panics = FirstPanic::default();
            panics.keep(Box::new("kept"));
            panics
        };
        let outer = catch_unwind(AssertUnwindSafe(|| {
            let _guard = ResumeOnDrop(Some(kept()));
            panic!("outer")
        }));
        let payload = outer.expect_err("the outer panic");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"outer"));
        let resumed = catch_unwind(AssertUnwindSafe(|| kept().resume_unless_panicking()));
        assert_eq!(message(&resumed.expect_err("resumed")), "kept");
    }

    #[test]
    fn finalize_one_returns_false_for_a_type_without_drop_glue() {
        let mut buffer: Buffer = [MaybeUninit::uninit(); 4];
        let obj = object(&mut buffer, 7u64);
        let mut panics = FirstPanic::default();
        // SAFETY: a dead object with an intact header and value, finalized once.
        assert!(!unsafe { finalize_one(obj, &mut panics) });
        assert!(resumed(panics).is_none());
    }

    #[test]
    fn finalize_one_runs_drop_glue_and_catches_its_panic() {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let mut quiet: Buffer = [MaybeUninit::uninit(); 4];
        let mut loud: Buffer = [MaybeUninit::uninit(); 4];
        let quiet = object(
            &mut quiet,
            Noted {
                drops: &DROPS,
                panic_with: None,
            },
        );
        let loud = object(
            &mut loud,
            Noted {
                drops: &DROPS,
                panic_with: Some("glue"),
            },
        );
        let mut panics = FirstPanic::default();
        // SAFETY: dead objects with intact headers and values, each finalized once.
        assert!(unsafe { finalize_one(quiet, &mut panics) });
        assert_eq!(DROPS.load(Ordering::Relaxed), 1);
        // SAFETY: as above.
        assert!(unsafe { finalize_one(loud, &mut panics) });
        assert_eq!(DROPS.load(Ordering::Relaxed), 2);
        assert_eq!(message(&resumed(panics).expect("the glue's panic")), "glue");
    }

    #[test]
    fn finalize_all_finalizes_every_object_and_keeps_the_first_panic() {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let mut buffers: [Buffer; 4] = [[MaybeUninit::uninit(); 4]; 4];
        let [a, b, c, d] = &mut buffers;
        let noted = |panic_with| Noted {
            drops: &DROPS,
            panic_with,
        };
        let dead = [
            object(a, 1u64),
            object(b, noted(Some("first"))),
            object(c, noted(None)),
            object(d, noted(Some("second"))),
        ];
        let mut panics = FirstPanic::default();
        // SAFETY: dead objects with intact headers and values, each listed once.
        let finalized = unsafe { finalize_all(dead, &mut panics) };
        assert_eq!(finalized, 3, "the `u64` has no glue");
        assert_eq!(DROPS.load(Ordering::Relaxed), 3);
        assert_eq!(message(&resumed(panics).expect("a panic")), "first");
    }
}
