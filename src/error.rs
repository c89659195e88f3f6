//! Typed errors. Every message names the offending input (file, flag, key or value) and,
//! where there is one, the fix. [`Error::exit_code`] maps each kind to the process exit code
//! documented in `rdbtune --help`.

use std::path::PathBuf;

/// The result type used across rdbtune.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, grouped by who has to act.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input from the user: a flag, a config key, a size string, a file. Exit code 2.
    #[error("{0}")]
    Usage(String),

    /// RocksDB returned an error while rdbtune was driving it. Exit code 3.
    #[error("RocksDB error while {context}: {message}{}", space_hint(message))]
    Engine { context: String, message: String },

    /// A file-system operation failed. Exit code 3.
    #[error("{action} {}: {source}{}", path.display(), space_hint(&.source.to_string()))]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The run finished but failed a check the user asked for (a gate, `--fail-on-alert`).
    /// Exit code 1.
    #[error("{0}")]
    Failed(String),

    /// The run was interrupted by a signal; what was measured so far has been kept.
    #[error("interrupted by signal {0}")]
    Interrupted(i32),
}

/// A fix for a full file system, appended to its error.
fn space_hint(msg: &str) -> &'static str {
    if msg.contains("No space left") || msg.contains("os error 28") {
        " (the file system is full: free space, point TMPDIR or --db at a larger one, or use a smaller --num)"
    } else {
        ""
    }
}

impl Error {
    /// Builds a usage error from anything printable.
    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage(msg.into())
    }

    /// Wraps a RocksDB error (its message) with what rdbtune was doing at the time.
    pub fn engine(context: impl Into<String>, source: impl std::fmt::Display) -> Self {
        Error::Engine {
            context: context.into(),
            message: source.to_string(),
        }
    }

    /// Wraps an I/O error with the action and the path it concerned.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// The process exit code for this error: 1 for failed checks, 2 for usage errors, 3 for engine and I/O
    /// failures, 128 + signal for interruptions.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Failed(_) => 1,
            Error::Usage(_) => 2,
            Error::Engine { .. } | Error::Io { .. } => 3,
            Error::Interrupted(sig) => 128 + sig,
        }
    }
}
