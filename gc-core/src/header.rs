//! The one-word object header.
//!
//! Every managed object starts with one word. Normally it is a pointer to the object's
//! `'static` [`TypeInfo`], whose 512-byte alignment leaves the low nine bits free for the
//! object's state: the flags below and the survivor age. While a collection moves an object,
//! the word of the old copy holds the address of the new copy instead, tagged [`FORWARDED`].
//!
//! An object of a sized type is `[header][value]`; a slice or `str` object is
//! `[header][length][elements]`. Everything is padded to [`WORD`] bytes.
//!
//! # Identity hashes
//! An object's identity hash is derived from its address and a salt (kept in the header's
//! top bits) the first time it is asked for, which sets [`HASHED`]. When such an object next
//! moves, its copy is one word longer: the word after the value keeps the hash it had, and
//! the copy's header has [`HASH_STORED`]. So the hash never changes, and an object that is
//! never hashed never pays for it.

use core::ptr::NonNull;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use crate::type_info::TypeInfo;
pub(crate) use crate::type_info::{align_up, WORD};

/// The word holds a forwarding address, not a type pointer: the object has moved.
pub(crate) const FORWARDED: usize = 0b000_0001;
/// A major collection found the object reachable.
pub(crate) const MARKED: usize = 0b000_0010;
/// The object is in the remembered set (it is old and may point into the nursery).
pub(crate) const REMEMBERED: usize = 0b000_0100;
/// The number of minor collections the object has survived in the nursery.
const AGE_SHIFT: u32 = 3;
const AGE_MASK: usize = 0b111_1000;
/// The object's identity hash was taken at its current address, which it has not left.
pub(crate) const HASHED: usize = 0b0_1000_0000;
/// The object's identity hash is in the word after its value (it moved after being hashed).
pub(crate) const HASH_STORED: usize = 0b1_0000_0000;
/// The state bits below the type descriptor's address, which its alignment leaves free.
const LOW_STATE_MASK: usize = FORWARDED | MARKED | REMEMBERED | AGE_MASK | HASHED | HASH_STORED;
/// The salt of a [`HASHED`] object's hash, in the top bits of the word, which no type
/// descriptor's address uses (user-space addresses have 48 bits on the 64-bit targets Rust
/// supports). Without it, every object hashed at one nursery address, at each of its reuses,
/// would get one hash. None on narrower targets.
#[cfg(target_pointer_width = "64")]
const SALT_SHIFT: u32 = 48;
#[cfg(target_pointer_width = "64")]
const SALT_MASK: usize = 0xffff << SALT_SHIFT;
#[cfg(not(target_pointer_width = "64"))]
const SALT_SHIFT: u32 = 0;
#[cfg(not(target_pointer_width = "64"))]
const SALT_MASK: usize = 0;
/// The bits that say where the identity hash is, which stay with the object when it moves.
const HASH_MASK: usize = HASHED | HASH_STORED | SALT_MASK;
/// Every bit that is state rather than address.
const STATE_MASK: usize = LOW_STATE_MASK | SALT_MASK;
/// The largest age the header can hold, and so the largest tenuring threshold.
pub(crate) const MAX_AGE: u8 = (AGE_MASK >> AGE_SHIFT) as u8;

const _: () = assert!(core::mem::align_of::<TypeInfo>() > LOW_STATE_MASK);

/// A copy of a header word.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header(*mut u8);

impl Header {
    /// A fresh header: the type, age zero, no flags.
    #[inline(always)]
    pub(crate) fn new(info: &'static TypeInfo) -> Self {
        let ptr: *mut u8 = (info as *const TypeInfo).cast_mut().cast();
        debug_assert!(
            ptr.addr() & SALT_MASK == 0,
            "a type descriptor above the 48-bit address space"
        );
        Header(ptr)
    }

    /// A forwarding header pointing at the new copy of the object.
    #[inline]
    pub(crate) fn forwarding(to: NonNull<u8>) -> Self {
        debug_assert!(
            to.as_ptr().addr().is_multiple_of(WORD),
            "misaligned forwarding address {to:p}"
        );
        Header(to.as_ptr().map_addr(|a| a | FORWARDED))
    }

