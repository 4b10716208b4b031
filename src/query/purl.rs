//! Package URLs (the package-url specification): parsing what devices serve and what analysts
//! type, and the version-less key the DQI lookup tables index.
//!
//! `pkg:type/namespace/name@version?qualifiers#subpath`. The version is the text after the
//! last `@` of the last path segment, so an npm scope written `@babel` (unencoded, as many
//! SBOMs do) is not mistaken for it.

use super::version::Ecosystem;

/// A parsed purl; segments are kept as written (percent-encoded where the purl encodes them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// The type, lower-cased (`maven`, `npm`).
    pub purl_type: String,
    /// The namespace segments (`org.apache.logging.log4j`; `@babel` or `%40babel`).
    pub namespace: Vec<String>,
    /// The name.
    pub name: String,
    /// The version, percent-decoded; `None` when absent.
    pub version: Option<String>,
}

impl Purl {
    /// Parses `text`; `None` unless it starts with `pkg:` and has a type and a name.
    pub fn parse(text: &str) -> Option<Purl> {
        let rest = text.trim().strip_prefix("pkg:")?;
        let rest = rest.trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
        let (path, version) = match rest.rfind('/') {
            Some(slash) => match rest[slash..].rfind('@') {
                Some(at) => (&rest[..slash + at], Some(&rest[slash + at + 1..])),
                None => (rest, None),
            },
            None => (rest, None),
        };
        let mut segments = path.split('/').filter(|s| !s.is_empty());
        let purl_type = segments.next()?.to_ascii_lowercase();
        let mut segments: Vec<String> = segments.map(str::to_string).collect();
        let name = segments.pop()?;
        if purl_type.is_empty() || name.is_empty() {
            return None;
        }
        Some(Purl {
            purl_type,
            namespace: segments,
            name,
            version: version.map(percent_decode).filter(|v| !v.is_empty()),
        })
    }

    /// The key of `dqiSwByPurlTable`: `pkg:type/namespace/name`, without version, qualifiers
    /// or subpath, the type lower-cased and an npm scope's `@` percent-encoded as `%40`.
    pub fn key(&self) -> String {
        let mut out = format!("pkg:{}/", self.purl_type);
        for segment in &self.namespace {
            match segment.strip_prefix('@') {
                Some(scope) if self.purl_type == "npm" => {
                    out.push_str("%40");
                    out.push_str(scope);
                }
                _ => out.push_str(segment),
            }
            out.push('/');
        }
        out.push_str(&self.name);
        out
    }

    /// The ecosystem its type names.
    pub fn ecosystem(&self) -> Ecosystem {
        Ecosystem::from_purl_type(&self.purl_type)
    }

    /// The package name as OSV writes it for this ecosystem: Maven `group:artifact`, npm
    /// `@scope/name`, Go the module path, others the name.
    pub fn osv_name(&self) -> String {
        let namespace: Vec<String> = self.namespace.iter().map(|s| percent_decode(s)).collect();
        let name = percent_decode(&self.name);
        match self.purl_type.as_str() {
            "maven" => format!("{}:{name}", namespace.join(".")),
            "pypi" => name.to_ascii_lowercase().replace('_', "-"),
            _ if namespace.is_empty() => name,
            _ => format!("{}/{name}", namespace.join("/")),
        }
    }
}

/// Percent-decodes `s` (invalid escapes are kept as written).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let v = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(v).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maven_purl() {
        let p = Purl::parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar")
            .expect("parses");
        assert_eq!(p.purl_type, "maven");
        assert_eq!(p.namespace, ["org.apache.logging.log4j"]);
        assert_eq!(p.name, "log4j-core");
        assert_eq!(p.version.as_deref(), Some("2.14.1"));
        assert_eq!(p.key(), "pkg:maven/org.apache.logging.log4j/log4j-core");
        assert_eq!(p.osv_name(), "org.apache.logging.log4j:log4j-core");
    }

    #[test]
    fn npm_scope_either_spelling() {
        for text in ["pkg:npm/@babel/core@7.0.0", "pkg:NPM/%40babel/core@7.0.0"] {
            let p = Purl::parse(text).expect("parses");
            assert_eq!(p.version.as_deref(), Some("7.0.0"), "{text}");
            assert_eq!(p.key(), "pkg:npm/%40babel/core", "{text}");
            assert_eq!(p.osv_name(), "@babel/core", "{text}");
        }
        let unversioned = Purl::parse("pkg:npm/@babel/core").expect("parses");
        assert_eq!(unversioned.version, None);
        assert_eq!(unversioned.name, "core");
    }

    #[test]
    fn refuses_non_purls() {
        for bad in ["log4j-core", "pkg:", "pkg:maven", "cpe:2.3:a:apache:log4j"] {
            assert_eq!(Purl::parse(bad), None, "{bad}");
        }
    }
}
