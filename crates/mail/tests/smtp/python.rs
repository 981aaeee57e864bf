//! A client that is not ours: Python's smtplib.

use tokio::process::Command;

use crate::support::TestServer;

const SCRIPT: &str = r#"
import json, smtplib, sys

host, port = sys.argv[1], int(sys.argv[2])
message = "From: sender@example.org\r\nSubject: from python\r\n\r\nHello.\r\n.a line starting with a dot\r\n"
result = {}
with smtplib.SMTP(host, port, timeout=10) as smtp:
    smtp.ehlo("python.example")
    result["features"] = sorted(smtp.esmtp_features)
    refused = smtp.sendmail("sender@example.org", ["alice@example.com", "unknown@example.com", "bob@example.com"], message)
    result["refused"] = {rcpt: code for rcpt, (code, _) in refused.items()}
    try:
        smtp.sendmail("sender@example.org", ["alice@example.com"], "x" * 5000)
        result["big"] = "accepted"
    except smtplib.SMTPSenderRefused as e:
        result["big"] = e.smtp_code
    result["noop"] = smtp.noop()[0]
print(json.dumps(result, sort_keys=True))
"#;

#[tokio::test]
async fn python_smtplib_delivers() {
    let server = TestServer::with(|c| c.max_message_bytes = 2000).await;
    let output = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(server.addr.ip().to_string())
        .arg(server.addr.port().to_string())
        .output()
        .await
        .expect("python3 must be installed to run this test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "python failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        stdout.trim(),
        r#"{"big": 552, "features": ["8bitmime", "enhancedstatuscodes", "pipelining", "size"], "noop": 250, "refused": {"unknown@example.com": 550}}"#
    );

    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries.len(), 1);
    let (envelope, raw) = &deliveries[0];
    assert_eq!(envelope.helo, "python.example");
    assert_eq!(envelope.rcpt_to, ["alice@example.com", "bob@example.com"]);
    assert_eq!(
        raw,
        b"From: sender@example.org\r\nSubject: from python\r\n\r\nHello.\r\n.a line starting with a dot\r\n"
    );
}
