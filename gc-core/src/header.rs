//! The one-word object header.
//!
//! Every managed object starts with one word. Normally it is a pointer to the object's
//! `'static` [`TypeInfo`], whose 128-byte alignment leaves the low seven bits free for the
//! object's state: the flags below and the survivor age. While a collection moves an object,
//! the word of the old copy holds the address of the new copy instead, tagged [`FORWARDED`].
//!
//! An object of a sized type is `[header][value]`; a slice or `str` object is
//! `[header][length][elements]`. Everything is padded to [`WORD`] bytes.

use core::ptr::NonNull;

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
/// Every bit that is state rather than address.
const STATE_MASK: usize = FORWARDED | MARKED | REMEMBERED | AGE_MASK;
/// The largest age the header can hold, and so the largest tenuring threshold.
pub(crate) const MAX_AGE: u8 = (AGE_MASK >> AGE_SHIFT) as u8;

const _: () = assert!(core::mem::align_of::<TypeInfo>() > STATE_MASK);

/// A copy of a header word.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header(*mut u8);

impl Header {
    /// A fresh header: the type, age zero, no flags.
    #[inline(always)]
    pub(crate) fn new(info: &'static TypeInfo) -> Self {
        Header((info as *const TypeInfo).cast_mut().cast())
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

    /// The header with its state bits cleared: the bare type pointer.
    #[inline]
    pub(crate) fn bare(self) -> Self {
        Header(self.0.map_addr(|a| a & !STATE_MASK))
    }

    pub(crate) fn raw_addr(self) -> usize {
        self.0.addr()
    }
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
