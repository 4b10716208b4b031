//! A small SMIv2 reader for the consistency tests: enough of RFC 2578/2579 to read OBJECT-TYPE
//! blocks (SYNTAX, MAX-ACCESS, INDEX, `::= { parent n }`), OID assignments (OBJECT IDENTIFIER
//! and the macros that assign one), and TEXTUAL-CONVENTION base types, from DQI-MIB and the IETF
//! modules the repository carries in `mibs/`, and to check a served instance against them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dqi_agent::mib::dqi::DQI_ROOT;
use dqi_agent::mib::{Entry, Live, Value};

/// The IETF modules whose definitions the served objects use: the SMI and TCs, the modules
/// DQI-MIB imports from, the mirrored MIBs, and those of the standard objects.
const IETF_MODULES: &[&str] = &[
    "SNMPv2-SMI",
    "SNMPv2-TC",
    "SNMP-FRAMEWORK-MIB",
    "INET-ADDRESS-MIB",
    "IANA-ENTITY-MIB",
    "ENTITY-MIB",
    "URI-TC-MIB",
    "UUID-TC-MIB",
    "NET-SNMP-MIB",
    "SNMPv2-MIB",
    "SNMP-MPD-MIB",
    "SNMP-TARGET-MIB",
    "SNMP-USER-BASED-SM-MIB",
    "HOST-RESOURCES-MIB",
];

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Word(String),
    Num(i128),
    /// A quoted string or a `'..'H` / `'..'B` literal: never inspected.
    Text,
    Sym(&'static str),
}

/// Tokens of an SMIv2 module, comments (`--` to the end of the line or the next `--`) dropped.
pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += 1;
                }
                i += 1;
                out.push(Tok::Text);
            }
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
                i += 2; // the closing quote and H or B
                out.push(Tok::Text);
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i += 2;
                while i < b.len() && b[i] != b'\n' {
                    if b[i] == b'-' && b.get(i + 1) == Some(&b'-') {
                        i += 2;
                        break;
                    }
                    i += 1;
                }
            }
            b':' if b[i..].starts_with(b"::=") => {
                out.push(Tok::Sym("::="));
                i += 3;
            }
            b'.' if b.get(i + 1) == Some(&b'.') => {
                out.push(Tok::Sym(".."));
                i += 2;
            }
            b'{' | b'}' | b'(' | b')' | b',' | b';' | b'|' | b'[' | b']' => {
                out.push(Tok::Sym(match c {
                    b'{' => "{",
                    b'}' => "}",
                    b'(' => "(",
                    b')' => ")",
                    b',' => ",",
                    b';' => ";",
                    b'[' => "[",
                    b']' => "]",
                    _ => "|",
                }));
                i += 1;
            }
            b'0'..=b'9' | b'-' if c != b'-' || b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let start = i;
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                out.push(Tok::Num(text[start..i].parse().expect("a number")));
            }
            c if c.is_ascii_alphabetic() => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
                    i += 1;
                }
                out.push(Tok::Word(text[start..i].to_string()));
            }
            _ => i += 1,
        }
    }
    out
}

/// A type as written in a SYNTAX clause or a TEXTUAL-CONVENTION.
#[derive(Debug, Clone, Default)]
pub(crate) struct Syntax {
    /// `INTEGER`, `OCTET STRING`, `OBJECT IDENTIFIER`, `Unsigned32`, a TC name, ...
    pub base: String,
    /// Named numbers of an enumerated INTEGER.
    pub named: Vec<i128>,
    /// Value ranges, or SIZE ranges when `size` is set.
    pub ranges: Vec<(i128, i128)>,
    /// Whether `ranges` constrain the length.
    pub size: bool,
    /// `SEQUENCE OF`: a table.
    pub table: bool,
}

