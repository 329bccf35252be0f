//! Tests of [`Pipe`](super::Pipe): segment order, bounded memory, size.

use super::*;

#[test]
fn bytes_become_readable_only_as_their_segments_arrive_in_order() {
    let mut pipe = Pipe::new(16);
    pipe.send_data(b"abc");
    pipe.send_marker(InFlight::Fin);
    pipe.send_data(b"de");
    assert_eq!((pipe.used(), pipe.space(), pipe.buffered()), (5, 11, 0));
    assert_eq!(pipe.arrive(), Some(InFlight::Data(3)));
    pipe.receive(3);
    let mut out = [0; 8];
    assert_eq!(pipe.peek(&mut out), 3);
    assert_eq!(pipe.take(&mut out[..2]), 2);
    assert_eq!(&out[..2], b"ab");
    assert_eq!(pipe.arrive(), Some(InFlight::Fin));
    assert_eq!(pipe.arrive(), Some(InFlight::Data(2)));
    pipe.receive(2);
    assert_eq!(pipe.take(&mut out), 3);
    assert_eq!(&out[..3], b"cde");
    assert_eq!((pipe.used(), pipe.arrive()), (0, None));
}

#[test]
fn a_reader_that_never_drains_keeps_the_order_and_bounded_memory() {
    // Each round writes 3 bytes and reads 2: the read prefix is
    // dropped as writes need room, never by a read, so the bytes
    // left behind move, in order, and the buffer stays small.
    let mut pipe = Pipe::new(64);
    let mut out = [0; 8];
    let (mut sent, mut got) = (0u8, Vec::new());
    for _ in 0..200 {
        let data = [sent, sent.wrapping_add(1), sent.wrapping_add(2)];
        sent = sent.wrapping_add(3);
        if pipe.space() < 3 {
            break;
        }
        pipe.send_data(&data);
        let Some(InFlight::Data(n)) = pipe.arrive() else {
            panic!("a data segment");
        };
        pipe.receive(n);
        let n = pipe.take(&mut out[..2]);
        got.extend_from_slice(&out[..n]);
        assert!(pipe.bytes.capacity() <= 4 * pipe.capacity());
    }
    while pipe.buffered() > 0 {
        let n = pipe.take(&mut out);
        got.extend_from_slice(&out[..n]);
    }
    let want: Vec<u8> = (0..got.len()).map(|i| i as u8).collect();
    assert_eq!(got, want);
    assert_eq!(pipe.used(), 0);
    assert!(got.len() > 64, "wrote past the capacity: {}", got.len());
}

#[test]
fn a_pipe_is_small_and_its_capacity_fits_its_counters() {
    // Two per idle connection: 48 bytes, the queue of segments behind
    // the oldest boxed only once two are in flight at once.
    assert_eq!(std::mem::size_of::<Pipe>(), 48);
    let mut pipe = Pipe::new(usize::MAX);
    assert_eq!(
        (pipe.capacity(), pipe.space()),
        (MAX_CAPACITY, MAX_CAPACITY)
    );
    pipe.send_data(&[1]);
    pipe.arrive();
    pipe.receive(1);
    pipe.send_marker(InFlight::Fin);
    assert_eq!(pipe.arrive(), Some(InFlight::Fin));
    pipe.receive_fin();
    assert!(pipe.fin_received());
    assert_eq!(
        (pipe.capacity(), pipe.space(), pipe.buffered()),
        (MAX_CAPACITY, MAX_CAPACITY - 1, 1)
    );
    assert!(pipe.behind.is_none(), "one segment in flight at a time");
}

#[test]
fn dropped_and_cleared_bytes_leave_the_readable_ones_alone() {
    let mut pipe = Pipe::new(16);
    pipe.send_data(b"keep");
    pipe.arrive();
    pipe.receive(4);
    pipe.send_data(b"lost");
    pipe.send_data(b"gone");
    assert_eq!(pipe.arrive(), Some(InFlight::Data(4)));
    pipe.drop_arrived(4);
    pipe.clear_in_flight();
    assert_eq!((pipe.used(), pipe.buffered(), pipe.arrive()), (4, 4, None));
    let mut out = [0; 8];
    assert_eq!(pipe.take(&mut out), 4);
    assert_eq!(&out[..4], b"keep");
    pipe.send_data(b"xy");
    pipe.arrive();
    pipe.receive(2);
    pipe.discard_buffered();
    assert_eq!((pipe.used(), pipe.buffered()), (0, 0));
}
