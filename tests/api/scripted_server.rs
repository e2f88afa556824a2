//! Self-tests of the scripted test server in `tests/support`, which other test
//! files rely on: it must record faithfully and fail loudly when unscripted.

use crate::support;

use serde_json::json;
use support::{percent_decode, Step, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends raw bytes, returns the whole answer (the server closes after one).
async fn raw_exchange(server: &TestServer, request: &[u8]) -> String {
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn records_a_chunked_body_and_headers() {
    let server = TestServer::start([Step::json(201, json!({"ok": true}))]).await;
    let answer = raw_exchange(
        &server,
        b"POST /x/y?a=1&b=two%20words HTTP/1.1\r\nHost: t\r\nX-Thing: A\r\n\
          Transfer-Encoding: chunked\r\n\r\n5\r\n{\"k\":\r\n3\r\n 1}\r\n0\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 201 Created\r\n"), "{answer}");
    assert!(answer.ends_with("{\"ok\":true}"), "{answer}");
    let r = server.single_request();
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/x/y"));
    assert_eq!(r.header("x-thing"), Some("A"));
    assert_eq!(r.header("X-THING"), Some("A"));
    assert_eq!(r.json(), json!({"k": 1}));
    assert_eq!(
        r.query_pairs(),
        vec![
            ("a".to_string(), "1".to_string()),
            ("b".into(), "two words".into())
        ]
    );
}

#[tokio::test]
async fn an_unscripted_request_gets_a_loud_599() {
    let server = TestServer::start([]).await;
    let answer = raw_exchange(&server, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 599"), "{answer}");
    assert!(answer.contains("UNSCRIPTED"), "{answer}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn steps_are_used_in_order_and_can_be_pushed_later() {
    let server = TestServer::start([Step::empty(204)]).await;
    server.push(Step::body(200, "text/plain", "second"));
    assert_eq!(server.remaining(), 2);
    let first = raw_exchange(&server, b"GET /1 HTTP/1.1\r\n\r\n").await;
    let second = raw_exchange(&server, b"GET /2 HTTP/1.1\r\n\r\n").await;
    assert!(first.starts_with("HTTP/1.1 204"), "{first}");
    assert!(second.ends_with("second"), "{second}");
    assert_eq!(server.remaining(), 0);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/1", "/2"]);
}

#[test]
fn percent_decoding() {
    assert_eq!(percent_decode("a%20b%2Fc+d"), "a b/c d");
    assert_eq!(percent_decode("Jos%C3%A9"), "José");
    assert_eq!(percent_decode("100%"), "100%");
    assert_eq!(percent_decode("%zz"), "%zz");
}
