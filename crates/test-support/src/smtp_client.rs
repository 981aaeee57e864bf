//! Sending mail the way the outside world does: with Python's smtplib, a real SMTP client that Parley's code has
//! no part in.

use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Stdio};

/// One message to send: envelope and the raw message text.
pub struct Outgoing<'a> {
    pub from: &'a str,
    pub to: Vec<&'a str>,
    pub data: String,
}

/// What the server answered for one message: `Ok(())` for 250, `Err(reply)` otherwise.
pub type Sent = Result<(), String>;

const SCRIPT: &str = r#"
import json, smtplib, sys
job = json.load(sys.stdin)
out = []
conn = None
for m in job["messages"]:
    try:
        if conn is None:
            if job.get("lmtp"):
                conn = smtplib.LMTP(job["host"], job["port"])
                conn.sock.settimeout(60)
            else:
                conn = smtplib.SMTP(job["host"], job["port"], timeout=60)
            conn.ehlo("client.test")
        refused = conn.sendmail(m["from"], m["to"], m["data"].encode("utf-8"))
        out.append({"ok": not refused, "error": json.dumps({k: [v[0], v[1].decode()] for k, v in refused.items()}) if refused else None})
    except smtplib.SMTPRecipientsRefused as e:
        out.append({"ok": False, "error": "recipients refused: " + json.dumps({k: [v[0], v[1].decode()] for k, v in e.recipients.items()})})
        conn = None
    except Exception as e:
        out.append({"ok": False, "error": type(e).__name__ + ": " + str(e)})
        conn = None
try:
    if conn is not None:
        conn.quit()
except Exception:
    pass
print(json.dumps(out))
"#;

/// Send messages over one connection (reopened after an error). Blocking: call from a test thread.
pub fn send_all(server: SocketAddr, messages: &[Outgoing<'_>]) -> Vec<Sent> {
    run(server, false, messages)
}

/// Deliver messages over LMTP, as a local MTA (Postfix, Exim) hands mail on.
pub fn deliver_lmtp(server: SocketAddr, messages: &[Outgoing<'_>]) -> Vec<Sent> {
    run(server, true, messages)
}

fn run(server: SocketAddr, lmtp: bool, messages: &[Outgoing<'_>]) -> Vec<Sent> {
    let job = serde_json::json!({
        "lmtp": lmtp,
        "host": server.ip().to_string(),
        "port": server.port(),
        "messages": messages.iter().map(|m| serde_json::json!({"from": m.from, "to": m.to, "data": m.data})).collect::<Vec<_>>(),
    });
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(job.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let results: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("the sender printed its results");
    results
        .into_iter()
        .map(|r| if r["ok"] == true { Ok(()) } else { Err(r["error"].as_str().unwrap_or("").to_string()) })
        .collect()
}

/// Send one message.
pub fn send(server: SocketAddr, from: &str, to: &[&str], data: &str) -> Sent {
    send_all(server, &[Outgoing { from, to: to.to_vec(), data: data.to_string() }]).remove(0)
}
