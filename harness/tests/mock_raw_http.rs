//! The four seed providers' mocks over plain TCP, with what no HTTP client library would send:
//! random methods, odd paths, random headers and bodies, chunked bodies (well and badly
//! framed), wrong `Content-Length`s, pipelined and truncated requests, raw garbage. A property
//! test with a fixed seed: no answer is a 5xx, every final answer is JSON, nothing panics, the
//! server keeps serving after every case, and memory stays bounded.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use webhook_harness::mock::MockProvider;
use webhook_harness::spec::ProviderSpec;

/// Raw cases over the four mocks; `MOCK_RAW_CASES` changes it.
const CASES: u32 = 400;

/// The longest a case waits for an answer or a close: the mocks close a stalled connection
/// after 300 ms, so reaching this means a connection was left hanging.
const PATIENCE: Duration = Duration::from_secs(5);

/// How the request's body is framed on the wire.
#[derive(Debug, Clone)]
enum Framing {
    /// No body and no length.
    None,
    /// `Content-Length` equal to the body's length.
    Exact,
    /// `Transfer-Encoding: chunked`, the body cut into chunks of this size.
    Chunked(usize),
    /// A chunked body whose framing is broken (bad size, size overflow, no last chunk).
    BrokenChunk(&'static str),
    /// A `Content-Length` header with this text (not a number, negative, a list, too large).
    Length(&'static str),
    /// Both `Content-Length` and `Transfer-Encoding: chunked`.
    LengthAndChunked,
    /// `Content-Length` claiming more than is sent; the client then closes its side.
    Short(usize),
}

/// What is sent on one connection.
#[derive(Debug, Clone)]
enum Wire {
    /// One request.
    One(Request),
    /// Two requests in one write.
    Pipelined(Request, Request),
    /// A request cut after this many bytes, then the client closes its side.
    Truncated(Request, usize),
    /// Bytes that need not be HTTP at all.
    Garbage(Vec<u8>),
}

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    version: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    framing: Framing,
}

impl Request {
    fn bytes(&self) -> Vec<u8> {
        let mut out = format!(
            "{} {} {}\r\nhost: 127.0.0.1\r\n",
            self.method, self.path, self.version
        )
        .into_bytes();
        for (name, value) in &self.headers {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        let body = &self.body;
        match &self.framing {
            Framing::None => out.extend_from_slice(b"\r\n"),
            Framing::Exact => {
                out.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
                out.extend_from_slice(body);
            }
            Framing::Chunked(size) => {
                out.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
                for chunk in body.chunks((*size).max(1)) {
                    out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    out.extend_from_slice(chunk);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
            }
            Framing::BrokenChunk(size) => {
                out.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
                out.extend_from_slice(format!("{size}\r\n").as_bytes());
                out.extend_from_slice(body);
                out.extend_from_slice(b"\r\n");
            }
            Framing::Length(text) => {
                out.extend_from_slice(format!("content-length: {text}\r\n\r\n").as_bytes());
                out.extend_from_slice(body);
            }
            Framing::LengthAndChunked => {
                out.extend_from_slice(
                    format!(
                        "content-length: {}\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n",
                        body.len(),
                        body.len()
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(body);
                out.extend_from_slice(b"\r\n0\r\n\r\n");
            }
            Framing::Short(extra) => {
                out.extend_from_slice(
                    format!("content-length: {}\r\n\r\n", body.len() + extra).as_bytes(),
                );
                out.extend_from_slice(body);
            }
        }
        out
    }

    /// Whether the request leaves the server waiting for bytes that never come.
    fn incomplete(&self) -> bool {
        matches!(self.framing, Framing::Short(_) | Framing::BrokenChunk(_))
    }
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
        ])
        .prop_map(str::to_string),
        1 => prop::sample::select(vec!["get", "PROPFIND", "BREW", "G T", "", "M-SEARCH"])
            .prop_map(str::to_string),
        1 => "[A-Z]{1,40}",
    ]
}

fn path(templates: Vec<String>) -> impl Strategy<Value = String> {
    let template = prop::sample::select(templates);
    let segment = prop_oneof![
        Just("tenant-a".to_string()),
        Just("..".to_string()),
        Just("%00".to_string()),
        Just("%zz".to_string()),
        Just("%2F".to_string()),
        Just(String::new()),
        "[a-zA-Z0-9._~-]{0,30}",
        "[\\x21-\\x7e]{0,12}",
        "\\PC{0,6}",
    ];
    prop_oneof![
        4 => (template, segment.clone()).prop_map(|(t, s)| {
            // Every `{param}` of a spec path becomes the same odd segment.
            let mut out = String::new();
            let mut rest = t.as_str();
            while let Some(open) = rest.find('{') {
                out.push_str(&rest[..open]);
                let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
                out.push_str(&s);
                rest = &rest[close..];
            }
            out.push_str(rest);
            out
        }),
        1 => prop::sample::select(vec![
            "/", "*", "//", "/../../etc/passwd", "http://127.0.0.1/ping", "/?", "/#frag",
            "/a?b=%zz&&=&c", "127.0.0.1:80",
        ])
        .prop_map(str::to_string),
        1 => prop::collection::vec(segment, 0..6).prop_map(|s| format!("/{}", s.join("/"))),
        1 => (1usize..20_000).prop_map(|n| format!("/{}", "a".repeat(n))),
    ]
}

fn header() -> impl Strategy<Value = (String, String)> {
    let content_type = prop::sample::select(vec![
        "application/json",
        "application/json; charset=utf-8",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-7",
        ";;",
    ]);
    prop_oneof![
        2 => content_type.prop_map(|v| ("content-type".to_string(), v.to_string())),
        1 => "[ -~]{0,40}".prop_map(|v| ("authorization".to_string(), format!("Bearer {v}"))),
        1 => "[ -~]{0,40}".prop_map(|v| ("x-api-key".to_string(), v)),
        1 => prop::sample::select(vec![
            ("expect", "100-continue"),
            ("connection", "close"),
            ("connection", "keep-alive, upgrade"),
            ("upgrade", "websocket"),
            ("upgrade", "h2c"),
            ("transfer-encoding", "gzip"),
            ("content-encoding", "gzip"),
            ("accept", "application/xml"),
            ("host", "other.example"),
            ("x-http-method-override", "DELETE"),
        ])
        .prop_map(|(n, v)| (n.to_string(), v.to_string())),
        2 => ("[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,20}", "[ -~]{0,60}"),
        1 => (1usize..80_000).prop_map(|n| ("x-big".to_string(), "b".repeat(n))),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => Just(Vec::new()),
        2 => prop::sample::select(vec![
            "{}", "[]", "null", "{\"a\":", "{\"webhook\":{}}", "\"text\"", "1e999999",
            "{\"url\":\"http://127.0.0.1/\"}", "a=b&c", "query{__typename}",
            "{\"query\":\"{ __schema { types { name } } }\"}",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        2 => prop::collection::vec(any::<u8>(), 0..512),
        1 => (1usize..400).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes()),
        1 => (1usize..16_384).prop_map(|n| vec![b'x'; n]),
    ]
}

fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![
        2 => Just(Framing::None),
        4 => Just(Framing::Exact),
        2 => (1usize..64).prop_map(Framing::Chunked),
        1 => prop::sample::select(vec!["zz", "ffffffffffffffffffff", "-1", "5;ext=\"", ""])
            .prop_map(Framing::BrokenChunk),
        1 => prop::sample::select(vec!["abc", "-5", "1, 2", "99999999999999999999999", " 3 ", "0x10"])
            .prop_map(Framing::Length),
        1 => Just(Framing::LengthAndChunked),
        1 => (1usize..100_000).prop_map(Framing::Short),
    ]
}

/// `credentials`: the headers that authenticate the mock's first tenant, sent with most
/// requests so that cases reach the operations behind authentication.
fn request(templates: Vec<String>, credentials: Vec<(String, String)>) -> BoxedStrategy<Request> {
    (
        method(),
        path(templates),
        prop::sample::select(vec![
            "HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/9",
        ]),
        prop::collection::vec(header(), 0..6),
        prop::bool::weighted(0.7),
        body(),
        framing(),
    )
        .prop_map(
            move |(method, path, version, mut headers, authenticated, body, framing)| {
                if authenticated {
                    headers.splice(0..0, credentials.iter().cloned());
                }
                Request {
                    method,
                    path,
                    version,
                    headers,
                    body,
                    framing,
                }
            },
        )
        .boxed()
}

/// A request to one of the spec's operations as a client would send it (its method, the path's
/// parameters set to the first tenant's id, credentials, a JSON body), so that some cases
/// get past routing and authentication into the operations.
fn plain(
    endpoints: Vec<(String, String)>,
    credentials: Vec<(String, String)>,
) -> BoxedStrategy<Request> {
    (prop::sample::select(endpoints), body())
        .prop_map(move |((method, template), body)| {
            let mut path = String::new();
            let mut rest = template.as_str();
            while let Some(open) = rest.find('{') {
                path.push_str(&rest[..open]);
                path.push_str("tenant-a");
                rest = &rest[rest[open..].find('}').map_or(rest.len(), |c| open + c + 1)..];
            }
            path.push_str(rest);
            let mut headers = credentials.clone();
            headers.push(("content-type".into(), "application/json".into()));
            Request {
                method,
                path,
                version: "HTTP/1.1",
                headers,
                body,
                framing: Framing::Exact,
            }
        })
        .boxed()
}

fn wire(
    endpoints: Vec<(String, String)>,
    credentials: Vec<(String, String)>,
) -> impl Strategy<Value = Wire> {
    let templates = endpoints.iter().map(|(_, p)| p.clone()).collect();
    let one = request(templates, credentials.clone());
    prop_oneof![
        2 => plain(endpoints, credentials).prop_map(Wire::One),
        6 => one.clone().prop_map(Wire::One),
        2 => (one.clone(), one.clone()).prop_map(|(a, b)| Wire::Pipelined(a, b)),
        2 => (one, any::<usize>()).prop_map(|(r, at)| Wire::Truncated(r, at)),
        1 => prop::collection::vec(any::<u8>(), 0..2048).prop_map(Wire::Garbage),
    ]
}

/// Final answers: status and body.
type Answers = Vec<(u16, Vec<u8>)>;

/// The statuses of the responses in `bytes`, interim (1xx) ones left out, and whether the
/// last one is complete; `heads` says, per request, whether it was a HEAD (no body follows).
fn responses(bytes: &[u8], heads: &[bool]) -> Result<(Answers, bool), String> {
    let mut answers = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let Some(end) = rest.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Ok((answers, false));
        };
        let head = String::from_utf8_lossy(&rest[..end]).into_owned();
        rest = &rest[end + 4..];
        let status: u16 = head
            .strip_prefix("HTTP/1.")
            .and_then(|h| h.get(2..5))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("not an HTTP response: {head:?}"))?;
        if (100..200).contains(&status) {
            continue;
        }
        let length = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        let head_request = heads.get(answers.len()).copied().unwrap_or(false);
        let length = if head_request || status == 204 || status == 304 {
            0
        } else {
            length
        };
        if rest.len() < length {
            answers.push((status, Vec::new()));
            return Ok((answers, false));
        }
        answers.push((status, rest[..length].to_vec()));
        rest = &rest[length..];
    }
    Ok((answers, true))
}

