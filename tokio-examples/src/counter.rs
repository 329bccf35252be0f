//! A tonic service with a unary and a server-streaming RPC, and a client
//! with retries. The code of `proto/counter.proto` is generated at build
//! time (`build.rs`: protox, no `protoc`).

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};
use tonic::codegen::tokio_stream::Stream;
use tonic::transport::{Channel, Server};
use tonic::{Request, Response, Status};

/// The generated messages, client and server (documented where
/// `proto/counter.proto` has comments).
#[allow(missing_docs)]
pub mod proto {
    tonic::include_proto!("counter");
}

use proto::counter_client::CounterClient;
use proto::counter_server::{Counter, CounterServer};
use proto::{AddReply, AddRequest, CountRequest, Tick};

/// The most ticks one `Count` call may ask for.
pub const MAX_TICKS: u32 = 1_000;

/// The service: named counters in memory.
#[derive(Debug, Default, Clone)]
pub struct Counters {
    values: Arc<Mutex<BTreeMap<String, i64>>>,
}

type TickStream = Pin<Box<dyn Stream<Item = Result<Tick, Status>> + Send>>;

#[tonic::async_trait]
impl Counter for Counters {
    async fn add(&self, request: Request<AddRequest>) -> Result<Response<AddReply>, Status> {
        let AddRequest { name, amount } = request.into_inner();
        let mut values = self.values.lock().await;
        let value = values.entry(name).or_default();
        *value += amount;
        Ok(Response::new(AddReply { value: *value }))
    }

    type CountStream = TickStream;

    async fn count(&self, request: Request<CountRequest>) -> Result<Response<TickStream>, Status> {
        let CountRequest { from, count } = request.into_inner();
        if count > MAX_TICKS {
            return Err(Status::invalid_argument(format!(
                "at most {MAX_TICKS} ticks"
            )));
        }
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(async move {
            for i in 0..i64::from(count) {
                let value = from + i;
                let tick = Tick {
                    value,
                    payload: value.to_le_bytes().repeat(8),
                };
                if tx.send(Ok(tick)).await.is_err() {
                    return; // the client went away
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream(rx))))
    }
}

/// The receiving end of a channel as a stream.
struct ReceiverStream<T>(mpsc::Receiver<T>);

impl<T> Stream for ReceiverStream<T> {
    type Item = T;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<T>> {
        self.0.poll_recv(cx)
    }
}

/// Serves the counter on `addr` until `signal` completes.
pub async fn serve(
    addr: SocketAddr,
    signal: impl Future<Output = ()> + Send,
) -> Result<(), tonic::transport::Error> {
    Server::builder()
        .add_service(CounterServer::new(Counters::default()))
        .serve_with_shutdown(addr, signal)
        .await
}

/// Connects to the counter at `dst` (e.g. `http://server:50051`),
/// retrying up to `tries` times.
pub async fn connect(
    dst: &str,
    tries: u32,
) -> Result<CounterClient<Channel>, tonic::transport::Error> {
    let mut backoff = Duration::from_millis(50);
    let mut tries_left = tries;
    loop {
        match CounterClient::connect(dst.to_owned()).await {
            Ok(client) => return Ok(client),
            Err(e) if tries_left <= 1 => return Err(e),
            Err(_) => {
                tries_left -= 1;
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
    }
}

/// Adds `amount` to `name` and returns the new value.
pub async fn add(
    client: &mut CounterClient<Channel>,
    name: &str,
    amount: i64,
) -> Result<i64, Status> {
    let reply = client
        .add(AddRequest {
            name: name.to_owned(),
            amount,
        })
        .await?;
    Ok(reply.into_inner().value)
}

/// The values of a `Count` stream, in order.
pub async fn count(
    client: &mut CounterClient<Channel>,
    from: i64,
    count: u32,
) -> Result<Vec<i64>, Status> {
    let mut stream = client
        .count(CountRequest { from, count })
        .await?
        .into_inner();
    let mut values = Vec::new();
    while let Some(tick) = stream.message().await? {
        assert_eq!(
            tick.payload,
            tick.value.to_le_bytes().repeat(8),
            "tick payload"
        );
        values.push(tick.value);
    }
    Ok(values)
}
