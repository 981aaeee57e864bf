//! A small reader for TNEF (`application/ms-tnef`, usually `winmail.dat`), the wrapper Outlook puts around
//! attachments when it sends "rich text". Only the attached files are taken out; the rich-text body is not.
//!
//! The format (MS-OXTNEF): a 4-byte signature, a 2-byte key, then attributes, each `level (1 byte) · id (4) ·
//! length (4) · data · checksum (2)`, all little-endian. Level 2 attributes describe attachments. Every length is
//! checked against what is left, so a hostile file can only make the reader stop early.

use mail_parser::decoders::charsets::map::charset_decoder;

const SIGNATURE: u32 = 0x223E_9F78;

const LEVEL_MESSAGE: u8 = 1;
const LEVEL_ATTACHMENT: u8 = 2;

const ATT_ATTACH_RENDDATA: u32 = 0x0006_9002;
const ATT_ATTACH_TITLE: u32 = 0x0001_8010;
const ATT_ATTACH_DATA: u32 = 0x0006_800F;
const ATT_ATTACHMENT: u32 = 0x0006_9005;
const ATT_OEM_CODEPAGE: u32 = 0x0006_9007;

const PR_DISPLAY_NAME: u16 = 0x3001;
const PR_ATTACH_DATA_BIN: u16 = 0x3701;
const PR_ATTACH_FILENAME: u16 = 0x3704;
const PR_ATTACH_LONG_FILENAME: u16 = 0x3707;
const PR_ATTACH_MIME_TAG: u16 = 0x370E;
const PR_ATTACH_CONTENT_ID: u16 = 0x3712;

/// A file found inside a TNEF stream. `data` borrows from the stream: nothing is copied until it is kept.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct TnefFile<'a> {
    pub name: Option<String>,
    pub content_type: Option<String>,
    pub content_id: Option<String>,
    pub data: &'a [u8],
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum TnefError {
    #[error("it does not start with the TNEF signature")]
    NotTnef,
    #[error("it is cut short")]
    Truncated,
    #[error("an attribute checksum does not match")]
    BadChecksum,
    #[error("an attribute has an unknown level")]
    UnknownLevel,
    #[error("it holds no attached files")]
    NoFiles,
}

/// The attached files, in order. Fails on any damage rather than returning half-read data, so the caller can
/// keep the original `winmail.dat` instead.
pub(crate) fn unpack(stream: &[u8]) -> Result<Vec<TnefFile<'_>>, TnefError> {
    let mut reader = Reader::new(stream);
    if reader.u32() != Some(SIGNATURE) {
        return Err(TnefError::NotTnef);
    }
    reader.u16().ok_or(TnefError::Truncated)?; // legacy key, unused

    let mut codepage = 1252;
    let mut files: Vec<Pending<'_>> = Vec::new();
    let mut current = Pending::default();

    while !reader.is_empty() {
        let level = reader.u8().ok_or(TnefError::Truncated)?;
        let id = reader.u32().ok_or(TnefError::Truncated)?;
        let len = reader.u32().ok_or(TnefError::Truncated)?;
        let data = reader.take(len as usize).ok_or(TnefError::Truncated)?;
        let checksum = reader.u16().ok_or(TnefError::Truncated)?;
        if data.iter().fold(0u16, |sum, &b| sum.wrapping_add(u16::from(b))) != checksum {
            return Err(TnefError::BadChecksum);
        }

        match (level, id) {
            (LEVEL_MESSAGE, ATT_OEM_CODEPAGE) => {
                if let Some(cp) = Reader::new(data).u32() {
                    codepage = cp;
                }
            }
            (LEVEL_MESSAGE, _) => {}
            (LEVEL_ATTACHMENT, ATT_ATTACH_RENDDATA) => current.finish_into(&mut files),
            (LEVEL_ATTACHMENT, ATT_ATTACH_TITLE) => {
                if current.title.is_some() {
                    current.finish_into(&mut files);
                }
                current.title = Some(decode_ansi(data, codepage));
            }
            (LEVEL_ATTACHMENT, ATT_ATTACH_DATA) => {
                if current.data.is_some() {
                    current.finish_into(&mut files);
                }
                current.data = Some(data);
            }
            (LEVEL_ATTACHMENT, ATT_ATTACHMENT) => read_properties(data, codepage, &mut current),
            (LEVEL_ATTACHMENT, _) => {}
            _ => return Err(TnefError::UnknownLevel),
        }
    }
    current.finish_into(&mut files);

    let files: Vec<TnefFile<'_>> = files.into_iter().filter_map(Pending::into_file).collect();
    if files.is_empty() {
        Err(TnefError::NoFiles)
    } else {
        Ok(files)
    }
}

/// An attachment being assembled from its attributes.
#[derive(Default)]
struct Pending<'a> {
    title: Option<String>,
    long_name: Option<String>,
    display_name: Option<String>,
    mime_tag: Option<String>,
    content_id: Option<String>,
    data: Option<&'a [u8]>,
    property_data: Option<&'a [u8]>,
}