    #[inline]
    pub(crate) fn has(self, flag: usize) -> bool {
        self.0.addr() & flag != 0
    }

    #[inline]
    pub(crate) fn with(self, flag: usize) -> Self {
        Header(self.0.map_addr(|a| a | flag))
    }

    #[inline]
    pub(crate) fn without(self, flag: usize) -> Self {
        Header(self.0.map_addr(|a| a & !flag))
    }

    #[inline]
    pub(crate) fn is_forwarded(self) -> bool {
        self.has(FORWARDED)
    }

    /// The new address of a forwarded object.
    #[inline]
    pub(crate) fn forwardee(self) -> NonNull<u8> {
        debug_assert!(
            self.is_forwarded(),
            "forwardee of an object that has not moved"
        );
        // SAFETY: a forwarding header is a non-null object address tagged with FORWARDED.
        unsafe { NonNull::new_unchecked(self.0.map_addr(|a| a & !FORWARDED)) }
    }

    #[inline]
    pub(crate) fn age(self) -> u8 {
        ((self.0.addr() & AGE_MASK) >> AGE_SHIFT) as u8
    }

    #[inline]
    pub(crate) fn with_age(self, age: u8) -> Self {
        let age = (age.min(MAX_AGE) as usize) << AGE_SHIFT;
        Header(self.0.map_addr(|a| (a & !AGE_MASK) | age))
    }

    /// The type of a header that is not forwarded.
    #[inline(always)]
    pub(crate) fn type_info(self) -> &'static TypeInfo {
        debug_assert!(!self.is_forwarded(), "type of a forwarded object");
        let ptr = self.0.map_addr(|a| a & !STATE_MASK).cast::<TypeInfo>();
        // SAFETY: a header that is not forwarded holds a pointer to a `'static` TypeInfo,
        // tagged only in the bits STATE_MASK clears.
        let info = unsafe { &*ptr };
        debug_assert!(
            info.is_valid(),
            "object header does not point at a type descriptor"
        );
        info
    }

    /// The descriptor a header points at, without the debug check that it is one.
    ///
    /// # Safety
    /// - The header must not be forwarded, and its bare address must be readable.
    pub(crate) unsafe fn type_info_unchecked(self) -> &'static TypeInfo {
        // SAFETY: the caller promises a readable descriptor address.
        unsafe { &*self.0.map_addr(|a| a & !STATE_MASK).cast::<TypeInfo>() }
    }

    /// The header as a copy of the object starts from: the type and where the identity hash
    /// is, every collection state cleared.
    #[inline]
    pub(crate) fn for_copy(self) -> Self {
        Header(self.0.map_addr(|a| a & !(STATE_MASK & !HASH_MASK)))
    }

    /// How many bytes longer than its object a copy is: a word if the object was hashed at
    /// the address it moves from.
    #[inline(always)]
    pub(crate) fn copy_growth(self) -> usize {
        if self.0.addr() & (HASHED | HASH_STORED) == HASHED {
            WORD
        } else {
            0
        }
    }

    /// Whether the object's identity hash was ever taken (so that its size or its copy's
    /// size may include the hash word).
    #[inline(always)]
    pub(crate) fn is_hashed(self) -> bool {
        self.0.addr() & (HASHED | HASH_STORED) != 0
    }

    /// The salt of a [`HASHED`] object's hash.
    #[inline]
    fn salt(self) -> u64 {
        ((self.0.addr() & SALT_MASK) >> SALT_SHIFT) as u64
    }

    /// The header of an object hashed now, at its current address, with `salt`.
    fn hashed_with(self, salt: u64) -> Self {
        let salt = (salt as usize) << SALT_SHIFT & SALT_MASK;
        Header(self.0.map_addr(|a| a | HASHED | salt))
    }

    /// The size in bytes of the object that starts at `obj` and has this header (or, for a
    /// forwarded object, its saved header): its type's size, and its stored hash if any.
    ///
    /// # Safety
    /// - `obj` must be the start of an object of this header's type whose length word (for
    ///   a slice) is intact.
    #[inline(always)]
    pub(crate) unsafe fn object_size(self, obj: NonNull<u8>) -> usize {
        let stored = if self.has(HASH_STORED) { WORD } else { 0 };
        // SAFETY: the caller promises an object of this type.
        unsafe { self.type_info().object_size(obj) + stored }
    }

    pub(crate) fn raw_addr(self) -> usize {
        self.0.addr()
    }
}

