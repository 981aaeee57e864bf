//! STARTTLS with a generated certificate, checked by a rustls client that trusts only that certificate.

use std::sync::Arc;

use parley_mail::{load_tls, TlsError};
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

use tokio::io::AsyncReadExt;

use crate::support::{Client, TestServer, WAIT};

struct TestCert {
    _dir: tempfile::TempDir,
    server: Arc<tokio_rustls::rustls::ServerConfig>,
    client: Arc<ClientConfig>,
}

fn test_cert() -> TestCert {
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, generated.cert.pem()).unwrap();
    std::fs::write(&key_path, generated.signing_key.serialize_pem()).unwrap();
    let server = load_tls(&cert_path, &key_path).unwrap();

    let mut roots = RootCertStore::empty();
    roots.add(generated.cert.der().clone()).unwrap();
    let client = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TestCert { _dir: dir, server, client: Arc::new(client) }
}

#[tokio::test]
async fn starttls_then_deliver() {
    let cert = test_cert();
    let server = TestServer::with(|c| c.tls = Some(cert.server.clone())).await;
    let mut c = server.client().await;
    let ehlo = c.expect("EHLO before.example", 250).await;
    assert!(ehlo.lines.contains(&"STARTTLS".to_owned()), "{ehlo:?}");
    c.expect("MAIL FROM:<a@example.org>", 250).await;
    c.expect("STARTTLS", 503).await;
    c.expect("RSET", 250).await;

    // HELP rides along in clear text after STARTTLS; it must not be answered inside TLS.
    c.send("STARTTLS\r\nHELP\r\n").await;
    assert_eq!(c.reply().await.code, 220);
    let tcp = c.into_inner();
    let connector = TlsConnector::from(cert.client.clone());
    let tls = connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await.unwrap();
    let mut c = Client::new(tls);

    // Everything from before TLS is forgotten: a greeting is needed again.
    let first = c.cmd("MAIL FROM:<a@example.org>").await;
    assert_eq!(first.code, 503, "state survived STARTTLS, or injected HELP was answered: {first:?}");
    let ehlo = c.expect("EHLO after.example", 250).await;
    assert!(!ehlo.text().contains("STARTTLS"), "{ehlo:?}");
    c.expect("STARTTLS", 503).await;
    let reply = c.deliver("a@example.org", &["b@example.com"], "Subject: secret\r\n\r\nover TLS\r\n").await;
    assert_eq!(reply.code, 250, "{reply:?}");
    c.expect("QUIT", 221).await;

    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries.len(), 1);
    let (envelope, raw) = &deliveries[0];
    assert!(envelope.tls);
    assert_eq!(envelope.helo, "after.example");
    assert_eq!(raw, b"Subject: secret\r\n\r\nover TLS\r\n");
}

#[tokio::test]
async fn failed_handshake_ends_only_that_session() {
    let cert = test_cert();
    let server = TestServer::with(|c| c.tls = Some(cert.server.clone())).await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    c.expect("STARTTLS", 220).await;
    c.send("this is not a TLS client hello\r\n").await;
    // The server may send a TLS alert before it closes.
    let mut tcp = c.into_inner();
    let mut rest = Vec::new();
    tokio::time::timeout(WAIT, tcp.read_to_end(&mut rest)).await.unwrap().unwrap();
    assert!(rest.len() < 100, "unexpected answer {rest:?}");
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
}

#[test]
fn load_tls_names_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not pem at all\n").unwrap();
    assert!(matches!(load_tls(&missing, &missing), Err(TlsError::Read { .. })));
    assert!(matches!(load_tls(&empty, &empty), Err(TlsError::NoCertificate { .. })));
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.path().join("cert.pem");
    std::fs::write(&cert, generated.cert.pem()).unwrap();
    assert!(matches!(load_tls(&cert, &empty), Err(TlsError::NoKey { .. })));
}
