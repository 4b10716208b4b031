#!/usr/bin/env bash
# Measures the agent's peak resident memory (VmHWM) the way the packaged unit's MemoryMax= is
# sized: the binary to ship (default target/dist/dqi-agent), serving the example device plus a
# generated CycloneDX SBOM of N components (default 5000, four times issue 8's 1,115-package npm
# inventory), walked whole with snmpbulkwalk, then refreshed twice with SIGHUP (a refresh holds
# the old and the new tree at once) and walked again. Prints VmRSS after start, VmHWM at the end.
#
#   debian/measure-rss.sh [BINARY] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "${1:-target/dist/dqi-agent}")"
n="${2:-5000}"
dir="$(mktemp -d)"
chmod 700 "$dir"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
cp examples/infusion-pump/* "$dir/"
python3 - "$n" >"$dir/large.cdx.json" <<'PY'
import json, sys
n = int(sys.argv[1])
components = [{
    "type": "library", "bom-ref": f"pkg-{i}", "name": f"package-{i % 97}-{i}",
    "group": "@scope" if i % 3 == 0 else None, "version": f"{i % 9}.{i * 7 % 31}.{i * 13 % 17}",
    "description": "A library of the generated inventory, for memory measurement.",
    "licenses": [{"license": {"id": "MIT"}}],
    "purl": f"pkg:npm/package-{i % 97}-{i}@{i % 9}.{i * 7 % 31}.{i * 13 % 17}",
    "hashes": [{"alg": "SHA-512", "content": ("%0128x" % (i * 2654435761))[-128:]}],
} for i in range(n)]
for c in components:
    if c["group"] is None:
        del c["group"]
print(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
                  "metadata": {"component": {"type": "application", "name": "large-app", "version": "1.0.0"}},
                  "components": components}))
PY
port="$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat >"$dir/agent.toml" <<TOML
[agent]
listen = ["127.0.0.1:$port"]
state_dir = "$dir/state"
log_level = "warn"
[system]
description = "memory measurement"
[[user]]
name = "measure"
auth = "SHA-256"
auth_password = "measure-auth-passphrase"
privacy = "AES-128"
priv_password = "measure-priv-passphrase"
[device]
description = "$dir/device.toml"
sbom = ["$dir/sbom.cdx.json", "$dir/firmware.spdx.json", "$dir/large.cdx.json"]
vex = ["$dir/vex.openvex.json"]
[budget]
global = "100000/second"
per_source = "100000/second"
per_user = "10000000/minute"
burst = 100000
TOML
chmod 600 "$dir/agent.toml"
"$bin" --config "$dir/agent.toml" &
pid=$!
walk() {
    snmpbulkwalk -v3 -l authPriv -u measure -a SHA-256 -A measure-auth-passphrase -x AES \
        -X measure-priv-passphrase -On -Cr25 -t 5 -r 1 "127.0.0.1:$port" .1 | wc -l
}
sleep 2
rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
echo "components: $n (+ the example device's)"
echo "after start: VmRSS $(rss VmRSS) KiB"
echo "objects walked: $(walk)"
kill -HUP "$pid"; sleep 3; kill -HUP "$pid"; sleep 3
echo "objects walked after two refreshes: $(walk)"
echo "peak: VmHWM $(rss VmHWM) KiB, now VmRSS $(rss VmRSS) KiB"
