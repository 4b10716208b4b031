//! CycloneDX SBOM text generated for the tests (and for `examples/sbom_load.rs`, which includes
//! this file): small Maven inventories to update under a running agent, and large inventories
//! for the bounds. Plain `std`, so any target can include it.
#![allow(dead_code)]

/// A CycloneDX 1.5 SBOM of `(name, version, sha256 fill digit)` Maven components under
/// `com.example`, except `log4j-core`, which gets its real group. Every component has a purl, a
/// supplier and one SHA-256 hash made of the fill digit.
pub(crate) fn maven_sbom(components: &[(&str, &str, char)]) -> String {
    let items: Vec<String> = components
        .iter()
        .map(|(name, version, fill)| {
            let group = if *name == "log4j-core" {
                "org.apache.logging.log4j"
            } else {
                "com.example"
            };
            let purl = format!("pkg:maven/{group}/{name}@{version}");
            let hash: String = std::iter::repeat_n(*fill, 64).collect();
            format!(
                r#"{{"type":"library","group":"{group}","name":"{name}","version":"{version}","supplier":{{"name":"Apache Software Foundation"}},"purl":"{purl}","hashes":[{{"alg":"SHA-256","content":"{hash}"}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{}]}}"#,
        items.join(",")
    )
}

/// A CycloneDX 1.5 document with `n` top-level Maven library components, log4j-core 2.14.1 at
/// position `n / 2`, each with a bom-ref, a supplier, a purl and a SHA-256 hash.
pub(crate) fn large_flat_sbom(n: usize) -> String {
    let mut components = Vec::with_capacity(n);
    for i in 0..n {
        let (group, name, version) = if i == n / 2 {
            (
                "org.apache.logging.log4j".to_string(),
                "log4j-core".to_string(),
                "2.14.1".to_string(),
            )
        } else {
            (
                format!("com.example.g{}", i % 97),
                format!("component-{i:05}"),
                format!("{}.{}.{}", i % 7, i % 13, i % 101),
            )
        };
        let purl = format!("pkg:maven/{group}/{name}@{version}");
        components.push(format!(
            r#"{{"type":"library","bom-ref":"{purl}","group":"{group}","name":"{name}","version":"{version}","supplier":{{"name":"Supplier {s}"}},"purl":"{purl}","hashes":[{{"alg":"SHA-256","content":"{hash:064x}"}}]}}"#,
            s = i % 41,
            hash = (i as u128 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835),
        ));
    }
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,"metadata":{{"timestamp":"2024-06-01T00:00:00Z"}},"components":[{}]}}"#,
        components.join(",")
    )
}

