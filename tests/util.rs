use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under tests/fixtures.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// Runs the chaff binary with `args`, feeding `stdin` from another thread.
pub fn chaff(args: &[&str], stdin: &[u8]) -> Output {
    chaff_in(&root(), args, stdin)
}

/// Starts the chaff binary in `dir` with every standard stream piped.
pub fn spawn_in(dir: &Path, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_chaff"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the chaff binary runs")
}

/// Runs the chaff binary in `dir`.
pub fn chaff_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = spawn_in(dir, args);
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The child may exit before reading everything (e.g. a rule error): ignore EPIPE.
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("chaff finishes");
    writer.join().expect("stdin writer thread");
    out
}

/// A fresh temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("chaff-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    pub fn write(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, bytes).expect("write fixture");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Asserts two byte strings are equal, printing both as labelled text blocks when they differ.
#[track_caller]
pub fn assert_bytes_eq(expected: &[u8], got: &[u8], what: &str) {
    if expected != got {
        panic!(
            "{what}: output differs\n--- expected ---\n{}\n--- got ---\n{}\n--- end ---",
            String::from_utf8_lossy(expected),
            String::from_utf8_lossy(got)
        );
    }
}

/// The text of the lines `chaff explain` (without colour) shows as written: kept (`+`) and
/// blank lines written (` `). The gutter is `LINE MARK ` (6 digits, a space, the mark, a space).
pub fn explain_written(explained: &str) -> Vec<String> {
    explained
        .lines()
        .filter(|l| l.len() > 7 && l.as_bytes()[..6].iter().all(|b| b.is_ascii_digit() || *b == b' '))
        .filter(|l| matches!(l.as_bytes()[7], b'+' | b' '))
        .map(|l| {
            let text = l.get(9..).unwrap_or("");
            // A kept line's note names the rules that wait for more prose (`after-words`).
            match text.strip_suffix("does not match yet]").and_then(|t| t.rfind("  [drop ").or_else(|| t.rfind("  [footer ")).or_else(|| t.rfind("  [thread "))) {
                Some(at) => text[..at].to_string(),
                None => text.to_string(),
            }
        })
        .collect()
}
