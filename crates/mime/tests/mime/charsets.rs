//! Charsets in bodies and headers, encoded words, RFC 2231 parameters.

use crate::helpers::{crlf_bytes, parse, parse_str};

#[test]
fn iso_2022_jp_subject_and_body() {
    let raw = crlf_bytes(&[
        b"From: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= <tanaka@example.jp>\n",
        b"Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsJE4lRiU5JUgbKEI=?=\n",
        b"Content-Type: text/plain; charset=ISO-2022-JP\n",
        b"Content-Transfer-Encoding: 7bit\n\n",
        b"\x1b$B$3$s$K$A$O!\"@$3&!#\x1b(B\n\x1b$B$h$m$7$/$*4j$$$7$^$9!#\x1b(B\n",
    ]);
    let mail = parse(&raw);
    assert_eq!(mail.subject, "日本語のテスト");
    assert_eq!(mail.from.unwrap().name.as_deref(), Some("テスト"));
    assert_eq!(mail.text, "こんにちは、世界。\nよろしくお願いします。\n");
}

#[test]
fn gb2312_subject_and_base64_body() {
    let mail = parse_str(
        "From: li@example.cn\nSubject: =?GB2312?B?xOO6w6OsysC95w==?=\nContent-Type: text/plain; charset=\"gb2312\"\n\
         Content-Transfer-Encoding: base64\n\nxOO6w6OsysC956Ohu7bTrcq508Ohow==\n",
    );
    assert_eq!(mail.subject, "你好，世界");
    assert_eq!(mail.text, "你好，世界！欢迎使用。");
}

#[test]
fn big5_encoded_word() {
    let mail = parse_str("From: a@example.tw\nSubject: =?big5?B?wWPF6aSkpOU=?=\n\nx\n");
    assert_eq!(mail.subject, "繁體中文");
}

#[test]
fn windows_1250_hungarian_subject_and_quoted_printable_body() {
    let mail = parse_str(
        "From: =?windows-1250?Q?Kov=E1cs_=C1rp=E1d?= <arpad@example.hu>\n\
         Subject: =?windows-1250?Q?=E1rv=EDzt=FBr=F5_t=FCk=F6rf=FAr=F3g=E9p?=\n\
         Content-Type: text/plain; charset=windows-1250\nContent-Transfer-Encoding: quoted-printable\n\n\
         =E1rv=EDzt=FBr=F5 t=FCk=F6rf=FAr=F3g=E9p\n=C1RV=CDZT=DBR=D5 T=DCK=D6RF=DAR=D3G=C9P\n",
    );
    assert_eq!(mail.subject, "árvíztűrő tükörfúrógép");
    assert_eq!(mail.from.unwrap().name.as_deref(), Some("Kovács Árpád"));
    assert_eq!(mail.text, "árvíztűrő tükörfúrógép\nÁRVÍZTŰRŐ TÜKÖRFÚRÓGÉP\n");
}

#[test]
fn raw_8bit_windows_1250_body() {
    let raw = crlf_bytes(&[
        b"From: a@example.hu\nSubject: 8bit\nContent-Type: text/plain; charset=\"Windows-1250\"\n",
        b"Content-Transfer-Encoding: 8bit\n\n\xe1rv\xedzt\xfbr\xf5 t\xfck\xf6rf\xfar\xf3g\xe9p\n",
    ]);
    assert_eq!(parse(&raw).text, "árvíztűrő tükörfúrógép\n");
}

#[test]
fn undecodable_text_becomes_replacement_characters() {
    let raw = crlf_bytes(&[
        b"From: a@example.org\nSubject: =?x-no-such-charset?Q?abc?=\n",
        b"Content-Type: text/plain; charset=x-no-such-charset\n\nbad \xff\xfe bytes\n",
    ]);
    let mail = parse(&raw);
    assert!(mail.text.contains('\u{FFFD}'), "{:?}", mail.text);
    assert!(mail.text.starts_with("bad ") && mail.text.contains("bytes"));

    let utf8_lies = crlf_bytes(&[b"From: a@example.org\nContent-Type: text/plain; charset=utf-8\n\n\xc3\x28 ok\n"]);
    assert_eq!(parse(&utf8_lies).text, "\u{FFFD}( ok\n");
}

#[test]
fn rfc2231_encoded_and_continued_filenames() {
    let mail = parse_str(
        r#"From: a@example.org
Subject: files
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain

files attached
--b
Content-Type: application/pdf
Content-Disposition: attachment; filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz.pdf
Content-Transfer-Encoding: base64

JVBERi0=
--b
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*0*=UTF-8''Sehr%20lange%20;
 filename*1*=%C3%9Cbersicht%20;
 filename*2=Teil2.pdf
Content-Transfer-Encoding: base64

JVBERi0=
--b
Content-Type: application/pdf; name="=?utf-8?B?w6FydsOtenTFsXLFkS5wZGY=?="
Content-Transfer-Encoding: base64

JVBERi0=
--b--
"#,
    );
    let names: Vec<&str> = mail.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, vec!["Übersicht März.pdf", "Sehr lange Übersicht Teil2.pdf", "árvíztűrő.pdf"]);
}
