//! The bug catalogue: for each class of bug that code written for a
//! perfect kernel has, a small buggy program and its correct twin, run
//! under the default settings (`Sim::new()`: legal behaviour on,
//! environment faults off). `classes/mod.rs` says what each class needs
//! and how the crash and loss classes get their crash; each class's file
//! shows the bug and the fix side by side.
//!
//! ```text
//! cargo run --example catalogue                        # every class: where the bug is found
//! cargo run --example catalogue -- lost-notify         # one class: the full failure report
//! DETSIM_SEED=0x.. cargo run --example catalogue -- lost-notify   # replay one seed
//! ```

mod classes;

use std::process::ExitCode;

use classes::{CLASSES, Class};
use detsim::Sim;

/// Seeds each buggy program gets.
const SEEDS: u64 = 50;

fn find(class: &Class) -> Result<(), Box<detsim::SweepFailure>> {
    let run = class.run;
    Sim::new()
        .seeds(SEEDS)
        .try_run(move || run(false))
        .map(|_| ())
}

fn main() -> ExitCode {
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    if let Some(id) = wanted.first() {
        let Some(class) = CLASSES.iter().find(|c| c.id == id) else {
            let ids: Vec<_> = CLASSES.iter().map(|c| c.id).collect();
            eprintln!("no class `{id}`; the classes: {}", ids.join(", "));
            return ExitCode::FAILURE;
        };
        return match find(class) {
            Ok(()) => {
                println!("{}: the buggy program passed.", class.name);
                ExitCode::FAILURE
            }
            Err(failure) => {
                println!("{}:\n{failure}", class.name);
                println!("(the replay lines run every class: add `-- {id}` for this one)");
                ExitCode::SUCCESS
            }
        };
    }
    let mut missed = 0;
    for class in CLASSES {
        match find(class) {
            Ok(()) => {
                missed += 1;
                println!("{}: NOT found in {SEEDS} seeds", class.name);
            }
            Err(f) => println!(
                "{}: found at seed {} with defaults{} (replay with DETSIM_SEED={:#x} \
                 cargo run --example catalogue -- {})",
                class.name,
                f.failure.seed,
                if class.needs_legal {
                    ", never without legal behaviour"
                } else {
                    ""
                },
                f.failure.seed,
                class.id
            ),
        }
    }
    if missed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
