//! [`TokioExecutor`]: hyper's executor over the stand-in's `tokio::spawn`.

use std::future::Future;

use hyper::rt::Executor;

/// A hyper [`Executor`] that spawns each future with `tokio::spawn`.
///
/// The spawn is the tokio stand-in's: inside a detsim run the tasks hyper
/// spawns (an HTTP/2 connection's, a pooled client connection's) are detsim
/// tasks, seeded and in virtual time; anywhere else they are tokio tasks.
/// With the `rt-tracing-exec-force` feature, a spawned future keeps the
/// current tracing span, as hyper-util's does.
#[non_exhaustive]
#[derive(Default, Debug, Clone)]
pub struct TokioExecutor {}

impl TokioExecutor {
    /// An executor spawning with `tokio::spawn`.
    pub fn new() -> Self {
        Self {}
    }
}

impl<Fut> Executor<Fut> for TokioExecutor
where
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    fn execute(&self, fut: Fut) {
        #[cfg(feature = "rt-tracing-exec-force")]
        let fut = tracing::Instrument::in_current_span(fut);
        // Detached, as hyper expects: the task runs to its end on its own.
        drop(detsim_tokio::spawn(fut));
    }
}
