//! Embeds the shipped rule files (`rules/*.rules`) into the binary.

use std::env;
use std::fs;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("rules");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".rules"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("/// The shipped rule files: (path relative to the repository, contents).\npub static EMBEDDED: &[(&str, &str)] = &[\n");
    for name in &names {
        println!("cargo:rerun-if-changed=rules/{name}");
        out.push_str(&format!(
            "    (\"rules/{name}\", include_str!({:?})),\n",
            dir.join(name).display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_rules.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}
