//! Output: one record per (device, component), or per device that could not be asked, as an
//! aligned table, JSON Lines or CSV (RFC 4180).
//!
//! | field | meaning |
//! |---|---|
//! | `target`, `address` | the device, as the targets file names it |
//! | `engine_id` | its snmpEngineID, hex ("" when discovery failed) |
//! | `status` | `found`, `in-range`, `affected`, `not-affected`, `unknown`, `vex`, `listed` (`inventory`), `name-only` (`find` by purl: a package without a purl whose name is the purl's name, its version not compared); for a device without the DQI-MIB (one record per device, besides its components): `no-dqi-mib` (answered from `hrSWInstalledTable`), `no-purl` (and the question needs purls, so it could not be answered); or, for a device not asked: `unreachable`, `timeout`, `refused`, `no-inventory`, `error`, `interrupted` |
//! | `sw_index` | dqiSwIndex (hrSWInstalledIndex for the hrSWInstalledTable fallback; 0 for a VEX statement about the whole product) |
//! | `name`, `version`, `purl`, `hash` | the component as the device serves it; `hash` is `alg:hex` |
//! | `advisories`, `ranges` | matched advisory IDs and the `vers:` ranges containing the version |
//! | `vex_state`, `vex_justification` | the device's own VEX statement, when it has one |
//! | `disagreement` | why VEX and version match disagree, when they do |
//! | `method` | how the answer was obtained: `dqiSwByPurlTable`, `dqiSwByNameTable`, `dqiSwTable-walk`, `hrSWInstalledTable-walk`, `store` |
//! | `reason` | why a device was not asked, what was read from a device without the DQI-MIB, or why a component is `name-only` |

use std::io::{self, Write};

use serde::Serialize;

/// One output record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Target name.
    pub target: String,
    /// Target address.
    pub address: String,
    /// Engine ID, hex.
    pub engine_id: String,
    /// What the record says (see the module docs).
    pub status: String,
    /// dqiSwIndex.
    pub sw_index: Option<u32>,
    /// Component name.
    pub name: String,
    /// Component version.
    pub version: String,
    /// Component purl.
    pub purl: String,
    /// Component hash, `alg:hex`.
    pub hash: String,
    /// Matched advisory IDs.
    pub advisories: Vec<String>,
    /// Matched ranges.
    pub ranges: Vec<String>,
    /// Device VEX state.
    pub vex_state: String,
    /// Device VEX justification.
    pub vex_justification: String,
    /// Where VEX and version match disagree.
    pub disagreement: String,
    /// How the answer was obtained.
    pub method: String,
    /// Why the device was not asked, or what was read from a device without the DQI-MIB.
    pub reason: String,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for a terminal.
    Table,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

const CSV_HEADER: [&str; 16] = [
    "target",
    "address",
    "engine_id",
    "status",
    "sw_index",
    "name",
    "version",
    "purl",
    "hash",
    "advisories",
    "ranges",
    "vex_state",
    "vex_justification",
    "disagreement",
    "method",
    "reason",
];

impl Record {
    fn fields(&self) -> [String; 16] {
        [
            self.target.clone(),
            self.address.clone(),
            self.engine_id.clone(),
            self.status.clone(),
            self.sw_index.map(|i| i.to_string()).unwrap_or_default(),
            self.name.clone(),
            self.version.clone(),
            self.purl.clone(),
            self.hash.clone(),
            self.advisories.join(" "),
            self.ranges.join(" "),
            self.vex_state.clone(),
            self.vex_justification.clone(),
            self.disagreement.clone(),
            self.method.clone(),
            self.reason.clone(),
        ]
    }

    /// Whether this record is about a device that could not be asked, or whose answer
    /// cannot answer the question (`no-purl`).
    pub fn is_failure(&self) -> bool {
        matches!(
            self.status.as_str(),
            "unreachable"
                | "timeout"
                | "refused"
                | "no-inventory"
                | "error"
                | "interrupted"
                | "no-purl"
        )
    }

    /// Whether this record lists a device that serves no DQI-MIB.
    pub fn is_without_dqi(&self) -> bool {
        matches!(self.status.as_str(), "no-dqi-mib" | "no-purl")
    }

