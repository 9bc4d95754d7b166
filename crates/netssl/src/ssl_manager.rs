//! [`SslManager`]: the process-wide default contexts and certificate handlers, POCO's
//! `SSLManager::instance()`. This is the crate's only global state.
//!
//! ```
//! use rpoco_netssl::{SslManager, VerificationMode};
//!
//! // Without initialization, the default client context verifies against the Mozilla roots.
//! let context = SslManager::instance().default_client_context()?;
//! assert_eq!(context.verification_mode(), VerificationMode::Relaxed);
//! # Ok::<(), rpoco_netssl::Error>(())
//! ```

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use crate::cert_handler::{InvalidCertificateHandler, RejectCertificateHandler};
use crate::context::{Context, PrivateKeyPassphraseHandler, Usage, VerificationMode};
use crate::error::{Error, ErrorKind, Result};

/// The process-wide defaults used when no context or handler is given: POCO's `SSLManager`.
///
/// POCO reads its defaults from the application configuration (`openSSL.client.*`); rpoco
/// has no configuration subsystem, so the defaults are set in code with
/// [`initialize_client`](Self::initialize_client) and
/// [`initialize_server`](Self::initialize_server). Without them, the default client context
/// is POCO's: `Context(Usage::Client, "", Relaxed, 9, load_default_cas = true)` with host
/// name verification on, and handlers reject.
pub struct SslManager {
    state: Mutex<State>,
}

struct State {
    client_context: Option<Arc<Context>>,
    server_context: Option<Arc<Context>>,
    client_handler: Arc<dyn InvalidCertificateHandler>,
    server_handler: Arc<dyn InvalidCertificateHandler>,
    client_passphrase: Option<Arc<dyn PrivateKeyPassphraseHandler>>,
    server_passphrase: Option<Arc<dyn PrivateKeyPassphraseHandler>>,
}

impl SslManager {
    /// The one instance.
    pub fn instance() -> &'static SslManager {
        static INSTANCE: OnceLock<SslManager> = OnceLock::new();
        INSTANCE.get_or_init(|| SslManager { state: Mutex::new(State::new()) })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is replaced field by field; a panic elsewhere cannot leave it torn.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sets the default client context and, if given, the handler for server certificates
    /// that fail verification (POCO's `initializeClient`; the passphrase handler is set with
    /// [`set_client_passphrase_handler`](Self::set_client_passphrase_handler)).
    pub fn initialize_client(
        &self,
        handler: Option<Arc<dyn InvalidCertificateHandler>>,
        context: Arc<Context>,
    ) {
        let mut state = self.state();
        if let Some(handler) = handler {
            state.client_handler = handler;
        }
        state.client_context = Some(context);
    }

    /// Sets the default server context and, if given, the handler for client certificates
    /// that fail verification (POCO's `initializeServer`).
    pub fn initialize_server(
        &self,
        handler: Option<Arc<dyn InvalidCertificateHandler>>,
        context: Arc<Context>,
    ) {
        let mut state = self.state();
        if let Some(handler) = handler {
            state.server_handler = handler;
        }
        state.server_context = Some(context);
    }

    /// The default client context, created on first use if none was set.
    pub fn default_client_context(&self) -> Result<Arc<Context>> {
        let mut state = self.state();
        if let Some(context) = &state.client_context {
            return Ok(context.clone());
        }
        let context = Context::new(Usage::Client, "", "", "", VerificationMode::Relaxed, 9, true, "")?;
        state.client_context = Some(context.clone());
        Ok(context)
    }

    /// The default server context; an error unless [`initialize_server`](Self::initialize_server)
    /// was called (a server needs a certificate, which has no default).
    pub fn default_server_context(&self) -> Result<Arc<Context>> {
        self.state().server_context.clone().ok_or_else(|| {
            Error::new(
                ErrorKind::Ssl,
                "no default server context: call SslManager::initialize_server with a context",
            )
        })
    }

    /// The handler for server certificates that fail verification (default: reject).
    pub fn client_certificate_handler(&self) -> Arc<dyn InvalidCertificateHandler> {
        self.state().client_handler.clone()
    }

    /// The handler for client certificates that fail verification (default: reject).
    pub fn server_certificate_handler(&self) -> Arc<dyn InvalidCertificateHandler> {
        self.state().server_handler.clone()
    }

    /// Sets the handler asked for the passphrase of encrypted private keys that server
    /// contexts read (POCO's `initializeServer(ptrPassphraseHandler, ...)`). Install it before
    /// creating the context that reads the key. There is no default: POCO's is
    /// `KeyConsoleHandler`, which a library should not start on its own.
    pub fn set_server_passphrase_handler(&self, handler: Arc<dyn PrivateKeyPassphraseHandler>) {
        self.state().server_passphrase = Some(handler);
    }

    /// Sets the passphrase handler for client contexts (POCO's `initializeClient(ptrPassphraseHandler, ...)`).
    pub fn set_client_passphrase_handler(&self, handler: Arc<dyn PrivateKeyPassphraseHandler>) {
        self.state().client_passphrase = Some(handler);
    }

    /// The server-side passphrase handler, if one was set.
    pub fn server_passphrase_handler(&self) -> Option<Arc<dyn PrivateKeyPassphraseHandler>> {
        self.state().server_passphrase.clone()
    }

    /// The client-side passphrase handler, if one was set.
    pub fn client_passphrase_handler(&self) -> Option<Arc<dyn PrivateKeyPassphraseHandler>> {
        self.state().client_passphrase.clone()
    }

    /// The handler asked when an encrypted key is read without a passphrase: the server one,
    /// else the client one (POCO's two handlers both listen to one event).
    pub(crate) fn private_key_passphrase_handler(&self) -> Option<Arc<dyn PrivateKeyPassphraseHandler>> {
        let state = self.state();
        state.server_passphrase.clone().or_else(|| state.client_passphrase.clone())
    }

    /// Forgets the contexts and handlers set so far (POCO's `shutdown`).
    pub fn shutdown(&self) {
        *self.state() = State::new();
    }
}

impl State {
    fn new() -> Self {
        State {
            client_context: None,
            server_context: None,
            client_handler: Arc::new(RejectCertificateHandler),
            server_handler: Arc::new(RejectCertificateHandler),
            client_passphrase: None,
            server_passphrase: None,
        }
    }
}

impl std::fmt::Debug for SslManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        f.debug_struct("SslManager")
            .field("client_context", &state.client_context.is_some())
            .field("server_context", &state.server_context.is_some())
            .finish()
    }
}
