//! Package URLs (the package-url specification): parsing what devices serve and what analysts
//! type, and the version-less key the DQI lookup tables index.
//!
//! `pkg:type/namespace/name@version?qualifiers#subpath`. The version is the text after the
//! last `@` of the last path segment, so an npm scope written `@babel` (unencoded, as many
//! SBOMs do) is not mistaken for it.

use super::version::Ecosystem;

/// A parsed purl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// The type, lower-cased (`maven`, `npm`).
    pub purl_type: String,
    /// The namespace segments, percent-decoded (`org.apache.logging.log4j`, `@babel`).
    pub namespace: Vec<String>,
    /// The name, percent-decoded.
    pub name: String,
    /// The version, percent-decoded; `None` when absent.
    pub version: Option<String>,
    /// The lookup key (see [`Purl::key`]).
    key: String,
}

impl Purl {
    /// Parses `text`; `None` unless it starts with `pkg:` and has a type and a name.
    pub fn parse(text: &str) -> Option<Purl> {
        // The agent's own reduction, so that the key asked for is the key it indexes.
        let parsed = crate::device::purl::parse(text)?;
        let path = parsed.key.strip_prefix("pkg:")?;
        let mut segments = path.split('/');
        let purl_type = segments.next()?.to_string();
        let mut rest: Vec<String> = segments.map(percent_decode).collect();
        let name = rest.pop()?;
        Some(Purl {
            purl_type,
            namespace: rest,
            name,
            version: parsed.version,
            key: parsed.key,
        })
    }

    /// The key of `dqiSwByPurlTable`: `pkg:type/namespace/name` without version, qualifiers or
    /// subpath, in the canonical spelling the agent indexes (`crate::device::purl`).
    pub fn key(&self) -> String {
        self.key.clone()
    }

    /// The ecosystem its type names.
    pub fn ecosystem(&self) -> Ecosystem {
        Ecosystem::from_purl_type(&self.purl_type)
    }

    /// The package name as OSV writes it for this ecosystem: Maven `group:artifact`, npm
    /// `@scope/name`, Go the module path, others the name.
    pub fn osv_name(&self) -> String {
        let name = &self.name;
        match self.purl_type.as_str() {
            "maven" => format!("{}:{name}", self.namespace.join(".")),
            _ if self.namespace.is_empty() => name.clone(),
            _ => format!("{}/{name}", self.namespace.join("/")),
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
        assert_eq!(
            Purl::parse("pkg:PyPI/Jinja_2@1").map(|p| p.osv_name()),
            Some("jinja-2".into())
        );
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
        let unversioned = Purl::parse("pkg:npm/@Babel/Core").expect("parses");
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
