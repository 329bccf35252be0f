//! `#[detsim::test]`: an async test function run by `detsim::Sim`.
//!
//! Use it through the `detsim` crate; see `detsim::test` for the
//! arguments.

#![deny(missing_docs)]

use proc_macro::TokenStream;
use quote::{format_ident, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, ItemFn, Lit, Meta, Token};

/// Runs an `async fn` test body under `detsim::Sim` on a sweep of seeds.
///
/// ```ignore
/// #[detsim::test(seeds = 200, faults = "default", check_determinism)]
/// async fn transfers_never_overdraw() { /* ... */ }
/// ```
///
/// Arguments, all optional: `seeds = N`; `faults = "legal" | "none" |
/// "default" | "chaos"` or any expression of type `detsim::Faults`
/// (without it, the test runs `Sim::new()`'s plan, `Faults::legal()`:
/// what the OS contract allows, no environment faults); `check_determinism`
/// (`check_determinism = "bytes"` also compares the payload bytes written);
/// `swarm`; `allow_empty` (an empty shard passes); `jobs = N`;
/// `liveness = "10s:20s"` (faults end at 10 s, then 20 s to recover; see
/// `detsim::liveness`) or any expression of type
/// `detsim::liveness::Liveness`; `scheduling = <expr>` (a
/// `detsim::Scheduling`, e.g. `detsim::Scheduling::dfs(2)`);
/// `allocation_cap = <bytes>` (needs `detsim::alloc::Tracker`);
/// `shrink = false`; `regressions = false`. The test
/// reports failures exactly as `Sim::run` does, names itself by its test
/// path (as `cargo test` and `cargo nextest` do), and keeps failing seeds
/// in `detsim-regressions/` unless `regressions = false`.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    match expand(args.into(), item.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> syn::Result<proc_macro2::TokenStream> {
    let args = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
    let mut func: ItemFn = syn::parse2(item)?;
    if func.sig.asyncness.take().is_none() {
        return Err(syn::Error::new_spanned(
            func.sig.fn_token,
            "#[detsim::test] needs an `async fn`",
        ));
    }
    if !func.sig.inputs.is_empty() {
        return Err(syn::Error::new_spanned(
            &func.sig.inputs,
            "a #[detsim::test] function takes no arguments",
        ));
    }
    let mut calls = Vec::new();
    let mut regressions = true;
    for arg in args {
        let name = arg
            .path()
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        match (name.as_str(), &arg) {
            ("check_determinism", Meta::Path(_)) => calls.push(quote!(.check_determinism(true))),
            ("swarm", Meta::Path(_)) => calls.push(quote!(.swarm(true))),
            ("allow_empty", Meta::Path(_)) => calls.push(quote!(.allow_empty(true))),
            ("check_determinism", Meta::NameValue(nv)) if matches!(&nv.value, Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) if s.value() == "bytes") => {
                calls.push(quote!(.check_determinism_bytes(true)))
            }
            ("seeds", Meta::NameValue(nv)) => {
                let v = &nv.value;
                calls.push(quote!(.seeds(#v)));
            }
            ("jobs" | "scheduling" | "allocation_cap", Meta::NameValue(nv)) => {
                let v = &nv.value;
                let method = format_ident!("{}", name);
                calls.push(quote!(.#method(#v)));
            }
            ("check_determinism" | "swarm" | "shrink", Meta::NameValue(nv)) => {
                let v = &nv.value;
                let method = format_ident!("{}", name);
                calls.push(quote!(.#method(#v)));
            }
            ("regressions", Meta::NameValue(nv)) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Bool(b), ..
                }) => regressions = b.value,
                other => {
                    return Err(syn::Error::new_spanned(other, "expected true or false"));
                }
            },
            ("liveness", Meta::NameValue(nv)) => {
                let phase = match &nv.value {
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(s), ..
                    }) => quote!(
                        match #s.parse::<::detsim::liveness::Liveness>() {
                            ::core::result::Result::Ok(phase) => phase,
                            ::core::result::Result::Err(e) => {
                                ::core::panic!("#[detsim::test(liveness = ..)]: {}", e)
                            }
                        }
                    ),
                    expr => quote!(#expr),
                };
                calls.push(quote!(.liveness(#phase)));
            }
            ("faults", Meta::NameValue(nv)) => {
                let plan = match &nv.value {
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(s), ..
                    }) => match s.value().as_str() {
                        "legal" => quote!(::detsim::Faults::legal()),
                        "none" => quote!(::detsim::Faults::none()),
                        "default" => quote!(::detsim::Faults::default()),
                        "chaos" => quote!(::detsim::Faults::chaos()),
                        _ => {
                            return Err(syn::Error::new_spanned(
                                s,
                                "expected \"legal\", \"none\", \"default\" or \"chaos\" \
                                 (or a Faults expression)",
                            ));
                        }
                    },
                    expr => quote!(#expr),
                };
                calls.push(quote!(.faults(#plan)));
            }
            _ => {
                return Err(syn::Error::new_spanned(
                    arg,
                    "unknown argument: expected seeds = N, faults = \"default\", \
                     liveness = \"10s:20s\", scheduling = <Scheduling>, allocation_cap = \
                     <bytes>, check_determinism (or = \"bytes\"), swarm, allow_empty, jobs = N, \
                     shrink = bool or regressions = bool",
                ));
            }
        }
    }
    let attrs = &func.attrs;
    let vis = &func.vis;
    let name = &func.sig.ident;
    let output = &func.sig.output;
    let body = &func.block;
    let name_str = name.to_string();
    Ok(quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            async fn __detsim_body() #output #body
            // The path libtest and nextest name the test by: the module
            // path without the crate, then the function.
            let __detsim_name = match ::core::module_path!().split_once("::") {
                ::core::option::Option::Some((_, module)) => {
                    ::std::format!("{}::{}", module, #name_str)
                }
                ::core::option::Option::None => ::std::string::String::from(#name_str),
            };
            ::detsim::Sim::new()
                .test_name(&__detsim_name)
                .package(::core::env!("CARGO_PKG_NAME"))
                .package_dir(::core::env!("CARGO_MANIFEST_DIR"))
                .regressions(#regressions)
                #(#calls)*
                .run(__detsim_body);
        }
    })
}
