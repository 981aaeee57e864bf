//! safe_filename on hostile names, and through parse().

use parley_mime::safe_filename;

use crate::helpers::parse_str;

/// What every output must satisfy, whatever went in.
fn assert_harmless(name: &str) {
    assert!(!name.is_empty());
    assert!(!name.starts_with('.') && !name.starts_with(' '), "{name:?}");
    assert!(!name.ends_with('.') && !name.ends_with(' '), "{name:?}");
    assert!(!name.contains(['/', '\\', '<', '>', ':', '"', '|', '?', '*']), "{name:?}");
    assert!(!name.chars().any(|c| c.is_control()), "{name:?}");
    assert!(
        !name.chars().any(
            |c| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
        ),
        "{name:?}"
    );
    assert!(name.chars().count() <= 150, "{} chars", name.chars().count());
}

#[test]
fn path_traversal_is_cut_to_the_last_component() {
    assert_eq!(safe_filename("../../x"), "x");
    assert_eq!(safe_filename("..\\..\\x"), "x");
    assert_eq!(safe_filename("C:\\Users\\evil\\report.pdf"), "report.pdf");
    assert_eq!(safe_filename("/etc/passwd"), "passwd");
    for name in ["..", ".", "../", "..\\", "...", " . . ", ""] {
        assert_eq!(safe_filename(name), "attachment", "{name:?}");
    }
}

#[test]
fn invisible_and_reordering_characters_are_removed() {
    assert_eq!(safe_filename("\u{200B}.htaccess"), "htaccess");
    assert_eq!(safe_filename("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
    assert_eq!(safe_filename("\u{FEFF}a\u{2066}b\u{200D}c.txt"), "abc.txt");
    assert_eq!(safe_filename("bell\x07\x00name\r\n.txt"), "bellname.txt");
}

#[test]
fn hidden_and_reserved_names_are_neutralised() {
    assert_eq!(safe_filename(".bashrc"), "bashrc");
    assert_eq!(safe_filename("  ..  .secret  "), "secret");
    assert_eq!(safe_filename("CON"), "_CON");
    assert_eq!(safe_filename("nul.txt"), "_nul.txt");
    assert_eq!(safe_filename("com1.log"), "_com1.log");
    assert_eq!(safe_filename("console.txt"), "console.txt");
    assert_eq!(safe_filename("a<b>c:d\"e|f?g*h.txt"), "a_b_c_d_e_f_g_h.txt");
    assert_eq!(safe_filename("trailing dots..."), "trailing dots");
}

#[test]
fn ordinary_names_are_kept() {
    assert_eq!(safe_filename("x.phtml"), "x.phtml");
    assert_eq!(safe_filename("Übersicht März 2024.pdf"), "Übersicht März 2024.pdf");
    assert_eq!(safe_filename("a \t  b\u{3000}c.txt"), "a b c.txt");
    assert_eq!(safe_filename("日本語.docx"), "日本語.docx");
}

#[test]
fn long_names_are_capped_keeping_the_extension() {
    let long = format!("{}.pdf", "a".repeat(500));
    let safe = safe_filename(&long);
    assert_eq!(safe.chars().count(), 150);
    assert!(safe.ends_with(".pdf"));
    assert!(safe.starts_with("aaaa"));

    let multibyte = format!("{}.txt", "é".repeat(500));
    let safe = safe_filename(&multibyte);
    assert_eq!(safe.chars().count(), 150);
    assert!(safe.ends_with("é.txt"));

    let no_extension = "b".repeat(500);
    assert_eq!(safe_filename(&no_extension), "b".repeat(150));
}

#[test]
fn every_hostile_name_is_harmless() {
    let long = "x".repeat(500);
    let hostile = [
        "../../x",
        "..\\..\\x",
        "\u{200B}.htaccess",
        "x.phtml",
        "CON",
        long.as_str(),
        "\u{202E}\u{202E}..",
        ". .\u{200B}. .",
        "a/.",
        "name.\u{200F}",
        "\u{2028}\u{2029}x",
    ];
    for name in hostile {
        assert_harmless(&safe_filename(name));
    }
}

#[test]
fn attachment_names_from_mail_are_made_safe() {
    let mail = parse_str(
        r#"From: a@example.org
Subject: evil names
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain

hi
--b
Content-Type: application/octet-stream; name="../../etc/cron.d/x"
Content-Transfer-Encoding: base64

AAAA
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="=?utf-8?Q?=E2=80=8B.htaccess?="
Content-Transfer-Encoding: base64

AAAA
--b
Content-Type: image/gif
Content-Transfer-Encoding: base64

R0lGODlh
--b--
"#,
    );
    let names: Vec<&str> = mail.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, vec!["x", "htaccess", "image.gif"]);
}
