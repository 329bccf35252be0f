//! The stand-in's types are `Send`, `Sync` and `Unpin` exactly where
//! tokio's are: checked at compile time, next to tokio's own types.

use std::future::Ready;
use std::rc::Rc;

/// Compiles only if every type has the trait.
macro_rules! has {
    ($trait:path: $($ty:ty),+ $(,)?) => {{
        fn check<T: ?Sized + $trait>() {}
        $(check::<$ty>();)+
    }};
}

/// Compiles only if no type has the trait (the call is ambiguous when it
/// does).
macro_rules! lacks {
    ($trait:path: $($ty:ty),+ $(,)?) => {{
        trait Lacks<A> {
            fn check() {}
        }
        impl<T: ?Sized> Lacks<()> for T {}
        impl<T: ?Sized + $trait> Lacks<u8> for T {}
        $(<$ty as Lacks<_>>::check();)+
    }};
}

type Fut = Ready<u8>;

#[test]
fn task_types_match_tokios_auto_traits() {
    use detsim_tokio::task as ours;
    use tokio::task as theirs;
    has!(Send: ours::JoinHandle<u8>, theirs::JoinHandle<u8>, ours::AbortHandle, theirs::AbortHandle);
    has!(Sync: ours::JoinHandle<u8>, theirs::JoinHandle<u8>, ours::AbortHandle, theirs::AbortHandle);
    has!(Unpin: ours::JoinHandle<Rc<u8>>, theirs::JoinHandle<Rc<u8>>, ours::AbortHandle, theirs::AbortHandle);
    lacks!(Send: ours::JoinHandle<Rc<u8>>, theirs::JoinHandle<Rc<u8>>);
    lacks!(Sync: ours::JoinHandle<Rc<u8>>, theirs::JoinHandle<Rc<u8>>);
    has!(Send: ours::JoinError, theirs::JoinError, ours::Id, theirs::Id);
    has!(Sync: ours::JoinError, theirs::JoinError, ours::Id, theirs::Id);
    has!(Unpin: ours::JoinError, theirs::JoinError, ours::Id, theirs::Id);
    has!(Send: ours::JoinSet<u8>, theirs::JoinSet<u8>);
    has!(Sync: ours::JoinSet<u8>, theirs::JoinSet<u8>);
    has!(Unpin: ours::JoinSet<Rc<u8>>, theirs::JoinSet<Rc<u8>>);
    lacks!(Send: ours::JoinSet<Rc<u8>>, theirs::JoinSet<Rc<u8>>);
    lacks!(Sync: ours::JoinSet<Rc<u8>>, theirs::JoinSet<Rc<u8>>);
    lacks!(Send: ours::LocalSet, theirs::LocalSet);
    lacks!(Sync: ours::LocalSet, theirs::LocalSet);
    has!(Unpin: ours::LocalSet, theirs::LocalSet);
}

#[test]
fn time_types_match_tokios_auto_traits() {
    use detsim_tokio::time as ours;
    use tokio::time as theirs;
    has!(Send: ours::Sleep, theirs::Sleep, ours::Timeout<Fut>, theirs::Timeout<Fut>);
    has!(Sync: ours::Sleep, theirs::Sleep, ours::Timeout<Fut>, theirs::Timeout<Fut>);
    lacks!(Unpin: ours::Sleep, theirs::Sleep, ours::Timeout<Fut>, theirs::Timeout<Fut>);
    has!(Send: ours::Interval, theirs::Interval, ours::Instant, theirs::Instant);
    has!(Sync: ours::Interval, theirs::Interval, ours::Instant, theirs::Instant);
    has!(Unpin: ours::Interval, theirs::Interval, ours::Instant, theirs::Instant);
    has!(Send: ours::error::Elapsed, theirs::error::Elapsed);
    has!(Sync: ours::error::Elapsed, theirs::error::Elapsed);
}

#[test]
fn runtime_types_match_tokios_auto_traits() {
    use detsim_tokio::runtime as ours;
    use tokio::runtime as theirs;
    has!(Send: ours::Handle, theirs::Handle, ours::Runtime, theirs::Runtime, ours::Builder, theirs::Builder);
    has!(Sync: ours::Handle, theirs::Handle, ours::Runtime, theirs::Runtime, ours::Builder, theirs::Builder);
    has!(Unpin: ours::Handle, theirs::Handle, ours::Runtime, theirs::Runtime, ours::Builder, theirs::Builder);
    lacks!(Send: ours::EnterGuard<'static>, theirs::EnterGuard<'static>);
    has!(Sync: ours::EnterGuard<'static>, theirs::EnterGuard<'static>);
}
