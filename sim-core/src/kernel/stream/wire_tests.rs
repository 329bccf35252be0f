//! Tests of the wire's caches: the writers' readiness and the links'.

use std::rc::Rc;

use crate::kernel::Readiness;
use crate::kernel::stream::{Instant0, StreamConfig, stream_pair};

#[test]
fn a_writable_bit_cleared_by_hand_is_announced_again_after_the_cache_saw_it() {
    let config = crate::Config {
        faults: crate::Faults::none(),
        ..crate::Config::default()
    };
    crate::Runtime::with_config(0, config).block_on(async {
        let (a, b) = stream_pair(StreamConfig {
            kind: "t",
            capacity: 8,
            tcp: true,
            link_ab: Rc::new(Instant0),
            link_ba: Rc::new(Instant0),
        });
        let mut buf = [0; 4];
        let tick = || crate::time::sleep(std::time::Duration::from_millis(1));
        a.try_write(b"x").unwrap();
        tick().await;
        // The read announces room: `a`'s bit is set, and cached.
        assert_eq!(b.try_read(&mut buf).unwrap(), 1);
        assert!(a.source().readiness().contains(Readiness::WRITABLE));
        // Any clear of the bit outdates the cache ...
        a.source().clear(Readiness::WRITABLE);
        a.try_write(b"y").unwrap();
        tick().await;
        assert_eq!(b.try_read(&mut buf).unwrap(), 1);
        // ... so the next read sets it again.
        assert!(a.source().readiness().contains(Readiness::WRITABLE));
    });
}

/// A link that promises to stay up until a change is noted, and can
/// be cut.
struct Cuttable(std::cell::Cell<bool>);

impl crate::kernel::stream::Link for Cuttable {
    fn delay(&self, _len: usize) -> std::time::Duration {
        std::time::Duration::from_millis(1)
    }
    fn delay_if_up(&self, len: usize) -> Option<std::time::Duration> {
        self.0.get().then(|| self.delay(len))
    }
    fn is_up(&self) -> bool {
        self.0.get()
    }
}

#[test]
fn a_segment_sent_while_its_link_promised_up_asks_again_after_a_noted_change() {
    let config = crate::Config {
        faults: crate::Faults::none(),
        ..crate::Config::default()
    };
    crate::Runtime::with_config(0, config).block_on(async {
        let link = Rc::new(Cuttable(std::cell::Cell::new(true)));
        let (a, b) = stream_pair(StreamConfig {
            kind: "t",
            capacity: 8,
            tcp: true,
            link_ab: link.clone(),
            link_ba: Rc::new(Instant0),
        });
        let mut buf = [0; 4];
        let wait = || crate::time::sleep(std::time::Duration::from_millis(2));
        a.try_write(b"x").unwrap();
        wait().await;
        assert_eq!(b.try_read(&mut buf).unwrap(), 1, "up: delivered");
        a.try_write(b"y").unwrap();
        // Cut while the segment is in flight, as a partition does.
        link.0.set(false);
        crate::kernel::KernelHandle::current().note_link_change();
        wait().await;
        let held = b.try_read(&mut buf).unwrap_err();
        assert_eq!(held.kind(), std::io::ErrorKind::WouldBlock, "cut: held");
    });
}
