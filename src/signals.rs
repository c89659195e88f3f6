//! SIGINT / SIGTERM: the first signal asks every loop to stop at its next operation so the
//! run can save what it measured; a second one exits at once.

use std::sync::atomic::{AtomicI32, Ordering};

static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    if SIGNAL.swap(sig, Ordering::SeqCst) != 0 {
        // Second signal: the user really wants out.
        unsafe { libc::_exit(128 + sig) };
    }
}

/// Installs the handlers (idempotent).
pub fn install() {
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
}

/// The signal received, if any. One relaxed load: cheap enough for every operation.
#[inline(always)]
pub fn interrupted() -> Option<i32> {
    match SIGNAL.load(Ordering::Relaxed) {
        0 => None,
        s => Some(s),
    }
}