/// Sends `wire` on a fresh connection and reads the answers: until as many as requests came,
/// or the server closes.
fn exchange(address: &str, wire: &Wire) -> Result<Answers, String> {
    let mut stream = TcpStream::connect(address).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    let (bytes, heads, close): (Vec<u8>, Vec<bool>, bool) = match wire {
        Wire::One(r) => (r.bytes(), vec![r.method == "HEAD"], r.incomplete()),
        Wire::Pipelined(a, b) => {
            let mut bytes = a.bytes();
            bytes.extend(b.bytes());
            (
                bytes,
                vec![a.method == "HEAD", b.method == "HEAD"],
                a.incomplete() || b.incomplete(),
            )
        }
        Wire::Truncated(r, at) => {
            let bytes = r.bytes();
            let at = at % bytes.len().max(1);
            (bytes[..at].to_vec(), vec![r.method == "HEAD"], true)
        }
        Wire::Garbage(bytes) => (bytes.clone(), vec![false], true),
    };
    // The server may answer and close before reading everything (a head too large): a write
    // error is then expected, and the answer is still read.
    let _ = stream.write_all(&bytes);
    if close {
        let _ = stream.shutdown(Shutdown::Write);
    }
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let (answers, complete) = responses(&received, &heads)?;
        if complete && answers.len() >= heads.len() {
            return Ok(answers);
        }
        match stream.read(&mut buffer) {
            Ok(0) => return Ok(responses(&received, &heads)?.0),
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            // A reset after an answer is the server closing on a client it refused.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Ok(responses(&received, &heads)?.0);
            }
            Err(e) => {
                return Err(format!(
                    "no answer and no close after {:?} ({e}); received {:?}",
                    started.elapsed(),
                    String::from_utf8_lossy(&received)
                ));
            }
        }
    }
}

