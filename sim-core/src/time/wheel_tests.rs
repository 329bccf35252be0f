//! The wheel against a sorted model: pop order, removal, stale keys, and
//! the small queue spilling into the wheel and back.
use super::*;

fn at(ns: u64) -> Instant {
    Instant::from_nanos(ns)
}

/// Pops everything due at `now`; the refusal that ends it names the
/// earliest deadline left, as `next_deadline` does.
fn pop_all(wheel: &mut Wheel<u32>, now: u64) -> Vec<u32> {
    let mut popped = Vec::new();
    loop {
        match wheel.pop_or_next(at(now)) {
            Ok(p) => popped.push(p.value),
            Err(next) => {
                assert!(next.is_none_or(|n| n > at(now)), "a due entry refused");
                assert_eq!(next, wheel.next_deadline());
                return popped;
            }
        }
    }
}

#[test]
fn entries_pop_in_deadline_then_tie_then_insertion_order() {
    let mut wheel = Wheel::default();
    wheel.insert(at(1 << 40), 0, 1);
    wheel.insert(at(10), 7, 2);
    wheel.insert(at(10), 3, 3);
    wheel.insert(at(10), 3, 4);
    wheel.insert(at(9), 9, 5);
    assert_eq!(wheel.next_deadline(), Some(at(9)));
    assert_eq!(pop_all(&mut wheel, 15), [5, 3, 4, 2]);
    assert_eq!(wheel.next_deadline(), Some(at(1 << 40)), "not due: kept");
    assert_eq!(pop_all(&mut wheel, u64::MAX), [1]);
    assert_eq!(wheel.next_deadline(), None);
}

#[test]
fn a_deadline_behind_the_cursor_is_due_in_key_order() {
    let mut wheel = Wheel::default();
    wheel.insert(at(1_000_000), 5, 1);
    assert_eq!(wheel.next_deadline(), Some(at(1_000_000)));
    // The cursor is at 1 ms now; these land behind or on it.
    wheel.insert(at(1_000_000), 2, 2);
    wheel.insert(at(500), 9, 3);
    assert_eq!(wheel.next_deadline(), Some(at(500)));
    assert_eq!(pop_all(&mut wheel, 600), [3]);
    assert_eq!(pop_all(&mut wheel, 1_000_000), [2, 1]);
}

#[test]
fn removed_entries_never_pop_and_stale_keys_do_nothing() {
    let mut wheel = Wheel::default();
    let slot = wheel.insert(at(1 << 20), 0, 1);
    let due = wheel.insert(at(5), 0, 2);
    wheel.insert(at(5), 1, 3);
    assert_eq!(wheel.next_deadline(), Some(at(5)), "2 and 3 are due first");
    assert_eq!(wheel.remove(due), Some(2));
    assert_eq!(wheel.remove(slot), Some(1));
    assert_eq!(wheel.remove(slot), None, "already removed");
    let reused = wheel.insert(at(5), 1, 4);
    assert_eq!(
        wheel.get_mut(due),
        None,
        "the node is reused under another key"
    );
    assert_eq!(pop_all(&mut wheel, 5), [3, 4]);
    assert_eq!(wheel.remove(reused), None, "already popped");
    assert_eq!(wheel.next_deadline(), None);
}

#[test]
fn keys_of_removed_entries_are_swept_once_they_outnumber_the_nodes() {
    let mut wheel = Wheel::default();
    // Enough live entries to be in the wheel, not the small queue.
    for i in 0..=SMALL as u64 {
        wheel.insert(at(1_000 + i), 0, i as u32);
    }
    assert!(wheel.spilled);
    // Entries far ahead, each removed before its time (as an idle
    // connection's SYN retransmission is): their keys do not pile up.
    for i in 0..10_000u32 {
        let key = wheel.insert(at((1 << 30) + u64::from(i)), 0, 100 + i);
        assert_eq!(wheel.remove(key), Some(100 + i));
    }
    let keys = wheel.slots.iter().map(Vec::len).sum::<usize>() + wheel.due.len();
    assert!(
        keys <= wheel.nodes.len() + STALE_SLACK + 1,
        "{keys} keys for {} nodes",
        wheel.nodes.len()
    );
    assert_eq!(
        wheel.nodes.len(),
        SMALL + 2,
        "the slab reused the freed node"
    );
    let live: Vec<u32> = (0..=SMALL as u32).collect();
    assert_eq!(pop_all(&mut wheel, u64::MAX), live, "the order is kept");
    assert!(!wheel.spilled, "empty again");
}