    /// Whether this record reports something found (or that cannot be ruled out).
    pub fn is_finding(&self) -> bool {
        matches!(
            self.status.as_str(),
            "found" | "in-range" | "affected" | "unknown" | "name-only"
        ) || (self.status == "vex" && self.vex_state == "affected")
    }
}

/// Writes `records` in `format`.
pub fn write(out: &mut dyn Write, format: Format, records: &[Record]) -> io::Result<()> {
    match format {
        Format::Jsonl => {
            for r in records {
                serde_json::to_writer(&mut *out, r)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        Format::Csv => {
            writeln!(out, "{}", CSV_HEADER.join(","))?;
            for r in records {
                let fields: Vec<String> = r.fields().iter().map(|f| csv_field(f)).collect();
                writeln!(out, "{}", fields.join(","))?;
            }
            Ok(())
        }
        Format::Table => table(out, records),
    }
}

fn csv_field(f: &str) -> String {
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}

/// Up to three tables: the components found, the devices without the DQI-MIB, the devices
/// not asked. The found table has a RANGES column (the `vers:` ranges that contain each
/// version) when any record has one.
fn table(out: &mut dyn Write, records: &[Record]) -> io::Result<()> {
    let (devices, found): (Vec<&Record>, Vec<&Record>) = records
        .iter()
        .partition(|r| r.is_failure() || r.is_without_dqi());
    let (without_dqi, failures): (Vec<&Record>, Vec<&Record>) =
        devices.into_iter().partition(|r| r.is_without_dqi());
    if !found.is_empty() {
        let with_ranges = found.iter().any(|r| !r.ranges.is_empty());
        let rows: Vec<Vec<String>> = found
            .iter()
            .map(|r| {
                let vex = match (r.vex_state.is_empty(), r.vex_justification.is_empty()) {
                    (_, true) => r.vex_state.clone(),
                    (true, false) => r.vex_justification.clone(),
                    (false, false) => format!("{} ({})", r.vex_state, r.vex_justification),
                };
                let mut row = vec![
                    r.target.clone(),
                    r.address.clone(),
                    r.sw_index.map(|i| i.to_string()).unwrap_or_default(),
                    r.name.clone(),
                    r.version.clone(),
                    r.status.clone(),
                    r.advisories.join(" "),
                ];
                if with_ranges {
                    row.push(r.ranges.join(" "));
                }
                row.extend([vex, r.method.clone()]);
                row
            })
            .collect();
        let mut header = vec![
            "TARGET",
            "ADDRESS",
            "INDEX",
            "NAME",
            "VERSION",
            "STATUS",
            "ADVISORIES",
        ];
        if with_ranges {
            header.push("RANGES");
        }
        header.extend(["VEX", "METHOD"]);
        aligned(out, &header, &rows)?;
        for r in found.iter().filter(|r| !r.disagreement.is_empty()) {
            writeln!(
                out,
                "! {} #{}: {}",
                r.target,
                r.sw_index.unwrap_or(0),
                r.disagreement
            )?;
        }
    }
    let mut first = found.is_empty();
    for (title, devices) in [("WITHOUT DQI-MIB", without_dqi), ("NOT ASKED", failures)] {
        if devices.is_empty() {
            continue;
        }
        if !first {
            writeln!(out)?;
        }
        first = false;
        let rows: Vec<Vec<String>> = devices
            .iter()
            .map(|r| {
                vec![
                    r.target.clone(),
                    r.address.clone(),
                    r.status.clone(),
                    r.reason.clone(),
                ]
            })
            .collect();
        aligned(out, &[title, "ADDRESS", "STATUS", "REASON"], &rows)?;
    }
    Ok(())
}

fn aligned(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  "));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(
        out,
        "{}",
        line(header.iter().map(|h| h.to_string()).collect())
    )?;
    for row in rows {
        writeln!(out, "{}", line(row.clone()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Record> {
        vec![
            Record {
                target: "pump-1".into(),
                address: "127.0.0.1:161".into(),
                engine_id: "8000".into(),
                status: "affected".into(),
                sw_index: Some(7),
                name: "log4j-core".into(),
                version: "2.14.1".into(),
                purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into(),
                advisories: vec!["CVE-2021-44228".into(), "CVE-2021-45046".into()],
                ranges: vec!["vers:maven/>=2.13.0|<2.15.0".into()],
                vex_justification: "code \"not\", reachable".into(),
                method: "dqiSwTable-walk".into(),
                ..Record::default()
            },
            Record {
                target: "pump-2".into(),
                address: "127.0.0.1:9".into(),
                status: "timeout".into(),
                reason: "no answer to the discovery after 3 tries".into(),
                ..Record::default()
            },
        ]
    }

    fn render(format: Format) -> String {
        let mut out = Vec::new();
        write(&mut out, format, &sample()).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let csv = render(Format::Csv);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert_eq!(
            lines[1],
            "pump-1,127.0.0.1:161,8000,affected,7,log4j-core,2.14.1,pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1,,CVE-2021-44228 CVE-2021-45046,vers:maven/>=2.13.0|<2.15.0,,\"code \"\"not\"\", reachable\",,dqiSwTable-walk,"
        );
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn jsonl_is_one_object_per_line() {
        let jsonl = render(Format::Jsonl);
        let first: serde_json::Value =
            serde_json::from_str(jsonl.lines().next().expect("a line")).expect("json");
        assert_eq!(first["advisories"][1], "CVE-2021-45046");
        assert_eq!(first["sw_index"], 7);
        let second: serde_json::Value =
            serde_json::from_str(jsonl.lines().nth(1).expect("a line")).expect("json");
        assert_eq!(second["sw_index"], serde_json::Value::Null);
        assert_eq!(second["status"], "timeout");
    }

    #[test]
    fn table_lists_devices_without_dqi_mib_before_those_not_asked() {
        let mut records = sample();
        records.push(Record {
            target: "legacy".into(),
            address: "127.0.0.1:1161".into(),
            status: "no-purl".into(),
            reason: "serves no DQI-MIB".into(),
            ..Record::default()
        });
        let mut out = Vec::new();
        write(&mut out, Format::Table, &records).expect("write");
        let table = String::from_utf8(out).expect("utf-8");
        let without = table.find("\n\nWITHOUT DQI-MIB  ADDRESS         STATUS   REASON\nlegacy           127.0.0.1:1161  no-purl  serves no DQI-MIB\n");
        let not_asked = table.find("\n\nNOT ASKED  ");
        assert!(without.is_some() && without < not_asked, "{table}");
        assert!(records[2].is_failure() && records[2].is_without_dqi());
    }

    #[test]
    fn table_shows_the_matched_ranges_when_there_are_any() {
        let table = render(Format::Table);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[..2],
            [
                "TARGET  ADDRESS        INDEX  NAME        VERSION  STATUS    ADVISORIES                     RANGES                       VEX                    METHOD",
                "pump-1  127.0.0.1:161  7      log4j-core  2.14.1   affected  CVE-2021-44228 CVE-2021-45046  vers:maven/>=2.13.0|<2.15.0  code \"not\", reachable  dqiSwTable-walk",
            ]
        );
        // Without ranges (an inventory, a find without --range), no empty column.
        let mut records = sample();
        records[0].ranges.clear();
        let mut out = Vec::new();
        write(&mut out, Format::Table, &records).expect("write");
        let table = String::from_utf8(out).expect("utf-8");
        assert!(
            table.starts_with(
                "TARGET  ADDRESS        INDEX  NAME        VERSION  STATUS    ADVISORIES                     VEX                    METHOD\n"
            ),
            "{table}"
        );
    }

    #[test]
    fn table_lists_devices_not_asked_separately() {
        let table = render(Format::Table);
        assert!(table.starts_with("TARGET  "), "{table}");
        assert!(
            table.contains("\n\nNOT ASKED  ADDRESS      STATUS   REASON\n"),
            "{table}"
        );
        assert!(
            table.contains("\npump-2     127.0.0.1:9  timeout  no answer"),
            "{table}"
        );
    }
}
