//! POCO's `genrsakey` sample: generate an RSA key pair and save it as `BASE.pub` and
//! `BASE.priv`.
//!
//! ```text
//! cargo run --example genrsakey -- --file=mykey --key=2048 --password=secret
//! cargo run --example genrsakey -- -f mykey            # asks for the password on stdin
//! ```
//!
//! Options as in POCO: `--key=512|1024|2048|4096` (`-k`), `--exponent=small|large` (`-e`),
//! `--file=BASE` (`-f`, required), `--password=PWD` (`-p`; without it one line is read from
//! stdin, and an empty line leaves the private key unencrypted), `--help` (`-h`).
//! Departures (docs/porting.md): the default length is 2048 (POCO: 1024), and 512/1024-bit
//! keys and `--exponent=small` (e = 3) are refused. `BASE.pub` is a SubjectPublicKeyInfo
//! (`BEGIN PUBLIC KEY`), `BASE.priv` PKCS #8, encrypted with PBES2/AES-256-CBC when a
//! password is given (POCO writes PKCS #1 with DES-EDE3-CBC; both read either).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use rpoco::crypto::{RsaExponent, RsaKey, RsaKeySize};

const HELP: &str = "usage: genrsakey OPTIONS
Application for generating RSA public/private key pairs.

-h, --help                       display help information on command line arguments
-k, --key=512|1024|2048|4096     define the key length (default 2048)
-e, --exponent=small|large       defines the exponent of the key (default large)
-f, --file=filebasename          defines the file base name. creates a file.pub and a file.priv
-p, --password=pwd               defines the password used to encrypt the private key file.
                                 If not defined user will be asked via stdin to provide in";

struct Options {
    bits: usize,
    exponent: RsaExponent,
    base: String,
    password: Option<String>,
}

fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let mut opts = Options { bits: 2048, exponent: RsaExponent::Large, base: String::new(), password: None };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (arg.as_str(), None),
        };
        let name = match name {
            "-h" | "--help" | "-?" | "/help" => return Ok(None),
            "-k" | "--key" => "key",
            "-e" | "--exponent" => "exponent",
            "-f" | "--file" => "file",
            "-p" | "--password" => "password",
            other => return Err(format!("unknown option {other}")),
        };
        let value = match inline {
            Some(v) => v,
            None => it.next().cloned().ok_or_else(|| format!("option --{name} needs a value"))?,
        };
        match name {
            "key" => {
                opts.bits = match value.parse() {
                    Ok(bits @ (512 | 1024 | 2048 | 4096)) => bits,
                    _ => return Err("Illegal key length value".into()),
                }
            }
            "exponent" => {
                opts.exponent =
                    if value.eq_ignore_ascii_case("small") { RsaExponent::Small } else { RsaExponent::Large }
            }
            "file" if value.is_empty() => return Err("Empty file prefix forbidden".into()),
            "file" => opts.base = value,
            _ => opts.password = Some(value),
        }
    }
    if opts.base.is_empty() {
        return Err("Missing required option: file".into());
    }
    Ok(Some(opts))
}

fn run(opts: Options) -> Result<(), Box<dyn std::error::Error>> {
    let password = match opts.password {
        Some(p) => p,
        None => {
            eprintln!("Password for the private key (empty for none):");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    eprintln!("Generating key with length {}", opts.bits);
    eprintln!("Exponent is {}", if opts.exponent == RsaExponent::Small { "small" } else { "large" });
    let key = RsaKey::generate(RsaKeySize::from_bits(opts.bits)?, opts.exponent)?;
    let (public, private) =
        (PathBuf::from(format!("{}.pub", opts.base)), PathBuf::from(format!("{}.priv", opts.base)));
    eprintln!("Saving key to {} and {}", public.display(), private.display());
    let pass = (!password.is_empty()).then_some(password.as_bytes());
    key.evp().save(Some(&public), Some(&private), pass)?;
    eprintln!("Key saved");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(None) => {
            println!("{HELP}");
            ExitCode::SUCCESS
        }
        Ok(Some(opts)) => match run(opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("genrsakey: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("genrsakey: {e}\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}