#[test]
fn an_emptied_wheel_starts_its_slab_over_and_old_keys_stay_stale() {
    let mut wheel = Wheel::default();
    // Scrambled deadlines: the nodes are freed out of index order.
    let old: Vec<WheelKey> = (0..200u64)
        .map(|i| wheel.insert(at(1_000 + (i * 77) % 200), 0, i as u32))
        .collect();
    assert!(wheel.spilled);
    assert_eq!(pop_all(&mut wheel, u64::MAX).len(), 200);
    assert_eq!(wheel.nodes.len(), 0, "empty: the slab starts over");
    let new: Vec<WheelKey> = (0..200u64)
        .map(|i| wheel.insert(at(5_000 + i), 0, 1_000 + i as u32))
        .collect();
    let indices: Vec<u32> = new.iter().map(|k| k.index).collect();
    let in_order: Vec<u32> = (0..200).collect();
    assert_eq!(indices, in_order, "nodes written in order again");
    for key in &old {
        assert_eq!(wheel.get_mut(*key), None, "a key from before is stale");
        assert_eq!(wheel.remove(*key), None);
    }
    let expected: Vec<u32> = (1_000..1_200).collect();
    assert_eq!(pop_all(&mut wheel, u64::MAX), expected);
}

#[test]
fn a_big_slot_s_room_is_kept_for_the_next_burst_and_the_order_holds() {
    let mut wheel = Wheel::default();
    // 1 ms apart, scrambled: slots of more than a thousand keys.
    let n = 5_000u64;
    let mut kept = 0;
    for round in 0..3u64 {
        let base = round << 40;
        for i in 0..n {
            let rank = i * 7_919 % n;
            wheel.insert(at(base + 1 + rank * 1_000_000), 0, rank as u32);
        }
        if round > 0 {
            assert!(
                wheel.spare.keys() < kept,
                "round {round}: spare room reused"
            );
        }
        let expected: Vec<u32> = (0..n as u32).collect();
        assert_eq!(pop_all(&mut wheel, u64::MAX), expected, "round {round}");
        kept = wheel.spare.keys();
        assert!(kept > 0, "round {round}: big slots' room kept");
        assert!(kept <= 2 * wheel.nodes.capacity(), "round {round}: bounded");
    }
}

#[test]
fn a_slot_due_at_once_merges_with_entries_inserted_behind_the_cursor() {
    let mut wheel = Wheel::default();
    // The cursor at 10; 20 entries in one level-3 slot (2^18 ns wide),
    // scrambled, with ties; a far one so the wheel holds more than that.
    wheel.insert(at(10), 0, 98);
    for i in 0..20u64 {
        wheel.insert(at((1 << 20) + (i * 7) % 20 * 100), i % 2, i as u32);
    }
    wheel.insert(at(1 << 40), 0, 99);
    assert!(wheel.spilled);
    assert_eq!(pop_all(&mut wheel, 10), [98]);
    // The slot becomes due whole: the cursor is at its latest entry.
    assert_eq!(wheel.next_deadline(), Some(at(1 << 20)));
    assert_eq!(wheel.elapsed, (1 << 20) + 1_900);
    // Behind the cursor, between the slot's entries, and a tie with one.
    wheel.insert(at((1 << 20) + 150), 0, 100);
    wheel.insert(at((1 << 20) + 700), 0, 101);
    let mut expected: Vec<(u64, u64, u32)> = (0..20u64)
        .map(|i| ((i * 7) % 20 * 100, i % 2, i as u32))
        .collect();
    expected.push((150, 0, 100));
    expected.push((700, 0, 101));
    expected.sort_unstable();
    let expected: Vec<u32> = expected.into_iter().map(|e| e.2).collect();
    assert_eq!(pop_all(&mut wheel, 1 << 21), expected);
    assert_eq!(pop_all(&mut wheel, u64::MAX), [99]);
}

#[test]
fn the_wheel_agrees_with_a_sorted_model_under_random_operations() {
    agrees_with_a_sorted_model(0x1234_5678, usize::MAX);
}

#[test]
fn spilling_into_the_wheel_and_back_keeps_the_order() {
    // Around the small queue's size: it spills, empties, and fills again.
    agrees_with_a_sorted_model(0x9abc_def0, SMALL + 3);
    agrees_with_a_sorted_model(0x0bad_cafe, SMALL / 2);
}