/// The identity hash of an object hashed at `addr` with `salt`.
#[inline]
fn address_hash(addr: usize, salt: u64) -> u64 {
    // A 64-bit finalizer (from MurmurHash3), a bijection: every input bit reaches every hash
    // bit, so a table may use the low bits alone, and two objects hashed at one address get
    // different hashes unless their salts are equal. It is cut to a word, the size it is
    // stored in.
    let mut x = addr as u64 ^ (salt << SALT_SHIFT);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    (x ^ (x >> 33)) as usize as u64
}

/// Salts for identity hashes: each object hashed takes the next.
static NEXT_SALT: AtomicUsize = AtomicUsize::new(0);

/// The identity hash of the object at `obj`: the one stored in it, or its address's with
/// its salt. The first time, it marks the object [`HASHED`] with a fresh salt, so that it
/// keeps that hash when it moves.
///
/// # Safety
/// - `obj` must be the start of a live object, outside a collection.
pub(crate) unsafe fn identity_hash(obj: NonNull<u8>) -> u64 {
    // SAFETY: the caller promises a live object, whose header is intact.
    let h = unsafe { read(obj) };
    if h.has(HASH_STORED) {
        // SAFETY: a HASH_STORED object ends with the word that holds its hash, which lies
        // just past its type's size.
        unsafe {
            let at = obj.as_ptr().add(h.type_info().object_size(obj));
            at.cast::<usize>().read() as u64
        }
    } else if h.has(HASHED) {
        address_hash(obj.as_ptr().addr(), h.salt())
    } else {
        let salt = NEXT_SALT.fetch_add(1, Ordering::Relaxed) as u64;
        let hashed = h.hashed_with(salt);
        // SAFETY: as above; only the state bits change.
        unsafe { write(obj, hashed) };
        address_hash(obj.as_ptr().addr(), hashed.salt())
    }
}

/// Takes the identity hash of `obj` now, if it has none, so that asking for it later only
/// reads the header: what a frozen graph, read by many threads at once, needs.
///
/// # Safety
/// - `obj` must be a live object with an intact header, that no other thread reads meanwhile.
pub(crate) unsafe fn ensure_hashed(obj: NonNull<u8>) {
    // SAFETY: the caller promises a live object, whose header is intact.
    let h = unsafe { read(obj) };
    if !h.is_hashed() {
        let salt = NEXT_SALT.fetch_add(1, Ordering::Relaxed) as u64;
        // SAFETY: as above; only the state bits change, and no one else reads them now.
        unsafe { write(obj, h.hashed_with(salt)) };
    }
}

/// Finishes a copy of an object that was at `from`, `size` bytes long there, whose bytes are
/// already at `copy`: writes the copy's header, `saved` (the object's header from before it
/// was forwarded, [`Header::for_copy`], with the copy's age), and the word with its identity
/// hash if the move stores it. Returns the size of the copy.
///
/// # Safety
/// - `copy` must have room for `size + saved.copy_growth()` bytes.
#[inline(always)]
pub(crate) unsafe fn finish_copy(
    copy: NonNull<u8>,
    saved: Header,
    from: NonNull<u8>,
    size: usize,
) -> usize {
    let grow = saved.copy_growth();
    let mut h = saved;
    if grow != 0 {
        h = Header(h.0.map_addr(|a| a & !(HASHED | SALT_MASK) | HASH_STORED));
        // SAFETY: the caller promises room for the word after the object's bytes.
        unsafe {
            let at = copy.as_ptr().add(size).cast::<usize>();
            at.write(address_hash(from.as_ptr().addr(), saved.salt()) as usize);
        }
    }
    // SAFETY: as above.
    unsafe { write(copy, h) };
    size + grow
}

