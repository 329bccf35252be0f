//! Proc macros of `detsim-tokio`. Use them through `detsim_tokio`'s
//! macros (`detsim_tokio::select!`), which pass the crate's path in.

#![deny(missing_docs)]

use proc_macro::TokenStream;

mod select;

/// The body of `detsim_tokio::select!`: `($crate) [biased;] branches`.
/// Not for direct use.
#[doc(hidden)]
#[proc_macro]
pub fn select_impl(input: TokenStream) -> TokenStream {
    select::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
