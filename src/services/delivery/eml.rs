//! The demo's transport: `.eml` files in a folder instead of an SMTP server.

use std::path::{Path, PathBuf};

use super::{SendError, Transport};
use crate::services::mail::Outgoing;

/// The demo's transport: each message becomes `<dir>/<row id>.eml` (written whole, then renamed).
#[derive(Debug)]
pub struct EmlTransport {
    dir: PathBuf,
}

impl EmlTransport {
    pub fn new(dir: PathBuf) -> Self {
        EmlTransport { dir }
    }

    pub fn path_of(dir: &Path, id: i64) -> PathBuf {
        dir.join(format!("{id}.eml"))
    }
}

impl Transport for EmlTransport {
    fn describe(&self) -> String {
        format!("{} (.eml files)", self.dir.display())
    }

    fn send(&mut self, id: i64, message: &Outgoing) -> Result<(), SendError> {
        let fail = |e: std::io::Error| {
            SendError::Unreachable(format!("cannot write to {}: {e}", self.dir.display()))
        };
        crate::files::write_private_atomic(&Self::path_of(&self.dir, id), &message.bytes)
            .map_err(fail)?;
        Ok(())
    }
}