/// Reads the header of the object that starts at `obj`.
///
/// # Safety
/// - `obj` must point at the start of a managed object (or its forwarded old copy).
#[inline(always)]
pub(crate) unsafe fn read(obj: NonNull<u8>) -> Header {
    // SAFETY: the caller promises `obj` is an object start, whose first word is the header.
    unsafe { Header(obj.as_ptr().cast::<*mut u8>().read()) }
}

/// Overwrites the header of the object that starts at `obj`.
///
/// # Safety
/// - `obj` must point at the start of a managed object (or the place one is being copied to).
#[inline(always)]
pub(crate) unsafe fn write(obj: NonNull<u8>, header: Header) {
    // SAFETY: the caller promises `obj` is an object start, whose first word is the header.
    unsafe { obj.as_ptr().cast::<*mut u8>().write(header.0) }
}

/// The header word of the object at `obj`, as an atomic: how the phases that run on several
/// threads at once reach headers.
///
/// # Safety
/// - `obj` must point at the start of a managed object, and while the reference lives every
///   access to its header from another thread must be atomic too (accesses before the
///   threads were started and after they were joined are ordered by the start and the join).
#[inline(always)]
unsafe fn atomic<'a>(obj: NonNull<u8>) -> &'a AtomicPtr<u8> {
    // SAFETY: a header is a word-aligned `*mut u8` at the object's start (the caller's
    // promise), which is what `AtomicPtr<u8>` has the layout of; the caller promises that
    // concurrent accesses are atomic.
    unsafe { AtomicPtr::from_ptr(obj.as_ptr().cast::<*mut u8>()) }
}

/// Reads the header of the object at `obj` while other threads may be marking it.
///
/// # Safety
/// - As for [`atomic`].
#[inline(always)]
pub(crate) unsafe fn read_shared(obj: NonNull<u8>) -> Header {
    // SAFETY: the caller's promise.
    Header(unsafe { atomic(obj) }.load(Ordering::Relaxed))
}

/// Forwards the object at `obj`, whose header was `seen`, to its copy at `to`, while other
/// threads may be forwarding it too. Returns the copy the object is forwarded to if another
/// thread forwarded it first: exactly one of the threads that copy an object at once wins.
///
/// # Safety
/// - As for [`atomic`]; and while other threads copy, forwarding is the only change any of
///   them makes to a header they have not made.
#[inline(always)]
pub(crate) unsafe fn forward_shared(
    obj: NonNull<u8>,
    seen: Header,
    to: NonNull<u8>,
) -> Result<(), NonNull<u8>> {
    // SAFETY: the caller's promise.
    let word = unsafe { atomic(obj) };
    // Release and acquire, though no thread reads a copy it did not make before the threads
    // are joined: what a copy holds is handed over with the copy, through the work lists.
    match word.compare_exchange(
        seen.0,
        Header::forwarding(to).0,
        Ordering::AcqRel,
        Ordering::Acquire,
    ) {
        Ok(_) => Ok(()),
        Err(now) => {
            let now = Header(now);
            debug_assert!(
                now.is_forwarded(),
                "a header changed other than by forwarding"
            );
            Err(now.forwardee())
        }
    }
}

/// Sets [`MARKED`] in the header of the object at `obj` unless it is set already, while other
/// threads may be doing the same. Returns whether this call set it: exactly one of the threads
/// that mark an object at once is told so.
///
/// # Safety
/// - As for [`atomic`]; and while other threads mark, MARKED is the only bit any of them
///   changes.
#[inline(always)]
pub(crate) unsafe fn mark_shared(obj: NonNull<u8>) -> bool {
    // SAFETY: the caller's promise.
    let word = unsafe { atomic(obj) };
    let mut h = Header(word.load(Ordering::Relaxed));
    loop {
        if h.has(MARKED) {
            return false;
        }
        // Relaxed is enough: the mark orders nothing. What a thread reads of the object it
        // marked was written before the marking threads started.
        match word.compare_exchange_weak(
            h.0,
            h.with(MARKED).0,
            Ordering::Relaxed,
            Ordering::Relaxed,
        ) {
            Ok(_) => return true,
            Err(now) => h = Header(now),
        }
    }
}
