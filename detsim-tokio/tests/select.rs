//! `select!`: tokio's grammar and semantics, a branch order drawn from
//! the seed inside a simulation (replayed by the same seed), and
//! `biased;` in order in both worlds.

use std::future::ready;

use detsim_tokio::select;
use detsim_tokio::sync::oneshot;

/// Which of four ready branches wins, in eight consecutive selects.
async fn winners() -> Vec<u32> {
    let mut won = Vec::new();
    for _ in 0..8 {
        won.push(select! {
            v = ready(0) => v,
            v = ready(1) => v,
            v = ready(2) => v,
            v = ready(3) => v,
        });
    }
    won
}

#[test]
fn the_seed_draws_the_branch_order_and_replays_it() {
    let run = |seed| detsim::Runtime::sim(seed).block_on(winners());
    let mut firsts = std::collections::BTreeSet::new();
    for seed in 0..20 {
        let won = run(seed);
        assert_eq!(won, run(seed), "seed {seed} must replay its order");
        firsts.insert(won[0]);
    }
    assert!(
        firsts.len() >= 3,
        "20 seeds should start from several branches: {firsts:?}"
    );
}

#[test]
fn the_order_changes_the_trace_digest_across_seeds() {
    let digest = |seed| {
        let rt = detsim::Runtime::sim(seed);
        rt.block_on(async {
            let (a, b) = (detsim::spawn(async { 1 }), detsim::spawn(async { 2 }));
            let won = select! { v = a => v.unwrap(), v = b => v.unwrap() };
            // The winner decides what runs next, which the trace records.
            for _ in 0..won {
                detsim::task::yield_now().await;
            }
        });
        rt.digest()
    };
    let digests: std::collections::BTreeSet<u64> = (0..20).map(digest).collect();
    assert!(digests.len() > 1, "the order must reach the trace");
    assert_eq!(digest(4), digest(4));
}

#[test]
fn biased_polls_in_written_order_in_both_worlds() {
    async fn body() {
        for _ in 0..16 {
            let v = select! {
                biased;
                v = ready(0) => v,
                v = ready(1) => v,
            };
            assert_eq!(v, 0);
        }
    }
    for seed in 0..10 {
        detsim::Runtime::sim(seed).block_on(body());
    }
    futures::executor::block_on(body());
}

#[test]
fn outside_a_simulation_every_branch_gets_a_turn() {
    let won = futures::executor::block_on(async {
        let mut won = [0u32; 3];
        for _ in 0..300 {
            let i: usize = select! { v = ready(0) => v, v = ready(1) => v, v = ready(2) => v };
            won[i] += 1;
        }
        won
    });
    assert!(won.iter().all(|&n| n > 30), "roughly uniform: {won:?}");
}

#[test]
fn an_unmatched_pattern_disables_its_branch_and_mut_bindings_work() {
    detsim::Runtime::sim(0).block_on(async {
        for _ in 0..10 {
            let v = select! {
                Some(mut x) = ready(None::<u32>) => { x += 1; x }
                Some(mut y) = ready(Some(41u32)) => { y += 1; y }
            };
            assert_eq!(v, 42);
        }
    });
}

#[test]
fn a_false_condition_disables_a_branch_and_else_runs_when_all_are() {
    futures::executor::block_on(async {
        let v = select! {
            v = ready(1), if false => v,
            v = ready(2) => v,
        };
        assert_eq!(v, 2);
        let v = select! {
            Some(v) = ready(None::<u32>) => v,
            v = ready(9), if 1 > 2 => v,
            else => 0,
        };
        assert_eq!(v, 0);
    });
}

#[test]
#[should_panic(expected = "all branches are disabled and there is no else branch")]
fn all_branches_disabled_without_else_panics_as_tokio() {
    futures::executor::block_on(async {
        select! {
            Some(v) = ready(None::<u32>) => v,
            v = ready(3), if false => v,
        }
    });
}

fn parse_all(inputs: &[&str]) -> Result<u32, std::num::ParseIntError> {
    futures::executor::block_on(async {
        let mut sum = 0;
        for input in inputs {
            select! {
                n = ready(input.parse::<u32>()) => sum += n?,
            }
        }
        Ok(sum)
    })
}

#[test]
fn handlers_may_break_continue_return_and_question_mark() {
    assert_eq!(parse_all(&["1", "2"]), Ok(3));
    assert!(parse_all(&["1", "x"]).is_err(), "`?` returns the error");

    let found = futures::executor::block_on(async {
        let mut seen = Vec::new();
        for i in 0..10u32 {
            select! {
                v = ready(i) => {
                    if v % 2 == 0 {
                        continue;
                    }
                    if v > 6 {
                        break;
                    }
                    seen.push(v);
                }
            }
        }
        seen
    });
    assert_eq!(found, [1, 3, 5]);

    async fn first_odd(values: &[u32]) -> Option<u32> {
        for &v in values {
            select! {
                x = ready(v) => if x % 2 == 1 { return Some(x) },
            }
        }
        None
    }
    assert_eq!(
        futures::executor::block_on(first_odd(&[2, 4, 7, 9])),
        Some(7)
    );
}

