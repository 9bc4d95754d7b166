//! Encrypt or decrypt a file with a passphrase, with progress for large files.
//!
//! ```text
//! cargo run --release --example crypt -- encrypt secret.tar secret.tar.rpc
//! cargo run --release --example crypt -- decrypt secret.tar.rpc secret.tar
//! ```
//!
//! The passphrase comes from the `CRYPT_PASSPHRASE` environment variable, or else the first
//! line of standard input. The key is derived with PBKDF2-HMAC-SHA256 (600 000 iterations,
//! random 16-byte salt) and the data is encrypted as a segmented AES-256-GCM stream
//! (`rpoco::crypto::EncryptingWriter`), so files of any size stream through in constant memory
//! and any tampering, reordering or truncation is detected. Decryption writes to
//! `<output>.part` and renames it only after the whole file verified, so a damaged input never
//! leaves plausible-looking output behind.
//!
//! File format: `"RPCRYPT1"` ‖ salt (16) ‖ PBKDF2 iterations (u32 BE) ‖ encrypted stream.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rpoco::crypto::{Cipher, CipherKey, DecryptingReader, EncryptingWriter, Error, random};

const MAGIC: &[u8; 8] = b"RPCRYPT1";
const ITERATIONS: u32 = 600_000;
/// Files at least this large get a progress line.
const PROGRESS_FROM: u64 = 8 * 1024 * 1024;

/// Counts bytes read and prints a progress line on stderr at each whole percent.
struct Progress<R> {
    inner: R,
    done: u64,
    total: u64,
    shown: u64,
    started: Instant,
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if self.total >= PROGRESS_FROM {
            let percent = self.done * 100 / self.total;
            if percent > self.shown || (n == 0 && self.shown < 100) {
                self.shown = percent;
                let mb = self.done as f64 / 1e6;
                let rate = mb / self.started.elapsed().as_secs_f64().max(1e-9);
                eprint!("\r  {percent:>3}%  {mb:.0} of {:.0} MB  ({rate:.0} MB/s)", self.total as f64 / 1e6);
            }
        }
        Ok(n)
    }
}

fn progress<R: Read>(inner: R, total: u64) -> Progress<R> {
    Progress { inner, done: 0, total, shown: 0, started: Instant::now() }
}

fn passphrase() -> Result<String, String> {
    if let Ok(p) = std::env::var("CRYPT_PASSPHRASE") {
        return Ok(p);
    }
    eprint!("passphrase: ");
    let mut line = String::new();
    io::stdin().read_line(&mut line).map_err(|e| format!("reading the passphrase: {e}"))?;
    let p = line.trim_end_matches(['\r', '\n']).to_owned();
    if p.is_empty() { Err("empty passphrase".into()) } else { Ok(p) }
}

fn cipher(pass: &str, salt: &[u8], iterations: u32) -> Result<Cipher, Error> {
    Ok(Cipher::new(CipherKey::from_pbkdf2("aes-256-gcm", pass, salt, iterations)?))
}

fn encrypt(input: &Path, output: &Path, pass: &str) -> Result<u64, Error> {
    let file = File::open(input)?;
    let total = file.metadata()?.len();
    let salt = random::random_bytes(16)?;
    let mut out = BufWriter::new(File::create(output)?);
    out.write_all(MAGIC)?;
    out.write_all(&salt)?;
    out.write_all(&ITERATIONS.to_be_bytes())?;
    let mut writer = EncryptingWriter::new(out, &cipher(pass, &salt, ITERATIONS)?)?;
    let n = io::copy(&mut progress(BufReader::new(file), total), &mut writer)?;
    writer.finish()?.into_inner().map_err(|e| Error::Io(e.into_error()))?.sync_all()?;
    Ok(n)
}

fn decrypt(input: &Path, output: &Path, pass: &str) -> Result<u64, Error> {
    let file = File::open(input)?;
    let total = file.metadata()?.len();
    let mut reader = progress(BufReader::new(file), total);
    let mut head = [0u8; 28];
    reader.read_exact(&mut head).map_err(|_| Error::Truncated("file shorter than its header".into()))?;
    if &head[..8] != MAGIC {
        return Err(Error::Format(format!("{} is not a file this example encrypted", input.display())));
    }
    let iterations = u32::from_be_bytes([head[24], head[25], head[26], head[27]]);
    if !(1..=10_000_000).contains(&iterations) {
        return Err(Error::Format(format!("implausible iteration count {iterations}")));
    }
    let mut plain = DecryptingReader::new(reader, &cipher(pass, &head[8..24], iterations)?)?;
    let part = PathBuf::from(format!("{}.part", output.display()));
    let result = (|| {
        let mut out = BufWriter::new(File::create(&part)?);
        let n = io::copy(&mut plain, &mut out)?;
        out.into_inner().map_err(|e| Error::Io(e.into_error()))?.sync_all()?;
        Ok::<u64, Error>(n)
    })();
    match result {
        Ok(n) => {
            std::fs::rename(&part, output)?;
            Ok(n)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, input, output] = args.as_slice() else {
        return Err("usage: crypt encrypt|decrypt <input> <output>".into());
    };
    let pass = passphrase()?;
    let started = Instant::now();
    let result = match mode.as_str() {
        "encrypt" => encrypt(Path::new(input), Path::new(output), &pass),
        "decrypt" => decrypt(Path::new(input), Path::new(output), &pass),
        other => return Err(format!("unknown mode {other:?}: use encrypt or decrypt")),
    };
    eprintln!();
    match result {
        Ok(n) => {
            eprintln!(
                "{mode}ed {n} bytes in {:.2} s ({})",
                started.elapsed().as_secs_f64(),
                rpoco::crypto::backend_name()
            );
            Ok(())
        }
        Err(Error::TagMismatch) => Err("wrong passphrase, or the file was modified".into()),
        Err(e) => Err(e.to_string()),
    }
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crypt: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
