//! `io`: tokio's utilities driven by the simulation, and the standard
//! streams' behaviour in each world.

use detsim::{Faults, Sim};
use detsim_tokio::io::{self, AsyncReadExt, AsyncWriteExt};

#[test]
fn tokio_io_utilities_are_deterministic_in_the_simulation() {
    Sim::new()
        .faults(Faults::default())
        .seeds(50)
        .check_determinism(true)
        .run(|| async {
            let (mut a, b) = io::duplex(16);
            let echo = detsim::spawn(async move {
                let (mut r, mut w) = io::split(b);
                io::copy(&mut r, &mut w).await.unwrap()
            });
            let message = vec![7u8; 100];
            a.write_all(&message).await.unwrap();
            let mut back = vec![0; 100];
            a.read_exact(&mut back).await.unwrap();
            assert_eq!(back, message);
            drop(a);
            assert_eq!(echo.await.unwrap(), 100);
        });
}

#[test]
fn stdout_writes_synchronously_inside_a_simulation() {
    detsim::Runtime::sim(0).block_on(async {
        // Through tokio's Stdout this would need tokio's blocking pool,
        // which does not exist here: it would panic.
        let mut err = io::stderr();
        err.write_all(b"(detsim-tokio io test: stderr inside a simulation)\n")
            .await
            .unwrap();
        err.flush().await.unwrap();
        io::stdout().flush().await.unwrap();
    });
}

#[test]
fn stdin_is_refused_inside_a_simulation() {
    let err = detsim::Runtime::sim(0)
        .block_on(async { io::stdin().read(&mut [0; 4]).await })
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
    assert!(err.to_string().contains("stdin is not simulated"), "{err}");
}

#[test]
fn stdout_is_tokios_outside_a_simulation() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut err = io::stderr();
        err.write_all(b"(detsim-tokio io test: stderr through tokio)\n")
            .await
            .unwrap();
        err.flush().await.unwrap();
    });
}