#[test]
fn select_waits_on_real_tokio_and_in_the_simulation() {
    async fn body() -> u32 {
        let (tx, rx) = oneshot::channel();
        let (_keep, never) = oneshot::channel::<u32>();
        let sender = async move {
            tx.send(5).unwrap();
            std::future::pending::<u32>().await
        };
        select! {
            Ok(v) = rx => v,
            Ok(v) = never => v,
            v = sender => v,
        }
    }
    let real = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(body());
    assert_eq!(real, 5);
    for seed in 0..10 {
        assert_eq!(detsim::Runtime::sim(seed).block_on(body()), 5);
    }
}

#[test]
fn join_and_try_join_are_tokios() {
    detsim::Runtime::sim(0).block_on(async {
        let (a, b) = detsim_tokio::join!(ready(1), ready(2));
        assert_eq!(a + b, 3);
        let ok: Result<(u8, u8), ()> = detsim_tokio::try_join!(ready(Ok(1)), ready(Ok(2)));
        assert_eq!(ok, Ok((1, 2)));
        let fut = ready(4);
        detsim_tokio::pin!(fut);
        assert_eq!(fut.await, 4);
    });
}

#[test]
fn sixty_four_branches_are_accepted() {
    let pick = |skip: u32| {
        futures::executor::block_on(async move {
            select! {
                biased;
                v = ready(0u32), if skip == 0 => v,
                v = ready(1u32), if 1 >= skip => v,
                v = ready(2u32), if 2 >= skip => v,
                v = ready(3u32), if 3 >= skip => v,
                v = ready(4u32), if 4 >= skip => v,
                v = ready(5u32), if 5 >= skip => v,
                v = ready(6u32), if 6 >= skip => v,
                v = ready(7u32), if 7 >= skip => v,
                v = ready(8u32), if 8 >= skip => v,
                v = ready(9u32), if 9 >= skip => v,
                v = ready(10u32), if 10 >= skip => v,
                v = ready(11u32), if 11 >= skip => v,
                v = ready(12u32), if 12 >= skip => v,
                v = ready(13u32), if 13 >= skip => v,
                v = ready(14u32), if 14 >= skip => v,
                v = ready(15u32), if 15 >= skip => v,
                v = ready(16u32), if 16 >= skip => v,
                v = ready(17u32), if 17 >= skip => v,
                v = ready(18u32), if 18 >= skip => v,
                v = ready(19u32), if 19 >= skip => v,
                v = ready(20u32), if 20 >= skip => v,
                v = ready(21u32), if 21 >= skip => v,
                v = ready(22u32), if 22 >= skip => v,
                v = ready(23u32), if 23 >= skip => v,
                v = ready(24u32), if 24 >= skip => v,
                v = ready(25u32), if 25 >= skip => v,
                v = ready(26u32), if 26 >= skip => v,
                v = ready(27u32), if 27 >= skip => v,
                v = ready(28u32), if 28 >= skip => v,
                v = ready(29u32), if 29 >= skip => v,
                v = ready(30u32), if 30 >= skip => v,
                v = ready(31u32), if 31 >= skip => v,
                v = ready(32u32), if 32 >= skip => v,
                v = ready(33u32), if 33 >= skip => v,
                v = ready(34u32), if 34 >= skip => v,
                v = ready(35u32), if 35 >= skip => v,
                v = ready(36u32), if 36 >= skip => v,
                v = ready(37u32), if 37 >= skip => v,
                v = ready(38u32), if 38 >= skip => v,
                v = ready(39u32), if 39 >= skip => v,
                v = ready(40u32), if 40 >= skip => v,
                v = ready(41u32), if 41 >= skip => v,
                v = ready(42u32), if 42 >= skip => v,
                v = ready(43u32), if 43 >= skip => v,
                v = ready(44u32), if 44 >= skip => v,
                v = ready(45u32), if 45 >= skip => v,
                v = ready(46u32), if 46 >= skip => v,
                v = ready(47u32), if 47 >= skip => v,
                v = ready(48u32), if 48 >= skip => v,
                v = ready(49u32), if 49 >= skip => v,
                v = ready(50u32), if 50 >= skip => v,
                v = ready(51u32), if 51 >= skip => v,
                v = ready(52u32), if 52 >= skip => v,
                v = ready(53u32), if 53 >= skip => v,
                v = ready(54u32), if 54 >= skip => v,
                v = ready(55u32), if 55 >= skip => v,
                v = ready(56u32), if 56 >= skip => v,
                v = ready(57u32), if 57 >= skip => v,
                v = ready(58u32), if 58 >= skip => v,
                v = ready(59u32), if 59 >= skip => v,
                v = ready(60u32), if 60 >= skip => v,
                v = ready(61u32), if 61 >= skip => v,
                v = ready(62u32), if 62 >= skip => v,
                v = ready(63u32), if 63 >= skip => v,
            }
        })
    };
    assert_eq!(pick(0), 0);
    assert_eq!(pick(63), 63);
}
