//! The parity table: tokio's public items (1.54, every stable feature) and
//! how the stand-in provides each one.
//!
//! - simulated: the stand-in's own item, which runs on detsim inside a
//!   detsim runtime and on tokio everywhere else;
//! - forwarded: tokio's own item, re-exported unchanged (it needs no
//!   runtime and makes no random choice, so detsim can drive it);
//! - missing: not exported, so naming it is a compile error, never a
//!   surprise at run time. `src/parity.rs` holds one `compile_fail`
//!   doctest per missing item.
//!
//! Every row is checked to name a real tokio item, and every provided row
//! to resolve in the stand-in, at compile time.

/// How the stand-in provides an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Simulated,
    Forwarded,
    Missing,
}

macro_rules! parity {
    (
        simulated { $($s:ident)::+ $(, $($s2:ident)::+)* $(,)? }
        forwarded { $($f:ident)::+ $(, $($f2:ident)::+)* $(,)? }
        missing { $($m:ident)::+ $(, $($m2:ident)::+)* $(,)? }
    ) => {
        const ITEMS: &[(&str, Class)] = &[
            (stringify!($($s)::+), Class::Simulated),
            $((stringify!($($s2)::+), Class::Simulated),)*
            (stringify!($($f)::+), Class::Forwarded),
            $((stringify!($($f2)::+), Class::Forwarded),)*
            (stringify!($($m)::+), Class::Missing),
            $((stringify!($($m2)::+), Class::Missing),)*
        ];

        /// Compiles only if every row names an item of the real tokio
        /// (deprecated ones too: `mpsc::error::RecvError` is a row).
        #[allow(unused_imports, deprecated)]
        fn every_row_is_a_tokio_item() {
            { use tokio::$($s)::+; }
            $({ use tokio::$($s2)::+; })*
            { use tokio::$($f)::+; }
            $({ use tokio::$($f2)::+; })*
            { use tokio::$($m)::+; }
            $({ use tokio::$($m2)::+; })*
        }

        /// Compiles only if every simulated or forwarded row resolves in
        /// the stand-in.
        #[allow(unused_imports)]
        fn every_provided_row_resolves_in_the_stand_in() {
            { use detsim_tokio::$($s)::+; }
            $({ use detsim_tokio::$($s2)::+; })*
            { use detsim_tokio::$($f)::+; }
            $({ use detsim_tokio::$($f2)::+; })*
        }
    };
}

