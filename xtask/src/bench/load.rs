//! A small keep-alive load generator: `connections` HTTP/1.1 connections, each sending one
//! request after another for a fixed time, with every latency recorded.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// The longest one connect or one request (answer and body included) may take: a server that
/// hangs ends its connection's run with an error instead of hanging the benchmark.
const STEP_LIMIT: Duration = Duration::from_secs(10);

/// One request to repeat.
#[derive(Debug, Clone)]
pub struct Shot {
    pub method: hyper::Method,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// What a load run measured.
#[derive(Debug, Clone)]
pub struct Measured {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    /// Statuses other than the expected one.
    pub unexpected: u64,
    /// How many answers had each status.
    pub statuses: BTreeMap<u16, u64>,
}

impl Measured {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// Sends `shot` to `address` over `connections` connections for `duration`; `expect` is the
/// status every answer should have.
pub async fn run(
    address: SocketAddr,
    shot: Shot,
    connections: usize,
    duration: Duration,
    expect: u16,
) -> Measured {
    let deadline = Instant::now() + duration;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let shot = shot.clone();
        tasks.push(tokio::spawn(async move {
            connection(address, shot, deadline, expect).await
        }));
    }
    let mut latencies = Vec::new();
    let (mut errors, mut unexpected) = (0, 0);
    let mut statuses = BTreeMap::new();
    for task in tasks {
        if let Ok((mut l, e, u, s)) = task.await {
            latencies.append(&mut l);
            errors += e;
            unexpected += u;
            for (status, count) in s {
                *statuses.entry(status).or_insert(0) += count;
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Measured {
        requests: latencies.len() as u64,
        errors,
        seconds,
        p50_us: pick(0.50),
        p99_us: pick(0.99),
        unexpected,
        statuses,
    }
}

async fn connection(
    address: SocketAddr,
    shot: Shot,
    deadline: Instant,
    expect: u16,
) -> (Vec<u64>, u64, u64, BTreeMap<u16, u64>) {
    let mut latencies = Vec::with_capacity(1 << 16);
    let (mut errors, mut unexpected) = (0, 0);
    let mut statuses = BTreeMap::new();
    let Ok(Ok(stream)) = tokio::time::timeout(STEP_LIMIT, TcpStream::connect(address)).await else {
        return (latencies, 1, 0, statuses);
    };
    let _ = stream.set_nodelay(true);
    let Ok(Ok((mut sender, conn))) = tokio::time::timeout(
        STEP_LIMIT,
        hyper::client::conn::http1::handshake(TokioIo::new(stream)),
    )
    .await
    else {
        return (latencies, 1, 0, statuses);
    };
    tokio::spawn(conn);
    while Instant::now() < deadline {
        let mut request = Request::builder()
            .method(shot.method.clone())
            .uri(&shot.path)
            .header("host", address.to_string());
        for (k, v) in &shot.headers {
            request = request.header(k, v);
        }
        let Ok(request) = request.body(Full::new(shot.body.clone())) else {
            break;
        };
        let sent = Instant::now();
        let exchange = async {
            sender.ready().await?;
            let response = sender.send_request(request).await?;
            let status = response.status().as_u16();
            let _ = response.into_body().collect().await;
            Ok::<_, hyper::Error>(status)
        };
        match tokio::time::timeout(STEP_LIMIT, exchange).await {
            Ok(Ok(status)) => {
                latencies.push(sent.elapsed().as_micros() as u64);
                *statuses.entry(status).or_insert(0) += 1;
                if status != expect {
                    unexpected += 1;
                }
            }
            Ok(Err(_)) | Err(_) => {
                errors += 1;
                break;
            }
        }
    }
    (latencies, errors, unexpected, statuses)
}

/// A fixed-body server: reads the request body and answers the same bytes every time. The
/// floor any server doing real work is compared with.
pub async fn fixed_server(body: &'static [u8]) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |request: Request<hyper::body::Incoming>| async move {
                        let _ = request.into_body().collect().await;
                        Ok::<_, std::convert::Infallible>(
                            hyper::Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from_static(body)))
                                .unwrap_or_default(),
                        )
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(address)
}
