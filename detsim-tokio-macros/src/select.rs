//! `select!`: parsing tokio's grammar and expanding it to one `poll_fn`
//! that polls the enabled branches from a start the crate's
//! `__private::select_start` draws (or from the first, under `biased;`),
//! then a `match` that runs the chosen handler outside the poll closure,
//! so handlers may `break`, `continue`, `return` and `?` as in tokio.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Expr, Pat, Token};

/// tokio's limit: a branch is one bit of a `u64`.
const MAX_BRANCHES: usize = 64;

/// One `pattern = future (, if condition)? => handler` branch.
struct Branch {
    pat: Pat,
    future: Expr,
    condition: Option<Expr>,
    handler: Expr,
}

/// The parsed macro input.
struct Select {
    krate: TokenStream,
    biased: bool,
    branches: Vec<Branch>,
    otherwise: Option<Expr>,
}

impl Parse for Select {
    fn parse(input: ParseStream<'_>) -> syn::Result<Select> {
        let krate;
        syn::parenthesized!(krate in input);
        let krate: TokenStream = krate.parse()?;
        let biased = input.peek(syn::Ident) && input.peek2(Token![;]) && {
            let fork = input.fork();
            fork.parse::<syn::Ident>()? == "biased"
        };
        if biased {
            input.parse::<syn::Ident>()?;
            input.parse::<Token![;]>()?;
        }
        let (mut branches, mut otherwise) = (Vec::new(), None);
        while !input.is_empty() {
            if input.peek(Token![else]) {
                input.parse::<Token![else]>()?;
                input.parse::<Token![=>]>()?;
                let handler = parse_handler(input)?;
                if otherwise.replace(handler).is_some() {
                    return Err(input.error("select! takes one `else` branch"));
                }
                continue;
            }
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            let future: Expr = input.parse()?;
            let condition = if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                Some(input.parse()?)
            } else {
                None
            };
            input.parse::<Token![=>]>()?;
            let handler = parse_handler(input)?;
            branches.push(Branch {
                pat,
                future,
                condition,
                handler,
            });
        }
        Ok(Select {
            krate,
            biased,
            branches,
            otherwise,
        })
    }
}

/// A handler: a block (the comma after it optional) or an expression
/// followed by a comma unless it is the last.
fn parse_handler(input: ParseStream<'_>) -> syn::Result<Expr> {
    let handler: Expr = input.parse()?;
    let is_block = matches!(handler, Expr::Block(_));
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    } else if !is_block && !input.is_empty() {
        return Err(input.error("expected `,` after a select! handler"));
    }
    Ok(handler)
}

/// The pattern with its binding modifiers (`mut`, `ref`) and reference
/// patterns removed, for testing a branch's output by reference without
/// moving it: it matches the same values, and is accepted in edition
/// 2024, where `ref`/`mut` under a by-reference match are errors.
fn by_reference(pat: &Pat) -> Pat {
    let mut pat = pat.clone();
    strip_modifiers(&mut pat);
    pat
}

fn strip_modifiers(pat: &mut Pat) {
    match pat {
        Pat::Ident(ident) => {
            ident.by_ref = None;
            ident.mutability = None;
            if let Some((_, sub)) = &mut ident.subpat {
                strip_modifiers(sub);
            }
        }
        Pat::Reference(reference) => {
            let mut inner = (*reference.pat).clone();
            strip_modifiers(&mut inner);
            *pat = inner;
        }
        Pat::Or(or) => or.cases.iter_mut().for_each(strip_modifiers),
        Pat::Paren(paren) => strip_modifiers(&mut paren.pat),
        Pat::Slice(slice) => slice.elems.iter_mut().for_each(strip_modifiers),
        Pat::Tuple(tuple) => tuple.elems.iter_mut().for_each(strip_modifiers),
        Pat::TupleStruct(tuple) => tuple.elems.iter_mut().for_each(strip_modifiers),
        Pat::Struct(s) => s
            .fields
            .iter_mut()
            .for_each(|f| strip_modifiers(&mut f.pat)),
        Pat::Type(typed) => strip_modifiers(&mut typed.pat),
        _ => {}
    }
}

