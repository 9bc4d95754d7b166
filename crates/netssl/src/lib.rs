//! # rpoco-netssl
//!
//! The port of POCO's NetSSL_OpenSSL module on rustls (no OpenSSL anywhere): `Context`,
//! `SecureStreamSocket`, `SecureServerSocket`, `HttpsClientSession`, the HTTPS server, X.509
//! certificates and verification handlers. Certificates and host names are verified by
//! default; disabling verification is possible for porting and is loud.
//!
//! This crate is being filled in; see `docs/porting.md` for what has landed.
//!
//! ```
//! // Nothing public yet: the crate builds and documents itself.
//! ```
