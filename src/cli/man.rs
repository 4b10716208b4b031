//! The man pages, generated from the CLI definition itself (clap_mangen): the name, synopsis,
//! description and options of `dqi-agent(1)` and `dqi-agent-localize-key(1)` are the ones
//! `--help` prints, and the EXIT STATUS, SIGNALS, FILES, ENVIRONMENT and SEE ALSO sections are
//! `--help`'s closing text ([`super::help::AFTER_LONG_HELP`]) split at its headings.
//!
//! The pages are checked in under `docs/man/` (the Debian package installs them from there); a
//! test regenerates them and fails when they differ, so they cannot drift from `--help`.
//! `DQI_UPDATE_MAN=1 cargo test --release --bin dqi-agent man_pages` rewrites them.

use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

/// Every page: its file name under `docs/man/` and its text, from the top-level command.
pub(crate) fn pages(mut cmd: clap::Command) -> Vec<(String, String)> {
    // Building sets the subcommands' display names (`dqi-agent localize-key`).
    cmd.build();
    let mut pages = vec![("dqi-agent.1".to_string(), page(&cmd, true))];
    for sub in cmd.get_subcommands() {
        let name = format!("{}-{}", cmd.get_name(), sub.get_name());
        let file = format!("{name}.1");
        // clap names are `&'static str` without its `string` feature; a test leaks a few bytes.
        let name: &'static str = Box::leak(name.into_boxed_str());
        pages.push((file, page(&sub.clone().name(name), false)));
    }
    pages
}

fn page(cmd: &clap::Command, top: bool) -> String {
    let man = Man::new(cmd.clone()).title(cmd.get_name().to_uppercase());
    let mut out = Vec::new();
    // The standard sections from clap_mangen, then ours in place of its generic EXTRA section.
    let rendered = man
        .render_title(&mut out)
        .and_then(|()| man.render_name_section(&mut out))
        .and_then(|()| man.render_synopsis_section(&mut out))
        .and_then(|()| man.render_description_section(&mut out))
        .and_then(|()| man.render_options_section(&mut out));
    rendered.expect("rendering into memory");
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut out)
            .expect("rendering into memory");
    }
    let mut roff = Roff::new();
    if top {
        after_help_sections(&mut roff, super::help::AFTER_LONG_HELP);
    } else {
        roff.control("SH", ["SEE ALSO"]);
        roff.text([bold("dqi-agent"), roman("(1)")]);
    }
    out.extend_from_slice(roff.to_roff().as_bytes());
    if cmd.get_version().is_some() {
        man.render_version_section(&mut out)
            .expect("rendering into memory");
    }
    String::from_utf8(out).expect("roff is UTF-8")
}

/// `--help`'s closing text as man sections: `Heading:` lines become `.SH HEADING`, items become
/// tagged paragraphs (`.TP`), continuation lines join their item.
fn after_help_sections(roff: &mut Roff, text: &str) {
    let mut item: Option<(String, String)> = None;
    let flush = |roff: &mut Roff, item: &mut Option<(String, String)>| {
        if let Some((term, body)) = item.take() {
            roff.control("TP", []);
            roff.text([bold(term)]);
            roff.text([roman(body)]);
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(roff, &mut item);
        } else if !line.starts_with(' ') {
            flush(roff, &mut item);
            let heading = line.trim_end_matches(':').to_uppercase();
            roff.control("SH", [heading.as_str()]);
        } else if let Some((term, body)) = split_item(line) {
            flush(roff, &mut item);
            item = Some((term.to_string(), body.to_string()));
        } else if let Some((_, body)) = item.as_mut() {
            body.push(' ');
            body.push_str(line.trim());
        } else {
            // A section whose only line has no term (SEE ALSO).
            roff.text([roman(line.trim())]);
        }
    }
    flush(roff, &mut item);
}

/// `  TERM  text` (two-space indent, two or more spaces between): the term and the text. A
/// continuation line is indented further than two spaces, so it never splits.
fn split_item(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("  ")?;
    if rest.starts_with(' ') {
        return None;
    }
    let gap = rest.find("  ")?;
    Some((&rest[..gap], rest[gap..].trim_start()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_and_continuations_split_as_written() {
        assert_eq!(split_item("  0  A clean"), Some(("0", "A clean")));
        assert_eq!(
            split_item("  SIGINT, SIGTERM  Stop"),
            Some(("SIGINT, SIGTERM", "Stop"))
        );
        assert_eq!(split_item("     failed while running."), None);
        assert_eq!(split_item("  snmpwalk(1), snmp.conf(5)"), None);
    }

    #[test]
    fn sections_items_and_continuations_render() {
        let mut roff = Roff::new();
        after_help_sections(
            &mut roff,
            "Exit status:\n  0  A clean\n     shutdown.\n  1  Not.\n\nSee also:\n  snmpwalk(1)",
        );
        let text = roff.to_roff();
        assert!(text.contains(".SH \"EXIT STATUS\""), "{text}");
        assert!(text.contains("A clean shutdown."), "{text}");
        assert!(
            text.contains("\\fB1\\fR") || text.contains("\\fB1\\fP"),
            "{text}"
        );
        assert!(text.contains(".SH \"SEE ALSO\""), "{text}");
        assert!(text.contains("snmpwalk(1)"), "{text}");
    }
}
