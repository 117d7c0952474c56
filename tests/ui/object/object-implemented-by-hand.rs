// `Object` is sealed: only the library decides which types a `Gc` can point to, since the
// descriptor it carries must describe the type truthfully.
use core::ptr::NonNull;

use tenured_gc::{Object, TypeInfo};

struct Raw(u8);

unsafe impl Object for Raw {
    const TYPE_INFO: &'static TypeInfo = <u8 as Object>::TYPE_INFO;

    unsafe fn value<'a>(_obj: NonNull<u8>) -> &'a Self {
        unimplemented!()
    }
}

fn main() {}
