//! FTP: POCO's `FTPClientSession` ([`FtpClientSession`]) and `FTPStreamFactory`
//! ([`FtpStreamFactory`]), over [`DialogSocket`](crate::DialogSocket).
//!
//! The sans-IO parts are [`data`]'s reply parsers (`PASV`, `EPSV`) and argument formats
//! (`PORT`, `EPRT`) and [`listing`]'s `MLSD` and `LIST` parsers; the session drives them.
//! FTPS (explicit `AUTH TLS` and implicit) is `rpoco-netssl`'s `FtpsClientSession`, which
//! plugs TLS into this session through [`FtpTls`].

pub mod data;
pub mod listing;
mod route;
mod session;
mod stream_factory;
mod transfer;

pub use data::PasvAddressPolicy;
pub use listing::{EntryKind, ListEntry, ListLine, MlsdEntry, parse_list_line, parse_time_val};
pub use session::{
    DEFAULT_TIMEOUT, FTP_PORT, FTPS_IMPLICIT_PORT, FileType, FtpClientSession, FtpTls, FtpTlsMode,
};
pub use stream_factory::{FtpDownloadStream, FtpPasswordProvider, FtpStreamFactory, SessionMaker};
pub use transfer::{DataStream, MAX_LISTING_SIZE};