parity! {
    simulated {
        spawn, select, main, test,
        task::spawn, task::spawn_blocking, task::spawn_local, task::block_in_place,
        task::yield_now, task::JoinHandle, task::JoinError, task::AbortHandle, task::JoinSet,
        task::LocalSet, task::LocalEnterGuard, task::Id, task::id, task::try_id,
        time::sleep, time::sleep_until, time::timeout, time::timeout_at, time::interval,
        time::interval_at, time::Instant, time::Sleep, time::Timeout, time::Interval,
        time::error::Elapsed,
        net::TcpListener, net::TcpStream, net::TcpSocket, net::UdpSocket, net::lookup_host,
        net::ToSocketAddrs, net::tcp::OwnedReadHalf, net::tcp::OwnedWriteHalf,
        net::tcp::ReadHalf, net::tcp::WriteHalf, net::tcp::ReuniteError,
        fs::File, fs::OpenOptions, fs::DirBuilder, fs::DirEntry, fs::ReadDir, fs::read_dir,
        fs::read, fs::read_to_string, fs::write, fs::copy, fs::create_dir, fs::create_dir_all,
        fs::remove_file, fs::remove_dir, fs::remove_dir_all, fs::rename, fs::metadata,
        fs::symlink_metadata, fs::try_exists,
        io::stdin, io::stdout, io::stderr, io::Stdin, io::Stdout, io::Stderr,
        sync::Mutex, sync::MutexGuard, sync::OwnedMutexGuard, sync::TryLockError,
        sync::RwLock, sync::RwLockReadGuard, sync::RwLockWriteGuard,
        sync::OwnedRwLockReadGuard, sync::OwnedRwLockWriteGuard,
        sync::Semaphore, sync::SemaphorePermit, sync::OwnedSemaphorePermit,
        sync::AcquireError, sync::TryAcquireError, sync::Notify, sync::Barrier,
        sync::BarrierWaitResult, sync::futures::Notified, sync::futures::OwnedNotified,
        sync::mpsc::channel, sync::mpsc::unbounded_channel, sync::mpsc::Sender,
        sync::mpsc::Receiver, sync::mpsc::UnboundedSender, sync::mpsc::UnboundedReceiver,
        sync::mpsc::Permit, sync::mpsc::OwnedPermit, sync::mpsc::error::SendError,
        sync::mpsc::error::TrySendError, sync::mpsc::error::TryRecvError,
        sync::oneshot::channel, sync::oneshot::Sender, sync::oneshot::Receiver,
        sync::oneshot::error::RecvError, sync::oneshot::error::TryRecvError,
        sync::watch::channel, sync::watch::Sender, sync::watch::Receiver, sync::watch::Ref,
        sync::watch::error::SendError, sync::watch::error::RecvError,
        sync::broadcast::channel, sync::broadcast::Sender, sync::broadcast::Receiver,
        sync::broadcast::error::SendError, sync::broadcast::error::RecvError,
        sync::broadcast::error::TryRecvError,
        runtime::Builder, runtime::Runtime, runtime::Handle, runtime::EnterGuard,
        signal::ctrl_c,
    }
    forwarded {
        join, try_join, pin, task_local,
        task::LocalKey, task::unconstrained, task::Unconstrained, task::futures::TaskLocalFuture,
        time::Duration, time::MissedTickBehavior, time::error::Error,
        io::AsyncRead, io::AsyncWrite, io::AsyncBufRead, io::AsyncSeek, io::AsyncReadExt,
        io::AsyncWriteExt, io::AsyncBufReadExt, io::AsyncSeekExt, io::ReadBuf, io::BufReader,
        io::BufWriter, io::BufStream, io::Lines, io::Split, io::Take, io::Chain, io::Empty,
        io::Sink, io::Repeat, io::DuplexStream, io::SimplexStream, io::ReadHalf, io::WriteHalf,
        io::Join, io::Interest, io::Ready, io::copy, io::copy_buf, io::copy_bidirectional,
        io::copy_bidirectional_with_sizes, io::duplex, io::simplex, io::empty, io::sink,
        io::repeat, io::split, io::join, io::Error, io::ErrorKind, io::Result, io::SeekFrom,
        sync::OnceCell, sync::SetError, sync::SetOnce, sync::SetOnceError,
        runtime::TryCurrentError, runtime::RuntimeFlavor, runtime::LocalRuntime,
        runtime::LocalOptions, runtime::is_rt_shutdown_err,
    }
    missing {
        task::consume_budget, task::coop,
        time::pause, time::advance, time::resume,
        net::unix, net::UnixListener, net::UnixStream, net::UnixDatagram, net::UnixSocket,
        fs::canonicalize, fs::hard_link, fs::read_link, fs::set_permissions, fs::symlink,
        fs::FileTimes,
        io::unix::AsyncFd,
        sync::MappedMutexGuard, sync::OwnedMappedMutexGuard, sync::RwLockMappedWriteGuard,
        sync::OwnedRwLockMappedWriteGuard, sync::mpsc::WeakSender,
        sync::mpsc::WeakUnboundedSender, sync::mpsc::PermitIterator,
        sync::mpsc::error::SendTimeoutError, sync::mpsc::error::RecvError,
        sync::broadcast::WeakSender,
        runtime::Id, runtime::RuntimeMetrics,
        signal::unix,
        process::Command, process::Child, process::ChildStdin, process::ChildStdout,
        process::ChildStderr,
    }
}

#[test]
fn the_table_compiles_against_both_crates() {
    every_row_is_a_tokio_item();
    every_provided_row_resolves_in_the_stand_in();
    let count = |class| ITEMS.iter().filter(|(_, c)| *c == class).count();
    println!(
        "tokio items: {} simulated, {} forwarded, {} missing",
        count(Class::Simulated),
        count(Class::Forwarded),
        count(Class::Missing)
    );
    let mut paths: Vec<&str> = ITEMS.iter().map(|(p, _)| *p).collect();
    paths.sort_unstable();
    paths.dedup();
    assert_eq!(paths.len(), ITEMS.len(), "a row is listed twice");
}

/// Each missing row has a `compile_fail` doctest in `src/parity.rs` that
/// names it, and each such doctest is a row: the proof that naming a
/// missing item does not compile stays complete.
#[test]
fn every_missing_item_has_a_compile_fail_doctest() {
    let docs = include_str!("../src/parity.rs");
    let mut proven = Vec::new();
    let mut lines = docs.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "//! ```compile_fail,E0432" {
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| l.trim() != "//! ```")
                .collect();
            let named = body
                .iter()
                .find_map(|l| l.split("use detsim_tokio::").nth(1))
                .map(|rest| rest.trim_end_matches(';').trim().to_string());
            proven.push(named.unwrap_or_else(|| panic!("a compile_fail block names no item")));
        }
    }
    let mut missing: Vec<String> = ITEMS
        .iter()
        .filter(|(_, c)| *c == Class::Missing)
        .map(|(p, _)| p.replace(' ', ""))
        .collect();
    missing.sort();
    proven.sort();
    assert_eq!(missing, proven);
}
