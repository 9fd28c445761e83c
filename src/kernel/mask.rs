//! Masking of personal identifiers (NIK, card numbers) before they reach logs or the journal.

/// Masks every run of 8 or more digits in `text`, keeping its first 4 and last 4 digits
/// (`3319022010810007` becomes `3319********0007`), so an operator can still tell
/// records apart without the log holding a full NIK or card number.
pub fn identifiers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 8 {
            let n = run.len();
            out.push_str(&run[..4]);
            out.extend(std::iter::repeat_n('*', n - 8));
            out.push_str(&run[n - 4..]);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Hides the password of a database or upstream URL (`postgres://u:secret@h` -> `postgres://u:***@h`).
pub fn url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &userinfo[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks_long_digit_runs_only() {
        assert_eq!(super::identifiers("/nik/3319022010810007"), "/nik/3319********0007");
        assert_eq!(
            super::identifiers("/nokartu/0011336526592?tglSEP=2024-01-02"),
            "/nokartu/0011*****6592?tglSEP=2024-01-02"
        );
        assert_eq!(super::identifiers("abc 1234567"), "abc 1234567");
    }

    #[test]
    fn hides_url_password() {
        assert_eq!(
            super::url("postgres://postgres:pw@127.0.0.1/db"),
            "postgres://postgres:***@127.0.0.1/db"
        );
        assert_eq!(super::url("sqlite://x.db"), "sqlite://x.db");
    }
}