/// A CycloneDX 1.6 document with `n` components: groups of ten, each a top-level library with
/// nine nested libraries, every one with a purl, a CPE, two hashes, a supplier and an
/// end-of-support date (2030-01-01).
pub(crate) fn large_nested_sbom(n: usize) -> String {
    let mut out = String::from(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:00000000-0000-4000-8000-000000000000","version":1,"metadata":{"timestamp":"2024-06-01T00:00:00Z"},"components":["#,
    );
    let component = |i: usize| {
        format!(
            r#""type":"library","bom-ref":"c{i}","name":"component-{i}","version":"1.{i}.0","supplier":{{"name":"Supplier {s}"}},"purl":"pkg:npm/component-{i}@1.{i}.0","cpe":"cpe:2.3:a:supplier{s}:component-{i}:1.{i}.0:*:*:*:*:*:*:*","hashes":[{{"alg":"SHA-1","content":"{i:040x}"}},{{"alg":"SHA-256","content":"{i:064x}"}}],"properties":[{{"name":"cdx:lifecycle:milestone:endOfSupport","value":"2030-01-01"}}]"#,
            s = i % 50
        )
    };
    let mut i = 0;
    while i < n {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        out.push_str(&component(i));
        let children = (n - i - 1).min(9);
        out.push_str(r#","components":["#);
        for k in 1..=children {
            if k > 1 {
                out.push(',');
            }
            out.push('{');
            out.push_str(&component(i + k));
            out.push('}');
        }
        out.push_str("]}");
        i += children + 1;
    }
    out.push_str("]}");
    out
}

/// A CycloneDX 1.5 document shaped like `cyclonedx-npm`'s output for a Node.js application with
/// `n` installed packages (the inventory of issue 8 had 1,115): the application in `metadata`,
/// then one library per package with a bom-ref, an npm scope for about a third of them, a
/// semver version, a description, an SPDX license, a `pkg:npm` purl (scopes percent-encoded), the
/// registry tarball as an external reference, its SHA-512 integrity hash, and the
/// `cdx:npm:package:path` property; then the dependency graph. Deterministic.
pub(crate) fn npm_sbom(n: usize) -> String {
    const SCOPES: [&str; 12] = [
        "@babel",
        "@types",
        "@jest",
        "@typescript-eslint",
        "@eslint",
        "@smithy",
        "@aws-sdk",
        "@sinonjs",
        "@octokit",
        "@rollup",
        "@esbuild",
        "@nodelib",
    ];
    const STEMS: [&str; 24] = [
        "core",
        "parser",
        "traverse",
        "types",
        "utils",
        "helper",
        "plugin",
        "runtime",
        "generator",
        "template",
        "compat",
        "loader",
        "config",
        "resolve",
        "cli",
        "fs",
        "path",
        "stream",
        "buffer",
        "glob",
        "semver",
        "debug",
        "color",
        "string",
    ];
    const LICENSES: [&str; 5] = ["MIT", "ISC", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause"];
    let mut components = Vec::with_capacity(n);
    let mut refs = Vec::with_capacity(n);
    for i in 0..n {
        let scope = (i % 3 == 0).then(|| SCOPES[i / 3 % SCOPES.len()]);
        let name = format!(
            "{}-{}-{i}",
            STEMS[i % STEMS.len()],
            STEMS[(i / 7) % STEMS.len()]
        );
        let version = format!("{}.{}.{}", i % 9, (i * 7) % 31, (i * 13) % 17);
        let (full, purl_name, group) = match scope {
            Some(scope) => (
                format!("{scope}/{name}"),
                format!("%40{}/{name}", &scope[1..]),
                format!(r#""group":"{scope}","#),
            ),
            None => (name.clone(), name.clone(), String::new()),
        };
        let bom_ref = format!("{full}@{version}");
        let tarball = format!("https://registry.npmjs.org/{full}/-/{name}-{version}.tgz");
        let sha512: String = (0..8)
            .map(|k| {
                format!(
                    "{:016x}",
                    (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15 ^ k)
                )
            })
            .collect();
        components.push(format!(
            r#"{{"type":"library","bom-ref":"{bom_ref}",{group}"name":"{name}","version":"{version}","description":"The {name} package, used by the device's user interface","licenses":[{{"license":{{"id":"{license}"}}}}],"purl":"pkg:npm/{purl_name}@{version}","externalReferences":[{{"url":"{tarball}","type":"distribution","hashes":[{{"alg":"SHA-512","content":"{sha512}"}}]}}],"hashes":[{{"alg":"SHA-512","content":"{sha512}"}}],"properties":[{{"name":"cdx:npm:package:path","value":"node_modules/{full}"}}]}}"#,
            license = LICENSES[i % LICENSES.len()],
        ));
        refs.push(bom_ref);
    }
    let dependencies: Vec<String> = refs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let on: Vec<String> = [2 * i + 1, 2 * i + 2]
                .iter()
                .filter_map(|&c| refs.get(c))
                .map(|c| format!("\"{c}\""))
                .collect();
            format!(r#"{{"ref":"{r}","dependsOn":[{}]}}"#, on.join(","))
        })
        .collect();
    format!(
        r#"{{"$schema":"http://cyclonedx.org/schema/bom-1.5.schema.json","bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:8f0b7c3e-5a41-4d2b-9c1e-2f6a7b8c9d01","version":1,"metadata":{{"timestamp":"2026-11-30T09:12:44.000Z","tools":{{"components":[{{"type":"application","name":"cyclonedx-npm","group":"@cyclonedx","version":"1.19.3"}}]}},"component":{{"type":"application","bom-ref":"pump-ui@4.2.0","name":"pump-ui","version":"4.2.0","description":"Infusion pump touch-screen user interface","purl":"pkg:npm/pump-ui@4.2.0"}}}},"components":[{}],"dependencies":[{}]}}"#,
        components.join(","),
        dependencies.join(",")
    )
}
