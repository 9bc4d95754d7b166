//! # rpoco
//!
//! A Rust port of the secure-networking core of the [POCO C++ libraries](https://pocoproject.org),
//! so that a POCO program ports line by line. This umbrella crate re-exports the member crates,
//! each behind a default-on feature of the same name:
//!
//! | module | crate | POCO module |
//! |---|---|---|
//! | `foundation` | `rpoco-foundation` | Foundation |
//! | `net` | `rpoco-net` | Net |
//! | `netssl` | `rpoco-netssl` | NetSSL_OpenSSL |
//! | `crypto` | `rpoco-crypto` | Crypto |
//!
//! rpoco is an independent port; it is not affiliated with or endorsed by the POCO project.
//!
//! ```
//! # #[cfg(feature = "foundation")] {
//! use rpoco::foundation::{base64, Uri};
//!
//! assert_eq!(base64::encode(b"POCO"), "UE9DTw==");
//!
//! let mut uri = Uri::parse("https://pocoproject.org/docs/index.html")?;
//! uri.resolve("../about.html#team")?;
//! assert_eq!(uri.to_string(), "https://pocoproject.org/about.html#team");
//! assert_eq!(uri.port(), 443);
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `cargo run --example uri -- URI [RELATIVE]` shows how a URI is taken apart and resolved.

#[cfg(feature = "foundation")]
pub use rpoco_foundation as foundation;

#[cfg(feature = "net")]
pub use rpoco_net as net;

#[cfg(feature = "netssl")]
pub use rpoco_netssl as netssl;

#[cfg(feature = "crypto")]
pub use rpoco_crypto as crypto;