/// Expands the macro input.
pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let select = Select::parse.parse2(input)?;
    let count = select.branches.len();
    if count == 0 {
        return Err(syn::Error::new(
            Span::call_site(),
            "select! needs at least one branch",
        ));
    }
    if count > MAX_BRANCHES {
        return Err(syn::Error::new(
            Span::call_site(),
            "select! takes at most 64 branches",
        ));
    }
    let krate = &select.krate;
    // Internal names are mixed-site: a handler cannot see or shadow them.
    let name = |s: &str| syn::Ident::new(s, Span::mixed_site());
    let (disabled, cx, out, output, start, pending, offset, value) = (
        name("disabled"),
        name("cx"),
        name("out"),
        name("output"),
        name("start"),
        name("pending"),
        name("offset"),
        name("value"),
    );
    // An item cannot be mixed-site: a name no user code would pick.
    let out_ty = syn::Ident::new("__DetsimTokioSelectOutput", Span::call_site());
    let futures: Vec<_> = (0..count)
        .map(|i| format_ident!("future_{}", i, span = Span::mixed_site()))
        .collect();
    let variants: Vec<_> = (0..count).map(|i| format_ident!("_{}", i)).collect();
    let indices: Vec<u32> = (0..count as u32).collect();
    let type_params = &variants;

    let conditions = select.branches.iter().zip(&indices).filter_map(|(b, i)| {
        b.condition.as_ref().map(|c| {
            quote! { if !(#c) { #disabled |= 1u64 << #i; } }
        })
    });
    let make_futures = select.branches.iter().zip(&futures).map(|(b, f)| {
        let future = &b.future;
        quote! {
            let mut #f = ::core::pin::pin!(::core::future::IntoFuture::into_future(#future));
        }
    });
    let polls = select.branches.iter().enumerate().map(|(i, b)| {
        let (f, v, bit) = (&futures[i], &variants[i], indices[i]);
        let test = by_reference(&b.pat);
        quote! {
            #bit => {
                if #disabled & (1u64 << #bit) != 0 {
                    continue;
                }
                let #out = match ::core::future::Future::poll(#f.as_mut(), #cx) {
                    ::core::task::Poll::Ready(#value) => #value,
                    ::core::task::Poll::Pending => {
                        #pending = true;
                        continue;
                    }
                };
                #disabled |= 1u64 << #bit;
                #[allow(unused_variables, unreachable_patterns)]
                match &#out {
                    #test => {}
                    _ => continue,
                }
                return ::core::task::Poll::Ready(#out_ty::#v(#out));
            }
        }
    });
    let arms = select.branches.iter().zip(&variants).map(|(b, v)| {
        let (pat, handler) = (&b.pat, &b.handler);
        quote! { #out_ty::#v(#pat) => #handler, }
    });
    let otherwise = match &select.otherwise {
        Some(handler) => quote! { #handler },
        None => quote! {
            ::core::panic!("all branches are disabled and there is no else branch")
        },
    };
    let first = if select.biased {
        quote! { 0u32 }
    } else {
        quote! { #krate::__private::select_start(#count as u32) }
    };
    let count = count as u32;
    // One branch has one order (and `x % 1` would trip clippy in the
    // user's crate).
    let (draw_start, branch) = if count == 1 {
        (quote! {}, quote! { #offset })
    } else {
        (
            quote! { let #start: u32 = #first; },
            quote! { (#start + #offset) % #count },
        )
    };
    Ok(quote! {{
        #[allow(non_camel_case_types)]
        enum #out_ty<#(#type_params,)*> {
            #(#variants(#type_params),)*
            Disabled,
        }
        let mut #disabled: u64 = 0;
        #(#conditions)*
        #(#make_futures)*
        let #output = ::core::future::poll_fn(|#cx: &mut ::core::task::Context<'_>| {
            #draw_start
            let mut #pending = false;
            for #offset in 0..#count {
                match #branch {
                    #(#polls)*
                    _ => ::core::unreachable!("select!: a branch index out of range"),
                }
            }
            if #pending {
                ::core::task::Poll::Pending
            } else {
                ::core::task::Poll::Ready(#out_ty::Disabled)
            }
        })
        .await;
        #[allow(unreachable_patterns, unreachable_code)]
        match #output {
            #(#arms)*
            #out_ty::Disabled => #otherwise,
            _ => ::core::unreachable!("select!: a branch's output stopped matching its pattern"),
        }
    }})
}
