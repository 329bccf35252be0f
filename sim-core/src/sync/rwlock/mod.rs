//! [`RwLock`] and its guards.

mod guards;
mod lock;

pub use guards::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLockReadGuard, RwLockWriteGuard};
pub use lock::RwLock;
