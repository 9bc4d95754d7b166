//! Passphrases for encrypted private key files: POCO's `PrivateKeyPassphraseHandler` with its
//! `KeyFileHandler` and `KeyConsoleHandler`.
//!
//! A handler is asked when an encrypted key is read without an explicit passphrase: by
//! [`PrivateKey::from_pem_file`](crate::PrivateKey::from_pem_file) and so by `Context::new`
//! with a `private_key_file`, using the handler installed in [`SslManager`](crate::SslManager)
//! (server side first, then client side, as both of POCO's handlers listen to the one
//! `privateKeyPassphraseRequired` event). The decryption itself is rpoco-crypto's (PKCS #8
//! PBES2/PBES1 and OpenSSL's `Proc-Type: 4,ENCRYPTED` PEM).
//!
//! ```
//! use std::sync::Arc;
//! use rpoco_netssl::{KeyFileHandler, PrivateKey, PrivateKeyPassphraseHandler};
//! # let key = rpoco_crypto::EcKey::generate(rpoco_crypto::Curve::P256)?;
//! # let pem = key.evp().private_key_pem_encrypted(b"secret")?;
//! let handler: Arc<dyn PrivateKeyPassphraseHandler> = Arc::new(KeyFileHandler::new("secret"));
//! let key = PrivateKey::from_pem_with_handler(pem.as_bytes(), "key.pem", handler.as_ref())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::io::BufRead;

use zeroize::Zeroizing;

/// Supplies the passphrase of an encrypted private key (POCO's
/// `PrivateKeyPassphraseHandler::onPrivateKeyRequested`).
pub trait PrivateKeyPassphraseHandler: Send + Sync {
    /// The passphrase for the key read from `source` (a file name, or `"PEM data"`), or `None`
    /// to give up (the key is then refused with an error saying so).
    fn passphrase(&self, source: &str) -> Option<Zeroizing<String>>;
}

/// A fixed passphrase: POCO's `KeyFileHandler`, which takes it from the configuration
/// (`openSSL.server.privateKeyPassphraseHandler.options.password`).
pub struct KeyFileHandler {
    passphrase: Zeroizing<String>,
}

impl KeyFileHandler {
    /// A handler that always answers `passphrase`.
    pub fn new(passphrase: impl Into<String>) -> Self {
        KeyFileHandler { passphrase: Zeroizing::new(passphrase.into()) }
    }
}

impl PrivateKeyPassphraseHandler for KeyFileHandler {
    fn passphrase(&self, _source: &str) -> Option<Zeroizing<String>> {
        Some(self.passphrase.clone())
    }
}

impl fmt::Debug for KeyFileHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyFileHandler(..)")
    }
}

/// Asks on the console: POCO's `KeyConsoleHandler`. Prints a prompt on stderr and reads one
/// line from stdin (echoed: rpoco has no terminal control).
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyConsoleHandler;

/// The longest passphrase line read from the console.
const MAX_LINE: u64 = 4096;

impl PrivateKeyPassphraseHandler for KeyConsoleHandler {
    fn passphrase(&self, source: &str) -> Option<Zeroizing<String>> {
        eprint!("Enter the passphrase for the private key in {source}: ");
        let mut line = Zeroizing::new(String::new());
        let stdin = std::io::stdin();
        let mut limited = std::io::Read::take(stdin.lock(), MAX_LINE);
        let read = std::io::BufReader::new(&mut limited).read_line(&mut line).ok()?;
        if read == 0 {
            return None;
        }
        let trimmed = line.trim_end_matches(['\r', '\n']).len();
        line.truncate(trimmed);
        Some(line)
    }
}