struct Parser<'a> {
    t: &'a [Tok],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self, k: usize) -> Option<&Tok> {
        self.t.get(self.i + k)
    }
    fn word(&self, k: usize) -> Option<&str> {
        match self.peek(k) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }
    fn sym(&self, k: usize, s: &str) -> bool {
        matches!(self.peek(k), Some(Tok::Sym(x)) if *x == s)
    }
    fn expect_sym(&mut self, s: &str) {
        assert!(
            self.sym(0, s),
            "expected `{s}` at token {}: {:?}",
            self.i,
            self.peek(0)
        );
        self.i += 1;
    }
    fn num(&mut self) -> i128 {
        match self.peek(0) {
            Some(Tok::Num(n)) => {
                let n = *n;
                self.i += 1;
                n
            }
            other => panic!("expected a number at token {}: {other:?}", self.i),
        }
    }

    fn syntax(&mut self) -> Syntax {
        let mut s = Syntax::default();
        if self.word(0) == Some("SEQUENCE") && self.word(1) == Some("OF") {
            s.table = true;
            s.base = self.word(2).unwrap().to_string();
            self.i += 3;
            return s;
        }
        s.base = match (self.word(0), self.word(1)) {
            (Some("OCTET"), Some("STRING")) | (Some("OBJECT"), Some("IDENTIFIER")) => {
                let base = format!("{} {}", self.word(0).unwrap(), self.word(1).unwrap());
                self.i += 2;
                base
            }
            (Some(w), _) => {
                let base = w.to_string();
                self.i += 1;
                base
            }
            other => panic!("expected a type at token {}: {other:?}", self.i),
        };
        if self.sym(0, "{") {
            // Named numbers: name(n), ...
            self.i += 1;
            while !self.sym(0, "}") {
                self.i += 1; // the name
                self.expect_sym("(");
                s.named.push(self.num());
                self.expect_sym(")");
                if self.sym(0, ",") {
                    self.i += 1;
                }
            }
            self.i += 1;
        } else if self.sym(0, "(") {
            self.i += 1;
            if self.word(0) == Some("SIZE") {
                s.size = true;
                self.i += 1;
                self.expect_sym("(");
                s.ranges = self.ranges();
                self.expect_sym(")");
            } else {
                s.ranges = self.ranges();
            }
            self.expect_sym(")");
        }
        s
    }

    fn ranges(&mut self) -> Vec<(i128, i128)> {
        let mut out = Vec::new();
        loop {
            let lo = self.num();
            let hi = if self.sym(0, "..") {
                self.i += 1;
                self.num()
            } else {
                lo
            };
            out.push((lo, hi));
            if !self.sym(0, "|") {
                return out;
            }
            self.i += 1;
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ObjectType {
    /// The module that defines it.
    pub module: String,
    pub syntax: Syntax,
    /// MAX-ACCESS.
    pub access: String,
    /// INDEX objects, for a conceptual row.
    pub index: Vec<String>,
}

/// Everything read from the modules, in one namespace (the modules loaded share no names).
#[derive(Default)]
pub(crate) struct Mibs {
    /// name -> (parent name, or None for `{ 0 0 }`-style absolute values; arcs after it).
    pub assignments: BTreeMap<String, (Option<String>, Vec<u32>)>,
    /// OBJECT-TYPE definitions by name.
    pub objects: BTreeMap<String, ObjectType>,
    /// TEXTUAL-CONVENTION definitions by name.
    pub tcs: BTreeMap<String, Syntax>,
    /// Resolved OID -> object name, for lookups by instance.
    by_oid: BTreeMap<Vec<u32>, String>,
}

const OID_MACROS: &[&str] = &[
    "OBJECT-TYPE",
    "MODULE-IDENTITY",
    "OBJECT-IDENTITY",
    "NOTIFICATION-TYPE",
    "OBJECT-GROUP",
    "NOTIFICATION-GROUP",
    "MODULE-COMPLIANCE",
    "AGENT-CAPABILITIES",
];

impl Mibs {
    pub(crate) fn load() -> Mibs {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let ietf = root.join("mibs");
        let mut mibs = Mibs::default();
        let mut files: Vec<(String, PathBuf)> = IETF_MODULES
            .iter()
            .map(|m| (m.to_string(), ietf.join(format!("{m}.txt"))))
            .collect();
        files.push(("DQI-MIB".to_string(), root.join("mibs/DQI-MIB.txt")));
        for (module, path) in files {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (the repository's mibs/ carries every module read here)",
                    path.display()
                )
            });
            mibs.read(&module, &text);
        }
        let names: Vec<String> = mibs.objects.keys().cloned().collect();
        for name in names {
            let oid = mibs.oid(&name);
            mibs.by_oid.insert(oid, name);
        }
        mibs
    }

    fn read(&mut self, module: &str, text: &str) {
        let toks = tokenize(text);
        let mut p = Parser { t: &toks, i: 0 };
        while p.i < toks.len() {
            // Macro definitions (in SNMPv2-SMI, SNMPv2-TC) are grammar, not definitions.
            if p.word(0) == Some("MACRO") {
                while p.word(0) != Some("END") {
                    p.i += 1;
                }
                p.i += 1;
                continue;
            }
            let Some(name) = p.word(0).map(str::to_string) else {
                p.i += 1;
                continue;
            };
            if p.sym(1, "::=") && p.word(2) == Some("TEXTUAL-CONVENTION") {
                while p.word(0) != Some("SYNTAX") {
                    p.i += 1;
                }
                p.i += 1;
                let syntax = p.syntax();
                self.tcs.insert(name, syntax);
                continue;
            }
            let lower = name.starts_with(|c: char| c.is_ascii_lowercase());
            let oid_assignment =
                p.word(1) == Some("OBJECT") && p.word(2) == Some("IDENTIFIER") && p.sym(3, "::=");
            let macro_name = p
                .word(1)
                .filter(|w| OID_MACROS.contains(w))
                .map(str::to_string);
            if !lower || !(oid_assignment || macro_name.is_some()) {
                p.i += 1;
                continue;
            }
            p.i += 2;
            let (mut syntax, mut access, mut index) = (None, None, Vec::new());
            while !(p.sym(0, "::=") && p.sym(1, "{")) {
                assert!(p.i < toks.len(), "{module}: {name}: no `::= {{ ... }}`");
                if macro_name.as_deref() == Some("OBJECT-TYPE") {
                    match p.word(0) {
                        Some("SYNTAX") => {
                            p.i += 1;
                            syntax = Some(p.syntax());
                            continue;
                        }
                        Some("MAX-ACCESS") => access = p.word(1).map(str::to_string),
                        Some("INDEX") => {
                            p.i += 2;
                            while !p.sym(0, "}") {
                                if let Some(w) = p.word(0).filter(|w| *w != "IMPLIED") {
                                    index.push(w.to_string());
                                }
                                p.i += 1;
                            }
                        }
                        _ => {}
                    }
                }
                p.i += 1;
            }
            p.i += 2;
            let parent = p.word(0).map(str::to_string);
            if parent.is_some() {
                p.i += 1;
            }
            let mut arcs = Vec::new();
            while !p.sym(0, "}") {
                if let Some(Tok::Num(n)) = p.peek(0) {
                    arcs.push(u32::try_from(*n).expect("an arc"));
                }
                p.i += 1;
            }
            if let Some(syntax) = syntax {
                let access = access.unwrap_or_else(|| panic!("{name}: no MAX-ACCESS"));
                let module = module.to_string();
                let object = ObjectType {
                    module,
                    syntax,
                    access,
                    index,
                };
                self.objects.insert(name.clone(), object);
            }
            self.assignments.insert(name, (parent, arcs));
        }
    }

    /// The numeric OID of a name, resolved through the assignments down to `iso`.
    pub(crate) fn oid(&self, name: &str) -> Vec<u32> {
        let mut oid = match name {
            "iso" => return vec![1],
            "ccitt" => return vec![0],
            "joint-iso-ccitt" => return vec![2],
            _ => Vec::new(),
        };
        let (parent, arcs) = self
            .assignments
            .get(name)
            .unwrap_or_else(|| panic!("`{name}` is not defined in the modules read"));
        if let Some(parent) = parent {
            oid = self.oid(parent);
        }
        oid.extend_from_slice(arcs);
        oid
    }

    /// The object an instance belongs to: the longest defined prefix.
    pub(crate) fn object_of(&self, instance: &[u32]) -> Option<(&str, &ObjectType, usize)> {
        (1..instance.len()).rev().find_map(|n| {
            let name = self.by_oid.get(&instance[..n])?;
            Some((name.as_str(), &self.objects[name], n))
        })
    }

    pub(crate) fn name_of(&self, instance: &[u32]) -> String {
        match self.object_of(instance) {
            Some((name, _, n)) => format!("{name}{:?}", &instance[n..]),
            None => format!("{instance:?}"),
        }
    }

    /// A type's base and the constraints in force: the outermost restriction of each kind
    /// wins, named numbers come from wherever they are given.
    pub(crate) fn resolve(&self, s: &Syntax) -> Syntax {
        let mut out = s.clone();
        let mut base = s.base.clone();
        while let Some(tc) = self.tcs.get(&base) {
            if out.ranges.is_empty() {
                out.ranges = tc.ranges.clone();
                out.size = tc.size;
            }
            if out.named.is_empty() {
                out.named = tc.named.clone();
            }
            base = tc.base.clone();
        }
        out.base = base;
        out
    }

    /// Why the instance is wrong, or `None`.
    pub(crate) fn check_instance(&self, oid: &[u32], entry: &Entry) -> Option<String> {
        let Some((name, object, n)) = self.object_of(oid) else {
            return Some("no object of the MIBs read has this OID".to_string());
        };
        let dqi = oid.starts_with(DQI_ROOT);
        match object.access.as_str() {
            "read-only" => {}
            "read-write" | "read-create" if !dqi => {}
            other => return Some(format!("MAX-ACCESS {other} is not served")),
        }
        if let Some(reason) = self.check_suffix(name, &oid[n..]) {
            return Some(reason);
        }
        let value = match entry {
            Entry::Value(v) => v.clone(),
            Entry::Live(Live::HostUptime | Live::SysUpTime) => Value::TimeTicks(0),
            Entry::Live(Live::HostDate) => Value::octets([0, 0, 1, 1, 0, 0, 0, 0]),
            Entry::Live(Live::Counter(_) | Live::Notify(_)) => Value::Counter32(0),
            Entry::Live(Live::EngineBoots | Live::EngineTime) => Value::Integer(1),
            // The caller resolves budget objects first: their types depend on the object.
            Entry::Live(Live::Budget(_)) => return Some("unresolved budget object".to_string()),
        };
        check_value(&self.resolve(&object.syntax), &value)
    }

    /// `.0` for a scalar; for a column, one arc per integer index within its range.
    pub(crate) fn check_suffix(&self, name: &str, suffix: &[u32]) -> Option<String> {
        let (parent, _) = &self.assignments[name];
        let row = parent
            .as_deref()
            .and_then(|p| self.objects.get(p))
            .filter(|p| !p.index.is_empty());
        let Some(row) = row else {
            return (suffix != [0]).then(|| format!("scalar instance {suffix:?}, expected [0]"));
        };
        // Each index consumes its arcs: one for an integer, a length then that many octets
        // for a string (SMIv2 non-IMPLIED encoding, RFC 2578 §7.7).
        let mut rest = suffix;
        for index in &row.index {
            let s = self.resolve(&self.objects[index].syntax);
            match s.base.as_str() {
                "INTEGER" | "Integer32" | "Unsigned32" if !s.size => {
                    let Some((arc, tail)) = rest.split_first() else {
                        return Some(format!("instance {suffix:?}: no arc for index {index}"));
                    };
                    if !in_ranges(&s.ranges, i128::from(*arc)) {
                        return Some(format!("index {index} = {arc} outside {:?}", s.ranges));
                    }
                    rest = tail;
                }
                "OCTET STRING" => {
                    let Some((len, tail)) = rest.split_first() else {
                        return Some(format!("instance {suffix:?}: no length for index {index}"));
                    };
                    let len = *len as usize;
                    if !s.ranges.is_empty() && !in_ranges(&s.ranges, len as i128) {
                        return Some(format!(
                            "index {index}: length {len} outside {:?}",
                            s.ranges
                        ));
                    }
                    if tail.len() < len || tail[..len].iter().any(|o| *o > 255) {
                        return Some(format!(
                            "index {index}: {suffix:?} is not a length-prefixed string"
                        ));
                    }
                    rest = &tail[len..];
                }
                other => return Some(format!("index {index}: {other} indexes are not checked")),
            }
        }
        if !rest.is_empty() {
            return Some(format!(
                "instance {suffix:?}: {} arcs beyond INDEX {:?}",
                rest.len(),
                row.index
            ));
        }
        None
    }
}

