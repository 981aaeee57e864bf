//! Unpacking winmail.dat, with TNEF streams written out by hand.

use crate::helpers::{base64, parse_str};

const SIGNATURE: u32 = 0x223E_9F78;
const ATT_TNEF_VERSION: u32 = 0x0008_9006;
const ATT_OEM_CODEPAGE: u32 = 0x0006_9007;
const ATT_ATTACH_RENDDATA: u32 = 0x0006_9002;
const ATT_ATTACH_TITLE: u32 = 0x0001_8010;
const ATT_ATTACH_DATA: u32 = 0x0006_800F;
const ATT_ATTACHMENT: u32 = 0x0006_9005;

/// One attribute: level, id, length, data, and the checksum (sum of the data bytes, modulo 65536).
fn attribute(level: u8, id: u32, data: &[u8]) -> Vec<u8> {
    let mut out = vec![level];
    out.extend(id.to_le_bytes());
    out.extend(u32::try_from(data.len()).unwrap().to_le_bytes());
    out.extend(data);
    let checksum = data.iter().fold(0u16, |sum, &b| sum.wrapping_add(u16::from(b)));
    out.extend(checksum.to_le_bytes());
    out
}

fn stream(attributes: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(SIGNATURE.to_le_bytes());
    out.extend(0x1234u16.to_le_bytes());
    for a in attributes {
        out.extend(a);
    }
    out
}

fn padded(value: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(value.len()).unwrap().to_le_bytes().to_vec();
    out.extend(value);
    while out.len() % 4 != 0 {
        out.push(0);
    }
    out
}

/// MAPI properties: a named PT_LONG (skipped), PR_ATTACH_LONG_FILENAME as PT_UNICODE, PR_ATTACH_MIME_TAG as
/// PT_STRING8.
fn properties(long_name: &str, mime: &str) -> Vec<u8> {
    let mut out = 3u32.to_le_bytes().to_vec();
    out.extend(0x0003u16.to_le_bytes());
    out.extend(0x8005u16.to_le_bytes());
    out.extend([0xAB; 16]);
    out.extend(0u32.to_le_bytes());
    out.extend(0x8233u32.to_le_bytes());
    out.extend(7u32.to_le_bytes());

    out.extend(0x001Fu16.to_le_bytes());
    out.extend(0x3707u16.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    let utf16: Vec<u8> = long_name.encode_utf16().chain([0]).flat_map(u16::to_le_bytes).collect();
    out.extend(padded(&utf16));

    out.extend(0x001Eu16.to_le_bytes());
    out.extend(0x370Eu16.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    out.extend(padded(format!("{mime}\0").as_bytes()));
    out
}

fn sample() -> Vec<u8> {
    stream(&[
        attribute(1, ATT_TNEF_VERSION, &0x0001_0000u32.to_le_bytes()),
        attribute(1, ATT_OEM_CODEPAGE, &[0xE2, 0x04, 0, 0, 0, 0, 0, 0]), // 1250
        attribute(2, ATT_ATTACH_TITLE, b"report.txt\0"),
        attribute(2, ATT_ATTACH_DATA, b"hello report"),
        attribute(2, ATT_ATTACH_RENDDATA, &[0; 14]),
        attribute(2, ATT_ATTACH_TITLE, b"QUARTE~1.PDF\0"),
        attribute(2, ATT_ATTACH_DATA, b"%PDF-1.4 quarterly"),
        attribute(2, ATT_ATTACHMENT, &properties("Quarterly report 2024.pdf", "application/pdf")),
        attribute(2, ATT_ATTACH_TITLE, b"\xe1rv\xedzt\xfbr\xf5.txt\0"),
        attribute(2, ATT_ATTACH_DATA, b"1250"),
    ])
}

fn mail_with(winmail: &[u8]) -> String {
    format!(
        "From: outlook@example.com\nSubject: rich text\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\n\
         Content-Type: text/plain\n\nSee attached.\n--b\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\n\
         Content-Disposition: attachment; filename=\"winmail.dat\"\nContent-Transfer-Encoding: base64\n\n{}\n--b--\n",
        base64(winmail)
    )
}

#[test]
fn files_are_unpacked_from_winmail_dat() {
    let mail = parse_str(&mail_with(&sample()));
    assert!(mail.notes.is_empty(), "{:?}", mail.notes);
    assert_eq!(mail.text, "See attached.");
    let files: Vec<(&str, &str, &[u8])> =
        mail.attachments.iter().map(|a| (a.filename.as_str(), a.content_type.as_str(), a.data.as_slice())).collect();
    assert_eq!(
        files,
        vec![
            ("report.txt", "text/plain", b"hello report".as_slice()),
            ("Quarterly report 2024.pdf", "application/pdf", b"%PDF-1.4 quarterly".as_slice()),
            ("árvíztűrő.txt", "text/plain", b"1250".as_slice()),
        ]
    );
}

#[test]
fn a_bad_checksum_keeps_winmail_dat_with_a_note() {
    let mut broken = sample();
    let last = broken.len() - 1;
    broken[last] ^= 0xFF;
    let mail = parse_str(&mail_with(&broken));
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.attachments[0].filename, "winmail.dat");
    assert_eq!(mail.attachments[0].data, broken);
    assert!(
        mail.notes.iter().any(|n| n.contains("could not unpack winmail.dat") && n.contains("checksum")),
        "{:?}",
        mail.notes
    );
}

#[test]
fn truncated_or_foreign_data_keeps_winmail_dat() {
    let sample = sample();
    for (bytes, reason) in [(&sample[..sample.len() - 7], "cut short"), (&b"PK\x03\x04 not tnef"[..], "signature")] {
        let mail = parse_str(&mail_with(bytes));
        assert_eq!(mail.attachments.len(), 1);
        assert_eq!(mail.attachments[0].data, bytes);
        assert!(mail.notes.iter().any(|n| n.contains(reason)), "{:?}", mail.notes);
    }
}

#[test]
fn hostile_lengths_do_not_allocate_or_panic() {
    let mut huge = stream(&[attribute(2, ATT_ATTACH_TITLE, b"a\0")]);
    huge.extend([2]);
    huge.extend(ATT_ATTACH_DATA.to_le_bytes());
    huge.extend(u32::MAX.to_le_bytes());
    huge.extend(b"tiny");
    let mut props = stream(&[attribute(2, ATT_ATTACH_DATA, b"x")]);
    props.extend(attribute(
        2,
        ATT_ATTACHMENT,
        &[0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00, 0x07, 0x37, 0xFF, 0xFF, 0xFF, 0x7F],
    ));
    for bytes in [huge, props] {
        let mail = parse_str(&mail_with(&bytes));
        assert!(!mail.attachments.is_empty());
    }
}
