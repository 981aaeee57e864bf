use parley_mime::{Limits, ParsedMail};

/// Samples are written with `\n` for readability; mail on the wire uses CRLF.
pub fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

/// Joins byte pieces (for samples that hold non-UTF-8 bytes), turning bare `\n` into CRLF.
pub fn crlf_bytes(pieces: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in pieces {
        for &b in *piece {
            if b == b'\n' && out.last() != Some(&b'\r') {
                out.push(b'\r');
            }
            out.push(b);
        }
    }
    out
}

pub fn parse(raw: &[u8]) -> ParsedMail {
    parley_mime::parse(raw, false, &Limits::default()).expect("the sample parses")
}

pub fn parse_str(raw: &str) -> ParsedMail {
    parse(&crlf(raw))
}

/// Standard base64 with line breaks every 76 characters, for binary samples.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in data.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push('\n');
        }
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
