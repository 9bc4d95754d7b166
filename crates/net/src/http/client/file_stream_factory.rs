//! [`FileStreamFactory`] (POCO `FileStreamFactory`): `file://` URIs for the
//! [`UriStreamOpener`](super::UriStreamOpener).

use std::path::PathBuf;

use rpoco_foundation::Uri;

use super::stream_factory::{Opened, UriStreamFactory};
use crate::error::{Error, ErrorKind, Result};

/// Opens `file:` URIs (local paths; a host other than empty or `localhost` is refused).
///
/// ```
/// use std::io::Read;
/// use std::sync::Arc;
/// use rpoco_net::{FileStreamFactory, UriStreamOpener};
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("a b.txt"), "hello")?;
/// let opener = UriStreamOpener::new();
/// opener.register_stream_factory("file", Arc::new(FileStreamFactory));
/// let url = format!("file://{}/a%20b.txt", dir.path().display());
/// let mut text = String::new();
/// opener.open(&url)?.read_to_string(&mut text)?;
/// assert_eq!(text, "hello");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct FileStreamFactory;

impl FileStreamFactory {
    /// The local path a `file:` URI names.
    pub fn path_of(uri: &Uri) -> Result<PathBuf> {
        if !uri.scheme().eq_ignore_ascii_case("file") {
            return Err(Error::new(
                ErrorKind::UnknownUriScheme,
                format!("{} (FileStreamFactory opens file:)", uri.scheme()),
            ));
        }
        if !(uri.host().is_empty() || uri.host().eq_ignore_ascii_case("localhost")) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("file URI {uri} names host `{}`, not this machine", uri.host()),
            ));
        }
        Ok(PathBuf::from(uri.path()))
    }

    /// Registers for `file` on the default opener (POCO `registerFactory`).
    pub fn register_factory() {
        super::UriStreamOpener::default_opener()
            .register_stream_factory("file", std::sync::Arc::new(FileStreamFactory));
    }
}

impl UriStreamFactory for FileStreamFactory {
    fn open(&self, uri: &Uri) -> Result<Opened> {
        let path = Self::path_of(uri)?;
        let file = std::fs::File::open(&path)
            .map_err(|e| Error::new(ErrorKind::OpenFile, format!("{}: {e}", path.display())))?;
        Ok(Opened::Stream(Box::new(std::io::BufReader::new(file))))
    }
}
