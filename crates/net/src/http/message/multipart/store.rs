//! [`PartStore`]: a [`PartHandler`] that spools each part to a temporary file.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::PartHandler;
use crate::error::{Error, Limit, Result};
use crate::http::message::{MessageHeader, PartSource, split_parameters};

/// One part [`PartStore`] kept on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPart {
    /// The form field name (`Content-Disposition` `name`).
    pub name: String,
    /// The file name sent (`filename`), or empty.
    pub filename: String,
    /// The part's `Content-Type` (default `text/plain`, RFC 7578 §4.4).
    pub media_type: String,
    /// The temporary file holding the content (removed when the store is dropped).
    pub path: PathBuf,
    /// The content's length in bytes.
    pub size: u64,
}

impl StoredPart {
    /// A [`PartSource`] that streams this part's file (to send it on).
    pub fn part_source(&self) -> Result<PartSource> {
        let mut s = PartSource::from_file(&self.path, &self.media_type)?;
        s.filename = self.filename.clone();
        Ok(s)
    }
}

/// A [`PartHandler`] that writes each part to a file in its own temporary directory, with a
/// per-part size limit (POCO's `PartStore`/`FilePartStore`, which keep a part in a temporary
/// file). The directory and files are removed when the store is dropped.
#[derive(Debug)]
pub struct PartStore {
    dir: tempfile::TempDir,
    parts: Vec<StoredPart>,
    max_part_size: u64,
}

impl PartStore {
    /// A store in a new directory under the system temporary directory; parts up to 4 GiB.
    pub fn new() -> Result<Self> {
        Ok(PartStore { dir: tempfile::tempdir()?, parts: Vec::new(), max_part_size: 4 << 30 })
    }

    /// A store in a new directory under `parent`.
    pub fn in_dir(parent: &Path) -> Result<Self> {
        Ok(PartStore { dir: tempfile::tempdir_in(parent)?, parts: Vec::new(), max_part_size: 4 << 30 })
    }

    /// Sets the largest part accepted; a larger one → [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded).
    pub fn set_max_part_size(&mut self, bytes: u64) {
        self.max_part_size = bytes;
    }

    /// The stored parts, in order.
    pub fn parts(&self) -> &[StoredPart] {
        &self.parts
    }

    /// The directory holding the files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl PartHandler for PartStore {
    fn handle_part(&mut self, header: &MessageHeader, body: &mut dyn Read) -> Result<()> {
        let (_, params) = split_parameters(header.get("Content-Disposition").unwrap_or(""));
        let path = self.dir.path().join(format!("part-{}", self.parts.len() + 1));
        let mut file = io::BufWriter::new(std::fs::File::create(&path)?);
        let size = io::copy(&mut body.take(self.max_part_size + 1), &mut file)?;
        file.flush()?;
        if size > self.max_part_size {
            drop(file);
            let _ = std::fs::remove_file(&path);
            return Err(Error::limit(
                Limit::Body,
                format!("multipart part longer than {} bytes", self.max_part_size),
            ));
        }
        self.parts.push(StoredPart {
            name: params.get("name").unwrap_or("").to_owned(),
            filename: params.get("filename").unwrap_or("").to_owned(),
            media_type: header.get("Content-Type").unwrap_or("text/plain").to_owned(),
            path,
            size,
        });
        Ok(())
    }
}
