//! A ZIP archive of stored (uncompressed) files, for exports: the local headers, the central directory and its
//! end record of the ZIP format (APPNOTE 4.3), without compression, encryption or ZIP64 — exports of one contact
//! stay far below 4 GiB and 65,535 files, which [`archive`] checks.

/// MS-DOS date and time of 1 January 2026, 00:00: exports carry no file times of their own.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = ((2026 - 1980) << 9) | (1 << 5) | 1;

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// The archive of `files`, or `None` when they do not fit the format without ZIP64.
pub(crate) fn archive(files: &[(String, Vec<u8>)]) -> Option<Vec<u8>> {
    let count = u16::try_from(files.len()).ok()?;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = u32::try_from(out.len()).ok()?;
        let size = u32::try_from(data.len()).ok()?;
        let name_len = u16::try_from(name.len()).ok()?;
        let crc = crc32fast::hash(data);
        // Local file header; general purpose flag bit 11: names are UTF-8.
        u32le(&mut out, 0x0403_4b50);
        for v in [20, 1 << 11, 0, DOS_TIME, DOS_DATE] {
            u16le(&mut out, v);
        }
        for v in [crc, size, size] {
            u32le(&mut out, v);
        }
        u16le(&mut out, name_len);
        u16le(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        // Its central directory entry.
        u32le(&mut central, 0x0201_4b50);
        for v in [20, 20, 1 << 11, 0, DOS_TIME, DOS_DATE] {
            u16le(&mut central, v);
        }
        for v in [crc, size, size] {
            u32le(&mut central, v);
        }
        for v in [name_len, 0, 0, 0, 0] {
            u16le(&mut central, v);
        }
        u32le(&mut central, 0);
        u32le(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = u32::try_from(out.len()).ok()?;
    let central_size = u32::try_from(central.len()).ok()?;
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    for v in [0, 0, count, count] {
        u16le(&mut out, v);
    }
    u32le(&mut out, central_size);
    u32le(&mut out, central_offset);
    u16le(&mut out, 0);
    Some(out)
}
