//! `cargo xtask certs [--out DIR]`: writes rpoco's development certificates (dev CA, server
//! certificate for localhost/127.0.0.1/::1, client certificate, and one certificate per
//! verification failure scenario) to DIR, by default `.dev-certs/` (git-ignored).
//!
//! The certificates come from the `rpoco-testcerts` crate, the same code the TLS tests use;
//! every run makes new keys, valid from yesterday.

use std::path::PathBuf;

use crate::util::workspace_root;

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut out = workspace_root().join(".dev-certs");
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = PathBuf::from(args.next().ok_or("--out needs a directory")?),
            "-h" | "--help" => {
                println!("usage: cargo xtask certs [--out DIR]   (default DIR: .dev-certs/)");
                return Ok(());
            }
            other => {
                return Err(format!("unknown argument `{other}` (usage: cargo xtask certs [--out DIR])"));
            }
        }
    }
    let certs = rpoco_testcerts::DevCerts::generate().map_err(|e| format!("generating certificates: {e}"))?;
    let written = certs.write_to(&out).map_err(|e| format!("writing to {}: {e}", out.display()))?;
    println!("wrote {} files to {}:", written.len(), out.display());
    print!("{}", std::fs::read_to_string(out.join("README.txt")).unwrap_or_default());
    println!(
        "\nTrust {} (e.g. --ca for the examples); never use these outside development.",
        out.join("ca.pem").display()
    );
    Ok(())
}
