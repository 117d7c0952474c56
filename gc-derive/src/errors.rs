//! The collector of the errors of every stage.
//!
//! A stage that finds a mistake records it and goes on, so a user sees every mistake of a type
//! in one pass; the pipeline stops before expanding if any was found. Each error is spanned on
//! the offending node.

use std::fmt::Display;

use quote::ToTokens;
use syn::Error;

/// All the errors found so far, combined into one.
#[derive(Default)]
pub struct Errors(Option<Error>);

impl Errors {
    pub fn push(&mut self, error: Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub fn spanned(&mut self, node: impl ToTokens, msg: impl Display) {
        self.push(Error::new_spanned(node, msg));
    }

    pub fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}
