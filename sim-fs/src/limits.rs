//! File offsets and sizes: the largest file the simulated disk holds, and
//! the errors Linux gives past it.
//!
//! Every offset and length a caller passes goes through these checks
//! before any arithmetic, so no input can overflow inside detsim:
//!
//! - An offset or length above `i64::MAX` is `EINVAL` (`InvalidInput`):
//!   `pread`, `pwrite`, `lseek` and `ftruncate` take a signed `off_t`, in
//!   which such a value is negative (std's `set_len` rejects it with
//!   `InvalidInput` before the system call).
//! - A write starting at or past [`MAX_FILE_BYTES`] is `EFBIG`
//!   (`FileTooLarge`); one that starts below and would end past it is cut
//!   short at the limit (a short write), as Linux's
//!   `generic_write_check_limits` does.
//! - `set_len` past the limit is `EFBIG`; a seek past it is `EINVAL`
//!   (`vfs_setpos`); a read at or past it returns 0 bytes, as at the end
//!   of any file.
//!
//! The limit is ext4's with 4 KiB blocks (see the crate docs, "Divergence
//! from Linux").

use std::io::{self, ErrorKind};

/// The largest file the simulated disk holds: ext4's `s_maxbytes` with
/// 4 KiB blocks, `(2^32 - 1)` blocks, 16 TiB minus 4 KiB.
pub(crate) const MAX_FILE_BYTES: u64 = ((1 << 32) - 1) * 4096;

/// The largest value a signed `off_t` holds.
const OFF_T_MAX: u64 = i64::MAX as u64;

/// `EINVAL` for an offset or length that a signed `off_t` cannot hold.
fn negative_off_t(what: &str, value: u64) -> io::Error {
    io::Error::new(
        ErrorKind::InvalidInput,
        format!(
            "{what} {value} is above i64::MAX: Linux's off_t is signed, so the kernel sees a \
             negative value (EINVAL)"
        ),
    )
}

/// `EFBIG` for a file that would grow past [`MAX_FILE_BYTES`].
fn too_large(what: &str, value: u64) -> io::Error {
    io::Error::new(
        ErrorKind::FileTooLarge,
        format!(
            "{what} {value} is past the largest file the simulated disk holds, {MAX_FILE_BYTES} \
             bytes (ext4's limit with 4 KiB blocks; Linux says EFBIG)"
        ),
    )
}

/// Checks that `value` (an offset `what` names) fits a signed `off_t`.
///
/// # Errors
///
/// `InvalidInput` above `i64::MAX`.
pub(crate) fn off_t(what: &str, value: u64) -> io::Result<()> {
    if value > OFF_T_MAX {
        return Err(negative_off_t(what, value));
    }
    Ok(())
}

/// How many of `len` bytes a write at `offset` (where it lands: the end
/// of the file in append mode) may transfer: all, or those below the
/// limit.
///
/// # Errors
///
/// `FileTooLarge` for an offset at or past the limit, when there is
/// something to write (a write of 0 bytes checks nothing, as on Linux).
pub(crate) fn write_len(offset: u64, len: usize) -> io::Result<usize> {
    if len == 0 {
        return Ok(0);
    }
    if offset >= MAX_FILE_BYTES {
        return Err(too_large("write offset", offset));
    }
    let room = MAX_FILE_BYTES - offset;
    Ok(usize::try_from(room).map_or(len, |room| len.min(room)))
}

/// Checks a new length for `set_len`.
///
/// # Errors
///
/// `InvalidInput` above `i64::MAX`, `FileTooLarge` past the limit.
pub(crate) fn file_len(len: u64) -> io::Result<()> {
    if len > OFF_T_MAX {
        return Err(negative_off_t("set_len length", len));
    }
    if len > MAX_FILE_BYTES {
        return Err(too_large("set_len length", len));
    }
    Ok(())
}

/// The position a seek from `base` by `delta` lands on.
///
/// # Errors
///
/// `EINVAL` (raw OS error 22, kind `InvalidInput`) when it would be
/// negative, overflow, or lie past the limit, as Linux's `vfs_setpos`
/// says for all three and std's `File::seek` reports it: on both kernels,
/// since the cursor's position is detsim's.
pub(crate) fn seek(base: u64, delta: i64) -> io::Result<u64> {
    match base.checked_add_signed(delta) {
        Some(pos) if pos <= MAX_FILE_BYTES => Ok(pos),
        _ => Err(io::Error::from_raw_os_error(EINVAL)),
    }
}

/// Linux's `EINVAL`.
const EINVAL: i32 = 22;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_cut_at_the_limit_and_refused_past_it() {
        assert_eq!(write_len(0, 10).unwrap(), 10);
        assert_eq!(write_len(MAX_FILE_BYTES - 3, 10).unwrap(), 3);
        let past = write_len(MAX_FILE_BYTES, 1).unwrap_err();
        assert_eq!(past.kind(), ErrorKind::FileTooLarge);
        assert_eq!(write_len(MAX_FILE_BYTES, 0).unwrap(), 0);
        let negative = off_t("offset", u64::MAX).unwrap_err();
        assert_eq!(negative.kind(), ErrorKind::InvalidInput);
        assert!(off_t("offset", i64::MAX as u64).is_ok());
    }

    #[test]
    fn lengths_and_seeks_past_the_limit_are_refused() {
        assert!(file_len(MAX_FILE_BYTES).is_ok());
        assert_eq!(
            file_len(MAX_FILE_BYTES + 1).unwrap_err().kind(),
            ErrorKind::FileTooLarge
        );
        assert_eq!(
            file_len(u64::MAX).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(seek(5, -5).unwrap(), 0);
        assert_eq!(seek(5, -6).unwrap_err().raw_os_error(), Some(22));
        assert!(seek(u64::MAX, 1).is_err());
        assert!(seek(MAX_FILE_BYTES, 1).is_err());
        assert_eq!(seek(MAX_FILE_BYTES, 0).unwrap(), MAX_FILE_BYTES);
    }
}
