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

    /// Resumes the panic kept, if any.
    pub(crate) fn resume(self) {
        if let Some(payload) = self.0 {
            resume_unwind(payload)
        }
    }

    /// Resumes the panic kept unless the thread is unwinding already, in which case it is
    /// dropped safely (a second panic would abort).
    pub(crate) fn resume_unless_panicking(self) {
        match self.0 {
            Some(payload) if std::thread::panicking() => drop_payload(payload),
            _ => self.resume(),
        }
    }
}

/// How many payloads of panics out of payload drops are dropped in turn before the rest of
/// such a chain is forgotten.
const NESTED_PAYLOAD_DROPS: usize = 8;

/// Drops a panic payload whose `Drop` may itself panic.
fn drop_payload(payload: Payload) {
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
