//! Package URLs reduced to what a lookup asks for: the package, without version, qualifiers or
//! subpath, in the purl specification's canonical spelling (github.com/package-url/purl-spec,
//! "purl-specification" and "PURL-TYPES").
//!
//! `dqiSwByPurlTable` (DQI-MIB) is indexed by this key, and `dqiVexTable` statements that name a
//! component by purl are joined to rows through it, so a manager, an SBOM and a VEX document
//! that spell the same package differently still meet:
//!
//! - the scheme `pkg` and the type are lower-cased (both are case-insensitive); a `pkg://` form
//!   loses its slashes;
//! - version (after the last `@` of the path), qualifiers (`?...`) and subpath (`#...`) are cut;
//! - each namespace and name segment is percent-decoded, then re-encoded canonically: every
//!   octet outside `A-Z a-z 0-9 . - _ ~ :` as `%XX` with upper-case hex, so an npm scope is
//!   `%40babel` whether the SBOM wrote `@babel` or `%40babel`; empty segments are dropped;
//! - the types whose registries are case-insensitive (`alpm`, `apk`, `bitbucket`, `composer`,
//!   `deb`, `github`, `hex`, `npm`, `pypi`) have namespace and name lower-cased, and `pypi` names
//!   have `_` replaced by `-` (PEP 503), as PURL-TYPES says.
//!
//! Pure string logic, `no_std` + `alloc`.

use alloc::string::String;
use alloc::vec::Vec;

/// A purl split into its lookup key and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurlKey {
    /// `pkg:type/namespace/name`, canonical (see the module docs).
    pub key: String,
    /// The version, percent-decoded; `None` when the purl has none.
    pub version: Option<String>,
}

/// The lookup key and version of `purl`; `None` when it is not a purl (no `pkg:` scheme, no
/// type, or no name).
pub fn parse(purl: &str) -> Option<PurlKey> {
    let purl = purl.trim();
    // Subpath, then qualifiers, are cut from the right (the spec's parsing order).
    let purl = purl.split_once('#').map_or(purl, |(p, _)| p);
    let purl = purl.split_once('?').map_or(purl, |(p, _)| p);
    let (scheme, rest) = purl.split_once(':')?;
    if !scheme.eq_ignore_ascii_case("pkg") {
        return None;
    }
    let rest = rest.trim_start_matches('/');
    // The version follows the last `@` after the last `/`; an unencoded npm scope (`@babel/x`)
    // sits before a `/`, so it is never taken for a version.
    let slash = rest.rfind('/')?;
    let (path, version) = match rest.rfind('@') {
        Some(at) if at > slash => (&rest[..at], Some(decode(&rest[at + 1..]))),
        _ => (rest, None),
    };
    let (kind, names) = path.split_once('/')?;
    if kind.is_empty() {
        return None;
    }
    let kind = kind.to_ascii_lowercase();
    let fold = matches!(
        kind.as_str(),
        "alpm" | "apk" | "bitbucket" | "composer" | "deb" | "github" | "hex" | "npm" | "pypi"
    );
    let mut key = String::with_capacity(purl.len() + 8);
    key.push_str("pkg:");
    key.push_str(&kind);
    let mut segments = 0;
    for segment in names.split('/').filter(|s| !s.is_empty()) {
        let mut text = decode(segment);
        if fold {
            text = text.to_lowercase();
        }
        if kind == "pypi" {
            text = text.replace('_', "-");
        }
        key.push('/');
        encode_into(&mut key, &text);
        segments += 1;
    }
    (segments > 0).then_some(PurlKey {
        key,
        version: version.filter(|v| !v.is_empty()),
    })
}

/// The lookup key of `purl` alone (see [`parse`]).
pub fn key(purl: &str) -> Option<String> {
    parse(purl).map(|p| p.key)
}

/// Percent-decodes `s`; a `%` not followed by two hex digits, or a result that is not UTF-8, is
/// kept as written (a lookup key must never fail for a sloppy SBOM).
pub(crate) fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| char::from(c).to_digit(16);
        match (b[i], b.get(i + 1).copied(), b.get(i + 2).copied()) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                let (h, l) = (hex(h).unwrap_or(0), hex(l).unwrap_or(0));
                // Both digits are below 16, so the octet fits.
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| String::from(s))
}

fn encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(p: &str) -> String {
        key(p).unwrap()
    }

    #[test]
    fn version_qualifiers_and_subpath_are_cut() {
        let p = parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar#x/y").unwrap();
        assert_eq!(p.key, "pkg:maven/org.apache.logging.log4j/log4j-core");
        assert_eq!(p.version.as_deref(), Some("2.14.1"));
        assert_eq!(parse("pkg:generic/zlib").unwrap().version, None);
        assert_eq!(
            parse("pkg:deb/debian/curl@7.50.3-1%2Bdeb9?arch=i386")
                .unwrap()
                .version
                .as_deref(),
            Some("7.50.3-1+deb9")
        );
    }

    #[test]
    fn npm_scope_is_percent_encoded_whatever_the_sbom_wrote() {
        assert_eq!(
            k("pkg:npm/%40babel/parser@7.24.0"),
            "pkg:npm/%40babel/parser"
        );
        assert_eq!(k("pkg:npm/@babel/parser@7.24.0"), "pkg:npm/%40babel/parser");
        assert_eq!(k("pkg:npm/@babel/parser"), "pkg:npm/%40babel/parser");
        assert_eq!(
            parse("pkg:npm/@babel/parser").unwrap().version,
            None,
            "a scope is not a version"
        );
        assert_eq!(k("pkg:NPM/%40Babel/Parser"), "pkg:npm/%40babel/parser");
    }

    #[test]
    fn type_rules() {
        assert_eq!(
            k("PKG:Maven/Org.Apache/Log4j@1"),
            "pkg:maven/Org.Apache/Log4j"
        );
        assert_eq!(k("pkg:PyPI/Django_REST@3"), "pkg:pypi/django-rest");
        assert_eq!(
            k("pkg://github/Package-URL/purl-spec"),
            "pkg:github/package-url/purl-spec"
        );
        assert_eq!(
            k("pkg:golang/github.com/Foo/bar@v1"),
            "pkg:golang/github.com/Foo/bar"
        );
        assert_eq!(k("pkg:generic/a%20b//c"), "pkg:generic/a%20b/c");
        assert_eq!(k("pkg:generic/bad%zzname"), "pkg:generic/bad%25zzname");
    }

    #[test]
    fn not_purls() {
        for bad in [
            "",
            "maven/x/y",
            "http://x/y",
            "pkg:maven",
            "pkg:/x",
            "pkg:maven/",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
