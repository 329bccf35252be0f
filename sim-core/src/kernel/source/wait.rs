//! What a task waiting on a readiness registration waits for, as deadlock
//! and long-poll reports say it: the words are built only when a report
//! needs them, from the source's state at that moment.

use std::fmt;
use std::rc::Rc;

use super::Source;
use crate::kernel::{Readiness, Trigger};

/// What a task waiting on a registration waits for, described lazily (only
/// deadlock reports need the words).
#[derive(Clone)]
pub(crate) struct ResourceWait {
    source: Source,
    key: usize,
}

impl ResourceWait {
    /// The wait on registration `key` of `source`.
    #[inline]
    pub(super) fn new(source: Source, key: usize) -> ResourceWait {
        ResourceWait { source, key }
    }
}

impl PartialEq for ResourceWait {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.source.inner, &other.source.inner) && self.key == other.key
    }
}

impl Eq for ResourceWait {}

impl fmt::Debug for ResourceWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ResourceWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let src = &self.source.inner;
        let kind = src.kind();
        let st = src.state.borrow();
        let Some(reg) = st.regs.get(self.key) else {
            return write!(f, "{}#{} (registration dropped)", kind, src.id.as_u64());
        };
        write!(
            f,
            "{} on {}#{}, {}",
            reg.interest(),
            kind,
            src.id.as_u64(),
            reg.trigger
        )?;
        if reg.trigger == Trigger::OneShot && !reg.armed {
            f.write_str(", disarmed (never re-armed)")?;
        }
        if reg.trigger == Trigger::Edge && reg.interest().is_readable() && !st.read_drained {
            if st.ready.contains(Readiness::READABLE) {
                f.write_str(", last read did not reach WouldBlock and unread data remains")?;
            } else if st.ready.contains(Readiness::READ_CLOSED) {
                // The FIN's edge came and went: no read will ever wake it.
                f.write_str(", read-closed, never read to EOF")?;
            }
        }
        write!(f, " (state: {})", st.ready)
    }
}