/// The headers carrying the first tenant's secret for each security scheme of `mock`.
fn credential_headers(mock: &MockProvider) -> Vec<(String, String)> {
    let tenant = &mock.credentials().tenants[0];
    mock.spec()
        .security_schemes
        .iter()
        .filter_map(|scheme| {
            let secret = tenant.secrets.get(&scheme.name)?;
            match (scheme.kind.as_str(), scheme.location.as_deref()) {
                ("apiKey", Some("header")) => Some((scheme.parameter.clone()?, secret.clone())),
                ("http", _) => Some(("authorization".to_string(), format!("Bearer {secret}"))),
                _ => None,
            }
        })
        .collect()
}

/// The resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn raw_http_never_gets_a_5xx_a_panic_or_a_dead_server() {
    // Panics on the server's tasks are caught by tokio; this hook counts them.
    let panics = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&panics);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        counted.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let names = ["betterez", "happycolis", "swsh", "uc-alxgsv"];
    let mocks: Vec<MockProvider> = names
        .iter()
        .map(|name| {
            runtime.block_on(async {
                MockProvider::builder(ProviderSpec::load(name).unwrap())
                    .header_timeout(Duration::from_millis(300))
                    .idle_timeout(Duration::from_millis(300))
                    .seed(3)
                    .start()
                    .await
                    .unwrap()
            })
        })
        .collect();
    let addresses: Vec<String> = mocks.iter().map(|m| m.address().to_string()).collect();
    // The paths every spec serves, from its own base path.
    let templates: Vec<Vec<(String, String)>> = mocks
        .iter()
        .map(|m| {
            let base = m
                .uri()
                .split_once("//")
                .unwrap()
                .1
                .split_once('/')
                .map_or(String::new(), |(_, p)| format!("/{p}"));
            m.spec()
                .endpoints
                .iter()
                .map(|e| (e.method.clone(), format!("{base}{}", e.path)))
                .collect()
        })
        .collect();
    let credentials: Vec<Vec<(String, String)>> = mocks.iter().map(credential_headers).collect();
    let strategy = (0..mocks.len())
        .prop_flat_map(move |i| (Just(i), wire(templates[i].clone(), credentials[i].clone())));

    let cases = std::env::var("MOCK_RAW_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(CASES);
    let done = AtomicUsize::new(0);
    let statuses = std::sync::Mutex::new(std::collections::BTreeMap::<u16, usize>::new());
    let check = |(mock, wire): (usize, Wire)| -> Result<(), TestCaseError> {
        let address = &addresses[mock];
        let answers = exchange(address, &wire).map_err(TestCaseError::fail)?;
        for (status, body) in &answers {
            *statuses.lock().unwrap().entry(*status).or_default() += 1;
            prop_assert!(
                *status < 500,
                "{}: answered {status} {}",
                names[mock],
                String::from_utf8_lossy(body)
            );
            if !body.is_empty() {
                prop_assert!(
                    serde_json::from_slice::<serde_json::Value>(body).is_ok(),
                    "{}: answered {status} with a body that is not JSON: {}",
                    names[mock],
                    String::from_utf8_lossy(body)
                );
            }
        }
        // The server still serves: a plain request on a new connection is answered.
        let probe = Wire::One(Request {
            method: "GET".into(),
            path: "/".into(),
            version: "HTTP/1.1",
            headers: vec![("connection".into(), "close".into())],
            body: Vec::new(),
            framing: Framing::None,
        });
        let after = exchange(address, &probe).map_err(TestCaseError::fail)?;
        prop_assert!(
            after.len() == 1 && after[0].0 < 500,
            "{}: the server stopped serving: {after:?}",
            names[mock]
        );
        prop_assert_eq!(
            panics.load(Ordering::SeqCst),
            0,
            "a panic on {}",
            names[mock]
        );
        done.fetch_add(1, Ordering::SeqCst);
        Ok(())
    };
    let run = |seed: u8, cases: u32| {
        let config = Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 512,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(
            config,
            TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
        );
        if let Err(error) = runner.run(&strategy, check) {
            panic!("{error}");
        }
    };
    // A first round warms the allocator and the mocks' journals up; the second must not grow
    // memory beyond a generous bound (the journals are bounded, nothing else is kept).
    run(7, cases / 4);
    let before = rss_kib();
    run(8, cases);
    let after = rss_kib();
    eprintln!("VmRSS {before} kB before, {after} kB after");
    let statuses = statuses.into_inner().unwrap();
    eprintln!("statuses answered: {statuses:?}");
    assert!(
        statuses.keys().any(|s| (200..300).contains(s))
            && statuses.keys().any(|s| (400..500).contains(s)),
        "the cases reach endpoints and refusals alike: {statuses:?}"
    );
    assert!(
        after <= before + 64 * 1024,
        "memory grew from {before} kB to {after} kB over {cases} raw cases"
    );
    drop(mocks);
    eprintln!("{} raw cases", done.load(Ordering::SeqCst));
}
