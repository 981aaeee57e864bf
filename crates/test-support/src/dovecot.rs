//! A real IMAP server for tests: Debian's Dovecot, with its own configuration, users and maildirs in a temporary
//! directory, listening on a free port on 127.0.0.1. `scripts/test` installs the `dovecot-imapd` package.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Dovecot {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

fn id_of(flag: &str) -> String {
    let out = Command::new("id").args([flag, "dovecot"]).output().expect("id runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Dovecot {
    /// Start with one user. Panics with a clear message if Dovecot is not installed.
    pub fn start(user: &str, password: &str) -> Dovecot {
        let bin = "/usr/sbin/dovecot";
        assert!(
            std::path::Path::new(bin).exists(),
            "Dovecot is needed by this test: install dovecot-imapd (scripts/test does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        // Dovecot's own processes run as the dovecot user and must reach the configuration and the mail.
        Command::new("chmod").args(["755", &d]).status().unwrap();
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let (uid, gid) = (id_of("-u"), id_of("-g"));
        Command::new("chown").args([&format!("{uid}:{gid}"), &format!("{d}/mail")]).status().unwrap();
        std::fs::write(dir.path().join("passwd"), format!("{user}:{{PLAIN}}{password}::::::\n")).unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let conf = format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\nprotocols = imap\nlisten = 127.0.0.1\n\
             ssl = no\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\nmail_location = maildir:{d}/mail/%u\n\
             first_valid_uid = {uid}\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={d}/mail/%u\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n\
               inet_listener imaps {{\n    port = 0\n  }}\n}}\nservice anvil {{\n  chroot =\n}}\n"
        );
        let conf_path: PathBuf = dir.path().join("dovecot.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new(bin)
            .arg("-F")
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "Dovecot did not start; see {d}/dovecot.log");
            std::thread::sleep(Duration::from_millis(50));
        }
        Dovecot { port, dir, child }
    }

    fn python(&self, script: &str, args: &[&str]) -> String {
        let out = Command::new("python3").arg("-c").arg(script).args(args).output().unwrap();
        assert!(out.status.success(), "imaplib: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Put a message into the user's INBOX, as if it had been delivered there.
    pub fn append(&self, user: &str, password: &str, raw: &str) {
        let script = "import imaplib, sys\nc = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))\nc.login(sys.argv[2], sys.argv[3])\n\
                      r = c.append('INBOX', None, None, sys.stdin.buffer.read() if False else sys.argv[4].encode())\n\
                      assert r[0] == 'OK', r\nc.logout()\n";
        self.python(script, &[&self.port.to_string(), user, password, raw]);
    }

    /// The flags of every message in INBOX, by UID.
    pub fn flags(&self, user: &str, password: &str) -> String {
        let script = "import imaplib, sys\nc = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))\nc.login(sys.argv[2], sys.argv[3])\n\
                      c.select('INBOX')\ntyp, data = c.uid('fetch', '1:*', '(FLAGS)')\nprint(b' '.join(d for d in data if d).decode())\nc.logout()\n";
        self.python(script, &[&self.port.to_string(), user, password])
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