fn in_ranges(ranges: &[(i128, i128)], v: i128) -> bool {
    ranges.is_empty() || ranges.iter().any(|&(lo, hi)| lo <= v && v <= hi)
}

/// Whether `value` is of `syntax`'s base type and within its constraints.
pub(crate) fn check_value(syntax: &Syntax, value: &Value) -> Option<String> {
    let ok_type = match (syntax.base.as_str(), value) {
        ("INTEGER" | "Integer32", Value::Integer(v)) => {
            let v = i128::from(*v);
            return if !syntax.named.is_empty() && !syntax.named.contains(&v) {
                Some(format!("{v} is not one of {:?}", syntax.named))
            } else if !in_ranges(&syntax.ranges, v) {
                Some(format!("{v} outside {:?}", syntax.ranges))
            } else {
                None
            };
        }
        ("Unsigned32" | "Gauge32", Value::Gauge32(v)) => {
            return (!in_ranges(&syntax.ranges, i128::from(*v)))
                .then(|| format!("{v} outside {:?}", syntax.ranges));
        }
        ("OCTET STRING", Value::OctetString(o)) => {
            let len = i128::try_from(o.len()).unwrap();
            return (!in_ranges(&syntax.ranges, len))
                .then(|| format!("{len} octets outside SIZE {:?}", syntax.ranges));
        }
        ("OBJECT IDENTIFIER", Value::ObjectId(_)) => true,
        ("Counter32", Value::Counter32(_)) | ("TimeTicks", Value::TimeTicks(_)) => true,
        ("Counter64", Value::Counter64(_)) | ("IpAddress", Value::IpAddress(_)) => true,
        _ => false,
    };
    (!ok_type).then(|| format!("{value:?} served for SYNTAX {}", syntax.base))
}