#[test]
fn the_small_queue_spills_past_its_size_and_returns_once_empty() {
    let mut wheel = Wheel::default();
    let keys: Vec<WheelKey> = (0..=SMALL as u64)
        .map(|i| wheel.insert(at(1_000 + i), 0, i as u32))
        .collect();
    assert!(wheel.spilled, "one past the small queue's size");
    assert_eq!(wheel.remove(keys[0]), Some(0));
    assert_eq!(pop_all(&mut wheel, 1_000), [], "only the removed was due");
    assert!(wheel.spilled, "the others are still in the wheel");
    let popped = pop_all(&mut wheel, u64::MAX);
    let expected: Vec<u32> = (1..=SMALL as u32).collect();
    assert_eq!(popped, expected);
    assert_eq!(wheel.next_deadline(), None);
    assert!(!wheel.spilled, "empty: back to the small queue");
    wheel.insert(at(5), 0, 7);
    assert!(!wheel.spilled);
    assert_eq!(pop_all(&mut wheel, 5), [7]);
}

/// Random inserts (at most `max_live` entries live), removals and pops,
/// checked against a sorted vector.
fn agrees_with_a_sorted_model(seed: u64, max_live: usize) {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut wheel = Wheel::default();
    // The model: live entries as (at, tie, seq, value, key).
    let mut model: Vec<(u64, u64, u64, u32, WheelKey)> = Vec::new();
    let mut now = 0u64;
    // How often the entries moved into the wheel and back.
    let (mut spills, mut returns) = (0, 0);
    for step in 0..20_000u32 {
        let was_spilled = wheel.spilled;
        match next() % 8 {
            0..=3 if model.len() < max_live => {
                // Spread over many levels, with ties and some past.
                let ahead = match next() % 4 {
                    0 => next() % 4,
                    1 => next() % 5_000,
                    2 => next() % (1 << 30),
                    _ => next() >> (next() % 64),
                };
                let deadline = if next() % 16 == 0 {
                    now.saturating_sub(ahead)
                } else {
                    now.saturating_add(ahead)
                };
                let tie = next() % 3;
                let key = wheel.insert(at(deadline), tie, step);
                model.push((deadline, tie, key.seq, step, key));
            }
            4 if !model.is_empty() => {
                let i = (next() % model.len() as u64) as usize;
                let gone = model.swap_remove(i);
                assert_eq!(wheel.remove(gone.4), Some(gone.3));
            }
            _ => {
                model.sort_unstable_by_key(|e| (e.0, e.1, e.2));
                let first = model.first().map(|e| at(e.0));
                assert_eq!(wheel.next_deadline(), first);
                now = match (next() % 2, first) {
                    (0, Some(first)) => first.as_nanos().max(now),
                    _ => now.saturating_add(next() % (1 << 20)),
                };
                let due = model.iter().take_while(|e| e.0 <= now).count();
                let expected: Vec<u32> = model.drain(..due).map(|e| e.3).collect();
                assert_eq!(pop_all(&mut wheel, now), expected);
            }
        }
        match (was_spilled, wheel.spilled) {
            (false, true) => spills += 1,
            (true, false) => returns += 1,
            _ => {}
        }
    }
    if max_live > SMALL && max_live < 2 * SMALL {
        assert!(spills >= 5, "spilled {spills} times");
        assert!(returns >= 5, "returned {returns} times");
    }
    let values = wheel.drain();
    assert_eq!(values.len(), model.len());
}

#[test]
fn owner_hints_never_change_the_order_even_when_they_point_nowhere() {
    // Addresses no program owns (null page, the top of the address space,
    // an odd one): the wheel only asks the CPU for them, never reads them.
    let addresses = [0usize, 8, usize::MAX - 7, 0xdead_beef, 1 << 47];
    let mut hinted: Wheel<(u32, usize)> = Wheel::default();
    hinted.set_owner_hint(|v: &(u32, usize)| v.1, 63);
    let mut plain: Wheel<u32> = Wheel::default();
    // Enough entries, a few per slot, for slots to become due whole.
    for i in 0..500u32 {
        let deadline = at(u64::from(i.wrapping_mul(7919) % 250) * 1_000);
        hinted.insert(deadline, 0, (i, addresses[i as usize % addresses.len()]));
        plain.insert(deadline, 0, i);
    }
    let mut from_hinted = Vec::new();
    while let Ok(p) = hinted.pop_or_next(at(u64::MAX)) {
        from_hinted.push(p.value.0);
    }
    assert_eq!(from_hinted, pop_all(&mut plain, u64::MAX));
    assert_eq!(from_hinted.len(), 500);
}

#[test]
fn a_timer_node_takes_half_a_cache_line() {
    // A waker and a sleep's address, with the sequence number and the
    // free-list link folded into the value's room: two nodes a line.
    type TimerLike = (std::task::Waker, usize);
    assert_eq!(crate::time::wheel_nodes::Nodes::<TimerLike>::NODE_BYTES, 32);
}
