//! The part of `dqi-agent --help` after the options: exit status, signals, files and
//! environment. The man page's sections of those names are generated from this same text
//! (`cli::man`), so the two cannot say different things.
//!
//! Format, which `cli::man` relies on: a line ending in `:` at the left margin starts a
//! section; indented lines are its items, a term and its text separated by two or more spaces;
//! a line indented further continues the item above it.

/// Shown by `--help` after the options; the man page's EXIT STATUS, SIGNALS, FILES,
/// ENVIRONMENT and SEE ALSO.
pub(crate) const AFTER_LONG_HELP: &str = "\
Exit status:
  0  A clean shutdown (SIGINT or SIGTERM), or --check-config found the file good.
  1  The agent could not start (state directory unusable, listen address unavailable) or
     failed while running.
  2  A bad command line or configuration, or device data that does not load at start-up; the
     message names the file, the key or JSON path, and what is wrong.

Signals:
  SIGHUP  Re-read the [device] files at once, without a restart (systemctl reload dqi-agent).
          The rest of the configuration is read only at start-up.
  SIGINT, SIGTERM  Stop: stop receiving, log a summary, exit 0.

Files:
  /etc/dqi-agent/agent.toml  The configuration (mode 0600: it holds passphrases or keys).
  /var/lib/dqi-agent  The state directory (agent.state_dir): engine ID and snmpEngineBoots
                      (file engine), stable software indexes (file software-index).
  /usr/share/snmp/mibs/dqi-agent  DQI-MIB and the IETF modules it imports, for net-snmp's
                                  tools: -M /usr/share/snmp/mibs/dqi-agent -m ALL.
  /usr/share/doc/dqi-agent/README.md  Every configuration key, the demo, the request budget.

Environment:
  RUST_LOG  A log filter (such as debug or dqi_agent=trace) that overrides agent.log_level.
  NOTIFY_SOCKET  Set by systemd for Type=notify: READY=1 is sent there once every listen
                 socket is bound, STOPPING=1 when the agent stops.

See also:
  snmpwalk(1), snmp.conf(5), systemd.exec(5)";