impl<'a> Pending<'a> {
    fn finish_into(&mut self, files: &mut Vec<Pending<'a>>) {
        let done = std::mem::take(self);
        if done.data.is_some() || done.property_data.is_some() || done.title.is_some() {
            files.push(done);
        }
    }

    fn into_file(self) -> Option<TnefFile<'a>> {
        let data = self.data.or(self.property_data)?;
        let name = [self.long_name, self.title, self.display_name].into_iter().flatten().find(|n| !n.is_empty());
        Some(TnefFile { name, content_type: self.mime_tag, content_id: self.content_id, data })
    }
}

/// Reads the MAPI properties of an attachment for the names, type and Content-ID the older attributes lack.
/// Stops quietly at the first property it cannot size; what was read so far is kept.
fn read_properties<'a>(data: &'a [u8], codepage: u32, pending: &mut Pending<'a>) {
    let mut r = Reader::new(data);
    let Some(count) = r.u32() else { return };
    for _ in 0..count {
        let (Some(kind), Some(id)) = (r.u16(), r.u16()) else { return };
        if id >= 0x8000 {
            // Named property: a GUID, then a number or a length-prefixed name.
            if r.take(16).is_none() {
                return;
            }
            match r.u32() {
                Some(0) => {
                    if r.u32().is_none() {
                        return;
                    }
                }
                Some(_) => {
                    let Some(len) = r.u32() else { return };
                    if r.take_padded(len as usize).is_none() {
                        return;
                    }
                }
                None => return,
            }
        }
        let multi = kind & 0x1000 != 0;
        let base = kind & 0x0FFF;
        let variable = matches!(base, 0x001E | 0x001F | 0x0102 | 0x000D);
        let values = if multi || variable {
            match r.u32() {
                Some(n) => n,
                None => return,
            }
        } else {
            1
        };
        for _ in 0..values {
            let fixed = match base {
                0x0002 | 0x0003 | 0x0004 | 0x000A | 0x000B => Some(4),
                0x0005 | 0x0006 | 0x0007 | 0x0014 | 0x0040 => Some(8),
                0x0048 => Some(16),
                _ => None,
            };
            if let Some(size) = fixed {
                if r.take(size).is_none() {
                    return;
                }
                continue;
            }
            if !variable {
                return;
            }
            let Some(len) = r.u32() else { return };
            let Some(value) = r.take_padded(len as usize) else { return };
            let text = || match base {
                0x001E => Some(decode_ansi(value, codepage)),
                0x001F => Some(decode_utf16(value)),
                _ => None,
            };
            match id {
                PR_ATTACH_LONG_FILENAME => pending.long_name = text().or(pending.long_name.take()),
                PR_ATTACH_FILENAME if pending.title.is_none() => pending.title = text(),
                PR_DISPLAY_NAME => pending.display_name = text().or(pending.display_name.take()),
                PR_ATTACH_MIME_TAG => pending.mime_tag = text().or(pending.mime_tag.take()),
                PR_ATTACH_CONTENT_ID => pending.content_id = text().or(pending.content_id.take()),
                PR_ATTACH_DATA_BIN if base == 0x0102 => pending.property_data = Some(value),
                _ => {}
            }
        }
    }
}

/// 8-bit strings in TNEF are in the sender's Windows code page, NUL-terminated.
fn decode_ansi(bytes: &[u8], codepage: u32) -> String {
    let bytes = until_nul(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    let label = match codepage {
        932 => "shift_jis".to_string(),
        936 => "gbk".to_string(),
        949 => "euc-kr".to_string(),
        950 => "big5".to_string(),
        874 => "windows-874".to_string(),
        1250..=1258 => format!("cp{codepage}"),
        _ => "cp1252".to_string(),
    };
    match charset_decoder(label.as_bytes()) {
        Some(decode) => decode(bytes),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn decode_utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes.chunks_exact(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]])).collect();
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    String::from_utf16_lossy(&units[..end])
}

fn until_nul(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// A cursor that answers `None` instead of reading past the end.
struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.data.len() {
            return None;
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Some(head)
    }

    /// Takes `n` bytes and skips the padding that aligns property values to 4 bytes (the end may be unpadded).
    fn take_padded(&mut self, n: usize) -> Option<&'a [u8]> {
        let value = self.take(n)?;
        let padding = (4 - n % 4) % 4;
        let skip = padding.min(self.data.len());
        self.data = &self.data[skip..];
        Some(value)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random attribute streams behind a valid signature: the reader may fail, but must not panic or hang.
    #[test]
    fn random_streams_never_panic() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let mut stream = SIGNATURE.to_le_bytes().to_vec();
            stream.extend([0, 0]);
            let len = (next() % 300) as usize;
            for _ in 0..len {
                // Bias towards level bytes, small lengths and the ids the reader acts on.
                let byte = match next() % 6 {
                    0 => 2,
                    1 => 0,
                    2 => 0x05,
                    3 => 0x90,
                    _ => next() as u8,
                };
                stream.push(byte);
            }
            let _ = unpack(&stream);
            let mut pending = Pending::default();
            read_properties(&stream, 1252, &mut pending);
        }
    }
}
