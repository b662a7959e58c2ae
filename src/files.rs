//! Files and folders only their owner may read: the store, the notices file, logs, the demo's mail.
//! The one place that knows the modes (0600 files, 0700 folders) and the write-then-rename dance.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// Creates `path` and its missing parents as folders readable only by their owner (0700). An
/// existing folder is left as it is.
pub fn private_dir(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Creates the parent folder of `path` (0700) when it is missing.
pub fn private_parent(path: &Path) -> io::Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) if !parent.exists() => private_dir(parent),
        _ => Ok(()),
    }
}

/// Options for a file readable only by its owner (0600 when it is created).
pub fn private_options() -> std::fs::OpenOptions {
    let mut opts = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts
}

/// Creates a new private file; fails with `AlreadyExists` rather than overwrite one.
pub fn create_private(path: &Path) -> io::Result<File> {
    private_options().write(true).create_new(true).open(path)
}

/// Writes `bytes` to `path` whole or not at all: into a private temporary file in the same folder
/// (created 0700 when missing), flushed to disk, then renamed over `path`. A reader never sees half a
/// file and a crash leaves at most a stray temporary file.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => dir,
        None => Path::new("."),
    };
    private_dir(dir)?;
    // tempfile creates the file with mode 0600.
    let mut tmp = tempfile::Builder::new()
        .prefix(".")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        private_dir(&sub).unwrap();
        private_dir(&sub).unwrap();
        let f = sub.join("x.csv");
        create_private(&f).unwrap();
        let again = create_private(&f).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        let whole = dir.path().join("c/y.eml");
        write_private_atomic(&whole, b"hello").unwrap();
        write_private_atomic(&whole, b"again").unwrap();
        assert_eq!(std::fs::read(&whole).unwrap(), b"again");
        let left: Vec<_> = std::fs::read_dir(dir.path().join("c")).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file stays behind");
        #[cfg(unix)]
        {
            assert_eq!(mode(&sub), 0o700);
            assert_eq!(mode(&dir.path().join("a")), 0o700);
            assert_eq!(mode(&f), 0o600);
            assert_eq!(mode(&whole), 0o600);
            assert_eq!(mode(&dir.path().join("c")), 0o700);
        }
    }
}
